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
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from commwatch.report.scope import Scope
from commwatch.store.mentions import to_dict

FORMATS = ("csv", "jsonl")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# For JSON Lines: each mention's tags and sent replies, beside its columns.
_TAGS = (
    "(SELECT group_concat(tag, char(10)) FROM "
    "(SELECT tag FROM mention_tags t WHERE t.mention_id = m.id ORDER BY tag)) AS export_tags"
)
_REPLIES = (
    "(SELECT json_group_array(json_object('text', json_extract(o.payload, '$.text'), "
    "'remote_id', json_extract(o.result, '$.remote_id'), 'url', json_extract(o.result, '$.url'), "
    "'sent_at', o.sent_at, 'actor', o.actor)) FROM "
    "(SELECT * FROM outbox WHERE mention_id = m.id AND kind = 'reply' AND status = 'sent' ORDER BY id) o) "
    "AS export_replies"
)

# The CSV columns and the SQL that flattens each: the row arrives ready, Python only neutralises and writes it.
_CSV = [
    ("id", "m.id"), ("platform", "m.platform"), ("remote_id", "m.remote_id"), ("source", "m.source"),
    ("kind", "m.kind"), ("url", "m.url"), ("created_at", "m.created_at"), ("edited_at", "m.edited_at"),
    ("author_handle", "m.author_handle"), ("author_name", "m.author_name"), ("author_followers", "m.author_followers"),
    ("author_verified", "CASE WHEN m.author_verified THEN 'true' ELSE 'false' END"), ("title", "m.title"),
    ("text", "m.text"), ("lang", "m.lang"), ("sentiment_score", "m.sentiment_score"),
    ("sentiment_label", "m.sentiment_label"), ("priority_score", "m.priority_score"),
    ("priority_level", "m.priority_level"),
    ("priority_reasons", "(SELECT group_concat(value, '; ') FROM json_each(m.priority_reasons))"),
    ("status", "m.status"), ("snoozed_until", "m.snoozed_until"), ("assignee", "m.assignee"),
    ("tags", "(SELECT group_concat(tag, '; ') FROM (SELECT tag FROM mention_tags t WHERE t.mention_id = m.id ORDER BY tag))"),
    ("replied", "CASE WHEN m.replied THEN 'true' ELSE 'false' END"), ("reply_count", "coalesce(r.n, 0)"),
    ("first_reply_at", "r.first_at"), ("reply_urls", "r.urls"), ("reply_texts", "r.texts"),
]  # fmt: skip
CSV_COLUMNS = [name for name, _ in _CSV]
# Sent replies per mention, gathered once (replies are few next to mentions).
_CSV_REPLIES = (
    "LEFT JOIN (SELECT mention_id, count(*) AS n, min(sent_at) AS first_at, "
    "group_concat(json_extract(result, '$.url'), ' ') AS urls, group_concat(json_extract(payload, '$.text'), char(10)) AS texts "
    "FROM (SELECT * FROM outbox WHERE kind = 'reply' AND status = 'sent' ORDER BY id) GROUP BY mention_id) r "
    "ON r.mention_id = m.id"
)


def write(conn, scope: Scope, fmt: str, out: TextIO) -> int:
    """Write the scope's mentions to `out` (opened with newline=''); returns how many."""
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
    cursor = conn.execute(f"SELECT m.*, {_TAGS}, {_REPLIES} FROM mentions m{where} ORDER BY m.created_at, m.id", params)
    for row in cursor:
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
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples, in CSV_COLUMNS order
    cursor.execute(
        f"SELECT {', '.join(sql for _, sql in _CSV)} FROM mentions m {_CSV_REPLIES}{where} ORDER BY m.created_at, m.id",
        params,
    )
    count = 0
    for row in cursor:
        writer.writerow([safe_cell(v) for v in row])
        count += 1
    return count


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would evaluate gets a leading apostrophe; numbers and None pass as they are."""
    if value.__class__ is str and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


_FORMULA_STARTS = frozenset(FORMULA_PREFIXES)
