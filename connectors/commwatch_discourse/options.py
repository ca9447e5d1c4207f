"""A Discourse source's own options, checked when the configuration is read; each error names its key.

    [sources.forum]
    connector = "discourse"
    site = "https://forum.acme.dev"
    latest = true                 # every new post (default true)
    categories = ["support", 7]   # only these categories (slugs or ids); default all
    keywords = ["billing"]        # only posts with one of these words or phrases; default all
    query = "acme deploy"         # Discourse search, newest first (optional)
    mentions = true               # notifications: mentions, replies, quotes, messages (needs a key)
    backfill = 100                # items a stream reads on its first sync
    api_key_env = "DISCOURSE_API_KEY"            # where the key is (one per forum)
    api_username_env = "DISCOURSE_API_USERNAME"  # the user the key acts as
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from commwatch.connector import SourceOptionError, backfill_option, flag_option, phrases, variable_option

KEY_ENV = "DISCOURSE_API_KEY"
USERNAME_ENV = "DISCOURSE_API_USERNAME"
DEFAULT_BACKFILL = 100
MAX_BACKFILL = 5000
MAX_QUERY = 200
_SLUG = re.compile(r"[\w-]+")


@dataclass(frozen=True)
class Options:
    site: str  # "https://forum.acme.dev", no trailing slash
    latest: bool
    category_ids: frozenset[int]
    category_slugs: frozenset[str]  # lower case
    keywords: re.Pattern[str] | None  # None: keep everything
    query: str | None
    mentions: bool
    backfill: int
    key_env: str
    username_env: str

    @classmethod
    def read(cls, options: Mapping[str, Any]) -> Options:
        ids, slugs = _categories(options.get("categories", []))
        read = cls(
            site=_site(options.get("site")),
            latest=flag_option("latest", options.get("latest", True)),
            category_ids=ids,
            category_slugs=slugs,
            keywords=_keywords(options.get("keywords", [])),
            query=_query(options.get("query")),
            mentions=flag_option("mentions", options.get("mentions", False)),
            backfill=backfill_option(options.get("backfill", DEFAULT_BACKFILL), MAX_BACKFILL),
            key_env=variable_option("api_key_env", options.get("api_key_env", KEY_ENV), KEY_ENV),
            username_env=variable_option("api_username_env", options.get("api_username_env", USERNAME_ENV), USERNAME_ENV),
        )
        if not (read.latest or read.query or read.mentions):
            raise SourceOptionError("latest", "nothing to watch: set latest = true, query or mentions = true")
        return read

    @property
    def filtered(self) -> bool:
        return bool(self.category_ids or self.category_slugs or self.keywords)

    def keeps_text(self, title: str | None, text: str) -> bool:
        return self.keywords is None or self.keywords.search(f"{title or ''}\n{text}") is not None


def _site(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SourceOptionError("site", 'set it to the forum\'s address, such as "https://forum.example.com"')
    site = value.strip().rstrip("/")
    parts = urlsplit(site)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise SourceOptionError("site", f'{value!r} is not a forum address such as "https://forum.example.com"')
    return site


def _categories(value: Any) -> tuple[frozenset[int], frozenset[str]]:
    if not isinstance(value, list):
        raise SourceOptionError("categories", 'must be a list of category slugs or ids, such as ["support", 7]')
    ids, slugs = set(), set()
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool) and item > 0:
            ids.add(item)
        elif isinstance(item, str) and _SLUG.fullmatch(item.strip().strip("/").split("/")[-1] or "-"):
            slugs.add(item.strip().strip("/").split("/")[-1].lower())  # "c/support" or "support"
        else:
            raise SourceOptionError(
                "categories", f"{item!r} is not a category slug or id (the URL /c/support/7 has slug support, id 7)"
            )
    return frozenset(ids), frozenset(slugs)


def _keywords(value: Any) -> re.Pattern[str] | None:
    """Whole words or phrases, any case; a phrase matches across any run of whitespace."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SourceOptionError("keywords", 'must be a list of words or phrases, such as ["outage", "status page"]')
    return phrases(value)


def _query(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_QUERY:
        raise SourceOptionError("query", f"must be a Discourse search of 1 to {MAX_QUERY} characters")
    if re.search(r"\b(order|after|before):", value):
        raise SourceOptionError("query", "leave out order: and after:/before:, commwatch adds them to read newest first")
    return " ".join(value.split())



