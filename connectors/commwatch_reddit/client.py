"""praw for one source: who we log in as, how requests go out, what their failures mean.

Imported only when a source talks to Reddit (praw costs ~0.3 s to import).

* ``Client`` owns one ``praw.Reddit`` and sends raw requests through
  ``Reddit.request`` (decoded JSON in, no praw objects), with
  ``check_for_updates`` and ``check_for_async`` off.
* ``_Requestor`` (praw's documented ``requestor_class`` hook) wraps prawcore's
  requestor to apply our timeout to *every* request (prawcore passes its own
  16 s default to API calls, so ``requestor_kwargs={"timeout": …}`` alone only
  reaches the token request), count requests, keep the ``x-ratelimit-*``
  headers readable by prawcore's limiter, and refuse to send a write twice.
* ``translate`` turns prawcore's exceptions into commwatch's one-sentence errors.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import praw
import prawcore
from praw.exceptions import RedditAPIException
from prawcore.const import ACCESS_TOKEN_PATH

from commwatch.connector import ConnectorError, PermanentError, RateLimited, TransientError
from commwatch_reddit.auth import SCRIPT, Auth


class Monitor:
    """What the requestor saw: requests sent, the last rate-limit headers, writes in flight."""

    def __init__(self) -> None:
        self.requests = 0
        self._taken = 0
        self.remaining: float | None = None
        self.reset_at: float | None = None  # time.monotonic() when the window resets
        self._once = False  # sending a write that must not be repeated
        self._sent = False
        self._resend_ok = False

    def take(self) -> int:
        """Requests sent since the previous take()."""
        count, self._taken = self.requests - self._taken, self.requests
        return count

    def seconds_until_reset(self) -> float:
        return max(0.0, (self.reset_at or 0.0) - time.monotonic())

    @contextmanager
    def send_once(self) -> Iterator[None]:
        """Within this block an API request goes out once; prawcore's retry of it raises NotResent.

        A retry after 401 is let through: an expired token means nothing was done.
        """
        self._once, self._sent, self._resend_ok = True, False, False
        try:
            yield
        finally:
            self._once = False

    def before(self, url: str, api: bool) -> None:
        if self._once and api:
            if self._sent and not self._resend_ok:
                raise NotResent(url)
            self._sent, self._resend_ok = True, False
        self.requests += 1

    def after(self, response: Any, api: bool) -> None:
        if not api:
            return
        if self._once:
            self._resend_ok = response.status_code == 401
        headers = response.headers
        if headers.get("x-ratelimit-remaining") is not None:
            self.remaining = float(headers["x-ratelimit-remaining"])
            self.reset_at = time.monotonic() + float(headers["x-ratelimit-reset"])


class NotResent(Exception):
    """A write was sent, its answer was lost (timeout, 5xx), and prawcore wanted to send it again."""


class _Requestor(prawcore.Requestor):
    """prawcore's requestor, with our timeout on every request, counted and watched by a Monitor."""

    def __init__(self, *args: Any, monitor: Monitor, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._monitor = monitor

    def request(self, method: str, url: str, *args: Any, timeout: float | None = None, **kwargs: Any):
        api = not url.endswith(ACCESS_TOKEN_PATH)
        self._monitor.before(url, api)
        response = super().request(method, url, *args, timeout=self.timeout, **kwargs)
        if api:
            _fix_headers(response)
        self._monitor.after(response, api)
        return response


def _fix_headers(response: Any) -> None:
    """Keep prawcore's limiter working whatever Reddit sends.

    prawcore reads remaining with int(float()) but used and reset with int(), so
    "12.0" there, or a doubled header ("991, 98"), would crash it: pass whole
    numbers, or no rate-limit headers at all when they cannot be read. A 401
    without www-authenticate would crash its error mapping: say invalid_token.
    """
    headers = response.headers
    names = ("x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset")
    if any(n in headers for n in names):
        try:
            values = [float(str(headers[n]).split(",")[0].strip()) for n in names]
        except (KeyError, ValueError):
            for n in names:
                headers.pop(n, None)
        else:
            for n, v in zip(names, values):
                headers[n] = str(max(0, int(v)))
    if response.status_code == 401 and "www-authenticate" not in headers:
        headers["www-authenticate"] = 'Bearer realm="reddit", error="invalid_token"'


class Client:
    """One praw.Reddit for one source, and the bookkeeping around its requests."""

    def __init__(self, auth: Auth, user_agent: str, api_base: str | None, timeout: float):
        self.auth = auth
        self.timeout = timeout
        self.monitor = Monitor()
        urls = {"oauth_url": api_base, "reddit_url": api_base} if api_base else {}
        self.host = urlsplit(api_base).netloc if api_base else "oauth.reddit.com"
        self.reddit = praw.Reddit(
            client_id=auth.client_id,
            client_secret=auth.client_secret,
            username=auth.username if auth.mode == SCRIPT else None,
            password=auth.password,
            refresh_token=auth.refresh_token,
            user_agent=user_agent,
            check_for_updates=False,
            check_for_async=False,
            requestor_class=_Requestor,
            requestor_kwargs={"timeout": timeout, "monitor": self.monitor},
            **urls,
        )
        self._me: str | None = auth.username if auth.mode == SCRIPT else None
        self._limited: RateLimited | None = None  # a 429 this run: the limit is the app's, so every stream stops

    def login(self) -> None:
        """Get an access token now (the token request), so a refused login fails once, up front."""
        try:
            self.reddit.auth.scopes()
        except Exception as exc:
            raise translate(exc, self, "the login") from exc

    def call(self, method: str, path: str, *, where: str, params: dict | None = None, data: dict | None = None,
             max_wait: float = 30.0, subreddit: str | None = None) -> Any:  # fmt: skip
        """One API request; its decoded JSON body, or a ConnectorError saying what went wrong."""
        if self._limited is not None:
            raise RateLimited(str(self._limited), retry_at=self._limited.retry_at)
        monitor = self.monitor
        if monitor.remaining is not None and monitor.remaining <= 0 and monitor.seconds_until_reset() > max_wait:
            wait = monitor.seconds_until_reset()
            raise RateLimited(
                f"Reddit's request allowance for this app is used up for the next {wait:.0f} s; "
                "the rest will be fetched on the next sync.",
                retry_at=_now() + timedelta(seconds=wait),
            )
        try:
            return self.reddit.request(method=method, path=path, params=params, data=data)
        except Exception as exc:
            error = translate(exc, self, where, subreddit=subreddit)
            if getattr(error, "status", None) == 429:
                self._limited = error  # type: ignore[assignment]
            raise error from exc

    def me(self) -> str:
        """Our account's name: REDDIT_USERNAME, or asked once from /api/v1/me."""
        if self._me is None:
            body = self.call("GET", "/api/v1/me", where="this account's name")
            name = body.get("name") if isinstance(body, dict) else None
            if not isinstance(name, str) or not name:
                raise ConnectorError("Reddit did not say which account REDDIT_REFRESH_TOKEN belongs to.")
            self._me = name
        return self._me


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _status(exc: Exception) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def _url(exc: Exception) -> str:
    """The URL a failed request went to: from its response, or the arguments of a request that got none."""
    response = getattr(exc, "response", None)
    if response is not None:
        return str(getattr(response, "url", "") or "")
    args = getattr(exc, "request_args", None) or ()
    return str(args[1]) if len(args) > 1 else ""


def _reason(exc: Exception) -> str:
    """Reddit's `reason` in an error body ("private", "banned", "quarantined"), if it sent JSON."""
    try:
        body = exc.response.json()  # type: ignore[attr-defined]
    except Exception:
        return ""
    reason = body.get("reason") if isinstance(body, dict) else None
    return reason.lower() if isinstance(reason, str) else ""


def translate(exc: Exception, client: Client, where: str, *, subreddit: str | None = None) -> ConnectorError:
    """prawcore's exception for a request about `where` → one sentence a manager can act on.

    The result's `status` attribute is the HTTP status Reddit answered, if any.
    """
    error = exc if isinstance(exc, ConnectorError) else _translate(exc, client, where, subreddit)
    if not hasattr(error, "status"):
        error.status = _status(exc)  # type: ignore[attr-defined]
    return error


def _translate(exc: Exception, client: Client, where: str, subreddit: str | None) -> ConnectorError:
    status = _status(exc)
    if isinstance(exc, prawcore.OAuthException):
        return ConnectorError(client.auth.refused())
    token_request = _url(exc).endswith(ACCESS_TOKEN_PATH)  # prawcore never retries the token request
    if token_request and status == 401:
        return ConnectorError("Reddit refused the app credentials: check REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET.")
    if status == 429:
        return _rate_limited(exc)
    if isinstance(exc, NotResent):
        return TransientError(f"Reddit did not confirm {where}, so it may have gone through; it was not sent again.")
    retried = "" if token_request else " (after two retries)"
    if isinstance(exc, prawcore.RequestException):
        original = type(exc.original_exception).__name__
        if "Timeout" in original:
            seconds = f"{client.timeout:g} s"
            return TransientError(f"Reddit did not answer {where} within {seconds}{retried}; try again later.")
        return TransientError(
            f"could not connect to Reddit at {client.host} for {where} ({original}){retried}; check the network."
        )
    if status is not None and status >= 500:
        return TransientError(f"Reddit answered {where} with HTTP {status}{retried}; try again later.")
    if isinstance(exc, prawcore.InsufficientScope):
        return PermanentError(
            f"the Reddit authorization does not cover {where}: create REDDIT_REFRESH_TOKEN with the "
            "identity, read, history, privatemessages, submit and modposts scopes."
        )
    if isinstance(exc, prawcore.InvalidToken):
        return ConnectorError(f"Reddit rejected its own access token for {where}; check the app's credentials.")
    if subreddit is not None:
        problem = _subreddit_problem(exc, status, subreddit)
        if problem:
            return PermanentError(problem)
    if isinstance(exc, prawcore.Redirect):
        return ConnectorError(f"Reddit redirected {where} to {exc.path}; check api_base.")
    if isinstance(exc, prawcore.BadJSON):
        return TransientError(f"Reddit answered {where} with something that is not JSON; try again later.")
    if status == 403:
        return PermanentError(f"Reddit refused {where} (HTTP 403).")
    if status == 404:
        return PermanentError(f"Reddit found nothing at the address for {where} (HTTP 404).")
    if status is not None:
        return ConnectorError(f"Reddit answered {where} with HTTP {status}.")
    if isinstance(exc, RedditAPIException) and exc.items:
        item = exc.items[0]
        return PermanentError(f"Reddit refused {where}: {item.message} ({item.error_type}).")
    return ConnectorError(f"Reddit request for {where} failed: {type(exc).__name__}.")


def _subreddit_problem(exc: Exception, status: int | None, name: str) -> str | None:
    sub = f"r/{name}"
    if isinstance(exc, prawcore.Redirect) and exc.path.startswith("/subreddits/search"):
        return f"{sub} does not exist (Reddit sends it to its subreddit search)."
    reason = _reason(exc)
    if status == 403:
        if reason == "private":
            return f"{sub} is private and this account is not an approved member (HTTP 403)."
        if reason == "quarantined":
            return f"{sub} is quarantined: opt in to it on reddit.com with this account first (HTTP 403)."
        if reason == "gold_only":
            return f"{sub} is open to premium members only (HTTP 403)."
        return f"Reddit refused access to {sub} (HTTP 403): it may be private, or this account is banned from it."
    if status == 404:
        if reason == "banned":
            return f"{sub} has been banned by Reddit (HTTP 404)."
        return f"{sub} does not exist (HTTP 404)."
    return None


def _rate_limited(exc: Exception) -> RateLimited:
    headers = getattr(getattr(exc, "response", None), "headers", {}) or {}
    wait = None
    for name in ("retry-after", "x-ratelimit-reset"):
        try:
            wait = float(str(headers[name]).split(",")[0])
            break
        except (KeyError, ValueError):
            continue
    retry_at = _now() + timedelta(seconds=wait) if wait is not None else None
    message = "Reddit is rate limiting this app (HTTP 429); the rest will be fetched on the next sync."
    return RateLimited(message, retry_at=retry_at)
