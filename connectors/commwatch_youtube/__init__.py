"""YouTube Data API v3 connector: channel and video comments, replies and moderation (httpx).

Source options: ``channel_id`` (UC…, every comment on the channel and its videos),
``video_ids`` (list), ``query`` (keyword search for new videos; "" = off),
``daily_quota`` (units this source may spend per Pacific day; default 2000 of the
project's 10,000). Credentials: YOUTUBE_API_KEY for reading; YOUTUBE_CLIENT_ID,
YOUTUBE_CLIENT_SECRET and YOUTUBE_REFRESH_TOKEN for replying and moderating.

Endpoints (base ``https://youtube.googleapis.com/youtube/v3/``, or ``{api_base}/youtube/v3/``):

====================================================================  =========  ==============
request                                                               auth       quota
====================================================================  =========  ==============
GET commentThreads?part=snippet,replies&order=time&maxResults=100     key        1 unit
    &textFormat=plainText& allThreadsRelatedToChannelId= | videoId=
GET comments?parentId=…&part=snippet&textFormat=plainText             key        1 unit
GET search?part=snippet&q=…&type=video&order=date&publishedAfter=…    key        search bucket
GET channels?part=id&mine=true (once, for find_reply; doctor --live)  OAuth      1 unit
GET videos?chart=mostPopular&maxResults=1 (doctor --live, search only) key        1 unit
GET comments?parentId=… (find_reply: our own replies)                 OAuth      1 unit
POST comments?part=snippet (reply)                                    OAuth      50 units
POST comments/setModerationStatus?id=…&moderationStatus=…[&banAuthor] OAuth      50 units
POST https://oauth2.googleapis.com/token (or {api_base}/token)        refresh    free
====================================================================  =========  ==============

Streams: ``channel``, ``video:ID`` per video id, ``search`` (see streams.py and
threads.py for the cursors). Units per incremental sync with nothing new:
exactly 1 request and 1 unit per channel or video stream; the search stream
costs 1 unit per watched video plus, at most hourly, one search.list call from
the separate search bucket. New comments add 1 unit per 100 threads and 1 unit
per 100 replies of each thread whose reply count changed (partial inline replies).
Every unit is reported on a Page or on the raised error (``.units``).

Faults:
* the source's ``daily_quota`` is checked before every read; when the next request
  would pass it, fetching stops with RateLimited until midnight Pacific, keeping
  everything committed; the next sync resumes at the saved page token;
* quotaExceeded → RateLimited until midnight Pacific, and the other streams stop too;
* keyInvalid (and similar) → one sentence naming YOUTUBE_API_KEY (never its
  value, never a URL); the other streams stop too;
* commentsDisabled → remembered in the stream's cursor, not asked again for a week;
* videoNotFound → that stream fails with a sentence naming the video;
* 5xx, timeouts, dropped connections → ATTEMPTS tries with doubling backoff
  (`sleep` is replaceable), then TransientError; replies are never re-sent after
  an ambiguous failure (the outbox asks find_reply);
* a body that is not JSON → ConnectorError; HTML in error messages becomes plain text.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from commwatch.connector import (
    FETCH,
    IMPORT,
    MODERATE,
    REPLY,
    Connector,
    ConnectorError,
    Page,
    PostedReply,
    RateLimited,
    ReplyTarget,
    SourceOptionError,
    split,
)
from commwatch.model import Mention
from commwatch_youtube import quota

_ID = re.compile(r"[A-Za-z0-9_-]+")


class YouTubeConnector(Connector):
    name = "youtube"
    description = "YouTube Data API v3: channel and video comments, replies, moderation (httpx)"
    platforms = ("youtube",)
    capabilities = frozenset({IMPORT, FETCH, REPLY, MODERATE})
    credentials = ("YOUTUBE_API_KEY",)
    write_credentials = (("YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN"),)
    options = ("channel_id", "video_ids", "query", "daily_quota")
    moderation_actions = ("hold", "publish", "reject")
    reply_limit = 10_000

    # Replaceable for tests: how to wait between retries, and the per-request timeout.
    sleep: Callable[[float], None] = staticmethod(time.sleep)
    timeout: float = 20.0

    @classmethod
    def accounts(cls, source, env) -> list[str]:
        channel = source.options.get("channel_id")
        return [f"youtube:{channel.strip()}"] if isinstance(channel, str) and channel.strip() else []

    @classmethod
    def check_options(cls, options) -> None:
        _options(dict(options))

    def __init__(self, source, env):
        super().__init__(source, env)
        self.channel_id, self.video_ids, self.query, self.daily_quota = _options(source.options)
        self._meter = quota.Meter()
        self._budget = quota.Budget(
            self.daily_quota, lambda: self.units_today, self._meter, f"sources.{source.name}.daily_quota"
        )
        self._api = None
        self._halted: ConnectorError | None = None
        self._my_channel: str | None = None
        self.last_units = 0  # units the last reply / find_reply / moderate call spent

    @classmethod
    def quota_day(cls, now: datetime) -> str:
        """YouTube's quota day turns at midnight Pacific."""
        return quota.quota_day(now)

    @property
    def units_spent(self) -> int:
        """Every unit this connector spent (reads and writes) since it was built."""
        return self._meter.units

    # Fetching --------------------------------------------------------------------------

    def streams(self) -> list[str]:
        names = ["channel"] if self.channel_id else []
        names += [f"video:{v}" for v in self.video_ids]
        if self.query:
            names.append("search")
        return names

    def fetch(self, stream: str, cursor: dict[str, Any] | None) -> Iterator[Page]:
        if self._halted is not None:
            # The quota is gone or the key was refused: the source already failed with that
            # sentence, and asking again would only fail again.
            return
        try:
            for step in self._steps(stream, cursor):
                requests, units = self._meter.take()
                mentions, rejects = split(step.mentions)  # a step carries the parser's rejects too
                yield Page(mentions, step.cursor, requests=requests, units=units, rejects=rejects)
        except Exception as exc:
            _add_units(exc, self._meter.take()[1])
            from commwatch_youtube.api import KeyRejected

            if isinstance(exc, (RateLimited, KeyRejected)):
                self._halted = exc
            raise

    def _steps(self, stream: str, cursor):
        from commwatch_youtube import streams

        api = self._connect()
        if stream == "channel":
            selector = {"allThreadsRelatedToChannelId": self.channel_id}
            return streams.thread_stream(api, selector, cursor, f"channel {self.channel_id}")
        if stream.startswith("video:"):
            video_id = stream.removeprefix("video:")
            return streams.thread_stream(api, {"videoId": video_id}, cursor, f"video {video_id}")
        if stream == "search" and self.query:
            return streams.search_stream(
                api, self.query, cursor, skip_channel=self.channel_id, skip_videos=set(self.video_ids)
            )
        raise ConnectorError(f"no stream named {stream!r} in this source")

    @classmethod
    def parse(cls, payload: Any) -> list[Mention]:
        from commwatch_youtube.parse import parse_response

        return parse_response(payload)

    # Replying and moderating ---------------------------------------------------------------

    def reply(self, target: ReplyTarget, text: str) -> PostedReply:
        from commwatch_youtube import writes

        return self._write(lambda api: writes.reply(api, target, text))

    def find_reply(self, target: ReplyTarget, text: str) -> PostedReply | None:
        from commwatch_youtube import writes

        def run(api):
            if self._my_channel is None:
                self._my_channel = writes.my_channel(api)
            return writes.find_reply(api, target, text, self._my_channel)

        return self._write(run)

    def moderate(self, target: ReplyTarget, action: str, *, ban: bool = False) -> None:
        from commwatch_youtube import writes

        self._write(lambda api: writes.moderate(api, target, action, ban))

    def probe(self, *, write: bool = False) -> str:
        """Reading: one list call with the key, on what the source watches (1 unit). Replying: the
        token refresh and channels.list?mine=true (1 unit), which also names the channel we reply as."""
        from commwatch_youtube import writes

        if write:
            self.require_env(*self.write_credentials[0])
            return f"authorised as channel {self._write(writes.my_channel)} (1 quota unit)"
        if self.channel_id or self.video_ids:
            where = {"allThreadsRelatedToChannelId": self.channel_id} if self.channel_id else {"videoId": self.video_ids[0]}
            path, params = "commentThreads", {"part": "id", "maxResults": 1, **where}
        else:  # a search-only source: search.list would spend its own, scarcer quota
            path, params = "videos", {"part": "id", "chart": "mostPopular", "maxResults": 1}
        self._connect().read(f"{path}.list", path, params, budgeted=False)
        self.last_units = self._meter.take()[1]
        return f"the API key was accepted ({self.last_units} quota unit{'s' if self.last_units != 1 else ''})"

    def _write(self, call):
        """Run one outbox call; its units end up in `last_units` (and on an error's `.units`)."""
        self._meter.take()
        try:
            return call(self._connect())
        except Exception as exc:
            _add_units(exc, self._meter.pending_units)
            raise
        finally:
            self.last_units = self._meter.take()[1]

    # Plumbing -------------------------------------------------------------------------------

    def _connect(self):
        if self._api is None:
            from commwatch_youtube.api import Api

            self._api = Api(
                api_base=self.source.api_base,
                env=self.env,
                budget=self._budget,
                sleep=lambda seconds: type(self).sleep(seconds),
                timeout=self.timeout,
            )
        return self._api

    def close(self) -> None:
        if self._api is not None:
            self._api.close()


def _options(options: dict[str, Any]) -> tuple[str | None, list[str], str | None, int]:
    channel = options.get("channel_id")
    if channel is not None:
        if not isinstance(channel, str):
            raise SourceOptionError("channel_id", "must be a channel id (a string starting with UC)")
        channel = channel.strip() or None
        if channel and not (channel.startswith("UC") and _ID.fullmatch(channel)):
            raise SourceOptionError(
                "channel_id",
                f"{channel!r} is not a channel id: it starts with UC "
                "(YouTube Studio → Settings → Channel → Advanced settings)",
            )

    videos = options.get("video_ids", [])
    if not isinstance(videos, list) or not all(isinstance(v, str) for v in videos):
        raise SourceOptionError("video_ids", "must be a list of video ids (the v= part of a watch URL)")
    video_ids: list[str] = []
    for video in (v.strip() for v in videos):
        if not _ID.fullmatch(video):
            raise SourceOptionError("video_ids", f"{video!r} is not a video id (the v= part of a watch URL)")
        if video not in video_ids:
            video_ids.append(video)

    query = options.get("query", "")
    if not isinstance(query, str):
        raise SourceOptionError("query", "must be a string of YouTube search terms (\"\" to switch search off)")
    query = query.strip() or None

    daily = options.get("daily_quota", quota.DEFAULT_DAILY_QUOTA)
    if isinstance(daily, bool) or not isinstance(daily, int) or daily <= 0:
        raise SourceOptionError(
            "daily_quota",
            f"must be a positive whole number of quota units (default {quota.DEFAULT_DAILY_QUOTA}; "
            "a project has 10,000 a day)",
        )

    if not (channel or video_ids or query):
        raise SourceOptionError("channel_id", "set channel_id, video_ids or query: this source has nothing to watch")
    return channel, video_ids, query, daily


def _add_units(exc: BaseException, units: int) -> None:
    """Put quota spent by requests no Page reported on the error, for the engine to record."""
    if not units:
        return
    try:
        exc.units = getattr(exc, "units", 0) + units
    except AttributeError:  # pragma: no cover - an exception type that refuses attributes
        pass
