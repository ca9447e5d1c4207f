"""Fake Mastodon servers for tests: a small federation of servers on 127.0.0.1 that share posts.

    fed = Federation()
    home = fed.server("mastodon.acme.example")      # the brand's server (token TOKEN)
    other = fed.server("fosstodon.example")         # another server, read anonymously
    post = fed.post("dana@fosstodon.example", "<p>@acmecloud the deploy failed</p>", tags=["acmecloud"],
                    mentions=["acmecloud@mastodon.acme.example"])
    with fed.serving(): home.url, other.url ...

Every server knows every post under its own local id (snowflake-like, different per
server) and the same global `uri`; an account local to a server has a bare `acct` there
and `user@domain` elsewhere. Endpoints, in Mastodon's shapes (with X-RateLimit-* headers):

  GET  /api/v1/notifications?types[]=mention&min_id&max_id&limit     (token)
  GET  /api/v1/timelines/tag/NAME?min_id&max_id&limit
  GET  /api/v2/search?q&type=statuses&resolve&min_id&limit           (token; a URI with resolve finds that post)
  GET  /api/v1/statuses/ID, /api/v1/statuses/ID/context
  POST /api/v1/statuses {status, in_reply_to_id, visibility, spoiler_text} (token; Idempotency-Key honoured)
  GET  /api/v1/accounts/verify_credentials, /api/v2/instance
  POST /api/v1/accounts/ID/{mute,unmute,block,unblock}, /api/v1/statuses/ID/{mute,unmute},
       /api/v1/reports, /api/v1/notifications/ID/dismiss, /api/v1/admin/accounts/ID/action

min_id answers with the items right after it (newest first); since_id with the newest.
Knobs per server: `limit_next(n)` (429 for the next n requests, reset in `reset_in` s),
`remaining` (X-RateLimit-Remaining to send), `fail(path, status, times)`, `pause(path, skip)`,
`delay(path, seconds)`; `requests` records (method, path, params, body, token).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs

from fakes.base import FakeServer

TOKEN = "mst-acme-token-7f3a9c1e5b2d4f6a8c0e"
HOME = "mastodon.acme.example"
BRAND = "acmecloud"
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@dataclass
class Post:
    uri: str
    author: str  # user@domain
    content: str
    created: datetime
    tags: list[str]
    mentions: list[str]
    visibility: str = "public"
    spoiler: str = ""
    in_reply_to: str | None = None  # uri
    favourites: int = 0
    reblogs: int = 0
    language: str | None = "en"


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, list[str]]
    body: object = None
    token: str | None = None


class Federation:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.posts: list[Post] = []
        self.servers: dict[str, MastodonFake] = {}
        self.clock = START
        self.accounts: dict[str, int] = {}  # user@domain -> a number for ids

    def server(self, domain: str) -> MastodonFake:
        self.servers[domain] = MastodonFake(self, domain, len(self.servers))
        return self.servers[domain]

    def post(self, author: str, content: str, *, tags=(), mentions=(), reply_to: Post | None = None,
             visibility: str = "public", spoiler: str = "", at: datetime | None = None) -> Post:  # fmt: skip
        with self.lock:
            self.clock = at or self.clock + timedelta(minutes=3)
            user, domain = author.split("@")
            uri = f"https://{domain}/users/{user}/statuses/{len(self.posts) + 1000}"
            post = Post(uri, author, content, self.clock, list(tags), list(mentions), visibility, spoiler,
                        reply_to.uri if reply_to else None)  # fmt: skip
            self.posts.append(post)
            for server in self.servers.values():
                server.learn(post)
            return post

    @contextmanager
    def serving(self):
        with ExitStack() as stack:
            for server in self.servers.values():
                stack.enter_context(server.serving())
            yield self

    def account_number(self, acct: str) -> int:
        with self.lock:
            return self.accounts.setdefault(acct, len(self.accounts) + 1)


class MastodonFake(FakeServer):
    def __init__(self, federation: Federation, domain: str, index: int):
        super().__init__()
        self.fed = federation
        self.domain = domain
        self.ids: dict[str, str] = {}  # uri -> local id
        self.by_id: dict[str, Post] = {}
        self._next = itertools.count(int(f"1{index + 1}0000000000000000"))
        self.notifications: list[dict] = []  # newest last
        self._notification_ids = itertools.count(500 + index * 1000)
        self.requests: list[Request] = []
        self.idempotency: dict[str, str] = {}
        self.muted: set[str] = set()
        self.blocked: set[str] = set()
        self.muted_statuses: set[str] = set()
        self.reports: list[dict] = []
        self.dismissed: set[str] = set()
        self.admin_actions: list[tuple[str, str]] = []
        self.max_characters = 500
        self.remaining = 299
        self.reset_in = 120.0
        self._limited = 0

    # The world -------------------------------------------------------------------------------------

    def learn(self, post: Post) -> None:
        local = str(next(self._next))
        self.ids[post.uri] = local
        self.by_id[local] = post
        if self.domain == HOME and f"{BRAND}@{HOME}" in post.mentions and post.author != f"{BRAND}@{HOME}":
            self.notifications.append({"id": str(next(self._notification_ids)), "type": "mention", "uri": post.uri})

    def add_notification(self, kind: str, post: Post | None = None) -> None:
        self.notifications.append({"id": str(next(self._notification_ids)), "type": kind, "uri": post.uri if post else None})

    def id_of(self, post: Post) -> str:
        return self.ids[post.uri]

    # Faults ----------------------------------------------------------------------------------------------

    def limit_next(self, n: int = 1) -> None:
        self._limited = n

    def calls(self, path: str, method: str = "GET") -> list[Request]:
        return [r for r in self.requests if r.path == path and r.method == method]

    # Serving ------------------------------------------------------------------------------------------------

    def answer(self, method: str, path: str, params: dict, headers, body: bytes):
        path = path.rstrip("/") or "/"
        auth = headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        data: object = None
        if body:
            ctype = headers.get("Content-Type", "")
            try:
                data = json.loads(body) if "json" in ctype else {k: v if len(v) > 1 else v[0] for k, v in
                                                                  parse_qs(body.decode(), keep_blank_values=True).items()}  # fmt: skip
            except ValueError:
                data = body.decode("utf-8", "replace")
        with self.fed.lock:
            self.requests.append(Request(method, path, params, data, token))
        fault = self.take_fault(path)
        reset = datetime.now(timezone.utc) + timedelta(seconds=self.reset_in)
        limits = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": str(self.remaining),
                  "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}  # fmt: skip
        faulty = self.suffer(fault)
        if faulty is not None:
            return faulty[0], {**limits, **faulty[1]}, faulty[2]
        if self._limited:
            self._limited -= 1
            return 429, {**limits, "X-RateLimit-Remaining": "0"}, json.dumps({"error": "Too many requests"}).encode()
        if token is not None and token != TOKEN:
            return 401, limits, json.dumps({"error": "The access token is invalid"}).encode()
        with self.fed.lock:
            status, answer, extra_headers = self._route(method, path, params, data or {}, token, headers)
        return status, {**limits, **extra_headers}, json.dumps(answer).encode()

    # Routes --------------------------------------------------------------------------------------------

    def _route(self, method, path, params, data, token, headers):
        parts = path.strip("/").split("/")
        need_token = (401, {"error": "This method requires an authenticated user"}, {})
        if method == "GET" and path == "/api/v1/notifications":
            if not token:
                return need_token
            types = params.get("types[]") or params.get("types")
            items = [n for n in self.notifications if (not types or n["type"] in types) and n["id"] not in self.dismissed]
            page = _window(items, params, key=lambda n: int(n["id"]))
            return 200, [self._notification(n) for n in page], {}
        if method == "GET" and parts[:3] == ["api", "v1", "timelines"] and parts[3] == "tag":
            tag = parts[4].lower()
            posts = [p for p in self._public() if tag in p.tags]
            page = _window(posts, params, key=lambda p: int(self.ids[p.uri]))
            return 200, [self.status(p) for p in page], {}
        if method == "GET" and path == "/api/v2/search":
            if not token:
                return 200, {"accounts": [], "statuses": [], "hashtags": []}, {}  # visitors get no statuses
            q = params.get("q", [""])[0]
            if q.startswith("http") and params.get("resolve", ["false"])[0] in ("true", "1"):
                found = [p for p in self.fed.posts if p.uri == q and p.uri in self.ids]
                return 200, {"accounts": [], "statuses": [self.status(p) for p in found], "hashtags": []}, {}
            words = q.lower().split()
            posts = [p for p in self._public() if all(w in p.content.lower() for w in words)]
            page = _window(posts, params, key=lambda p: int(self.ids[p.uri]))
            return 200, {"accounts": [], "statuses": [self.status(p) for p in page], "hashtags": []}, {}
        if method == "GET" and path == "/api/v1/accounts/verify_credentials":
            if not token:
                return need_token
            return 200, self._account(f"{BRAND}@{HOME}"), {}
        if method == "GET" and path == "/api/v1/instance":
            return 200, {"uri": self.domain, "title": "Acme", "version": "4.3.0"}, {}
        if method == "GET" and path == "/api/v2/instance":
            return 200, {"domain": self.domain, "title": "Acme", "version": "4.3.0",
                         "configuration": {"statuses": {"max_characters": self.max_characters}}}, {}  # fmt: skip
        if parts[:3] == ["api", "v1", "statuses"] and len(parts) >= 4:
            post = self.by_id.get(parts[3])
            if post is None:
                return 404, {"error": "Record not found"}, {}
            if method == "GET" and len(parts) == 4:
                return 200, self.status(post), {}
            if method == "GET" and parts[4:] == ["context"]:
                return 200, self._context(post), {}
            if method == "POST" and parts[4:] in (["mute"], ["unmute"]):
                (self.muted_statuses.add if parts[4] == "mute" else self.muted_statuses.discard)(parts[3])
                return 200, self.status(post), {}
        if not token:
            return need_token
        if method == "POST" and path == "/api/v1/statuses":
            key = headers.get("Idempotency-Key")
            if key and key in self.idempotency:
                return 200, self.status(self.by_id[self.idempotency[key]]), {}
            text = str(data.get("status") or "")
            if len(text) > self.max_characters:
                return 422, {"error": f"Validation failed: Text character limit of {self.max_characters} exceeded"}, {}
            parent = self.by_id.get(str(data.get("in_reply_to_id"))) if data.get("in_reply_to_id") else None
            mentions = [m if "@" in m else f"{m}@{HOME}" for m in re.findall(r"@([\w.]+(?:@[\w.-]+)?)", text)]
            post = self.fed.post(f"{BRAND}@{HOME}", "<p>" + text + "</p>", mentions=mentions, reply_to=parent,
                                 visibility=str(data.get("visibility") or "public"),
                                 spoiler=str(data.get("spoiler_text") or ""))  # fmt: skip
            if key:
                self.idempotency[key] = self.ids[post.uri]
            return 200, self.status(post), {}
        if method == "POST" and parts[:3] == ["api", "v1", "accounts"] and parts[4] in ("mute", "unmute", "block", "unblock"):
            target = {"mute": self.muted, "unmute": self.muted, "block": self.blocked, "unblock": self.blocked}[parts[4]]
            (target.add if parts[4] in ("mute", "block") else target.discard)(parts[3])
            return 200, {"id": parts[3], "muting": parts[3] in self.muted, "blocking": parts[3] in self.blocked}, {}
        if method == "POST" and path == "/api/v1/reports":
            self.reports.append(data)
            return 200, {"id": str(len(self.reports)), "action_taken": False, "comment": data.get("comment", "")}, {}
        if method == "POST" and parts[:3] == ["api", "v1", "notifications"] and parts[4:] == ["dismiss"]:
            self.dismissed.add(parts[3])
            return 200, {}, {}
        if method == "POST" and parts[:4] == ["api", "v1", "admin", "accounts"] and parts[5:] == ["action"]:
            self.admin_actions.append((parts[4], str(data.get("type"))))
            return 200, {}, {}
        return 404, {"error": "Not found"}, {}

    # Shapes ---------------------------------------------------------------------------------------------

    def _public(self) -> list[Post]:
        return [p for p in self.fed.posts if p.visibility in ("public", "unlisted") and p.uri in self.ids]

    def _acct(self, acct: str) -> str:
        user, domain = acct.split("@")
        return user if domain == self.domain else acct

    def _account(self, acct: str) -> dict:
        user, domain = acct.split("@")
        number = self.fed.account_number(acct)
        return {"id": str(number * 7 + len(self.domain)), "username": user, "acct": self._acct(acct),
                "display_name": user.replace("_", " ").title(), "url": f"https://{domain}/@{user}",
                "followers_count": number * 11, "following_count": 3, "statuses_count": 40, "bot": False,
                "locked": False, "created_at": "2024-01-01T00:00:00.000Z", "note": "", "avatar": "", "header": "",
                "emojis": [], "fields": []}  # fmt: skip

    def status(self, p: Post) -> dict:
        replies = sum(q.in_reply_to == p.uri for q in self.fed.posts)
        return {
            "id": self.ids[p.uri], "uri": p.uri, "url": f"https://{p.author.split('@')[1]}/@{p.author.split('@')[0]}/{p.uri.rsplit('/', 1)[1]}",
            "created_at": p.created.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "account": self._account(p.author),
            "content": p.content, "visibility": p.visibility, "sensitive": bool(p.spoiler), "spoiler_text": p.spoiler,
            "in_reply_to_id": self.ids.get(p.in_reply_to) if p.in_reply_to else None,
            "in_reply_to_account_id": None, "reblog": None, "language": p.language, "replies_count": replies,
            "reblogs_count": p.reblogs, "favourites_count": p.favourites, "edited_at": None, "favourited": False,
            "reblogged": False, "muted": self.ids[p.uri] in self.muted_statuses, "bookmarked": False, "pinned": False,
            "media_attachments": [], "emojis": [], "card": None, "poll": None, "application": None,
            "mentions": [{"id": self._account(m)["id"], "username": m.split("@")[0], "acct": self._acct(m),
                          "url": f"https://{m.split('@')[1]}/@{m.split('@')[0]}"} for m in p.mentions],
            "tags": [{"name": t, "url": f"https://{self.domain}/tags/{t}"} for t in p.tags],
        }  # fmt: skip

    def _notification(self, n: dict) -> dict:
        post = next((p for p in self.fed.posts if p.uri == n["uri"]), None)
        body = {"id": n["id"], "type": n["type"], "created_at": (post.created if post else START).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "account": self._account(post.author if post else f"someone@{self.domain}")}  # fmt: skip
        if post is not None:
            body["status"] = self.status(post)
        return body

    def _context(self, post: Post) -> dict:
        down, frontier = [], {post.uri}
        while frontier:
            found = [p for p in self.fed.posts if p.in_reply_to in frontier]
            down += found
            frontier = {p.uri for p in found}
        return {"ancestors": [], "descendants": [self.status(p) for p in down]}


def _window(items: list, params: dict, key) -> list:
    """Mastodon's paging: newest first; max_id below it; min_id the items right after it; since_id the newest."""
    limit = min(int(params.get("limit", ["20"])[0]), 80)
    ordered = sorted(items, key=key, reverse=True)
    if "max_id" in params:
        ordered = [i for i in ordered if key(i) < int(params["max_id"][0])]
    if "min_id" in params:
        after = [i for i in ordered if key(i) > int(params["min_id"][0])]
        return after[-limit:]  # the ones right after min_id, still newest first
    if "since_id" in params:
        ordered = [i for i in ordered if key(i) > int(params["since_id"][0])]
    return ordered[:limit]

