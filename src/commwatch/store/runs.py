"""The record of each sync: one `sync_runs` row, and one `source_runs` row per source in it."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from commwatch.store.db import transaction


def start_run(conn: sqlite3.Connection, started_at: str) -> int:
    """A new run. The caller holds the sync lock, so a run still 'running' was killed: it is closed
    as 'interrupted' (with its sources) at the time this one starts."""
    with transaction(conn):
        conn.execute("UPDATE sync_runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'",
                     (started_at,))  # fmt: skip
        return conn.execute("INSERT INTO sync_runs (started_at, status) VALUES (?, 'running') RETURNING id",
                            (started_at,)).fetchone()[0]  # fmt: skip


def finish_run(conn: sqlite3.Connection, run_id: int, finished_at: str, status: str, summary: dict[str, Any],
               sources: list[dict[str, Any]]) -> None:  # fmt: skip
    """Close the run; `sources` are dicts with name, connector, status, new, updated, pages, requests, message."""
    with transaction(conn):
        conn.execute(
            "UPDATE sync_runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
            (finished_at, status, json.dumps(summary), run_id),
        )
        started = conn.execute("SELECT started_at FROM sync_runs WHERE id = ?", (run_id,)).fetchone()[0]
        conn.executemany(
            "INSERT INTO source_runs (run_id, source, connector, status, new, updated, pages, requests, message, "
            "started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(run_id, s["name"], s["connector"], s["status"], s["new"], s["updated"], s["pages"], s["requests"],
              s["message"], started, finished_at) for s in sources],
        )  # fmt: skip
