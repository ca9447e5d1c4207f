"""Plain data: what a mention is, who wrote it, and how it was triaged. No I/O."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone


class Status(str, enum.Enum):
    OPEN = "open"
    SNOOZED = "snoozed"
    ESCALATED = "escalated"
    CLOSED = "closed"


class Level(str, enum.Enum):
    """Priority level, lowest first."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"

    @classmethod
    def for_score(cls, score: float) -> Level:
        """urgent >= 75, high >= 50, medium >= 25, else low."""
        for level in (cls.URGENT, cls.HIGH, cls.MEDIUM):
            if score >= LEVEL_BANDS[level.value][0]:
                return level
        return cls.LOW


# The 0–100 priority scores each level covers (inclusive). A priority set by a
# rule or a person keeps the computed score but clamped into its level's band,
# so the inbox's priority order agrees with the level shown.
LEVEL_BANDS = {"low": (0, 24), "medium": (25, 49), "high": (50, 74), "urgent": (75, 100)}


class Kind(str, enum.Enum):
    """What the mention is on its platform."""

    POST = "post"  # a tweet, a Reddit submission
    COMMENT = "comment"  # a Reddit comment, a top-level YouTube comment
    REPLY = "reply"  # a reply within a thread (X reply, YouTube reply)
    MENTION = "mention"  # an @/u/ mention delivered through an inbox


@dataclass
class Author:
    handle: str  # "@acmecloud" without the @; "[deleted]" when the platform hides it
    name: str | None = None
    followers: int | None = None
    verified: bool = False
    remote_id: str | None = None
    url: str | None = None


@dataclass
class Sentiment:
    score: float  # -1 … 1: P(positive) - P(negative) for the model; VADER's compound for VADER
    label: str  # negative | neutral | positive
    probabilities: dict[str, float] | None = None  # per label, from the model
    confidence: float | None = None  # the probability of the label (1.0 when a person set it)
    reasons: list[str] = field(default_factory=list)  # what drove it ("refund" → negative)
    by: str | None = None  # who set the label by hand; None when the model did
    model: str | None = None  # the id of the model that scored it (`triage rescore` skips those it did)


@dataclass
class Priority:
    score: int  # 0 … 100
    level: Level
    reasons: list[str] = field(default_factory=list)


@dataclass
class Mention:
    """One thing somebody said, normalised from any platform.

    Identified by (platform, remote_id). Connectors fill in what the platform
    says; triage fills in sentiment and priority; the store owns status, tags,
    assignee and replies.
    """

    platform: str
    remote_id: str  # always a string: X ids exceed 2**53
    text: str
    created_at: datetime  # timezone-aware, UTC
    author: Author
    url: str | None = None
    kind: Kind = Kind.POST
    title: str | None = None  # Reddit submissions, YouTube video titles
    parent_id: str | None = None  # remote id of what this replies to
    thread_id: str | None = None  # conversation / Reddit link / YouTube video
    lang: str | None = None
    edited_at: datetime | None = None
    metrics: dict[str, int] = field(default_factory=dict)  # likes, replies, reposts, score…
    extra: dict[str, object] = field(default_factory=dict)  # platform specifics: subreddit, video_id…
    sentiment: Sentiment | None = None
    priority: Priority | None = None
    ours: bool = False  # written by one of the brand's accounts (set by commwatch, not the connector)

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.remote_id)


# A tag: letters, digits and - _ / : . + without spaces (the same for a person and a rule).
TAG = re.compile(r"\w[\w\-/:.+]*")
# A person's name (an assignee): anything printable on one line.
_NOT_A_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def is_tag(text: str) -> bool:
    return bool(TAG.fullmatch(text))


def is_name(text: str) -> bool:
    return bool(text.strip()) and not _NOT_A_NAME.search(text)


@dataclass
class InboxFilter:
    """Which mentions a listing, a report or an export covers."""

    status: str | None = "open"  # None: every status
    platform: str | None = None
    sentiment: str | None = None
    tag: str | None = None
    assignee: str | None = None
    source: str | None = None
    since: str | None = None  # ISO timestamp, inclusive
    until: str | None = None  # ISO timestamp, exclusive
    search: str | None = None
    needs_reply: bool = False
    overdue: bool = False  # past its [sla] response target, unanswered (most overdue first)
    ours: bool | None = False  # False: people's mentions only; True: only the brand's own posts; None: both
    sort: str = "priority"  # priority | newest | oldest | due
    limit: int | None = 50
    offset: int = 0
    # Keyset paging (the TUI): start after this row's sort key (store.inbox.sort_key), walking
    # forwards, or backwards towards the top; then `offset` is not used.
    after: tuple | None = None
    backwards: bool = False


# What platforms count as people acting on a post: reads, views and impressions are not engagement.
ENGAGEMENT_KEYS = ("likes", "reposts", "replies", "quotes", "comments", "score")


def engagement(metrics: dict[str, int] | None) -> int | None:
    """How many people acted on a post (likes, reposts, replies, quotes, comments, Reddit score); None
    when the platform gave no such counts."""
    found = [v for k, v in (metrics or {}).items() if k in ENGAGEMENT_KEYS and isinstance(v, int)]
    return sum(found) if found else None


def utc(dt: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is taken to be UTC already."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, second precision: the form the store and JSON use."""
    if dt is None:
        return None
    return utc(dt).strftime("%Y-%m-%dT%H:%M:%SZ")
