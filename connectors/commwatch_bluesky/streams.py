"""The streams of a Bluesky source: newest-first listings walked down to what the last sync stored.

* search    app.bsky.feed.searchPosts?q=…&sort=latest&since=…[&until=…][&lang][&domain][&tag]
* mentions  app.bsky.notification.listNotifications?reasons=mention,reply,quote

The API's own `cursor` is valid only within a run, so the stored cursor is commwatch's:
``{"newest": indexedAt, "seen": [uris indexed at that instant]}``. A walk reads pages with the
API cursor, each committed with the old floor, so a killed run loses nothing; when it
reaches the floor the floor moves to the newest item of the walk. A search walk also keeps
``"walk": {"top", "top_seen", "until"}`` so a killed run resumes with ``until`` where it
stopped instead of from the top (notifications cannot be asked for a time window: a killed
walk is read again from the top, and what was stored already is merely seen again). Nothing
new costs one request. A first sync reads at most `backfill` items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from commwatch.connector import Rejected
from commwatch.model import Mention
from commwatch_bluesky import parse
from commwatch_bluesky.client import Account

PAGE = 100
MAX_PAGES = 50
REASONS = ["mention", "reply", "quote"]


def walk(read: Callable[[str | None, str | None], tuple[list[dict], str | None]], cursor: dict | None, backfill: int,
         *, resumable: bool) -> Iterator[tuple[list[dict], dict]]:  # fmt: skip
    """read(api_cursor, until) -> (items newest first, next api cursor). Yields (new items, cursor to commit)."""
    state = dict(cursor or {})
    floor, seen = state.get("newest"), set(state.get("seen") or [])
    resume = state.get("walk") if resumable else None
    top, top_seen = (resume or {}).get("top"), set((resume or {}).get("top_seen") or [])
    until = (resume or {}).get("until")
    count, api_cursor = 0, None
    for _ in range(MAX_PAGES):
        items, api_cursor = read(api_cursor, until)
        items = [i for i in items if isinstance(i, dict)]
        stamps = [i.get("indexedAt") for i in items if isinstance(i.get("indexedAt"), str)]
        if top is None and stamps:
            top = max(stamps)
            top_seen = {i.get("uri") for i in items if i.get("indexedAt") == top}
        new = [i for i in items if _newer(i, floor, seen)]
        if floor is None:
            new = new[: max(0, backfill - count)]
        count += len(new)
        reached = floor is not None and len(new) < len(items)
        end = reached or not items or not api_cursor or (floor is None and count >= backfill)
        if end:
            after = _floor(top, top_seen, floor, seen)
        else:
            oldest = min(stamps) if stamps else until
            after = {**_floor(None, set(), floor, seen)}
            if resumable and oldest:
                after["walk"] = {"top": top, "top_seen": sorted(u for u in top_seen if u), "until": oldest}
        yield new, after
        if end:
            return


def search(account: Account, query: str, filters: dict[str, str], cursor: dict | None, backfill: int):
    since = (cursor or {}).get("newest")

    def read(api_cursor, until):
        params: dict[str, Any] = {"q": query, "sort": "latest", "limit": PAGE, **filters}
        if since:
            params["since"] = since
        if until:
            params["until"] = until
        if api_cursor:
            params["cursor"] = api_cursor
        body = account.call("the search", lambda c: c.app.bsky.feed.search_posts(params=params))
        return list(body.get("posts") or []), body.get("cursor")

    for items, after in walk(read, cursor, backfill, resumable=True):
        yield parse.parse_response({"posts": items}), after


def mentions(account: Account, cursor: dict | None, backfill: int) -> Iterator[tuple[list[Mention | Rejected], dict]]:
    def read(api_cursor, _until):
        params: dict[str, Any] = {"limit": PAGE, "reasons": REASONS}
        if api_cursor:
            params["cursor"] = api_cursor
        body = account.call("the notifications", lambda c: c.app.bsky.notification.list_notifications(params=params))
        return list(body.get("notifications") or []), body.get("cursor")

    for items, after in walk(read, cursor, backfill, resumable=False):
        yield parse.parse_response({"notifications": items}), after


def _newer(item: dict, floor: str | None, seen: set[str]) -> bool:
    stamp = item.get("indexedAt")
    if floor is None or not isinstance(stamp, str):
        return True
    return stamp > floor or (stamp == floor and item.get("uri") not in seen)


def _floor(top: str | None, top_seen: set, floor: str | None, seen: set) -> dict:
    """The newest instant stored and the uris stored at it (merged when the walk's top is that same instant)."""
    if top is None or (floor is not None and top < floor):
        return {"newest": floor, "seen": sorted(seen)} if floor else {}
    if top == floor:
        return {"newest": top, "seen": sorted((seen | top_seen) - {None})}
    return {"newest": top, "seen": sorted(top_seen - {None})}
