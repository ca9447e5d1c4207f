"""Who a Reddit source logs in as, read from the environment (no praw import here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import commwatch
from commwatch.connector import MissingCredentials

SCRIPT, REFRESH, APP_ONLY = "script", "refresh token", "app-only"
USER_VARIABLES = ("REDDIT_USERNAME", "REDDIT_PASSWORD")


class NeedsUser(MissingCredentials):
    """App-only credentials cannot read an inbox, reply or moderate."""

    def __init__(self, env: Mapping[str, str], purpose: str):
        missing = [v for v in USER_VARIABLES if not env.get(v)]
        super().__init__(missing)
        variables = " and ".join(missing)
        self.args = (f"set {variables} (or REDDIT_REFRESH_TOKEN) to enable it: {purpose} needs a Reddit account",)


@dataclass(frozen=True)
class Auth:
    mode: str
    client_id: str
    client_secret: str
    username: str | None = None
    password: str | None = None
    refresh_token: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Auth:
        """Script app if a username and password are set, else a refresh token, else app-only."""
        missing = [v for v in ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET") if not env.get(v)]
        if missing:
            raise MissingCredentials(missing)
        if env.get("REDDIT_PASSWORD") and not env.get("REDDIT_USERNAME"):
            raise MissingCredentials(["REDDIT_USERNAME"])  # a password alone says a script login was meant
        ident = {"client_id": env["REDDIT_CLIENT_ID"], "client_secret": env["REDDIT_CLIENT_SECRET"]}
        username = env.get("REDDIT_USERNAME") or None
        if username and env.get("REDDIT_PASSWORD"):
            return cls(SCRIPT, **ident, username=username, password=env["REDDIT_PASSWORD"])
        if env.get("REDDIT_REFRESH_TOKEN"):
            return cls(REFRESH, **ident, username=username, refresh_token=env["REDDIT_REFRESH_TOKEN"])
        return cls(APP_ONLY, **ident, username=username)

    @property
    def has_user(self) -> bool:
        return self.mode != APP_ONLY

    def refused(self) -> str:
        """What to check when Reddit refuses this login (never the values themselves)."""
        if self.mode == SCRIPT:
            return (
                "Reddit refused the login: check REDDIT_USERNAME and REDDIT_PASSWORD (the app must be a script app "
                "of that account, and two-factor accounts cannot log in with a password)."
            )
        if self.mode == REFRESH:
            return "Reddit refused the refresh token: check REDDIT_REFRESH_TOKEN (it may have been revoked)."
        return "Reddit refused the app-only login: check REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET."


def default_user_agent(username: str | None) -> str:
    """Reddit asks for a unique, descriptive user agent naming the account that runs it."""
    base = f"commwatch/{commwatch.__version__}"
    return f"{base} (by u/{username})" if username else base
