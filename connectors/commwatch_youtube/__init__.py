"""YouTube Data API v3 connector."""

from __future__ import annotations

from typing import Any

from commwatch.connector import IMPORT, Connector
from commwatch.model import Mention


class YouTubeConnector(Connector):
    name = "youtube"
    description = "YouTube Data API v3: channel and video comments (httpx)"
    platforms = ("youtube",)
    capabilities = frozenset({IMPORT})
    credentials = ("YOUTUBE_API_KEY",)
    options = ("channel_id", "video_ids", "query", "daily_quota")

    @classmethod
    def parse(cls, payload: Any) -> list[Mention]:
        from commwatch_youtube.parse import parse_response

        return parse_response(payload)
