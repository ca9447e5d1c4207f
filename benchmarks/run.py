"""commwatch benchmarks: one command, whole processes, the figures the README promises.

    python benchmarks/run.py [--mentions 1000000] [--sentiment-data DIR] [--out benchmarks/out]

1. Generates synthetic X API v2 search responses (100 posts a page) as JSON Lines.
2. Imports them with `commwatch import x` (parse + VADER + priority + SQLite + FTS): mentions/s.
3. Peak memory (max RSS) of importing 10,000 and 100,000 mentions: flat means it does not grow.
4. On the full inbox: `commwatch inbox --json --limit 50`, a filtered view, and FTS searches
   (a rare and a common word), each the median wall time of whole processes.
5. `commwatch --help` start-up.
6. Sentiment accuracy and speed (sentiment_accuracy.py), if --sentiment-data is given.

Writes benchmarks/out/results.md (and .json) and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
COMMWATCH = [sys.executable, "-m", "commwatch.cli.main"]

OPENERS = ["", "honestly ", "ok so ", "@acmecloud ", "hey @acmecloud ", "PSA: ", "lol ", "not gonna lie, "]
SUBJECTS = ["Acme Deploy", "Acme DB", "Acme Edge", "the acme dashboard", "the billing page", "the CLI",
            "support", "the new pricing", "the status page", "the API"]  # fmt: skip
VERDICTS = [
    "is amazing, saved me hours", "keeps timing out since this morning", "is down again, third time this week",
    "finally works with terraform", "charged me twice, I want a refund", "is confusing, where is the export button",
    "just works, love it", "broke our deploy pipeline", "is slow in eu-west", "has the best docs I have read",
    "won't let me log in", "why does it need admin rights?", "is fine I guess", "got hacked?? weird emails today",
    "is a scam, cancelling", "rocks ❤️", "is meh", "made our migration painless, thank you team",
]  # fmt: skip
TAILS = ["", "", " #devops", " 🙄", " 🔥🔥", " any ideas?", " cc @acme_support", " (ticket {n})", " v{n}.2"]
RARE_WORD = "zephyrine"  # appears in about 1 in 5,000 mentions
COMMON_WORD = "refund"  # in one verdict of 18: about 5 %


def text_for(rng: random.Random, n: int) -> str:
    text = rng.choice(OPENERS) + rng.choice(SUBJECTS) + " " + rng.choice(VERDICTS) + rng.choice(TAILS).format(n=n)
    if rng.random() < 0.0002:
        text += f" {RARE_WORD}"
    return text


def generate(path: Path, count: int, seed: int = 7) -> None:
    """X API v2 search pages with includes.users, as the live API answers."""
    rng = random.Random(seed)
    users = [
        {"id": str(10_000 + i), "username": f"user{i}", "name": f"User {i}", "verified": i % 97 == 0,
         "public_metrics": {"followers_count": int(rng.paretovariate(1.2) * 50)}}
        for i in range(20_000)
    ]  # fmt: skip
    base_id = 1_850_000_000_000_000_000
    start = 1_767_225_600  # 2026-01-01
    with path.open("w") as out:
        for first in range(0, count, 100):
            page_users = {}
            data = []
            for n in range(first, min(first + 100, count)):
                user = users[rng.randrange(len(users))]
                page_users[user["id"]] = user
                created = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(start + n * 3))
                data.append({
                    "id": str(base_id + n), "text": text_for(rng, n), "author_id": user["id"], "created_at": created,
                    "lang": "en", "conversation_id": str(base_id + n), "edit_history_tweet_ids": [str(base_id + n)],
                    "public_metrics": {"like_count": int(rng.expovariate(0.2)), "reply_count": rng.randrange(5),
                                       "retweet_count": rng.randrange(3), "quote_count": 0},
                })  # fmt: skip
            page = {"data": data, "includes": {"users": list(page_users.values())},
                    "meta": {"result_count": len(data), "newest_id": data[-1]["id"], "oldest_id": data[0]["id"]}}  # fmt: skip
            out.write(json.dumps(page) + "\n")


def run(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(COMMWATCH + args, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if result.returncode != 0:
        raise SystemExit(f"commwatch {' '.join(args)} failed ({result.returncode}): {result.stderr[-500:]}")
    return result


def timed(args: list[str], repeat: int = 7) -> float:
    """Median wall time of whole `commwatch` processes, in ms (one warm-up run first)."""
    run(args)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run(args)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def import_rss(jsonl: Path, db: Path) -> tuple[float, int]:
    """(seconds, max RSS in KiB) of one `commwatch import x` process."""
    db.unlink(missing_ok=True)
    t = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *COMMWATCH, "--db", str(db), "import", "x", str(jsonl), "--quiet"],
        capture_output=True, text=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - t
    if result.returncode != 0:
        raise SystemExit(f"import failed: {result.stderr[-500:]}")
    return elapsed, int(result.stderr.strip().splitlines()[-1])


def head(src: Path, dst: Path, pages: int) -> None:
    with src.open() as fin, dst.open("w") as fout:
        for _, line in zip(range(pages), fin):
            fout.write(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--sentiment-data", type=Path, help="the labelled data folder (../shared/data/sentiment)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--keep", action="store_true", help="reuse an existing generated inbox")
    opts = parser.parse_args()
    out = opts.out
    out.mkdir(parents=True, exist_ok=True)
    jsonl, db = out / f"x-{opts.mentions}.jsonl", out / f"inbox-{opts.mentions}.db"
    rows: list[tuple[str, str, str]] = []

    if not (opts.keep and jsonl.exists()):
        print(f"generating {opts.mentions:,} mentions…", file=sys.stderr)
        generate(jsonl, opts.mentions)

    # Memory: 10k vs 100k mentions through the same import.
    for n in (10_000, 100_000):
        part = out / f"x-{n}.jsonl"
        head(jsonl, part, n // 100)
        seconds, rss = import_rss(part, out / f"mem-{n}.db")
        rows.append((f"import {n:,} mentions: peak RSS", f"{rss / 1024:.0f} MiB", "flat in the number of mentions"))
        (out / f"mem-{n}.db").unlink(missing_ok=True)

    if not (opts.keep and db.exists()):
        print(f"importing {opts.mentions:,} mentions…", file=sys.stderr)
        seconds, rss = import_rss(jsonl, db)
        rows.append((f"import {opts.mentions:,} (parse, VADER, priority, SQLite, FTS)",
                     f"{opts.mentions / seconds:,.0f} mentions/s ({seconds:.0f} s, {rss / 1024:.0f} MiB peak)",
                     "≥ 15,000 mentions/s"))  # fmt: skip

    base = ["--db", str(db)]
    rows.append(("`inbox --json --limit 50` (whole process)", f"{timed(base + ['inbox', '--json', '--limit', '50']):.0f} ms", "< 300 ms"))
    rows.append(("`inbox --json --limit 50 --platform x --sentiment negative`",
                 f"{timed(base + ['inbox', '--json', '--limit', '50', '--platform', 'x', '--sentiment', 'negative']):.0f} ms", "< 300 ms"))  # fmt: skip
    rows.append((f"`inbox --json --search {RARE_WORD}` (rare word)", f"{timed(base + ['inbox', '--json', '--search', RARE_WORD]):.0f} ms", "< 100 ms"))
    rows.append((f"`inbox --json --search {COMMON_WORD}` (~5 % of mentions)", f"{timed(base + ['inbox', '--json', '--search', COMMON_WORD]):.0f} ms", "< 100 ms"))
    rows.append(("`commwatch --help`", f"{timed(['--help'], repeat=11):.0f} ms", "< 150 ms"))
    rows.append(("bare `python -c pass` (for reference)", f"{_bare_python():.0f} ms", ""))

    table = ["| measure | measured | target |", "| --- | --- | --- |"] + [f"| {a} | {b} | {c} |" for a, b, c in rows]
    report = [f"# commwatch benchmarks ({opts.mentions:,} mentions, {os.cpu_count()} cores)", "", *table]
    if opts.sentiment_data:
        accuracy = subprocess.run([sys.executable, str(HERE / "sentiment_accuracy.py"), "--data", str(opts.sentiment_data)],
                                  capture_output=True, text=True)  # fmt: skip
        report += ["", "## Sentiment accuracy", "", accuracy.stdout.strip() or accuracy.stderr.strip()]
    text = "\n".join(report) + "\n"
    (out / "results.md").write_text(text)
    print(text)


def _bare_python() -> float:
    times = []
    for _ in range(11):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"])
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    if shutil.which("/usr/bin/time") is None:
        raise SystemExit("needs GNU time at /usr/bin/time (Debian package `time`) to read peak memory")
    main()
