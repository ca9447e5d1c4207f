"""The inbox query: filters, full-text search, priority-then-recency order."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from commwatch.model import InboxFilter
from commwatch.store.mentions import rows_to_dicts


ORDER = "ORDER BY m.priority_score DESC, m.created_at DESC, m.id DESC"
# A search matching fewer rows than this is answered from its matches (sorted);
# a broader one by walking the priority index and keeping the matches.
FEW_MATCHES = 2000


def fts_query(text: str) -> str:
    """User words → an FTS5 query that matches all of them, with no FTS syntax the user didn't mean.

    Each word is quoted (so AND, NEAR, quotes and colons are literal); a trailing * keeps prefix search.
    """
    terms = []
    for word in re.findall(r"[^\s]+", text):
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if not word:
            continue
        quoted = '"' + word.replace('"', '""') + '"'
        terms.append(quoted + ("*" if prefix else ""))
    return " ".join(terms)


def build_query(f: InboxFilter, columns: str = "m.*", match_ids: list[int] | None = None) -> tuple[str, list[Any]]:
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
    if f.needs_reply:
        where.append("m.replied = 0 AND m.status IN ('open', 'escalated')")
    if match_ids is not None:
        where.append(f"m.id IN ({', '.join('?' * len(match_ids))})" if match_ids else "0")
        params.extend(match_ids)
    elif f.search:
        query = fts_query(f.search)
        if query:
            where.append("m.id IN (SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ?)")
            params.append(query)
    # With the few matching ids in hand, read those rows by id and sort them, rather than
    # let the planner walk a whole filter index looking for them.
    sql = f"SELECT {columns} FROM mentions m" + (" NOT INDEXED" if match_ids is not None else "")
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql, params


def _few_matches(conn: sqlite3.Connection, f: InboxFilter) -> list[int] | None:
    """The ids matching the search when there are few of them; None when there are many (or no search)."""
    query = fts_query(f.search or "")
    if not query:
        return None
    rows = conn.execute(
        "SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ? LIMIT ?", (query, FEW_MATCHES + 1)
    ).fetchall()
    return [r[0] for r in rows] if len(rows) <= FEW_MATCHES else None


def list_mentions(conn: sqlite3.Connection, f: InboxFilter) -> list[dict[str, Any]]:
    sql, params = build_query(f, match_ids=_few_matches(conn, f))
    sql += f" {ORDER}"
    if f.limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [f.limit, f.offset]
    return rows_to_dicts(conn, conn.execute(sql, params).fetchall())


def count_mentions(conn: sqlite3.Connection, f: InboxFilter) -> int:
    sql, params = build_query(f, columns="count(*)", match_ids=_few_matches(conn, f))
    return conn.execute(sql, params).fetchone()[0]


def matching_ids(conn: sqlite3.Connection, f: InboxFilter) -> list[int]:
    """Every id the filter matches, in inbox order (limit and offset ignored)."""
    sql, params = build_query(f, columns="m.id", match_ids=_few_matches(conn, f))
    return [r[0] for r in conn.execute(f"{sql} {ORDER}", params).fetchall()]


def is_empty(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("SELECT NOT EXISTS (SELECT 1 FROM mentions)").fetchone()[0])
