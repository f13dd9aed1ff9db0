"""Persistence: SQLAlchemy 2.0 typed models, the engine/session, migrations, repositories."""
