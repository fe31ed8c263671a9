"""Database connection and Alembic migrations (SQLite by default, PostgreSQL at scale)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import SQLAlchemyError

from factcheck.errors import StoreError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite gets foreign keys, WAL, a busy timeout and write-locking
    transactions (BEGIN IMMEDIATE), PostgreSQL a pool."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()
            dbapi_connection.isolation_level = None  # transactions begin in _begin below

        @event.listens_for(engine, "begin")
        def _begin(connection):
            # Take the write lock up front: a read transaction that later writes while another
            # process (a second Dask worker) has written fails at once with "database is locked",
            # whatever the busy timeout; BEGIN IMMEDIATE waits for the lock instead.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True)


def _alembic_config(engine: Engine):
    from alembic.config import Config

    if not (MIGRATIONS_DIR / "env.py").exists():
        raise StoreError(f"Alembic migrations not found at {MIGRATIONS_DIR}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to `revision` (default: the latest)."""
    from alembic import command

    config = _alembic_config(engine)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as error:
        raise StoreError(f"cannot migrate {engine.url.render_as_string()}: {error.__class__.__name__}: {error}".splitlines()[0]) from None


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to `revision` ('base' drops every table)."""
    from alembic import command

    config = _alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def ensure_schema(engine: Engine) -> None:
    """Upgrade to the latest schema on first use or after an update of factcheck."""
    try:
        current = current_revision(engine)
    except SQLAlchemyError as error:
        raise StoreError(f"cannot open database {engine.url.render_as_string()}: {error}".splitlines()[0]) from None
    if current != head_revision():
        if current is None and inspect(engine).has_table("sources"):
            raise StoreError("database has factcheck tables but no Alembic version; cannot migrate it safely")
        upgrade(engine)
