"""Counting mentions in time windows, and the alerts table."""

from __future__ import annotations

import sqlite3
from typing import Any

from commwatch.store import dialect


def _metric_filter(conn, metric: str) -> tuple[str, list[Any]]:
    """The mentions a spike metric counts: people's, never the brand's own posts. On SQLite the unary +
    keeps the planner on the created_at index (the window is what is small), never the sentiment index."""
    plus = dialect.hint(conn)
    if metric == "negative":
        return f" AND {plus}sentiment_label = 'negative' AND {plus}ours = 0", []
    if metric.startswith("tag:"):
        return f" AND id IN (SELECT mention_id FROM mention_tags WHERE tag = ?) AND {plus}ours = 0", [metric[4:]]
    return f" AND {plus}ours = 0", []


def count_between(conn: sqlite3.Connection, metric: str, start: str, end: str) -> int:
    extra, params = _metric_filter(conn, metric)
    return conn.execute(
        f"SELECT count(*) FROM mentions WHERE created_at >= ? AND created_at < ?{extra}", [start, end, *params]
    ).fetchone()[0]


def bucket_counts(conn: sqlite3.Connection, metric: str, start_epoch: int, window_s: int, buckets: int) -> list[int]:
    """Counts in `buckets` consecutive windows of `window_s` seconds from `start_epoch`; empty windows count 0."""
    from datetime import datetime, timezone

    def at(epoch: int) -> str:
        return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    extra, params = _metric_filter(conn, metric)
    rows = conn.execute(
        f"SELECT ({dialect.epoch(conn, 'created_at')} - ?) / ? AS b, count(*) AS n FROM mentions "
        f"WHERE created_at >= ? AND created_at < ?{extra} GROUP BY b",
        [start_epoch, window_s, at(start_epoch), at(start_epoch + window_s * buckets), *params],
    )
    counts = [0] * buckets
    for r in rows:
        if 0 <= r["b"] < buckets:
            counts[r["b"]] = r["n"]
    return counts


def overdue_without_alert(conn: sqlite3.Connection, cutoffs: dict[str, str], limit: int) -> list[int]:
    """Unanswered mentions past their cutoff (see store.inbox) not yet alerted as overdue, oldest first."""
    from commwatch.model import InboxFilter
    from commwatch.store.inbox import build_query

    sql, params = build_query(InboxFilter(status=None, overdue=True, limit=None), columns="m.id", cutoffs=cutoffs)
    rows = conn.execute(
        f"{sql} AND NOT EXISTS (SELECT 1 FROM events e WHERE e.mention_id = m.id AND e.action = 'overdue') "
        "ORDER BY m.created_at LIMIT ?",
        [*params, limit],
    )
    return [r[0] for r in rows]


def last_fired(conn: sqlite3.Connection, name: str) -> str | None:
    row = conn.execute("SELECT max(fired_at) FROM alerts WHERE name = ?", (name,)).fetchone()
    return row[0]


def add_alert(conn: sqlite3.Connection, **fields: Any) -> int:
    columns = ", ".join(fields)
    return conn.execute(
        f"INSERT INTO alerts ({columns}) VALUES ({', '.join('?' * len(fields))}) RETURNING id", list(fields.values())
    ).fetchone()[0]


def get_alert(conn: sqlite3.Connection, alert_id: int) -> dict[str, Any]:
    row = conn.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)).fetchone()
    return dict(row) | {"window": _human(row["window_start"], row["window_end"])}


def list_alerts(conn: sqlite3.Connection, limit: int = 100) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT id FROM alerts ORDER BY fired_at DESC, id DESC LIMIT ?", (limit,))
    return [get_alert(conn, r["id"]) for r in rows.fetchall()]


def _human(start: str, end: str) -> str:
    from datetime import datetime

    seconds = int((datetime.fromisoformat(end.replace("Z", "+00:00")) - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
