"""Read-only SQL for analysts: the database connection itself refuses writes, the text is not parsed."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from factcheck import db
from factcheck.errors import ConfigError, InputError

FORMATS = ("table", "csv", "json")
_READ_ONLY_MARKERS = ("readonly database", "read-only transaction", "query_only", "read-only")


@dataclass(frozen=True)
class QueryResult:
    """Column names and rows of one query."""

    columns: tuple[str, ...]
    rows: list[tuple]


def read_only_engine(url: str) -> Engine:
    """An engine whose connections cannot write: SQLite opened with mode=ro, PostgreSQL read-only sessions."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:":
            raise ConfigError(f"'factcheck sql' needs a database file, not {url!r}")
        path = Path(database).expanduser().resolve()
        if not path.exists():
            raise ConfigError(f"no database at {str(path)!r}")

        def connect():
            connection = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=30)
            connection.execute("PRAGMA query_only=ON")
            return connection

        return create_engine("sqlite://", creator=connect, poolclass=NullPool)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, poolclass=NullPool,
                               connect_args={"options": "-c default_transaction_read_only=on"})

        @event.listens_for(engine, "connect")
        def _read_only(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_connection.commit()

        return engine
    raise ConfigError(f"read-only queries support SQLite and PostgreSQL, not {parsed.get_backend_name()!r}")


def run_query(url: str, sql: str, migrate: bool = True) -> QueryResult:
    """Run one SQL statement on a read-only connection; a write attempt raises InputError."""
    if not sql.strip():
        raise InputError("empty query ''")
    if migrate:  # the views come with the migrations; a fresh database gets them first
        engine = db.make_engine(url)
        try:
            db.ensure_schema(engine)
        finally:
            engine.dispose()
    engine = read_only_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                return _run_postgresql(connection.connection.dbapi_connection, sql)
            result = connection.exec_driver_sql(sql)  # sqlite3 refuses a second statement
            if not result.returns_rows:
                return QueryResult((), [])
            return QueryResult(tuple(result.keys()), [tuple(row) for row in result])
    except SQLAlchemyError as error:
        raise InputError(_message(sql, error)) from None
    finally:
        engine.dispose()


def _run_postgresql(dbapi_connection, sql: str) -> QueryResult:
    """One statement through the extended protocol, so 'COMMIT; SET ... READ WRITE; ...' cannot sneak in."""
    import psycopg

    try:
        with dbapi_connection.cursor() as cursor:
            rows = [tuple(row) for row in cursor.stream(sql)]
            columns = tuple(d.name for d in cursor.description) if cursor.description else ()
    except psycopg.Error as error:
        raise InputError(_message(sql, error)) from None
    return QueryResult(columns, rows if columns else [])


def _message(sql: str, error: Exception) -> str:
    cause = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    query = " ".join(sql.split())
    query = query if len(query) <= 80 else query[:79] + "…"
    if any(marker in cause.lower() for marker in _READ_ONLY_MARKERS):
        return f"refused, the connection is read-only: {query!r} ({cause})"
    return f"query failed: {query!r} ({cause})"


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """The result as an aligned text table, CSV with a header, or a JSON array of objects."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_csv_cell(v) for v in row] for row in result.rows)
        return out.getvalue()
    if fmt == "json":
        return json.dumps([dict(zip(result.columns, row)) for row in result.rows], default=jsonable,
                          ensure_ascii=False, indent=1) + "\n"
    if fmt != "table":
        raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return _table(result)


def jsonable(value):
    """JSON form of database values: ISO dates, numbers for decimals, hex for bytes."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


def _csv_cell(value):
    if value is None:
        return ""
    return jsonable(value) if isinstance(value, (datetime, date, Decimal, bytes, bytearray, memoryview)) else value


def _table(result: QueryResult, width: int = 60) -> str:
    if not result.columns:
        return "(no rows)\n"
    cells = [[_clip("" if v is None else str(v), width) for v in row] for row in result.rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(result.columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(result.columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _clip(value: str, width: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= width else value[: width - 1] + "…"
