"""A fake YouTube Data API v3 (plus Google's OAuth token endpoint) for tests.

A stdlib ThreadingHTTPServer on 127.0.0.1 with an in-memory world about the
fictional brand "Acme Cloud" that tests build and change between syncs:

    fake = YouTubeFake()
    video = fake.add_video("AcmeLaunch1")
    thread = fake.add_thread(video, "love the new dashboard", replies=12)
    with fake.serving() as base_url: ...        # or the `youtube` fixture in the tests

Endpoints (paths under /youtube/v3/ unless noted), shaped like the real API:
  GET  commentThreads  allThreadsRelatedToChannelId | videoId, order=time, maxResults, pageToken;
                       inline replies are partial (INLINE_REPLIES) when a thread has more
  GET  comments        parentId, maxResults, pageToken; replies lack videoId; pageInfo has no totalResults
  GET  search          q, type=video, order=date, publishedAfter, maxResults, pageToken
  GET  channels        mine=true (OAuth)
  GET  videos          chart=mostPopular, part=id, maxResults (the newest videos stand in for popular)
  POST comments        part=snippet, {"snippet": {"parentId", "textOriginal"}} (OAuth)
  POST comments/setModerationStatus   id, moderationStatus[, banAuthor] → 204 (OAuth)
  POST /token          grant_type=refresh_token → access token

Reads need ``key=API_KEY`` (or a Bearer token); writes need a Bearer token.
Timestamps alternate between the two forms YouTube sends (…44.000Z and …02Z).

Accounting, like the real API: list calls cost 1 unit, writes 50, search.list
one call of its own bucket (`search_calls`); a refusal for quota or credentials
(quotaExceeded, keyInvalid, 401) costs nothing, every other answer costs its
method's units. `units`, `search_calls` and `requests` (every request, in order)
let tests compare with what commwatch recorded.

Fault knobs: `fail(path, status, reason)` (the next N matching requests), `delay(path, s)`,
`pause(path)` (block a request until released), `garbage(path)` (not JSON),
`quota_limit` (units) / `quota_exceeded` / `search_limit` (calls), per-video
`comments_disabled`, unknown videos (videoNotFound), `reject_page_tokens` (as
expired), `forbid_moderation`, `expire_tokens()`, `token_lifetime`,
`revoke_refresh_token`. Error messages contain HTML like the real ones.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from fakes.base import serve

API_KEY = "AIzaFakeAcmeKey-0123456789abcdef"
CLIENT_ID = "1234-acme.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-acme-fake-secret"
REFRESH_TOKEN = "1//acme-fake-refresh-token"
ACME_CHANNEL = "UCacmecloudXq7Lm2Np4Rs8T"
OTHER_CHANNEL = "UCothercreatorB4t9Lm2Qx7"
START = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)

ENV = {
    "YOUTUBE_API_KEY": API_KEY,
    "YOUTUBE_CLIENT_ID": CLIENT_ID,
    "YOUTUBE_CLIENT_SECRET": CLIENT_SECRET,
    "YOUTUBE_REFRESH_TOKEN": REFRESH_TOKEN,
}

UNITS = {"commentThreads": 1, "comments": 1, "channels": 1, "videos": 1, "search": 0, "comments.insert": 50,
         "comments/setModerationStatus": 50}  # fmt: skip
INLINE_REPLIES = 5


@dataclass
class Comment:
    id: str
    author: str
    author_channel: str
    text: str
    published: datetime
    video_id: str | None
    parent_id: str | None = None
    updated: datetime | None = None
    likes: int = 0
    moderation: str = "published"
    millis: bool = False  # "…44.000Z" instead of "…44Z"


@dataclass
class Video:
    id: str
    channel_id: str
    title: str
    published: datetime
    comments_disabled: bool = False


@dataclass
class Thread:
    top: Comment
    replies: list[Comment] = field(default_factory=list)


@dataclass
class Request:
    method: str
    path: str  # "commentThreads", "comments", "comments/setModerationStatus", "/token"…
    params: dict[str, str]
    auth: str  # "key" | "bearer" | "none"
    status: int = 0
    units: int = 0
    body: object = None


@dataclass
class _Fault:
    path: str
    times: int
    status: int = 0
    reason: str = ""
    delay: float = 0.0
    garbage: bool = False
    pause: threading.Event | None = None
    where: dict | None = None  # only requests whose params include these


class YouTubeFake:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.videos: dict[str, Video] = {}
        self.threads: dict[str, Thread] = {}
        self.inline_replies = INLINE_REPLIES
        self.units = 0
        self.search_calls = 0
        self.requests: list[Request] = []
        self.inserted: list[Comment] = []
        self.moderated: list[dict[str, str]] = []
        self.quota_limit: int | None = None
        self.quota_exceeded = False
        self.search_limit = 100  # search.list calls per day (its own bucket)
        self.forbid_moderation = False
        self.token_lifetime = 3599
        self.revoke_refresh_token = False
        self.reject_page_tokens = 0  # refuse this many of the next page tokens (as expired)
        self.tokens: dict[str, bool] = {}  # access token → still valid
        self.paused = threading.Event()  # set while a paused request waits
        self._inflight = 0
        self._idle = threading.Condition(self.lock)
        self._faults: list[_Fault] = []
        self._clock = itertools.count()
        self._ids = itertools.count(1)
        self.url = ""

    # Building the world ----------------------------------------------------------------

    def tick(self) -> datetime:
        """A strictly later time for each new comment (minutes after START)."""
        return START + timedelta(minutes=next(self._clock))

    def add_video(self, video_id: str, *, channel: str = ACME_CHANNEL, title: str = "", published: datetime | None = None,
                  comments_disabled: bool = False) -> str:  # fmt: skip
        with self.lock:
            self.videos[video_id] = Video(video_id, channel, title or f"Acme Cloud: {video_id}",
                                          published or START, comments_disabled)  # fmt: skip
        return video_id

    def add_thread(self, video_id: str, text: str = "", *, author: str = "dana_ops", replies: int = 0,
                   at: datetime | None = None) -> str:  # fmt: skip
        with self.lock:
            n = next(self._ids)
            thread_id = f"Ugz{video_id[:8]}{n:05d}AaABAg"
            top = Comment(thread_id, author, f"UC{author[:10]:x<10}{n:012d}", text or f"comment {n} on {video_id}",
                          at or self.tick(), video_id, millis=n % 2 == 0)  # fmt: skip
            self.threads[thread_id] = Thread(top)
        for _ in range(replies):
            self.add_reply(thread_id)
        return thread_id

    def add_reply(self, thread_id: str, text: str = "", *, author: str = "priya_ops", channel: str | None = None,
                  at: datetime | None = None) -> str:  # fmt: skip
        with self.lock:
            thread = self.threads[thread_id]
            n = next(self._ids)
            reply = Comment(f"{thread_id}.9R{n:08d}", author, channel or f"UC{author[:10]:x<10}{n:012d}",
                            text or f"reply {n} in {thread_id}", at or self.tick(), thread.top.video_id,
                            parent_id=thread_id, millis=n % 3 == 0)  # fmt: skip
            thread.replies.append(reply)
            return reply.id

    def comment_ids(self) -> set[str]:
        """Every comment id in the world (top-level and replies)."""
        with self.lock:
            return {c.id for t in self.threads.values() for c in (t.top, *t.replies)}

    # Fault knobs ------------------------------------------------------------------------

    def fail(self, path: str, status: int = 503, reason: str = "backendError", *, times: int = 1, where: dict | None = None) -> None:
        self._faults.append(_Fault(path, times, status=status, reason=reason, where=where))

    def delay(self, path: str, seconds: float, *, times: int = 1) -> None:
        self._faults.append(_Fault(path, times, delay=seconds))

    def garbage(self, path: str, *, times: int = 1) -> None:
        self._faults.append(_Fault(path, times, garbage=True))

    def pause(self, path: str, *, skip: int = 0) -> threading.Event:
        """Block the (skip+1)-th next request to `path` until the returned event is set."""
        release = threading.Event()
        if skip:
            self._faults.append(_Fault(path, skip))  # a no-op fault consumes the first `skip`
        self._faults.append(_Fault(path, 1, pause=release))
        return release

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens = {t: False for t in self.tokens}

    # Accounting helpers ------------------------------------------------------------------

    def count(self, path: str, **params: str) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.path == path and all(r.params.get(k) == v for k, v in params.items()))

    def calls(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    # Serving ----------------------------------------------------------------------------------

    @contextmanager
    def serving(self):
        with serve(_handler(self)) as url:
            self.url = url
            yield url

    # Request handling (called from the server threads) ---------------------------------------------

    def handle(self, method: str, path: str, params: dict[str, str], headers, body: bytes) -> tuple[int, object]:
        auth = "bearer" if headers.get("Authorization", "").startswith("Bearer ") else ("key" if "key" in params else "none")
        record = Request(method, path, {k: v for k, v in params.items() if k != "key"}, auth)
        if body:
            try:
                record.body = json.loads(body)
            except ValueError:
                record.body = body.decode("utf-8", "replace")
        with self.lock:
            self.requests.append(record)
            self._inflight += 1
        try:
            return self._handle(method, path, params, headers, body, record)
        finally:
            with self.lock:
                self._inflight -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until no request is being answered (a client that timed out leaves one behind)."""
        with self.lock:
            self._idle.wait_for(lambda: self._inflight == 0, timeout)

    def _handle(self, method, path, params, headers, body, record) -> tuple[int, object]:
        fault = self._take_fault(path, params)
        if fault and fault.pause is not None:
            self.paused.set()
            fault.pause.wait(30)
        if fault and fault.delay:
            threading.Event().wait(fault.delay)
        status, payload, charged = self._answer(method, path, params, headers, body, fault)
        with self.lock:
            units = UNITS.get(_label(method, path), 0) if charged else 0
            record.status, record.units = status, units
            self.units += units
            if path == "search" and charged:
                self.search_calls += 1  # search.list spends its own bucket, not units
        return status, payload

    def _take_fault(self, path: str, params: dict) -> _Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.path == path and fault.times > 0 and all(params.get(k) == v for k, v in (fault.where or {}).items()):
                    fault.times -= 1
                    return fault
        return None

    def _answer(self, method, path, params, headers, body, fault) -> tuple[int, object, bool]:
        """(status, body, whether the request is charged to the project)."""
        if path == "/token":
            return (*self._token(body), False)
        label = _label(method, path)
        cost = UNITS.get(label)
        if cost is None:
            return 404, _error(404, "notFound", f"No such endpoint: {method} {path}"), False
        bearer = headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if bearer:
            if not self.tokens.get(bearer):
                return 401, _error(401, "authError", "Request had invalid authentication credentials. "
                                   "Expected OAuth 2 access token, login cookie or other valid authentication credential. "
                                   "See <a href=\"https://developers.google.com/identity/sign-in/web/devconsole-project\">this page</a>.",
                                   status="UNAUTHENTICATED"), False  # fmt: skip
        elif method == "POST" or path == "channels":
            return 401, _error(401, "required", "Login Required.", status="UNAUTHENTICATED"), False
        elif params.get("key") != API_KEY:
            return 400, _key_invalid(), False
        if self.quota_exceeded or (self.quota_limit is not None and path != "search" and self.units + cost > self.quota_limit):
            return 403, _error(403, "quotaExceeded", "The request cannot be completed because you have exceeded your "
                               "<a href=\"/youtube/v3/getting-started#quota\">quota</a>.", domain="youtube.quota"), False  # fmt: skip
        if path == "search" and self.search_calls >= self.search_limit:
            return 403, _error(403, "quotaExceeded", "The request cannot be completed because you have exceeded your "
                               "<a href=\"/youtube/v3/getting-started#quota\">quota</a>.", domain="youtube.quota"), False  # fmt: skip
        if fault and fault.status:
            return fault.status, _error(fault.status, fault.reason, "Backend <b>Error</b>: try again later."), True
        if fault and fault.garbage:
            return 200, b"<html><body>502 Bad Gateway</body></html>", True
        if label == "comments.insert":
            status, payload = self._insert(params, body)
        else:
            status, payload = getattr(self, "_" + label.replace("/", "_"))(method, params, body)
        return status, payload, True

    # Endpoints ---------------------------------------------------------------------------------------

    def _commentThreads(self, method, params, body):
        with self.lock:
            if "videoId" in params:
                video = self.videos.get(params["videoId"])
                if video is None:
                    return 404, _error(404, "videoNotFound", "The video identified by the <code><a href=\"/youtube/v3/docs/commentThreads/list#videoId\">videoId</a></code> parameter could not be found.", domain="youtube.commentThread", status="NOT_FOUND")  # fmt: skip
                if video.comments_disabled:
                    return 403, _error(403, "commentsDisabled", "The video identified by the <code><a href=\"/youtube/v3/docs/commentThreads/list#videoId\">videoId</a></code> parameter has disabled comments.", domain="youtube.commentThread")  # fmt: skip
                threads = [t for t in self.threads.values() if t.top.video_id == video.id]
            elif "allThreadsRelatedToChannelId" in params:
                channel = params["allThreadsRelatedToChannelId"]
                threads = [t for t in self.threads.values()
                           if (v := self.videos.get(t.top.video_id)) and v.channel_id == channel and not v.comments_disabled]  # fmt: skip
            else:
                return 400, _error(400, "missingRequiredParameter", "No filter selected. Expected one of: videoId, allThreadsRelatedToChannelId, id, channelId.")  # fmt: skip
            threads.sort(key=lambda t: (t.top.published, t.top.id), reverse=True)
            page, following = self._page(params, [(t.top.published, t.top.id) for t in threads], threads, default=20)
            if page is None:
                return 400, _error(400, "invalidPageToken", "The page token is not valid.")
            items = [self._thread_resource(t) for t in page]
        response = {"kind": "youtube#commentThreadListResponse", "etag": "fake-etag",
                    "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}, "items": items}  # fmt: skip
        if following:
            response["nextPageToken"] = following
        return 200, response

    def _comments(self, method, params, body):
        with self.lock:
            thread = self.threads.get(params.get("parentId", ""))
            if thread is None:
                return 404, _error(404, "commentNotFound", "The comment identified by the <code>parentId</code> parameter could not be found.", domain="youtube.comment", status="NOT_FOUND")  # fmt: skip
            replies = sorted(thread.replies, key=lambda c: (c.published, c.id))
            page, following = self._page(params, [(c.published, c.id) for c in replies], replies, default=20, descending=False)
            if page is None:
                return 400, _error(400, "invalidPageToken", "The page token is not valid.")
            items = [self._comment_resource(c, with_video=False) for c in page]
        response = {"kind": "youtube#commentListResponse", "etag": "fake-etag",
                    "pageInfo": {"resultsPerPage": len(items)}, "items": items}  # fmt: skip
        if following:
            response["nextPageToken"] = following
        return 200, response

    def _search(self, method, params, body):
        words = params.get("q", "").lower().split()
        after = _parse_time(params["publishedAfter"]) if "publishedAfter" in params else None
        with self.lock:
            videos = [v for v in self.videos.values()
                      if all(w in v.title.lower() for w in words) and (after is None or v.published > after)]  # fmt: skip
            videos.sort(key=lambda v: (v.published, v.id), reverse=True)
            page, following = self._page(params, [(v.published, v.id) for v in videos], videos, default=5, limit=50)
            if page is None:
                return 400, _error(400, "invalidPageToken", "The page token is not valid.")
        items = [{"kind": "youtube#searchResult", "etag": "fake-etag", "id": {"kind": "youtube#video", "videoId": v.id},
                  "snippet": {"publishedAt": _stamp(v.published, True), "channelId": v.channel_id, "title": v.title,
                              "description": "", "channelTitle": "Acme Cloud" if v.channel_id == ACME_CHANNEL else "Someone"}}
                 for v in page]  # fmt: skip
        response = {"kind": "youtube#searchListResponse", "regionCode": "US",
                    "pageInfo": {"totalResults": len(videos), "resultsPerPage": len(items)}, "items": items}  # fmt: skip
        if following:
            response["nextPageToken"] = following
        return 200, response

    def _channels(self, method, params, body):
        if params.get("mine") != "true":
            return 400, _error(400, "missingRequiredParameter", "No filter selected.")
        return 200, {"kind": "youtube#channelListResponse", "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
                     "items": [{"kind": "youtube#channel", "etag": "fake", "id": ACME_CHANNEL}]}  # fmt: skip

    def _videos(self, method, params, body):
        if params.get("chart") != "mostPopular" and "id" not in params:
            return 400, _error(400, "missingRequiredParameter", "No filter selected. Expected one of: myRating, chart, id")
        with self.lock:
            ids = [v for v in params["id"].split(",") if v in self.videos] if "id" in params else list(self.videos)[::-1]
        ids = ids[: int(params.get("maxResults", 5))]
        return 200, {"kind": "youtube#videoListResponse", "etag": "fake", "pageInfo": {"totalResults": len(ids), "resultsPerPage": len(ids)},
                     "items": [{"kind": "youtube#video", "etag": "fake", "id": v} for v in ids]}  # fmt: skip

    def _insert(self, params, body):
        try:
            snippet = json.loads(body)["snippet"]
            parent, text = snippet["parentId"], snippet["textOriginal"]
        except (ValueError, KeyError, TypeError):
            return 400, _error(400, "invalidValue", "The request body is not a comment resource.")
        if len(text) > 10_000:
            return 400, _error(400, "commentTextTooLong", "The comment resource that is being inserted contains too many characters in the <code>snippet.textOriginal</code> property.", domain="youtube.comment")  # fmt: skip
        with self.lock:
            if parent not in self.threads:
                return 404, _error(404, "parentNotFound", "The specified parent comment could not be found.", domain="youtube.comment", status="NOT_FOUND")  # fmt: skip
            reply_id = self.add_reply(parent, text, author="@AcmeCloud", channel=ACME_CHANNEL)
            reply = next(c for c in self.threads[parent].replies if c.id == reply_id)
            self.inserted.append(reply)
            return 200, self._comment_resource(reply, with_video=False)

    def _comments_setModerationStatus(self, method, params, body):
        if self.forbid_moderation:
            return 403, _error(403, "forbidden", "The comment could not be updated due to insufficient permissions. The request might not be properly authorized.", domain="youtube.comment")  # fmt: skip
        status = params.get("moderationStatus")
        if status not in ("heldForReview", "published", "rejected"):
            return 400, _error(400, "invalidModerationStatus", "The moderation status is not valid.")
        if params.get("banAuthor") == "true" and status != "rejected":
            return 400, _error(400, "banWithoutReject", "The <code>banAuthor</code> parameter can only be used if the <code>moderationStatus</code> parameter value is <code>rejected</code>.")  # fmt: skip
        with self.lock:
            found = [c for t in self.threads.values() for c in (t.top, *t.replies) if c.id == params.get("id")]
            if not found:
                return 404, _error(404, "commentNotFound", "The comment could not be found.", domain="youtube.comment", status="NOT_FOUND")  # fmt: skip
            found[0].moderation = status
            self.moderated.append(dict(params))
        return 204, None

    def _token(self, body: bytes) -> tuple[int, object]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("grant_type") != "refresh_token":
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type."}
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return 401, {"error": "invalid_client", "error_description": "The OAuth client was not found."}
        if form.get("refresh_token") != REFRESH_TOKEN or self.revoke_refresh_token:
            return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        with self.lock:
            token = f"ya29.fake-{next(self._ids)}"
            self.tokens[token] = True
        return 200, {"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer",
                     "scope": "https://www.googleapis.com/auth/youtube.force-ssl"}  # fmt: skip

    # Resources and paging ------------------------------------------------------------------------------

    def _page(self, params, keys, items, *, default: int, limit: int = 100, descending: bool = True):
        """(items on this page, next token); (None, None) for a token this server does not accept.
        Tokens are keyset positions, so they stay valid while comments arrive."""
        size = max(1, min(limit, int(params.get("maxResults", default))))
        start = 0
        if "pageToken" in params:
            if self.reject_page_tokens > 0:
                self.reject_page_tokens -= 1
                return None, None
            try:
                stamp, ident = json.loads(base64.urlsafe_b64decode(params["pageToken"].encode()))
                after = (_parse_time(stamp), ident)
            except (ValueError, TypeError):
                return None, None
            start = next((i for i, k in enumerate(keys) if (k < after if descending else k > after)), len(keys))
        page = items[start : start + size]
        if start + size >= len(items):
            return page, None
        last = keys[start + size - 1]
        token = base64.urlsafe_b64encode(json.dumps([last[0].isoformat(), last[1]]).encode()).decode()
        return page, token

    def _thread_resource(self, thread: Thread) -> dict:
        video = self.videos.get(thread.top.video_id)
        replies = sorted(thread.replies, key=lambda c: (c.published, c.id), reverse=True)[: self.inline_replies]
        resource = {
            "kind": "youtube#commentThread",
            "etag": "fake-etag",
            "id": thread.top.id,
            "snippet": {
                "channelId": video.channel_id if video else ACME_CHANNEL,
                "videoId": thread.top.video_id,
                "topLevelComment": self._comment_resource(thread.top, with_video=True),
                "canReply": True,
                "totalReplyCount": len(thread.replies),
                "isPublic": True,
            },
        }
        if replies:
            resource["replies"] = {"comments": [self._comment_resource(c, with_video=True) for c in replies]}
        return resource

    def _comment_resource(self, comment: Comment, *, with_video: bool) -> dict:
        video = self.videos.get(comment.video_id or "")
        snippet = {
            "channelId": video.channel_id if video else ACME_CHANNEL,
            "textDisplay": comment.text,
            "textOriginal": comment.text,
            "authorDisplayName": comment.author if comment.author.startswith("@") else f"@{comment.author}",
            "authorProfileImageUrl": f"https://yt3.ggpht.com/ytc/{comment.author.lstrip('@')}=s48-c-k-c0x00ffffff-no-rj",
            "authorChannelUrl": f"http://www.youtube.com/@{comment.author.lstrip('@')}",
            "authorChannelId": {"value": comment.author_channel},
            "canRate": True,
            "viewerRating": "none",
            "likeCount": comment.likes,
            "moderationStatus": comment.moderation,
            "publishedAt": _stamp(comment.published, comment.millis),
            "updatedAt": _stamp(comment.updated or comment.published, comment.millis),
        }
        if comment.moderation == "published":
            del snippet["moderationStatus"]
        if with_video and comment.video_id:
            snippet["videoId"] = comment.video_id
        if comment.parent_id:
            snippet["parentId"] = comment.parent_id
        return {"kind": "youtube#comment", "etag": "fake-etag", "id": comment.id, "snippet": snippet}


def _handler(fake: YouTubeFake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like Google's front ends

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def _serve(self, method: str) -> None:
            url = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = url.path.removeprefix("/youtube/v3/") if url.path.startswith("/youtube/v3/") else url.path
            status, payload = fake.handle(method, path, params, self.headers, body)
            if payload is None:
                data, kind = b"", None
            elif isinstance(payload, bytes):
                data, kind = payload, "text/html"
            else:
                data, kind = json.dumps(payload).encode(), "application/json; charset=UTF-8"
            try:
                self.send_response(status)
                if kind:
                    self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout, killed)
                self.close_connection = True

        def log_message(self, format, *args):  # quiet
            pass

    return Handler


def _error(code: int, reason: str, message: str, *, domain: str = "youtube.api", status: str | None = None) -> dict:
    statuses = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                500: "INTERNAL", 503: "UNAVAILABLE"}  # fmt: skip
    return {"error": {"code": code, "message": message,
                      "errors": [{"message": message, "domain": domain, "reason": reason}],
                      "status": status or statuses.get(code, "UNKNOWN")}}  # fmt: skip


def _key_invalid() -> dict:
    body = _error(400, "badRequest", "API key not valid. Please pass a valid API key.", domain="global")
    body["error"]["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                                 "domain": "googleapis.com", "metadata": {"service": "youtube.googleapis.com"}}]  # fmt: skip
    return body


def _label(method: str, path: str) -> str:
    return "comments.insert" if (method, path) == ("POST", "comments") else path


def _stamp(moment: datetime, millis: bool) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (".000Z" if millis else "Z")


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
