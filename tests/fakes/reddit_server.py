"""A fake Reddit API for tests: OAuth tokens, listings, comments and moderation over real HTTP.

``FakeReddit`` is a stdlib ThreadingHTTPServer on 127.0.0.1 (port 0). Point a
source's ``api_base`` at ``server.url``: praw asks it for tokens
(``POST /api/v1/access_token``) and sends every API call there.

What it imitates, because the connector must cope with it:

* tokens: the ``password``, ``refresh_token`` and ``client_credentials`` grants,
  HTTP Basic client authentication (401 when wrong), and a refused login
  answered as **HTTP 200** ``{"error": "invalid_grant"}``;
* every API call needs ``Authorization: bearer <token>`` (401 with a
  ``www-authenticate`` header otherwise) and answers with
  ``x-ratelimit-remaining/used/reset`` as float strings (``ratelimit_headers``
  replaces them, e.g. with the doubled values Reddit has been seen to send);
* listings in the real shape (``{"kind": "Listing", "data": {"after", "before",
  "dist", "children"}}``), newest first, paged by ``after``/``before``/``limit``
  (at most 100); an ``after`` naming an item that is not in the listing gives
  an empty page, as on Reddit;
* ``/r/{sub}/new``, ``/r/{sub}/comments``, ``/search`` (every word of ``q`` in
  the title or text), ``/message/mentions`` (username mentions **mixed with t4
  private messages**, no ``link_id``/``permalink``), ``/user/{name}/comments``,
  ``/api/v1/me``;
* ``POST /api/comment/`` (creates the comment; optionally answers with an empty
  ``things`` list or an error list), ``/api/remove/`` and ``/api/approve/``
  (``{}``; 403 when the account does not moderate the subreddit);
* private (403), banned (404) and unknown (302 to subreddit search) subreddits;
* text fields HTML-escaped unless ``raw_json=1`` (praw always sends it).

Fault knobs: ``fail(status, times, path=…, skip=…)`` for the next matching
requests after ``skip`` of them (429 with an HTML body, 500/503 with an empty
body, 401 without ``www-authenticate``, …), ``slow(seconds, path=…, skip=…)``
for a response that takes long (released at once by ``stop()``),
``comment_fault`` ("lost": the comment is created but the answer is a 500;
"empty_things"; "locked"), ``ratelimit_remaining``/``ratelimit_reset``, and
``subreddits``/``moderates`` for private, banned and unmoderated subreddits.

Every request is recorded (method, path, params, form, whose token, user agent)
so tests can count them. Each response says ``Connection: close`` when the
request did (prawcore's token requests), so a client never reuses a socket the
server is closing. The data are fictional: the brand "Acme Cloud", r/acme, u/acmecloud.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import sys
import threading
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CLIENT_ID = "acme-client-id"
CLIENT_SECRET = "acme-client-secret-0000"
USERNAME = "acmecloud"
PASSWORD = "correct-horse-battery"
REFRESH_TOKEN = "acme-refresh-token-1111"
T0 = 1767225600.0  # 2026-01-01T00:00:00Z: fixture items are created after it

HTML_429 = (
    "<!doctype html><html><head><title>Too Many Requests</title></head>"
    "<body><h1>whoa there, pardner!</h1><p>we're sorry, but you appear to be a bot…</p></body></html>"
)


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    form: dict[str, str]
    user: str | None  # whose token made it (None: app-only or no token)
    agent: str = ""  # the User-Agent header


@dataclass
class _Fault:
    status: int
    times: int
    path: str | None
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    skip: int = 0  # matching requests to let through first


@dataclass
class _Slow:
    seconds: float
    path: str | None
    skip: int = 0


class FakeReddit:
    def __init__(self, username: str = USERNAME, password: str = PASSWORD):
        self.username = username
        self.password = password
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self.refresh_token = REFRESH_TOKEN
        self.things: list[dict[str, Any]] = []  # {"kind", "data"}
        self.subreddits: dict[str, str] = {"acme": "public", "devops": "public"}  # name → public|private|banned
        self.moderates: set[str] = {"acme"}
        self.moderation: list[tuple[str, str, str]] = []  # (action, fullname, spam)
        self.requests: list[Recorded] = []
        self.tokens: dict[str, str | None] = {}  # access token → user
        self.ratelimit_remaining = 596.0
        self.ratelimit_reset = 312.0
        self.ratelimit_headers: dict[str, str] | None = None  # sent verbatim instead, when set
        self.comment_fault: str | None = None  # "empty_things" | "lost" (created, then HTTP 500) | "locked"
        self._faults: list[_Fault] = []
        self._slow: list[_Slow] = []
        self._ids = itertools.count(1000)
        self._clock = itertools.count(1)
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    # Life cycle ---------------------------------------------------------------

    def start(self) -> FakeReddit:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-reddit",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # Fixture data ---------------------------------------------------------------

    def _next(self, created: float | None) -> tuple[str, float]:
        short = _base36(next(self._ids))
        return short, created if created is not None else T0 + 60 * next(self._clock)

    def add_post(self, sub: str = "acme", title: str = "Acme Cloud question", body: str = "", *,
                 author: str = "dana_ops", created: float | None = None) -> str:  # fmt: skip
        short, created = self._next(created)
        data = {
            "id": short, "name": f"t3_{short}", "title": title, "selftext": body,
            "selftext_html": _md_html(body) if body else None, "author": author,
            "author_fullname": None if author == "[deleted]" else f"t2_{_base36(zlib.crc32(author.encode()))}",
            "subreddit": sub, "subreddit_name_prefixed": f"r/{sub}", "created": created, "created_utc": created,
            "permalink": f"/r/{sub}/comments/{short}/{_slug(title)}/",
            "url": f"https://www.reddit.com/r/{sub}/comments/{short}/{_slug(title)}/", "is_self": True,
            "num_comments": 0, "score": 1, "upvote_ratio": 1.0, "over_18": False, "edited": False,
            "removed_by_category": None, "stickied": False,
        }  # fmt: skip
        self.things.append({"kind": "t3", "data": data})
        return data["name"]

    def add_comment(self, post: str, body: str = "Acme Cloud works for us", *, author: str = "sam_dev",
                    parent: str | None = None, created: float | None = None) -> str:  # fmt: skip
        link = self.find(post)
        short, created = self._next(created)
        sub = link["subreddit"]
        data = {
            "id": short, "name": f"t1_{short}", "body": body, "body_html": _md_html(body), "author": author,
            "author_fullname": None if author == "[deleted]" else f"t2_{_base36(zlib.crc32(author.encode()))}",
            "link_id": post, "parent_id": parent or post, "subreddit": sub, "subreddit_name_prefixed": f"r/{sub}",
            "created": created, "created_utc": created, "score": 1, "edited": False, "replies": "",
            "permalink": f"/r/{sub}/comments/{post[3:]}/{_slug(link['title'])}/{short}/", "link_title": link["title"],
        }  # fmt: skip
        link["num_comments"] += 1
        self.things.append({"kind": "t1", "data": data})
        return data["name"]

    def add_mention(self, body: str = "u/acmecloud is the API down?", *, sub: str = "devops",
                    author: str = "pat_sre", created: float | None = None) -> str:  # fmt: skip
        """A username mention as /message/mentions shows it: no link_id, no permalink, a context path."""
        post = self.add_post(sub, "Deploys failing since this morning", author="someone_else")
        short, created = self._next(created)
        data = {
            "id": short, "name": f"t1_{short}", "body": body, "body_html": _md_html(body), "author": author,
            "subreddit": sub, "subreddit_name_prefixed": f"r/{sub}", "parent_id": post, "dest": self.username,
            "type": "username_mention", "subject": "username mention", "was_comment": True, "new": True,
            "context": f"/r/{sub}/comments/{post[3:]}/deploys_failing/{short}/?context=3",
            "link_title": "Deploys failing since this morning", "created": created, "created_utc": created,
            "score": 3, "replies": "", "_inbox": True,
        }  # fmt: skip
        self.things.append({"kind": "t1", "data": data})
        return data["name"]

    def add_message(self, body: str = "hi, can you DM me about pricing?", *, author: str = "lee_buyer",
                    created: float | None = None) -> str:  # fmt: skip
        """A t4 private message, which the fake mixes into /message/mentions."""
        short, created = self._next(created)
        data = {
            "id": short, "name": f"t4_{short}", "body": body, "body_html": _md_html(body), "author": author,
            "dest": self.username, "subject": "pricing", "was_comment": False, "new": True,
            "created": created, "created_utc": created, "replies": "", "_inbox": True,
        }  # fmt: skip
        self.things.append({"kind": "t4", "data": data})
        return data["name"]

    def find(self, fullname: str) -> dict[str, Any]:
        for thing in self.things:
            if thing["data"]["name"] == fullname:
                return thing["data"]
        raise KeyError(fullname)

    def delete(self, fullname: str) -> None:
        """Take an item out of every listing (Reddit drops removed items from /new)."""
        self.things = [t for t in self.things if t["data"]["name"] != fullname]

    # Fault knobs ----------------------------------------------------------------

    def fail(self, status: int, times: int = 1, *, path: str | None = None, skip: int = 0,
             retry_after: str | None = None) -> None:  # fmt: skip
        """After `skip` matching requests, the next `times` requests whose path starts with `path` answer `status`."""
        body = HTML_429 if status == 429 else ""
        headers = {"content-type": "text/html; charset=UTF-8"} if status == 429 else {}
        if retry_after is not None:
            headers["retry-after"] = retry_after
        with self._lock:
            self._faults.append(_Fault(status, times, path, body, headers, skip))

    def slow(self, seconds: float, *, path: str | None = None, skip: int = 0) -> None:
        """After `skip` matching requests, the next one whose path starts with `path` waits `seconds`."""
        with self._lock:
            self._slow.append(_Slow(seconds, path, skip))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._slow.clear()
        self.comment_fault = None

    # What happened ----------------------------------------------------------------

    def count(self, method: str | None = None, path: str | None = None) -> int:
        return len(self.calls(method, path))

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if (method is None or r.method == method)
                    and (path is None or r.path == path)]  # fmt: skip

    def api_calls(self) -> list[Recorded]:
        """Every request but the token requests."""
        return [r for r in self.calls() if r.path != "/api/v1/access_token"]

    # Internals used by the handler ------------------------------------------------

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path is None or path.startswith(fault.path):
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _take_slow(self, path: str) -> float:
        with self._lock:
            for item in self._slow:
                if item.path is None or path.startswith(item.path):
                    if item.skip > 0:
                        item.skip -= 1
                        continue
                    self._slow.remove(item)
                    return item.seconds
        return 0.0

    def _listing(self, items: list[dict[str, Any]], params: dict[str, str], raw: bool) -> dict[str, Any]:
        items = sorted(items, key=lambda t: (t["data"]["created_utc"], t["data"]["name"]), reverse=True)
        names = [t["data"]["name"] for t in items]
        limit = max(1, min(100, int(params.get("limit") or 25)))
        if params.get("after"):
            if params["after"] not in names:
                return _listing_body([], None, None)
            start = names.index(params["after"]) + 1
            page = items[start:start + limit]
        elif params.get("before"):
            if params["before"] not in names:
                return _listing_body([], None, None)
            end = names.index(params["before"])
            page = items[max(0, end - limit):end]
            start = max(0, end - limit)
        else:
            start = 0
            page = items[:limit]
        after = page[-1]["data"]["name"] if page and start + len(page) < len(items) else None
        before = page[0]["data"]["name"] if page and start > 0 else None
        return _listing_body([_public(t, raw) for t in page], after, before)


def _listing_body(children: list[dict[str, Any]], after: str | None, before: str | None) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"after": after, "dist": len(children), "modhash": None, "geo_filter": "",
                                        "children": children, "before": before}}  # fmt: skip


def _public(thing: dict[str, Any], raw: bool) -> dict[str, Any]:
    data = {k: v for k, v in thing["data"].items() if not k.startswith("_")}
    if not raw:  # without raw_json=1 Reddit escapes &, < and > in text fields
        for key in ("title", "selftext", "body"):
            if isinstance(data.get(key), str):
                data[key] = html.escape(data[key], quote=False)
    return {"kind": thing["kind"], "data": data}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that gave up (timeout, SIGKILL) is part of the tests, not a server error."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeReddit
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
        pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    # Plumbing ---------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        fake = self.fake
        parts = urlsplit(self.path)
        path = parts.path if parts.path.startswith("/api/") else (parts.path.rstrip("/") or "/")
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(self.headers.get("content-length") or 0)
        raw_body = self.rfile.read(length).decode() if length else ""
        form = {k: v[-1] for k, v in parse_qs(raw_body, keep_blank_values=True).items()}
        user = None
        token = self._bearer()
        if token is not None:
            user = fake.tokens.get(token)
        with fake._lock:
            fake.requests.append(Recorded(method, path, params, form, user, self.headers.get("user-agent") or ""))
        delay = fake._take_slow(path)
        if delay:
            fake._release.wait(delay)
        fault = fake._take_fault(path)
        if fault is not None:
            return self._send(fault.status, fault.body, fault.headers)
        if path == "/api/v1/access_token" and method == "POST":
            return self._token(form)
        if token is None or token not in fake.tokens:
            return self._send(401, {"message": "Unauthorized", "error": 401},
                              {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'})  # fmt: skip
        route = _ROUTES.get((method, _route_key(path)))
        if route is None:
            return self._send(404, {"message": "Not Found", "error": 404})
        status, body, headers = route(self, path, params, form, fake.tokens[token])
        return self._send(status, body, headers)

    def _bearer(self) -> str | None:
        value = self.headers.get("authorization") or ""
        return value[7:] if value.lower().startswith("bearer ") else None

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, str) else json.dumps(body)
        payload = data.encode()
        self.send_response(status)
        headers = dict(headers or {})
        headers.setdefault("content-type", "application/json; charset=UTF-8")
        if (self.headers.get("connection") or "").lower() == "close":
            headers["connection"] = "close"  # say so, or the client may reuse a socket this server is closing
        if self.path.split("?")[0] != "/api/v1/access_token":
            fake = self.fake
            with fake._lock:
                fake.ratelimit_remaining = max(0.0, fake.ratelimit_remaining - 1)
                used = 600.0 - fake.ratelimit_remaining
                limits = fake.ratelimit_headers or {
                    "x-ratelimit-remaining": f"{fake.ratelimit_remaining:.1f}",
                    "x-ratelimit-used": f"{used:.1f}",
                    "x-ratelimit-reset": f"{fake.ratelimit_reset:.1f}",
                }
            for name, value in limits.items():
                headers.setdefault(name, value)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    # Tokens -----------------------------------------------------------------------

    def _token(self, form: dict[str, str]) -> None:
        fake = self.fake
        expected = base64.b64encode(f"{fake.client_id}:{fake.client_secret}".encode()).decode()
        if self.headers.get("authorization") != f"Basic {expected}":
            return self._send(401, {"message": "Unauthorized", "error": 401})
        grant = form.get("grant_type")
        if grant == "password":
            if form.get("username") != fake.username or form.get("password") != fake.password:
                return self._send(200, {"error": "invalid_grant"})
            user = fake.username
        elif grant == "refresh_token":
            if form.get("refresh_token") != fake.refresh_token:
                return self._send(200, {"error": "invalid_grant"})
            user = fake.username
        elif grant == "client_credentials":
            user = None
        else:
            return self._send(200, {"error": "unsupported_grant_type"})
        token = f"tok-{len(fake.tokens) + 1}"
        fake.tokens[token] = user
        return self._send(200, {"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"})

    # API routes ---------------------------------------------------------------------

    def _subreddit_listing(self, path, params, form, user):
        _, _, sub, which = path.split("/")
        state = self.fake.subreddits.get(sub.lower())
        if state is None:
            return 302, "", {"location": f"https://www.reddit.com/subreddits/search?q={sub}"}
        if state == "private":
            return 403, {"reason": "private", "message": "Forbidden", "error": 403}, {}
        if state == "banned":
            return 404, {"reason": "banned", "message": "Not Found", "error": 404}, {}
        kind = "t3" if which == "new" else "t1"
        items = [t for t in self.fake.things if t["kind"] == kind and not t["data"].get("_inbox")
                 and t["data"]["subreddit"].lower() == sub.lower()]  # fmt: skip
        return 200, self.fake._listing(items, params, params.get("raw_json") == "1"), {}

    def _search(self, path, params, form, user):
        words = params.get("q", "").lower().split()
        items = []
        for t in self.fake.things:
            if t["kind"] != "t3":
                continue
            text = f"{t['data']['title']} {t['data']['selftext']}".lower()
            if words and all(w in text for w in words):
                items.append(t)
        return 200, self.fake._listing(items, params, params.get("raw_json") == "1"), {}

    def _mentions(self, path, params, form, user):
        if user is None:
            return _NO_USER
        items = [t for t in self.fake.things if t["data"].get("_inbox")]
        return 200, self.fake._listing(items, params, params.get("raw_json") == "1"), {}

    def _user_comments(self, path, params, form, user):
        name = path.split("/")[2]
        items = [t for t in self.fake.things if t["kind"] == "t1" and not t["data"].get("_inbox")
                 and t["data"]["author"].lower() == name.lower()]  # fmt: skip
        return 200, self.fake._listing(items, params, params.get("raw_json") == "1"), {}

    def _me(self, path, params, form, user):
        if user is None:
            return _NO_USER
        return 200, {"name": user, "id": "acme01", "created_utc": T0 - 86400 * 400, "link_karma": 10}, {}

    def _comment(self, path, params, form, user):
        fake = self.fake
        if user is None:
            return _NO_USER
        target = form.get("thing_id", "")
        try:
            parent = fake.find(target)
        except KeyError:
            return 200, {"json": {"errors": [["INVALID_THING", "that item does not exist", "thing_id"]]}}, {}
        if fake.comment_fault == "locked":
            return 200, {"json": {"errors": [["THREAD_LOCKED", "that thread is locked", "parent"]]}}, {}
        post = parent["name"] if target.startswith("t3_") else (parent.get("link_id") or parent["parent_id"])
        name = fake.add_comment(post, form.get("text", ""), author=user, parent=target)
        if fake.comment_fault == "lost":
            return 500, "", {}
        if fake.comment_fault == "empty_things":
            return 200, {"json": {"errors": [], "data": {"things": []}}}, {}
        created = _public({"kind": "t1", "data": fake.find(name)}, params.get("raw_json") == "1")
        return 200, {"json": {"errors": [], "data": {"things": [created]}}}, {}

    def _moderate(self, path, params, form, user):
        fake = self.fake
        try:
            item = fake.find(form.get("id", ""))
        except KeyError:
            return 404, {"message": "Not Found", "error": 404}, {}
        if user is None or item.get("subreddit", "").lower() not in fake.moderates:
            return 403, {"message": "Forbidden", "error": 403}, {}
        action = "approve" if "approve" in path else "remove"
        fake.moderation.append((action, item["name"], form.get("spam", "")))
        return 200, {}, {}


# What an app-only token gets from an endpoint that needs an account.
_NO_USER = (
    403,
    {"message": "Forbidden", "error": 403},
    {"www-authenticate": 'Bearer realm="reddit", error="insufficient_scope"'},
)


def _route_key(path: str) -> str:
    parts = path.split("/")
    if len(parts) == 4 and parts[1] == "r" and parts[3] in ("new", "comments"):
        return "/r/*/listing"
    if len(parts) == 4 and parts[1] == "user" and parts[3] == "comments":
        return "/user/*/comments"
    return path


_ROUTES = {
    ("GET", "/r/*/listing"): _Handler._subreddit_listing,
    ("GET", "/search"): _Handler._search,
    ("GET", "/message/mentions"): _Handler._mentions,
    ("GET", "/user/*/comments"): _Handler._user_comments,
    ("GET", "/api/v1/me"): _Handler._me,
    ("POST", "/api/comment/"): _Handler._comment,
    ("POST", "/api/remove/"): _Handler._moderate,
    ("POST", "/api/approve/"): _Handler._moderate,
}


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _slug(title: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in title.lower()).split()
    return "_".join(words)[:50] or "_"


def _md_html(text: str) -> str:
    return html.escape(f'<div class="md"><p>{html.escape(text)}</p></div>')
