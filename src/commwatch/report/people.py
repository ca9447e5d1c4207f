"""Top tags, and the authors who keep coming back happy (advocates) or unhappy (detractors)."""

from __future__ import annotations

import sqlite3
from typing import Any

from commwatch.report.scope import Scope

TOP = 10
REPEAT = 2  # mentions of one sentiment that make an advocate or a detractor
ANONYMOUS = ("", "[deleted]", "[removed]")


def top_tags(conn: sqlite3.Connection, scope: Scope, limit: int = TOP) -> dict[str, Any]:
    cte, params = scope.cte("m.id")
    tagged = conn.execute(
        f"{cte} SELECT count(DISTINCT t.mention_id) FROM mention_tags t JOIN scope s ON s.id = t.mention_id", params
    ).fetchone()[0]
    rows = conn.execute(
        f"{cte} SELECT t.tag, count(*) AS n FROM mention_tags t JOIN scope s ON s.id = t.mention_id "
        "GROUP BY t.tag ORDER BY n DESC, t.tag LIMIT ?",
        [*params, limit],
    ).fetchall()
    return {"tagged_mentions": tagged, "top": [{"tag": tag, "mentions": n} for tag, n in rows]}


def repeat_authors(conn: sqlite3.Connection, scope: Scope, label: str, limit: int = TOP) -> dict[str, Any]:
    """Authors with at least REPEAT mentions labelled `label` in the period: most mentions first, then reach.

    Name and reach (followers) are those of the author's latest such mention.
    """
    cte, params = scope.cte("m.platform, m.author_handle, m.author_name, m.author_followers, m.sentiment_label, m.created_at")
    rows = conn.execute(
        f"{cte} SELECT platform, author_handle, count(*) AS n, max(created_at) AS last_at, author_name, "
        "author_followers, count(*) OVER () AS authors FROM scope "
        f"WHERE sentiment_label = ? AND author_handle NOT IN ({', '.join('?' * len(ANONYMOUS))}) "
        "GROUP BY platform, author_handle HAVING count(*) >= ? "
        "ORDER BY n DESC, coalesce(author_followers, -1) DESC, author_handle, platform LIMIT ?",
        [*params, label, *ANONYMOUS, REPEAT, limit],
    ).fetchall()
    return {
        "authors": rows[0]["authors"] if rows else 0,
        "top": [
            {"platform": r["platform"], "handle": r["author_handle"], "name": r["author_name"],
             "reach": r["author_followers"], "mentions": r["n"], "last_at": r["last_at"]}
            for r in rows
        ],  # fmt: skip
    }
