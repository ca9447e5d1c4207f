"""A Mastodon source's own options, checked when the configuration is read; each error names its key.

    [sources.fediverse]
    connector = "mastodon"
    instance = "https://mastodon.social"       # the server of the brand's account
    account = "acmecloud"                      # that account (its posts are ours); optional
    mentions = true                            # notifications of type mention (needs the token)
    hashtags = ["acmecloud"]                   # hashtag timelines, without #
    query = "acme cloud"                       # full-text search of statuses (best effort)
    public_instances = ["https://fosstodon.org"]   # read the hashtags there too, anonymously
    backfill = 100
    admin = false                              # the token may suspend and limit accounts
    token_env = "MASTODON_ACCESS_TOKEN"        # where the token is (one per instance)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from commwatch.connector import SourceOptionError, backfill_option, flag_option, variable_option

TOKEN_ENV = "MASTODON_ACCESS_TOKEN"
DEFAULT_BACKFILL = 100
MAX_BACKFILL = 1000
_TAG = re.compile(r"\w+")


@dataclass(frozen=True)
class Options:
    instance: str  # "https://mastodon.social", no trailing slash
    account: str | None  # "acmecloud@mastodon.social"
    mentions: bool
    hashtags: tuple[str, ...]  # lower case, without #
    query: str | None
    public_instances: tuple[str, ...]
    backfill: int
    admin: bool
    token_env: str

    @classmethod
    def read(cls, options: Mapping[str, Any]) -> Options:
        instance = _server("instance", options.get("instance"))
        read = cls(
            instance=instance,
            account=_account(options.get("account"), instance),
            mentions=flag_option("mentions", options.get("mentions", True)),
            hashtags=_hashtags(options.get("hashtags", [])),
            query=_query(options.get("query")),
            public_instances=tuple(_server("public_instances", v) for v in _list("public_instances", options)),
            backfill=backfill_option(options.get("backfill", DEFAULT_BACKFILL), MAX_BACKFILL),
            admin=flag_option("admin", options.get("admin", False)),
            token_env=variable_option("token_env", options.get("token_env", TOKEN_ENV), TOKEN_ENV),
        )
        if not (read.mentions or read.hashtags or read.query):
            raise SourceOptionError("mentions", "nothing to watch: set mentions = true, hashtags or query")
        if read.public_instances and not read.hashtags:
            raise SourceOptionError("public_instances", "other servers are read for hashtags: set hashtags too")
        return read

    @property
    def host(self) -> str:
        return urlsplit(self.instance).hostname or self.instance


def _server(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SourceOptionError(key, 'set it to a server\'s address, such as "https://mastodon.social"')
    url = value.strip().rstrip("/")
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.path or parts.query:
        raise SourceOptionError(key, f'{value!r} is not a server address such as "https://mastodon.social"')
    return url


def _account(value: Any, instance: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"@?\w+(@[\w.-]+)?", value.strip()):
        raise SourceOptionError("account", 'must be the account\'s name, such as "acmecloud" or "acmecloud@mastodon.social"')
    name = value.strip().lstrip("@")
    return name if "@" in name else f"{name}@{urlsplit(instance).hostname}"


def _list(key: str, options: Mapping[str, Any]) -> list[str]:
    value = options.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SourceOptionError(key, "must be a list of server addresses")
    return value


def _hashtags(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SourceOptionError("hashtags", 'must be a list of hashtags, such as ["acmecloud", "acmedeploy"]')
    tags: list[str] = []
    for raw in value:
        tag = raw.strip().lstrip("#").lower()
        if not _TAG.fullmatch(tag):
            raise SourceOptionError("hashtags", f"{raw!r} is not a hashtag (letters, digits and _)")
        if tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _query(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 500:
        raise SourceOptionError("query", "must be a search of 1 to 500 characters")
    return " ".join(value.split())



