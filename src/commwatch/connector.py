"""The connector protocol: what a platform plugin provides, and the errors it raises.

This module and `commwatch.model` are the public API a connector may import.

A connector class is registered in the ``commwatch.connectors`` entry-point
group. commwatch builds one instance per configured source::

    connector = ConnectorClass(source, env)     # may raise MissingCredentials
    for stream in connector.streams():
        for page in connector.fetch(stream, cursor):
            ...  # the sync engine stores page.mentions and page.cursor together

Fetching never prints and never touches the store: it yields pages. The cursor
is an opaque JSON-serialisable dict that only the connector interprets; the
engine commits it in the same transaction as the page's mentions, so a
connector must make every page's cursor a safe place to resume from.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar

from commwatch.model import Mention

# Capabilities a connector may declare.
FETCH = "fetch"  # fetch(stream, cursor) pulls mentions from the live platform
IMPORT = "import"  # parse(payload) turns a saved raw API response into mentions
REPLY = "reply"
MODERATE = "moderate"


@dataclass
class SourceConfig:
    """One `[sources.NAME]` table: a configured use of a connector."""

    name: str
    connector: str
    enabled: bool = True
    api_base: str | None = None
    options: dict[str, Any] = field(default_factory=dict)  # every other key in the table


@dataclass
class Rejected:
    """An item a connector set aside, and why. commwatch records it (`commwatch rejects`) and moves on."""

    reason: str  # one sentence: "no id", "text is a number, not a string"
    item: Any = None  # the raw item, as received (stored truncated)
    remote_id: str | None = None  # when it is known


@dataclass
class RawPayload:
    """A raw API response body for commwatch to parse with `platform`'s connector,
    exactly as `commwatch import PLATFORM` would (the demo pages carry these)."""

    platform: str
    body: Any
    origin: str | None = None  # where it came from, for messages: "data/x/search_recent_03.json"


@dataclass
class Page:
    """A batch of mentions and the cursor to keep once they are stored.

    A connector yields parsed `mentions`, or `payloads` that commwatch parses
    through the registry (so a connector never loads another connector), or both.
    """

    mentions: list[Mention] = field(default_factory=list)
    cursor: dict[str, Any] = field(default_factory=dict)
    requests: int = 1  # API requests this page cost (for run records)
    units: int = 0  # platform quota units this page cost (YouTube); recorded with the page
    payloads: list[RawPayload] = field(default_factory=list)
    rejects: list[Rejected] = field(default_factory=list)  # items of this page set aside


class Connector:
    """Base class for connectors. Subclasses set the class attributes and
    implement what their capabilities promise."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    platforms: ClassVar[tuple[str, ...]] = ()  # platforms its mentions carry
    capabilities: ClassVar[frozenset[str]] = frozenset()
    credentials: ClassVar[tuple[str, ...]] = ()  # environment variables reading needs
    # What replying and moderating need, as alternatives: any one set, fully set, will do.
    write_credentials: ClassVar[tuple[tuple[str, ...], ...]] = ()
    options: ClassVar[tuple[str, ...]] = ()  # keys a source table may set besides the common ones
    credentials_note: ClassVar[str] = ""  # why reading needs `credentials`, said when they are missing

    def __init__(self, source: SourceConfig, env: Mapping[str, str]):
        self.source = source
        self.env = env
        # Quota units this source already spent in the current quota day; the sync
        # engine sets it from the store before fetching (see quota_day).
        self.units_today = 0
        # Quota units the last reply / find_reply / moderate call cost; the outbox records them.
        self.last_units = 0

    @classmethod
    def quota_day(cls, now: datetime) -> str:
        """The platform's quota day containing `now` (YYYY-MM-DD). UTC unless the platform says otherwise."""
        return now.astimezone(timezone.utc).date().isoformat()

    @classmethod
    def variables(cls, options: Mapping[str, Any]) -> dict[str, str]:
        """Where a source keeps each credential, for connectors whose sources may rename them
        (two forums, two keys): {declared name: the variable this source reads}. Default: as declared."""
        return {}

    @classmethod
    def missing(
        cls, env: Mapping[str, str], *, write: bool = False, options: Mapping[str, Any] | None = None
    ) -> list[list[str]]:
        """What is not set, as alternatives ([] when nothing is missing): for reading, the one list of
        unset `credentials`; for writing, the unset names of each set of `write_credentials`. With a
        source's `options`, the names are the ones that source reads (see `variables`)."""
        try:
            renamed = cls.variables(options) if options is not None else {}
        except ConnectorError:  # a bad option is reported where options are checked
            renamed = {}
        if not write:
            unset = [renamed.get(n, n) for n in cls.credentials if not env.get(renamed.get(n, n))]
            return [unset] if unset else []
        choices = [[renamed.get(n, n) for n in names if not env.get(renamed.get(n, n))] for names in cls.write_credentials]
        return [] if not choices or any(not unset for unset in choices) else choices

    @classmethod
    def accounts(cls, source: SourceConfig, env: Mapping[str, str]) -> list[str]:
        """The brand's own accounts this source knows of, as "platform:handle" (or "youtube:UC…"):
        the account it logs in as, or watches for mentions. Read from options and environment
        only (no request): commwatch marks their posts as ours."""
        return []

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> None:
        """Raise SourceOptionError for a bad option value. Called when the configuration is read,
        before any credential is needed, so a typo is a config error (exit 3), not a failed sync."""

    def probe(self, *, write: bool = False) -> str:
        """One cheap authenticated request (`commwatch doctor --live`): whether reading works, or with
        `write` whether replying would. Returns what it found out, as words to show ("signed in as
        @acme"); raises ConnectorError (or MissingCredentials) saying why it does not work."""
        raise NotImplementedError(f"the {self.name} connector cannot check its credentials")

    def close(self) -> None:
        """Release network clients; the engine calls it when the source is done."""

    def streams(self) -> list[str]:
        """Independent feeds of this source, each with its own cursor."""
        return ["default"]

    def fetch(self, stream: str, cursor: dict[str, Any] | None) -> Iterator[Page]:
        raise NotImplementedError(f"the {self.name} connector cannot fetch")

    # Replying and moderating (capabilities REPLY and MODERATE) -----------------
    #
    # The outbox calls these; a connector never records anything itself. Replies
    # must be exactly-once across crashes, so the outbox asks `find_reply` before
    # sending again whenever an earlier attempt may have reached the platform.

    moderation_actions: ClassVar[tuple[str, ...]] = ()  # e.g. ("hide", "unhide")
    # Keyword arguments `moderate` takes besides `ban`: "reason" (text shown to the author or the
    # moderators), "days" (how long a silence lasts).
    moderation_options: ClassVar[tuple[str, ...]] = ()
    reply_limit: ClassVar[int | None] = None  # the platform's maximum reply length, in characters

    def check_reply(self, target: ReplyTarget, text: str) -> None:
        """Raise PermanentError when the platform would refuse this text for a reason known in
        advance (a forum's own length limits). Called before a reply is queued; it may read from
        the platform, never write. The default checks nothing beyond `reply_limit`."""

    def reply(self, target: ReplyTarget, text: str) -> PostedReply:
        """Post `text` as a reply to the mention; return the new post's id and url."""
        raise NotImplementedError(f"the {self.name} connector cannot reply")

    def find_reply(self, target: ReplyTarget, text: str) -> PostedReply | None:
        """A reply with this text that our account already posted to the mention, if any.

        Called when an earlier attempt may or may not have reached the platform
        (commwatch was killed, or the request timed out). Return None only when
        the platform's answer shows there is no such reply.
        """
        raise NotImplementedError(f"the {self.name} connector cannot look up replies")

    def moderate(self, target: ReplyTarget, action: str, *, ban: bool = False, **options: Any) -> None:
        """Apply one of `moderation_actions` to the mention on the platform (`options`: only those
        named in `moderation_options`, and only when the person gave them)."""
        raise NotImplementedError(f"the {self.name} connector cannot moderate")

    @classmethod
    def parse(cls, payload: Any) -> list[Mention | Rejected]:
        """Normalise one raw API response body (already decoded from JSON).

        Raise PayloadError when the body is not this platform's response at all; an
        item within it that cannot be a mention is returned as a Rejected (see `each`)."""
        raise NotImplementedError(f"the {cls.name} connector cannot import raw responses")

    # Helpers for subclasses -------------------------------------------------

    def option(self, key: str, default: Any = None) -> Any:
        return self.source.options.get(key, default)

    def require_env(self, *names: str) -> dict[str, str]:
        """The values of these environment variables, or MissingCredentials naming the first unset."""
        missing = [n for n in names if not self.env.get(n)]
        if missing:
            raise MissingCredentials(missing)
        return {n: self.env[n] for n in names}


@dataclass
class ReplyTarget:
    """What a connector needs to know about a stored mention to answer or moderate it."""

    platform: str
    remote_id: str
    kind: str
    author_handle: str
    thread_id: str | None = None
    parent_id: str | None = None
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class PostedReply:
    remote_id: str
    url: str | None = None


# Errors ---------------------------------------------------------------------


class ConnectorError(Exception):
    """A source could not be synced. The message is one sentence a manager can act on.

    Messages must never contain a secret.
    """


class MissingCredentials(ConnectorError):
    """The source cannot run until these environment variables are set; it is skipped, not failed."""

    def __init__(self, variables: list[str], note: str = ""):
        self.variables = list(variables)
        super().__init__(f"set {', '.join(self.variables)} to enable it" + (f" ({note})" if note else ""))


class SourceOptionError(ConnectorError):
    """A source's own option is wrong; `key` is the key inside the source table."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


class RateLimited(ConnectorError):
    """The platform refused more requests for now (rate limit, quota, usage cap).

    `retry_at` says when it will accept them, if known. `units` is quota spent
    by requests since the last page that the engine should still record.
    """

    def __init__(self, message: str, retry_at: datetime | None = None, units: int = 0):
        self.retry_at = retry_at
        self.units = units
        super().__init__(message)


class TransientError(ConnectorError):
    """A failure worth retrying later (5xx after retries, timeout, connection refused)."""


class PermanentError(ConnectorError):
    """The platform refused for good (forbidden, not found, text too long): retrying will not help."""


class ApiError(ConnectorError):
    """A platform's refusal that its caller may handle by HTTP status or the platform's own reason
    ("commentsDisabled", "invalid_access", "ExpiredToken"); the message is already one sentence."""

    def __init__(self, status: int | None, reason: str, sentence: str):
        self.status = status
        self.reason = reason
        super().__init__(sentence)


class NotSent(PermanentError):
    """The connector itself declines before asking the platform: the request is incomplete or cannot
    apply here (a silence without a reason, hiding a reply in somebody else's thread). Nothing was sent."""


class PayloadError(ValueError):
    """A raw API response that does not have the platform's shape."""


# Parsing helpers shared by connectors -----------------------------------------

# The largest integer SQLite stores; counts beyond it are clamped to it.
MAX_INT = 2**63 - 1


def each(items: Iterable[Any], parse_one: Callable[[Any], Mention | None]) -> list[Mention | Rejected]:
    """`parse_one` over every item, so that one bad item never sinks its page.

    parse_one returns a Mention, None for an item that is rightly not a mention (a
    private message, a "more" stub), or raises PayloadError naming what is wrong with
    this item. Any other exception is a parser bug, and sets aside only its item.
    """
    out: list[Mention | Rejected] = []
    for item in items:
        try:
            mention = parse_one(item)
        except PayloadError as exc:
            out.append(Rejected(str(exc), item, _item_id(item)))
        except (RecursionError, MemoryError):
            out.append(Rejected("the item is nested too deeply or is too large", None, _item_id(item)))
        except Exception as exc:  # a bug must not cost the other items
            out.append(Rejected(f"could not be read ({type(exc).__name__}: {exc})", item, _item_id(item)))
        else:
            if mention is not None:
                out.append(mention)
    return out


def split(parsed: Iterable[Mention | Rejected]) -> tuple[list[Mention], list[Rejected]]:
    """(mentions, rejects) of what `parse` or `each` returned."""
    mentions, rejects = [], []
    for x in parsed:
        (rejects if isinstance(x, Rejected) else mentions).append(x)
    return mentions, rejects


def _item_id(item: Any) -> str | None:
    value = item.get("id") if isinstance(item, dict) else None
    return value if isinstance(value, str) and value.strip() else None

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: Any) -> str:
    """Text as a person wrote it: HTML entities decoded, NULs and other C0 controls dropped.

    Escape sequences are not removed here (the store keeps what was said);
    the display layer renders them inert.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    return html.unescape(value).replace("\r\n", "\n").replace("\x00", "")


def parse_time(value: Any) -> datetime:
    """A platform timestamp (ISO 8601 with or without fraction/Z, or epoch seconds) as aware UTC."""
    if isinstance(value, bool) or value is None:
        raise PayloadError(f"not a timestamp: {value!r}")
    if isinstance(value, (int, float)):
        return _from_epoch(value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise PayloadError(f"not a timestamp: {value[:40]!r}") from None
            return _from_epoch(number)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt.astimezone(timezone.utc)
    raise PayloadError(f"not a timestamp: {type(value).__name__}")


def _from_epoch(seconds: float) -> datetime:
    try:
        return datetime.fromtimestamp(float(seconds), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):  # 1e300, inf, nan
        raise PayloadError(f"not a time: {seconds!r} seconds is out of range") from None


def as_int(value: Any) -> int | None:
    """A count from an int, float or numeric string, clamped to what SQLite stores; None for
    anything else (text, booleans, infinity, NaN)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip()) if len(value) <= 40 else None
        except ValueError:
            return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = int(value) if abs(value) < 1e19 else (MAX_INT if value > 0 else -MAX_INT)
    if isinstance(value, int):
        return max(-MAX_INT, min(MAX_INT, value))
    return None


# Checking a source's options (a connector's `check_options`): each raises SourceOptionError naming the key.


def flag_option(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise SourceOptionError(key, "must be true or false")
    return value


def backfill_option(value: Any, most: int, key: str = "backfill") -> int:
    """How many items a stream reads on its first sync: a whole number from 1 to `most`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise SourceOptionError(
            key, f"must be a whole number from 1 to {most:,}: the items a stream reads on its first sync"
        )
    return value


_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


def variable_option(key: str, value: Any, example: str) -> str:
    """The name of an environment variable (never a secret itself: the value is checked as a name)."""
    if not isinstance(value, str) or not _ENV_NAME.fullmatch(value):
        raise SourceOptionError(key, f"must be the name of an environment variable, such as {example}")
    return value


def phrases(values: list[str]) -> re.Pattern[str] | None:
    """A pattern matching any of these words or phrases whole, in any case, a phrase across any run of
    whitespace (the `keywords` option of several connectors); None for an empty list."""
    if not values:
        return None
    unique = sorted({" ".join(v.split()) for v in values}, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in unique)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def strip_controls(text: str) -> str:
    """Drop C0 control characters except tab and newline (used by parsers on names and handles)."""
    return _CONTROL.sub("", text)
