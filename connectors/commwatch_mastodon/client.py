"""One Mastodon server through Mastodon.py: timeouts, rate limits, retries, errors as sentences.

Mastodon.py runs with ``ratelimit_method="throw"`` so commwatch decides how long to wait:
the server's ``X-RateLimit-Remaining``/``X-RateLimit-Reset`` (300 requests per 5 minutes per
token) are read after every answer; when the budget is spent, or a 429 comes back, a reset
at most MAX_WAIT seconds away is waited out (at most WAITS times a call) and a later one stops
the source with RateLimited and the time it may resume. Reads are retried ATTEMPTS times
on 5xx and network errors; a post is never repeated here (the outbox asks `find_reply`).
Messages name the token's variable, never its value, and never a URL.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from commwatch.connector import ApiError, ConnectorError, RateLimited, TransientError

ATTEMPTS = 3
BACKOFF = 1.0
MAX_WAIT = 60.0
WAITS = 3
TIMEOUT = 20.0
USER_AGENT = "commwatch (Mastodon connector)"
# Told to Mastodon.py so that it takes today's endpoints (not the ones removed in Mastodon 3) and never
# asks the server for its version (an extra request; on a server that does not answer it, endless
# retries inside the SDK).
ASSUMED_VERSION = "4.3.0"


class AccessRefused(ConnectorError):
    """The server refused the token (or anonymous reading): no read of this source can succeed."""


class Server:
    def __init__(self, url: str, *, api_base: str | None, token: str | None, token_env: str,
                 sleep: Callable[[float], None] = time.sleep, timeout: float = TIMEOUT):  # fmt: skip
        self.url = url
        self.host = urlsplit(url).hostname or url
        self.api_base = api_base or url
        self.token = token or None
        self.token_env = token_env
        self.sleep = sleep
        self.timeout = timeout
        self.requests = 0
        self._api = None
        self.me: Any = None  # our account on this server, once asked

    def take(self) -> int:
        sent, self.requests = self.requests, 0
        return sent

    def api(self):
        if self._api is None:
            from mastodon import Mastodon

            import requests

            session = requests.Session()
            session.hooks["response"].append(self._count)  # every request, the SDK's own included
            self._api = Mastodon(access_token=self.token, api_base_url=self.api_base, ratelimit_method="throw",
                                 request_timeout=self.timeout, version_check_mode="created", user_agent=USER_AGENT,
                                 mastodon_version=ASSUMED_VERSION, session=session)  # fmt: skip
        return self._api

    def _count(self, response, *args, **kwargs):
        self.requests += 1
        return response

    def whoami(self) -> Any:
        if self.me is None:
            self.me = self.call("the account behind the token", "account_verify_credentials")
        return self.me

    def call(self, label: str, method: str, *args: Any, safe: bool = True, **kwargs: Any) -> Any:
        """`method` of Mastodon.py with these arguments; `label` names it in messages."""
        from mastodon import errors

        api = self.api()
        attempt = waits = 0
        while True:
            attempt += 1
            self._pace(waits)
            try:
                with warnings.catch_warnings():  # the SDK's advice ("timeline appears unavailable") must not
                    warnings.simplefilter("ignore", errors.MastodonWarning)  # print: cron runs are silent
                    return getattr(api, method)(*args, **kwargs)
            except errors.MastodonRatelimitError:
                wait = self._until_reset()
                if wait is not None and wait <= MAX_WAIT and waits < WAITS:
                    waits += 1
                    attempt -= 1
                    self.sleep(max(wait, 1.0))
                    api.ratelimit_remaining = None  # waited for the reset: the next answer says anew
                    continue
                raise self._limited(wait) from None
            except errors.MastodonUnauthorizedError:
                if self.token:
                    raise AccessRefused(f"{self.host} refused the token in {self.token_env} ({label}, HTTP 401): "
                                        "create a new one for the brand's account") from None  # fmt: skip
                raise AccessRefused(f"{self.host} does not let visitors read {label} (HTTP 401): "
                                    f"set {self.token_env}") from None  # fmt: skip
            except errors.MastodonNotFoundError:
                raise ApiError(404, "not_found", f"{self.host} has no such thing any more ({label}, HTTP 404)") from None
            except errors.MastodonServerError as exc:
                problem = f"answered {label} with HTTP {_status(exc)}"
                if not safe:
                    raise TransientError(f"{self.host} {problem}; it may or may not have been applied") from None
            except errors.MastodonNetworkError as exc:
                problem = f"did not answer {label} ({'timed out' if 'timed out' in str(exc).lower() or isinstance(exc, errors.MastodonReadTimeout) else 'could not connect'})"
                if not safe:
                    raise TransientError(f"{self.host} {problem}; it may or may not have been applied") from None
            except errors.MastodonAPIError as exc:
                status = _status(exc)
                said = exc.args[3] if len(exc.args) > 3 and isinstance(exc.args[3], str) else ""
                if status is None:  # not JSON, or not Mastodon at all
                    raise ConnectorError(f"{self.host} answered {label} with something that is not Mastodon's JSON: "
                                         "check `instance`") from None  # fmt: skip
                if status == 403 and not self.token:
                    raise AccessRefused(f"{self.host} does not let visitors read {label} (HTTP 403)") from None
                raise ApiError(status, said, f"{self.host} refused {label} (HTTP {status})" + (f": {_plain(said)}" if said else "")) from None
            if attempt >= ATTEMPTS:
                raise TransientError(f"{self.host} {problem} {ATTEMPTS} times in a row; try again later")
            self.sleep(BACKOFF * 2 ** (attempt - 1))

    # Rate limits --------------------------------------------------------------------------------------

    def _pace(self, waits: int) -> None:
        """Before a request: when the server said the budget is spent, wait for its reset or stop."""
        api = self._api
        if api is None or api.ratelimit_remaining is None or api.ratelimit_remaining > 0:
            return
        wait = self._until_reset()
        if wait is None:
            return
        if wait > MAX_WAIT or waits >= WAITS:
            raise self._limited(wait)
        self.sleep(max(wait, 1.0))
        api.ratelimit_remaining = None  # asked again after the reset: the next answer says

    def _until_reset(self) -> float | None:
        reset = getattr(self._api, "ratelimit_reset", None)
        if not isinstance(reset, (int, float)):
            return None
        return max(0.0, reset - time.time())

    def _limited(self, wait: float | None) -> RateLimited:
        retry_at = datetime.fromtimestamp(time.time() + wait, tz=timezone.utc) if wait is not None else None
        minutes = f"{wait / 60:.0f} minutes" if wait and wait >= 90 else f"{wait or 0:.0f} seconds"
        return RateLimited(f"{self.host} is refusing more requests for {minutes} (300 requests per 5 minutes per "
                           "token)", retry_at=retry_at)  # fmt: skip


def _status(exc: Exception) -> int | None:
    value = exc.args[1] if len(exc.args) > 1 else None
    return value if isinstance(value, int) else None


def _plain(text: str) -> str:
    return " ".join(text.split())[:300]
