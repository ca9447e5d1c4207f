"""HTTP to the YouTube Data API v3 (httpx): keys, OAuth, retries, quota, and errors as sentences.

One `Api` per connector holds one `httpx.Client` (HTTP/1.1 keep-alive). Reads
send `key=YOUTUBE_API_KEY`; writes (and reads that must see our own comments)
send an OAuth access token obtained from YOUTUBE_REFRESH_TOKEN, cached until
shortly before it expires and refreshed once on a 401.

Nothing here ever puts a URL in an error message: read URLs carry the API key.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from commwatch.connector import (
    ApiError,
    ConnectorError,
    MissingCredentials,
    PermanentError,
    RateLimited,
    TransientError,
)
from commwatch_youtube import quota
from commwatch_youtube.parse import error_reason, error_sentence, first_sentence

DEFAULT_BASE = "https://youtube.googleapis.com/youtube/v3/"
TOKEN_URL = "https://oauth2.googleapis.com/token"
OAUTH_ENV = ("YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN")
USER_AGENT = "commwatch (YouTube connector)"

ATTEMPTS = 3  # tries per request for 5xx, timeouts and dropped connections
BACKOFF = 1.0  # seconds before the first retry; doubles each time
TIMEOUT = 20.0  # seconds per request
CONNECT_TIMEOUT = 10.0
TOKEN_MARGIN = 60.0  # refresh an access token this long before Google says it expires

RETRY_STATUSES = {500, 502, 503, 504}
RETRY_REASONS = {"backendError", "internalError", "processingFailure", "rateLimitExceeded", "userRateLimitExceeded"}
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
KEY_REASONS = {"keyInvalid", "keyExpired", "accessNotConfigured", "ipRefererBlocked"}
# Refusals that cost no quota: nothing was done on the project's account.
FREE_REASONS = QUOTA_REASONS | {"keyInvalid", "keyExpired", "authError"}


class KeyRejected(ConnectorError):
    """YOUTUBE_API_KEY itself was refused: no read of this source can succeed."""


class Api:
    def __init__(
        self,
        *,
        api_base: str | None,
        env: Mapping[str, str],
        budget: quota.Budget,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = TIMEOUT,
    ):
        self.base = f"{api_base}/youtube/v3/" if api_base else DEFAULT_BASE
        self.token_url = f"{api_base}/token" if api_base else TOKEN_URL
        self.env = env
        self.key = env.get("YOUTUBE_API_KEY", "")
        self.budget = budget
        self.sleep = sleep
        self.timeout = timeout
        self._client: httpx.Client | None = None
        self._token: str | None = None
        self._token_expires = 0.0

    # Public calls ---------------------------------------------------------------

    def read(
        self,
        label: str,
        path: str,
        params: dict[str, Any],
        *,
        oauth: bool = False,
        budgeted: bool = True,
        cost: int = quota.LIST_UNITS,
    ) -> dict:
        """GET a list method. `label` ("commentThreads.list") names it in messages; `budgeted`
        reads are held to the source's daily budget."""
        body = self._call("GET", label, path, params, None, cost=cost, oauth=oauth, budgeted=budgeted, safe=True)
        if not isinstance(body, dict):
            raise ConnectorError(f"YouTube sent an empty or unexpected {label} response")
        return body

    def write(self, label: str, path: str, params: dict[str, Any], body: dict | None, *, safe: bool) -> dict | None:
        """POST a write method (50 units). `safe` says whether repeating it is harmless: an
        unsafe write that may have reached YouTube is never repeated here (TransientError)."""
        return self._call(
            "POST", label, path, params, body, cost=quota.WRITE_UNITS, oauth=True, budgeted=False, safe=safe
        )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # The request loop -------------------------------------------------------------

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                base_url=self.base,
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, CONNECT_TIMEOUT)),
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                follow_redirects=False,
            )
        return self._client

    def _call(self, method, label, path, params, body, *, cost, oauth, budgeted, safe):
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            if budgeted:
                self.budget.check(cost)
            headers, query = {}, dict(params)
            if oauth:
                headers["Authorization"] = f"Bearer {self._access_token()}"
            else:
                query["key"] = self.key
            try:
                response = self._http().request(method, path, params=query, json=body, headers=headers)
            except httpx.TransportError as exc:
                reached = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
                self.budget.charge(cost if reached else 0, budgeted)
                problem = f"did not answer {label} ({_transport_problem(exc)})"
                if reached and not safe:
                    raise TransientError(f"YouTube {problem}; it may or may not have been applied") from None
            else:
                status = response.status_code
                payload = _json(response)
                failure = error_reason(payload) if status >= 400 else None
                reason = failure[0] if failure else str(status)
                free = status == 401 or reason in FREE_REASONS
                self.budget.charge(0 if free else cost, budgeted)
                if status < 300:
                    return _success(response, payload, label)
                if status == 401 and oauth and not refreshed:
                    self._token = None  # expired or revoked early: fetch a new one and try once more
                    refreshed = True
                    attempt -= 1
                    continue
                if status not in RETRY_STATUSES and reason not in RETRY_REASONS:
                    raise self._refusal(status, reason, payload, label, oauth)
                problem = f"answered {label} with HTTP {status}" + (f" ({reason})" if failure else "")
                if not safe:
                    raise TransientError(f"YouTube {problem}; it may or may not have been applied")
            if attempt >= ATTEMPTS:
                raise TransientError(f"YouTube {problem} {ATTEMPTS} times in a row; try again later")
            self.sleep(BACKOFF * 2 ** (attempt - 1))

    def _refusal(self, status: int, reason: str, payload: Any, label: str, oauth: bool) -> ConnectorError:
        sentence = self._redact(error_sentence(payload) or f"YouTube answered {label} with HTTP {status}.")
        message = self._redact(first_sentence((error_reason(payload) or ("", ""))[1]))
        if reason in QUOTA_REASONS:
            now = quota.utcnow()
            return RateLimited(
                f"YouTube's daily quota for this project is used up; it resets at {quota.reset_phrase(now)}",
                retry_at=quota.next_reset(now),
            )
        if status == 401 and oauth:
            return PermanentError(
                "YouTube did not accept the access token obtained with YOUTUBE_REFRESH_TOKEN; "
                "create a new refresh token with the youtube.force-ssl scope"
            )
        if not oauth and reason in KEY_REASONS:
            return KeyRejected(
                f"YouTube rejected the API key in YOUTUBE_API_KEY ({reason}): {message or 'check the key.'}"
            )
        if not oauth and reason == "forbidden":
            return ConnectorError(
                f"YouTube refused {label} with the API key in YOUTUBE_API_KEY (forbidden): "
                f"{message or 'check that the key may call the YouTube Data API v3.'}"
            )
        return ApiError(status, reason, sentence)

    def _redact(self, text: str) -> str:
        for secret in (self.key, *(self.env.get(n, "") for n in OAUTH_ENV), self._token or ""):
            if secret and len(secret) >= 6:
                text = text.replace(secret, "***")
        return text

    # OAuth -----------------------------------------------------------------------------

    def _access_token(self) -> str:
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        missing = [n for n in OAUTH_ENV if not self.env.get(n)]
        if missing:
            raise MissingCredentials(missing)
        form = {
            "grant_type": "refresh_token",
            "client_id": self.env["YOUTUBE_CLIENT_ID"],
            "client_secret": self.env["YOUTUBE_CLIENT_SECRET"],
            "refresh_token": self.env["YOUTUBE_REFRESH_TOKEN"],
        }
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = self._http().post(self.token_url, data=form)
            except httpx.TransportError as exc:
                problem = _transport_problem(exc)
            else:
                if response.status_code not in RETRY_STATUSES:
                    return self._accept_token(response)
                problem = f"HTTP {response.status_code}"
            if attempt < ATTEMPTS:
                self.sleep(BACKOFF * 2 ** (attempt - 1))
        raise TransientError(f"Google's token endpoint answered {problem} {ATTEMPTS} times in a row; try again later")

    def _accept_token(self, response: httpx.Response) -> str:
        payload = _json(response)
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if response.status_code == 200 and isinstance(token, str) and token:
            lifetime = payload.get("expires_in")
            if isinstance(lifetime, bool) or not isinstance(lifetime, (int, float)):
                lifetime = 3600.0
            self._token = token
            self._token_expires = time.monotonic() + max(lifetime - TOKEN_MARGIN, lifetime / 2)
            return token
        reason, message = error_reason(payload) or (f"HTTP {response.status_code}", "")
        detail = self._redact(first_sentence(message))
        if reason == "invalid_client":
            head, advice = "Google refused YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET (invalid_client)", ""
        elif reason == "invalid_grant":
            head = "Google refused YOUTUBE_REFRESH_TOKEN (invalid_grant)"
            advice = " Create a new refresh token with the youtube.force-ssl scope."
        else:
            head, advice = f"Google's token endpoint refused to refresh the access token ({reason})", ""
        raise PermanentError(head + (f": {detail}" if detail else ".") + advice)


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return _NOT_JSON


_NOT_JSON = object()


def _success(response: httpx.Response, payload: Any, label: str) -> dict | None:
    if payload is _NOT_JSON:
        raise ConnectorError(f"YouTube sent a {label} response that is not valid JSON (HTTP {response.status_code})")
    if payload is not None and not isinstance(payload, dict):
        raise ConnectorError(f"YouTube sent a {label} response that is not a JSON object")
    return payload


def _transport_problem(exc: httpx.TransportError) -> str:
    """What went wrong, without the URL (it carries the key)."""
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "connection dropped"
    return f"network error: {type(exc).__name__}"
