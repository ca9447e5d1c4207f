"""Sentiment accuracy and speed: plain vaderSentiment against commwatch's score_text.

    python benchmarks/sentiment_accuracy.py PATH [--json]

PATH is a human-rated file, one text a line: id TAB mean rating TAB text (for
example the VADER paper's tweets_GroundTruth.txt; pass its path, never copy it
into the repository). A rating above 0.05 is positive, below -0.05 negative, else
neutral; a compound is labelled with VADER's thresholds (>= 0.05, <= -0.05).

Prints a markdown table: Pearson r between compound and rating, support-weighted
and macro 3-class F1, negative precision and recall, throughput on the file, and
the time to score one 40,000-character text. Standard library + vaderSentiment.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

LABELS = ("negative", "neutral", "positive")
LONG_CHARS = 40_000
SENTENCES = [
    "The new dashboard is great and the docs are wonderful.",
    "Billing charged me twice and support never replied, which is awful.",
    "I deployed on Tuesday and nothing much happened.",
    "Honestly the CLI is fine I guess!",
    "Why does the export keep failing?",
]


def read_rated(path: Path) -> list[tuple[float, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3:
            rows.append((float(parts[1]), parts[2]))
    return rows


def human_label(rating: float) -> str:
    return "positive" if rating > 0.05 else "negative" if rating < -0.05 else "neutral"


def pearson(xs: list[float], ys: list[float]) -> float:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    return cov / (sx * sy) if sx and sy else 0.0


def precision_recall_f1(truth: list[str], predicted: list[str], label: str) -> tuple[float, float, float]:
    tp = sum(t == label and p == label for t, p in zip(truth, predicted))
    said = sum(p == label for p in predicted)
    real = sum(t == label for t in truth)
    precision = tp / said if said else 0.0
    recall = tp / real if real else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(name: str, score, rows: list[tuple[float, str]]) -> dict:
    from commwatch.triage.sentiment import label_for

    started = time.perf_counter()
    compounds = [score(text) for _, text in rows]
    elapsed = time.perf_counter() - started
    ratings = [rating for rating, _ in rows]
    truth = [human_label(r) for r in ratings]
    predicted = [label_for(c) for c in compounds]
    per_label = {label: precision_recall_f1(truth, predicted, label) for label in LABELS}
    support = {label: truth.count(label) for label in LABELS}
    long_text = " ".join(SENTENCES * (LONG_CHARS // 200))[:LONG_CHARS]
    started = time.perf_counter()
    score(long_text)
    long_seconds = time.perf_counter() - started
    return {
        "scorer": name,
        "texts": len(rows),
        "pearson_r": pearson(compounds, ratings),
        "f1_weighted": sum(per_label[lb][2] * support[lb] for lb in LABELS) / len(rows),
        "f1_macro": sum(per_label[lb][2] for lb in LABELS) / len(LABELS),
        "negative_precision": per_label["negative"][0],
        "negative_recall": per_label["negative"][1],
        "texts_per_second": len(rows) / elapsed,
        "long_text_seconds": long_seconds,
    }


def markdown(results: list[dict]) -> str:
    rows = [
        ("Pearson r", "pearson_r", "{:.3f}"),
        ("3-class F1 (support-weighted)", "f1_weighted", "{:.3f}"),
        ("3-class macro-F1", "f1_macro", "{:.3f}"),
        ("negative precision", "negative_precision", "{:.3f}"),
        ("negative recall", "negative_recall", "{:.3f}"),
        ("throughput (texts/s)", "texts_per_second", "{:,.0f}"),
        (f"one {LONG_CHARS:,}-char text", "long_text_seconds", "{:.3f} s"),
    ]
    lines = ["| | " + " | ".join(r["scorer"] for r in results) + " |", "|---" * (len(results) + 1) + "|"]
    for title, key, fmt in rows:
        lines.append(f"| {title} | " + " | ".join(fmt.format(r[key]) for r in results) + " |")
    lines.append(f"\n{results[0]['texts']:,} human-rated texts.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="human-rated file: id TAB mean rating TAB text")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a markdown table")
    opts = parser.parse_args(argv)
    rows = read_rated(opts.path)
    if not rows:
        parser.error(f"{opts.path}: no 'id TAB rating TAB text' lines")

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from commwatch.triage.sentiment import score_text

    vader = SentimentIntensityAnalyzer()
    score_text("warm up")  # build commwatch's analyzer outside the timings
    results = [
        evaluate("vaderSentiment 3.3.2", lambda text: vader.polarity_scores(text)["compound"], rows),
        evaluate("commwatch score_text", lambda text: score_text(text).score, rows),
    ]
    print(json.dumps(results, indent=2) if opts.json else markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
