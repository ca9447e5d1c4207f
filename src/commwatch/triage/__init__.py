"""Triage: the sentiment and priority of a mention, filled in before it is stored."""

from __future__ import annotations

from commwatch.model import Mention
from commwatch.triage.priority import prioritise
from commwatch.triage.sentiment import score_text


def triage(mention: Mention, urgent_keywords: list[str]) -> None:
    """Set mention.sentiment (of the title and text together) and mention.priority."""
    text = f"{mention.title}\n{mention.text or ''}" if mention.title else mention.text
    mention.sentiment = score_text(text)
    mention.priority = prioritise(mention, mention.sentiment, urgent_keywords=urgent_keywords)
