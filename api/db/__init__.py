"""Persistence: tables, engine and sessions, and the programmatic Alembic upgrade run at start."""
