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
import re
from collections.abc import Iterator, Mapping
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
class Page:
    """A batch of mentions and the cursor to keep once they are stored."""

    mentions: list[Mention]
    cursor: dict[str, Any]
    requests: int = 1  # API requests this page cost (for run records and quota)


class Connector:
    """Base class for connectors. Subclasses set the class attributes and
    implement what their capabilities promise."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    platforms: ClassVar[tuple[str, ...]] = ()  # platforms its mentions carry
    capabilities: ClassVar[frozenset[str]] = frozenset()
    credentials: ClassVar[tuple[str, ...]] = ()  # environment variables reading needs
    options: ClassVar[tuple[str, ...]] = ()  # keys a source table may set besides the common ones

    def __init__(self, source: SourceConfig, env: Mapping[str, str]):
        self.source = source
        self.env = env

    def streams(self) -> list[str]:
        """Independent feeds of this source, each with its own cursor."""
        return ["default"]

    def fetch(self, stream: str, cursor: dict[str, Any] | None) -> Iterator[Page]:
        raise NotImplementedError(f"the {self.name} connector cannot fetch")

    @classmethod
    def parse(cls, payload: Any) -> list[Mention]:
        """Normalise one raw API response body (already decoded from JSON)."""
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


# Errors ---------------------------------------------------------------------


class ConnectorError(Exception):
    """A source could not be synced. The message is one sentence a manager can act on.

    Messages must never contain a secret.
    """


class MissingCredentials(ConnectorError):
    """The source cannot run until these environment variables are set; it is skipped, not failed."""

    def __init__(self, variables: list[str]):
        self.variables = list(variables)
        super().__init__(f"set {', '.join(self.variables)} to enable it")


class SourceOptionError(ConnectorError):
    """A source's own option is wrong; `key` is the key inside the source table."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


class RateLimited(ConnectorError):
    """The platform refused more requests for now; `retry_at` says when it will accept them, if known."""

    def __init__(self, message: str, retry_at: datetime | None = None):
        self.retry_at = retry_at
        super().__init__(message)


class PayloadError(ValueError):
    """A raw API response that does not have the platform's shape."""


# Parsing helpers shared by connectors -----------------------------------------

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
        return datetime.fromtimestamp(float(value), tz=timezone.utc)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            try:
                return datetime.fromtimestamp(float(text), tz=timezone.utc)
            except ValueError:
                raise PayloadError(f"not a timestamp: {value!r}") from None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt.astimezone(timezone.utc)
    raise PayloadError(f"not a timestamp: {value!r}")


def as_int(value: Any) -> int | None:
    """An int from an int, float or numeric string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value))
        except ValueError:
            return None
    return None


def strip_controls(text: str) -> str:
    """Drop C0 control characters except tab and newline (used by parsers on names and handles)."""
    return _CONTROL.sub("", text)
