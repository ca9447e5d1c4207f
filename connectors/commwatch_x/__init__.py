"""X (Twitter) API v2 connector."""

from __future__ import annotations

from typing import Any

from commwatch.connector import IMPORT, Connector
from commwatch.model import Mention


class XConnector(Connector):
    name = "x"
    description = "X API v2: recent search and @mentions (tweepy)"
    platforms = ("x",)
    capabilities = frozenset({IMPORT})
    credentials = ("X_BEARER_TOKEN",)
    options = ("query", "mentions", "max_per_sync")

    @classmethod
    def parse(cls, payload: Any) -> list[Mention]:
        from commwatch_x.parse import parse_page

        return parse_page(payload)
