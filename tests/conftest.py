"""Shared fixtures: real SQLite and PostgreSQL databases, the real packaged model, and fakes for speed."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "factcheck")
# Most tests check the first stage with a fast fake embedder; the default second stage (the packaged
# relevance reranker) has its own tests in test_relevance.py, which set it explicitly.
os.environ.setdefault("FACTCHECK_RERANKER", "none")

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED_DATA = ROOT.parent / "shared" / "data"
PG_ADMIN_URL = os.environ.get("FACTCHECK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as error:  # report why, below
        return f"{error.__class__.__name__}: {str(error).splitlines()[0]}"


@pytest.fixture(scope="session")
def pg_server():
    """The admin URL of the PostgreSQL server; in CI an unreachable server fails instead of skipping."""
    problem = _pg_available()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is required in CI: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    return PG_ADMIN_URL


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"factcheck_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg_server.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'factcheck.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def real_embedder():
    """The packaged all-MiniLM-L6-v2, loaded once."""
    from factcheck.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture
def hash_embedder():
    from factcheck.embed import HashEmbedder

    return HashEmbedder()


@pytest.fixture
def settings_factory(tmp_path):
    """Settings with a private home; pass database_url and other overrides."""
    from factcheck.settings import Settings

    def make(**overrides):
        overrides.setdefault("home", tmp_path / "home")
        return Settings(**overrides)

    return make
