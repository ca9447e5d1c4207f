"""How the team answered: replies and time to first reply, the backlog, escalations.

A mention got a reply when it has a `reply` event or a sent outbox reply; its
first reply is the earliest of those, and the wait runs from the mention's
created_at to that moment, compared as instants (whatever offset either was
written with). The backlog is
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


def replies(conn: sqlite3.Connection, scope: Scope, mentions: int) -> dict[str, Any]:
    """Of the period's `mentions`, how many got a reply, and how long the first one took.

    Driven by the (few) replies: each is matched to its mention by primary key and kept
    when the mention is in scope, so the period's mentions are not read again.
    """
    where, params = scope.where()
    with_clause = f"WITH {FIRST_REPLIES}"
    n, p = percentiles(
        conn,
        with_clause,
        f"SELECT max(0, r.t - {epoch('m.created_at')}) AS v FROM first_reply r CROSS JOIN mentions m "
        f"ON m.id = r.mention_id{where}",
        params,
    )
    return {
        "mentions": mentions,
        "replied": n,
        "unanswered": mentions - n,
        "reply_rate": round(n / mentions, 4) if mentions else None,
        "first_reply": {"median_s": _seconds(p[0.5]), "p90_s": _seconds(p[0.9])},
    }


def backlog(conn: sqlite3.Connection, scope: Scope, now: datetime) -> dict[str, Any]:
    """Mentions waiting for a reply now (the period's other filters apply, its dates do not), by age.

    One pass that counts how many are newer than each bucket's bound (no sort); buckets are differences.
    """
    waiting = Scope(replace(scope.filter, needs_reply=True), scope.until)
    where, params = waiting.where(timeless=True)
    bounds = [iso(now - timedelta(days=days)) for _, days in BACKLOG_BUCKETS if days is not None]
    newer = ", ".join(["coalesce(sum(m.created_at > ?), 0)"] * len(bounds))
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
        f"WITH esc AS (SELECT e.id, {epoch('e.at')} AS at, json_extract(e.detail, '$.target') AS target, "
        f"(SELECT {epoch('h.at')} FROM events h WHERE h.mention_id = e.mention_id AND h.id > e.id "
        "AND h.action IN ('close', 'reply') ORDER BY h.id LIMIT 1) AS handled_at "
        f"FROM events e CROSS JOIN mentions m ON m.id = e.mention_id{where})"
    )
    targets = conn.execute(
        f"{with_clause} SELECT target, count(*) AS n, count(handled_at) FROM esc GROUP BY target "
        "ORDER BY n DESC, coalesce(target, '')",
        params,
    ).fetchall()
    total, handled = sum(t[1] for t in targets), sum(t[2] for t in targets)
    n, p = percentiles(conn, with_clause, "SELECT max(0, handled_at - at) AS v FROM esc", params)
    return {
        "escalated": total,
        "handled": handled,
        "pending": total - handled,
        "time_to_handle": {"median_s": _seconds(p[0.5]), "p90_s": _seconds(p[0.9])},
        "by_target": [{"target": t[0] or None, "escalations": t[1]} for t in targets],
    }


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
