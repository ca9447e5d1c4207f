"""Percentiles computed by SQLite, and day arithmetic."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from typing import Any

from commwatch.store import dialect


def epoch(conn, column: str) -> str:
    """SQL for an ISO 8601 text column (Z or ±HH:MM) as Unix seconds."""
    return dialect.epoch(conn, column)


def percentiles(
    conn: sqlite3.Connection, with_clause: str, values: str, params: list[Any], ps: tuple[float, ...] = (0.5, 0.9)
) -> tuple[int, dict[float, float | None]]:
    """(n, {p: value}) over column `v` of the query `values`, which may use the CTEs of `with_clause`.

    Linear interpolation between closest ranks (numpy's default, PERCENTILE.INC):
    the median of 1, 2, 3, 10 is 2.5. SQLite sorts and numbers the values; only the
    two ranks around each percentile come back.
    """
    head = f"{with_clause}, " if with_clause else "WITH "
    rank = dialect.truncate(conn, "(n - 1) * ?")
    near = " OR ".join([f"i = {rank} OR i = {rank} + 1"] * len(ps))
    sql = (
        f"{head}vals AS ({values}), "
        "ranked AS (SELECT v, row_number() OVER (ORDER BY v) - 1 AS i, count(*) OVER () AS n "
        "FROM vals WHERE v IS NOT NULL) "
        f"SELECT v, i, n FROM ranked WHERE {near}"
    )
    rows = conn.execute(sql, [*params, *[p for p in ps for _ in (0, 1)]]).fetchall()
    if not rows:
        return 0, {p: None for p in ps}
    n = rows[0][2]
    at = {r[1]: r[0] for r in rows}
    result: dict[float, float | None] = {}
    for p in ps:
        pos = (n - 1) * p
        lo = int(pos)
        hi = min(lo + 1, n - 1)
        result[p] = at[lo] + (at[hi] - at[lo]) * (pos - lo)
    return n, result


def parse_day(iso: str) -> date:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).date()


def days_between(first: date, last: date) -> list[str]:
    """Every day from first to last inclusive, as YYYY-MM-DD."""
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
