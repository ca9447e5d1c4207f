"""A fake X API v2 on 127.0.0.1 for the live connector's tests (stdlib only).

State lives in memory and tests control it: users, posts (tweets), faults to
inject in the next requests. Every request is recorded (method, path, query,
headers without Authorization, body) so tests can count them.

Behaviour follows the live API where the connector depends on it: newest first;
`since_id`; `max_results` bounds (search 10-100, timelines 5-100); paging by
opaque tokens (`next_token` for search, `pagination_token` for timelines, both
answered in `meta.next_token`) that stay valid while new posts arrive; an empty
result is `{"meta": {"result_count": 0}}` with no `data`; `x-rate-limit-*`
headers on every response; reads need `Authorization: Bearer ...` (or a user
context), writes `Authorization: OAuth ...`; a missing header answers 401.

    with running() as x:
        me = x.add_user("acmecloud", me=True)
        dana = x.add_user("dana", followers=250000)
        x.add_tweets(dana, 250, "acme is down again {i}")
        x.inject("429", reset=int(time.time()) + 900, after=2)   # the third request answers 429
        ... source api_base = x.url ...
        assert x.count("GET", "/2/tweets/search/recent") == 3
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
from fnmatch import fnmatchcase
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FIRST_ID = 1850000000000000000
_TWITTER_EPOCH_MS = 1288834974657


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names; Authorization removed
    auth: str  # the Authorization scheme: "Bearer", "OAuth" or ""
    body: Any
    status: int = 0


@dataclass
class Fault:
    kind: str  # 429 | usage-capped | 5xx | status | malformed | not-x | errors | slow | slow-answer
    times: int
    path: str | None  # only requests whose path starts with this
    method: str | None
    after: int  # let this many matching requests through first
    params: dict[str, Any] = field(default_factory=dict)


class Problem(Exception):
    def __init__(self, status: int, title: str, detail: str, kind: str = "about:blank", **extra: Any):
        self.status = status
        self.body = {"title": title, "detail": detail, "type": kind, "status": status, **extra}


class FakeX:
    """The fake's state and behaviour; `url` is its base (use it as the source's api_base)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.users: dict[str, dict[str, Any]] = {}
        self.tweets: dict[str, dict[str, Any]] = {}
        self.me: str | None = None
        self.bearer: str | None = None  # when set, any other bearer token answers 401
        self.page_limit: int | None = None  # serve at most this many per page (short pages still carry a token)
        self.token_generation = 0  # bump (expire_tokens) to make outstanding tokens invalid
        self.oldest_since_id: int | None = None  # since_id below this answers 400 (search's 7-day window)
        self.reply_prefix = True  # stored reply text starts with "@author ", as X shows it
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self._next_id = FIRST_ID
        self.url = ""

    # Test controls ------------------------------------------------------------

    def add_user(self, username: str, *, followers: int = 100, name: str | None = None, me: bool = False) -> str:
        with self.lock:
            user_id = str(2000000 + len(self.users))
            self.users[user_id] = {
                "id": user_id, "username": username, "name": name or username.title(), "verified": False,
                "public_metrics": {"followers_count": followers, "following_count": 1, "tweet_count": 1, "listed_count": 0},
            }  # fmt: skip
            if me:
                self.me = user_id
            return user_id

    def add_tweet(self, author: str, text: str, *, reply_to: str | None = None) -> str:
        with self.lock:
            return self._create(author, text, reply_to)

    def add_tweets(self, author: str, count: int, text: str = "acme post {i}") -> list[str]:
        return [self.add_tweet(author, text.format(i=i)) for i in range(count)]

    def inject(self, kind: str, *, times: int = 1, path: str | None = None, method: str | None = None,
               after: int = 0, **params: Any) -> None:
        """Make the next matching request(s) fail: see Fault.kind; params: reset, status, delay, errors."""
        with self.lock:
            self.faults.append(Fault(kind, times, path, method, after, params))

    def expire_tokens(self) -> None:
        with self.lock:
            self.token_generation += 1

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """Requests recorded so far; `path` may hold * wildcards (/2/users/*/mentions)."""
        return len(self.log(method, path))

    def log(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if (method is None or r.method == method)
                    and (path is None or fnmatchcase(r.path, path))]  # fmt: skip

    def reset_log(self) -> None:
        with self.lock:
            self.requests.clear()

    # Internals ----------------------------------------------------------------

    def _create(self, author: str, text: str, reply_to: str | None) -> str:
        tweet_id = str(self._next_id)
        self._next_id += 1 << 22  # a millisecond later, in snowflake terms
        millis = (int(tweet_id) >> 22) + _TWITTER_EPOCH_MS
        created = datetime.fromtimestamp(millis / 1000, tz=timezone.utc)
        tweet = {
            "id": tweet_id, "text": text, "author_id": author, "conversation_id": tweet_id, "lang": "en",
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{created.microsecond // 1000:03d}Z",
            "edit_history_tweet_ids": [tweet_id],
            "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 1, "quote_count": 0},
        }  # fmt: skip
        if reply_to:
            parent = self.tweets[reply_to]
            tweet["conversation_id"] = parent["conversation_id"]
            tweet["in_reply_to_user_id"] = parent["author_id"]
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
        self.tweets[tweet_id] = tweet
        return tweet_id

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times <= 0 or (fault.path and not path.startswith(fault.path)):
                    continue
                if fault.method and fault.method != method:
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    return None
                fault.times -= 1
                return fault
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def _serve(self, method: str) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        authorization = self.headers.get("Authorization", "")
        record = Recorded(
            method, parts.path, query,
            {k.lower(): v for k, v in self.headers.items() if k.lower() != "authorization"},
            authorization.split(" ", 1)[0] if authorization else "", body,
        )  # fmt: skip
        with fake.lock:
            fake.requests.append(record)
        fault = fake._take_fault(method, parts.path)
        status, payload, headers = 200, None, {}
        try:
            if fault and fault.kind == "slow":
                fake.stopping.wait(fault.params.get("delay", 30))
            if fault and fault.kind not in ("slow", "slow-answer", "errors"):
                status, payload, headers = _fault_answer(fault)
            else:
                self._check_auth(fake, method, parts.path, authorization)
                with fake.lock:
                    status, payload = _route(fake, method, parts.path, query, body)
                if fault and fault.kind == "errors" and isinstance(payload, dict):
                    payload["errors"] = fault.params.get("errors") or [{
                        "value": "1849999999999999999", "detail": "Could not find tweet with ids: [1849999999999999999].",
                        "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
                        "resource_id": "1849999999999999999", "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }]  # fmt: skip
        except Problem as problem:
            status, payload = problem.status, problem.body
        if fault and fault.kind == "slow-answer":  # done, but the answer comes late (or never reaches a killed client)
            fake.stopping.wait(fault.params.get("delay", 30))
        record.status = status
        self._send(status, payload, headers)

    def _check_auth(self, fake: FakeX, method: str, path: str, authorization: str) -> None:
        scheme, _, credentials = authorization.partition(" ")
        if not authorization:
            raise Problem(401, "Unauthorized", "Unauthorized", "about:blank")
        writes = method in ("POST", "PUT") or path == "/2/users/me"
        if writes and scheme != "OAuth":
            raise Problem(403, "Unsupported Authentication",
                          "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.",
                          "https://api.twitter.com/2/problems/unsupported-authentication")  # fmt: skip
        if scheme == "Bearer" and fake.bearer is not None and credentials != fake.bearer:
            raise Problem(401, "Unauthorized", "Unauthorized", "about:blank")
        if scheme not in ("Bearer", "OAuth"):
            raise Problem(401, "Unauthorized", "Unauthorized", "about:blank")

    def _send(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            reset = str(int(time.time()) + 900)
            rate = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449", "x-rate-limit-reset": reset}
            for name, value in {**rate, **headers}.items():
                if value is not None:
                    self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeouts, kills)
            pass


def _fault_answer(fault: Fault) -> tuple[int, Any, dict[str, str | None]]:
    kind, params = fault.kind, fault.params
    if kind == "429":
        reset = params.get("reset")
        return 429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}, {
            "x-rate-limit-remaining": "0", "x-rate-limit-reset": None if reset is None else str(int(reset)),
        }  # fmt: skip
    if kind == "usage-capped":
        return 429, {
            "account_id": 1, "product_name": "standard-basic", "title": "UsageCapExceeded", "period": "Monthly",
            "scope": "Product", "detail": "Usage cap exceeded: Monthly product cap",
            "type": "https://api.twitter.com/2/problems/usage-capped",
        }, {}  # fmt: skip
    if kind == "5xx":
        status = params.get("status", 503)
        return status, {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank",
                        "status": status}, {}  # fmt: skip
    if kind == "status":
        status = params["status"]
        return status, params.get("body") or {"title": "Error", "detail": params.get("detail", "refused"),
                                              "type": "about:blank", "status": status}, {}  # fmt: skip
    if kind == "malformed":
        return 200, b'{"data": [{"id": "18500', {}
    if kind == "not-x":
        return 200, {"unexpected": True}, {}
    raise ValueError(f"unknown fault {kind!r}")


# Routes -----------------------------------------------------------------------

_USER_PATH = re.compile(r"^/2/users/(\d+)/(mentions|tweets)$")
_HIDDEN_PATH = re.compile(r"^/2/tweets/(\d+)/hidden$")


def _route(fake: FakeX, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
    if method == "GET" and path == "/2/tweets/search/recent":
        if not query.get("query"):
            raise _invalid("query", "", "The `query` query parameter can not be empty")
        needle = query["query"].lower()
        matches = [t for t in fake.tweets.values() if needle in _searchable(t)]
        return 200, _timeline(fake, matches, query, token_param="next_token", smallest=10)
    if method == "GET" and path.startswith("/2/users/by/username/"):
        username = path.rsplit("/", 1)[-1]
        for user in fake.users.values():
            if user["username"].lower() == username.lower():
                return 200, {"data": {k: user[k] for k in ("id", "name", "username")}}
        return 200, {"errors": [{"value": username, "detail": f"Could not find user with username: [{username}].",
                                 "title": "Not Found Error", "resource_type": "user", "parameter": "username",
                                 "type": "https://api.twitter.com/2/problems/resource-not-found"}]}  # fmt: skip
    if method == "GET" and path == "/2/users/me":
        user = fake.users[fake.me]
        return 200, {"data": {k: user[k] for k in ("id", "name", "username")}}
    if method == "GET" and (m := _USER_PATH.match(path)):
        user_id, kind = m.groups()
        if user_id not in fake.users:
            raise Problem(404, "Not Found Error", f"Could not find user with id: [{user_id}].")
        if kind == "mentions":
            handle = "@" + fake.users[user_id]["username"].lower()
            matches = [t for t in fake.tweets.values() if handle in _searchable(t) and t["author_id"] != user_id]
        else:
            matches = [t for t in fake.tweets.values() if t["author_id"] == user_id]
        return 200, _timeline(fake, matches, query, token_param="pagination_token", smallest=5)
    if method == "POST" and path == "/2/tweets":
        return _post(fake, body)
    if method == "PUT" and (m := _HIDDEN_PATH.match(path)):
        return _hide(fake, m.group(1), body)
    raise Problem(404, "Not Found", f"no route {method} {path} in the fake X API")


def _searchable(tweet: dict) -> str:
    """The text a search looks in (a test may have poisoned `text` with something that is not text)."""
    text = tweet["text"]
    return (text if isinstance(text, str) else json.dumps(text)).lower()


def _timeline(fake: FakeX, matches: list[dict], query: dict[str, str], *, token_param: str, smallest: int) -> dict:
    size = int(query.get("max_results", smallest))
    if not smallest <= size <= 100:
        raise _invalid("max_results", str(size), f"The `max_results` query parameter value [{size}] is not between {smallest} and 100")
    matches = sorted(matches, key=lambda t: int(t["id"]), reverse=True)
    since = query.get("since_id")
    if since:
        if fake.oldest_since_id is not None and int(since) < fake.oldest_since_id:
            raise _invalid("since_id", since, "Invalid 'since_id':'%s'. 'since_id' must be a tweet id created after the search window" % since)
        matches = [t for t in matches if int(t["id"]) > int(since)]
    token = query.get(token_param)
    if token:
        generation, below = _read_token(token)
        if generation != fake.token_generation:
            raise _invalid(token_param, token, f"The `{token_param}` query parameter value [{token}] is not valid")
        matches = [t for t in matches if int(t["id"]) < below]
    served = matches[: min(size, fake.page_limit or size)]
    if not served:
        return {"meta": {"result_count": 0}}
    meta: dict[str, Any] = {"newest_id": served[0]["id"], "oldest_id": served[-1]["id"], "result_count": len(served)}
    if len(matches) > len(served):
        meta["next_token"] = _make_token(fake.token_generation, int(served[-1]["id"]))
    return {"data": [_shape_tweet(t, query) for t in served], "includes": _includes(fake, served, query), "meta": meta}


def _shape_tweet(tweet: dict, query: dict[str, str]) -> dict:
    wanted = set(filter(None, query.get("tweet.fields", "").split(",")))
    if "author_id" in query.get("expansions", ""):
        wanted.add("author_id")
    always = {"id", "text", "edit_history_tweet_ids"}
    return {k: v for k, v in tweet.items() if k in always or k in wanted}


def _includes(fake: FakeX, tweets: list[dict], query: dict[str, str]) -> dict:
    if "author_id" not in query.get("expansions", ""):
        return {}
    wanted = set(filter(None, query.get("user.fields", "").split(","))) | {"id", "name", "username"}
    authors = dict.fromkeys(t["author_id"] for t in tweets)
    return {"users": [{k: v for k, v in fake.users[a].items() if k in wanted} for a in authors if a in fake.users]}


def _post(fake: FakeX, body: Any) -> tuple[int, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"]:
        raise _invalid("text", "", "text is required")
    parent = ((body.get("reply") or {}).get("in_reply_to_tweet_id")) or None
    if parent and parent not in fake.tweets:
        raise Problem(403, "Forbidden", "You attempted to reply to a Tweet that is deleted or not visible to you.")
    text = html.escape(body["text"], quote=False)  # X serves &, <, > as entities
    if parent and fake.reply_prefix:
        text = "@" + fake.users[fake.tweets[parent]["author_id"]]["username"] + " " + text
    if any(t["author_id"] == fake.me and t["text"] == text for t in fake.tweets.values()):
        raise Problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
    tweet_id = fake._create(fake.me, text, parent)
    return 201, {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}


def _hide(fake: FakeX, tweet_id: str, body: Any) -> tuple[int, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("hidden"), bool):
        raise _invalid("hidden", "", "hidden must be true or false")
    tweet = fake.tweets.get(tweet_id)
    if tweet is None:
        raise Problem(404, "Not Found Error", f"Could not find tweet with id: [{tweet_id}].")
    root = fake.tweets.get(tweet["conversation_id"])
    if tweet["conversation_id"] == tweet_id or root is None or root["author_id"] != fake.me:
        raise Problem(403, "Forbidden", "You attempted to hide a Tweet you cannot hide. Please check your request and try again.")
    tweet["hidden"] = body["hidden"]
    return 200, {"data": {"hidden": body["hidden"]}}


def _invalid(parameter: str, value: str, message: str) -> Problem:
    return Problem(400, "Invalid Request", "One or more parameters to your request was invalid.",
                   "https://api.twitter.com/2/problems/invalid-request",
                   errors=[{"parameters": {parameter: [value]}, "message": message}])  # fmt: skip


def _make_token(generation: int, below: int) -> str:
    return base64.urlsafe_b64encode(f"{generation}:{below}".encode()).decode().rstrip("=")


def _read_token(token: str) -> tuple[int, int]:
    try:
        generation, below = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":")
        return int(generation), int(below)
    except ValueError:
        return -1, 0


# Lifecycle ----------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeX

    def handle_error(self, request: Any, client_address: Any) -> None:  # a client that hung up is not news
        pass


@contextmanager
def running():
    """A FakeX serving on 127.0.0.1 (a free port) until the block ends."""
    fake = FakeX()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = fake
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
