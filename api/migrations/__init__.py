"""Alembic migrations of the service database; run by :func:`api.db.migrate.upgrade_database`."""
