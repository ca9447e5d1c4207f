"""Triage of one mention: its sentiment (the trained model's, or a person's label) and priority."""

from __future__ import annotations

from commwatch.model import Mention, Sentiment


def triage(mention: Mention, urgent_keywords: list[str], label: Sentiment | None = None) -> None:
    """Set mention.sentiment (of the title and text together) and mention.priority; fill in
    mention.lang when the platform gave none. `label` is a sentiment a person set by hand:
    it is kept, and the priority follows it."""
    from commwatch.triage.priority import prioritise

    scored = sentiment_of(mention)
    if not mention.lang and scored.lang != "und":
        mention.lang = scored.lang
    mention.sentiment = label or Sentiment(score=scored.score, label=scored.label,
                                           probabilities=scored.probabilities, confidence=scored.confidence,
                                           reasons=scored.reasons, model=scored.model)  # fmt: skip
    mention.priority = prioritise(mention, mention.sentiment, urgent_keywords=urgent_keywords)


def relabel(mention: Mention, label: Sentiment, urgent_keywords: list[str]) -> None:
    """A person's label on an already triaged mention: kept, and the priority computed with it."""
    from commwatch.triage.priority import prioritise

    mention.sentiment = label
    mention.priority = prioritise(mention, label, urgent_keywords=urgent_keywords)


def sentiment_of(mention: Mention):
    """The model's reading of a mention (a scorer.Scored)."""
    from commwatch.triage.scorer import current

    text = f"{mention.title}\n{mention.text or ''}" if mention.title else (mention.text or "")
    return current().score(text, mention.lang)
