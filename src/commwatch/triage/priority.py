"""How soon a mention needs a human: a 0–100 score, a level and the reasons.

The score is the sum of five signals, capped at 100 and rounded:

==============  ======  ====================================================
signal          points  how
==============  ======  ====================================================
negativity      0–50    50 × -score, when the label is negative (score:
                        P(positive) - P(negative), or a person's label)
urgent keyword  30, +5  30 for the first configured keyword found, 5 for
                each    each further one, 40 at most (case-insensitive,
                        whole words or phrases, in the title and the text)
question        25      a ? (or ¿ ？ ؟) outside links, or a question word
                        at the start (en, es, fr, de, pt, it, nl)
reach           0–20    followers on a log scale: 100 → 0, 1k → 5,
                        10k → 10, 100k → 15, 1M+ → 20; verified +5
engagement      0–15    likes + points + bookmarks + 2 × (replies, comments,
                        reposts, quotes) on a log scale: 10 → 3.75,
                        100 → 7.5, 1k → 11.25, 10k+ → 15
==============  ======  ====================================================

Levels: urgent >= 75, high >= 50, medium >= 25, else low. So an angry refund
demand from a 50k-follower author is urgent, a plain question is medium and
praise from a small account is low. Reasons are listed by points, largest first;
signals worth less than one point are not listed. Everything is deterministic.
"""

from __future__ import annotations

import functools
import math
import re

from commwatch.model import LEVEL_BANDS, Level, Mention, Priority, Sentiment

# Signal weights, in points.
NEGATIVITY_MAX = 50.0
KEYWORD_FIRST = 30.0
KEYWORD_EACH_MORE = 5.0
KEYWORD_MAX = 40.0
QUESTION = 25.0
REACH_MAX = 20.0
REACH_FROM, REACH_FULL = 100, 1_000_000  # followers for 0 and for REACH_MAX points
VERIFIED = 5.0
ENGAGEMENT_MAX = 15.0
ENGAGEMENT_FULL = 10_000  # weighted interactions for ENGAGEMENT_MAX points
ENGAGEMENT_WEIGHTS = {"replies": 2, "comments": 2, "reposts": 2, "quotes": 2, "likes": 1, "score": 1, "bookmarks": 1}
ENGAGEMENT_NOUNS = {"score": "points"}  # how a metric is named in a reason

# Level thresholds, on the 0–100 score (model.LEVEL_BANDS holds them for the store too).
URGENT_AT, HIGH_AT, MEDIUM_AT = (LEVEL_BANDS[level][0] for level in ("urgent", "high", "medium"))
NEGATIVE_AT = -0.05  # VADER's negative threshold
VERY_NEGATIVE_AT = -0.6

_QUESTION_MARK = re.compile(r"[?¿？؟]")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_LEADING_HANDLES = re.compile(r"^(?:(?:@|/?u/)\w+[:,]?\s+)*", re.IGNORECASE)  # "@acme " "u/acme: "
_QUESTION_START = re.compile(
    r"^(?:"
    r"who|whom|whose|what|when|where|which|why|how|is|are|was|were|can|could|would|should|does|did"
    r"|do (?:you|i|we|they)|has anyone|have you|anyone|any idea|any ideas"  # en
    r"|qué|cómo|cuándo|dónde|quién|quiénes|cuál|cuáles|cuánto|cuánta|cuántos|cuántas|por qué"  # es
    r"|pourquoi|quand|où|qui|quel|quelle|quels|quelles|combien|est-ce que"  # fr
    r"|warum|wieso|weshalb|wie|wann|wo|wer|was|welche|welcher|welches|kann|können"  # de
    r"|por que|quando|onde|quem|qual|quais|quanto"  # pt
    r"|perché|dove|chi|cosa|quale|quanta"  # it
    r"|waarom|hoe|wanneer|waar|wie|wat|welke"  # nl
    r")(?!\w)",
    re.IGNORECASE,
)


def prioritise(mention: Mention, sentiment: Sentiment, *, urgent_keywords: list[str]) -> Priority:
    """Score a mention that has been given `sentiment`. Pure: reads the mention, changes nothing."""
    text = " ".join(t for t in (mention.title, mention.text) if t)
    signals = [  # (points, order, reason): order breaks ties so reasons are stable
        _negativity(sentiment.score if sentiment.label == "negative" else 0.0),
        _keywords(text, urgent_keywords),
        _question(mention.title, mention.text),
        _reach(mention.author.followers, mention.author.verified),
        _engagement(mention.metrics),
    ]
    ranked = sorted(((p, i, r) for i, (p, r) in enumerate(signals) if p > 0), key=lambda s: (-s[0], s[1]))
    score = min(100, int(sum(p for p, _, _ in ranked) + 0.5))
    return Priority(score=score, level=level_for(score), reasons=[r for p, _, r in ranked if p >= 1])


def level_for(score: int) -> Level:
    return Level.for_score(score)


def _negativity(compound: float) -> tuple[float, str]:
    if compound > NEGATIVE_AT:
        return 0.0, ""
    word = "very negative" if compound <= VERY_NEGATIVE_AT else "negative"
    return NEGATIVITY_MAX * min(1.0, -compound), f"{word} ({compound:.2f})"


def _keywords(text: str, keywords: list[str]) -> tuple[float, str]:
    found = [kw for kw, pattern in _keyword_patterns(tuple(keywords)) if pattern.search(text)]
    if not found:
        return 0.0, ""
    points = min(KEYWORD_MAX, KEYWORD_FIRST + KEYWORD_EACH_MORE * (len(found) - 1))
    label = "urgent keyword" if len(found) == 1 else "urgent keywords"
    return points, f"{label}: {', '.join(found)}"


@functools.lru_cache(maxsize=32)
def _keyword_patterns(keywords: tuple[str, ...]) -> list[tuple[str, re.Pattern]]:
    """Whole-word, case-insensitive patterns; inside a phrase any run of spaces matches."""
    patterns = []
    for kw in dict.fromkeys(k.strip() for k in keywords if k and k.strip()):
        body = r"\s+".join(re.escape(word) for word in kw.split())
        patterns.append((kw, re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)))
    return patterns


def _question(*texts: str | None) -> tuple[float, str]:
    for text in texts:
        if not text:
            continue
        if _QUESTION_MARK.search(_URL.sub(" ", text)):
            return QUESTION, "question"
        if _QUESTION_START.match(_LEADING_HANDLES.sub("", text.lstrip())):
            return QUESTION, "question"
    return 0.0, ""


def _reach(followers: int | None, verified: bool) -> tuple[float, str]:
    followers = max(0, followers or 0)
    span = math.log10(REACH_FULL / REACH_FROM)
    points = REACH_MAX * min(1.0, max(0.0, math.log10(max(followers, 1) / REACH_FROM) / span))
    if verified:
        points += VERIFIED
    if not points:
        return 0.0, ""
    parts = [f"{_count(followers)} followers"] if followers else []
    parts += ["verified"] if verified else []
    return points, "reach: " + ", ".join(parts)


def _engagement(metrics: dict[str, int]) -> tuple[float, str]:
    counted = {k: max(0, int(metrics.get(k) or 0)) * w for k, w in ENGAGEMENT_WEIGHTS.items()}
    total = sum(counted.values())
    if not total:
        return 0.0, ""
    points = ENGAGEMENT_MAX * min(1.0, math.log10(1 + total) / math.log10(1 + ENGAGEMENT_FULL))
    top = sorted((k for k in counted if counted[k]), key=lambda k: -counted[k])[:2]
    return points, "engagement: " + ", ".join(f"{_count(metrics[k])} {ENGAGEMENT_NOUNS.get(k, k)}" for k in top)


def _count(n: int) -> str:
    """1234 → 1.2k, 120000 → 120k, 3400000 → 3.4M."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= size:
            value = n / size
            return f"{value:.1f}".rstrip("0").rstrip(".") + suffix if value < 10 else f"{value:.0f}{suffix}"
    return str(n)
