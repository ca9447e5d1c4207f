"""A Reddit source's own options, checked; each error names its key."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from commwatch.connector import SourceOptionError, backfill_option, flag_option, phrases

DEFAULT_BACKFILL = 100
MAX_BACKFILL = 1000  # Reddit listings end after about 1000 items
MAX_QUERY = 512  # Reddit's limit on `q`
_SUBREDDIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{1,20}")


@dataclass(frozen=True)
class Options:
    query: str | None
    subreddits: tuple[str, ...]  # lower case, without "r/"
    keywords: re.Pattern[str] | None  # None: keep everything
    mentions: bool
    backfill: int  # items a stream reads on its first sync
    user_agent: str | None  # None: the default

    @classmethod
    def read(cls, options: Mapping[str, Any], env: Mapping[str, str]) -> Options:
        read = cls(
            query=_query(options.get("query")),
            subreddits=_subreddits(options.get("subreddits", [])),
            keywords=_keywords(options.get("keywords", [])),
            mentions=flag_option("mentions", options.get("mentions", False)),
            backfill=backfill_option(options.get("backfill", DEFAULT_BACKFILL), MAX_BACKFILL),
            user_agent=_user_agent(options.get("user_agent"), env),
        )
        if not (read.query or read.subreddits or read.mentions):
            raise SourceOptionError("query", "nothing to watch: set query, subreddits or mentions = true")
        return read

    def keeps(self, title: str | None, text: str) -> bool:
        """Whether a subreddit item passes the keyword filter."""
        return self.keywords is None or self.keywords.search(f"{title or ''}\n{text}") is not None


def _query(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_QUERY:
        raise SourceOptionError("query", f"must be a Reddit search of 1 to {MAX_QUERY} characters")
    return value.strip()


def _subreddits(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SourceOptionError("subreddits", 'must be a list of subreddit names, such as ["acme", "devops"]')
    names: list[str] = []
    for raw in value:
        name = raw.strip().removeprefix("/").removeprefix("r/")
        if not _SUBREDDIT.fullmatch(name):
            raise SourceOptionError("subreddits", f"{raw!r} is not a subreddit name (2 to 21 letters, digits or _)")
        if name.lower() not in names:
            names.append(name.lower())
    return tuple(names)


def _keywords(value: Any) -> re.Pattern[str] | None:
    """Whole words or phrases, any case; a phrase matches across any run of whitespace."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SourceOptionError("keywords", 'must be a list of words or phrases, such as ["outage", "status page"]')
    return phrases(value)




def _user_agent(value: Any, env: Mapping[str, str]) -> str | None:
    """REDDIT_USER_AGENT, else the option (checked either way), else None for the default."""
    if value is not None and (not isinstance(value, str) or len(value.strip()) < 7):
        raise SourceOptionError("user_agent", 'must describe the app, such as "acme-listening/1.0 (by u/acmecloud)"')
    from_env = env.get("REDDIT_USER_AGENT", "").strip()
    return from_env or (value.strip() if value else None)
