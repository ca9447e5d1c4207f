"""The `demo` connector: a week of sample traffic about the fictional brand Acme Cloud.

The data under ``data/`` are raw API response bodies in the platforms' real shapes
(X API v2 recent search pages, Reddit Listings, YouTube commentThreads/comments
pages), written by ``tools/make_demo_data.py``. ``data/manifest.json`` names an
anchor time and, per stream, the response files in the order the real APIs would
page through them.

Each stream (``x``, ``reddit``, ``youtube``) yields one Page per file, parsed by
that platform's own connector (looked up through the registry, so this package
imports nothing but commwatch's public API). Works offline, needs no credentials.

Timestamps are shifted so the newest demo mention lands at about "now" on the
first sync: shift = now − anchor, in whole seconds. The shift is kept in the
cursor and reused, so re-syncs (and resumes after a crash) store the same times.

Where a request says more than its response body (a YouTube comments.list reply
has no videoId: the caller knows it from the thread it asked about), the manifest
entry's ``context`` supplies it, as the live connector would.

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

from commwatch import registry
from commwatch.connector import FETCH, Connector, ConnectorError, Page, parse_time
from commwatch.model import Mention

STREAMS = ("x", "reddit", "youtube")  # each stream is parsed by the connector of the same name


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
        parse = self._parser(stream)
        delta = timedelta(seconds=shift)
        for index in range(start, len(files)):
            relative = files[index]["file"]
            try:
                mentions = parse(load_payload(relative))
            except Exception as exc:  # a parser bug must name the file it choked on
                raise ConnectorError(
                    f"the {stream} connector could not parse demo file {relative}: {type(exc).__name__}: {exc}"
                ) from exc
            context = files[index].get("context") or {}
            mentions = [_with_context(_shifted(m, delta), context) for m in mentions]
            yield Page(mentions=mentions, cursor={"page": index + 1, "shift": shift})

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

    @staticmethod
    def _parser(stream: str) -> Callable[[Any], list[Mention]]:
        try:
            return registry.load(stream).parse
        except (registry.UnknownConnector, registry.BrokenConnector) as exc:
            raise ConnectorError(f"the demo's {stream} stream needs the {stream} connector: {exc}") from exc


def _with_context(mention: Mention, context: dict[str, Any]) -> Mention:
    """Fill in what the request itself tells the caller and the body leaves out.

    A YouTube comments.list?parentId=… response carries no videoId; the live
    connector knows the video from the thread it asked about, and so does the
    manifest ("context": {"video_id": …}).
    """
    video_id = context.get("video_id")
    if video_id and mention.platform == "youtube" and not mention.extra.get("video_id"):
        mention.extra["video_id"] = video_id
        if mention.url is None:
            mention.url = f"https://www.youtube.com/watch?v={video_id}&lc={mention.remote_id}"
    return mention


def _shifted(mention: Mention, delta: timedelta) -> Mention:
    mention.created_at = mention.created_at + delta
    if mention.edited_at is not None:
        mention.edited_at = mention.edited_at + delta
    return mention
