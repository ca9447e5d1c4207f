"""tweepy set-up and the one place X's HTTP failures become commwatch errors.

`make_client` builds a `tweepy.Client` whose requests all carry a timeout and,
when the source sets `api_base`, go there instead of https://api.twitter.com
(tweepy hard-codes that host; a transport adapter mounted on `client.session`
rewrites it). `Api.call` runs one tweepy method and turns what can go wrong
into the errors of `commwatch.connector`, retrying only what is safe to retry.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

import tweepy

from commwatch.connector import ConnectorError, RateLimited, TransientError

from commwatch_x import USER_CONTEXT

TWEEPY_HOST = "https://api.twitter.com"


class _Transport:
    """A transport adapter (requests' send/close interface) wrapped around the session's own.

    It points tweepy's fixed host at `base` and gives every request a timeout:
    tweepy's Client has no timeout setting and would otherwise wait forever.
    """

    def __init__(self, inner: Any, base: str | None, timeout: float | tuple[float, float]):
        self.inner = inner
        self.base = base
        self.timeout = timeout

    def send(self, request: Any, **kwargs: Any) -> Any:
        if self.base and request.url.startswith(TWEEPY_HOST):
            request.url = self.base + request.url[len(TWEEPY_HOST):]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return self.inner.send(request, **kwargs)

    def close(self) -> None:
        self.inner.close()


def _no_request_dumps(record: logging.LogRecord) -> bool:
    """tweepy logs each request's headers, bearer token included, at DEBUG: never let that through."""
    return not str(record.msg).startswith("Making API request")


def make_client(env: Mapping[str, str], api_base: str | None, timeout: float | tuple[float, float]) -> tweepy.Client:
    """An app-context client that can also sign user-context calls when the four user keys are set."""
    tweepy_log = logging.getLogger("tweepy.client")
    if _no_request_dumps not in tweepy_log.filters:
        tweepy_log.addFilter(_no_request_dumps)
    client = tweepy.Client(
        bearer_token=env.get("X_BEARER_TOKEN") or None,  # replies need only the four user keys
        consumer_key=env.get("X_API_KEY") or None,
        consumer_secret=env.get("X_API_SECRET") or None,
        access_token=env.get("X_ACCESS_TOKEN") or None,
        access_token_secret=env.get("X_ACCESS_TOKEN_SECRET") or None,
        return_type=dict,
        wait_on_rate_limit=False,  # it would sleep without bound and retry usage caps forever
    )
    prefix = TWEEPY_HOST + "/"
    client.session.mount(prefix, _Transport(client.session.get_adapter(prefix), api_base, timeout))
    return client


class Refused(ConnectorError):
    """X answered a 4xx other than 401 and 429. Callers may turn it into a sentence of their own."""

    def __init__(self, message: str, status: int, reason: str, parameters: frozenset[str]):
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.parameters = parameters  # request parameters X's errors name (since_id, next_token, ...)


class Malformed(ConnectorError):
    """X's answer was not JSON."""


class Api:
    """Runs tweepy calls with bounded retries and counts the HTTP requests made."""

    def __init__(
        self,
        client: tweepy.Client,
        *,
        rate_limit_wait: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        attempts: int = 3,
        backoff: float = 0.5,
        backoff_cap: float = 8.0,
    ):
        self.client = client
        self.rate_limit_wait = rate_limit_wait
        self.sleep = sleep
        self.clock = clock
        self.attempts = attempts
        self.backoff = backoff
        self.backoff_cap = backoff_cap
        self.requests = 0  # HTTP requests made since the last take_requests()

    def take_requests(self) -> int:
        spent, self.requests = self.requests, 0
        return spent

    def call(self, what: str, method: Callable[..., Any], *args: Any, write: bool = False, retry: bool = True,
             **kwargs: Any) -> Any:
        """`method(*args, **kwargs)`'s decoded body.

        `what` names the request in messages. `write` marks user-context calls.
        `retry=False` is for requests that must never be repeated blindly (posting
        a reply): a 5xx, timeout or unreadable answer then raises TransientError
        at once, as the request may have taken effect.
        """
        attempt, waited = 0, False
        while True:
            attempt += 1
            self.requests += 1
            try:
                return method(*args, **kwargs)
            except tweepy.TooManyRequests as exc:
                if waited or not self._wait_for_reset(exc):
                    raise self._rate_limited(exc, what) from None
                waited = True
            except tweepy.TwitterServerError as exc:
                status = exc.response.status_code
                if not retry or attempt >= self.attempts:
                    raise TransientError(_gave_up(what, f"X answered {status} to", attempt, retry)) from None
                self._back_off(attempt)
            except tweepy.Unauthorized:
                names = ", ".join(USER_CONTEXT) if write else "X_BEARER_TOKEN"
                raise ConnectorError(f"X rejected the credentials for {what} (401 Unauthorized): check {names}") from None
            except tweepy.HTTPException as exc:
                raise _refused(exc, what, write) from None
            except (OSError, ValueError) as exc:  # requests' errors are OSErrors; its JSONDecodeError both
                if _is_json_error(exc):
                    if not retry:
                        raise TransientError(f"X's answer to {what} was not JSON, so it may or may not have taken effect") from None
                    raise Malformed(f"X's answer to {what} was malformed (not JSON)") from None
                if not retry or attempt >= self.attempts:
                    raise TransientError(_gave_up(what, _transport_problem(exc), attempt, retry)) from None
                self._back_off(attempt)

    # Rate limits -------------------------------------------------------------

    def _wait_for_reset(self, exc: tweepy.TooManyRequests) -> bool:
        """Sleep until the window resets when that is within rate_limit_wait; False when it is not."""
        if _usage_capped(exc) or exc.reset_time is None:
            return False
        wait = exc.reset_time - self.clock()
        if wait > self.rate_limit_wait:
            return False
        self.sleep(min(max(wait, 0) + 1, self.rate_limit_wait + 1))  # +1: the reset is whole seconds
        return True

    def _rate_limited(self, exc: tweepy.TooManyRequests, what: str) -> RateLimited:
        if _usage_capped(exc):
            return RateLimited(
                "monthly usage cap reached: X will serve no more posts to this project until the cap resets "
                "(see the X developer portal)"
            )
        if exc.reset_time is None:
            return RateLimited(f"X's rate limit for {what} is used up and X did not say when it resets")
        retry_at = datetime.fromtimestamp(exc.reset_time, tz=timezone.utc)
        minutes = max(1, round((exc.reset_time - self.clock()) / 60))
        return RateLimited(f"X's rate limit for {what} is used up for about {minutes} min", retry_at=retry_at)

    # Retries -----------------------------------------------------------------

    def _back_off(self, attempt: int) -> None:
        self.sleep(min(self.backoff * 2 ** (attempt - 1), self.backoff_cap))


def _usage_capped(exc: tweepy.TooManyRequests) -> bool:
    body = _body(exc.response)
    kind = str(body.get("type", "")) if isinstance(body, dict) else ""
    title = str(body.get("title", "")) if isinstance(body, dict) else ""
    text = " ".join([kind, title, *map(str, exc.api_messages)]).lower()
    return kind.endswith("/usage-capped") or "usagecapexceeded" in text or "usage cap" in text


def _refused(exc: tweepy.HTTPException, what: str, write: bool) -> Refused:
    status = exc.response.status_code
    reason = _reason(exc)
    parameters = frozenset(
        name for error in exc.api_errors if isinstance(error, dict)
        for name in (error.get("parameters") or {}) if isinstance(error.get("parameters"), dict)
    )  # fmt: skip
    if status == 403 and not write:
        message = f"X refused {what} (403 Forbidden: {reason}): the app's X API plan or project does not allow it"
    else:
        message = f"X refused {what} ({status}: {reason})"
    return Refused(message, status, reason, parameters)


def _reason(exc: tweepy.HTTPException) -> str:
    """X's own explanation, short and on one line."""
    body = _body(exc.response)
    parts = [str(m) for m in exc.api_messages if m]
    if not parts and isinstance(body, dict):
        parts = [str(body[k]) for k in ("detail", "title") if body.get(k)]
    text = " ".join(" ".join(parts).split()) or (exc.response.reason or "no reason given")
    return text if len(text) <= 160 else text[:157] + "..."


def _body(response: Any) -> Any:
    try:
        return response.json()
    except (ValueError, OSError):
        return None


def _is_json_error(exc: BaseException) -> bool:
    return isinstance(exc, json.JSONDecodeError) or (
        isinstance(exc, ValueError) and type(exc).__name__.endswith("JSONDecodeError")
    )


def _transport_problem(exc: BaseException) -> str:
    """How a request that got no answer failed, as the start of a sentence ending in `what`."""
    name = type(exc).__name__
    if "Timeout" in name:
        return "X took too long to answer"
    return f"could not reach X ({name}) for"


def _gave_up(what: str, problem: str, attempt: int, retried: bool) -> str:
    if not retried:
        return f"{problem} {what}, so it may or may not have taken effect"
    return f"{problem} {what} {attempt} times in a row; the next sync will try again"
