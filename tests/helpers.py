"""Helpers the tests share: the real `commwatch` command in a subprocess, and scripted-source pages."""

import json
import os
import subprocess
import sys
from pathlib import Path

PLUGINS = Path(__file__).parent / "plugins"
FIXTURES = Path(__file__).parent / "fixtures"


class CLI:
    """Runs the installed `commwatch` in a subprocess, as a user (or cron) would."""

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("COMMWATCH_", "X_", "REDDIT_", "YOUTUBE_"))
        }
        self.env.update(
            PYTHONPATH=os.pathsep.join([str(PLUGINS), self.env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            XDG_CONFIG_HOME=str(cwd / "xdg-config"),
            XDG_DATA_HOME=str(cwd / "xdg-data"),
            COLUMNS="200",
            NO_COLOR="1",
            TZ="UTC",
        )

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None, timeout: float = 120):
        return subprocess.run(
            [sys.executable, "-m", "commwatch.cli.main", *args],
            cwd=self.cwd,
            env={**self.env, **(env or {})},
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def popen(self, *args: str, env: dict | None = None):
        return subprocess.Popen(
            [sys.executable, "-m", "commwatch.cli.main", *args],
            cwd=self.cwd,
            env={**self.env, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def json(self, *args: str, env: dict | None = None):
        result = self(*args, "--json", env=env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


def write_script(path: Path, streams: dict) -> Path:
    path.write_text(json.dumps({"streams": streams}))
    return path


def mentions(*specs, prefix: str = "") -> dict:
    """A scripted page: mentions("1:great product", "2:refund now!") → {"mentions": [...]}."""
    items = []
    for spec in specs:
        remote_id, _, text = spec.partition(":")
        items.append({"id": prefix + remote_id, "text": text or f"mention {remote_id}", "author": f"user{remote_id}"})
    return {"mentions": items}


def sql(cli: CLI, statement: str, params: tuple = (), db: str = "inbox.db") -> list[tuple]:
    """Run one statement on the store the CLI uses (a test reading or nudging the database itself):
    the PostgreSQL URL in COMMWATCH_DB, else the SQLite file `db` in its folder. Returns the rows."""
    url = cli.env.get("COMMWATCH_DB", "")
    if url.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            cursor = conn.execute(statement.replace("?", "%s"), params)
            return [tuple(r) for r in cursor.fetchall()] if cursor.description else []
    import sqlite3

    conn = sqlite3.connect(cli.cwd / db)
    try:
        rows = conn.execute(statement, params).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()
