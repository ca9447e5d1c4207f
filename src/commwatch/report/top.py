"""The posts that mattered: the most engaged and the widest-reaching mentions of the period, and the top
negative ones, each with its link, author, sentiment and whether it was answered.

Engagement is what the platforms count as people acting on a post (model.engagement: likes,
reposts, replies, quotes, comments, Reddit's score; not reads or views), stored beside the metrics.
Reach is the author's followers. Each list is one pass over the period along the created_at index, keeping a few rows.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from commwatch.report.scope import Scope

TOP = 5
COLUMNS = ("m.id, m.platform, m.remote_id, m.url, m.author_handle, m.author_name, m.author_followers, m.title, "
           "substr(m.text, 1, 280) AS text, m.created_at, m.sentiment_label, m.replied, m.source, m.engagement")  # fmt: skip


def top_posts(conn: sqlite3.Connection, scope: Scope, limit: int = TOP) -> dict[str, list[dict[str, Any]]]:
    return {
        "most_engaged": _top(conn, scope, "m.engagement", "m.engagement > 0", limit),
        "widest_reach": _top(conn, scope, "m.author_followers", "m.author_followers IS NOT NULL", limit),
        "top_negative": _top(conn, scope, "coalesce(m.engagement, 0) + coalesce(m.author_followers, 0) / 1000.0",
                             f"{scope.plus}m.sentiment_label = 'negative'", limit),  # fmt: skip
    }


def _top(conn: sqlite3.Connection, scope: Scope, order: str, condition: str, limit: int) -> list[dict[str, Any]]:
    where, params = scope.where_and(condition)
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM mentions m{where} ORDER BY {order} DESC, m.created_at DESC LIMIT ?", [*params, limit]
    ).fetchall()
    return [
        {"id": r["id"], "platform": r["platform"], "url": r["url"], "author": r["author_handle"],
         "name": r["author_name"], "followers": r["author_followers"], "title": r["title"], "text": r["text"],
         "created_at": r["created_at"], "sentiment": r["sentiment_label"], "answered": bool(r["replied"]),
         "engagement": int(r["engagement"] or 0), "source": r["source"]}  # fmt: skip
        for r in rows
    ]
