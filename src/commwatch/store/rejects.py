"""The rejects table: items set aside at ingest, with where they came from and why."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

ITEM_CHARS = 4000  # what is kept of a rejected item: enough to see what was wrong


def add(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    """Each row: at, source, origin, platform, remote_id, reason, item (any JSON-able value). In a transaction."""
    conn.executemany(
        "INSERT INTO rejects (at, source, origin, platform, remote_id, reason, item) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(r["at"], r.get("source"), r.get("origin"), r.get("platform"), r.get("remote_id"), r["reason"],
          _item_text(r.get("item"))) for r in rows],
    )  # fmt: skip


def _item_text(item: Any) -> str | None:
    if item is None:
        return None
    try:
        text = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False, default=repr)
    except (ValueError, RecursionError):
        text = repr(item)[:ITEM_CHARS]
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be stored
    return text if len(text) <= ITEM_CHARS else text[:ITEM_CHARS] + "…"


def listing(conn: sqlite3.Connection, limit: int = 100) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT * FROM rejects ORDER BY id DESC LIMIT ?", (limit,))
    return [dict(r) for r in rows]


def count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM rejects").fetchone()[0]
