"""Choosing and opening a PostgreSQL store: each thing that is wrong is one line, and no secret leaks."""

from __future__ import annotations

import uuid

import psycopg

from commwatch.exitcodes import ExitCode


def test_store_url_in_the_file_selects_postgresql(cli, workdir, pg_url):
    (workdir / "commwatch.toml").write_text(f'[store]\nurl = "{pg_url}"\n')
    assert cli("inbox", "--json").returncode == 0
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT max(version) FROM commwatch_schema").fetchone()[0] == 12
    assert not list(workdir.rglob("*.db"))  # no SQLite file was made on the side


def test_a_password_in_the_file_is_refused_naming_the_key(cli, workdir):
    (workdir / "commwatch.toml").write_text('[store]\nurl = "postgresql://ann:hunter2@db.example/commwatch"\n')
    result = cli("inbox")
    assert result.returncode == ExitCode.CONFIG and "store.url" in result.stderr and "PGPASSWORD" in result.stderr
    assert "hunter2" not in result.stderr


def test_a_database_that_cannot_fold_case_is_refused_in_one_line(cli, postgres_server):
    if postgres_server.url is None:
        import pytest

        pytest.skip(f"PostgreSQL tests skipped: {postgres_server.why}")
    name = "c_" + uuid.uuid4().hex[:8]
    with psycopg.connect(postgres_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
    try:
        url = postgres_server.url.rsplit("/", 1)[0] + f"/{name}"
        result = cli("--db", url, "inbox")
        assert result.returncode != 0 and "cannot fold case outside ASCII" in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    finally:
        with psycopg.connect(postgres_server.url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name}")


def test_without_psycopg_a_postgresql_url_says_what_to_install(monkeypatch):
    import sys

    import pytest

    from commwatch.store.db import StoreError, open_store

    for name in [m for m in sys.modules if m.startswith("commwatch.store.pg")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as on a machine without the postgres extra
    with pytest.raises(StoreError, match=r"pip install 'commwatch\[postgres\]'"):
        open_store("postgresql://127.0.0.1:1/commwatch")
