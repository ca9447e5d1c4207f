"""Training the sentiment model (numpy; only training imports it) and measuring it.

`fit` turns examples into a sparse matrix with exactly the features the scorer reads
(scorer.token_buckets, dense_values), and fits a multinomial logistic regression by
mini-batch Adam: classes weighted to balance (the metric is macro-recall), languages
weighted so the English majority does not drown the rest, and L2 towards a prior
(zero for a fresh model; the current weights when a manager's corrections fine-tune it).
`measure` scores through the runtime path (SentimentModel.score), so the figures are
those of the model as it runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from commwatch.triage import textfeatures as tf
from commwatch.triage.corpora import CLASSES, Example
from commwatch.triage.lang import detect
from commwatch.triage.scorer import (
    SentimentModel,
    dense_names,
    dense_values,
    length_scale,
    token_buckets,
)

LANGUAGES = ["en", "es", "pt", "fr", "de", "it", "ar", "hi"]


@dataclass
class Settings:
    epochs: int = 10
    rate: float = 0.005
    l2: float = 1e-4
    batch: int = 1024
    seed: int = 7


@dataclass
class Figures:
    n: int
    macro_recall: float
    negative_recall: float
    negative_f1: float
    accuracy: float

    def row(self) -> list[str]:
        return [f"{self.macro_recall:.3f}", f"{self.negative_recall:.3f}", f"{self.negative_f1:.3f}"]


def figures(predicted: list[int], truth: list[int]) -> Figures:
    n = len(truth)
    recalls = []
    for c in range(3):
        total = sum(1 for t in truth if t == c)
        if total:
            recalls.append(sum(1 for p, t in zip(predicted, truth) if t == c and p == c) / total)
    tp = sum(1 for p, t in zip(predicted, truth) if p == 0 and t == 0)
    fp = sum(1 for p, t in zip(predicted, truth) if p == 0 and t != 0)
    fn = sum(1 for p, t in zip(predicted, truth) if p != 0 and t == 0)
    negatives = sum(1 for t in truth if t == 0)
    return Figures(
        n=n,
        macro_recall=sum(recalls) / len(recalls) if recalls else 0.0,
        negative_recall=tp / negatives if negatives else 0.0,
        negative_f1=2 * tp / (2 * tp + fp + fn) if tp else 0.0,
        accuracy=sum(1 for p, t in zip(predicted, truth) if p == t) / n if n else 0.0,
    )


def measure(model: SentimentModel, examples: list[Example]) -> Figures:
    predicted = [CLASSES.index(model.score(e.text, e.lang, explain=0).label) for e in examples]
    return figures(predicted, [e.label for e in examples])


def measure_vader(examples: list[Example]) -> Figures:
    from commwatch.triage.sentiment import score_text

    return figures([CLASSES.index(score_text(e.text).label) for e in examples], [e.label for e in examples])


def fit(examples: list[Example], settings: Settings | None = None, prior: SentimentModel | None = None,
        languages: list[str] | None = None, progress: Callable[[str], None] | None = None) -> SentimentModel:  # fmt: skip
    """A model trained on `examples` (fine-tuned from `prior`, and pulled towards it, when given)."""
    import numpy as np

    settings = settings or Settings()
    languages = list(prior.languages if prior else languages or LANGUAGES)
    say = progress or (lambda _: None)
    say(f"reading the features of {len(examples):,} texts")
    rows = _matrix(examples, languages)
    weights = _example_weights(examples, languages)
    n_dense = len(dense_names(languages))
    w0, d0, b0 = _start(prior, n_dense)
    W, D, B = w0.copy(), d0.copy(), b0.copy()
    m = [np.zeros_like(W), np.zeros_like(D), np.zeros_like(B)]
    v = [np.zeros_like(W), np.zeros_like(D), np.zeros_like(B)]
    indptr, indices, values, dense, y = rows
    rng = np.random.default_rng(settings.seed)
    step = 0
    for epoch in range(settings.epochs):
        say(f"epoch {epoch + 1} of {settings.epochs}")
        order = rng.permutation(len(y))
        for start in range(0, len(y), settings.batch):
            chosen = order[start:start + settings.batch]
            lo, hi = indptr[chosen], indptr[chosen + 1]
            lengths = hi - lo
            idx = np.concatenate([indices[a:b] for a, b in zip(lo, hi)]) if len(chosen) else indices[:0]
            val = np.concatenate([values[a:b] for a, b in zip(lo, hi)]) if len(chosen) else values[:0]
            owner = np.repeat(np.arange(len(chosen)), lengths)
            z = np.stack([np.bincount(owner, weights=W[idx, c] * val, minlength=len(chosen)) for c in range(3)], 1)
            z += dense[chosen] @ D + B
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            g = p
            g[np.arange(len(chosen)), y[chosen]] -= 1.0
            g *= (weights[chosen] / weights[chosen].sum())[:, None]
            gW = np.stack([np.bincount(idx, weights=val * g[owner, c], minlength=W.shape[0]) for c in range(3)], 1)
            touched = np.unique(idx)
            gW[touched] += settings.l2 * (W[touched] - w0[touched])
            gD = dense[chosen].T @ g + settings.l2 * (D - d0)
            gB = g.sum(axis=0)
            step += 1
            # Fine-tuning moves the words' weights only: a manager's few hundred labels, all about
            # one topic maybe, must not shift the priors (bias, VADER, language) every post goes through.
            params = ((W, gW),) if prior is not None else ((W, gW), (D, gD), (B, gB))
            for k, (param, grad) in enumerate(params):
                m[k] *= 0.9
                m[k] += 0.1 * grad
                v[k] *= 0.999
                v[k] += 0.001 * grad * grad
                param -= settings.rate * (m[k] / (1 - 0.9**step)) / (np.sqrt(v[k] / (1 - 0.999**step)) + 1e-8)
    return _model(W, D, B, languages)


def _matrix(examples: list[Example], languages: list[str]):
    import numpy as np

    from commwatch.triage.sentiment import vader_scores

    names = dense_names(languages)
    indptr, indices, values = [0], [], []
    dense = np.zeros((len(examples), len(names)), np.float32)
    for row, example in enumerate(examples):
        lang = detect(example.text)  # as the scorer will see it when the platform says nothing
        tokens = tf.tokens(example.text)
        buckets = token_buckets(tokens, lang, languages)
        indices += buckets
        values += [length_scale(tokens)] * len(buckets)
        indptr.append(len(indices))
        for position, value in dense_values(vader_scores(example.text), lang, languages, tokens):
            dense[row, position] = value
    y = np.array([e.label for e in examples], np.int64)
    return (np.array(indptr, np.int64), np.array(indices, np.int64), np.array(values, np.float32), dense, y)


def _example_weights(examples: list[Example], languages: list[str]):
    """Each class weighs the same in total, and every language but English as much as English
    does (English is most of the data; the languages are balanced rather than drowned)."""
    import numpy as np

    y = np.array([e.label for e in examples])
    counts = np.bincount(y, minlength=3).astype(float)
    weights = (len(y) / (3 * np.maximum(counts, 1)))[y] * np.array([e.weight for e in examples])
    langs = np.array([e.lang or "en" for e in examples])
    present = sorted(set(langs))
    english = max(1, int((langs == "en").sum()))
    for lang in present:
        if lang != "en":
            weights[langs == lang] *= min(4.0, english / max(1, (langs == lang).sum()) / len(present))
    return weights


def _start(prior: SentimentModel | None, n_dense: int):
    import numpy as np

    if prior is None:
        return (np.zeros((tf.BUCKETS, 3), np.float32), np.zeros((n_dense, 3), np.float32), np.zeros(3, np.float64))
    W = np.frombuffer(bytes(prior.weights), dtype="<i2").astype(np.float32).reshape(-1, 3) * prior.scale
    return W, np.array(prior.dense, np.float32), np.array(prior.bias, np.float64)


def _model(W, D, B, languages: list[str]) -> SentimentModel:
    """Quantise the bucket weights to int16 (one scale for all) and wrap them as a model."""
    import numpy as np
    from array import array

    scale = float(np.abs(W).max()) / 32767 or 1.0
    quantised = np.round(W / scale).astype("<i2")
    weights = array("h")
    weights.frombytes(quantised.tobytes())
    header = {
        "format": 1,
        "buckets": tf.BUCKETS,
        "classes": list(CLASSES),
        "scale": scale,
        "bias": [float(b) for b in B],
        "dense": [[float(x) for x in row] for row in D],
        "dense_names": dense_names(languages),
        "languages": languages,
        "claimed": languages,
    }
    return SentimentModel(header, weights)


def table(rows: Iterable[tuple[str, Figures, Figures]]) -> str:
    """Markdown: per set, VADER and the model (macro-recall, negative recall, negative F1)."""
    lines = ["| set | n | VADER macro-recall | neg recall | neg F1 | model macro-recall | neg recall | neg F1 |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, vader, model in rows:
        lines.append(f"| {name} | {model.n} | " + " | ".join(vader.row() + model.row()) + " |")
    return "\n".join(lines)


def claimed(results: dict[str, tuple[Figures, Figures]], margin: float = 0.05) -> list[str]:
    """The languages whose validation sets the model reads clearly better than VADER: at least
    `margin` more macro-recall, and no worse negative F1."""
    out = []
    for lang in LANGUAGES:
        sets = [(vader, model) for name, (vader, model) in results.items() if name.endswith(f"-{lang}")
                or (lang == "en" and name == "tweeteval")]  # fmt: skip
        if sets and all(m.macro_recall >= v.macro_recall + margin and m.negative_f1 >= v.negative_f1 for v, m in sets):
            out.append(lang)
    return out


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return math.fsum(values) / len(values) if values else 0.0
