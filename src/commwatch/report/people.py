"""Top tags, and the authors who keep coming back happy (advocates) or unhappy (detractors)."""

from __future__ import annotations

import sqlite3
from typing import Any

from commwatch.report.scope import Scope
from commwatch.store import dialect

TOP = 10
REPEAT = 2  # mentions of one sentiment that make an advocate or a detractor
ANONYMOUS = ("", "[deleted]", "[removed]")


def top_tags(conn: sqlite3.Connection, scope: Scope, mentions: int, limit: int = TOP) -> dict[str, Any]:
    """The most used tags on the period's `mentions`, read from whichever side is smaller."""
    where, params = scope.where()
    tag_rows = conn.execute("SELECT count(*) FROM mention_tags").fetchone()[0]
    cross = dialect.in_order(conn)
    join = f"mention_tags t {cross} mentions m" if tag_rows < mentions else f"mentions m {cross} mention_tags t"
    rows = conn.execute(
        f"WITH tagged AS MATERIALIZED (SELECT t.mention_id, t.tag FROM {join} ON m.id = t.mention_id{where}) "
        "SELECT (SELECT count(DISTINCT mention_id) FROM tagged), tag, count(*) AS n FROM tagged "
        "GROUP BY tag ORDER BY n DESC, tag LIMIT ?",
        [*params, limit],
    ).fetchall()
    tagged = rows[0][0] if rows else 0
    rows = [(tag, n) for _, tag, n in rows]
    return {"tagged_mentions": tagged, "top": [{"tag": tag, "mentions": n} for tag, n in rows]}


def repeat_authors(conn: sqlite3.Connection, scope: Scope, own: tuple[str, ...] = (), limit: int = TOP) -> dict[str, Any]:
    """Advocates and detractors: authors with at least REPEAT positive (negative) mentions in the period.

    Most mentions first, then most reach. Name and reach (followers) are those of the
    author's latest such mention. `own`: the brand's handles (any case, any platform),
    left out like deleted authors. One pass over the period for both lists.
    """
    skip = [*ANONYMOUS, *(h.lower().lstrip("@") for h in own)]
    where, params = scope.where_and(
        # "+": not an index term, so the period is read along created_at rather than row by row via the label index
        f"{scope.plus}m.sentiment_label IN ('positive', 'negative') AND lower(m.author_handle) NOT IN ({', '.join('?' * len(skip))})"
    )
    rows = conn.execute(
        "WITH authors AS (SELECT m.sentiment_label AS label, m.platform, m.author_handle AS handle, count(*) AS n, "
        f"max(m.created_at) AS last_at, {dialect.latest(conn, 'm.author_name', 'm.created_at')} AS name, "
        f"{dialect.latest(conn, 'm.author_followers', 'm.created_at')} AS reach "
        f"FROM mentions m{where} GROUP BY m.sentiment_label, m.platform, m.author_handle HAVING count(*) >= ?), "
        "ranked AS (SELECT *, row_number() OVER (PARTITION BY label ORDER BY n DESC, coalesce(reach, -1) DESC, "
        "handle, platform) AS rank, count(*) OVER (PARTITION BY label) AS authors FROM authors) "
        "SELECT * FROM ranked WHERE rank <= ? ORDER BY label, rank",
        [*params, *skip, REPEAT, limit],
    ).fetchall()
    found = {"positive": {"authors": 0, "top": []}, "negative": {"authors": 0, "top": []}}
    for r in rows:
        group = found[r["label"]]
        group["authors"] = r["authors"]
        group["top"].append({"platform": r["platform"], "handle": r["handle"], "name": r["name"],
                             "reach": r["reach"], "mentions": r["n"], "last_at": r["last_at"]})  # fmt: skip
    return {"advocates": found["positive"], "detractors": found["negative"]}
