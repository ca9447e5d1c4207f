"""The database schema, declared as data and applied with sqlite-utils' Migrations.

Add a migration to change the schema; never edit one that has shipped.
`SCHEMA_VERSION` in store/db.py must equal the number of migrations here (a
test checks it): the read path compares it with PRAGMA user_version so that
opening the inbox does not import sqlite-utils.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from commwatch.model import LEVEL_BANDS

migrations = Migrations("commwatch")

MENTIONS = {
    "id": int,
    "platform": str,
    "remote_id": str,
    "source": str,
    "kind": str,
    "url": str,
    "title": str,
    "text": str,
    "lang": str,
    "author_handle": str,
    "author_name": str,
    "author_followers": int,
    "author_verified": int,
    "author_id": str,
    "author_url": str,
    "created_at": str,  # ISO 8601 UTC, "2026-01-15T12:00:00Z": sorts as text
    "edited_at": str,
    "first_seen_at": str,
    "updated_at": str,
    "parent_id": str,
    "thread_id": str,
    "metrics": str,  # JSON object
    "extra": str,  # JSON object
    "sentiment_score": float,
    "sentiment_label": str,
    "priority_score": int,
    "priority_level": str,
    "priority_reasons": str,  # JSON array
    # Owned by the manager: a re-sync never writes these.
    "status": str,
    "snoozed_until": str,
    "assignee": str,
    "replied": int,
}

# Each inbox filter leads an index that ends in the inbox order, so
# "WHERE <filter> AND status = ? ORDER BY priority_score DESC, created_at DESC LIMIT n"
# walks the index instead of sorting the table.
MENTION_INDEXES = [
    ["status", "priority_score", "created_at"],
    ["priority_score", "created_at"],
    ["platform", "status", "priority_score", "created_at"],
    ["sentiment_label", "status", "priority_score", "created_at"],
    ["assignee", "status", "priority_score", "created_at"],
    ["source", "status", "priority_score", "created_at"],
    ["created_at"],
    ["status", "snoozed_until"],
    ["thread_id"],
    ["author_handle"],
]


FTS_COLUMNS = ["text", "title", "author_handle", "author_name"]


def _fts_triggers() -> list[str]:
    """Keep mentions_fts in step. Unlike sqlite-utils' own triggers, an update re-indexes
    only when an indexed column changes, so tagging or closing a mention costs no FTS write."""
    cols = ", ".join(FTS_COLUMNS)
    new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    delete = f"INSERT INTO mentions_fts (mentions_fts, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO mentions_fts (rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"CREATE TRIGGER mentions_fts_insert AFTER INSERT ON mentions BEGIN {insert} END",
        f"CREATE TRIGGER mentions_fts_delete AFTER DELETE ON mentions BEGIN {delete} END",
        f"CREATE TRIGGER mentions_fts_update AFTER UPDATE OF {cols} ON mentions BEGIN {delete} {insert} END",
    ]


@migrations()
def m001_initial(db: Database) -> None:
    db["mentions"].create(
        MENTIONS,
        pk="id",
        not_null={"platform", "remote_id", "text", "created_at", "status", "replied"},
        defaults={"status": "open", "replied": 0, "author_verified": 0},
    )
    db["mentions"].create_index(["platform", "remote_id"], unique=True)
    for columns in MENTION_INDEXES:
        db["mentions"].create_index(columns)
    db["mentions"].enable_fts(FTS_COLUMNS, tokenize="unicode61 remove_diacritics 2")
    for trigger in _fts_triggers():  # one at a time: executescript would commit the migration's transaction
        db.execute(trigger)

    db["mention_tags"].create(
        {"mention_id": int, "tag": str},
        pk=("mention_id", "tag"),
        foreign_keys=[("mention_id", "mentions", "id")],
    )
    db["mention_tags"].create_index(["tag", "mention_id"])

    # The history of every change a manager (or a rule) made.
    db["events"].create(
        {"id": int, "mention_id": int, "at": str, "actor": str, "action": str, "detail": str},
        pk="id",
        not_null={"mention_id", "at", "actor", "action"},
        foreign_keys=[("mention_id", "mentions", "id")],
    )
    db["events"].create_index(["mention_id", "id"])

    db["escalations"].create(
        {"id": int, "mention_id": int, "at": str, "actor": str, "target": str, "note": str},
        pk="id",
        foreign_keys=[("mention_id", "mentions", "id")],
    )
    db["escalations"].create_index(["mention_id"])

    # One cursor per (source, stream), committed with the page it follows.
    db["cursors"].create(
        {"source": str, "stream": str, "cursor": str, "updated_at": str},
        pk=("source", "stream"),
    )

    db["sync_runs"].create(
        {"id": int, "started_at": str, "finished_at": str, "status": str, "exit_code": int, "summary": str},
        pk="id",
    )
    db["source_runs"].create(
        {
            "id": int,
            "run_id": int,
            "source": str,
            "connector": str,
            "status": str,  # ok | failed | skipped | running
            "new": int,
            "updated": int,
            "pages": int,
            "requests": int,
            "message": str,
            "started_at": str,
            "finished_at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "sync_runs", "id")],
    )
    db["source_runs"].create_index(["run_id"])
    db["source_runs"].create_index(["source", "id"])


@migrations()
def m002_quota_usage(db: Database) -> None:
    # Platform quota units spent per source and quota day (YouTube counts days in Pacific time).
    db["quota_usage"].create({"source": str, "day": str, "units": int}, pk=("source", "day"))


@migrations()
def m003_outbox(db: Database) -> None:
    # Outgoing effects: recorded before they are sent, marked after, retried with backoff.
    db["outbox"].create(
        {
            "id": int,
            "kind": str,  # reply | escalation | alert
            "mention_id": int,  # none for alerts
            "source": str,  # reply: the source whose connector sends it; otherwise the target's name
            "payload": str,  # JSON: reply {"text"}, escalation {"escalation"}, alert {"alert"}
            "status": str,  # pending | sending | sent | failed
            "attempts": int,
            "next_attempt_at": str,
            "claimed_at": str,
            "claimed_by": str,  # host:pid of the process sending it
            "last_error": str,
            "result": str,  # JSON: {"remote_id", "url"}
            "actor": str,
            "created_at": str,
            "sent_at": str,
        },
        pk="id",
        not_null={"kind", "payload", "status", "attempts", "created_at"},
        defaults={"status": "pending", "attempts": 0},
        foreign_keys=[("mention_id", "mentions", "id")],
    )
    db["outbox"].create_index(["status", "next_attempt_at"])
    db["outbox"].create_index(["mention_id"])


@migrations()
def m004_alerts(db: Database) -> None:
    db["alerts"].create(
        {
            "id": int,
            "name": str,
            "metric": str,
            "fired_at": str,
            "window_start": str,
            "window_end": str,
            "count": int,
            "baseline_mean": float,
            "baseline_std": float,
            "threshold": float,
            "target": str,
        },
        pk="id",
    )
    db["alerts"].create_index(["name", "fired_at"])


@migrations()
def m005_backlog_index(db: Database) -> None:
    # The report's backlog and `inbox --needs-reply` read this index alone (0.5 s → 0.16 s at 1M mentions).
    db["mentions"].create_index(["status", "replied", "created_at"])


@migrations()
def m006_parent_index(db: Database) -> None:
    # Thread context in `show` and the TUI looks mentions up by parent: 0.5 s → instant at 1M mentions.
    db["mentions"].create_index(["platform", "parent_id"])


@migrations()
def m007_priority_override(db: Database) -> None:
    # A priority set by a rule or a person is the manager's, like status: a re-sync keeps it.
    # priority_score/priority_level stay the effective values (the inbox sorts on them);
    # priority_auto_score keeps what triage computed, to return to when the override is cleared.
    db["mentions"].add_column("priority_override", str)
    db["mentions"].add_column("priority_auto_score", int)
    db.execute("UPDATE mentions SET priority_auto_score = priority_score")
    # Earlier versions recorded a rule's priority only as an event (and lost it at the next refresh):
    # the latest one becomes the override, its score clamped into the level's band.
    db.execute(
        "UPDATE mentions SET priority_override = (SELECT json_extract(e.detail, '$.to') FROM events e "
        "WHERE e.mention_id = mentions.id AND e.action = 'priority' ORDER BY e.id DESC LIMIT 1) "
        "WHERE id IN (SELECT mention_id FROM events WHERE action = 'priority')"
    )
    levels = ", ".join(f"'{level}'" for level in LEVEL_BANDS)
    db.execute(f"UPDATE mentions SET priority_override = NULL WHERE priority_override NOT IN ({levels})")
    clamp = " ".join(f"WHEN '{level}' THEN max({low}, min({high}, priority_auto_score))"
                     for level, (low, high) in LEVEL_BANDS.items())  # fmt: skip
    db.execute(f"UPDATE mentions SET priority_level = priority_override, priority_score = CASE priority_override "
               f"{clamp} END WHERE priority_override IS NOT NULL")


@migrations()
def m008_rejects(db: Database) -> None:
    # Items a platform or a file sent that could not become mentions, and why: set aside, never lost in silence.
    db["rejects"].create(
        {
            "id": int,
            "at": str,
            "source": str,  # the source, or "import"
            "origin": str,  # where it came from: a stream name, or "file.jsonl line 7"
            "platform": str,
            "remote_id": str,  # when it is known
            "reason": str,
            "item": str,  # the raw item as JSON, truncated
        },
        pk="id",
        not_null={"at", "reason"},
    )
    db["rejects"].create_index(["at"])


@migrations()
def m009_conversations(db: Database) -> None:
    # Our own posts (`ours`), when a mention was first answered (anywhere), and internal notes.
    db["mentions"].add_column("ours", int, not_null_default=0)
    db["mentions"].add_column("first_response_at", str)
    db["mentions"].create_index(["thread_id", "ours"])
    # The brand's own posts, few among many: "has this platform any of ours yet?" costs nothing.
    db.execute("CREATE INDEX idx_mentions_ours_platform ON mentions(platform) WHERE ours = 1")
    db["mentions"].create_index(["first_response_at"])
    db["notes"].create(
        {"id": int, "mention_id": int, "at": str, "actor": str, "text": str},
        pk="id",
        not_null={"mention_id", "at", "actor", "text"},
        foreign_keys=[("mention_id", "mentions", "id")],
    )
    db["notes"].create_index(["mention_id"])
    db["notes"].enable_fts(["text"], tokenize="unicode61 remove_diacritics 2", create_triggers=True)
    # Small facts about the store itself: which brand handles `ours` was computed with.
    db["meta"].create({"key": str, "value": str}, pk="key")
    # Replies sent through commwatch before this version: their time is the first response.
    db.execute(
        "UPDATE mentions SET first_response_at = (SELECT min(o.sent_at) FROM outbox o WHERE o.mention_id = mentions.id "
        "AND o.kind = 'reply' AND o.status = 'sent') WHERE replied = 1"
    )


@migrations()
def m010_sentiment_detail(db: Database) -> None:
    # The trained model's reading (probabilities, confidence, what drove it) and a label a
    # person set by hand (`sentiment_by`: who), which re-syncs, rules and re-scoring keep.
    db["mentions"].add_column("sentiment_detail", str)
    db["mentions"].add_column("sentiment_by", str)
    # `triage rescore` walks the mentions it has not re-scored with the current model yet.
    db["mentions"].add_column("sentiment_model", str)
    # Labels set by hand are few: a page's lookup of them costs nothing.
    db.execute("CREATE INDEX idx_mentions_labelled ON mentions(platform, remote_id) WHERE sentiment_by IS NOT NULL")


@migrations()
def m011_global_identity(db: Database) -> None:
    # A post federated to several servers (Mastodon, ActivityPub) has an id on each and one global
    # identity, `extra.uri`: the same post read through two servers is one mention, found by it.
    db.execute(
        "CREATE INDEX idx_mentions_uri ON mentions(platform, json_extract(extra, '$.uri')) "
        "WHERE json_extract(extra, '$.uri') IS NOT NULL"
    )


@migrations()
def m012_engagement(db: Database) -> None:
    # How many people acted on a post (model.engagement), kept beside its metrics so that a report
    # ranks a million posts by it without reading their JSON.
    db["mentions"].add_column("engagement", int)
    keys = ("likes", "reposts", "replies", "quotes", "comments", "score")  # model.ENGAGEMENT_KEYS, frozen here
    total = " + ".join(f"coalesce(json_extract(metrics, '$.{k}'), 0)" for k in keys)
    present = " OR ".join(f"json_type(metrics, '$.{k}') = 'integer'" for k in keys)
    db.execute(f"UPDATE mentions SET engagement = {total} WHERE metrics IS NOT NULL AND ({present})")
