"""The trained sentiment model: a linear classifier (negative, neutral, positive) over hashed
words, word pairs and character n-grams (triage.textfeatures), plus VADER's scores and the
post's language as a few dense features. Trained by tools/train_sentiment.py (or `commwatch
triage train`) with triage.learn; read here with the standard library only, so scoring
needs no numpy and loading costs a few milliseconds.

The model file: b"CWSM1\\n", a 4-byte little-endian header length, a JSON header (classes,
bucket count, quantisation scale, bias, dense feature weights, languages, figures), then
the bucket weights as little-endian int16, bucket by bucket, one per class.

Scores are cached per token: a token's contribution (its own weight and its n-grams') is
the same in every text, which makes scoring a few dictionary lookups a word.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from commwatch.triage import textfeatures as tf
from commwatch.triage.lang import FUNCTION_WORDS, UNDETERMINED, detect
from commwatch.triage.lexicon import polarity

MAGIC = b"CWSM1\n"
CLASSES = ("negative", "neutral", "positive")
SHIPPED = Path(__file__).parent / "data" / "sentiment.cwsm"
CACHE_LIMIT = 300_000  # tokens and word pairs whose contribution is remembered (about 60 MB at most)
ENGLISH_LIKE = ("en", UNDETERMINED)  # VADER reads these; other languages get their own VADER weights


@dataclass
class Scored:
    label: str
    score: float  # P(positive) - P(negative), -1 … 1
    probabilities: dict[str, float]
    confidence: float  # the probability of the label
    lang: str
    reasons: list[str] = field(default_factory=list)
    model: str = ""  # the id of the model that scored it


VADER_KEYS = ("compound", "pos", "neg", "neu")
# VADER's compound in bands, so the model can trust a strong VADER reading more than a weak one.
VADER_BANDS = (-0.75, -0.5, -0.25, -0.05, 0.05, 0.25, 0.5, 0.75)
_BAND = len(VADER_KEYS)
_LEXICON = _BAND + len(VADER_BANDS) + 1
_GROUP = _LEXICON + 2  # dense features per language group


def dense_names(languages: list[str]) -> list[str]:
    """The dense features, in order: VADER's four scores, its compound's band, and the words of
    the hand-made lexicon (triage.lexicon) found positive and negative, for English-like text
    and for the rest; then one bias per language the model was trained on, and one for others."""
    group = ([f"vader_{k}" for k in VADER_KEYS] + [f"vader_band{i}" for i in range(len(VADER_BANDS) + 1)]
             + ["lexicon_positive", "lexicon_negative"])  # fmt: skip
    return ([f"{name}@en" for name in group] + [f"{name}@xx" for name in group]
            + [f"lang@{lang}" for lang in languages] + ["lang@other"])  # fmt: skip


def dense_values(vader: dict[str, float], lang: str, languages: list[str],
                 lexicon: list[str] | tuple[int, int]) -> list[tuple[int, float]]:
    """(position, value) of the dense features that are not zero. `lexicon` is the tokens, or
    their lexicon counts already made (positive, negative)."""
    start = 0 if lang in ENGLISH_LIKE else _GROUP
    out = [(start + i, vader[k]) for i, k in enumerate(VADER_KEYS) if vader[k]]
    out.append((start + _BAND + sum(vader["compound"] > edge for edge in VADER_BANDS), 1.0))
    positive, negative = lexicon if isinstance(lexicon, tuple) else lexicon_counts(lexicon)
    if positive:
        out.append((start + _LEXICON, min(positive, 3)))
    if negative:
        out.append((start + _LEXICON + 1, min(negative, 3)))
    out.append((2 * _GROUP + (languages.index(lang) if lang in languages else len(languages)), 1.0))
    return out


def lexicon_counts(tokens: list[str]) -> tuple[int, int]:
    """Positive and negative lexicon words among the tokens; a negated word counts the other way."""
    signs = [_polarity(token) for token in tokens]
    return sum(s > 0 for s in signs), sum(s < 0 for s in signs)


def _polarity(token: str) -> int:
    if not (token[0].isalpha() or token[0] == "~"):
        return 0
    sign = polarity(token.lstrip("~"))
    return -sign if token[0] == "~" else sign


def token_buckets(tokens: list[str], lang: str, languages: list[str]) -> list[int]:
    """Every hashed feature of a text, with repeats (training reads this; scoring sums the same
    buckets per token from its cache)."""
    found: list[int] = []
    for token in tokens:
        found += tf.word_features(token)
        if lang in languages and lang != "en":
            found.append(tf.bucket(f"L{lang} {token}"))
    found += [tf.pair_bucket(a, b) for a, b in zip(tokens, tokens[1:])]
    return found


def length_scale(tokens: list[str]) -> float:
    return 1.0 / math.sqrt(len(tokens) + 1)


class SentimentModel:
    def __init__(self, header: dict, weights: array):
        self.header = header
        self.languages: list[str] = header["languages"]  # trained on (language-specific features)
        self.claimed: list[str] = header.get("claimed", self.languages)  # better than VADER on each
        self.scale: float = header["scale"]
        self.bias: list[float] = header["bias"]
        self.dense: list[list[float]] = header["dense"]  # per dense feature, one weight per class
        self.buckets: int = header["buckets"]
        self.weights = weights
        self.id: str = header.get("id") or "unsaved"
        self._cache: dict[str, tuple[int, int, int]] = {}
        if self.buckets != tf.BUCKETS or len(weights) != self.buckets * 3:
            raise ValueError("the model file does not match this version's features")

    # Loading ----------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> SentimentModel:
        """Read the header; map the weights (no copy: pages are read as words need them)."""
        with open(path, "rb") as f:
            head = f.read(len(MAGIC) + 4)
            if not head.startswith(MAGIC) or len(head) < len(MAGIC) + 4:
                raise ValueError(f"{path} is not a commwatch sentiment model")
            size = int.from_bytes(head[len(MAGIC):], "little")
            header = json.loads(f.read(size))
            start = len(MAGIC) + 4 + size
            if sys.byteorder == "little" and start % 2 == 0:
                import mmap

                mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                return cls(header, memoryview(mapped)[start:].cast("h"))
            weights = array("h")
            weights.frombytes(f.read())
            if sys.byteorder != "little":
                weights.byteswap()
            return cls(header, weights)

    def save(self, path: Path) -> None:
        import hashlib

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.header["id"] = self.id = hashlib.sha1(self.weights.tobytes()).hexdigest()[:12]
        header = json.dumps(self.header, ensure_ascii=False, sort_keys=True).encode()
        header += b" " * (len(header) % 2)  # the weights start at an even offset, so they can be mapped
        weights = array("h")
        weights.frombytes(bytes(self.weights))
        if sys.byteorder != "little":
            weights.byteswap()
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(MAGIC + len(header).to_bytes(4, "little") + header + weights.tobytes())
        os.replace(tmp, path)  # never a half-written model in use

    # Scoring ----------------------------------------------------------------------------

    def _sum(self, buckets: list[int]) -> tuple[int, int, int]:
        w = self.weights
        a = b = c = 0
        for i in buckets:
            j = 3 * i
            a += w[j]
            b += w[j + 1]
            c += w[j + 2]
        return a, b, c

    def _token(self, token: str, lang: str) -> tuple[int, int, int, bool, int]:
        """(its three class weights summed, whether it can be a reason, its lexicon polarity), cached."""
        key = f"{lang}\x00{token}" if lang in self.languages and lang != "en" else token
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            buckets = tf.word_features(token)
            if key is not token:
                buckets.append(tf.bucket(f"L{lang} {token}"))
            found = self._cache[key] = (*self._sum(buckets), _telling(token), _polarity(token))
        return found

    def _pair(self, first: str, second: str) -> tuple[int, int, int]:
        key = f"{first}\x01{second}"
        found = self._cache.get(key)
        if found is None:
            j = 3 * tf.pair_bucket(first, second)
            w = self.weights
            found = self._cache[key] = (w[j], w[j + 1], w[j + 2])
        return found

    def logits(self, tokens: list[str], lang: str, vader: dict[str, float]) -> tuple[list[float], list[tuple]]:
        """The three class scores, and each token's contribution (for reasons)."""
        parts = [self._token(t, lang) for t in tokens]
        a = b = c = 0
        positive = negative = 0
        for p in parts:
            a += p[0]
            b += p[1]
            c += p[2]
            if p[4]:
                positive += p[4] > 0
                negative += p[4] < 0
        for first, second in zip(tokens, tokens[1:]):
            p = self._pair(first, second)
            a += p[0]
            b += p[1]
            c += p[2]
        k = self.scale * length_scale(tokens)
        out = [self.bias[0] + a * k, self.bias[1] + b * k, self.bias[2] + c * k]
        for position, value in dense_values(vader, lang, self.languages, (positive, negative)):
            weights = self.dense[position]
            out[0] += weights[0] * value
            out[1] += weights[1] * value
            out[2] += weights[2] * value
        return out, [(t, p[0] * k, p[1] * k, p[2] * k) for t, p in zip(tokens, parts) if p[3]]

    def score(self, text: str, lang: str | None = None, explain: int = 3) -> Scored:
        """The sentiment of one text. `lang` is the platform's, when it gave one."""
        from commwatch.triage.sentiment import vader_scores

        lang = (lang or "").split("-")[0].lower() or detect(text)
        tokens = tf.tokens(text)
        z, parts = self.logits(tokens, lang, vader_scores(text))
        top = max(z)
        exp = [math.exp(v - top) for v in z]
        total = sum(exp)
        probs = [e / total for e in exp]
        best = max(range(3), key=probs.__getitem__)
        reasons = _reasons(parts, best, explain)
        if lang not in self.claimed:
            reasons.append(_language_note(lang, lang in self.languages))
        return Scored(
            label=CLASSES[best],
            score=round(probs[2] - probs[0], 4) + 0.0,
            probabilities={name: round(p, 4) for name, p in zip(CLASSES, probs)},
            confidence=round(probs[best], 4),
            lang=lang,
            reasons=reasons,
            model=self.id,
        )


def _language_note(lang: str, trained: bool) -> str:
    if lang == UNDETERMINED:
        return "language not recognised: read as English"
    if trained:
        return f"language {lang}: the model reads it no better than VADER did; a rough guess"
    return f"language {lang}: not one the model was trained on; a rough guess"


def _reasons(parts: list[tuple], best: int, count: int) -> list[str]:
    """The words that pushed most towards the label (a word counted once)."""
    pushes: dict[str, float] = {}
    for token, *z in parts:
        push = z[best] - (sum(z) - z[best]) / 2
        if push > 0.05 and push > pushes.get(token, 0.0):
            pushes[token] = push
    top = sorted(pushes.items(), key=lambda item: item[1], reverse=True)[:count]
    return [f"{_shown(token)} → {CLASSES[best]}" for token, _ in top]


def _telling(token: str) -> bool:
    """A word a person would accept as a reason: not punctuation, a function word or a placeholder."""
    word = token.lstrip("~")
    if word in ("http", "@user") or word in FUNCTION_WORDS:
        return False
    if word.isalnum():
        return len(word) > 1
    return len(word) > 1 or word not in _PUNCTUATION  # an emoticon (":(", "<3") or an emoji, not a comma


_PUNCTUATION = set(".,;:!?¿¡…\"'()[]{}-–—/\\|*&%$#+=<>~`^_。，！？、")


def _shown(token: str) -> str:
    return f'"not {token[1:]}"' if token.startswith("~") else f'"{token}"'


def user_model_path() -> Path:
    """Where `triage train` keeps an adopted model: the user data dir (config.user_data_dir;
    written out here because triage imports nothing above the model)."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "commwatch" / "sentiment.cwsm"


def model_path() -> Path:
    """$COMMWATCH_SENTIMENT_MODEL, else the model `triage train` adopted, else the shipped one."""
    chosen = os.environ.get("COMMWATCH_SENTIMENT_MODEL")
    if chosen:
        return Path(chosen)
    adopted = user_model_path()
    return adopted if adopted.exists() else SHIPPED


@functools.cache
def current() -> SentimentModel:
    """The model in use, loaded once per process."""
    return SentimentModel.load(model_path())
