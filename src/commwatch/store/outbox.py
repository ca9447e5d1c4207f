"""The outbox table: queue, claim, and settle outgoing effects. Called inside transactions."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from typing import Any

from commwatch.store import dialect
from commwatch.store.locks import SENDER_LOCK

STALE_CLAIM_S = 120  # a 'sending' row older than this was abandoned by a killed process


def add(conn: sqlite3.Connection, kind: str, mention_id: int | None, source: str, payload: dict, actor: str, now: str) -> int:
    cur = conn.execute(
        "INSERT INTO outbox (kind, mention_id, source, payload, status, attempts, next_attempt_at, actor, created_at) "
        "VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?) RETURNING id",
        (kind, mention_id, source, json.dumps(payload, ensure_ascii=False), now, actor, now),
    )
    return cur.fetchone()[0]


def claimer() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def abandoned(claimed_by: str | None) -> bool:
    """True when the claim was made by a process on this host that no longer runs."""
    host, _, pid = (claimed_by or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim(conn: sqlite3.Connection, outbox_id: int, now: str, stale_before: str) -> sqlite3.Row | None:
    """Mark the row as being sent by us; None if it is sent, failed for good, or another live process holds it."""
    if dialect.postgres(conn):
        return _claim_postgres(conn, outbox_id, now)
    row = conn.execute("SELECT status, claimed_by FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
    if row is not None and row["status"] == "sending" and abandoned(row["claimed_by"]):
        stale_before = "9999"  # its sender died: take it over now
    cur = conn.execute(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_at = ?, claimed_by = ? "
        "WHERE id = ? AND (status = 'pending' OR (status = 'sending' AND claimed_at < ?))",
        (now, claimer(), outbox_id, stale_before),
    )
    if cur.rowcount != 1:
        return None
    return conn.execute("SELECT * FROM outbox WHERE id = ?", (outbox_id,)).fetchone()


# PostgreSQL, several machines: whoever sends a row holds its sender lock, a session-level advisory
# lock (SENDER_LOCK, row id) that the server frees when that process's connection ends, on any
# machine. A row left 'sending' whose lock is free was abandoned and is taken over at once; no
# host name or pid needs to be known, and no stale timeout waited for.


def _claim_postgres(conn, outbox_id: int, now: str):
    if not conn.execute("SELECT pg_try_advisory_lock(?, ?)", (SENDER_LOCK, outbox_id)).fetchone()[0]:
        return None  # a live sender has it
    # SKIP LOCKED: a row another transaction is settling right now is left to it, not waited for.
    row = conn.execute("SELECT status FROM outbox WHERE id = ? FOR UPDATE SKIP LOCKED", (outbox_id,)).fetchone()
    if row is None or row["status"] not in ("pending", "sending"):
        release(conn, outbox_id)
        return None
    return conn.execute(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_at = ?, claimed_by = ? WHERE id = ? "
        "RETURNING *",
        (now, claimer(), outbox_id),
    ).fetchone()


def release(conn, outbox_id: int) -> None:
    """Free the row's sender lock (PostgreSQL; nothing to do on SQLite)."""
    if dialect.postgres(conn):
        conn.execute("SELECT pg_advisory_unlock(?, ?)", (SENDER_LOCK, outbox_id))


def _unsent(conn) -> str:
    """SQL: a 'sending' row that nobody is sending any more (PostgreSQL: its sender lock is free)."""
    return ("NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.classid = ? "
            "AND l.objid = outbox.id AND l.objsubid = 2)")  # fmt: skip


def settle(conn: sqlite3.Connection, outbox_id: int, status: str, now: str, *, result: dict | None = None,
           error: str | None = None, retry_at: str | None = None) -> None:  # fmt: skip
    conn.execute(
        "UPDATE outbox SET status = ?, last_error = ?, result = coalesce(?, result), next_attempt_at = ?, "
        "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
        (status, error, json.dumps(result) if result else None, retry_at, status, now, outbox_id),
    )
    release(conn, outbox_id)


def wait(conn: sqlite3.Connection, outbox_id: int, reason: str, now: str) -> None:
    """Back to pending, due now, the claim's attempt not counted: nothing was sent (a variable is unset)."""
    conn.execute(
        "UPDATE outbox SET status = 'pending', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, last_error = ?, next_attempt_at = ?, "
        "claimed_by = NULL WHERE id = ?",
        (reason, now, outbox_id),
    )
    release(conn, outbox_id)


def due(conn: sqlite3.Connection, now: str, stale_before: str) -> list[int]:
    if dialect.postgres(conn):
        rows = conn.execute(
            "SELECT id FROM outbox WHERE (status = 'pending' AND next_attempt_at <= ?) "
            f"OR (status = 'sending' AND {_unsent(conn)}) ORDER BY id",
            (now, SENDER_LOCK),
        )
        return [r["id"] for r in rows]
    rows = conn.execute(
        "SELECT id, status, claimed_at, claimed_by FROM outbox WHERE (status = 'pending' AND next_attempt_at <= ?) "
        "OR status = 'sending' ORDER BY id",
        (now,),
    )
    return [r["id"] for r in rows if r["status"] == "pending" or r["claimed_at"] < stale_before
            or abandoned(r["claimed_by"])]  # fmt: skip


def listing(conn: sqlite3.Connection, include_sent: bool = False) -> list[dict[str, Any]]:
    """The rows still to do (pending, sending, failed); with include_sent, sent and cancelled ones too."""
    where = "" if include_sent else "WHERE o.status NOT IN ('sent', 'cancelled')"
    rows = conn.execute(
        "SELECT o.*, m.platform, m.remote_id FROM outbox o LEFT JOIN mentions m ON m.id = o.mention_id "
        f"{where} ORDER BY o.id"
    )
    return [
        {
            "id": r["id"], "kind": r["kind"], "mention_id": r["mention_id"], "mention": f"{r['platform']}:{r['remote_id']}" if r["platform"] else None,
            "source": r["source"], "payload": json.loads(r["payload"]), "status": r["status"], "attempts": r["attempts"],
            "next_attempt_at": r["next_attempt_at"], "last_error": r["last_error"],
            "result": json.loads(r["result"]) if r["result"] else None, "created_at": r["created_at"], "sent_at": r["sent_at"],
        }
        for r in rows
    ]  # fmt: skip


def retry_failed(conn: sqlite3.Connection, now: str, ids: list[int] | None = None) -> int:
    """Failed rows (all, or these) back to pending (after the cause was fixed), due now."""
    chosen = "" if ids is None else f" AND id IN ({', '.join('?' * len(ids))})"
    return conn.execute(
        f"UPDATE outbox SET status = 'pending', next_attempt_at = ? WHERE status = 'failed'{chosen}", [now, *(ids or [])]
    ).rowcount


def due_now(conn: sqlite3.Connection, now: str) -> int:
    """Every pending row due now, whatever its backoff said (a person asked: the cause is fixed)."""
    return conn.execute("UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending' AND next_attempt_at > ?",
                        (now, now)).rowcount  # fmt: skip


def failed(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM outbox WHERE status = 'failed' ORDER BY id").fetchall()


def cancel(conn: sqlite3.Connection, outbox_id: int, now: str) -> str | None:
    """Cancel a pending or failed row; None when done, else why not ("sent", "being sent", "missing")."""
    row = conn.execute("SELECT status FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
    if row is None:
        return "no such row"
    if row["status"] not in ("pending", "failed"):
        return {"sent": "it was sent already", "sending": "it is being sent right now",
                "cancelled": "it was cancelled already"}.get(row["status"], row["status"])  # fmt: skip
    conn.execute("UPDATE outbox SET status = 'cancelled', next_attempt_at = NULL, sent_at = NULL, last_error = ? "
                 "WHERE id = ?", (f"cancelled {now}", outbox_id))  # fmt: skip
    return None


def replies_sent(conn: sqlite3.Connection, mention_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT payload, result, sent_at, actor FROM outbox WHERE mention_id = ? AND kind = 'reply' AND status = 'sent' "
        "ORDER BY id",
        (mention_id,),
    )
    return [{"text": json.loads(r["payload"])["text"], **json.loads(r["result"] or "{}"), "sent_at": r["sent_at"],
             "actor": r["actor"]} for r in rows]  # fmt: skip


def row(conn: sqlite3.Connection, outbox_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
