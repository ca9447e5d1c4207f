"""Mastodon connector: mentions, hashtags and search across servers, replies and moderation (Mastodon.py).

One source is one account on one server (``instance``), its token in MASTODON_ACCESS_TOKEN
(another variable per source with ``token_env``, so several servers can coexist). Hashtags
may also be read anonymously on other servers (``public_instances``): each server knows a
different part of the federation, and a post seen through two of them is one mention
(its global ``uri``). See options.py for every option, streams.py for the cursors,
writes.py for replying and moderating.

=============================  ============================================  ===========
stream                         request                                       needs
=============================  ============================================  ===========
mentions (default)             GET /api/v1/notifications?types[]=mention      token
tag:NAME                       GET /api/v1/timelines/tag/NAME                 (public)
tag:NAME@HOST                  the same on a public instance                  nothing
search (``query``)             GET /api/v2/search?type=statuses               token
=============================  ============================================  ===========
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

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
from commwatch_mastodon.options import TOKEN_ENV, Options


class MastodonConnector(Connector):
    name = "mastodon"
    description = "Mastodon: mentions, hashtags and search across servers, replies and moderation (Mastodon.py)"
    platforms = ("mastodon",)
    capabilities = frozenset({IMPORT, FETCH, REPLY, MODERATE})
    credentials = ()  # hashtags read anonymously; mentions and search say what they need
    write_credentials = ((TOKEN_ENV,),)
    options = ("instance", "account", "mentions", "hashtags", "query", "public_instances", "backfill", "admin",
               "token_env")  # fmt: skip
    moderation_actions = ("mute", "unmute", "block", "unblock", "mute-conversation", "unmute-conversation", "report",
                          "report-forward", "dismiss", "suspend", "limit")  # fmt: skip
    moderation_options: ClassVar[tuple[str, ...]] = ("reason",)
    reply_limit = 5000  # the largest a server commonly allows; the server's own limit is checked before queuing

    sleep: Callable[[float], None] = staticmethod(time.sleep)
    timeout: float = 20.0

    @classmethod
    def check_options(cls, options) -> None:
        Options.read(options)

    @classmethod
    def variables(cls, options) -> dict[str, str]:
        return {TOKEN_ENV: Options.read(options).token_env}

    @classmethod
    def accounts(cls, source, env) -> list[str]:
        try:
            account = Options.read(source.options).account
        except ConnectorError:
            return []
        return [f"mastodon:{account}"] if account else []

    def __init__(self, source, env):
        super().__init__(source, env)
        self.opts = Options.read(source.options)
        self._servers: dict[str, Any] = {}
        self._halted: set[str] = set()  # servers that refused us or asked us to wait
        self._limit: int | None = None

    # Fetching ----------------------------------------------------------------------------------

    def streams(self) -> list[str]:
        names = ["mentions"] if self.opts.mentions else []
        names += [f"tag:{tag}" for tag in self.opts.hashtags]
        for url in self.opts.public_instances:
            names += [f"tag:{tag}@{urlsplit(url).netloc}" for tag in self.opts.hashtags]
        if self.opts.query:
            names.append("search")
        return names

    def fetch(self, stream: str, cursor: dict[str, Any] | None) -> Iterator[Page]:
        from commwatch_mastodon import streams
        from commwatch_mastodon.client import AccessRefused

        server = self._server_for(stream)
        if server.url in self._halted:
            return
        if stream in ("mentions", "search") and not server.token:
            raise MissingCredentials([self.opts.token_env])
        if stream == "mentions":
            steps = streams.mentions(server, cursor, self.opts.backfill)
        elif stream == "search":
            steps = streams.search(server, self.opts.query, cursor, self.opts.backfill)
        elif stream.startswith("tag:"):
            steps = streams.hashtag(server, stream.removeprefix("tag:").split("@")[0], cursor, self.opts.backfill)
        else:
            raise ConnectorError(f"no stream named {stream!r} in this source")
        server.take()
        try:
            for found, after in steps:
                mentions, rejects = split(found)
                yield Page(mentions, after, requests=server.take(), rejects=rejects)
        except (AccessRefused, RateLimited):
            self._halted.add(server.url)  # the other streams on this server would be refused alike
            raise

    @classmethod
    def parse(cls, payload: Any) -> list[Mention]:
        from commwatch_mastodon.parse import parse_response

        return parse_response(payload)

    def probe(self, *, write: bool = False) -> str:
        server = self._home()
        if not server.token:
            if write:
                raise MissingCredentials([self.opts.token_env])
            tag = self.opts.hashtags[0] if self.opts.hashtags else "mastodon"
            server.call(f"the #{tag} timeline", "timeline_hashtag", tag, limit=1)
            return "reading hashtags works anonymously"
        me = server.whoami()
        return f"signed in as {me['acct']}@{server.host}"

    # Replying and moderating -------------------------------------------------------------------------

    def check_reply(self, target: ReplyTarget, text: str) -> None:
        from commwatch_mastodon import writes

        server = self._writer()
        if self._limit is None:
            self._limit = writes.limit(server)
        writes.check(target, text, self._limit, server.host)

    def reply(self, target: ReplyTarget, text: str) -> PostedReply:
        from commwatch_mastodon import writes

        return writes.reply(self._writer(), target, text)

    def find_reply(self, target: ReplyTarget, text: str) -> PostedReply | None:
        from commwatch_mastodon import writes

        return writes.find_reply(self._writer(), target, text)

    def moderate(self, target: ReplyTarget, action: str, *, ban: bool = False, reason: str | None = None) -> None:
        from commwatch_mastodon import writes

        writes.moderate(self._writer(), target, action, reason, self.opts.admin)

    # Plumbing ------------------------------------------------------------------------------------------

    def _server_for(self, stream: str):
        if stream.startswith("tag:") and "@" in stream:
            host = stream.rsplit("@", 1)[1]
            url = next((u for u in self.opts.public_instances if urlsplit(u).netloc == host), None)
            if url is None:
                raise ConnectorError(f"no public instance {host!r} in this source")
            return self._connect(url, api_base=None, token=None)
        return self._home()

    def _home(self):
        return self._connect(self.opts.instance, api_base=self.source.api_base, token=self.env.get(self.opts.token_env))

    def _writer(self):
        server = self._home()
        if not server.token:
            raise MissingCredentials([self.opts.token_env])
        return server

    def _connect(self, url: str, *, api_base: str | None, token: str | None):
        if url not in self._servers:
            from commwatch_mastodon.client import Server

            self._servers[url] = Server(url, api_base=api_base, token=token, token_env=self.opts.token_env,
                                        sleep=lambda seconds: type(self).sleep(seconds), timeout=self.timeout)  # fmt: skip
        return self._servers[url]

    def close(self) -> None:
        for server in self._servers.values():
            api = server._api
            session = getattr(api, "session", None)
            if session is not None:
                session.close()
