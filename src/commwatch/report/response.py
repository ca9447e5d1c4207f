"""How the team answered: replies and time to first response, response-time targets, the backlog, escalations.

A mention's first response is `first_response_at`: the earliest of a reply sent
through commwatch, one of ours answering it on the platform, or a person's
`mark-replied`. The wait runs from the mention's created_at to that moment,
compared as instants. The backlog is what `commwatch inbox --needs-reply` lists
today (open or escalated, not replied), by age. An escalation is handled by the
next `close` or `reply` event of its mention. The brand's own posts are not in
any of these figures (the scope leaves them out).
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from commwatch.model import iso
from commwatch.report.scope import Scope
from commwatch.store import dialect
from commwatch.report.stats import epoch, percentiles

def _wait(conn) -> str:
    """SQL: seconds from a mention to its first response (never below zero)."""
    wait = f"{epoch(conn, 'm.first_response_at')} - {epoch(conn, 'm.created_at')}"
    return f"CASE WHEN {wait} < 0 THEN 0 ELSE {wait} END"  # NULL (no response) stays NULL


LEVELS = ("urgent", "high", "medium", "low")

BACKLOG_BUCKETS = [("<1d", 1), ("1-3d", 3), ("3-7d", 7), ("7-30d", 30), (">30d", None)]


def replies(conn: sqlite3.Connection, scope: Scope, mentions: int) -> dict[str, Any]:
    """Of the period's `mentions`, how many were answered (anywhere), and how long the first response took:
    overall, by platform and by priority level."""
    where, params = scope.where_and("m.replied = 1")
    answered = conn.execute(f"SELECT count(*) FROM mentions m{where}", params).fetchone()[0]
    return {
        "mentions": mentions,
        "replied": answered,
        "unanswered": mentions - answered,
        "reply_rate": round(answered / mentions, 4) if mentions else None,
        "first_reply": _waits(conn, scope, None),
        "first_reply_by_platform": _waits_by(conn, scope, "m.platform"),
        "first_reply_by_level": [w for w in _waits_by(conn, scope, "m.priority_level") if w["key"] in LEVELS],
    }


def _waits(conn: sqlite3.Connection, scope: Scope, condition: str | None, params_extra: list[Any] = ()) -> dict[str, Any]:
    where, params = scope.where_and("m.first_response_at IS NOT NULL" + (f" AND {condition}" if condition else ""))
    n, p = percentiles(conn, "", f"SELECT {_wait(conn)} AS v FROM mentions m{where}", [*params, *params_extra])
    return {"answered": n, "median_s": _seconds(p[0.5]), "p90_s": _seconds(p[0.9])}


def _waits_by(conn: sqlite3.Connection, scope: Scope, column: str) -> list[dict[str, Any]]:
    where, params = scope.where_and("m.first_response_at IS NOT NULL")
    keys = [r[0] for r in conn.execute(f"SELECT DISTINCT {column} FROM mentions m{where}", params) if r[0]]
    return [{"key": key, **_waits(conn, scope, f"{column} = ?", [key])} for key in sorted(keys)]


def sla_attainment(conn: sqlite3.Connection, scope: Scope, sla: Any, now: datetime) -> dict[str, Any] | None:
    """Of the period's mentions with a response target, the share answered within it, and how many are
    overdue now (unanswered past their target). None without an [sla] table."""
    if sla is None:
        return None
    where, params = scope.where()
    rows = conn.execute(
        f"SELECT m.created_at, m.priority_level, m.first_response_at, m.replied, m.status FROM mentions m{where}",
        params,
    )
    due = within = late = overdue = 0
    for created, level, first, replied, status in rows:
        target = sla.due_at(datetime.fromisoformat(created.replace("Z", "+00:00")), level)
        if target is None:
            continue
        if first:
            due += 1
            ok = datetime.fromisoformat(first.replace("Z", "+00:00")) <= target
            within += ok
            late += not ok
        elif not replied and status in ("open", "escalated") and target <= now:
            due += 1
            overdue += 1
    return {
        "with_target": due,
        "answered_in_time": within,
        "answered_late": late,
        "overdue": overdue,
        "attainment": round(within / due, 4) if due else None,
    }


def backlog(conn: sqlite3.Connection, scope: Scope, now: datetime) -> dict[str, Any]:
    """Mentions waiting for a reply now (the period's other filters apply, its dates do not), by age.

    One pass that counts how many are newer than each bucket's bound (no sort); buckets are differences.
    """
    waiting = replace(scope, filter=replace(scope.filter, needs_reply=True))
    where, params = waiting.where(timeless=True)
    bounds = [iso(now - timedelta(days=days)) for _, days in BACKLOG_BUCKETS if days is not None]
    newer = ", ".join(["coalesce(sum(CASE WHEN m.created_at > ? THEN 1 ELSE 0 END), 0)"] * len(bounds))
    total, oldest, *within = conn.execute(
        f"SELECT count(*), min(m.created_at), {newer} FROM mentions m{where}", [*bounds, *params]
    ).fetchone()
    cumulative = [*within, total]  # newer than 1d, 3d, 7d, 30d, and all
    counts = [n - (cumulative[i - 1] if i else 0) for i, n in enumerate(cumulative)]
    return {
        "total": total,
        "oldest": oldest,
        "by_age": [{"age": label, "mentions": n} for (label, _), n in zip(BACKLOG_BUCKETS, counts)],
    }


def escalations(conn: sqlite3.Connection, scope: Scope) -> dict[str, Any]:
    """The period's mentions' escalations (read from the escalate events, matched to mentions by key)."""
    where, params = scope.where_and("e.action = 'escalate'")
    with_clause = (
        f"WITH esc AS (SELECT e.id, {epoch(conn, 'e.at')} AS at, json_extract(e.detail, '$.target') AS target, "
        f"(SELECT {epoch(conn, 'h.at')} FROM events h WHERE h.mention_id = e.mention_id AND h.id > e.id "
        "AND h.action IN ('close', 'reply') ORDER BY h.id LIMIT 1) AS handled_at "
        f"FROM events e {dialect.in_order(conn)} mentions m ON m.id = e.mention_id{where})"
    )
    targets = conn.execute(
        f"{with_clause} SELECT target, count(*) AS n, count(handled_at) FROM esc GROUP BY target "
        "ORDER BY n DESC, coalesce(target, '')",
        params,
    ).fetchall()
    total, handled = sum(t[1] for t in targets), sum(t[2] for t in targets)
    n, p = percentiles(conn, with_clause, "SELECT CASE WHEN handled_at < at THEN 0 ELSE handled_at - at END AS v FROM esc", params)
    return {
        "escalated": total,
        "handled": handled,
        "pending": total - handled,
        "time_to_handle": {"median_s": _seconds(p[0.5]), "p90_s": _seconds(p[0.9])},
        "by_target": [{"target": t[0] or None, "escalations": t[1]} for t in targets],
    }


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
