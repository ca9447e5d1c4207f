"""How the team answered: replies and time to first reply, the backlog, escalations.

A mention's first reply is the earliest of its `reply` events and its sent
outbox replies; the wait is from the mention's created_at to that moment, both
compared as instants (whatever offset they were written with). The backlog is
what `commwatch inbox --needs-reply` lists today (open or escalated, not
replied), by age. An escalation is handled by the next `close` or `reply`
event of its mention.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from commwatch.model import iso
from commwatch.report.scope import Scope
from commwatch.report.stats import epoch, percentiles

# Every mention's first reply, from the two places a sent reply is recorded.
FIRST_REPLIES = (
    "first_reply AS (SELECT mention_id, min(t) AS t FROM ("
    f"SELECT mention_id, {epoch('at')} AS t FROM events WHERE action = 'reply' "
    f"UNION ALL SELECT mention_id, {epoch('sent_at')} FROM outbox WHERE kind = 'reply' AND status = 'sent' "
    "AND sent_at IS NOT NULL) GROUP BY mention_id)"
)

BACKLOG_BUCKETS = [("<1d", 1), ("1-3d", 3), ("3-7d", 7), ("7-30d", 30), (">30d", None)]


def replies(conn: sqlite3.Connection, scope: Scope) -> dict[str, Any]:
    cte, params = scope.cte("m.id, m.created_at, m.replied")
    with_clause = f"{cte}, {FIRST_REPLIES}"
    total, replied = conn.execute(
        f"{with_clause} SELECT count(*), coalesce(sum(r.mention_id IS NOT NULL OR s.replied = 1), 0) "
        "FROM scope s LEFT JOIN first_reply r ON r.mention_id = s.id",
        params,
    ).fetchone()
    n, p = percentiles(
        conn,
        with_clause,
        f"SELECT max(0, r.t - {epoch('s.created_at')}) AS v FROM scope s JOIN first_reply r ON r.mention_id = s.id",
        params,
    )
    return {
        "mentions": total,
        "replied": replied,
        "unanswered": total - replied,
        "reply_rate": round(replied / total, 4) if total else None,
        "first_reply": {"timed": n, "median_s": _seconds(p[0.5]), "p90_s": _seconds(p[0.9])},
    }


def backlog(conn: sqlite3.Connection, scope: Scope, now: datetime) -> dict[str, Any]:
    """Mentions waiting for a reply now (the period's other filters apply, its dates do not), by age."""
    waiting = Scope(replace(scope.filter, needs_reply=True), scope.until)
    cte, params = waiting.cte("m.created_at", timeless=True)
    cases, bounds = [], []
    for i, (_, days) in enumerate(BACKLOG_BUCKETS):
        if days is not None:
            cases.append(f"WHEN created_at > ? THEN {i}")
            bounds.append(iso(now - timedelta(days=days)))
    case = f"CASE {' '.join(cases)} ELSE {len(BACKLOG_BUCKETS) - 1} END"
    rows = conn.execute(
        f"{cte} SELECT {case} AS bucket, count(*), min(created_at) FROM scope GROUP BY bucket",
        [*params, *bounds],
    ).fetchall()
    counts = {bucket: n for bucket, n, _ in rows}
    oldest = min((first for _, _, first in rows), default=None)
    return {
        "total": sum(counts.values()),
        "oldest": oldest,
        "by_age": [{"age": label, "mentions": counts.get(i, 0)} for i, (label, _) in enumerate(BACKLOG_BUCKETS)],
    }


def escalations(conn: sqlite3.Connection, scope: Scope) -> dict[str, Any]:
    cte, params = scope.cte("m.id")
    with_clause = (
        f"{cte}, esc AS (SELECT e.id, e.mention_id, {epoch('e.at')} AS at, json_extract(e.detail, '$.target') AS target, "
        "(SELECT " + epoch("h.at") + " FROM events h WHERE h.mention_id = e.mention_id AND h.id > e.id "
        "AND h.action IN ('close', 'reply') ORDER BY h.id LIMIT 1) AS handled_at "
        "FROM events e JOIN scope s ON s.id = e.mention_id WHERE e.action = 'escalate')"
    )
    total, handled = conn.execute(
        f"{with_clause} SELECT count(*), count(handled_at) FROM esc", params
    ).fetchone()
    targets = conn.execute(
        f"{with_clause} SELECT coalesce(target, '') AS target, count(*) AS n FROM esc GROUP BY target "
        "ORDER BY n DESC, target",
        params,
    ).fetchall()
    n, p = percentiles(conn, with_clause, "SELECT max(0, handled_at - at) AS v FROM esc", params)
    return {
        "escalated": total,
        "handled": handled,
        "pending": total - handled,
        "time_to_handle": {"median_s": _seconds(p[0.5]), "p90_s": _seconds(p[0.9])},
        "by_target": [{"target": t or None, "escalations": c} for t, c in targets],
    }


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
