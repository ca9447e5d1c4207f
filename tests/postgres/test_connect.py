"""Choosing and opening a PostgreSQL store: each thing that is wrong is one line, and no secret leaks."""

from __future__ import annotations

import time
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


def test_readers_reuse_a_few_connections_and_close_them_with_the_session(pg_url):
    from commwatch.app.session import SPARE_READERS, Session
    from commwatch.config import Config

    def backends() -> int:
        with psycopg.connect(pg_url) as conn:
            return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'commwatch'").fetchone()[0]

    before = backends()  # (other tests' servers' processes, if any linger)
    session = Session(Config(), pg_url)
    session.views.inbox  # noqa: B018 — opens the session's own connection
    first = session.reader()
    pid = first.conn.raw.info.backend_pid
    first.close()
    second = session.reader()
    assert second.conn.raw.info.backend_pid == pid  # the TUI's next mention costs no new connection
    readers = [session.reader() for _ in range(SPARE_READERS + 2)]
    for reader in [second, *readers]:
        reader.views.count  # noqa: B018
        reader.close()
    assert backends() == before + 1 + SPARE_READERS  # the session's own and the spares kept, no more
    session.close()
    deadline = time.time() + 5  # the server notices closed connections at once, give or take
    while backends() > before and time.time() < deadline:
        time.sleep(0.05)
    assert backends() == before


def test_doctor_reads_a_postgresql_store_without_creating_it(cli, pg_url):
    first = cli("--db", pg_url, "doctor")
    assert "holds no commwatch tables yet" in first.stdout
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('mentions') IS NULL").fetchone()[0]  # nothing was made
    assert cli("--db", pg_url, "inbox").returncode == 0
    assert "0 mentions (PostgreSQL)" in cli("--db", pg_url, "doctor").stdout
