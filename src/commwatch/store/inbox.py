"""The inbox query: filters, full-text search, priority-then-recency order."""

from __future__ import annotations

import sqlite3
from typing import Any

from commwatch.model import InboxFilter
from commwatch.store import search
from commwatch.store.mentions import rows_to_dicts


ORDER = "ORDER BY m.priority_score DESC, m.created_at DESC, m.id DESC"
# A search matching fewer rows than this is answered from its matches (sorted);
# a broader one by walking the priority index and keeping the matches.
FEW_MATCHES = 2000


# Waiting for a first response: what --needs-reply and --overdue look at.
UNANSWERED = "m.replied = 0 AND m.status IN ('open', 'escalated') AND m.ours = 0"


def build_query(f: InboxFilter, columns: str = "m.*", match_ids: list[int] | None = None,
                cutoffs: dict[str, str] | None = None) -> tuple[str, list[Any]]:  # fmt: skip
    """SELECT … FROM mentions m WHERE <the filter>. `cutoffs` (for f.overdue): per priority level, the
    creation time before which an unanswered mention is overdue."""
    where: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("m.status", f.status),
        ("m.platform", f.platform),
        ("m.sentiment_label", f.sentiment),
        ("m.assignee", f.assignee),
        ("m.source", f.source),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if f.since:
        where.append("m.created_at >= ?")
        params.append(f.since)
    if f.tag:
        where.append("m.id IN (SELECT mention_id FROM mention_tags WHERE tag = ?)")
        params.append(f.tag)
    if f.ours is not None:
        where.append("m.ours = ?")
        params.append(int(f.ours))
    if f.needs_reply:
        where.append(UNANSWERED)
    if f.overdue:
        late = [f"(m.priority_level = '{level}' AND m.created_at < ?)" for level in (cutoffs or {})]
        where.append(f"{UNANSWERED} AND ({' OR '.join(late) or '0'})")
        params.extend((cutoffs or {}).values())
    if f.until:
        where.append("m.created_at < ?")
        params.append(f.until)
    if match_ids is not None:
        where.append(f"m.id IN ({', '.join('?' * len(match_ids))})" if match_ids else "0")
        params.extend(match_ids)
    if f.search:
        more, values = search.conditions(search.parse(f.search), with_fts=match_ids is None)
        where += more
        params += values
    # With the few matching ids in hand, read those rows by id and sort them, rather than
    # let the planner walk a whole filter index looking for them.
    sql = f"SELECT {columns} FROM mentions m" + (" NOT INDEXED" if match_ids is not None else "")
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql, params


def _few_matches(conn: sqlite3.Connection, f: InboxFilter) -> list[int] | None:
    """The ids matching the search when there are few of them; None when there are many (or no search)."""
    query = search.parse(f.search or "").fts()
    if not query:
        return None
    rows = conn.execute(f"{search.MATCHES} LIMIT ?", (query, query, FEW_MATCHES + 1)).fetchall()
    return [r[0] for r in rows] if len(rows) <= FEW_MATCHES else None


ORDERS = {
    "priority": ORDER,
    "newest": "ORDER BY m.created_at DESC, m.id DESC",
    "oldest": "ORDER BY m.created_at ASC, m.id ASC",
}


def _order(f: InboxFilter, cutoffs: dict[str, str] | None) -> str:
    """The listing's order: --sort, or for `due` (and --overdue) the soonest due first, measured from each
    level's cutoff; mentions without a response target come last."""
    sort = "due" if f.overdue and f.sort == "priority" else f.sort
    if sort != "due":
        return ORDERS[sort]
    late = " ".join(f"WHEN '{level}' THEN julianday('{cutoff}') - julianday(m.created_at)"
                    for level, cutoff in (cutoffs or {}).items())  # fmt: skip
    return f"ORDER BY CASE m.priority_level {late} ELSE NULL END DESC NULLS LAST, m.id DESC"


def list_mentions(conn: sqlite3.Connection, f: InboxFilter, cutoffs: dict[str, str] | None = None) -> list[dict[str, Any]]:
    sql, params = build_query(f, match_ids=_few_matches(conn, f), cutoffs=cutoffs)
    sql += f" {_order(f, cutoffs)}"
    if f.limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [f.limit, f.offset]
    return rows_to_dicts(conn, conn.execute(sql, params).fetchall())


def count_mentions(conn: sqlite3.Connection, f: InboxFilter, cutoffs: dict[str, str] | None = None) -> int:
    sql, params = build_query(f, columns="count(*)", match_ids=_few_matches(conn, f), cutoffs=cutoffs)
    return conn.execute(sql, params).fetchone()[0]


def matching_ids(conn: sqlite3.Connection, f: InboxFilter, cutoffs: dict[str, str] | None = None) -> list[int]:
    """Every id the filter matches, in inbox order (limit and offset ignored)."""
    sql, params = build_query(f, columns="m.id", match_ids=_few_matches(conn, f), cutoffs=cutoffs)
    return [r[0] for r in conn.execute(f"{sql} {_order(f, cutoffs)}", params).fetchall()]


def has_source(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM mentions WHERE source = ? LIMIT 1", (name,)).fetchone() is not None


def is_empty(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("SELECT NOT EXISTS (SELECT 1 FROM mentions)").fetchone()[0])
