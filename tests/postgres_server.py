"""A PostgreSQL server for the tests that need one, and a fresh schema per test.

$COMMWATCH_TEST_POSTGRES (a URL) names a running server to use; otherwise a throwaway cluster is
made with the machine's initdb (as the postgres user when the tests run as root, since initdb
refuses root), listening on 127.0.0.1 only, and stopped at the end. Where neither is possible the
tests that need it are skipped, saying why.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

DATABASE = "commwatch_test"


def _binaries() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self):
        self.url: str | None = None
        self.why: str | None = None
        self._data: str | None = None
        self._bin: Path | None = None
        self._run_as: list[str] = []

    def start(self) -> None:
        given = os.environ.get("COMMWATCH_TEST_POSTGRES")
        if given:
            self.url = given
            self._prepare()
            return
        try:
            import psycopg  # noqa: F401  (the optional extra commwatch[postgres])
        except ImportError:
            self.why = "psycopg is not installed (pip install 'commwatch[postgres]')"
            return
        self._bin = _binaries()
        if self._bin is None:
            self.why = "no PostgreSQL server on this machine (apt-get install postgresql postgresql-contrib)"
            return
        base = tempfile.mkdtemp(prefix="commwatch-pg-")
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                self.why = "running as root without runuser: initdb refuses root"
                return
            shutil.chown(base, "postgres")
            self._run_as = ["runuser", "-u", "postgres", "--"]
        self._data = os.path.join(base, "data")
        port = _free_port()
        try:
            self._run("initdb", "-D", self._data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8")
            self._run("pg_ctl", "-D", self._data, "-l", os.path.join(base, "log"), "-w", "-o",
                      f"-k {base} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off", "start")  # fmt: skip
        except (OSError, subprocess.CalledProcessError) as exc:
            self.why = f"a PostgreSQL cluster could not be started ({exc})"
            return
        self.url = f"postgresql://postgres@127.0.0.1:{port}/{DATABASE}"
        self._prepare(admin=f"postgresql://postgres@127.0.0.1:{port}/postgres")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self._run_as, str(self._bin / tool), *args], check=True, capture_output=True, timeout=120)

    def _prepare(self, admin: str | None = None) -> None:
        import psycopg

        if admin:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {DATABASE} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")
        for _ in range(50):
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
                return
            except psycopg.OperationalError:
                time.sleep(0.1)

    def schema(self) -> tuple[str, str]:
        """(schema name, URL whose search_path is that new, empty schema)."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
        separator = "&" if "?" in self.url else "?"
        return name, f"{self.url}{separator}options={quote(f'-csearch_path={name},public')}"

    def drop(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")

    def stop(self) -> None:
        if self._data and self._bin:
            try:
                self._run("pg_ctl", "-D", self._data, "-m", "immediate", "stop")
            except (OSError, subprocess.CalledProcessError):
                pass
            shutil.rmtree(os.path.dirname(self._data), ignore_errors=True)
