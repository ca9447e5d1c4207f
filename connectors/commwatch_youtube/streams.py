"""The three kinds of stream a YouTube source has, each a generator of Steps.

* channel   – commentThreads.list?allThreadsRelatedToChannelId=channel_id
* video:ID  – commentThreads.list?videoId=ID, one per entry of video_ids
* search    – search.list?q=query&type=video&order=date&publishedAfter=… for new
              videos (search has its own daily bucket of calls, counted in this
              cursor), whose comment threads it then watches for WATCH_FOR after
              publication (at most MAX_WATCHED videos at a time)

A video (or channel) whose comments are disabled is remembered in its cursor
(``"comments_disabled": when``) and not asked about again for RECHECK_DISABLED;
the stream stays healthy. A video that does not exist fails its stream with a
sentence naming it; the other streams carry on.

Search cursor::

    {"searched_at": "…", "day": "2026-01-15", "calls": 3,      # search.list calls this Pacific day
     "videos": {"VID": {"until": "…", "threads": {…thread cursor…}}},
     "skipped": {"VID": "commentsDisabled"}}
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from commwatch.connector import PermanentError, RateLimited, parse_time
from commwatch_youtube import quota
from commwatch_youtube.api import Api, ApiError
from commwatch_youtube.threads import Step, walk

RECHECK_DISABLED = timedelta(days=7)  # ask again whether comments are still disabled

SEARCH_INTERVAL = timedelta(hours=1)  # at most one search run per hour…
SEARCH_CALLS_PER_DAY = 24  # …and this many search.list calls per Pacific day (the project has 100)
SEARCH_PAGES_PER_RUN = 2
SEARCH_PAGE_SIZE = 50
FIRST_LOOKBACK = timedelta(days=7)  # the first search looks this far back
SEARCH_OVERLAP = timedelta(hours=1)  # search results appear late: each search overlaps the last
WATCH_FOR = timedelta(days=7)  # a found video's comments are watched this long after it was published
MAX_WATCHED = 10  # each watched video costs 1 unit per sync
MAX_SKIPPED = 50


def thread_stream(api: Api, selector: dict[str, str], cursor: dict[str, Any] | None, what: str) -> Iterator[Step]:
    """A channel or video stream. `what` names it in messages ("video abc", "channel UC…")."""
    data = dict(cursor or {})
    disabled = data.pop("comments_disabled", None)
    now = quota.utcnow()
    since = _time(disabled, None)
    if since is not None and now - since < RECHECK_DISABLED:
        return  # no request: comments were disabled recently
    last = data
    try:
        for step in walk(api, selector, data):
            last = step.cursor
            yield step
    except ApiError as exc:
        if exc.reason == "commentsDisabled":
            yield Step([], {**last, "comments_disabled": now.isoformat()})
            return
        if exc.reason in ("videoNotFound", "channelNotFound") or exc.status == 404:
            raise PermanentError(
                f"YouTube has no {what} (deleted, private, or a mistyped id): remove it from the source or fix the id"
            ) from None
        raise


def search_stream(
    api: Api,
    query: str,
    cursor: dict[str, Any] | None,
    *,
    skip_channel: str | None,
    skip_videos: set[str],
) -> Iterator[Step]:
    state = _SearchState(cursor)
    now = quota.utcnow()
    if state.search_due(now):
        failure = None
        try:
            found = _search(api, query, state, now)
        except RateLimited:  # the search bucket (or the whole quota) is used up for today
            state.calls = SEARCH_CALLS_PER_DAY
            found = []
        except ApiError as exc:
            failure, found = exc, []
        state.watch(found, now, skip_channel, skip_videos)
        yield Step([], state.dump())  # commit the calls spent and what is now watched
        if failure is not None:
            raise failure

    state.expire(now)
    for video_id in list(state.videos):
        entry = state.videos[video_id]
        try:
            for step in walk(api, {"videoId": video_id}, entry.get("threads")):
                entry["threads"] = step.cursor
                yield Step(step.mentions, state.dump())
        except ApiError as exc:
            if exc.reason not in ("commentsDisabled", "videoNotFound", "forbidden") and exc.status != 404:
                raise
            state.skip(video_id, exc.reason)  # nothing to watch there: quietly stop watching it
            yield Step([], state.dump())


def _search(api: Api, query: str, state: _SearchState, now: datetime) -> list[dict]:
    after = state.searched_at - SEARCH_OVERLAP if state.searched_at else now - FIRST_LOOKBACK
    params = {
        "part": "snippet",
        "q": query,
        "type": "video",
        "order": "date",
        "maxResults": SEARCH_PAGE_SIZE,
        "publishedAfter": after.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    items: list[dict] = []
    token = None
    for _ in range(SEARCH_PAGES_PER_RUN):
        if state.calls >= SEARCH_CALLS_PER_DAY:
            break
        state.calls += 1
        page_params = {**params, **({"pageToken": token} if token else {})}
        body = api.read("search.list", "search", page_params, cost=0, budgeted=False)  # its own bucket
        page = body.get("items")
        items += [i for i in page if isinstance(i, dict)] if isinstance(page, list) else []
        following = body.get("nextPageToken")
        if not isinstance(following, str) or not following or following == token:
            break
        token = following
    state.searched_at = now
    return items


class _SearchState:
    def __init__(self, data: dict[str, Any] | None):
        data = data or {}
        self.searched_at = _time(data.get("searched_at"), None)
        self.day = data.get("day") if isinstance(data.get("day"), str) else None
        self.calls = data.get("calls") if isinstance(data.get("calls"), int) else 0
        videos = data.get("videos") if isinstance(data.get("videos"), dict) else {}
        self.videos: dict[str, dict] = {k: dict(v) for k, v in videos.items() if isinstance(v, dict)}
        skipped = data.get("skipped") if isinstance(data.get("skipped"), dict) else {}
        self.skipped: dict[str, str] = dict(skipped)

    def search_due(self, now: datetime) -> bool:
        today = quota.quota_day(now)
        if self.day != today:
            self.day, self.calls = today, 0
        if self.calls >= SEARCH_CALLS_PER_DAY:
            return False
        return self.searched_at is None or now - self.searched_at >= SEARCH_INTERVAL

    def watch(self, items: list[dict], now: datetime, skip_channel: str | None, skip_videos: set[str]) -> None:
        for item in items:
            ident = item.get("id") if isinstance(item.get("id"), dict) else {}
            snippet = item.get("snippet") if isinstance(item.get("snippet"), dict) else {}
            video_id = ident.get("videoId")
            if not isinstance(video_id, str) or not video_id or video_id in self.videos or video_id in self.skipped:
                continue
            if video_id in skip_videos or (skip_channel and snippet.get("channelId") == skip_channel):
                continue  # the channel or video streams already cover it
            until = _time(snippet.get("publishedAt"), now) + WATCH_FOR
            if until > now:
                self.videos[video_id] = {"until": until.isoformat()}
        if len(self.videos) > MAX_WATCHED:  # keep the most recently published
            keep = sorted(self.videos, key=lambda v: self.videos[v]["until"], reverse=True)[:MAX_WATCHED]
            self.videos = {v: self.videos[v] for v in self.videos if v in keep}

    def expire(self, now: datetime) -> None:
        self.videos = {v: e for v, e in self.videos.items() if _time(e.get("until"), now) > now}

    def skip(self, video_id: str, reason: str) -> None:
        self.videos.pop(video_id, None)
        self.skipped[video_id] = reason
        while len(self.skipped) > MAX_SKIPPED:
            del self.skipped[next(iter(self.skipped))]

    def dump(self) -> dict[str, Any]:
        """A copy: the engine may store it after this generator has moved on."""
        data: dict[str, Any] = {"day": self.day, "calls": self.calls, "videos": copy.deepcopy(self.videos)}
        if self.searched_at is not None:
            data["searched_at"] = self.searched_at.isoformat()
        if self.skipped:
            data["skipped"] = dict(self.skipped)
        return data


def _time(value: Any, default):
    if isinstance(value, str):
        try:
            return parse_time(value)
        except (ValueError, OverflowError):
            pass
    return default
