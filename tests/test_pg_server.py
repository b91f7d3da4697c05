"""The throw-away PostgreSQL server used by the database tests really starts."""

from __future__ import annotations

import pytest

try:
    from tests import pg_server
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    import pg_server


@pytest.mark.postgres
def test_throwaway_postgres_answers_version_query():
    sqlalchemy = pytest.importorskip("sqlalchemy")
    pytest.importorskip("psycopg")

    url, reason = pg_server.start_server()
    if url is None:
        pg_server.skip_or_fail(reason)
    try:
        engine = sqlalchemy.create_engine(url)
        try:
            with engine.connect() as conn:
                version = conn.execute(sqlalchemy.text("select version()")).scalar_one()
                dbname = conn.execute(sqlalchemy.text("select current_database()")).scalar_one()
        finally:
            engine.dispose()
    finally:
        pg_server.stop_server(url)

    assert "PostgreSQL" in version
    assert dbname == sqlalchemy.engine.make_url(url).database
