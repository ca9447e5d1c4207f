"""The sentiment model at work outside ingest: `commwatch score`, a person's label, and
stored mentions read again as triage reads a new one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from commwatch.model import Author, Mention, Priority, Sentiment

LABELS = ("negative", "neutral", "positive")


def score(text: str, explain: bool = False) -> dict[str, object]:
    """One text's reading, as `commwatch score` prints it."""
    from commwatch.triage.scorer import current

    s = current().score(text)
    out: dict[str, object] = {"label": s.label, "score": s.score, "confidence": s.confidence, "lang": s.lang}
    if explain:
        out["probabilities"] = s.probabilities
        out["reasons"] = s.reasons
    return out


def stored_mention(m: dict[str, Any]) -> Mention:
    """A stored mention (as views return it) in the shape triage reads."""
    author = m["author"]
    return Mention(
        platform=m["platform"],
        remote_id=m["remote_id"],
        text=m["text"] or "",
        created_at=datetime.fromisoformat(m["created_at"].replace("Z", "+00:00")),
        author=Author(handle=author["handle"] or "", name=author["name"], followers=author["followers"],
                      verified=author["verified"]),  # fmt: skip
        title=m.get("title"),
        lang=m.get("lang"),
        metrics=m.get("metrics") or {},
    )


def retriaged(m: dict[str, Any], urgent_keywords: list[str], label: Sentiment | None = None) -> tuple[Sentiment, Priority]:
    """The sentiment (the model's, or `label`) and the priority it gives, for a stored mention."""
    from commwatch.triage.triaged import triage

    mention = stored_mention(m)
    triage(mention, urgent_keywords, label=label)
    return mention.sentiment, mention.priority


def hand_label(m: dict[str, Any], label: str, by: str) -> Sentiment:
    """A person's label: the model's score is kept when it agrees, else the label's middle."""
    current = m["sentiment"]
    agrees = current["label"] == label and current["score"] is not None
    score = current["score"] if agrees else {"negative": -0.5, "neutral": 0.0, "positive": 0.5}[label]
    return Sentiment(score=score, label=label, confidence=1.0, by=by)
