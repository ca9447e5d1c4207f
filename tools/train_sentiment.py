"""Train the shipped sentiment model from the labelled data in ../shared/data/sentiment.

    python tools/train_sentiment.py [--data DIR] [--out PATH] [--epochs N]

Reads the training and validation sets (triage.corpora.shared_corpora), fits the model
(triage.learn.fit), decides which languages it claims (clearly better than VADER on that
language's validation set), prints the validation table against VADER, and writes the
model file (src/commwatch/triage/data/sentiment.cwsm by default). Deterministic: the same
data and settings give the same file.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from commwatch.triage import learn  # noqa: E402
from commwatch.triage.corpora import shared_corpora  # noqa: E402
from commwatch.triage.scorer import SHIPPED  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "sentiment")
    parser.add_argument("--out", type=Path, default=SHIPPED)
    parser.add_argument("--epochs", type=int, default=learn.Settings.epochs)
    parser.add_argument("--rate", type=float, default=learn.Settings.rate)
    parser.add_argument("--l2", type=float, default=learn.Settings.l2)
    args = parser.parse_args()
    started = time.perf_counter()
    train, validation = shared_corpora(args.data)
    settings = learn.Settings(epochs=args.epochs, rate=args.rate, l2=args.l2)
    model = learn.fit(train, settings, progress=lambda line: print(line, file=sys.stderr))
    results = {name: (learn.measure_vader(rows), learn.measure(model, rows)) for name, rows in validation.items()}
    model.header["claimed"] = learn.claimed(results)
    model.header["trained_on"] = {"examples": len(train), "settings": vars(settings),
                                  "data": "TweetEval/SemEval 2013-2016, UMSAB train, VADER tweets (70%)"}
    model.header["validation"] = {name: {"vader": vars(v), "model": vars(m)} for name, (v, m) in results.items()}
    model.save(args.out)
    print(learn.table((name, v, m) for name, (v, m) in results.items()))
    print(f"\nclaimed: {', '.join(model.header['claimed'])}; {len(train):,} training texts; "
          f"{time.perf_counter() - started:.0f} s; wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
