"""Reddit connector."""

from __future__ import annotations

from typing import Any

from commwatch.connector import IMPORT, Connector
from commwatch.model import Mention


class RedditConnector(Connector):
    name = "reddit"
    description = "Reddit: search, subreddit watch and u/ mentions (praw)"
    platforms = ("reddit",)
    capabilities = frozenset({IMPORT})
    credentials = ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET")
    options = ("query", "subreddits", "keywords", "mentions", "user_agent")

    @classmethod
    def parse(cls, payload: Any) -> list[Mention]:
        from commwatch_reddit.parse import parse_listing

        return parse_listing(payload)
