"""The `[targets.NAME]` tables, checked when commwatch.toml is read: every key known, every value usable.

The options of each target type are declared once, as data: a bad port, a
timeout that is not a number or a URL that is not one is a config error naming
the key (exit 3) instead of a delivery that fails later.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HOST = re.compile(r"[A-Za-z0-9.\-:\[\]]+")
MAX_TIMEOUT_S = 3600


class TargetError(ValueError):
    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


def _env(value: Any) -> str | None:
    return None if isinstance(value, str) and _ENV_NAME.fullmatch(value) else (
        "must name an environment variable (letters, digits and _), not hold the secret itself")


def _url(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"https?://[^\s/?#]+[^\s]*", value)
    return None if ok else "must be an http:// or https:// URL"


def _host(value: Any) -> str | None:
    return None if isinstance(value, str) and _HOST.fullmatch(value) else "must be a host name or address"


def _port(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535
    return None if ok else "must be an integer from 1 to 65535"


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _address(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[^@\s]+@[^@\s]+", value)
    return None if ok else "must be an e-mail address"


def _addresses(value: Any) -> str | None:
    values = [value] if isinstance(value, str) else value
    ok = isinstance(values, list) and values and all(_address(v) is None for v in values)
    return None if ok else "must be an e-mail address or a list of them"


def _argv(value: Any) -> str | None:
    ok = isinstance(value, list) and value and all(isinstance(a, str) and a for a in value)
    return None if ok else 'must be a list such as ["/usr/local/bin/page-oncall", "--team", "social"]'


def _seconds(value: Any) -> str | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= MAX_TIMEOUT_S
    return None if ok else f"must be a number of seconds above 0 (at most {MAX_TIMEOUT_S})"


def _file(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be the path of a file"


# type → {key: check}; and the keys (or alternatives) each type needs.
OPTIONS: dict[str, dict[str, Callable[[Any], str | None]]] = {
    "slack": {"url_env": _env},
    "webhook": {"url": _url, "url_env": _env, "secret_env": _env},
    "email": {"host": _host, "port": _port, "starttls": _flag, "username_env": _env, "password_env": _env,
              "from": _address, "to": _addresses, "ca_file": _file},  # fmt: skip
    "command": {"command": _argv, "timeout": _seconds},
}
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    "slack": [("url_env",)],
    "webhook": [("url", "url_env")],
    "email": [("host",), ("from",), ("to",)],
    "command": [("command",)],
}


def looks_secret(key: str) -> bool:
    """A key that would hold a secret in the file (password, api_key, auth_token…); `*_env` names a variable."""
    key = key.lower()
    if key.endswith("_env"):
        return False
    return key in ("password", "passwd", "token", "secret", "key", "api_key", "apikey") or key.endswith(
        ("_password", "_passwd", "_token", "_secret", "_key", "_apikey"))


def check_target(name: str, kind: str, options: dict[str, Any], config_dir: Path | None) -> None:
    """Raise TargetError(key, message) for the first problem in [targets.NAME]."""
    key = f"targets.{name}"
    known = OPTIONS[kind]
    for option, value in options.items():
        if looks_secret(option):
            raise TargetError(f"{key}.{option}", "secrets do not belong in the file: put it in an environment "
                                                 "variable and name that variable (e.g. password_env)")  # fmt: skip
        if option not in known:
            raise TargetError(f"{key}.{option}", f"unknown key for a {kind} target (known: type, {', '.join(known)})")
        problem = known[option](value)
        if problem:
            raise TargetError(f"{key}.{option}", problem)
    for choices in REQUIRED[kind]:
        if not any(c in options for c in choices):
            raise TargetError(f"{key}.{choices[0]}", "is required" if len(choices) == 1 else
                              f"is required (or {', '.join(choices[1:])})")  # fmt: skip
    ca_file = options.get("ca_file")
    if ca_file is not None:
        path = Path(ca_file).expanduser()
        if config_dir is not None and not path.is_absolute():
            path = config_dir / path
        if not path.is_file():
            raise TargetError(f"{key}.ca_file", f"no such file: {path}")
