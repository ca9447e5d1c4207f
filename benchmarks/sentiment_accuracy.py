"""Sentiment: the trained model against VADER, accuracy per language and speed.

    python benchmarks/sentiment_accuracy.py [--data ../shared/data/sentiment]

Accuracy: every validation set of the shared data folder (TweetEval validation, UMSAB
validation per language, the held-out 30% of VADER's tweets), macro-recall, negative
recall and negative F1, for VADER (commwatch's segment-safe VADER, labels at ±0.05) and
for the model in use; then the non-English UMSAB sets pooled. Speed, on one core, CPU
time: texts per second over 10,000 tweets (the model, VADER included; VADER alone), and
what loading the model adds to a process (mean of 10 runs, side by side with a process
that only imports commwatch's CLI). Markdown on stdout; nothing is written.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from commwatch.triage import learn  # noqa: E402
from commwatch.triage.corpora import read_semeval, shared_corpora  # noqa: E402
from commwatch.triage.scorer import current  # noqa: E402
from commwatch.triage.sentiment import score_text, vader_scores  # noqa: E402


def child_cpu(code: str, runs: int = 10) -> float:
    """Mean CPU seconds of a fresh `python -c code`."""
    total = 0.0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", code], check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        total += (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return total / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "sentiment")
    args = parser.parse_args()
    _, validation = shared_corpora(args.data)
    model = current()
    rows = [(name, learn.measure_vader(examples), learn.measure(model, examples)) for name, examples in validation.items()]
    pooled = [e for name, examples in validation.items() if name.startswith("umsab-") and name != "umsab-en"
              for e in examples]  # fmt: skip
    rows.append(("umsab, 7 languages pooled", learn.measure_vader(pooled), learn.measure(model, pooled)))
    print(f"## Accuracy (model {model.id}; claims {', '.join(model.claimed)})\n")
    print(learn.table(rows))

    texts = [e.text for e in read_semeval(args.data / "semeval2013-2016" / "twitter-2016test-A.tsv")][:10_000]
    start = time.process_time()
    for text in texts:
        model.score(text)
    model_rate = len(texts) / (time.process_time() - start)
    start = time.process_time()
    for text in texts:
        vader_scores(text)
    vader_rate = len(texts) / (time.process_time() - start)
    start = time.process_time()
    for text in texts:
        score_text(text)
    label_rate = len(texts) / (time.process_time() - start)
    base = child_cpu("import commwatch.cli.main")
    loaded = child_cpu("import commwatch.cli.main; from commwatch.triage.scorer import current; current()")
    with_vader = child_cpu("import commwatch.cli.main; from commwatch.triage.scorer import current; current().score('ok')")
    print("\n## Speed (one core, CPU time)\n")
    print("| measure | figure |\n|---|---|")
    print(f"| model, VADER features included, {len(texts):,} tweets | {model_rate:,.0f} texts/s |")
    print(f"| VADER scores alone (the model's features) | {vader_rate:,.0f} texts/s |")
    print(f"| VADER label alone (wave 1's scorer) | {label_rate:,.0f} texts/s |")
    print(f"| loading the model, added to a process | {1000 * (loaded - base):.0f} ms |")
    print(f"| loading the model and VADER (the first score) | {1000 * (with_vader - base):.0f} ms |")
    print(f"| model file | {Path(model.header.get('path', '')).name or 'sentiment.cwsm'}: "
          f"{(ROOT / 'src/commwatch/triage/data/sentiment.cwsm').stat().st_size / 1e6:.1f} MB |")


if __name__ == "__main__":
    main()
