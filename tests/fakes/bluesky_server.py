"""A fake Bluesky (PDS and AppView in one) for tests, speaking XRPC on 127.0.0.1 as the real one does.

    fake = BlueskyFake()
    post = fake.post("dana.bsky.social", "@acmecloud.bsky.social the deploy failed", mentions=[BRAND])
    with fake.serving() as url: ...

Endpoints under /xrpc/ (JSON; errors as {"error", "message"}; RateLimit-* headers on every answer):
  POST com.atproto.server.createSession {identifier, password}   access and refresh JWTs (with exp)
  POST com.atproto.server.refreshSession (refresh JWT)
  GET  app.bsky.actor.getProfile?actor
  GET  app.bsky.feed.searchPosts?q&sort=latest&since&until&limit&cursor[&lang&domain&tag]  (signed in)
  GET  app.bsky.notification.listNotifications?limit&cursor&reasons
  GET  app.bsky.feed.getPosts?uris, app.bsky.feed.getAuthorFeed?actor&filter&limit&cursor
  POST com.atproto.repo.createRecord / putRecord / deleteRecord; GET com.atproto.repo.getRecord
  POST app.bsky.graph.muteActor / unmuteActor / muteThread / unmuteThread
  POST com.atproto.moderation.createReport

An expired or revoked access token gets 400 ExpiredToken, as Bluesky answers. Knobs:
`limit_next(n, reset_in)` (429), and fakes.base's `fail`, `pause`, `delay` by method name,
`expire_tokens()`, `revoke_refresh()`. `requests` records (method, nsid, params, body).
"""

from __future__ import annotations

import base64
import itertools
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from fakes.base import FakeServer

BRAND = "acmecloud.bsky.social"
PASSWORD = "abcd-efgh-ijkl-mnop"
ENV = {"BLUESKY_HANDLE": BRAND, "BLUESKY_APP_PASSWORD": PASSWORD}
START = datetime(2026, 4, 1, 9, 0, tzinfo=timezone.utc)


def did_of(handle: str) -> str:
    return "did:plc:" + base64.b32encode(handle.encode()).decode().lower().rstrip("=")[:24]


@dataclass
class Post:
    uri: str
    cid: str
    author: str  # handle
    text: str
    indexed: datetime
    reply_parent: Post | None = None
    reply_root: Post | None = None
    facets: list | None = None
    quote: Post | None = None
    likes: int = 0
    langs: tuple = ("en",)


@dataclass
class Request:
    method: str
    nsid: str
    params: dict[str, list[str]]
    body: object = None


class BlueskyFake(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.posts: list[Post] = []
        self.notifications: list[dict] = []  # oldest first
        self.records: dict[tuple[str, str, str], dict] = {}  # (did, collection, rkey) -> record
        self.muted: set[str] = set()
        self.muted_threads: set[str] = set()
        self.reports: list[dict] = []
        self.requests: list[Request] = []
        self.sessions_created = 0
        self.access: dict[str, float] = {}  # token -> expiry (epoch)
        self.refresh: set[str] = set()
        self.clock = START
        self._tids = itertools.count(1)
        self._limited = 0
        self.reset_in = 30.0

    # The world --------------------------------------------------------------------------------------------

    def post(self, author: str, text: str, *, mentions=(), reply_to: Post | None = None, links: dict | None = None,
             quote: Post | None = None, at: datetime | None = None) -> Post:  # fmt: skip
        with self.lock:
            self.clock = at or self.clock + timedelta(minutes=2)
            rkey = f"3l{next(self._tids):011d}"
            post = Post(f"at://{did_of(author)}/app.bsky.feed.post/{rkey}", f"bafyrei{rkey}", author, text, self.clock,
                        reply_to, (reply_to.reply_root or reply_to) if reply_to else None, quote=quote)  # fmt: skip
            facets = []
            data = text.encode()
            for shown, uri in (links or {}).items():
                start = data.index(shown.encode())
                facets.append({"index": {"byteStart": start, "byteEnd": start + len(shown.encode())},
                               "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}]})  # fmt: skip
            for handle in mentions:
                start = data.index(f"@{handle}".encode())
                facets.append({"index": {"byteStart": start, "byteEnd": start + len(handle) + 1},
                               "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did_of(handle)}]})  # fmt: skip
            post.facets = facets or None
            self.posts.append(post)
            if author != BRAND:
                if BRAND in mentions:
                    self._notify("mention", post)
                elif reply_to is not None and reply_to.author == BRAND:
                    self._notify("reply", post)
                elif quote is not None and quote.author == BRAND:
                    self._notify("quote", post)
            return post

    def like_notification(self, post: Post) -> None:
        self._notify("like", post)

    def _notify(self, reason: str, post: Post) -> None:
        self.notifications.append({"reason": reason, "post": post, "at": post.indexed})

    # Faults -----------------------------------------------------------------------------------------------

    def limit_next(self, n: int = 1, reset_in: float = 30.0) -> None:
        self._limited, self.reset_in = n, reset_in

    def expire_tokens(self) -> None:
        with self.lock:
            self.access = {t: 0.0 for t in self.access}

    def revoke_refresh(self) -> None:
        with self.lock:
            self.refresh.clear()

    def calls(self, nsid: str) -> list[Request]:
        return [r for r in self.requests if r.nsid == nsid]

    # Serving ------------------------------------------------------------------------------------------------

    def answer(self, method: str, path: str, params: dict, headers, body: bytes):
        nsid = path.removeprefix("/xrpc/")
        data = json.loads(body) if body else None
        with self.lock:
            self.requests.append(Request(method, nsid, params, data))
        fault = self.take_fault(nsid)
        reset = int(time.time() + self.reset_in)
        limits = {"RateLimit-Limit": "3000", "RateLimit-Remaining": "2999", "RateLimit-Reset": str(reset),
                  "RateLimit-Policy": "3000;w=300"}  # fmt: skip
        faulty = self.suffer(fault)
        if faulty is not None:
            return faulty[0], {**limits, **faulty[1]}, faulty[2]
        if self._limited:
            self._limited -= 1
            body = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
            return 429, {**limits, "RateLimit-Remaining": "0"}, json.dumps(body).encode()
        with self.lock:
            status, answer = self._route(method, nsid, params, data or {}, headers.get("Authorization", ""))
        return status, limits, json.dumps(answer).encode()

    # Routes -------------------------------------------------------------------------------------------------

    def _route(self, method, nsid, params, data, auth):
        if nsid == "com.atproto.server.createSession":
            if data.get("identifier") != BRAND or data.get("password") != PASSWORD:
                return 401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
            self.sessions_created += 1
            return 200, self._session()
        if nsid == "com.atproto.server.refreshSession":
            token = auth.removeprefix("Bearer ")
            if token not in self.refresh:
                return 400, {"error": "ExpiredToken", "message": "Token has been revoked"}
            self.refresh.discard(token)
            return 200, self._session()
        token = auth.removeprefix("Bearer ")
        if not auth:
            return 401, {"error": "AuthMissing", "message": "Authentication Required"}
        if self.access.get(token, 0) < time.time():
            return 400, {"error": "ExpiredToken", "message": "Token has expired"}
        one = lambda key, default=None: params.get(key, [default])[0]  # noqa: E731
        if nsid == "app.bsky.actor.getProfile":
            handle = self._handle(one("actor"))
            block = next((f"at://{did_of(BRAND)}/app.bsky.graph.block/{k[2]}" for k, r in self.records.items()
                          if k[1] == "app.bsky.graph.block" and r.get("subject") == did_of(handle)), None)  # fmt: skip
            viewer = {"muted": did_of(handle) in self.muted, **({"blocking": block} if block else {})}
            return 200, {**self._author(handle), "followersCount": 120, "viewer": viewer}
        if nsid == "app.bsky.feed.searchPosts":
            words = one("q", "").lower().split()
            found = [p for p in self.posts if all(w in p.text.lower() for w in words)]
            if one("since"):
                found = [p for p in found if _stamp(p.indexed) >= one("since")]
            if one("until"):
                found = [p for p in found if _stamp(p.indexed) < one("until")]
            return 200, self._page("posts", sorted(found, key=lambda p: p.indexed, reverse=True), params,
                                   lambda p: self._view(p))  # fmt: skip
        if nsid == "app.bsky.notification.listNotifications":
            reasons = params.get("reasons") or params.get("reasons[]")
            items = [n for n in reversed(self.notifications) if not reasons or n["reason"] in reasons]
            return 200, self._page("notifications", items, params, self._notification)
        if nsid == "app.bsky.feed.getPosts":
            uris = params.get("uris") or params.get("uris[]") or []
            return 200, {"posts": [self._view(p) for p in self.posts if p.uri in uris]}
        if nsid == "app.bsky.feed.getAuthorFeed":
            handle = self._handle(one("actor"))
            mine = sorted((p for p in self.posts if p.author == handle), key=lambda p: p.indexed, reverse=True)
            return 200, self._page("feed", mine, params, lambda p: {"post": self._view(p)})
        if nsid == "com.atproto.repo.createRecord":
            record = data.get("record") or {}
            collection = data.get("collection")
            if collection == "app.bsky.feed.post":
                parent = (record.get("reply") or {}).get("parent") or {}
                root = (record.get("reply") or {}).get("root") or {}
                parent_post = next((p for p in self.posts if p.uri == parent.get("uri")), None)
                if parent and (parent_post is None or parent_post.cid != parent.get("cid")):
                    return 400, {"error": "InvalidRequest", "message": "reply parent not found"}
                post = self.post(BRAND, record.get("text", ""), reply_to=parent_post)
                post.reply_root = next((p for p in self.posts if p.uri == root.get("uri")), post.reply_root)
                return 200, {"uri": post.uri, "cid": post.cid}
            rkey = f"3k{next(self._tids):011d}"
            self.records[(data.get("repo"), collection, rkey)] = record
            return 200, {"uri": f"at://{data.get('repo')}/{collection}/{rkey}", "cid": f"bafyrec{rkey}"}
        if nsid in ("com.atproto.repo.putRecord", "com.atproto.repo.deleteRecord", "com.atproto.repo.getRecord"):
            key = (data.get("repo") or one("repo"), data.get("collection") or one("collection"), data.get("rkey") or one("rkey"))
            if nsid == "com.atproto.repo.getRecord":
                if key not in self.records:
                    return 400, {"error": "RecordNotFound", "message": "Could not locate record"}
                return 200, {"uri": f"at://{key[0]}/{key[1]}/{key[2]}", "value": self.records[key]}
            if nsid == "com.atproto.repo.deleteRecord":
                self.records.pop(key, None)
                return 200, {}
            self.records[key] = data.get("record") or {}
            return 200, {"uri": f"at://{key[0]}/{key[1]}/{key[2]}", "cid": "bafyput"}
        if nsid in ("app.bsky.graph.muteActor", "app.bsky.graph.unmuteActor"):
            actor = data.get("actor")
            (self.muted.add if nsid.endswith("muteActor") and not nsid.endswith("unmuteActor") else self.muted.discard)(actor)
            return 200, {}
        if nsid in ("app.bsky.graph.muteThread", "app.bsky.graph.unmuteThread"):
            (self.muted_threads.add if nsid.endswith("muteThread") and "unmute" not in nsid else self.muted_threads.discard)(data.get("root"))
            return 200, {}
        if nsid == "com.atproto.moderation.createReport":
            self.reports.append(data)
            return 200, {"id": len(self.reports), **data, "reportedBy": did_of(BRAND), "createdAt": _stamp(self.clock)}
        return 501, {"error": "MethodNotImplemented", "message": f"Method Not Implemented: {nsid}"}

    # Shapes ----------------------------------------------------------------------------------------------

    def _session(self) -> dict:
        access, refresh = _jwt("access", 3600), _jwt("refresh", 86400 * 60)
        self.access[access] = time.time() + 3600
        self.refresh.add(refresh)
        return {"did": did_of(BRAND), "handle": BRAND, "accessJwt": access, "refreshJwt": refresh, "active": True}

    def _handle(self, actor: str | None) -> str:
        for p in self.posts:
            if actor in (p.author, did_of(p.author)):
                return p.author
        return actor if actor and not actor.startswith("did:") else BRAND

    def _author(self, handle: str) -> dict:
        return {"did": did_of(handle), "handle": handle, "displayName": handle.split(".")[0].title(),
                "avatar": f"https://cdn.example/{handle}.jpg", "labels": [], "createdAt": "2024-01-01T00:00:00.000Z"}  # fmt: skip

    def _record(self, p: Post) -> dict:
        record: dict = {"$type": "app.bsky.feed.post", "createdAt": _stamp(p.indexed - timedelta(seconds=2)),
                        "langs": list(p.langs), "text": p.text}  # fmt: skip
        if p.facets:
            record["facets"] = p.facets
        if p.reply_parent:
            record["reply"] = {"parent": {"uri": p.reply_parent.uri, "cid": p.reply_parent.cid},
                               "root": {"uri": p.reply_root.uri, "cid": p.reply_root.cid}}  # fmt: skip
        if p.quote:
            record["embed"] = {"$type": "app.bsky.embed.record", "record": {"uri": p.quote.uri, "cid": p.quote.cid}}
        return record

    def _view(self, p: Post) -> dict:
        return {"uri": p.uri, "cid": p.cid, "author": self._author(p.author), "record": self._record(p),
                "replyCount": sum(q.reply_parent is p for q in self.posts), "repostCount": 0, "likeCount": p.likes,
                "quoteCount": sum(q.quote is p for q in self.posts), "indexedAt": _stamp(p.indexed), "labels": []}  # fmt: skip

    def _notification(self, n: dict) -> dict:
        p = n["post"]
        return {"uri": p.uri, "cid": p.cid, "author": self._author(p.author), "reason": n["reason"],
                "record": self._record(p), "isRead": False, "indexedAt": _stamp(n["at"]), "labels": []}  # fmt: skip

    def _page(self, key: str, items: list, params: dict, shape) -> dict:
        limit = min(int(params.get("limit", ["50"])[0]), 100)
        start = int(params.get("cursor", ["0"])[0])
        chunk = items[start : start + limit]
        body: dict = {key: [shape(i) for i in chunk]}
        if start + limit < len(items):
            body["cursor"] = str(start + limit)
        return body


def _jwt(scope: str, lifetime: int) -> str:
    def part(obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    payload = {"scope": f"com.atproto.{scope}", "sub": did_of(BRAND), "iat": int(time.time()),
               "exp": int(time.time()) + lifetime, "jti": f"{scope}-{time.time_ns()}"}  # fmt: skip
    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(payload)}.c2lnbmF0dXJl"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

