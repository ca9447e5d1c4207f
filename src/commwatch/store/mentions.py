"""Saving mentions (with their cursor) and reading them back as plain dicts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from commwatch.model import LEVEL_BANDS, Mention, engagement, iso
from commwatch.store import dialect
from commwatch.store.db import transaction

# Columns a re-sync may overwrite. Status, tags, assignee, snooze, replied and a
# priority override belong to the manager (or a rule) and are never in this list.
_PLATFORM_COLUMNS = [
    "kind", "url", "title", "text", "lang", "author_handle", "author_name", "author_followers",
    "author_verified", "author_id", "author_url", "edited_at", "parent_id", "thread_id",
    "metrics", "engagement", "extra", "priority_reasons", "ours",
]  # fmt: skip
# The model's sentiment: refreshed with the text, unless a person set the label (sentiment_by).
_SENTIMENT_COLUMNS = ["sentiment_score", "sentiment_label", "sentiment_detail", "sentiment_model"]
_PRIORITY_COLUMNS = ["priority_score", "priority_level", "priority_auto_score"]
_INSERT_COLUMNS = ["platform", "remote_id", "source", "created_at", "first_seen_at", "updated_at",
                   *_PLATFORM_COLUMNS, *_SENTIMENT_COLUMNS, *_PRIORITY_COLUMNS]  # fmt: skip
# A row is rewritten only when something the platform says has changed, or when a parent
# becomes known (a forum post read from a notification first, then in its topic).
_CHANGED = ("text", "title", "metrics", "edited_at", "author_followers", "author_name", "priority_auto_score", "ours")


def _change_test(kind: str) -> str:
    return " OR ".join(dialect.differs(kind, f"mentions.{c}", f"excluded.{c}") for c in _CHANGED) + (
        " OR (mentions.parent_id IS NULL AND excluded.parent_id IS NOT NULL)")


# Columns that keep what was known when a later reading does not know it.
_KEPT_WHEN_UNKNOWN = {"parent_id"}


def _refreshed(column: str) -> str:
    """SQL: what a re-sync sets `column` to. A parent once known is kept when a later reading does
    not know it; a mention delivered to the brand's inbox stays a mention when it is seen again
    in a search or a listing."""
    if column in _KEPT_WHEN_UNKNOWN:
        return f"{column} = coalesce(excluded.{column}, mentions.{column})"
    if column == "kind":
        return "kind = CASE WHEN mentions.kind = 'mention' THEN 'mention' ELSE excluded.kind END"
    return f"{column} = excluded.{column}"


def _clamped(score: str) -> str:
    """SQL: the computed score clamped into the band of the mention's priority override, if it has one."""
    cases = " ".join(f"WHEN '{level}' THEN {clamp(score, low, high)}" for level, (low, high) in LEVEL_BANDS.items())
    return f"CASE mentions.priority_override {cases} ELSE {score} END"


def clamp(value: str, low: int, high: int) -> str:
    """SQL: value kept within [low, high] (SQLite's two-argument max and min are not PostgreSQL's)."""
    return f"CASE WHEN {value} < {low} THEN {low} WHEN {value} > {high} THEN {high} ELSE {value} END"


_VALUES = f"VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})"


@lru_cache(maxsize=4)
def _upsert_sql(kind: str) -> str:
    return (
        f"INSERT INTO mentions ({', '.join(_INSERT_COLUMNS)}) {_VALUES} "
        f"ON CONFLICT(platform, remote_id) DO UPDATE SET "
        + ", ".join(_refreshed(c) for c in [*_PLATFORM_COLUMNS, "priority_auto_score", "updated_at"])
        + ", " + ", ".join(f"{c} = CASE WHEN mentions.sentiment_by IS NULL THEN excluded.{c} ELSE mentions.{c} END"
                           for c in _SENTIMENT_COLUMNS)
        + f", priority_score = {_clamped('excluded.priority_score')}"
        + ", priority_level = coalesce(mentions.priority_override, excluded.priority_level)"
        + f" WHERE {_change_test(kind)}"
    )


def upsert_sql(conn) -> str:
    """INSERT … ON CONFLICT DO UPDATE of one mention, in the connection's dialect."""
    return _upsert_sql(dialect.of(conn))


UPSERT_SQL = _upsert_sql("sqlite")
STAGE_FROM = 20  # fewer rows than this are upserted directly (a sync page with little new)
_STAGE_TABLE = f"CREATE TEMP TABLE IF NOT EXISTS stage ({', '.join(_INSERT_COLUMNS)})"
_STAGE_SQL = f"INSERT INTO temp.stage {_VALUES}"
MERGE_SQL = UPSERT_SQL.replace(_VALUES, f"SELECT {', '.join(_INSERT_COLUMNS)} FROM temp.stage WHERE true ORDER BY rowid")

# What a bad value raises while SQLite binds or checks it (the environment's faults, such as a
# full disk or a read-only file, are sqlite3.OperationalError and are not in this list).
DATA_ERRORS = (OverflowError, ValueError, TypeError, sqlite3.InterfaceError, sqlite3.IntegrityError,
               sqlite3.ProgrammingError, sqlite3.DataError)  # fmt: skip


@dataclass
class SaveResult:
    new_keys: list[tuple[str, str]]  # (platform, remote_id) of the mentions this save created
    new_ids: list[int]
    updated: int
    failed: list[tuple[Mention, str]] = field(default_factory=list)  # (mention, why it could not be stored)

    @property
    def new(self) -> int:
        return len(self.new_ids)


def sentiment_detail(s) -> str | None:
    """The model's probabilities, confidence and reasons, as stored (JSON)."""
    if s is None or s.probabilities is None:
        return None
    return json.dumps({"probabilities": s.probabilities, "confidence": s.confidence, "reasons": s.reasons},
                      ensure_ascii=False, sort_keys=True)  # fmt: skip


def row_values(m: Mention, source: str, now: str) -> tuple[Any, ...]:
    a = m.author
    s, p = m.sentiment, m.priority
    values = {
        "platform": m.platform,
        "remote_id": m.remote_id,
        "source": source,
        "created_at": iso(m.created_at),
        "first_seen_at": now,
        "updated_at": now,
        "kind": m.kind.value,
        "url": m.url,
        "title": m.title,
        "text": m.text,
        "lang": m.lang,
        "author_handle": a.handle,
        "author_name": a.name,
        "author_followers": a.followers,
        "author_verified": int(a.verified),
        "author_id": a.remote_id,
        "author_url": a.url,
        "edited_at": iso(m.edited_at),
        "parent_id": m.parent_id,
        "thread_id": m.thread_id,
        "metrics": json.dumps(m.metrics, sort_keys=True) if m.metrics else None,
        "engagement": engagement(m.metrics),
        "extra": json.dumps(m.extra, sort_keys=True, ensure_ascii=False) if m.extra else None,
        "sentiment_score": s.score if s else None,
        "sentiment_label": s.label if s else None,
        "sentiment_detail": sentiment_detail(s),
        "sentiment_model": s.model if s else None,
        "priority_score": p.score if p else None,
        "priority_level": p.level.value if p else None,
        "priority_reasons": json.dumps(p.reasons, ensure_ascii=False) if p else None,
        "priority_auto_score": p.score if p else None,
        "ours": int(m.ours),
    }
    return tuple(values[c] for c in _INSERT_COLUMNS)


def known_uris(conn: sqlite3.Connection, platform: str, uris: list[str]) -> dict[str, str]:
    """{uri: remote_id} of the stored mentions of `platform` with these global identities (extra.uri)."""
    found: dict[str, str] = {}
    for start in range(0, len(uris), 500):
        chunk = uris[start : start + 500]
        rows = conn.execute(
            "SELECT json_extract(extra, '$.uri') AS uri, remote_id FROM mentions WHERE platform = ? AND "
            f"json_extract(extra, '$.uri') IN ({', '.join('?' * len(chunk))})",
            [platform, *chunk],
        )
        found.update({row[0]: row[1] for row in rows})
    return found


def save_page(
    conn: sqlite3.Connection,
    source: str,
    mentions: list[Mention],
    now: str,
    cursor: tuple[str, dict[str, Any]] | None = None,
    units: tuple[str, int] | None = None,
    then: Callable[[sqlite3.Connection, SaveResult], None] | None = None,
) -> SaveResult:
    """Upsert a page of mentions and, in the same transaction, the (stream, cursor) it ends at
    and the (quota day, units) it cost."""
    with transaction(conn):
        result = upsert_mentions(conn, source, mentions, now)
        if units is not None and units[1]:
            add_units(conn, source, *units)
        if then is not None:  # e.g. rules on the new mentions, committed with them
            then(conn, result)
        if cursor is not None:
            save_cursor(conn, source, *cursor, now)
    return result


def upsert_mentions(conn: sqlite3.Connection, source: str, mentions: list[Mention], now: str) -> SaveResult:
    """Insert new mentions and refresh known ones; call inside a transaction.

    A mention SQLite refuses (a value it cannot bind) is set aside in `failed`, never
    taking its neighbours with it: the page is retried one mention at a time.
    """
    by_key = {m.key: m for m in mentions}  # a page repeating an item counts once
    existing = _ids_by_key(conn, list(by_key))
    failed: list[tuple[Mention, str]] = []
    conn.execute("SAVEPOINT page")
    try:
        changed = _merge(conn, [row_values(m, source, now) for m in by_key.values()])
    except DATA_ERRORS:
        conn.execute("ROLLBACK TO page")
        changed = 0
        for key, m in list(by_key.items()):
            conn.execute("SAVEPOINT one")
            try:
                changed += conn.execute(upsert_sql(conn), row_values(m, source, now)).rowcount
            except DATA_ERRORS as exc:
                conn.execute("ROLLBACK TO one")
                failed.append((m, f"the store refused it ({type(exc).__name__}: {exc})"))
                del by_key[key]
            conn.execute("RELEASE one")
    conn.execute("RELEASE page")
    fresh = [k for k in by_key if k not in existing]
    created = _ids_by_key(conn, fresh)
    return SaveResult(new_keys=fresh, new_ids=[created[k] for k in fresh], updated=changed - len(fresh), failed=failed)


def _merge(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> int:
    """Upsert the rows in one statement: staged in a TEMP table, then INSERT … SELECT … ON CONFLICT.

    One statement, not one per row, because each statement makes FTS5 flush what it indexed as a
    segment of its own: per row, indexing cost 99 µs a mention; per batch, 2 µs. The triggers,
    the rows and the conflict rules are the same as UPSERT_SQL's. Returns inserts plus real updates.
    """
    if dialect.postgres(conn):
        return _merge_postgres(conn, rows)
    if len(rows) < STAGE_FROM:
        return conn.executemany(UPSERT_SQL, rows).rowcount
    conn.execute(_STAGE_TABLE)
    conn.execute("DELETE FROM temp.stage")
    conn.executemany(_STAGE_SQL, rows)
    changed = conn.execute(MERGE_SQL).rowcount  # sqlite3_changes(): inserted and updated rows, not trigger writes
    conn.execute("DELETE FROM temp.stage")
    return changed


_PG_STAGE_TABLE = f"CREATE TEMP TABLE IF NOT EXISTS stage AS SELECT {', '.join(_INSERT_COLUMNS)} FROM mentions WITH NO DATA"
_PG_MERGE_SQL = _upsert_sql("postgres").replace(
    _VALUES, f"SELECT {', '.join(_INSERT_COLUMNS)} FROM stage WHERE true ORDER BY ctid")


def _merge_postgres(conn, rows: list[tuple[Any, ...]]) -> int:
    """PostgreSQL: the batch is streamed into a TEMP table with COPY and merged with one INSERT … SELECT
    … ON CONFLICT, like SQLite's staging: one statement instead of one per row (its round trip, its
    triggers' notification) and the rows in page order (ctid: the temp table was just emptied)."""
    if len(rows) < STAGE_FROM:
        return conn.executemany(upsert_sql(conn), rows).rowcount
    conn.execute(_PG_STAGE_TABLE)
    conn.execute("TRUNCATE stage")
    conn.copy_rows(f"COPY stage ({', '.join(_INSERT_COLUMNS)}) FROM STDIN", rows)
    return conn.execute(_PG_MERGE_SQL).rowcount


def _ids_by_key(conn: sqlite3.Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    by_platform: dict[str, list[str]] = {}
    for platform, remote_id in keys:
        by_platform.setdefault(platform, []).append(remote_id)
    for platform, ids in by_platform.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = conn.execute(
                f"SELECT id, remote_id FROM mentions WHERE platform = ? AND remote_id IN ({', '.join('?' * len(chunk))})",
                [platform, *chunk],
            )
            for row in rows:
                found[(platform, row["remote_id"])] = row["id"]
    return found


def save_cursor(conn: sqlite3.Connection, source: str, stream: str, state: dict[str, Any], now: str) -> None:
    conn.execute(
        "INSERT INTO cursors (source, stream, cursor, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(source, stream) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
        (source, stream, json.dumps(state, sort_keys=True), now),
    )


def add_units(conn: sqlite3.Connection, source: str, day: str, units: int) -> None:
    conn.execute(
        "INSERT INTO quota_usage (source, day, units) VALUES (?, ?, ?) "
        "ON CONFLICT(source, day) DO UPDATE SET units = quota_usage.units + excluded.units",
        (source, day, units),
    )


def units_used(conn: sqlite3.Connection, source: str, day: str) -> int:
    row = conn.execute("SELECT units FROM quota_usage WHERE source = ? AND day = ?", (source, day)).fetchone()
    return row["units"] if row else 0


def load_cursors(conn: sqlite3.Connection, source: str) -> dict[str, dict[str, Any]]:
    rows = conn.execute("SELECT stream, cursor FROM cursors WHERE source = ?", (source,))
    return {row["stream"]: json.loads(row["cursor"]) for row in rows}


# Reading ----------------------------------------------------------------------


def resolve_id(conn: sqlite3.Connection, ref: str) -> int | None:
    """A local id ("42") or PLATFORM:REMOTE_ID ("x:1850…") → the local id, or None."""
    ref = ref.strip()
    if ref.isdigit():
        row = conn.execute("SELECT id FROM mentions WHERE id = ?", (int(ref),)).fetchone()
    elif ":" in ref:
        platform, remote_id = ref.split(":", 1)
        row = conn.execute(
            "SELECT id FROM mentions WHERE platform = ? AND remote_id = ?", (platform.lower(), remote_id)
        ).fetchone()
    else:
        return None
    return row["id"] if row else None


def tags_for(conn: sqlite3.Connection, ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(
            f"SELECT mention_id, tag FROM mention_tags WHERE mention_id IN ({', '.join('?' * len(chunk))}) "
            "ORDER BY tag",
            chunk,
        )
        for row in rows:
            tags[row["mention_id"]].append(row["tag"])
    return tags


def to_dict(row: sqlite3.Row, tags: list[str]) -> dict[str, Any]:
    """A stored mention in the documented --json shape."""
    return {
        "id": row["id"],
        "platform": row["platform"],
        "remote_id": row["remote_id"],
        "source": row["source"],
        "kind": row["kind"],
        "url": row["url"],
        "title": row["title"],
        "author": {
            "handle": row["author_handle"],
            "name": row["author_name"],
            "followers": row["author_followers"],
            "verified": bool(row["author_verified"]),
            "url": row["author_url"],
        },
        "text": row["text"],
        "lang": row["lang"],
        "created_at": row["created_at"],
        "edited_at": row["edited_at"],
        "parent_id": row["parent_id"],
        "thread_id": row["thread_id"],
        "metrics": json.loads(row["metrics"]) if row["metrics"] else {},
        "extra": json.loads(row["extra"]) if row["extra"] else {},
        "sentiment": sentiment_of_row(row),
        "priority": {
            "score": row["priority_score"],
            "level": row["priority_level"],
            "reasons": json.loads(row["priority_reasons"]) if row["priority_reasons"] else [],
            "override": row["priority_override"],  # set by a rule or a person; kept by re-syncs
        },
        "status": row["status"],
        "snoozed_until": row["snoozed_until"],
        "tags": tags,
        "assignee": row["assignee"],
        "replied": bool(row["replied"]),
        "ours": bool(row["ours"]),
        "first_response_at": row["first_response_at"],
    }


def sentiment_of_row(row: sqlite3.Row) -> dict[str, Any]:
    detail = json.loads(row["sentiment_detail"]) if row["sentiment_detail"] else {}
    return {
        "score": row["sentiment_score"],
        "label": row["sentiment_label"],
        "probabilities": detail.get("probabilities"),
        "confidence": 1.0 if row["sentiment_by"] else detail.get("confidence"),
        "reasons": [f"labelled {row['sentiment_label']} by {row['sentiment_by']}"] if row["sentiment_by"]
        else detail.get("reasons", []),
        "by": row["sentiment_by"],
    }


def get(conn: sqlite3.Connection, mention_id: int) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM mentions WHERE id = ?", (mention_id,)).fetchone()
    if row is None:
        return None
    return to_dict(row, tags_for(conn, [mention_id])[mention_id])


def rows_to_dicts(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
    tags = tags_for(conn, [r["id"] for r in rows])
    return [to_dict(r, tags[r["id"]]) for r in rows]


def thread_context(conn: sqlite3.Connection, mention: dict[str, Any], limit: int = 20) -> list[dict[str, Any]]:
    """Stored mentions in the same thread (parents first, then siblings and replies), oldest first."""
    if not mention["thread_id"] and not mention["parent_id"]:
        return []
    # One indexed lookup per relation (an OR across columns would scan the platform's rows).
    rows = conn.execute(
        "SELECT * FROM mentions WHERE id IN ("
        " SELECT id FROM mentions WHERE thread_id = :thread"
        " UNION SELECT id FROM mentions WHERE platform = :platform AND remote_id IN (:thread, :parent)"
        " UNION SELECT id FROM mentions WHERE platform = :platform AND parent_id = :remote_id"
        ") AND platform = :platform AND id != :id ORDER BY created_at LIMIT :limit",
        {"thread": mention["thread_id"], "parent": mention["parent_id"], "platform": mention["platform"],
         "remote_id": mention["remote_id"], "id": mention["id"], "limit": limit},  # fmt: skip
    ).fetchall()
    return rows_to_dicts(conn, rows)


def hand_labels(conn: sqlite3.Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[float, str, str]]:
    """(score, label, by) of the mentions among `keys` whose sentiment a person set."""
    found: dict[tuple[str, str], tuple[float, str, str]] = {}
    by_platform: dict[str, list[str]] = {}
    for platform, remote_id in keys:
        by_platform.setdefault(platform, []).append(remote_id)
    for platform, ids in by_platform.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = conn.execute(
                "SELECT remote_id, sentiment_score, sentiment_label, sentiment_by FROM mentions "
                f"WHERE sentiment_by IS NOT NULL AND platform = ? AND remote_id IN ({', '.join('?' * len(chunk))})",
                [platform, *chunk],
            )
            for row in rows:
                found[(platform, row[0])] = (row[1], row[2], row[3])
    return found


def set_triage(conn: sqlite3.Connection, mention_id: int, s, p) -> None:
    """Store a new sentiment (`s`, a model.Sentiment) and the priority computed with it (`p`);
    a priority override keeps its level, the score clamped into its band as on every refresh."""
    conn.execute(
        "UPDATE mentions SET sentiment_score = :score, sentiment_label = :label, sentiment_detail = :detail, "
        "sentiment_by = :by, sentiment_model = :model, priority_auto_score = :priority, "
        f"priority_reasons = :reasons, priority_score = {_clamped(':priority').replace('mentions.', '')}, "
        "priority_level = coalesce(priority_override, :level) WHERE id = :id",
        {"score": s.score, "label": s.label, "detail": sentiment_detail(s), "by": s.by, "model": s.model,
         "priority": p.score, "reasons": json.dumps(p.reasons, ensure_ascii=False), "level": p.level.value,
         "id": mention_id},  # fmt: skip
    )


def needing_score(conn: sqlite3.Connection, ids: list[int], model: str) -> list[dict[str, Any]]:
    """Those of `ids` whose sentiment the model `model` has not given yet, and no person set."""
    if not ids:
        return []
    rows = conn.execute(
        f"SELECT * FROM mentions WHERE id IN ({', '.join('?' * len(ids))}) AND sentiment_by IS NULL "
        "AND (sentiment_model IS NULL OR sentiment_model <> ?)",
        [*ids, model],
    ).fetchall()
    return rows_to_dicts(conn, rows)


def hand_labelled(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every mention whose sentiment a person set: its text, language and the label (for training)."""
    rows = conn.execute(
        "SELECT id, platform, title, text, lang, sentiment_label FROM mentions WHERE sentiment_by IS NOT NULL ORDER BY id"
    ).fetchall()
    return [dict(row) for row in rows]
