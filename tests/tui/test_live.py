"""The TUI and a `commwatch sync` in another process, at the same time."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from commwatch.store.db import open_store

from tuikit import SCRIPTED, config_for, first_ids, inbox, make_app, mention, notes, selected, settle, status_line

pytestmark = pytest.mark.anyio
PLUGINS = Path(__file__).parents[1] / "plugins"
NEW = [{"id": f"n{i}", "text": f"outage and refund lawsuit, we got hacked {i}", "author": f"new{i}",
        "followers": 500000, "at": "2026-01-15T11:00:00Z"} for i in range(3)]  # fmt: skip


def write_config(directory: Path) -> Path:
    config = config_for(directory)  # writes script.json; a second page of three new mentions follows:
    (directory / "script.json").write_text(json.dumps({"streams": {"s": [{"mentions": SCRIPTED}, {"mentions": NEW}]}}))
    toml = directory / "commwatch.toml"
    toml.write_text(
        '[sources.demo]\nconnector = "demo"\n'
        f'[sources.s]\nconnector = "scripted"\nscript = "{directory / "script.json"}"\nposted = "{directory / "posted.json"}"\n'
    )
    return toml, config


def cli_sync(toml: Path, db: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMWATCH_")}
    env["PYTHONPATH"] = os.pathsep.join([str(PLUGINS), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "commwatch.cli.main", "--config", str(toml), "--db", str(db), "sync"],
                          env=env, capture_output=True, text=True, timeout=120)  # fmt: skip


async def wait_for(pilot, condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.1)
    await settle(pilot)


async def test_mentions_from_a_concurrent_sync_appear_with_a_notice_and_the_selection_stays(mixed_db, tmp_path):
    toml, config = write_config(tmp_path)
    app = make_app(mixed_db, config, poll_interval=0.2)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j")
        await settle(pilot)
        chosen = selected(app)["id"]
        assert "363 mentions" in status_line(app)
        sync = await asyncio.get_running_loop().run_in_executor(None, cli_sync, toml, mixed_db)
        assert sync.returncode == 0, sync.stderr
        await wait_for(pilot, lambda: "3 new" in status_line(app))
        assert "3 new mentions" in notes(app)
        assert selected(app)["id"] == chosen  # three rows arrived above it: the cursor followed it
        assert inbox(app).mentions.cursor == 6
        assert "366 mentions" in status_line(app)
        above = [inbox(app).pager.get(i)["author"]["handle"] for i in range(6)]
        assert {"new0", "new1", "new2"} <= set(above)
        await pilot.press("R")
        await settle(pilot)
        assert "3 new" not in status_line(app)  # R clears the notice


async def test_on_postgresql_a_change_from_another_machine_appears_within_the_refresh(mixed_db, tmp_path, pg_url):
    """A team: the inbox on PostgreSQL, a sync and a teammate's tag from other processes; the TUI hears
    them through LISTEN/NOTIFY at its next poll."""
    toml, config = write_config(tmp_path)
    copied = subprocess.run([sys.executable, "-m", "commwatch.cli.main", "db", "copy", str(mixed_db), pg_url, "-q"],
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert copied.returncode == 0, copied.stderr
    app = make_app(pg_url, config, poll_interval=0.2)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert "363 mentions" in status_line(app)
        sync = await asyncio.get_running_loop().run_in_executor(None, cli_sync, toml, pg_url)
        assert sync.returncode == 0, sync.stderr
        await wait_for(pilot, lambda: "3 new" in status_line(app))
        assert "366 mentions" in status_line(app)
        top = inbox(app).pager.get(0)
        tagged = subprocess.run([sys.executable, "-m", "commwatch.cli.main", "--db", pg_url, "tag", str(top["id"]),
                                 "teammate"], capture_output=True, text=True, timeout=60)  # fmt: skip
        assert tagged.returncode == 0, tagged.stderr
        await wait_for(pilot, lambda: "teammate" in inbox(app).pager.get(0)["tags"])


async def test_a_writer_holding_the_database_makes_the_tui_wait_not_fail(demo_db):
    top = first_ids(demo_db, 1)[0]
    app = make_app(demo_db, poll_interval=0.1)
    holding = threading.Event()

    def writer():
        conn = open_store(demo_db)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE sync_runs SET status = status")
        holding.set()
        time.sleep(1.5)
        conn.execute("COMMIT")
        conn.close()

    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        thread = threading.Thread(target=writer)
        thread.start()
        holding.wait(5)
        started = time.monotonic()
        await pilot.press("c")
        await settle(pilot)
        thread.join()
        assert mention(demo_db, top)["status"] == "closed"
        assert time.monotonic() - started >= 1.0  # it waited for the writer…
        assert not [n for n in notes(app) if "locked" in n]  # …and did not fail
        await pilot.pause(0.5)  # polls during and after the write
        assert app.is_running
