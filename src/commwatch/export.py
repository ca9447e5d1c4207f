"""Exporting mentions as CSV or JSON Lines, streamed row by row so memory stays flat at any size.

One SELECT walks the mentions oldest first and each row carries its tags and sent
replies, so nothing is collected in Python. JSON Lines gives the documented mention
shape (store.mentions.to_dict, as `show --json`) plus `replies`; CSV gives the same
fields flattened by SQL, with every text cell that a spreadsheet would run as a
formula (starting with = + - @, tab or carriage return) prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import replace
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from commwatch.report.scope import Scope
from commwatch.store import dialect
from commwatch.store.mentions import to_dict

FORMATS = ("csv", "jsonl")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# For JSON Lines: each mention's tags and sent replies, beside its columns.
def _tags(conn) -> str:
    return (f"(SELECT group_concat(tag, {dialect.newline(conn)}) FROM "
            "(SELECT tag FROM mention_tags t WHERE t.mention_id = m.id ORDER BY tag) AS t) AS export_tags")  # fmt: skip


_REPLY_FIELDS = ("'text', json_extract(o.payload, '$.text'), 'remote_id', json_extract(o.result, '$.remote_id'), "
                 "'url', json_extract(o.result, '$.url'), 'sent_at', o.sent_at, 'actor', o.actor")  # fmt: skip


def _replies(conn) -> str:
    sent = "(SELECT * FROM outbox WHERE mention_id = m.id AND kind = 'reply' AND status = 'sent' ORDER BY id) AS o"
    if dialect.postgres(conn):
        return f"(SELECT json_agg(json_build_object({_REPLY_FIELDS}) ORDER BY o.id)::text FROM {sent}) AS export_replies"
    return f"(SELECT json_group_array(json_object({_REPLY_FIELDS})) FROM {sent}) AS export_replies"


# The CSV columns and the SQL that flattens each: the row arrives ready, Python only neutralises and writes it.
_CSV = [
    ("id", "m.id"), ("platform", "m.platform"), ("remote_id", "m.remote_id"), ("source", "m.source"),
    ("kind", "m.kind"), ("url", "m.url"), ("created_at", "m.created_at"), ("edited_at", "m.edited_at"),
    ("author_handle", "m.author_handle"), ("author_name", "m.author_name"), ("author_followers", "m.author_followers"),
    ("author_verified", "CASE WHEN m.author_verified <> 0 THEN 'true' ELSE 'false' END"), ("title", "m.title"),
    ("text", "m.text"), ("lang", "m.lang"), ("sentiment_score", "m.sentiment_score"),
    ("sentiment_label", "m.sentiment_label"), ("priority_score", "m.priority_score"),
    ("priority_level", "m.priority_level"),
    ("priority_reasons", None),  # dialect.json_list_joined
    ("status", "m.status"), ("snoozed_until", "m.snoozed_until"), ("assignee", "m.assignee"),
    ("tags", "(SELECT group_concat(tag, '; ') FROM (SELECT tag FROM mention_tags t WHERE t.mention_id = m.id ORDER BY tag) AS t)"),
    ("replied", "CASE WHEN m.replied <> 0 THEN 'true' ELSE 'false' END"), ("reply_count", "coalesce(r.n, 0)"),
    ("first_reply_at", "r.first_at"), ("reply_urls", "r.urls"), ("reply_texts", "r.texts"),
]  # fmt: skip
CSV_COLUMNS = [name for name, _ in _CSV]
# Sent replies per mention, gathered once (replies are few next to mentions).
def _csv_replies(conn) -> str:
    return (
        "LEFT JOIN (SELECT mention_id, count(*) AS n, min(sent_at) AS first_at, "
        f"group_concat(json_extract(result, '$.url'), ' ') AS urls, "
        f"group_concat(json_extract(payload, '$.text'), {dialect.newline(conn)}) AS texts "
        "FROM (SELECT * FROM outbox WHERE kind = 'reply' AND status = 'sent' ORDER BY id) AS sent GROUP BY mention_id) r "
        "ON r.mention_id = m.id"
    )


def _csv_select(conn) -> str:
    reasons = dialect.json_list_joined(conn, "m.priority_reasons", "; ")
    return ", ".join(reasons if sql is None else sql for _, sql in _CSV)


def write(conn, scope: Scope, fmt: str, out: TextIO) -> int:
    """Write the scope's mentions to `out` (opened with newline=''); returns how many."""
    scope = replace(scope, kind=dialect.of(conn))
    if fmt == "jsonl":
        return _write_jsonl(conn, scope, out)
    if fmt == "csv":
        return _write_csv(conn, scope, out)
    raise ValueError(f"unknown export format {fmt!r} (choose {' or '.join(FORMATS)})")


def write_file(conn, scope: Scope, fmt: str, path: Path) -> int:
    """Write to `path` through a temporary file beside it: the file appears only once complete."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            count = write(conn, scope, fmt, out)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def mentions(conn, scope: Scope) -> Iterator[dict[str, Any]]:
    """The scope's mentions, oldest first, as mention dicts with `replies`, one row in memory at a time."""
    where, params = scope.where()
    sql = f"SELECT m.*, {_tags(conn)}, {_replies(conn)} FROM mentions m{where} ORDER BY m.created_at, m.id"
    for row in dialect.stream(conn, sql, params):
        tags = row["export_tags"].split("\n") if row["export_tags"] else []
        yield {**to_dict(row, tags), "replies": json.loads(row["export_replies"] or "[]")}


def _write_jsonl(conn, scope: Scope, out: TextIO) -> int:
    count = 0
    for m in mentions(conn, scope):
        out.write(json.dumps(m, ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_csv(conn, scope: Scope, out: TextIO) -> int:
    writer = csv.writer(out)  # quotes cells holding commas, quotes or line breaks; lines end in CRLF (RFC 4180)
    writer.writerow(CSV_COLUMNS)
    where, params = scope.where()
    sql = f"SELECT {_csv_select(conn)} FROM mentions m {_csv_replies(conn)}{where} ORDER BY m.created_at, m.id"
    count = 0
    for row in dialect.stream(conn, sql, params):  # in CSV_COLUMNS order
        writer.writerow([safe_cell(v) for v in row])
        count += 1
    return count


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would evaluate gets a leading apostrophe; numbers and None pass as they are."""
    if value.__class__ is str and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


_FORMULA_STARTS = frozenset(FORMULA_PREFIXES)
