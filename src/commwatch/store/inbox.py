"""The inbox query: filters, full-text search, priority-then-recency order."""

from __future__ import annotations

import sqlite3
from typing import Any

from commwatch.model import InboxFilter
from commwatch.store import dialect, search
from commwatch.store.mentions import rows_to_dicts


ORDER = "ORDER BY m.priority_score DESC, m.created_at DESC, m.id DESC"
# A search matching fewer rows than this is answered from its matches (sorted);
# a broader one by walking the priority index and keeping the matches.
FEW_MATCHES = 2000


# Waiting for a first response: what --needs-reply and --overdue look at.
UNANSWERED = "m.replied = 0 AND m.status IN ('open', 'escalated') AND m.ours = 0"


# The equality conditions of a filter: (column, InboxFilter field).
_EQUALS = (("m.status", "status"), ("m.platform", "platform"), ("m.sentiment_label", "sentiment"),
           ("m.assignee", "assignee"), ("m.source", "source"))  # fmt: skip
DENSE_SEARCH = 0.1  # a search matching at least this share of mentions is tested row by row on the walk


def build_query(f: InboxFilter, columns: str = "m.*", match_ids: list[int] | None = None,
                cutoffs: dict[str, str] | None = None, walk: bool = False,
                dense_search: bool = False, kind: str = "sqlite") -> tuple[str, list[Any]]:  # fmt: skip
    """SELECT … FROM mentions m WHERE <the filter>. `cutoffs` (for f.overdue): per priority level, the
    creation time before which an unanswered mention is overdue.

    How it is read: with `match_ids`, those rows by id (then sorted: there are few); with `walk`,
    along the listing's order (the priority or the time index), every other condition tested on
    the rows met (a unary + keeps an index from being chosen for it), so the first page costs the
    same at a million rows as at a thousand when matches are common; otherwise the planner's
    choice (counts, ids). `kind`: the SQL dialect (PostgreSQL takes no planner hints)."""
    hinted = kind == "sqlite"
    walk = walk and hinted
    where: list[str] = []
    params: list[Any] = []
    keep_status = walk and f.sort == "priority"  # (status, priority_score, created_at) is an order index
    for column, name in _EQUALS:
        value = getattr(f, name)
        if value is not None:
            plus = "+" if walk and not (keep_status and name == "status") else ""
            where.append(f"{plus}{column} = ?")
            params.append(value)
    plus = "+" if walk else ""
    if f.since:
        where.append(f"{plus}m.created_at >= ?")
        params.append(f.since)
    if f.tag:
        where.append("m.id IN (SELECT mention_id FROM mention_tags WHERE tag = ?)")
        params.append(f.tag)
    if f.ours is not None:
        where.append(f"{plus}m.ours = ?")
        params.append(int(f.ours))
    if f.needs_reply:
        where.append(UNANSWERED.replace("m.", "+m.") if walk else UNANSWERED)
    if f.overdue:
        late = [f"(m.priority_level = '{level}' AND m.created_at < ?)" for level in (cutoffs or {})]
        where.append(f"{UNANSWERED} AND ({' OR '.join(late) or '1 = 0'})")
        params.extend((cutoffs or {}).values())
    if f.until:
        where.append(f"{plus}m.created_at < ?")
        params.append(f.until)
    if match_ids is not None:
        where.append(f"m.id IN ({', '.join('?' * len(match_ids))})" if match_ids else "1 = 0")
        params.extend(match_ids)
    if f.search:
        more, values = search.conditions(search.parse(f.search), with_fts=match_ids is None, per_row=dense_search,
                                         kind=kind)  # fmt: skip
        where += more
        params += values
    # With the few matching ids in hand, read those rows by id and sort them, rather than
    # let the planner walk a whole filter index looking for them.
    sql = f"SELECT {columns} FROM mentions m" + (" NOT INDEXED" if match_ids is not None and hinted else "")
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


def _search_density(conn: sqlite3.Connection, f: InboxFilter) -> float:
    """The share of mentions the search's words match, from where its FEW_MATCHES-th newest match is."""
    query = search.parse(f.search or "").fts()
    row = conn.execute("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ? ORDER BY rowid DESC "
                       "LIMIT 1 OFFSET ?", (query, FEW_MATCHES)).fetchone()  # fmt: skip
    top = conn.execute("SELECT max(id) FROM mentions").fetchone()[0] or 0
    return FEW_MATCHES / max(1, top - row[0]) if row else 0.0


# For each filter that an index can narrow: the index, and its condition. A probe reads at most
# FEW_MATCHES + 1 entries of one of them (index only: the id is in every index).
_PROBES = (
    ("assignee", "idx_mentions_assignee_status_priority_score_created_at", "m.assignee = ?"),
    ("tag", None, None),
    ("source", "idx_mentions_source_status_priority_score_created_at", "m.source = ?"),
    ("platform", "idx_mentions_platform_status_priority_score_created_at", "m.platform = ?"),
    ("sentiment", "idx_mentions_sentiment_label_status_priority_score_created_at", "m.sentiment_label = ?"),
    ("since", "idx_mentions_created_at", "m.created_at >= ?"),
    ("until", "idx_mentions_created_at", "m.created_at < ?"),
)


def _probe(conn: sqlite3.Connection, f: InboxFilter) -> list[int] | None:
    """The ids that can match, when one of the filter's narrowing conditions alone has at most
    FEW_MATCHES rows: each is tried on its own index, at a cost bounded by that number."""
    for name, index, condition in _PROBES:
        value = getattr(f, name)
        if value is None:
            continue
        if name == "tag":
            sql = "SELECT mention_id FROM mention_tags WHERE tag = ?"
        else:
            sql = f"SELECT m.id FROM mentions m INDEXED BY {index} WHERE {condition}"
        found = conn.execute(f"{sql} LIMIT ?", [value, FEW_MATCHES + 1]).fetchall()
        if len(found) <= FEW_MATCHES:
            return [r[0] for r in found]
    return None


def plan(conn: sqlite3.Connection, f: InboxFilter, cutoffs: dict[str, str] | None = None) -> dict[str, Any]:
    """How to read a listing: by the few matching ids when there are at most FEW_MATCHES (found at a
    cost bounded by that number), else by walking the order index; a common search word is then
    tested row by row. PostgreSQL's planner, with statistics on every column, chooses the rest alone."""
    if dialect.postgres(conn):
        return {"kind": "postgres", "dense_search": _common_on_postgres(conn, f)}
    ids = _few_matches(conn, f)
    if ids is not None:
        return {"match_ids": ids}
    candidates = _probe(conn, f)
    if candidates is not None:
        return {"match_ids": candidates}
    words = bool(search.parse(f.search or "").fts())
    if words and _search_density(conn, f) < DENSE_SEARCH:
        return {}  # a middling word: collect its matches (IN), let the planner choose
    return {"walk": not f.overdue and f.sort in ORDERS, "dense_search": words}


# PostgreSQL: a search its planner expects to match at least this many mentions is tested row by row
# along the listing's order (the first page then reads a few hundred rows: 3 ms for a word in 40% of
# a million mentions), not gathered whole from the GIN index and sorted (3.6 s).
PG_COMMON = 20_000


def _common_on_postgres(conn, f: InboxFilter) -> bool:
    query = search.tsquery(search.parse(f.search or "").groups)
    if not query:
        return False
    found = conn.execute("EXPLAIN (FORMAT JSON) SELECT 1 FROM mentions WHERE search_document @@ "
                         "to_tsquery('commwatch', ?)", (query,)).fetchone()[0]  # fmt: skip
    return found[0]["Plan"]["Plan Rows"] >= PG_COMMON


ORDERS = {
    "priority": ORDER,
    "newest": "ORDER BY m.created_at DESC, m.id DESC",
    "oldest": "ORDER BY m.created_at ASC, m.id ASC",
}
# Each order as (columns, descending): the row values a keyset page starts after.
KEYS = {
    "priority": (("priority_score", "created_at", "id"), True),
    "newest": (("created_at", "id"), True),
    "oldest": (("created_at", "id"), False),
}


def sort_key(m: dict[str, Any], sort: str) -> tuple | None:
    """A listed mention's position in `sort` order (None for orders that cannot be paged by key)."""
    if sort not in KEYS:
        return None
    values = {"priority_score": m["priority"]["score"], "created_at": m["created_at"], "id": m["id"]}
    return tuple(values[c] for c in KEYS[sort][0])


def keyed(f: InboxFilter) -> bool:
    """Whether the filter's listing can be paged by key (not the `due` order, not --overdue)."""
    return f.sort in KEYS and not f.overdue


def _keyset(f: InboxFilter) -> tuple[str, str] | None:
    """(condition, order) that read the page after (or, backwards, before) f.after, or backwards from
    the very end when f.after is None; None to use OFFSET."""
    if not keyed(f) or (f.after is None and not f.backwards):
        return None
    columns, descending = KEYS[f.sort]
    forwards_is_smaller = descending != f.backwards
    op = "<" if forwards_is_smaller else ">"
    direction = "DESC" if forwards_is_smaller else "ASC"
    names = ", ".join(f"m.{c}" for c in columns)
    condition = f"({names}) {op} ({', '.join('?' * len(columns))})" if f.after is not None else ""
    return condition, "ORDER BY " + ", ".join(f"m.{c} {direction}" for c in columns)


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
    sql, params = build_query(f, cutoffs=cutoffs, **plan(conn, f, cutoffs))
    keyset = _keyset(f)
    if keyset is not None:
        condition, order = keyset
        if condition:
            sql += (" AND " if " WHERE " in sql else " WHERE ") + condition
            params += list(f.after)
        sql += f" {order}"
        if f.limit is not None:
            sql += " LIMIT ? OFFSET ?"  # an offset only from the very end (the last rows of a known total)
            params += [f.limit, f.offset if not condition else 0]
    else:
        sql += f" {_order(f, cutoffs)}"
        if f.limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [f.limit, f.offset]
    rows = conn.execute(sql, params).fetchall()
    if keyset is not None and f.backwards:
        rows.reverse()  # read backwards from the key; shown in the listing's order
    return rows_to_dicts(conn, rows)


def count_mentions(conn: sqlite3.Connection, f: InboxFilter, cutoffs: dict[str, str] | None = None,
                   cap: int | None = None) -> int:  # fmt: skip
    """How many mentions the filter matches; with `cap`, at most cap + 1 (the counting stops there,
    so its cost does not grow with the inbox: "10,000+")."""
    how = plan(conn, f, cutoffs)
    if not cap and dialect.postgres(conn):
        how["dense_search"] = False  # every match counted: from the GIN index, never row by row
    if cap:
        sql, params = build_query(f, columns="1", cutoffs=cutoffs, **how)
        if how.get("walk"):
            sql += f" {_order(f, cutoffs)}"  # walk the order index, where matches come early
        return conn.execute(f"SELECT count(*) FROM ({sql} LIMIT ?) AS capped", [*params, cap + 1]).fetchone()[0]
    sql, params = build_query(f, columns="count(*)", cutoffs=cutoffs, **how)
    return conn.execute(sql, params).fetchone()[0]


def matching_ids(conn: sqlite3.Connection, f: InboxFilter, cutoffs: dict[str, str] | None = None) -> list[int]:
    """Every id the filter matches, in inbox order (limit and offset ignored)."""
    sql, params = build_query(f, columns="m.id", cutoffs=cutoffs, **plan(conn, f, cutoffs))
    return [r[0] for r in conn.execute(f"{sql} {_order(f, cutoffs)}", params).fetchall()]


def has_source(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM mentions WHERE source = ? LIMIT 1", (name,)).fetchone() is not None


def is_empty(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("SELECT NOT EXISTS (SELECT 1 FROM mentions)").fetchone()[0])
