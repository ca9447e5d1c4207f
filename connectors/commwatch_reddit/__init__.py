"""Reddit connector: search, subreddit watch and u/ mentions; replies and moderation (praw 8).

Streams (each with its own cursor, see ``listing.py``):

=====================  =========================================  ============================
stream                 request                                    option
=====================  =========================================  ============================
``search``             ``GET /search?q=…&sort=new&type=link``     ``query`` (site-wide posts)
``sub:NAME``           ``GET /r/NAME/new``                        ``subreddits`` (new posts)
``subcomments:NAME``   ``GET /r/NAME/comments``                   ``subreddits`` (new comments)
``mentions``           ``GET /message/mentions?mark=false``       ``mentions = true``
=====================  =========================================  ============================

All take ``limit=100`` and ``after=<fullname>``; prawcore adds ``raw_json=1`` so
text arrives unescaped. Bodies are decoded JSON (``Reddit.request``, never praw
objects) normalised by ``parse.parse_listing``, the same code that imports saved
responses. ``mark=false`` leaves the account's unread state alone. Private
messages (t4) in the inbox are ignored: parse_listing drops them, though they
still move the cursor. ``keywords`` (case-insensitive whole words or phrases)
filters the subreddit streams; filtered-out items still move the cursor.

Requests per sync: the token request (``POST /api/v1/access_token``, made by
``streams()`` so that a refused login fails the source once), then per stream
one request when nothing is new, plus one per further 100 new items. A first
sync reads at most ``backfill`` items per stream (default 100). Each Page is
one request (its ``requests`` counts retries and token requests too) and its
cursor is a safe resume point: the high-water mark moves only when a walk
completes, and a walk cut short (kill, 429, 5xx) is continued by the next sync
(see ``listing.py``).

Faults:

* Every request, the token request included, times out after ``timeout``
  seconds (20).
* prawcore spaces requests by the ``x-ratelimit-*`` headers (and retries 5xx,
  408 and timeouts twice, with 0–4 s pauses; an expired token once). If the
  allowance is used up for longer than ``max_wait`` seconds the stream stops
  with RateLimited instead of sleeping.
* HTTP 429 (its body may be HTML) → RateLimited with ``retry_at`` from
  ``retry-after`` or ``x-ratelimit-reset``; the stream's cursor stays at its last
  committed page and the next sync continues from there. The limit is the
  app's, so the source's remaining streams stop too, without a request.
* 5xx, timeouts and refused connections after prawcore's retries → TransientError.
* 403 on a subreddit (private, quarantined, banned from it), 404 (banned by
  Reddit) or the redirect Reddit answers for a subreddit that does not exist →
  PermanentError for that stream only; the source's other streams carry on.
* A refused login (HTTP 200 ``{"error": …}``) → one sentence naming the
  variables to check, never their values.

Auth (environment only): ``REDDIT_CLIENT_ID`` and ``REDDIT_CLIENT_SECRET``, plus
``REDDIT_USERNAME`` and ``REDDIT_PASSWORD`` (script app) or
``REDDIT_REFRESH_TOKEN``; with neither, app-only access can search and read
subreddits, while ``mentions``, replies and moderation say what to set.
``REDDIT_USER_AGENT`` or the ``user_agent`` option, else
``commwatch/VERSION (by u/USERNAME)``.

Replies: ``POST /api/comment/`` with ``thing_id`` and ``text``, sent at most once
per call (prawcore's automatic retry of a write whose answer was lost is
refused, and the outbox asks ``find_reply`` before trying again). When Reddit
answers with an empty ``things`` list the new comment is looked up with
``find_reply``, which reads ``GET /user/ME/comments`` (newest first, up to 10
pages) for a comment whose ``parent_id`` is the target and whose body equals the
text (whitespace-normalised). Moderation: ``POST /api/remove/`` (``spam=true``
for "spam") and ``POST /api/approve/``, both answering ``{}``; 403 means the
account does not moderate that subreddit.

Modules: ``options`` (the source's options), ``auth`` (the login, from the
environment), ``client`` (praw, requests, error translation), ``listing``
(incremental walks and their cursor), ``parse`` (bodies → Mentions), ``writes``
(replies, moderation). Only ``client`` imports praw, and only when a source
talks to Reddit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

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
    split,
)
from commwatch.model import Mention
from commwatch_reddit import writes
from commwatch_reddit.auth import Auth, NeedsUser, default_user_agent
from commwatch_reddit.listing import walk
from commwatch_reddit.options import Options
from commwatch_reddit.parse import parse_listing

if TYPE_CHECKING:
    from commwatch_reddit.client import Client


class RedditConnector(Connector):
    name = "reddit"
    description = "Reddit: search, subreddit watch and u/ mentions; replies and moderation (praw)"
    platforms = ("reddit",)
    capabilities = frozenset({IMPORT, FETCH, REPLY, MODERATE})
    credentials = ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET")
    write_credentials = (("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "REDDIT_USERNAME", "REDDIT_PASSWORD"),
                         ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "REDDIT_REFRESH_TOKEN"))  # fmt: skip
    options = ("query", "subreddits", "keywords", "mentions", "user_agent", "backfill")
    moderation_actions = ("remove", "approve", "spam")
    reply_limit = 10000

    timeout: float = 20.0  # seconds per HTTP request, the token request included
    max_wait: float = 30.0  # longest pause for Reddit's rate limit before leaving the rest to the next sync

    @classmethod
    def accounts(cls, source, env) -> list[str]:
        name = env.get("REDDIT_USERNAME", "").strip()
        return [f"reddit:{name}"] if name else []

    @classmethod
    def check_options(cls, options) -> None:
        Options.read(options, {})

    def __init__(self, source: SourceConfig, env: Mapping[str, str]):
        super().__init__(source, env)
        self.settings = Options.read(source.options, env)
        self.auth = Auth.from_env(env)
        if self.settings.mentions and not self.auth.has_user:
            raise NeedsUser(env, "mentions = true")
        self._client: Client | None = None

    def client(self) -> Client:
        """The source's praw client, made on first use (praw is imported only then)."""
        if self._client is None:
            from commwatch_reddit.client import Client

            agent = self.settings.user_agent or default_user_agent(self.auth.username)
            self._client = Client(self.auth, agent, self.source.api_base, self.timeout)
        return self._client

    # Fetching -----------------------------------------------------------------

    def streams(self) -> list[str]:
        self.client().login()  # the token request: a refused login fails the source once, not per stream
        names = ["search"] if self.settings.query else []
        for sub in self.settings.subreddits:
            names += [f"sub:{sub}", f"subcomments:{sub}"]
        if self.settings.mentions:
            names.append("mentions")
        return names

    def fetch(self, stream: str, cursor: dict[str, Any] | None) -> Iterator[Page]:
        path, params, where, subreddit = self._request_for(stream)
        client = self.client()

        def get_page(after: str | None, limit: int) -> Any:
            query = {**params, "limit": limit, **({"after": after} if after else {})}
            return client.call("GET", path, params=query, where=where, subreddit=subreddit, max_wait=self.max_wait)

        for children, new_cursor in walk(get_page, cursor, self.settings.backfill):
            parsed = parse_listing({"kind": "Listing", "data": {"children": children}}) if children else []
            mentions, rejects = split(parsed)
            if subreddit is not None:
                mentions = [m for m in mentions if self.settings.keeps(m.title, m.text)]
            yield Page(mentions=mentions, cursor=new_cursor, requests=client.monitor.take(), rejects=rejects)

    def _request_for(self, stream: str) -> tuple[str, dict[str, Any], str, str | None]:
        """(path, params, what it is in messages, subreddit) of one stream."""
        kind, _, sub = stream.partition(":")
        if stream == "search" and self.settings.query:
            return "/search", {"q": self.settings.query, "sort": "new", "t": "all", "type": "link"}, "the search", None
        if kind == "sub" and sub in self.settings.subreddits:
            return f"/r/{sub}/new", {}, f"r/{sub}'s new posts", sub
        if kind == "subcomments" and sub in self.settings.subreddits:
            return f"/r/{sub}/comments", {}, f"r/{sub}'s new comments", sub
        if stream == "mentions" and self.settings.mentions:
            return "/message/mentions", {"mark": "false"}, "the account's u/ mentions", None
        raise ConnectorError(f"this Reddit source has no stream named {stream!r}")

    @classmethod
    def parse(cls, payload: Any) -> list[Mention]:
        return parse_listing(payload)

    # Replying and moderating ----------------------------------------------------

    def reply(self, target: ReplyTarget, text: str) -> PostedReply:
        self._need_user("replying")
        writes.thing_id(target)
        if len(text) > self.reply_limit:
            raise PermanentError(f"the reply is {len(text)} characters; Reddit allows {self.reply_limit}")
        return writes.reply(self.client(), target, text, self.max_wait)

    def find_reply(self, target: ReplyTarget, text: str) -> PostedReply | None:
        self._need_user("looking up replies")
        return writes.find_reply(self.client(), target, text, self.max_wait)

    def moderate(self, target: ReplyTarget, action: str, *, ban: bool = False) -> None:
        if action not in self.moderation_actions:
            raise PermanentError(f"Reddit moderation actions are {', '.join(self.moderation_actions)}, not {action!r}")
        if ban:
            raise PermanentError("commwatch cannot ban on Reddit: use the subreddit's mod tools")
        self._need_user("moderating")
        writes.moderate(self.client(), target, action, self.max_wait)

    def probe(self, *, write: bool = False) -> str:
        """The token request proves the app's credentials (and a script login's password); replying
        also needs to know the account, which a refresh token learns from GET /api/v1/me."""
        if write:
            self._need_user("replying")
        client = self.client()
        client.login()
        if not write:
            return "logged in " + (f"as u/{self.auth.username}" if self.auth.username else f"({self.auth.mode})")
        return f"logged in as u/{client.me()}"

    def _need_user(self, purpose: str) -> None:
        if not self.auth.has_user:
            raise NeedsUser(self.env, purpose)
