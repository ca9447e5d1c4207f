"""A Bluesky source's own options, checked when the configuration is read; each error names its key.

    [sources.bluesky]
    connector = "bluesky"
    query = "acme cloud"        # keyword search, newest first (needs the sign-in, like everything here)
    lang = "en"                 # only posts in this language (search)
    domain = "acme.dev"         # only posts linking to this domain (search)
    tag = "acmecloud"           # only posts with this hashtag (search)
    mentions = true             # notifications: mentions, replies and quotes of the account
    backfill = 100              # items a stream reads on its first sync
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from commwatch.connector import SourceOptionError, backfill_option, flag_option

MAX_BACKFILL = 1000


@dataclass(frozen=True)
class Options:
    query: str | None
    lang: str | None
    domain: str | None
    tag: str | None
    mentions: bool
    backfill: int

    @classmethod
    def read(cls, options: Mapping[str, Any]) -> Options:
        read = cls(
            query=_text("query", options.get("query"), 300),
            lang=_match("lang", options.get("lang"), r"[a-z]{2,3}(-[A-Za-z]{2,4})?", 'a language code such as "en"'),
            domain=_match("domain", options.get("domain"), r"[\w.-]+\.[a-z]{2,}", 'a domain such as "acme.dev"'),
            tag=_match("tag", _unhash(options.get("tag")), r"\w+", 'a hashtag such as "acmecloud"'),
            mentions=flag_option("mentions", options.get("mentions", True)),
            backfill=backfill_option(options.get("backfill", 100), MAX_BACKFILL),
        )
        if not (read.query or read.mentions):
            raise SourceOptionError("query", "nothing to watch: set query or mentions = true")
        if (read.lang or read.domain or read.tag) and not read.query:
            raise SourceOptionError("query", "lang, domain and tag narrow the search: set query too")
        return read


def _text(key: str, value: Any, most: int) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > most:
        raise SourceOptionError(key, f"must be a search of 1 to {most} characters")
    return " ".join(value.split())


def _match(key: str, value: Any, pattern: str, what: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not re.fullmatch(pattern, value.strip()):
        raise SourceOptionError(key, f"must be {what}")
    return value.strip()


def _unhash(value: Any) -> Any:
    return value.strip().lstrip("#") if isinstance(value, str) else value
