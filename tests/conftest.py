import os
import sys
import time

import pytest

from helpers import CLI, PLUGINS

sys.path.insert(0, str(PLUGINS))  # registers the test-only `scripted` and `importonly` connectors
os.environ["TZ"] = "UTC"  # times people read are in the display zone: the same on every machine
time.tzset()


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working directory with no config or database inherited from the user."""
    monkeypatch.chdir(tmp_path)
    for var in ("COMMWATCH_CONFIG", "COMMWATCH_DB"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return tmp_path


@pytest.fixture
def cli(workdir, backend):
    runner = CLI(workdir)
    if backend is not None:
        runner.env["COMMWATCH_DB"] = backend
    return runner


def pytest_generate_tests(metafunc):
    """A module marked `both_stores` runs its tests once on SQLite and once on PostgreSQL (a fresh
    schema per test): every command through the `cli` fixture then meets both engines."""
    if metafunc.definition.get_closest_marker("both_stores") and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def backend(request):
    """None (the SQLite default), or the URL of a fresh PostgreSQL schema when the test is parametrized so."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield None
        return
    if request.node.get_closest_marker("sqlite_only"):
        pytest.skip("reads the SQLite file itself")
    postgres_server = request.getfixturevalue("postgres_server")  # started only when a test needs it
    if postgres_server.url is None:
        pytest.skip(f"PostgreSQL tests skipped: {postgres_server.why}")
    name, url = postgres_server.schema()
    yield url
    postgres_server.drop(name)


@pytest.fixture(scope="session")
def postgres_server():
    from postgres_server import Server

    server = Server()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres_server):
    """The URL of a fresh, empty PostgreSQL schema for this test (skipped, saying why, without a server)."""
    if postgres_server.url is None:
        pytest.skip(f"PostgreSQL tests skipped: {postgres_server.why}")
    name, url = postgres_server.schema()
    yield url
    postgres_server.drop(name)


@pytest.fixture(params=["sqlite", "postgres"])
def either_store(request, tmp_path):
    """An open, empty store on each engine in turn: SQLite's file, then a fresh PostgreSQL schema
    (skipped, saying why, without a server; and for tests marked sqlite_only)."""
    from commwatch.store.db import open_store

    if request.param == "sqlite":
        location = tmp_path / "inbox.db"
    elif request.node.get_closest_marker("sqlite_only"):
        pytest.skip("about SQLite itself (its files, its planner)")
    else:
        location = request.getfixturevalue("pg_url")
    conn = open_store(location)
    conn.location = location  # where a second connection opens the same store
    yield conn
    conn.close()
