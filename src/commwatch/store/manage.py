"""What a manager (or a rule) changes on a mention, and the events table that remembers it.

Call these inside a transaction: app/effects.py pairs every change with its event.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from commwatch.model import LEVEL_BANDS
from commwatch.store import dialect
from commwatch.store.mentions import clamp


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


def hold(conn: sqlite3.Connection, mention_id: int) -> None:
    """Lock the mention's row until the transaction ends (see store.dialect.for_update)."""
    if dialect.postgres(conn):
        conn.execute(f"SELECT id FROM mentions WHERE id = ?{dialect.for_update(conn)}", (mention_id,))


def tags(conn: sqlite3.Connection, mention_id: int) -> list[str]:
    rows = conn.execute("SELECT tag FROM mention_tags WHERE mention_id = ? ORDER BY tag", (mention_id,))
    return [r["tag"] for r in rows]


def add_tags(conn: sqlite3.Connection, mention_id: int, new_tags: list[str]) -> list[str]:
    """Adds the tags not already there; returns those actually added."""
    have = set(tags(conn, mention_id))
    added = [t for t in dict.fromkeys(new_tags) if t not in have]
    conn.executemany("INSERT INTO mention_tags (mention_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                     [(mention_id, t) for t in added])  # fmt: skip
    return added


def remove_tags(conn: sqlite3.Connection, mention_id: int, old_tags: list[str]) -> list[str]:
    have = set(tags(conn, mention_id))
    removed = [t for t in dict.fromkeys(old_tags) if t in have]
    conn.executemany("DELETE FROM mention_tags WHERE mention_id = ? AND tag = ?", [(mention_id, t) for t in removed])
    return removed


def add_escalation(
    conn: sqlite3.Connection, mention_id: int, at: str, actor: str, target: str | None, note: str | None
) -> int:
    return conn.execute(
        "INSERT INTO escalations (mention_id, at, actor, target, note) VALUES (?, ?, ?, ?, ?) RETURNING id",
        (mention_id, at, actor, target, note),
    ).fetchone()[0]


def due_snoozes(conn: sqlite3.Connection, now: str) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM mentions WHERE status = 'snoozed' AND snoozed_until <= ?", (now,)
    )
    return [r["id"] for r in rows]


def all_tags(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    rows = conn.execute("SELECT tag, count(*) AS n FROM mention_tags GROUP BY tag ORDER BY n DESC, tag")
    return [(r["tag"], r["n"]) for r in rows]


def set_priority(conn: sqlite3.Connection, mention_id: int, level: str | None) -> None:
    """Override the computed priority with `level` (its score clamped into the level's band), or
    return to the computed one (None). Re-syncs keep an override: it belongs to the manager."""
    if level is None:
        bands = " ".join(f"WHEN priority_auto_score >= {low} THEN '{name}'" for name, (low, _) in
                         sorted(LEVEL_BANDS.items(), key=lambda b: -b[1][0]))  # fmt: skip
        conn.execute(
            f"UPDATE mentions SET priority_override = NULL, priority_score = priority_auto_score, "
            f"priority_level = CASE WHEN priority_auto_score IS NULL THEN priority_level {bands} END WHERE id = ?",
            (mention_id,),
        )
        return
    low, high = LEVEL_BANDS[level]
    conn.execute(
        "UPDATE mentions SET priority_override = ?, priority_level = ?, "
        f"priority_score = {clamp('coalesce(priority_auto_score, priority_score, 0)', low, high)} WHERE id = ?",
        (level, level, mention_id),
    )


def priority_of(conn: sqlite3.Connection, mention_id: int) -> tuple[str | None, str | None]:
    """(effective level, override or None)."""
    row = conn.execute("SELECT priority_level, priority_override FROM mentions WHERE id = ?", (mention_id,)).fetchone()
    return (row["priority_level"], row["priority_override"]) if row else (None, None)


# What a person decided, so that rules run later leave it alone. Actors are people
# unless they are a rule ("rule:NAME") or commwatch itself (see app.effects.person).
_SYSTEM = "commwatch"


def decisions(conn: sqlite3.Connection, mention_id: int) -> dict[str, Any]:
    """What people did to this mention: tags they removed (and did not add back since), and
    whether they set the assignee, the status or the priority; and the rules that snoozed it."""
    rows = conn.execute(
        "SELECT actor, action, detail FROM events WHERE mention_id = ? "
        "AND action IN ('tag', 'untag', 'assign', 'unassign', 'close', 'reopen', 'snooze', 'escalate', 'priority') "
        "ORDER BY id",
        (mention_id,),
    )
    removed: set[str] = set()
    decided: set[str] = set()
    snoozed_by: set[str] = set()
    for row in rows:
        action, actor = row["action"], row["actor"]
        if actor.startswith("rule:"):
            if action == "snooze":
                snoozed_by.add(actor[5:])
            continue
        if actor == _SYSTEM:
            continue
        detail = json.loads(row["detail"] or "{}")
        if action == "untag":
            removed.update(detail.get("tags", []))
        elif action == "tag":
            removed.difference_update(detail.get("tags", []))
        elif action in ("assign", "unassign"):
            decided.add("assignee")
        elif action == "priority":
            decided.add("priority")
        else:
            decided.add("status")
    return {"removed_tags": removed, "assignee": "assignee" in decided, "status": "status" in decided,
            "priority": "priority" in decided, "snoozed_by": snoozed_by}  # fmt: skip


def last_detail(conn: sqlite3.Connection, mention_id: int, action: str) -> dict[str, Any]:
    """The detail of the mention's latest event of this action ({} when there is none)."""
    row = conn.execute("SELECT detail FROM events WHERE mention_id = ? AND action = ? ORDER BY id DESC LIMIT 1",
                       (mention_id, action)).fetchone()  # fmt: skip
    return json.loads(row["detail"] or "{}") if row else {}


def author_of(conn: sqlite3.Connection, platform: str, remote_id: str) -> str | None:
    row = conn.execute(
        "SELECT author_handle FROM mentions WHERE platform = ? AND remote_id = ?", (platform, remote_id)
    ).fetchone()
    return row["author_handle"] if row else None


def escalation(conn: sqlite3.Connection, escalation_id: int) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM escalations WHERE id = ?", (escalation_id,)).fetchone()
    return dict(row) if row else None


def escalation_targets(conn: sqlite3.Connection, mention_id: int) -> set[str | None]:
    rows = conn.execute("SELECT target FROM escalations WHERE mention_id = ?", (mention_id,))
    return {r["target"] for r in rows}
