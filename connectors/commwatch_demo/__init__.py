"""The `demo` connector: a week of sample traffic about the fictional brand Acme Cloud.

The data under ``data/`` are raw API response bodies in the platforms' real shapes
(X API v2 recent search pages, Reddit Listings, YouTube commentThreads/comments
pages), written by ``tools/make_demo_data.py``. ``data/manifest.json`` names an
anchor time and, per stream, the response files in the order the real APIs would
page through them.

Each stream (``x``, ``reddit``, ``youtube``) yields one Page per file, carrying
the file's body as a raw payload of that platform: commwatch parses it with the
platform's own connector exactly as ``commwatch import`` would, so this package
imports nothing but commwatch's public API and never loads another connector.
Works offline, needs no credentials.

Timestamps are shifted so the newest demo mention lands at about "now" on the
first sync: shift = now − anchor, in whole seconds, applied to the time fields
of the raw bodies (X ``created_at``, Reddit ``created``/``created_utc``/``edited``,
YouTube ``publishedAt``/``updatedAt``). An edited X post's earlier versions are
named by snowflake ids, which encode their time (X dates the post by the
first); those ids move by the same shift. The shift is kept in the cursor and
reused, so re-syncs (and resumes after a crash) store the same times.

Where a request says more than its response body (a YouTube comments.list reply
may lack videoId: the caller knows it from the thread it asked about), the
manifest entry's ``context`` supplies it in the body, as the live connector would.

Cursor: ``{"page": N, "shift": S}`` where N counts the files already delivered,
including the page it is attached to, so every page's cursor is a safe resume
point; a cursor at the end yields nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources
from typing import Any

from commwatch.connector import FETCH, Connector, ConnectorError, Page, RawPayload, parse_time

STREAMS = ("x", "reddit", "youtube")  # each stream holds raw responses of the platform of the same name
ISO_TIMES = ("created_at", "publishedAt", "updatedAt")  # "2026-01-15T11:58:00.000Z" / "…:00Z"
EPOCH_TIMES = ("created", "created_utc", "edited")  # Reddit seconds; `edited` is false when never edited
SNOWFLAKE_MS_SHIFT = 22  # an X id holds its creation time in milliseconds above its low 22 bits


def _data_file(relative: str):
    """A file under data/, found through importlib.resources (works from a wheel or a checkout)."""
    node = resources.files(__name__).joinpath("data")
    for part in relative.split("/"):
        node = node.joinpath(part)
    return node


@lru_cache(maxsize=1)
def manifest() -> dict[str, Any]:
    """The bundled manifest: anchor, brand, and each stream's files in fetch order."""
    return json.loads(_data_file("manifest.json").read_text(encoding="utf-8"))


def anchor() -> datetime:
    """The instant the demo data treats as "now" (its newest mention is just before it)."""
    return parse_time(manifest()["anchor"])


def load_payload(relative: str) -> Any:
    """One bundled raw API response body, decoded from JSON."""
    return json.loads(_data_file(relative).read_text(encoding="utf-8"))


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class DemoConnector(Connector):
    name = "demo"
    description = "bundled sample traffic about a fictional brand (raw X, Reddit and YouTube API responses; offline)"
    platforms = STREAMS
    capabilities = frozenset({FETCH})
    credentials = ()
    options = ()

    clock: Callable[[], datetime] = staticmethod(_utcnow)  # tests replace it

    def streams(self) -> list[str]:
        return list(STREAMS)

    def fetch(self, stream: str, cursor: dict[str, Any] | None) -> Iterator[Page]:
        files = manifest()["streams"].get(stream)
        if stream not in STREAMS or files is None:
            raise ConnectorError(f"the demo connector has no stream named {stream!r} (it has {', '.join(STREAMS)})")
        start, shift = self._read_cursor(cursor)
        if start >= len(files):
            return
        if shift is None:
            shift = int((self.clock() - anchor()).total_seconds())
        for index in range(start, len(files)):
            relative = files[index]["file"]
            body = _shifted(load_payload(relative), shift)
            _add_context(body, files[index].get("context") or {})
            yield Page(payloads=[RawPayload(stream, body, origin=f"demo file {relative}")],
                       cursor={"page": index + 1, "shift": shift})  # fmt: skip

    @staticmethod
    def _read_cursor(cursor: dict[str, Any] | None) -> tuple[int, int | None]:
        cursor = cursor or {}
        page = cursor.get("page", 0)
        shift = cursor.get("shift")
        if isinstance(page, bool) or not isinstance(page, int) or page < 0:
            page = 0  # a cursor this version never wrote: start over (re-syncing updates, never duplicates)
            shift = None
        if isinstance(shift, bool) or not isinstance(shift, (int, float)):
            shift = None
        return page, None if shift is None else int(shift)


def _shifted(node: Any, shift: int) -> Any:
    """The raw body with every time field moved `shift` seconds later (the data's own shapes only)."""
    if isinstance(node, list):
        return [_shifted(item, shift) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ISO_TIMES and isinstance(value, str) and len(value) >= 20:
            base = datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S") + timedelta(seconds=shift)
            out[key] = base.strftime("%Y-%m-%dT%H:%M:%S") + value[19:]  # keeps ".000Z" or "Z"
        elif key in EPOCH_TIMES and isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = value + shift
        elif key == "edit_history_tweet_ids" and isinstance(value, list):
            own = node.get("id")  # the current version keeps its id: it is the mention's identity
            out[key] = [v if v == own or not str(v).isdigit() else str(int(v) + (shift * 1000 << SNOWFLAKE_MS_SHIFT))
                        for v in value]  # fmt: skip
        else:
            out[key] = _shifted(value, shift)
    return out


def _add_context(body: Any, context: dict[str, Any]) -> None:
    """Fill in what the request itself tells the caller and the body leaves out.

    A YouTube comments.list?parentId=… response may carry no videoId; the live
    connector knows the video from the thread it asked about, and so does the
    manifest ("context": {"video_id": …}).
    """
    video_id = context.get("video_id")
    if not video_id or not isinstance(body, dict):
        return
    for item in body.get("items") or []:
        snippet = item.get("snippet") if isinstance(item, dict) else None
        if isinstance(snippet, dict) and not snippet.get("videoId"):
            snippet["videoId"] = video_id
