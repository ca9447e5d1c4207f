"""Discourse connector: a forum's new posts, searches and notifications, replies and moderation (httpx).

Why httpx and not pydiscourse: the REST API is a handful of JSON endpoints, and
commwatch needs what pydiscourse does not give: timeouts on every request, 429 waits
read from the body, retries that never repeat a post, and errors as sentences that
never carry the key. httpx is already a dependency (YouTube, webhooks).

Source options: see options.py (``site`` is required). Credentials, both optional
for reading a public forum: DISCOURSE_API_KEY and DISCOURSE_API_USERNAME (the names
may be changed per source with ``api_key_env`` / ``api_username_env``); replying,
moderating and the ``mentions`` stream need them.

====================================  =====================================  =============
stream / call                         request                                needs
====================================  =====================================  =============
latest (default)                      GET /posts.json[?before=ID]            anyone
search (``query``)                    GET /search.json?q=… order:latest      anyone
                                      + GET /t/ID/posts.json?post_ids[]=…
mentions (``mentions = true``)        GET /notifications.json[?offset=N]     key
                                      + GET /t/ID/posts.json?post_ids[]=…
categories by slug (once a day)       GET /site.json                         anyone
reply                                 POST /posts.json                       key
find_reply (after a failed attempt)   GET /t/ID.json, /t/ID/posts.json       key
moderation                            see writes.py                          staff key
====================================  =====================================  =============

A sync with nothing new asks one request per stream (see streams.py for the cursors).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from commwatch.connector import (
    FETCH,
    IMPORT,
    MODERATE,
    REPLY,
    Connector,
    ConnectorError,
    MissingCredentials,
    Page,
    PostedReply,
    RateLimited,
    ReplyTarget,
    split,
)
from commwatch.model import Mention
from commwatch_discourse.options import KEY_ENV, USERNAME_ENV, Options


class DiscourseConnector(Connector):
    name = "discourse"
    description = "Discourse forums: new posts, search, notifications, replies and moderation (httpx)"
    platforms = ("discourse",)
    capabilities = frozenset({IMPORT, FETCH, REPLY, MODERATE})
    credentials = ()  # a public forum reads anonymously
    write_credentials = ((KEY_ENV, USERNAME_ENV),)
    options = ("site", "latest", "categories", "keywords", "query", "mentions", "backfill", "api_key_env",
               "api_username_env")  # fmt: skip
    moderation_actions = ("flag-spam", "flag-inappropriate", "flag-off-topic", "notify-moderators", "hide", "unhide",
                          "delete", "recover", "lock", "unlock", "close", "open", "unlist", "list", "silence",
                          "unsilence")  # fmt: skip
    moderation_options: ClassVar[tuple[str, ...]] = ("reason", "days")
    reply_limit = 32_000  # Discourse's default max_post_length; the site's own is checked before queuing

    # Replaceable for tests: how to wait (retries, 429s), and the per-request timeout.
    sleep: Callable[[float], None] = staticmethod(time.sleep)
    timeout: float = 20.0

    @classmethod
    def check_options(cls, options) -> None:
        Options.read(options)

    @classmethod
    def variables(cls, options) -> dict[str, str]:
        read = Options.read(options)
        return {KEY_ENV: read.key_env, USERNAME_ENV: read.username_env}

    @classmethod
    def accounts(cls, source, env) -> list[str]:
        try:
            read = Options.read(source.options)
        except ConnectorError:
            return []
        username = env.get(read.username_env, "").strip()
        return [f"discourse:{username}"] if username else []

    def __init__(self, source, env):
        super().__init__(source, env)
        self.opts = Options.read(source.options)
        self._api = None
        self._numbers: dict[tuple[int, int], str] = {}  # (topic, post number) -> post id, for parents
        self._limits: tuple[int, int] | None = None
        self._halted = False

    # Fetching --------------------------------------------------------------------------------

    def streams(self) -> list[str]:
        # Mentions first: what is addressed to the brand matters most, and a post stored from a
        # notification keeps its kind (mention) when the latest stream sees it again unchanged.
        names = ["mentions"] if self.opts.mentions else []
        if self.opts.latest:
            names.append("latest")
        if self.opts.query:
            names.append("search")
        return names

    def fetch(self, stream: str, cursor: dict[str, Any] | None) -> Iterator[Page]:
        from commwatch_discourse import streams
        from commwatch_discourse.api import AccessRefused

        api = self._connect()
        if stream == "mentions" and not api.authenticated:
            raise MissingCredentials([self.opts.key_env, self.opts.username_env])
        run = {"latest": streams.latest, "search": streams.search, "mentions": streams.mentions}.get(stream)
        if run is None:
            raise ConnectorError(f"no stream named {stream!r} in this source")
        if self._halted:
            return  # the site refused the credentials or asked to wait: the source already says so
        api.take()
        try:
            for step in run(api, self.opts, cursor, self._numbers):
                mentions, rejects = split(step.mentions)
                yield Page(mentions, step.cursor, requests=step.requests, rejects=rejects)
        except (AccessRefused, RateLimited):
            self._halted = True  # every other stream would be refused alike
            raise

    @classmethod
    def parse(cls, payload: Any) -> list[Mention]:
        from commwatch_discourse.parse import parse_response

        return parse_response(payload)

    def probe(self, *, write: bool = False) -> str:
        """Reading: the newest posts (one request). Replying: who the key acts as (GET /session/current.json)."""
        api = self._connect()
        if write:
            if not api.authenticated:
                raise MissingCredentials([self.opts.key_env, self.opts.username_env])
            body = api.get("the current session", "/session/current.json")
            user = body.get("current_user") if isinstance(body, dict) else None
            name = user.get("username") if isinstance(user, dict) else None
            staff = isinstance(user, dict) and (user.get("admin") or user.get("moderator"))
            if not name:
                raise ConnectorError(f"Discourse at {api.host} did not say who the key in {self.opts.key_env} acts as")
            return f"signed in as {name}" + (" (staff: can moderate)" if staff else " (not staff: can reply, flag)")
        api.get("the latest posts", "/posts.json")
        return "reading works" + (f" as {api.username}" if api.authenticated else " anonymously")

    # Replying and moderating -------------------------------------------------------------------

    def check_reply(self, target: ReplyTarget, text: str) -> None:
        from commwatch_discourse import writes

        api = self._connect()
        if self._limits is None:
            self._limits = writes.limits(api)
        writes.check(text, self._limits, api.host)

    def reply(self, target: ReplyTarget, text: str) -> PostedReply:
        from commwatch_discourse import writes

        return writes.reply(self._writer(), target, text)

    def find_reply(self, target: ReplyTarget, text: str) -> PostedReply | None:
        from commwatch_discourse import writes

        return writes.find_reply(self._writer(), target, text)

    def moderate(self, target: ReplyTarget, action: str, *, ban: bool = False, reason: str | None = None,
                 days: int | None = None) -> None:  # fmt: skip
        from commwatch_discourse import writes

        writes.moderate(self._writer(), target, action, reason, days)

    # Plumbing -----------------------------------------------------------------------------------

    def _writer(self):
        api = self._connect()
        if not api.authenticated:
            raise MissingCredentials([self.opts.key_env, self.opts.username_env])
        return api

    def _connect(self):
        if self._api is None:
            from commwatch_discourse.api import Api

            self._api = Api(
                site=self.opts.site,
                api_base=self.source.api_base,
                key=self.env.get(self.opts.key_env),
                username=self.env.get(self.opts.username_env),
                variables=(self.opts.key_env, self.opts.username_env),
                sleep=lambda seconds: type(self).sleep(seconds),
                timeout=self.timeout,
            )
        return self._api

    def close(self) -> None:
        if self._api is not None:
            self._api.close()
