"""Making a parsed mention safe to store, whatever the platform or the file said.

A connector turns a platform's item into a Mention; this checks every field of it
before it reaches triage and the store. What can be mended is mended and the
mention keeps a note of it (`extra["cleaned"]`): lone surrogates (a truncated
emoji) become U+FFFD, NULs are dropped, counts beyond what SQLite stores are
clamped, a time outside any plausible range is replaced by the time the mention
was first seen. What cannot be mended (no id, an id that is not text) is a reason
to set the item aside, never an exception.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from commwatch.model import Author, Kind, Mention

MAX_INT = 2**63 - 1
MAX_ID = 512  # characters: no platform's id is longer
MAX_TEXT = 200_000  # characters: ten times Reddit's longest post
MAX_DEPTH = 20  # nesting kept in `extra`
EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)  # before any platform commwatch reads
FUTURE_SLACK = timedelta(days=1)  # a platform's clock may run a little ahead
_SURROGATE = re.compile("[\ud800-\udfff]")


class Unusable(ValueError):
    """The mention cannot be stored; the message says why."""


def clean(m: Mention, now: datetime) -> Mention:
    """The same mention with every field safe to store (notes in extra["cleaned"]); Unusable if impossible."""
    notes: list[str] = []
    if not isinstance(m.platform, str) or not m.platform:
        raise Unusable("it has no platform")
    m.remote_id = _id(m.remote_id, "id", notes, required=True)
    if not isinstance(m.text, str):
        if m.text is not None:
            raise Unusable(f"its text is {type(m.text).__name__}, not text")
        m.text = ""
    m.text = _text(m.text, "text", notes, MAX_TEXT)
    m.title = _optional(m.title, "title", notes)
    m.url = _optional(m.url, "url", notes)
    m.lang = _optional(m.lang, "lang", notes)
    m.parent_id = _id(m.parent_id, "parent id", notes)
    m.thread_id = _id(m.thread_id, "thread id", notes)
    if not isinstance(m.kind, Kind):
        try:
            m.kind = Kind(m.kind)
        except ValueError:
            notes.append(f"kind {str(m.kind)[:20]!r} is unknown: stored as post")
            m.kind = Kind.POST
    m.author = _author(m.author, notes)
    m.created_at = _time(m.created_at, "created_at", notes, now) or now
    m.edited_at = _time(m.edited_at, "edited_at", notes, now, required=False)
    m.metrics = _metrics(m.metrics, notes)
    extra = _extra(m.extra, notes)
    if notes:
        extra["cleaned"] = notes
    m.extra = extra
    return m


def text(value: str) -> str:
    """A string SQLite and a terminal can take: lone surrogates replaced, NULs dropped."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if value.isascii():  # the usual case, and no surrogate is ASCII
        return value
    return _SURROGATE.sub("\ufffd", value)


def _text(value: str, name: str, notes: list[str], limit: int) -> str:
    cleaned = text(value)
    if cleaned != value:
        notes.append(f"{name}: lone surrogates or NULs replaced")
    if len(cleaned) > limit:
        notes.append(f"{name}: cut at {limit:,} characters (it had {len(cleaned):,})")
        cleaned = cleaned[:limit]
    return cleaned


def _optional(value: Any, name: str, notes: list[str], limit: int = 10_000) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        notes.append(f"{name}: a {type(value).__name__}, not text: dropped")
        return None
    return _text(value, name, notes, limit) or None


def _id(value: Any, name: str, notes: list[str], required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise Unusable(f"it has no {name}")
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        if required:
            raise Unusable(f"its {name} is a {type(value).__name__}, not text")
        notes.append(f"{name}: a {type(value).__name__}, not text: dropped")
        return None
    cleaned = text(value).strip()
    if len(cleaned) > MAX_ID:
        if required:
            raise Unusable(f"its {name} is {len(cleaned):,} characters long")
        notes.append(f"{name}: {len(cleaned):,} characters long: dropped")
        return None
    if cleaned != value:
        notes.append(f"{name}: lone surrogates, NULs or spaces removed")
    if required and not cleaned:
        raise Unusable(f"it has no {name}")
    return cleaned or None


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = int(max(-MAX_INT, min(MAX_INT, value)))
    if isinstance(value, int):
        return max(-MAX_INT, min(MAX_INT, value))
    return None


def _author(a: Any, notes: list[str]) -> Author:
    if not isinstance(a, Author):
        notes.append("author: missing or malformed")
        return Author(handle="unknown")
    handle = _optional(a.handle, "author handle", notes, 200) or "unknown"
    followers = _count(a.followers)
    if a.followers is not None and followers != a.followers:
        notes.append(f"author followers: {str(a.followers)[:30]} is not a storable count" +
                     ("" if followers is None else f": {followers} kept"))  # fmt: skip
    return Author(
        handle=handle,
        name=_optional(a.name, "author name", notes, 500),
        followers=followers,
        verified=a.verified is True,
        remote_id=_id(a.remote_id, "author id", notes),
        url=_optional(a.url, "author url", notes),
    )


def _time(value: Any, name: str, notes: list[str], now: datetime, required: bool = True) -> datetime | None:
    if value is None:
        if required:
            notes.append(f"{name}: missing: the time it was first seen is used")
        return None
    if not isinstance(value, datetime):
        notes.append(f"{name}: not a time" + (": the time it was first seen is used" if required else ": dropped"))
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    if not (EARLIEST <= value <= now + FUTURE_SLACK):
        notes.append(f"{name}: {value.isoformat()} is out of range" +
                     (": the time it was first seen is used" if required else ": dropped"))  # fmt: skip
        return None
    return value.astimezone(timezone.utc)


def _metrics(metrics: Any, notes: list[str]) -> dict[str, int]:
    if not isinstance(metrics, dict):
        if metrics:
            notes.append("metrics: not an object: dropped")
        return {}
    if all(type(k) is str and type(v) is int and -MAX_INT <= v <= MAX_INT for k, v in metrics.items()):
        return metrics  # the usual case
    out = {}
    for key, value in metrics.items():
        count = _count(value)
        if not isinstance(key, str) or count is None:
            notes.append(f"metrics: {str(key)[:30]} = {str(value)[:30]} is not a count: dropped")
            continue
        if count != value:
            notes.append(f"metrics: {key} clamped to {count}")
        out[text(key)] = count
    return out


def _extra(extra: Any, notes: list[str]) -> dict[str, Any]:
    """`extra` as it is when JSON and SQLite take it (the usual case, checked in C), else mended."""
    if not isinstance(extra, dict):
        return {}
    try:
        json.dumps(extra, allow_nan=False, ensure_ascii=False).encode("utf-8")
        return dict(extra)
    except (ValueError, TypeError, RecursionError, UnicodeEncodeError):
        return _json(extra, notes, "extra", 0)


def _json(value: Any, notes: list[str], where: str, depth: int) -> Any:
    """A value json.dumps and SQLite accept: clean text, finite numbers, bounded nesting."""
    if depth > MAX_DEPTH:
        notes.append(f"{where}: nested too deeply: cut")
        return None
    if isinstance(value, str):
        return text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value if -MAX_INT <= value <= MAX_INT else str(value)[:40]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {text(str(k)): _json(v, notes, f"{where}.{str(k)[:20]}", depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v, notes, where, depth + 1) for v in value]
    return text(str(value))
