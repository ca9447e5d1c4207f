"""commwatch benchmarks: one command, whole processes and in-process views, CPU time as well as wall.

    python benchmarks/run.py [--mentions 1000000] [--baseline-src DIR] [--sentiment-data DIR] [--keep]

1. Generates synthetic X API v2 search responses (100 posts a page) as JSON Lines.
2. Imports 100,000 of them side by side: this tree with one worker and with every core, and
   (with --baseline-src, e.g. an older checkout's src and connectors, colon-separated) the other
   tree; wall and CPU seconds, mentions/s, and the ratio to same-run limits: a json.loads loop over
   the file, the scorer alone on one core, and raw SQLite inserts of the same rows.
3. Peak memory (max RSS) importing 10,000 and 100,000: flat means it does not grow.
4. Imports the full set (--mentions) and runs views_bench.py on the 100,000 and the full inbox:
   every inbox filter and pair of filters, counts, search, show, the TUI's moves, the spike-alert
   windows, report; with the growth from one size to the other.
5. Start-up CPU of `--help` and `inbox --json` against bare `python -c pass`, same run.
6. Sentiment accuracy and speed (sentiment_accuracy.py), if --sentiment-data is given.

Writes benchmarks/out/results.md and prints it. The machine is shared: compare within one run.
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
WORKDIR = Path.cwd()  # where commands run: the output folder, once main() knows it

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


def head(src: Path, dst: Path, pages: int) -> None:
    with src.open() as fin, dst.open("w") as fout:
        for _, line in zip(range(pages), fin):
            fout.write(line)


def child(args: list[str], env: dict | None = None) -> tuple[float, float, int]:
    """(wall s, CPU s of the process and its children, max RSS KiB) of one command, run in an empty
    directory so that neither tree reads a commwatch.toml lying where the benchmark was started."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *args], capture_output=True, text=True,
                            cwd=WORKDIR, env={**os.environ, **(env or {})})  # fmt: skip
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 4):
        raise SystemExit(f"{' '.join(args)} failed: {result.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, int(result.stderr.strip().splitlines()[-1])


def imported(jsonl: Path, db: Path, *extra: str, env: dict | None = None) -> tuple[float, float, int]:
    db.unlink(missing_ok=True)
    return child([*COMMWATCH, "--db", str(db), "import", "x", str(jsonl), "--quiet", *extra], env)


def limits(jsonl: Path, n: int) -> dict[str, float]:
    """CPU seconds of the parts alone on one core, in this process: what import cannot beat."""
    from commwatch.triage.scorer import current

    start = time.process_time()
    texts = [t["text"] for line in jsonl.open() for t in json.loads(line)["data"]]
    parse_s = time.process_time() - start
    model = current()
    start = time.process_time()
    for text in texts:
        model.score(text)
    score_s = time.process_time() - start
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (platform, remote_id, text, created_at, PRIMARY KEY (platform, remote_id))")
    start = time.process_time()
    conn.executemany("INSERT INTO t VALUES ('x', ?, ?, '2026-01-01')", ((str(i), t) for i, t in enumerate(texts)))
    conn.commit()
    sql_s = time.process_time() - start
    return {"json.loads": n / parse_s, "scorer alone, one core": n / score_s, "raw SQLite inserts": n / sql_s}


def startup() -> list[tuple[str, str, str]]:
    def cpu(args: list[str]) -> float:
        samples = [child(args)[1] for _ in range(7)]
        return statistics.median(samples) * 1000

    bare = cpu([sys.executable, "-c", "pass"])
    rows = [("bare `python -c pass`, CPU", f"{bare:.0f} ms", "")]
    for label, args in (("`commwatch --help`", ["--help"]), ("`inbox --json` (empty inbox)", ["--db", "/nonexistent/x.db", "inbox", "--json"])):
        c = cpu([*COMMWATCH, *args])
        rows.append((f"{label}, CPU", f"{c:.0f} ms ({c / bare:.1f}× bare)", "≤ 2× bare"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--baseline-src", help="PYTHONPATH of another tree to import with, side by side")
    parser.add_argument("--sentiment-data", type=Path, help="the labelled data folder (../shared/data/sentiment)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--keep", action="store_true", help="reuse the generated files and inboxes")
    opts = parser.parse_args()
    out = opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    global WORKDIR
    WORKDIR = out
    jsonl, db = out / f"x-{opts.mentions}.jsonl", out / f"inbox-{opts.mentions}.db"
    rows: list[tuple[str, str, str]] = []
    if not (opts.keep and jsonl.exists()):
        print(f"generating {opts.mentions:,} mentions…", file=sys.stderr)
        generate(jsonl, opts.mentions)
    small = min(100_000, opts.mentions)
    part = out / f"x-{small}.jsonl"
    if part != jsonl:  # the same file when --mentions is 100,000 or fewer
        head(jsonl, part, small // 100)

    print("importing side by side…", file=sys.stderr)
    runs = {"this tree, every core": imported(part, out / "a.db"),
            "this tree, one process (--workers 1)": imported(part, out / "b.db", "--workers", "1")}  # fmt: skip
    if opts.baseline_src:  # absolute, since the commands run in the output folder
        path = os.pathsep.join(str(Path(p).resolve()) for p in opts.baseline_src.split(os.pathsep))
        runs["baseline tree"] = imported(part, out / "c.db", env={"PYTHONPATH": path})
    for name, (wall, cpu, rss) in runs.items():
        rows.append((f"import {small:,}: {name}", f"{small / wall:,.0f}/s wall ({wall:.1f} s), {cpu:.1f} CPU s, "
                     f"{rss / 1024:.0f} MiB peak", "≥ 15,000/s on 2 cores"))  # fmt: skip
    if opts.baseline_src:
        ratio = runs["baseline tree"][0] / runs["this tree, every core"][0]
        rows.append(("import speed-up over the baseline (wall)", f"{ratio:.2f}×", "≥ 3×"))
    for name, per_s in limits(part, small).items():
        rows.append((f"limit: {name}", f"{per_s:,.0f}/CPU-s", ""))
    tiny = out / "x-10000.jsonl"
    if tiny != jsonl:
        head(jsonl, tiny, 100)
    rows.append(("import 10,000: peak RSS", f"{imported(tiny, out / 'd.db')[2] / 1024:.0f} MiB", "flat"))
    for extra in ("a.db", "b.db", "c.db", "d.db"):
        (out / extra).unlink(missing_ok=True)
    small_db = out / f"inbox-{small}.db"
    if not (opts.keep and small_db.exists()):
        imported(part, small_db)
    if not (opts.keep and db.exists()):
        print(f"importing {opts.mentions:,} mentions…", file=sys.stderr)
        wall, cpu, rss = imported(jsonl, db)
        rows.append((f"import {opts.mentions:,}", f"{opts.mentions / wall:,.0f}/s wall, {rss / 1024:.0f} MiB peak", ""))
    rows += startup()
    table = ["| measure | measured | target |", "| --- | --- | --- |"] + [f"| {a} | {b} | {c} |" for a, b, c in rows]
    report = [f"# commwatch benchmarks ({opts.mentions:,} mentions, {os.cpu_count()} cores, "
              f"{time.strftime('%Y-%m-%d')})", "", *table]  # fmt: skip
    sizes = [str(small_db)] + ([str(db)] if db != small_db else [])
    views = subprocess.run([sys.executable, str(HERE / "views_bench.py"), *sizes],
                           capture_output=True, text=True)  # fmt: skip
    report += ["", "## Views, in-process (median of 5)", "", views.stdout.strip() or views.stderr.strip()]
    if opts.sentiment_data:
        accuracy = subprocess.run([sys.executable, str(HERE / "sentiment_accuracy.py"), "--data", str(opts.sentiment_data)],
                                  capture_output=True, text=True)  # fmt: skip
        report += ["", "## Sentiment", "", accuracy.stdout.strip() or accuracy.stderr.strip()]
    text = "\n".join(report) + "\n"
    (out / "results.md").write_text(text)
    print(text)


if __name__ == "__main__":
    if shutil.which("/usr/bin/time") is None:
        raise SystemExit("needs GNU time at /usr/bin/time (Debian package `time`) to read peak memory")
    main()
