"""The signed-in atproto client: the session kept between runs, rate limits, retries, errors as sentences.

createSession is tightly rate-limited (a few dozen a day per account), so the session
(access and refresh tokens) is kept in a state file readable only by its owner,
``$XDG_STATE_HOME/commwatch/bluesky/<hash>.session`` (default ``~/.local/state``), never
in the configuration or the database. A run reuses it; the SDK refreshes the access token
before it expires, and when the server still refuses it (revoked, expired refresh token)
commwatch signs in again once with the app password and keeps the new session.

``api_base`` replaces the scheme and host of every call, session endpoints included: the
SDK would otherwise move to the PDS named in the account's DID document after sign-in.

Rate limits: ``RateLimit-Reset`` of a 429 (or ``Retry-After``) at most MAX_WAIT seconds away
is waited out (WAITS times a call); further away stops the source with RateLimited. 5xx,
timeouts and network errors are retried ATTEMPTS times for reads, never for a post.
Messages name BLUESKY_HANDLE and BLUESKY_APP_PASSWORD, never a password or a token.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from commwatch.connector import ApiError, ConnectorError, MissingCredentials, RateLimited, TransientError

HANDLE_ENV, PASSWORD_ENV = "BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD"
DEFAULT_BASE = "https://bsky.social"
ATTEMPTS = 3
BACKOFF = 1.0
MAX_WAIT = 60.0
WAITS = 3
TIMEOUT = 20.0


class AccessRefused(ConnectorError):
    """The app password (or the account) was refused: nothing of this source can work."""


class SignInFailed(TransientError):
    """Bluesky did not answer the sign-in: every stream of this source would fail alike, for now."""


def state_path(env: Mapping[str, str], handle: str, base: str) -> Path:
    root = env.get("XDG_STATE_HOME") or os.path.join(env.get("HOME") or str(Path.home()), ".local", "state")
    name = hashlib.sha256(f"{handle.lower()}\n{base}".encode()).hexdigest()[:16]
    return Path(root) / "commwatch" / "bluesky" / f"{name}.session"


class Account:
    """The brand's account, signed in on first use."""

    def __init__(self, env: Mapping[str, str], *, api_base: str | None, sleep: Callable[[float], None] = time.sleep,
                 timeout: float = TIMEOUT):  # fmt: skip
        self.handle = (env.get(HANDLE_ENV) or "").strip().lstrip("@")
        self._password = env.get(PASSWORD_ENV) or ""
        self.api_base = api_base.rstrip("/") if api_base else None
        self.base = self.api_base or DEFAULT_BASE
        self.state = state_path(env, self.handle, self.base)
        self.sleep = sleep
        self.timeout = timeout
        self.requests = 0
        self._client = None

    @property
    def did(self) -> str:
        return self.client()._session.did

    def take(self) -> int:
        sent, self.requests = self.requests, 0
        return sent

    # The session ------------------------------------------------------------------------------------

    def client(self):
        if self._client is not None:
            return self._client
        if not (self.handle and self._password):
            raise MissingCredentials([HANDLE_ENV, PASSWORD_ENV], "Bluesky's search and notifications need a signed-in account")
        import httpx
        from atproto import Client
        from atproto import Request

        request = Request(timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                          event_hooks={"response": [self._count]})  # fmt: skip
        client = Client(base_url=self.base, request=request)
        client.on_session_change(self._kept)
        saved = self._saved()
        self._client = client
        if saved:
            try:
                client.login(session_string=saved, fetch_bsky_profile=False)
                return client
            except Exception:  # a damaged or foreign file: sign in afresh
                pass
        try:
            self._sign_in()
        except BaseException:
            self._client = None  # not signed in: the next call tries again from the start
            raise
        return client

    def _sign_in(self) -> None:
        from atproto import exceptions

        try:
            self._client.login(self.handle, self._password, fetch_bsky_profile=False)
        except exceptions.UnauthorizedError as exc:
            raise AccessRefused(f"Bluesky refused {HANDLE_ENV} and {PASSWORD_ENV} ({_error(exc) or 'unauthorized'}): "
                                "use the handle and an app password (Settings → Privacy and security → App passwords)") from None  # fmt: skip
        except exceptions.BadRequestError as exc:
            raise AccessRefused(f"Bluesky refused to sign in as the account in {HANDLE_ENV} ({_error(exc) or 'bad request'}): "
                                "check the handle and the app password") from None  # fmt: skip
        except exceptions.RateLimitExceededError as exc:
            raise self._limited(exc, "sign-ins (createSession is limited to a few dozen a day)") from None
        except exceptions.NetworkError as exc:
            raise SignInFailed(f"Bluesky did not answer the sign-in ({_network_problem(exc)}); try again later") from None

    def _kept(self, event, session) -> None:
        """After a sign-in or a refresh: stay on api_base, and keep the session for the next run."""
        if self.api_base:
            self._client.update_base_url(self.api_base)
        try:
            self.state.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.state, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(self._client.export_session_string())
        except OSError:
            pass  # not kept: the next run signs in again, which still works

    def _saved(self) -> str | None:
        try:
            return self.state.read_text().strip() or None
        except OSError:
            return None

    def _count(self, response) -> None:
        self.requests += 1

    # Calls ---------------------------------------------------------------------------------------------

    def call(self, label: str, fn: Callable[[Any], Any], *, safe: bool = True) -> Any:
        """fn(client), its answer as plain JSON (the SDK's models dumped by alias, as the API sent them)."""
        from atproto import exceptions

        client = self.client()
        attempt = waits = 0
        signed_in_again = False
        while True:
            attempt += 1
            try:
                return _plain(fn(client))
            except exceptions.RateLimitExceededError as exc:
                wait = _wait(exc)
                if wait is not None and wait <= MAX_WAIT and waits < WAITS:
                    waits += 1
                    attempt -= 1
                    self.sleep(max(wait, 1.0))
                    continue
                raise self._limited(exc, label) from None
            except (exceptions.UnauthorizedError, exceptions.BadRequestError) as exc:
                error = _error(exc)
                if error in ("ExpiredToken", "InvalidToken", "AuthMissing", "AuthenticationRequired") and not signed_in_again:
                    signed_in_again = True  # the kept session is no good any more: sign in once more
                    attempt -= 1
                    self._sign_in()
                    continue
                status = exc.response.status_code if exc.response is not None else None
                raise ApiError(status, error, f"Bluesky refused {label} ({error or f'HTTP {status}'})"
                                              + _message(exc)) from None  # fmt: skip
            except exceptions.LoginRequiredError:
                if signed_in_again:
                    raise AccessRefused("Bluesky keeps refusing the session: sign-in works but calls do not") from None
                signed_in_again = True
                attempt -= 1
                self._sign_in()
                continue
            except exceptions.NetworkError as exc:  # timeouts, dropped connections, 502
                problem = f"did not answer {label} ({_network_problem(exc)})"
                if not safe:
                    raise TransientError(f"Bluesky {problem}; it may or may not have been applied") from None
            except exceptions.RequestException as exc:
                status = exc.response.status_code if exc.response is not None else None
                if status is None or status < 500:
                    raise ApiError(status, _error(exc), f"Bluesky refused {label} (HTTP {status})" + _message(exc)) from None
                problem = f"answered {label} with HTTP {status}"
                if not safe:
                    raise TransientError(f"Bluesky {problem}; it may or may not have been applied") from None
            if attempt >= ATTEMPTS:
                raise TransientError(f"Bluesky {problem} {ATTEMPTS} times in a row; try again later")
            self.sleep(BACKOFF * 2 ** (attempt - 1))

    def _limited(self, exc, what: str) -> RateLimited:
        wait = _wait(exc)
        retry_at = datetime.fromtimestamp(time.time() + wait, tz=timezone.utc) if wait is not None else None
        when = f" for {wait / 60:.0f} minutes" if wait and wait >= 90 else (f" for {wait:.0f} seconds" if wait else "")
        return RateLimited(f"Bluesky is refusing more {what}{when}", retry_at=retry_at)


def _plain(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    return dump(mode="json", by_alias=True, exclude_none=True) if dump else value


def _wait(exc) -> float | None:
    after = getattr(exc, "retry_after", None)
    if isinstance(after, (int, float)):
        return float(after)
    reset = getattr(exc, "reset_at", None)
    if isinstance(reset, datetime):
        return max(0.0, (reset - datetime.now(timezone.utc)).total_seconds())
    return None


def _error(exc) -> str:
    content = getattr(exc.response, "content", None) if getattr(exc, "response", None) is not None else None
    error = getattr(content, "error", None)
    return error if isinstance(error, str) else ""


def _message(exc) -> str:
    content = getattr(exc.response, "content", None) if getattr(exc, "response", None) is not None else None
    message = getattr(content, "message", None)
    return f": {' '.join(message.split())[:200]}" if isinstance(message, str) and message.strip() else ""


def _network_problem(exc) -> str:
    """What went wrong below HTTP, in words (never the URL)."""
    import httpx

    status = exc.response.status_code if getattr(exc, "response", None) is not None else None
    if status:
        return f"HTTP {status}"
    cause = exc.__cause__
    if isinstance(cause, httpx.TimeoutException) or type(exc).__name__ == "InvokeTimeoutError":
        return "timed out"
    if isinstance(cause, httpx.ConnectError):
        return "could not connect"
    return "connection dropped" if isinstance(cause, httpx.RemoteProtocolError) else "network error"

