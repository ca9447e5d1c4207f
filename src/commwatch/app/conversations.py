"""Conversations: our own posts, what they answered and when, response-time targets, and notes.

- A mention written by one of the brand's accounts (app/ours.py) is stored as ours.
- When one of ours answers a stored mention (it replies to it, or it is the first
  of ours in the mention's thread after it), the mention is replied, with the
  earliest such answer as its first response and a `replied-on-platform` event,
  once. Whichever arrives first (the answer or the mention, in one sync or in
  different ones) they are linked when the second arrives.
- `[sla]` gives every open unanswered mention a due time (`sla` in --json).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from commwatch.app.effects import SYSTEM, Effects
from commwatch.app.ours import Brand
from commwatch.model import iso
from commwatch.store import conversations as store

BRAND_KEY = "brand"  # meta key: the fingerprint of the accounts `ours` was computed with


def link(conn: sqlite3.Connection, mention_ids: list[int], at: str) -> None:
    """Link the new mentions of a page into their conversations. In the page's transaction."""
    fx = Effects(conn, SYSTEM, at)
    rows = store.rows(conn, mention_ids)
    answering = {p for p in {r["platform"] for r in rows} if store.has_ours(conn, p)}  # usually few or none
    for row in rows:
        if row["ours"]:
            for answered in store.answered_by(conn, row):
                _answer(fx, answered, row)
        elif row["platform"] in answering:
            reply = store.first_answer(conn, row)
            if reply is not None:
                _answer(fx, row, reply)


def _answer(fx: Effects, mention: sqlite3.Row, reply: sqlite3.Row) -> None:
    """`reply` (ours) answered `mention`: replied, first response the earliest known, one event."""
    if store.set_answered(fx.conn, mention["id"], reply["created_at"]):
        fx.record(mention["id"], "replied-on-platform",
                  {"reply_id": reply["remote_id"], "author": reply["author_handle"], "url": reply["url"],
                   "at": reply["created_at"]})  # fmt: skip


def sync_brand(conn: sqlite3.Connection, brand: Brand, at: str) -> None:
    """When the brand's accounts changed since `ours` was computed, compute it again and relink."""
    fingerprint = brand.fingerprint()
    if store.meta(conn, BRAND_KEY) == fingerprint:
        return
    from commwatch.store.db import transaction

    with transaction(conn):
        ours = store.mark_ours(conn, sorted(brand.everywhere), sorted(brand.on))
        link(conn, ours, at)
        store.set_meta(conn, BRAND_KEY, fingerprint)


def decorate(m: dict[str, Any], sla: Any, now: datetime) -> dict[str, Any]:
    """Add `sla` {due_at, breached} to an open, unanswered mention of someone else's; None otherwise."""
    m["sla"] = None
    if sla is None or m.get("ours") or m["replied"] or m["status"] not in ("open", "escalated"):
        return m
    created = datetime.fromisoformat(m["created_at"].replace("Z", "+00:00"))
    due = sla.due_at(created, m["priority"]["level"])
    if due is not None:
        m["sla"] = {"due_at": iso(due), "breached": due <= now}
    return m


def cutoffs(sla: Any, now: datetime) -> dict[str, str]:
    """Per priority level, the creation time before which an unanswered mention is overdue."""
    found = {}
    for level in ("urgent", "high", "medium", "low"):
        cutoff = sla.cutoff(now, level) if sla is not None else None
        if cutoff is not None:
            found[level] = iso(cutoff)
    return found
