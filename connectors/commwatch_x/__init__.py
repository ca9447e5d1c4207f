"""X (Twitter) API v2 connector: recent search and @mentions, replies, hiding replies (tweepy 4).

Source options::

    [sources.brand-x]
    connector = "x"
    query = "(acme OR @acmecloud) -is:retweet"   # recent search (X search syntax; the last 7 days)
    mentions = "acmecloud"                        # @mentions of this account (username, no @)
    max_per_sync = 500      # posts read per stream per sync, at most (X bills every post read)
    rate_limit_wait = 30    # seconds a sync may sleep for a rate-limit window to reset

At least one of `query` and `mentions` is needed; each is a stream with its own
cursor. X reads are paid by the post, so `max_per_sync` (default 500) bounds what
one sync reads per stream; a backlog bigger than that is read over the next syncs,
each resuming where the last stopped.

Credentials (environment): X_BEARER_TOKEN reads (app context). Replying, finding
an earlier reply and hiding need user context as well: X_API_KEY, X_API_SECRET,
X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET (OAuth 1.0a); a call that needs them names
the missing ones.

Endpoints (all through tweepy's Client; `api_base` replaces https://api.twitter.com
by way of a transport adapter on the client's session, which also gives every
request a timeout: 5 s to connect, 20 s to read):

    GET  /2/tweets/search/recent          search stream (next_token paging)
    GET  /2/users/by/username/:username   mentions: the account's id, once (kept in the cursor)
    GET  /2/users/:id/mentions            mentions stream (pagination_token paging)
    POST /2/tweets                        reply (user context)
    GET  /2/users/me, /2/users/:id/tweets find_reply: our own posts since the mention
                                          (/2/users/me alone: doctor --live, replying)
    PUT  /2/tweets/:id/hidden             hide / unhide (user context)

Requests per sync: one per page of up to 100 posts and stream. A sync with
nothing new costs exactly one request per stream (plus one user lookup on the
very first mentions sync); n new posts cost max(1, ceil(n / 100)) requests per
stream, or a few more when X returns short pages (they still carry a token:
paging follows tokens, not counts). Requests are recorded with each page in the
run records. A reply is one POST; hide/unhide one PUT; find_reply one GET
/2/users/me per connector plus one GET per 100 of our own posts since the mention.

Cursor (per stream; see fetch.py): `since_id` of the last completed run,
`pending_newest` and `next_token` of the run in progress, the account's
`user_id`, and the `key` (query or username) it belongs to. Every page's
cursor is a safe resume point; a cursor for another query or username is
ignored.

Faults:
- 429 rate limit: if `x-rate-limit-reset` is within `rate_limit_wait`, sleep
  until then and retry once; otherwise RateLimited with `retry_at` (the sync
  reports when to retry and the next sync resumes from the last page). No reset
  header: RateLimited without a time, no retry. tweepy's own
  wait_on_rate_limit is off (it sleeps without bound and retries usage caps forever).
- 429 usage cap (problem type .../usage-capped): RateLimited("monthly usage cap
  reached ..."), no retry.
- 5xx, timeouts, connection errors on reads and hide/unhide: 3 attempts with
  0.5 s, 1 s backoff, then TransientError. A reply is never retried: those
  raise TransientError at once and the outbox calls find_reply first.
- 401: ConnectorError naming the variables to check. 403 on reads: the plan or
  project does not allow the endpoint. Other 4xx on writes: PermanentError
  (403 on hide: not a reply in a conversation our account started).
- 400 naming a stale next_token: the run restarts from since_id; naming a
  since_id older than search's 7 days: the whole window is read again (stored
  posts are updated, never duplicated).
- A body that is not JSON or not an X response: ConnectorError saying the page
  was malformed; pages committed before it stay. An `errors` array beside
  `data` (deleted or protected posts) is ignored; the posts in `data` are kept.
No message carries a secret, and tweepy's DEBUG dump of each request (which
includes the Authorization header) is filtered out of logging.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from typing import Any

from commwatch.connector import (
    FETCH,
    IMPORT,
    MODERATE,
    REPLY,
    Connector,
    ConnectorError,
    Page,
    PermanentError,
    PostedReply,
    ReplyTarget,
    SourceConfig,
    SourceOptionError,
)
from commwatch.model import Mention

USER_CONTEXT = ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET")
DEFAULT_MAX_PER_SYNC = 500
DEFAULT_RATE_LIMIT_WAIT = 30
_USERNAME = re.compile(r"[A-Za-z0-9_]{1,15}")


class XConnector(Connector):
    name = "x"
    description = "X API v2: recent search and @mentions, replies and hiding replies (tweepy)"
    platforms = ("x",)
    capabilities = frozenset({IMPORT, FETCH, REPLY, MODERATE})
    credentials = ("X_BEARER_TOKEN",)
    write_credentials = (USER_CONTEXT,)
    options = ("query", "mentions", "max_per_sync", "rate_limit_wait")
    moderation_actions = ("hide", "unhide")
    reply_limit = 280

    # Injection points for tests: (connect, read) timeout in seconds, sleeping, the clock.
    timeout: tuple[float, float] = (5.0, 20.0)
    sleep = staticmethod(time.sleep)
    clock = staticmethod(time.time)

    @classmethod
    def accounts(cls, source, env) -> list[str]:
        name = source.options.get("mentions")
        return [f"x:{name}"] if isinstance(name, str) and name.strip() else []

    @classmethod
    def check_options(cls, options) -> None:
        _read_options(options)

    def __init__(self, source: SourceConfig, env: Mapping[str, str]):
        super().__init__(source, env)
        self.query, self.username, self.max_per_sync, self.rate_limit_wait = _read_options(source.options)
        self._api = None
        self._me: dict[str, str] | None = None

    @property
    def api(self):
        """The tweepy client, built on first use (importing tweepy costs ~0.3 s)."""
        if self._api is None:
            from commwatch_x.client import Api, make_client

            client = make_client(self.env, self.source.api_base, self.timeout)
            self._api = Api(client, rate_limit_wait=self.rate_limit_wait, sleep=self.sleep, clock=self.clock)
        return self._api

    # Reading -------------------------------------------------------------------

    def streams(self) -> list[str]:
        return (["search"] if self.query else []) + (["mentions"] if self.username else [])

    def fetch(self, stream: str, cursor: dict[str, Any] | None) -> Iterator[Page]:
        if stream not in self.streams():
            raise ConnectorError(f"this x source has no {stream!r} stream (it has {', '.join(self.streams())})")
        from commwatch_x.fetch import fetch_stream

        return fetch_stream(self.api, stream, cursor, query=self.query, username=self.username,
                            limit=self.max_per_sync)  # fmt: skip

    @classmethod
    def parse(cls, payload: Any) -> list[Mention]:
        from commwatch_x.parse import parse_page

        return parse_page(payload)

    # Writing -------------------------------------------------------------------

    def reply(self, target: ReplyTarget, text: str) -> PostedReply:
        from commwatch_x.write import post_reply

        self.require_env(*USER_CONTEXT)
        if not text.strip():
            raise PermanentError("an empty reply cannot be posted on X")
        return post_reply(self.api, target, text, self._me["username"] if self._me else None)

    def find_reply(self, target: ReplyTarget, text: str) -> PostedReply | None:
        from commwatch_x.write import find_reply

        self.require_env(*USER_CONTEXT)
        return find_reply(self.api, target, text, self._who_am_i())

    def moderate(self, target: ReplyTarget, action: str, *, ban: bool = False) -> None:
        from commwatch_x.write import set_hidden

        if action not in self.moderation_actions:
            raise PermanentError(f"X has no moderation action {action!r} (it has {', '.join(self.moderation_actions)})")
        if ban:
            raise PermanentError("X cannot ban an account while hiding a reply: hide it, then block the account on X")
        self.require_env(*USER_CONTEXT)
        set_hidden(self.api, target, action)

    def probe(self, *, write: bool = False) -> str:
        if write:
            self.require_env(*USER_CONTEXT)
            return f"signed in as @{self._who_am_i()['username']}"
        from commwatch_x.fetch import user_id

        name = self.username or "X"  # any public account proves the bearer token; ours when we have it
        user_id(self.api, name)
        return f"the bearer token was accepted (looked up @{name})"

    def _who_am_i(self) -> dict[str, str]:
        from commwatch_x.write import who_am_i

        if self._me is None:
            self._me = who_am_i(self.api)
        return self._me


def _read_options(options: Mapping[str, Any]) -> tuple[str | None, str | None, int, float]:
    query = options.get("query")
    if query is not None and (not isinstance(query, str) or not query.strip()):
        raise SourceOptionError("query", "must be a non-empty string in X search syntax")
    username = options.get("mentions")
    if username is not None:
        if not isinstance(username, str) or not _USERNAME.fullmatch(username.removeprefix("@")):
            raise SourceOptionError("mentions", "must be an X username such as acmecloud (letters, digits, _; at most 15)")
        username = username.removeprefix("@")
    if query is None and username is None:
        raise SourceOptionError("query", "set query, mentions or both: an x source needs something to watch")
    limit = options.get("max_per_sync", DEFAULT_MAX_PER_SYNC)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise SourceOptionError("max_per_sync", "must be a whole number of posts above 0 (X bills every post read)")
    wait = options.get("rate_limit_wait", DEFAULT_RATE_LIMIT_WAIT)
    if isinstance(wait, bool) or not isinstance(wait, (int, float)) or wait < 0:
        raise SourceOptionError("rate_limit_wait", "must be a number of seconds, 0 or more")
    return query, username, limit, float(wait)
