"""Keeping secrets out of everything commwatch stores or prints.

Credentials live only in environment variables. Any text that came back from a
platform, a target or a library (an error message that echoes a request header,
a URL with a token in it) passes through `redact` before it is stored, logged or
printed, on every path: sync, reply, moderate, deliveries, alerts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

# An environment variable whose name holds one of these words holds a secret (X_BEARER_TOKEN,
# SLACK_PR_WEBHOOK, OPS_HOOK_URL, SMTP_PASSWORD, REDDIT_CLIENT_ID…).
_SECRET_NAME = re.compile(r"TOKEN|SECRET|KEY|PASSWORD|PASSWD|PASS\b|WEBHOOK|HOOK|AUTH|CREDENTIAL|CLIENT_ID|COOKIE|"
                          r"SESSION|URL|DSN", re.IGNORECASE)  # fmt: skip
MIN_LENGTH = 6  # shorter values ("1", "true") would blank out ordinary words


def secret_values(env: Mapping[str, str]) -> list[str]:
    """The values to hide, longest first (so a value containing another is hidden whole)."""
    found = {v for k, v in env.items() if v and len(v) >= MIN_LENGTH and _SECRET_NAME.search(k)}
    return sorted(found, key=len, reverse=True)


def redact(text: str, env: Mapping[str, str] | None = None) -> str:
    """`text` with the value of every secret-looking environment variable replaced by ***."""
    if not text:
        return text
    for value in secret_values(os.environ if env is None else env):
        if value in text:
            text = text.replace(value, "***")
    return text
