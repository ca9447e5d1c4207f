"""The streams of a Mastodon source, read forward with min_id.

* mentions           GET /api/v1/notifications?types[]=mention  (the brand's server, token)
* tag:NAME           GET /api/v1/timelines/tag/NAME             (the brand's server)
* tag:NAME@HOST      the same on another server, anonymously    (public_instances)
* search             GET /api/v2/search?type=statuses&q=…        (the brand's server, token)

Cursor: ``{"min_id": ID}``, the newest item stored. Each sync asks for what came right
after it (``min_id``, not ``since_id``: since_id answers with the newest page and leaves a
gap behind it when more arrived), page after page, each committed with the id it ends at:
a killed sync resumes exactly there. Nothing new costs one request. The first sync reads at
most `backfill` items back from the newest (``max_id`` paging) and commits them at once.

Search is best effort: a server searches only posts whose authors opted into search
(and the brand's own interactions); each sync reads the newest page of results and keeps
those after the cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from commwatch.connector import Rejected
from commwatch.model import Mention
from commwatch_mastodon import parse
from commwatch_mastodon.client import Server

PAGE = 40  # statuses and notifications a request asks for (Mastodon's maximum for statuses)
MAX_PAGES = 50  # pages one stream reads in a sync; the rest waits for the next


def forward(read: Callable[..., list[Any]], cursor: dict | None, backfill: int) -> Iterator[tuple[list[Any], dict]]:
    """Pages of items (newest first within a page) and the cursor to commit after each."""
    since = (cursor or {}).get("min_id")
    if since is None:
        items: list[Any] = []
        max_id = None
        while len(items) < backfill:
            want = min(PAGE, backfill - len(items))
            page = list(read(max_id=max_id, limit=want))
            items += page
            if len(page) < want or not page:
                break
            max_id = page[-1]["id"]
        items = items[:backfill]
        yield items, ({"min_id": str(_newest(items))} if items else {})
        return
    for _ in range(MAX_PAGES):
        page = [i for i in read(min_id=since, limit=PAGE) if _after(i["id"], since)]
        if not page:
            yield [], {"min_id": since}
            return
        since = str(_newest(page))
        yield page, {"min_id": since}
        if len(page) < PAGE:
            return


def mentions(server: Server, cursor: dict | None, backfill: int) -> Iterator[tuple[list[Mention | Rejected], dict]]:
    def read(**paging):
        return server.call("the notifications", "notifications", types=["mention"], **paging)

    for items, after in forward(read, cursor, backfill):
        found: list[Mention | Rejected] = []
        for n in items:
            found += parse.notification(n, server.url)
        yield found, after


def hashtag(server: Server, tag: str, cursor: dict | None, backfill: int) -> Iterator[tuple[list, dict]]:
    def read(**paging):
        return server.call(f"the #{tag} timeline", "timeline_hashtag", tag, **paging)

    for items, after in forward(read, cursor, backfill):
        yield parse.statuses(items, server.url), after


def search(server: Server, query: str, cursor: dict | None, backfill: int) -> Iterator[tuple[list, dict]]:
    def read(min_id=None, max_id=None, limit=PAGE):
        # The newest results only: paging a search (min_id, max_id) makes Mastodon.py ask the server's
        # version first, and servers order full-text results their own way; `forward` drops what is
        # not after the cursor. More than a page of new matches between syncs: the older ones are missed.
        if max_id is not None:
            return []
        found = server.call("the search", "search_v2", query, resolve=False, result_type="statuses", limit=limit)
        return list(found.get("statuses") or []) if isinstance(found, dict) else []

    for items, after in forward(read, cursor, backfill):
        yield parse.statuses(items, server.url, extra={"search": query}), after


def _after(item_id: Any, since: str) -> bool:
    """Whether an id comes after the cursor: as numbers when both are (Mastodon's snowflakes), else as text
    (other servers' sortable ids)."""
    a, b = str(item_id), str(since)
    if a.isdigit() and b.isdigit():
        return int(a) > int(b)
    return (len(a), a) > (len(b), b) if len(a) != len(b) else a > b


def _newest(items: list[Any]) -> Any:
    newest = items[0]["id"]
    for item in items[1:]:
        if _after(item["id"], str(newest)):
            newest = item["id"]
    return newest

