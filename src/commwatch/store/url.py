"""Where the store lives: a SQLite file (the default), or a PostgreSQL URL for a team."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")


def is_postgres(location: object) -> bool:
    return isinstance(location, str) and location.startswith(SCHEMES)


def password_in(url: str) -> bool:
    """Whether the URL carries a password (in its user part or as ?password=)."""
    parts = urlsplit(url)
    return parts.password is not None or "password=" in parts.query


def redacted(url: str) -> str:
    """The URL with any password replaced, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None and "password=" not in parts.query:
        return url
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}:***@{host}"
    query = "&".join("password=***" if p.startswith("password=") else p for p in parts.query.split("&"))
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


PASSWORD_REFUSED = ("a database URL must not carry its password; use PGPASSWORD, ~/.pgpass or a "
                    "PGSERVICE entry instead")  # fmt: skip

