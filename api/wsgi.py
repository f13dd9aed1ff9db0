"""WSGI entry point for gunicorn: ``gunicorn 'api.wsgi:app'`` (configuration from the
environment: DATABASE_URL, STOCKPILOT_*)."""

from api.app import create_app

app = create_app()
