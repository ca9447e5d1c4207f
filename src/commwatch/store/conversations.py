"""Conversations in the store: which mentions are ours, which of ours answers which mention, and notes.

One of ours answers a stored mention when it replies to it or somewhere below it
(the mention is its parent, or its parent's parent, up the reply chain), or when
the mention is the root of the ours's thread (an X conversation's first post, a
Reddit submission, a YouTube top-level comment). Siblings are not answered by a
reply to someone else: in a Reddit megathread, one answer is not an answer to all.
These queries find those pairs; the application layer records what they mean.
"""

from __future__ import annotations

import sqlite3
from typing import Any

MAX_DEPTH = 50  # reply chains deeper than this are not followed (and a cycle in bad data ends)
_REPLY = "id, platform, remote_id, author_handle, url, created_at"


def rows(conn: sqlite3.Connection, ids: list[int]) -> list[sqlite3.Row]:
    """What linking needs of these mentions."""
    found = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found += conn.execute(
            f"SELECT id, platform, remote_id, parent_id, thread_id, created_at, ours, first_response_at, replied, "
            f"author_handle, url FROM mentions WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
    return found


def answered_by(conn: sqlite3.Connection, reply: sqlite3.Row) -> list[sqlite3.Row]:
    """The others' mentions one of ours answers: up its reply chain, and the root of its thread."""
    return conn.execute(
        "WITH RECURSIVE up(remote_id, depth) AS ("
        " SELECT :parent, 0 WHERE :parent IS NOT NULL"
        " UNION ALL SELECT m.parent_id, up.depth + 1 FROM mentions m JOIN up"
        "  ON m.platform = :platform AND m.remote_id = up.remote_id"
        "  WHERE m.parent_id IS NOT NULL AND up.depth < :depth)"
        " SELECT id, replied, first_response_at FROM mentions WHERE platform = :platform AND ours = 0"
        " AND remote_id IN (SELECT remote_id FROM up UNION SELECT :thread WHERE :thread IS NOT NULL)",
        {"platform": reply["platform"], "parent": reply["parent_id"], "thread": reply["thread_id"],
         "depth": MAX_DEPTH},  # fmt: skip
    ).fetchall()


def has_ours(conn: sqlite3.Connection, platform: str) -> bool:
    return conn.execute("SELECT 1 FROM mentions WHERE platform = ? AND ours = 1 LIMIT 1", (platform,)).fetchone() is not None


def first_answer(conn: sqlite3.Connection, mention: sqlite3.Row) -> sqlite3.Row | None:
    """The earliest of ours that answers this (others') mention: below it in the reply chain, or
    anywhere in the thread it is the root of."""
    params = {"platform": mention["platform"], "remote_id": mention["remote_id"], "depth": MAX_DEPTH}
    return conn.execute(
        "WITH RECURSIVE below(remote_id, depth) AS ("
        " SELECT :remote_id, 0"
        " UNION ALL SELECT m.remote_id, below.depth + 1 FROM mentions m JOIN below"
        "  ON m.platform = :platform AND m.parent_id = below.remote_id WHERE below.depth < :depth)"
        # Two indexed lookups (an OR across the columns would read every mention of the platform).
        f" SELECT {_REPLY} FROM mentions WHERE platform = :platform AND parent_id IN (SELECT remote_id FROM below)"
        " AND ours = 1"
        f" UNION SELECT {_REPLY} FROM mentions WHERE thread_id = :remote_id AND ours = 1 AND platform = :platform"
        " ORDER BY created_at LIMIT 1",
        params,
    ).fetchone()


def set_answered(conn: sqlite3.Connection, mention_id: int, at: str) -> bool:
    """Replied, with `at` as the first response unless an earlier one is known; True when it was
    not replied before (so the caller records it once)."""
    newly = conn.execute(
        "UPDATE mentions SET replied = 1, first_response_at = ? WHERE id = ? AND replied = 0", (at, mention_id)
    ).rowcount
    if not newly:
        conn.execute(
            "UPDATE mentions SET first_response_at = ? WHERE id = ? AND (first_response_at IS NULL "
            "OR first_response_at > ?)",
            (at, mention_id, at),
        )
    return bool(newly)


def mark_ours(conn: sqlite3.Connection, everywhere: list[str], on: list[tuple[str, str]]) -> list[int]:
    """Recompute `ours` for every mention (the brand's accounts changed); returns the ids now ours."""
    handle = "lower(ltrim(author_handle, '@'))"
    account = "lower(coalesce(author_id, ''))"
    tests = []
    params: list[Any] = []
    if everywhere:
        marks = ", ".join("?" * len(everywhere))
        tests.append(f"{handle} IN ({marks}) OR {account} IN ({marks})")
        params += [*everywhere, *everywhere]
    for platform, name in on:
        tests.append(f"(platform = ? AND ({handle} = ? OR {account} = ?))")
        params += [platform, name, name]
    condition = " OR ".join(tests) or "1 = 0"
    conn.execute(f"UPDATE mentions SET ours = CASE WHEN {condition} THEN 1 ELSE 0 END "
                 f"WHERE ours != CASE WHEN {condition} THEN 1 ELSE 0 END", params + params)  # fmt: skip
    return [r[0] for r in conn.execute("SELECT id FROM mentions WHERE ours = 1")]


def meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                 (key, value))  # fmt: skip


def is_ours(conn: sqlite3.Connection, platform: str, remote_id: str) -> bool:
    row = conn.execute("SELECT ours FROM mentions WHERE platform = ? AND remote_id = ?", (platform, remote_id)).fetchone()
    return bool(row and row[0])


# Notes ----------------------------------------------------------------------------


def add_note(conn: sqlite3.Connection, mention_id: int, at: str, actor: str, text: str) -> int:
    return conn.execute("INSERT INTO notes (mention_id, at, actor, text) VALUES (?, ?, ?, ?) RETURNING id",
                        (mention_id, at, actor, text)).fetchone()[0]  # fmt: skip
