"""Alembic environment, configured programmatically by ``api.db.migrate`` (there is no alembic.ini).

The caller passes an open connection in ``config.attributes["connection"]``; without one (the ``alembic``
command
line with ``-x url=...``) an engine is built from that URL.
"""

from __future__ import annotations

from alembic import context

from api.db.models import Base
from api.db.session import create_db_engine

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_db_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
