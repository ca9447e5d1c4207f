"""Sentiment of a piece of text: VADER's compound score, made safe for any mention.

Plain vaderSentiment has three traps (see API-NOTES.md) which this module removes:

* **Cost.** VADER's cost grows with the square of the text's length. Texts longer
  than ``SEGMENT_CHARS`` are cut into segments of at most that many characters at
  sentence or line boundaries (a longer sentence is cut at a space, or hard at the
  limit), each segment is scored on its own, and the compounds are averaged
  weighted by segment length. The cost is then linear in the length of the text.
  A text that fits in one segment gets exactly the compound plain VADER gives.
* **Emoji.** VADER only knows emoji as single code points, so ❤️ (U+2764 U+FE0F)
  or 👍🏽 are not recognised. Variation selectors (U+FE0E, U+FE0F) and skin-tone
  modifiers (U+1F3FB–U+1F3FF) are removed and a zero-width joiner becomes a space
  (👨‍👩‍👧 → man woman girl). Emoji are then spelled out with VADER's own emoji
  lexicon, exactly as VADER does, except that a word glued to the end of an emoji
  stays a separate word ("❤great" → "red heart great", where VADER reads
  "heartgreat"). Segment sizes are measured on this spelled-out text, because
  that is what VADER's cost depends on.
* **Types.** ``None`` is neutral 0.0; bytes are decoded as UTF-8 with replacement.

Labels use VADER's standard thresholds: compound >= 0.05 is positive, <= -0.05 is
negative, anything between is neutral. Scores are rounded to 4 decimals.

One ``SentimentIntensityAnalyzer`` per process, built on first use: importing this
module does not import vaderSentiment.
"""

from __future__ import annotations

import functools
import re

from commwatch.model import Sentiment

SEGMENT_CHARS = 1000  # longest text VADER scores in one piece
POSITIVE_THRESHOLD = 0.05  # compound >= this: positive
NEGATIVE_THRESHOLD = -0.05  # compound <= this: negative

# Removed before scoring: variation selectors and skin-tone modifiers; ZWJ becomes a space.
_EMOJI_NOISE = {0xFE0E: None, 0xFE0F: None, 0x200D: " "} | {cp: None for cp in range(0x1F3FB, 0x1F400)}
# A piece ends after sentence punctuation followed by whitespace, or at a line break.
_PIECE_END = re.compile(r"(?<=[.!?…。！？])\s+|\s*\n\s*")


@functools.cache
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def label_for(compound: float) -> str:
    """'positive' (>= 0.05), 'negative' (<= -0.05) or 'neutral': VADER's standard thresholds."""
    if compound >= POSITIVE_THRESHOLD:
        return "positive"
    if compound <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def score_text(text: str | bytes | None) -> Sentiment:
    """The sentiment of a text of any length. Never raises on None or bytes."""
    if text is None:
        return Sentiment(score=0.0, label="neutral")
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = str(text)
    parts = segments(prepare(text))
    if not parts:
        return Sentiment(score=0.0, label="neutral")
    analyzer = _analyzer()
    scored = [(analyzer.polarity_scores(part)["compound"], len(part)) for part in parts]
    compound = round(sum(c * n for c, n in scored) / sum(n for _, n in scored), 4) + 0.0  # no -0.0
    return Sentiment(score=compound, label=label_for(compound))


def vader_scores(text: str) -> dict[str, float]:
    """VADER's compound, pos, neg and neu for a text of any length (segments weighted by length);
    the trained model reads them as features."""
    parts = segments(prepare(text)) if text else []
    if not parts:
        return {"compound": 0.0, "pos": 0.0, "neg": 0.0, "neu": 0.0}
    analyzer = _analyzer()
    total = sum(len(p) for p in parts)
    out = {"compound": 0.0, "pos": 0.0, "neg": 0.0, "neu": 0.0}
    for part in parts:
        scores = analyzer.polarity_scores(part)
        for key in out:
            out[key] += scores[key] * len(part) / total
    return out


def prepare(text: str) -> str:
    """The text with emoji normalised and spelled out, as VADER will tokenise it."""
    if text.isascii():
        return text  # no emoji: nothing to do
    text = text.translate(_EMOJI_NOISE)
    emojis = _analyzer().emojis
    out: list[str] = []
    after_emoji = False
    for ch in text:
        description = emojis.get(ch)
        if description is not None:
            if out and not out[-1].endswith(" "):
                out.append(" ")
            out.append(description)
            after_emoji = True
            continue
        if after_emoji and ch.isalnum():
            out.append(" ")
        out.append(ch)
        after_emoji = False
    return "".join(out)


def segments(text: str, size: int = SEGMENT_CHARS) -> list[str]:
    """The text in pieces of at most `size` characters, cut at sentence or line ends.

    A text of at most `size` characters is returned whole; a blank text gives [].
    """
    if not text.strip():
        return []
    if len(text) <= size:
        return [text]
    out: list[str] = []
    current = ""
    for piece in _PIECE_END.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if len(piece) > size:
            chunks = _hard_split(piece, size)
            piece = chunks.pop()
            out.extend(filter(None, [current, *chunks]))
            current = ""
        if current and len(current) + 1 + len(piece) > size:
            out.append(current)
            current = ""
        current = f"{current} {piece}" if current else piece
    if current:
        out.append(current)
    return out


def _hard_split(piece: str, size: int) -> list[str]:
    """A sentence longer than `size` in chunks of at most `size`, at a space when there is one."""
    chunks = []
    while len(piece) > size:
        cut = piece.rfind(" ", 0, size + 1)
        if cut < size // 2:
            cut = size
        chunks.append(piece[:cut].rstrip())
        piece = piece[cut:].lstrip()
    chunks.append(piece)
    return [c for c in chunks if c]
