"""The sentiment scorer on its own (`commwatch score`)."""

from __future__ import annotations


def score(text: str) -> dict[str, object]:
    from commwatch.triage.sentiment import score_text

    s = score_text(text)
    return {"label": s.label, "score": s.score}
