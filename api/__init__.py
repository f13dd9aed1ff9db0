"""The shell: Flask API, SQLAlchemy models and repositories, services, jobs and the CLI.

Nothing is created at import time; use :func:`api.app.create_app`.
"""
