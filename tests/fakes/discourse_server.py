"""A fake Discourse site for tests: a stdlib ThreadingHTTPServer on 127.0.0.1 with an in-memory
forum about the fictional brand "Acme Cloud", answering in Discourse's JSON shapes.

    fake = DiscourseFake()
    topic = fake.add_topic("Billing page broken", "The invoice page shows a 500", author="dana")
    fake.add_post(topic, "Same here since Monday", author="priya", reply_to=1)
    with fake.serving() as url: ...

Endpoints (a trailing .json is optional, as on the real site):
  GET    /posts.json[?before=ID]             {"latest_posts": [...]}, 50 newest first, cooked HTML, no raw
  GET    /t/ID.json                          topic: title, slug, category_id, tags, archetype,
                                             post_stream {posts (first 20), stream (every id)}
  GET    /t/ID/posts.json?post_ids[]=…       {"post_stream": {"posts": [...]}, "id": ID}; raw with include_raw
  GET    /posts/ID.json                      one post, with raw
  GET    /search.json?q=TERMS order:latest after:DATE&page=N
                                             posts (blurb only), topics, grouped_search_result; 50 a page
  GET    /notifications.json[?offset=N]      the Api-Username's notifications, 60 a page, newest first
  GET    /site.json                          categories, min_post_length, max_post_length
  GET    /session/current.json               {"current_user": {...}}
  POST   /posts.json                         {topic_id, raw, reply_to_post_number} → the new post; 422 on
                                             a length or duplicate error
  POST   /post_actions.json                  {id, post_action_type_id[, take_action, message]}
  PUT    /posts/ID/unhide, /posts/ID/recover, /posts/ID/locked {locked}; DELETE /posts/ID
  PUT    /t/ID/status {status: closed|visible, enabled}
  PUT    /admin/users/ID/silence {silenced_till, reason}, /admin/users/ID/unsilence

Auth: headers Api-Key and Api-Username (KEY and a username that exists); a wrong key is
403 invalid_access; `login_required` refuses visitors. Staff-only calls refuse non-staff
with 403. Fault knobs: `fail(path, status, times)`, `garbage(path)`, `pause(path, skip)`,
`limit(path, wait, times)` (429 with extras.wait_seconds and Retry-After), `delay`.
`requests` records every request (method, path, params, body, user).
"""

from __future__ import annotations

import html
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs

from fakes.base import FakeServer

KEY = "d7f3c1a9e5b24f6c8a0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f3a"
BOT = "acme_support"  # the staff account the key acts as
START = datetime(2026, 1, 10, 9, 0, tzinfo=timezone.utc)
ENV = {"DISCOURSE_API_KEY": KEY, "DISCOURSE_API_USERNAME": BOT}
CATEGORIES = [(5, "support", "Support", None), (9, "billing", "Billing", 5), (7, "announcements", "Announcements", None)]


@dataclass
class User:
    id: int
    username: str
    name: str
    trust_level: int = 1
    admin: bool = False
    moderator: bool = False
    silenced_till: str | None = None


@dataclass
class Post:
    id: int
    topic_id: int
    number: int
    user: User
    raw: str
    created: datetime
    reply_to: int | None = None
    likes: int = 0
    reads: int = 1
    hidden: bool = False
    deleted: bool = False
    locked: bool = False
    version: int = 1
    updated: datetime | None = None
    post_type: int = 1


@dataclass
class Topic:
    id: int
    title: str
    slug: str
    category_id: int
    tags: list[str]
    archetype: str = "regular"
    posts: list[Post] = field(default_factory=list)
    closed: bool = False
    visible: bool = True
    allowed: set[str] = field(default_factory=set)  # a private message's participants


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, list[str]]
    body: object = None
    user: str | None = None


class DiscourseFake(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.users: dict[str, User] = {}
        self.topics: dict[int, Topic] = {}
        self.posts: dict[int, Post] = {}
        self.notifications: list[dict] = []
        self.flags: list[tuple[int, int, str]] = []  # (post id, type, by)
        self.requests: list[Request] = []
        self.login_required = False
        self.min_post_length, self.max_post_length = 20, 32000
        self._ids = itertools.count(101)
        self._topic_ids = itertools.count(11)
        self._notification_ids = itertools.count(9001)
        self._clock = START
        self.user(BOT, "Acme Support", admin=True, trust_level=4)

    # Building the world -------------------------------------------------------------------------

    def user(self, username: str, name: str = "", **flags) -> User:
        with self.lock:
            if username not in self.users:
                self.users[username] = User(len(self.users) + 2, username, name or username.title(), **flags)
            return self.users[username]

    def tick(self) -> datetime:
        self._clock += timedelta(minutes=7)
        return self._clock

    def add_topic(self, title: str, text: str, *, author: str = "dana", category: int = 5, tags=(),
                  private_with: tuple[str, ...] = ()) -> Topic:  # fmt: skip
        with self.lock:
            topic_id = next(self._topic_ids)
            slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "topic"
            topic = Topic(topic_id, title, slug, category, list(tags), "private_message" if private_with else "regular")
            topic.allowed = set(private_with) | ({author} if private_with else set())
            self.topics[topic_id] = topic
            self.add_post(topic, text, author=author)
            return topic

    def add_post(self, topic: Topic, text: str, *, author: str = "priya", reply_to: int | None = None,
                 at: datetime | None = None) -> Post:  # fmt: skip
        with self.lock:
            post = Post(next(self._ids), topic.id, len(topic.posts) + 1, self.user(author), text, at or self.tick(),
                        reply_to)  # fmt: skip
            topic.posts.append(post)
            self.posts[post.id] = post
            for name in re.findall(r"@(\w+)", text):
                if name in self.users and name != author:
                    self.notify(name, 1, post)
            if reply_to:
                parent = topic.posts[reply_to - 1]
                if parent.user.username != author:
                    self.notify(parent.user.username, 2, post)
            if topic.archetype == "private_message":
                for name in topic.allowed - {author}:
                    self.notify(name, 6, post)
            return post

    def notify(self, username: str, kind: int, post: Post) -> None:
        topic = self.topics[post.topic_id]
        self.notifications.insert(0, {
            "id": next(self._notification_ids), "user_id": self.users[username].id, "notification_type": kind,
            "read": False, "high_priority": kind == 6, "created_at": _stamp(post.created), "post_number": post.number,
            "topic_id": topic.id, "fancy_title": topic.title, "slug": topic.slug, "_for": username,
            "data": {"topic_title": topic.title, "original_post_id": post.id, "original_post_type": 1,
                     "original_username": post.user.username, "revision_number": None,
                     "display_username": post.user.username},
        })  # fmt: skip

    def like(self, post: Post, n: int = 1) -> None:
        with self.lock:
            post.likes += n

    def edit(self, post: Post, text: str) -> None:
        with self.lock:
            post.raw, post.version, post.updated = text, post.version + 1, self.tick()

    def post_ids(self, public_only: bool = True) -> set[str]:
        with self.lock:
            return {str(p.id) for p in self.posts.values() if p.post_type == 1 and not p.deleted
                    and (not public_only or self.topics[p.topic_id].archetype == "regular")}  # fmt: skip

    # Faults and accounting -------------------------------------------------------------------------

    def too_many(self, wait: float) -> tuple[int, dict, bytes]:
        body = {"errors": [f"You\u2019ve performed this action too many times. Please wait {wait:.0f} seconds before "
                           "trying again."], "error_type": "rate_limit",
                "extras": {"wait_seconds": wait, "time_left": f"{wait:.0f} seconds"}}  # fmt: skip
        return 429, {"Retry-After": str(int(wait))}, json.dumps(body).encode()

    def calls(self, path: str, method: str = "GET") -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path and r.method == method]

    # Serving ---------------------------------------------------------------------------------------

    def answer(self, method: str, path: str, params: dict[str, list[str]], headers, body: bytes):
        """(status, headers, body bytes) for one request."""
        path = path.removesuffix(".json") if path != "/" else path
        data: object = None
        if body:
            try:
                data = json.loads(body)
            except ValueError:
                data = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
        user = self._user(headers)
        with self.lock:
            self.requests.append(Request(method, path, params, data, user.username if isinstance(user, User) else None))
        faulty = self.suffer(self.take_fault(path))
        if faulty is not None:
            return faulty
        if user == "bad key":
            return _json(403, _errors("You are not permitted to view the requested resource. The API username or key "
                                      "is invalid.", "invalid_access"))  # fmt: skip
        if user is None and self.login_required:
            return _json(403, _errors("You are not permitted to view the requested resource.", "invalid_access"))
        with self.lock:
            status, answer = self._route(method, path, params, data, user)
        return _json(status, answer)

    def _user(self, headers) -> User | str | None:
        key, name = headers.get("Api-Key"), headers.get("Api-Username")
        if key is None and name is None:
            return None
        if key != KEY or name not in self.users:
            return "bad key"
        return self.users[name]

    # Routes (under the lock) -------------------------------------------------------------------------

    def _route(self, method, path, params, data, user):
        staff = isinstance(user, User) and (user.admin or user.moderator)
        parts = path.strip("/").split("/")
        if method == "GET":
            if path == "/posts":
                return 200, {"latest_posts": self._latest(params)}
            if path == "/search":
                return 200, self._search(params)
            if path == "/notifications":
                if user is None:
                    return 403, _errors("You are not permitted to view the requested resource.", "not_logged_in")
                return 200, self._notifications(user, params)
            if path == "/site":
                categories = [{"id": i, "slug": s, "name": n, "parent_category_id": p} for i, s, n, p in CATEGORIES]
                return 200, {"categories": categories, "min_post_length": self.min_post_length,
                             "max_post_length": self.max_post_length}  # fmt: skip
            if path == "/session/current":
                if user is None:
                    return 404, _errors("The requested URL or resource could not be found.", "not_found")
                return 200, {"current_user": {"id": user.id, "username": user.username, "admin": user.admin,
                                              "moderator": user.moderator}}  # fmt: skip
            if parts[0] == "t" and len(parts) == 2 and parts[1].isdigit():
                return self._topic(int(parts[1]), user)
            if parts[0] == "t" and len(parts) == 3 and parts[2] == "posts":
                return self._topic_posts(int(parts[1]), params, user)
            if parts[0] == "posts" and len(parts) == 2 and parts[1].isdigit():
                post = self.posts.get(int(parts[1]))
                if post is None or not self._can_see(self.topics[post.topic_id], user):
                    return 404, _errors("The requested URL or resource could not be found.", "not_found")
                return 200, self._post(post, raw=True)
            return 404, _errors("The requested URL or resource could not be found.", "not_found")
        if user is None:
            return 403, _errors("You are not permitted to view the requested resource.", "not_logged_in")
        if method == "POST" and path == "/posts":
            return self._create(data or {}, user)
        if method == "POST" and path == "/post_actions":
            return self._flag(data or {}, user, staff)
        if not staff:
            return 403, _errors("You are not permitted to view the requested resource.", "invalid_access")
        if parts[0] == "posts" and parts[1].isdigit():
            post = self.posts.get(int(parts[1]))
            if post is None:
                return 404, _errors("The requested URL or resource could not be found.", "not_found")
            if method == "DELETE" and len(parts) == 2:
                post.deleted = True
            elif method == "PUT" and parts[2:] == ["recover"]:
                post.deleted = False
            elif method == "PUT" and parts[2:] == ["unhide"]:
                post.hidden = False
            elif method == "PUT" and parts[2:] == ["locked"]:
                post.locked = str((data or {}).get("locked")).lower() == "true"
            else:
                return 404, _errors("The requested URL or resource could not be found.", "not_found")
            return 200, {"success": "OK"}
        if parts[0] == "t" and parts[2:] == ["status"] and method == "PUT":
            topic = self.topics.get(int(parts[1]))
            if topic is None:
                return 404, _errors("The requested URL or resource could not be found.", "not_found")
            enabled = str(data.get("enabled")).lower() == "true"
            if data.get("status") == "closed":
                topic.closed = enabled
            elif data.get("status") == "visible":
                topic.visible = enabled
            else:
                return 400, _errors("status is not valid", "invalid_parameters")
            return 200, {"success": "OK", "topic_status_update": None}
        if parts[:2] == ["admin", "users"] and method == "PUT":
            target = next((u for u in self.users.values() if str(u.id) == parts[2]), None)
            if target is None:
                return 404, _errors("The requested URL or resource could not be found.", "not_found")
            if parts[3:] == ["silence"]:
                if not data.get("reason"):
                    return 400, _errors("param is missing or the value is empty: reason", "invalid_parameters")
                target.silenced_till = data.get("silenced_till")
                return 200, {"silence": {"silenced": True, "silence_reason": data["reason"]}}
            if parts[3:] == ["unsilence"]:
                target.silenced_till = None
                return 200, {"success": "OK"}
        return 404, _errors("The requested URL or resource could not be found.", "not_found")

    def _can_see(self, topic: Topic, user) -> bool:
        return topic.archetype == "regular" or (isinstance(user, User) and user.username in topic.allowed)

    def _visible_posts(self, user) -> list[Post]:
        return [p for p in self.posts.values() if not p.deleted and self._can_see(self.topics[p.topic_id], user)
                and self.topics[p.topic_id].archetype == "regular"]  # fmt: skip

    def _latest(self, params) -> list[dict]:
        before = int(params["before"][0]) if "before" in params else None
        found = sorted((p for p in self._visible_posts(None) if before is None or p.id < before), key=lambda p: -p.id)
        return [self._post(p, with_topic=True) for p in found[:50]]

    def _topic(self, topic_id: int, user):
        topic = self.topics.get(topic_id)
        if topic is None or not self._can_see(topic, user):
            return 404, _errors("The requested URL or resource could not be found.", "not_found")
        posts = [p for p in topic.posts if not p.deleted or (isinstance(user, User) and user.admin)]
        return 200, {"id": topic.id, "title": topic.title, "fancy_title": html.escape(topic.title), "slug": topic.slug,
                     "category_id": topic.category_id, "tags": topic.tags, "archetype": topic.archetype,
                     "posts_count": len(posts), "closed": topic.closed, "visible": topic.visible,
                     "post_stream": {"posts": [self._post(p) for p in posts[:20]], "stream": [p.id for p in posts]}}  # fmt: skip

    def _topic_posts(self, topic_id: int, params, user):
        topic = self.topics.get(topic_id)
        if topic is None or not self._can_see(topic, user):
            return 404, _errors("The requested URL or resource could not be found.", "not_found")
        wanted = {int(i) for i in params.get("post_ids[]", [])}
        raw = params.get("include_raw", ["false"])[0] == "true"
        posts = [self._post(p, raw=raw) for p in topic.posts if p.id in wanted and not p.deleted]
        return 200, {"post_stream": {"posts": posts}, "id": topic.id}

    def _search(self, params) -> dict:
        q = params.get("q", [""])[0]
        after = re.search(r"after:(\d{4}-\d{2}-\d{2})", q)
        terms = [t.lower() for t in q.split() if ":" not in t]
        page = int(params.get("page", ["1"])[0])
        since = datetime.fromisoformat(after.group(1)).replace(tzinfo=timezone.utc) if after else None
        found = [p for p in self._visible_posts(None)
                 if all(t in (p.raw + " " + self.topics[p.topic_id].title).lower() for t in terms)
                 and (since is None or p.created >= since)]  # fmt: skip
        found.sort(key=lambda p: p.created, reverse=True)
        chunk = found[(page - 1) * 50 : page * 50]
        topics = {p.topic_id for p in chunk}
        return {
            "posts": [{"id": p.id, "name": p.user.name, "username": p.user.username, "avatar_template": "/a/{size}.png",
                       "created_at": _stamp(p.created), "like_count": p.likes, "blurb": p.raw[:100] + ("…" if len(p.raw) > 100 else ""),
                       "post_number": p.number, "topic_title_headline": self.topics[p.topic_id].title,
                       "topic_id": p.topic_id} for p in chunk],  # fmt: skip
            "topics": [{"id": t.id, "title": t.title, "fancy_title": t.title, "slug": t.slug, "category_id": t.category_id,
                        "tags": t.tags, "posts_count": len(t.posts), "archetype": t.archetype}
                       for t in self.topics.values() if t.id in topics],  # fmt: skip
            "users": [], "categories": [], "tags": [], "groups": [],
            "grouped_search_result": {"more_posts": None, "more_users": None, "more_categories": None, "term": q,
                                      "search_log_id": 1, "more_full_page_results": len(found) > page * 50,
                                      "can_create_topic": True, "error": None, "post_ids": [p.id for p in chunk]},
        }  # fmt: skip

    def _notifications(self, user: User, params) -> dict:
        mine = [n for n in self.notifications if n["_for"] == user.username]
        offset = int(params.get("offset", ["0"])[0])
        chunk = [{k: v for k, v in n.items() if k != "_for"} for n in mine[offset : offset + 60]]
        more = len(mine) > offset + 60
        body = {"notifications": chunk, "total_rows_notifications": len(mine), "seen_notification_id": 0}
        if more:
            body["load_more_notifications"] = f"/notifications?offset={offset + 60}&username={user.username}"
        return body

    def _create(self, data: dict, user: User):
        topic = self.topics.get(int(data.get("topic_id") or 0))
        raw = str(data.get("raw") or "")
        if topic is None or not self._can_see(topic, user):
            return 404, _errors("The requested URL or resource could not be found.", "not_found")
        if topic.closed:
            return 403, _errors("You are not permitted to view the requested resource.", "invalid_access")
        if len(raw.strip()) < self.min_post_length:
            return 422, _errors(f"Body is too short (minimum is {self.min_post_length} characters)")
        if len(raw) > self.max_post_length:
            return 422, _errors(f"Body is too long (maximum is {self.max_post_length} characters)")
        if any(p.user is user and p.raw == raw for p in topic.posts):
            return 422, _errors("Body is too similar to what you recently posted")
        reply_to = data.get("reply_to_post_number")
        post = self.add_post(topic, raw, author=user.username, reply_to=int(reply_to) if reply_to else None)
        return 200, self._post(post, raw=True, with_topic=True)

    def _flag(self, data: dict, user: User, staff: bool):
        post = self.posts.get(int(data.get("id") or 0))
        kind = int(data.get("post_action_type_id") or 0)
        if post is None:
            return 404, _errors("The requested URL or resource could not be found.", "not_found")
        if kind not in (3, 4, 7, 8):
            return 400, _errors("post_action_type_id is not valid", "invalid_parameters")
        if str(data.get("take_action")).lower() == "true":
            if not staff:
                return 403, _errors("You are not permitted to view the requested resource.", "invalid_access")
            post.hidden = True
        elif (post.id, kind, user.username) in self.flags:
            return 422, _errors("You have already performed this action.")
        self.flags.append((post.id, kind, user.username))
        return 200, self._post(post)

    def _post(self, p: Post, *, raw: bool = False, with_topic: bool = False) -> dict:
        topic = self.topics[p.topic_id]
        out = {
            "id": p.id, "name": p.user.name, "username": p.user.username, "avatar_template": f"/user_avatar/x/{p.user.username}/{{size}}/1.png",
            "created_at": _stamp(p.created), "cooked": "" if p.hidden else _cook(p.raw), "post_number": p.number,
            "post_type": p.post_type, "updated_at": _stamp(p.updated or p.created), "reply_count": sum(q.reply_to == p.number for q in topic.posts),
            "reply_to_post_number": p.reply_to, "quote_count": 0, "incoming_link_count": 0, "reads": p.reads,
            "readers_count": p.reads - 1, "score": p.likes * 15.0, "yours": False, "topic_id": topic.id,
            "topic_slug": topic.slug, "display_username": p.user.name, "primary_group_name": None, "version": p.version,
            "can_edit": False, "can_delete": False, "can_recover": False, "user_title": None, "bookmarked": False,
            "actions_summary": [{"id": 2, "count": p.likes}] if p.likes else [], "moderator": p.user.moderator,
            "admin": p.user.admin, "staff": p.user.admin or p.user.moderator, "user_id": p.user.id, "hidden": p.hidden,
            "trust_level": p.user.trust_level, "deleted_at": _stamp(p.created) if p.deleted else None,
            "user_deleted": False, "edit_reason": None, "wiki": False, "locked": p.locked,
        }  # fmt: skip
        if p.hidden:
            out["cooked_hidden"] = True
        if with_topic:
            out |= {"topic_title": topic.title, "topic_html_title": html.escape(topic.title),
                    "category_id": topic.category_id}  # fmt: skip
        if raw:
            out["raw"] = p.raw
        return out


def _cook(raw: str) -> str:
    """Markdown the way Discourse renders the bits tests use: paragraphs, quotes, code, emoji."""
    out = []
    for block in raw.split("\n\n"):
        quote = re.fullmatch(r'\[quote="(\w+), post:(\d+), topic:(\d+)"\]\n?(.*?)\n?\[/quote\]', block, re.S)
        if quote:
            who, text = quote.group(1), html.escape(quote.group(4))
            out.append(f'<aside class="quote no-group" data-username="{who}" data-post="{quote.group(2)}" '
                       f'data-topic="{quote.group(3)}"><div class="title"><div class="quote-controls"></div>'
                       f'<img alt="" width="24" height="24" src="/a.png" class="avatar"> {who}:</div>'
                       f"<blockquote><p>{text}</p></blockquote></aside>")  # fmt: skip
        elif block.startswith("```"):
            code = html.escape(block.strip("`").split("\n", 1)[-1])
            out.append(f'<pre><code class="lang-auto">{code}</code></pre>')
        else:
            text = html.escape(block).replace("\n", "<br>\n")
            text = text.replace(":slight_smile:", '<img src="/images/emoji/twitter/slight_smile.png?v=12" '
                                'title=":slight_smile:" class="emoji" alt=":slight_smile:" loading="lazy">')  # fmt: skip
            out.append(f"<p>{text}</p>")
    return "\n".join(out)


def _errors(message: str, error_type: str | None = None) -> dict:
    body: dict = {"errors": [message]}
    if error_type:
        body["error_type"] = error_type
    return body


def _json(status: int, body: object):
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body).encode()


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

