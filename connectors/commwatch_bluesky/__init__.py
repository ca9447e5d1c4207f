"""Bluesky connector: keyword search and notifications, replies and moderation, through the atproto SDK.

Credentials: BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (an app password, never the account's
own): Bluesky's AppView refuses anonymous search, so every stream needs them. The session is
kept between runs in a state file (client.py), since createSession is tightly limited.
Options: options.py; cursors: streams.py; replying and moderating: writes.py.

==================  ===============================================================
stream              request (XRPC, under api_base when set)
==================  ===============================================================
search (``query``)  app.bsky.feed.searchPosts?sort=latest&since=…
mentions            app.bsky.notification.listNotifications?reasons=mention,reply,quote
==================  ===============================================================
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
    Page,
    PostedReply,
    RateLimited,
    ReplyTarget,
    split,
)
from commwatch.model import Mention
from commwatch_bluesky.options import Options

HANDLE_ENV, PASSWORD_ENV = "BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD"


class BlueskyConnector(Connector):
    name = "bluesky"
    description = "Bluesky: keyword search and notifications, replies and moderation (atproto)"
    platforms = ("bluesky",)
    capabilities = frozenset({IMPORT, FETCH, REPLY, MODERATE})
    credentials = (HANDLE_ENV, PASSWORD_ENV)
    credentials_note = "Bluesky's search and notifications need a signed-in account"
    write_credentials = ((HANDLE_ENV, PASSWORD_ENV),)
    options = ("query", "lang", "domain", "tag", "mentions", "backfill")
    moderation_actions = ("mute", "unmute", "block", "unblock", "mute-thread", "unmute-thread", "hide", "report",
                          "report-spam")  # fmt: skip
    moderation_options: ClassVar[tuple[str, ...]] = ("reason",)
    reply_limit = None  # 300 graphemes, not characters: checked by check_reply

    sleep: Callable[[float], None] = staticmethod(time.sleep)
    timeout: float = 20.0

    @classmethod
    def check_options(cls, options) -> None:
        Options.read(options)

    @classmethod
    def accounts(cls, source, env) -> list[str]:
        handle = (env.get(HANDLE_ENV) or "").strip().lstrip("@")
        return [f"bluesky:{handle}"] if handle else []

    def __init__(self, source, env):
        super().__init__(source, env)
        self.opts = Options.read(source.options)
        self._account = None
        self._halted = False

    def streams(self) -> list[str]:
        return (["mentions"] if self.opts.mentions else []) + (["search"] if self.opts.query else [])

    def fetch(self, stream: str, cursor: dict[str, Any] | None) -> Iterator[Page]:
        from commwatch_bluesky import streams
        from commwatch_bluesky.client import AccessRefused, SignInFailed

        if self._halted:
            return
        account = self._connect()
        if stream == "mentions":
            steps = streams.mentions(account, cursor, self.opts.backfill)
        elif stream == "search":
            filters = {k: v for k, v in (("lang", self.opts.lang), ("domain", self.opts.domain),
                                         ("tag", [self.opts.tag] if self.opts.tag else None)) if v}  # fmt: skip
            steps = streams.search(account, self.opts.query, filters, cursor, self.opts.backfill)
        else:
            raise ConnectorError(f"no stream named {stream!r} in this source")
        account.take()
        try:
            for found, after in steps:
                mentions, rejects = split(found)
                yield Page(mentions, after, requests=account.take(), rejects=rejects)
        except (AccessRefused, RateLimited, SignInFailed):
            self._halted = True  # the other stream would meet the same refusal
            raise

    @classmethod
    def parse(cls, payload: Any) -> list[Mention]:
        from commwatch_bluesky.parse import parse_response

        return parse_response(payload)

    def probe(self, *, write: bool = False) -> str:
        account = self._connect()
        profile = account.call("the account's profile", lambda c: c.app.bsky.actor.get_profile({"actor": account.did}))
        return f"signed in as @{profile.get('handle') or account.handle}"

    def check_reply(self, target: ReplyTarget, text: str) -> None:
        from commwatch_bluesky import writes

        writes.check(text)

    def reply(self, target: ReplyTarget, text: str) -> PostedReply:
        from commwatch_bluesky import writes

        return writes.reply(self._connect(), target, text)

    def find_reply(self, target: ReplyTarget, text: str) -> PostedReply | None:
        from commwatch_bluesky import writes

        return writes.find_reply(self._connect(), target, text)

    def moderate(self, target: ReplyTarget, action: str, *, ban: bool = False, reason: str | None = None) -> None:
        from commwatch_bluesky import writes

        writes.moderate(self._connect(), target, action, reason)

    def _connect(self):
        if self._account is None:
            from commwatch_bluesky.client import Account

            self._account = Account(self.env, api_base=self.source.api_base,
                                    sleep=lambda seconds: type(self).sleep(seconds), timeout=self.timeout)  # fmt: skip
        return self._account

    def close(self) -> None:
        if self._account is not None and self._account._client is not None:
            try:
                self._account._client.request._client.close()
            except Exception:
                pass
