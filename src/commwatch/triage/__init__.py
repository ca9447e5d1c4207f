"""Triage: the sentiment and priority of a mention, filled in before it is stored.

The scorer is imported when a mention is triaged, not when the package is:
the rules grammar (triage.rules) is read by every command that loads the config.
"""

from __future__ import annotations

from commwatch.model import Mention


def triage(mention: Mention, urgent_keywords: list[str]) -> None:
    """Set mention.sentiment (of the title and text together) and mention.priority."""
    from commwatch.triage.priority import prioritise
    from commwatch.triage.sentiment import score_text

    text = f"{mention.title}\n{mention.text or ''}" if mention.title else mention.text
    mention.sentiment = score_text(text)
    mention.priority = prioritise(mention, mention.sentiment, urgent_keywords=urgent_keywords)
