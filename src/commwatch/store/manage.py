"""What a manager (or a rule) changes on a mention, and the events table that remembers it.

Call these inside a transaction: actions.py pairs every change with its event.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any


def record_event(
    conn: sqlite3.Connection, mention_id: int, at: str, actor: str, action: str, detail: dict[str, Any] | None = None
) -> None:
    conn.execute(
        "INSERT INTO events (mention_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
        (mention_id, at, actor, action, json.dumps(detail, ensure_ascii=False) if detail else None),
    )


def history(conn: sqlite3.Connection, mention_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT at, actor, action, detail FROM events WHERE mention_id = ? ORDER BY id", (mention_id,)
    )
    return [
        {"at": r["at"], "actor": r["actor"], "action": r["action"], "detail": json.loads(r["detail"] or "{}")}
        for r in rows
    ]


def set_fields(conn: sqlite3.Connection, mention_id: int, **fields: Any) -> None:
    allowed = {"status", "snoozed_until", "assignee", "replied"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not a manager-owned column: {', '.join(sorted(unknown))}")
    assignments = ", ".join(f"{k} = ?" for k in fields)
    conn.execute(f"UPDATE mentions SET {assignments} WHERE id = ?", (*fields.values(), mention_id))


def current(conn: sqlite3.Connection, mention_id: int) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT id, status, snoozed_until, assignee, replied FROM mentions WHERE id = ?", (mention_id,)
    ).fetchone()


def tags(conn: sqlite3.Connection, mention_id: int) -> list[str]:
    rows = conn.execute("SELECT tag FROM mention_tags WHERE mention_id = ? ORDER BY tag", (mention_id,))
    return [r["tag"] for r in rows]


def add_tags(conn: sqlite3.Connection, mention_id: int, new_tags: list[str]) -> list[str]:
    """Adds the tags not already there; returns those actually added."""
    have = set(tags(conn, mention_id))
    added = [t for t in dict.fromkeys(new_tags) if t not in have]
    conn.executemany("INSERT INTO mention_tags (mention_id, tag) VALUES (?, ?)", [(mention_id, t) for t in added])
    return added


def remove_tags(conn: sqlite3.Connection, mention_id: int, old_tags: list[str]) -> list[str]:
    have = set(tags(conn, mention_id))
    removed = [t for t in dict.fromkeys(old_tags) if t in have]
    conn.executemany("DELETE FROM mention_tags WHERE mention_id = ? AND tag = ?", [(mention_id, t) for t in removed])
    return removed


def add_escalation(
    conn: sqlite3.Connection, mention_id: int, at: str, actor: str, target: str | None, note: str | None
) -> int:
    cur = conn.execute(
        "INSERT INTO escalations (mention_id, at, actor, target, note) VALUES (?, ?, ?, ?, ?)",
        (mention_id, at, actor, target, note),
    )
    return cur.lastrowid


def due_snoozes(conn: sqlite3.Connection, now: str) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM mentions WHERE status = 'snoozed' AND snoozed_until <= ?", (now,)
    )
    return [r["id"] for r in rows]


def all_tags(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    rows = conn.execute("SELECT tag, count(*) AS n FROM mention_tags GROUP BY tag ORDER BY n DESC, tag")
    return [(r["tag"], r["n"]) for r in rows]


def set_priority_level(conn: sqlite3.Connection, mention_id: int, level: str) -> None:
    """A rule's override of the computed level (a later edit on the platform re-scores the mention)."""
    conn.execute("UPDATE mentions SET priority_level = ? WHERE id = ?", (level, mention_id))


def escalation_targets(conn: sqlite3.Connection, mention_id: int) -> set[str | None]:
    rows = conn.execute("SELECT target FROM escalations WHERE mention_id = ?", (mention_id,))
    return {r["target"] for r in rows}
