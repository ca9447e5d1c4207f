"""Paging through recent search and user mentions, with a cursor that is safe at every page.

Cursor (one per stream, committed with each page by the sync engine)::

    {"key": "<query, or the username lower-cased>",
     "since_id": "<newest post id of the last completed run>",
     "pending_newest": "<newest post id seen by the run in progress>",
     "next_token": "<where the run in progress continues>",
     "user_id": "<the mentions account's id, looked up once>"}

A run starts at the newest post and pages back to `since_id`. Its first page
records `meta.newest_id` as `pending_newest`; each page's cursor carries the
`next_token` to the following page, so a crash, a rate limit or the
`max_per_sync` budget leaves a cursor the next sync resumes from (same
`since_id`, same token). The last page (no `next_token`) promotes
`pending_newest` to `since_id`. A cursor written for another query or username
is ignored, so changing the source starts afresh.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from commwatch.connector import ConnectorError, Page, PayloadError, split

from commwatch_x.client import Api, Malformed, Refused
from commwatch_x.parse import parse_page

PAGE_SIZE = 100
MIN_PAGE = {"search": 10, "mentions": 5}  # X refuses smaller max_results
EXPANSIONS = ["author_id"]
USER_FIELDS = ["username", "name", "public_metrics", "verified"]
TWEET_FIELDS = ["created_at", "conversation_id", "in_reply_to_user_id", "public_metrics", "lang", "referenced_tweets"]


@dataclass
class Cursor:
    key: str
    since_id: str | None = None
    pending_newest: str | None = None
    next_token: str | None = None
    user_id: str | None = None

    @classmethod
    def load(cls, raw: Any, key: str) -> Cursor:
        """The stored cursor, or a fresh one when it is missing, unreadable or for another key."""
        if not isinstance(raw, dict) or raw.get("key") != key:
            return cls(key)
        cursor = cls(key)
        for name in ("since_id", "pending_newest", "user_id"):
            value = raw.get(name)
            setattr(cursor, name, value if _is_id(value) else None)
        token = raw.get("next_token")
        cursor.next_token = token if isinstance(token, str) and token else None
        return cursor

    def dump(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v is not None}

    def finish_run(self) -> None:
        self.since_id = _newer(self.pending_newest, self.since_id)
        self.pending_newest = self.next_token = None


def fetch_stream(api: Api, stream: str, raw_cursor: Any, *, query: str | None, username: str | None,
                 limit: int) -> Iterator[Page]:
    """Pages of `stream` ("search" or "mentions") newer than the cursor, at most about `limit` posts."""
    key = query if stream == "search" else username.lower()
    cursor = Cursor.load(raw_cursor, key)
    if stream == "mentions" and cursor.user_id is None:
        cursor.user_id = user_id(api, username)
    what = "recent search" if stream == "search" else f"mentions of @{username}"
    fetched, recoveries = 0, set()
    while True:
        try:
            body = _request(api, stream, cursor, query, max(MIN_PAGE[stream], min(PAGE_SIZE, limit - fetched)), what)
        except Refused as exc:
            fix = _recovery(exc, cursor)
            if fix is None or fix in recoveries:
                raise
            recoveries.add(fix)
            continue
        mentions, rejects = split(_parse(body, what))
        meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
        token = meta.get("next_token") if isinstance(meta.get("next_token"), str) else None
        if cursor.next_token is None:  # the first page of a run knows the run's newest post
            newest = meta.get("newest_id")
            cursor.pending_newest = newest if _is_id(newest) else _newest(mentions)
        fetched += len(mentions) + len(rejects)
        if token:
            cursor.next_token = token
        else:
            cursor.finish_run()
        yield Page(mentions=mentions, cursor=cursor.dump(), requests=api.take_requests(), rejects=rejects)
        if not token or fetched >= limit:
            return


def _request(api: Api, stream: str, cursor: Cursor, query: str | None, size: int, what: str) -> dict[str, Any]:
    params: dict[str, Any] = {
        "expansions": EXPANSIONS,
        "user_fields": USER_FIELDS,
        "tweet_fields": TWEET_FIELDS,
        "max_results": size,
        "since_id": cursor.since_id,
    }
    if stream == "search":
        params["next_token"] = cursor.next_token
        method, args = api.client.search_recent_tweets, (query,)
    else:
        params["pagination_token"] = cursor.next_token
        method, args = api.client.get_users_mentions, (cursor.user_id,)
    try:
        body = api.call(what, method, *args, **{k: v for k, v in params.items() if v is not None})
    except Malformed:
        raise ConnectorError(f"X sent a malformed {what} page (not JSON); the pages before it are kept") from None
    if not isinstance(body, dict):
        raise ConnectorError(f"X sent a malformed {what} page (not a JSON object); the pages before it are kept")
    return body


def _recovery(exc: Refused, cursor: Cursor) -> str | None:
    """Repair a cursor X refuses (400); the name of the repair, or None when there is none.

    A next_token X no longer accepts: restart the run from since_id (pages seen
    again are updated, never duplicated). A since_id older than search's seven
    days: drop it and take the whole window.
    """
    if exc.status != 400:
        return None
    said = exc.parameters or {p for p in ("next_token", "pagination_token", "since_id") if p in exc.reason}
    if cursor.next_token and said & {"next_token", "pagination_token"}:
        cursor.next_token = cursor.pending_newest = None
        return "token"
    if cursor.since_id and "since_id" in said:
        cursor.since_id = cursor.next_token = cursor.pending_newest = None
        return "since_id"
    return None


def user_id(api: Api, username: str) -> str:
    """The account's id (GET /2/users/by/username/:username)."""
    what = f"the lookup of @{username}"
    body = api.call(what, api.client.get_user, username=username)
    data = body.get("data") if isinstance(body, dict) else None
    user_id = data.get("id") if isinstance(data, dict) else None
    if _is_id(user_id):
        return user_id
    if isinstance(body, dict) and body.get("errors"):
        raise ConnectorError(f"X has no account @{username} to watch for mentions (check the source's mentions option)")
    raise ConnectorError(f"X sent a malformed answer to {what}")


def _parse(body: dict[str, Any], what: str) -> list:
    try:
        return parse_page(body)
    except PayloadError as exc:
        raise ConnectorError(f"X sent a malformed {what} page ({str(exc).rstrip('.')}); the pages before it are kept") from None


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20


def _newer(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return a if int(a) > int(b) else b


def _newest(mentions: list) -> str | None:
    ids = [m.remote_id for m in mentions if _is_id(m.remote_id)]
    return max(ids, key=int) if ids else None
