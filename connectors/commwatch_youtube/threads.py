"""Walking commentThreads.list newest-first, incrementally, with complete replies.

Cursor of a thread stream (JSON, committed with each page)::

    {"newest": "2026-01-15T11:58:30+00:00",          # high-water mark of the last complete walk
     "walk": {"top": "…", "token": "…"},              # a walk down to `newest` still under way
     "replies": {"Ugx…": 12, …}}                      # threads whose replies are all stored, by reply count

A walk starts at the newest thread (order=time) and pages down until a page
holds a thread published before `newest` (or there are no more pages); then
`newest` becomes the walk's top. A walk cut short (budget, crash, error) keeps
its next page token and top in `walk`, so the next sync continues where it
stopped, then makes one pass from the top for what arrived meanwhile. A page
token YouTube no longer accepts restarts the walk from the top (refetching is
harmless: the store dedupes).

Inline replies are partial when totalReplyCount is larger. The rest is fetched
with comments.list only for threads whose count differs from `replies` (new
threads, or threads with new replies); the memory keeps the REPLY_MEMORY most
recently seen such threads. Replies from comments.list lack videoId: the
thread's video id and the comment url are filled in here.

With nothing new, a walk is one commentThreads.list request (1 unit).

Known limit: order=time sorts threads by their top-level comment, and a new
reply does not move its thread up. Each sync sees reply counts only on the pages
it reads (at least the newest 100 threads), so a new reply to an older thread
arrives only if that thread is on one of those pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from commwatch.connector import ConnectorError, PayloadError, Rejected, parse_time
from commwatch.model import Mention
from commwatch_youtube.api import Api, ApiError
from commwatch_youtube.parse import comment_url, parse_response

PAGE_SIZE = 100
REPLY_MEMORY = 500  # threads per stream whose reply count the cursor remembers
THREAD_PARAMS = {"part": "snippet,replies", "order": "time", "maxResults": PAGE_SIZE, "textFormat": "plainText"}
REPLY_PARAMS = {"part": "snippet", "maxResults": PAGE_SIZE, "textFormat": "plainText"}


@dataclass
class Step:
    """One page's worth of work: mentions and the thread cursor that follows them."""

    mentions: list[Mention]
    cursor: dict[str, Any]


@dataclass
class _Thread:
    id: str
    video_id: str | None
    published: datetime | None
    total_replies: int
    inline_replies: int


class ThreadCursor:
    def __init__(self, data: dict[str, Any] | None):
        data = data or {}
        self.newest = _time(data.get("newest"))
        walk = data.get("walk") if isinstance(data.get("walk"), dict) else {}
        self.token: str | None = walk.get("token") if isinstance(walk.get("token"), str) else None
        self.top = _time(walk.get("top")) if self.token else None
        replies = data.get("replies")
        self.replies: dict[str, int] = (
            {k: v for k, v in replies.items() if isinstance(k, str) and isinstance(v, int)}
            if isinstance(replies, dict) else {}
        )  # fmt: skip

    def dump(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.newest is not None:
            data["newest"] = self.newest.isoformat()
        if self.token:
            data["walk"] = {"token": self.token, "top": self.top.isoformat() if self.top else None}
        if self.replies:
            data["replies"] = dict(self.replies)
        return data

    def remember(self, thread_id: str, count: int) -> None:
        self.replies.pop(thread_id, None)
        self.replies[thread_id] = count  # most recent last
        while len(self.replies) > REPLY_MEMORY:
            del self.replies[next(iter(self.replies))]

    def forget(self, thread_id: str) -> None:
        self.replies.pop(thread_id, None)


def walk(api: Api, selector: dict[str, str], cursor: dict[str, Any] | None) -> Iterator[Step]:
    """Pages of new threads (with their complete replies) for one selector
    ({"allThreadsRelatedToChannelId": …} or {"videoId": …}); each Step's cursor is safe to resume from."""
    state = ThreadCursor(cursor)
    catch_up = state.token is not None  # a resumed walk is followed by one pass from the top
    restarted = False
    while True:
        token = state.token
        params = {**THREAD_PARAMS, **selector, **({"pageToken": token} if token else {})}
        try:
            body = api.read("commentThreads.list", "commentThreads", params)
        except ApiError as exc:
            if token and exc.status == 400 and not restarted:  # the page token expired: walk again from the top
                state.token = state.top = None
                catch_up, restarted = False, True
                continue
            raise
        threads = _threads(body)
        mentions = _parse(body, "commentThreads.list")
        try:
            _complete_replies(api, state, threads, into=mentions)
        except ConnectorError:
            yield Step(mentions, state.dump())  # keep what arrived; this page is asked for again
            raise

        published = [t.published for t in threads if t.published is not None]
        if published:
            state.top = max([state.top, *published]) if state.top else max(published)
        reached = state.newest is not None and any(p < state.newest for p in published)
        following = body.get("nextPageToken")
        if reached or not isinstance(following, str) or not following or following == token:
            if state.top is not None:
                state.newest = max(state.newest, state.top) if state.newest else state.top
            state.token = state.top = None
            yield Step(mentions, state.dump())
            if not catch_up:
                return
            catch_up = False
        else:
            state.token = following
            yield Step(mentions, state.dump())


def _complete_replies(api: Api, state: ThreadCursor, threads: list[_Thread], into: list[Mention]) -> None:
    """Add the replies the inline lists left out, for threads that changed since the cursor saw
    them; a thread is remembered only once all its replies are in `into`."""
    for thread in threads:
        if thread.total_replies <= thread.inline_replies:
            state.forget(thread.id)  # inline replies are complete
            continue
        if state.replies.get(thread.id) == thread.total_replies:
            state.remember(thread.id, thread.total_replies)  # unchanged: keep it fresh in memory
            continue
        try:
            fetch_replies(api, thread.id, thread.video_id, into)
        except ApiError as exc:
            if exc.status != 404:  # a thread deleted in between has nothing more to fetch
                raise
        state.remember(thread.id, thread.total_replies)


def fetch_replies(api: Api, thread_id: str, video_id: str | None, replies: list[Mention]) -> None:
    """Add every reply of a thread (comments.list?parentId=, paged) to `replies`, with the
    video id and url filled in (comments.list leaves them out)."""
    token = None
    while True:
        params = {**REPLY_PARAMS, "parentId": thread_id, **({"pageToken": token} if token else {})}
        body = api.read("comments.list", "comments", params)
        for mention in _parse(body, "comments.list"):
            if isinstance(mention, Mention) and video_id and not mention.extra.get("video_id"):
                mention = replace(
                    mention,
                    url=comment_url(video_id, mention.remote_id),
                    extra={**mention.extra, "video_id": video_id},
                )
            replies.append(mention)
        following = body.get("nextPageToken")
        if not isinstance(following, str) or not following or following == token:
            return
        token = following


def _parse(body: dict, label: str) -> list[Mention | Rejected]:
    try:
        return parse_response(body)
    except PayloadError as exc:
        raise ConnectorError(f"YouTube sent an unexpected {label} response: {exc}") from None


def _threads(body: dict) -> list[_Thread]:
    items = body.get("items")
    if not isinstance(items, list):
        return []
    threads = []
    for item in items:
        snippet = item.get("snippet") if isinstance(item, dict) else None
        if not isinstance(snippet, dict) or not isinstance(item.get("id"), str):
            continue
        top = snippet.get("topLevelComment") if isinstance(snippet.get("topLevelComment"), dict) else {}
        top_snippet = top.get("snippet") if isinstance(top.get("snippet"), dict) else {}
        replies = item.get("replies") if isinstance(item.get("replies"), dict) else {}
        inline = replies.get("comments") if isinstance(replies.get("comments"), list) else []
        total = snippet.get("totalReplyCount")
        video_id = snippet.get("videoId") or top_snippet.get("videoId")
        threads.append(
            _Thread(
                id=item["id"],
                video_id=video_id if isinstance(video_id, str) and video_id else None,
                published=_time(top_snippet.get("publishedAt")),
                total_replies=total if isinstance(total, int) and not isinstance(total, bool) else 0,
                inline_replies=len(inline),
            )
        )
    return threads


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_time(value)
    except (ValueError, OverflowError):
        return None
