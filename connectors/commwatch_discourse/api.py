"""HTTP to one Discourse site (httpx): API key headers, timeouts, retries, 429 waits, errors as sentences.

One `Api` per connector holds one `httpx.Client` (keep-alive). With credentials every
request carries the headers ``Api-Key`` and ``Api-Username``; without them it reads
anonymously, as a visitor would. The key never appears in a URL, and every message
passes through `_redact` anyway.

Rate limits: Discourse answers 429 with how long to wait (``extras.wait_seconds`` in
the body, or ``Retry-After``). A wait of at most MAX_WAIT seconds is waited out (up to
WAITS times a request); a longer one stops the source with RateLimited and the time it
may resume. 5xx, timeouts and dropped connections are retried ATTEMPTS times with
doubling backoff, except for a write that may have reached the site (never repeated
here: the outbox asks `find_reply`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import httpx

from commwatch.connector import ApiError, ConnectorError, RateLimited, TransientError

USER_AGENT = "commwatch (Discourse connector)"
ATTEMPTS = 3  # tries per request for 5xx, timeouts and dropped connections
BACKOFF = 1.0  # seconds before the first retry; doubles each time
TIMEOUT = 20.0  # seconds per request
CONNECT_TIMEOUT = 10.0
MAX_WAIT = 60.0  # a 429 asking for at most this many seconds is waited out…
WAITS = 3  # …this many times for one request
RETRY_STATUSES = {500, 502, 503, 504}


class AccessRefused(ConnectorError):
    """The site refused these credentials (or anonymous reading): no read of this source can succeed."""


class Api:
    def __init__(
        self,
        *,
        site: str,
        api_base: str | None,
        key: str | None,
        username: str | None,
        variables: tuple[str, str],
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = TIMEOUT,
    ):
        self.site = site
        self.base = (api_base or site).rstrip("/")
        self.host = urlsplit(site).netloc or site
        self.key = key or ""
        self.username = username or ""
        self.variables = variables  # the names of the key and username variables, for messages
        self.sleep = sleep
        self.timeout = timeout
        self.requests = 0  # every request sent (pages report them)
        self._client: httpx.Client | None = None

    @property
    def authenticated(self) -> bool:
        return bool(self.key and self.username)

    # Public calls -------------------------------------------------------------------------

    def get(self, label: str, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET `path` (JSON). `label` names it in messages ("the latest posts")."""
        body = self._call("GET", label, path, params, None, safe=True)
        if body is None:
            raise ConnectorError(f"Discourse at {self.host} sent an empty answer for {label}")
        return body

    def send(self, method: str, label: str, path: str, data: dict[str, Any] | None, *, safe: bool) -> Any:
        """POST, PUT or DELETE. `safe` says whether repeating it is harmless; an unsafe request that
        may have reached the site is never repeated here (TransientError)."""
        return self._call(method, label, path, None, data, safe=safe)

    def take(self) -> int:
        """Requests sent since the last call (for a Page's `requests`)."""
        sent, self.requests = self.requests, 0
        return sent

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # The request loop -------------------------------------------------------------------------

    def _http(self) -> httpx.Client:
        if self._client is None:
            headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
            if self.authenticated:
                headers |= {"Api-Key": self.key, "Api-Username": self.username}
            self._client = httpx.Client(
                base_url=self.base,
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, CONNECT_TIMEOUT)),
                headers=headers,
                follow_redirects=False,
            )
        return self._client

    def _call(self, method, label, path, params, data, *, safe):
        attempt = waits = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                response = self._http().request(method, path, params=params, json=data)
            except httpx.TransportError as exc:
                reached = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
                problem = f"did not answer {label} ({_transport_problem(exc)})"
                if reached and not safe:
                    raise TransientError(f"Discourse at {self.host} {problem}; it may or may not have been applied") from None
            else:
                status = response.status_code
                if status == 429:
                    wait = _wait_seconds(response)
                    if wait is not None and wait <= MAX_WAIT and waits < WAITS:
                        waits += 1
                        attempt -= 1
                        self.sleep(wait)
                        continue
                    raise self._limited(wait)
                if status < 300:
                    return self._success(response, label)
                if 300 <= status < 400:
                    where = response.headers.get("location", "")
                    raise ConnectorError(
                        f"Discourse at {self.host} redirected {label} to {self._redact(where)[:120] or 'another address'}: "
                        "set `site` to the forum's address as its pages show it (https, with or without www)"
                    )
                if status not in RETRY_STATUSES:
                    raise self._refusal(status, response, label)
                problem = f"answered {label} with HTTP {status}"
                if not safe:
                    raise TransientError(f"Discourse at {self.host} {problem}; it may or may not have been applied")
            if attempt >= ATTEMPTS:
                raise TransientError(f"Discourse at {self.host} {problem} {ATTEMPTS} times in a row; try again later")
            self.sleep(BACKOFF * 2 ** (attempt - 1))

    def _success(self, response: httpx.Response, label: str) -> Any:
        if not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            kind = "a web page" if b"<html" in response.content[:2000].lower() else "something"
            raise ConnectorError(
                f"Discourse at {self.host} answered {label} with {kind}, not JSON: check that `site` is the "
                "forum's address" + ("" if self.authenticated else ", and whether it needs a login (an API key)")
            ) from None

    def _limited(self, wait: float | None) -> RateLimited:
        now = datetime.now(timezone.utc)
        retry_at = now + timedelta(seconds=wait) if wait is not None else None
        shared = " (an admin key's 60 requests a minute are shared by everything that uses it)" if self.authenticated else ""
        how_long = f"for {_duration(wait)}" if wait is not None else "for now"
        return RateLimited(f"Discourse at {self.host} is refusing more requests {how_long}{shared}", retry_at=retry_at)

    def _refusal(self, status: int, response: httpx.Response, label: str) -> ConnectorError:
        payload = _json_or_none(response)
        errors = payload.get("errors") if isinstance(payload, dict) else None
        error_type = payload.get("error_type") if isinstance(payload, dict) else None
        error_type = error_type if isinstance(error_type, str) else ""
        said = _first(errors)
        key_env, user_env = self.variables
        if status in (401, 403) and error_type in ("invalid_access", "not_logged_in", "") and not _is_write(response):
            if self.authenticated:
                return AccessRefused(
                    f"Discourse at {self.host} refused {label} with the key in {key_env} for the user in "
                    f"{user_env} (HTTP {status}{', ' + error_type if error_type else ''}): check both, and that the "
                    "key may act for that user"
                )
            return AccessRefused(
                f"Discourse at {self.host} does not let visitors read {label} (HTTP {status}): "
                f"set {key_env} and {user_env}"
            )
        sentence = f"Discourse at {self.host} refused {label} (HTTP {status})"
        if said:
            sentence += f": {self._redact(said)}"
        return ApiError(status, error_type, sentence)  # a write's caller says what a refusal means there

    def _redact(self, text: str) -> str:
        if self.key and len(self.key) >= 6:
            text = text.replace(self.key, "***")
        return text


def _is_write(response: httpx.Response) -> bool:
    return response.request.method != "GET"


def _wait_seconds(response: httpx.Response) -> float | None:
    """How long Discourse asked us to wait: extras.wait_seconds, else Retry-After (seconds)."""
    payload = _json_or_none(response)
    extras = payload.get("extras") if isinstance(payload, dict) else None
    wait = extras.get("wait_seconds") if isinstance(extras, dict) else None
    if isinstance(wait, bool) or not isinstance(wait, (int, float)):
        try:
            wait = float(response.headers.get("retry-after", ""))
        except ValueError:
            return None
    return max(0.0, min(float(wait), 86_400.0)) if wait == wait else None  # NaN is not a wait


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _first(errors: Any) -> str:
    """The first error message, as one plain line (Discourse sends a list of sentences)."""
    if isinstance(errors, list) and errors and isinstance(errors[0], str):
        return " ".join(errors[0].split())[:300]
    return ""


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def _transport_problem(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "connection dropped"
    return f"network error: {type(exc).__name__}"
