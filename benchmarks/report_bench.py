"""`commwatch report` and `commwatch export` on a big inbox: wall time of whole processes, peak RSS of export.

    python benchmarks/report_bench.py DB [--runs 3] [--no-activity] [--keep]

DB is never modified: it is copied to a temporary directory first. Unless
--no-activity, the copy gets deterministic manager activity so that every report
section has work to do (a synthetic import has none): 7 % of mentions tagged, 2.5 %
replied (reply events, half also as sent outbox rows), 0.5 % escalated (half of
those closed), 10 % closed.

Measured, each the median of --runs whole processes:
  report over every mention in the copy, and over its last 7 days (--json, and the text view);
  report --html;
  export --format csv and --format jsonl of every mention to a file, with peak RSS,
  and the same for the first 100,000 only: equal peaks mean memory does not grow with size
  (both include SQLite's page cache, 32 MiB once full).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

# Runs the installed CLI. Until `report`/`export` are registered in cli/main.py this
# registers them on the real app first; once registered it changes nothing.
RUNNER = (
    "import sys; from commwatch.cli import main, report_cmd; "
    "names = {c.name for c in main.app.registered_commands}; "
    "[main.app.command(n)(getattr(report_cmd, n)) for n in ('report', 'export') if n not in names]; "
    "sys.argv[0] = 'commwatch'; main.run()"
)

ACTIVITY = """
INSERT OR IGNORE INTO mention_tags (mention_id, tag) SELECT id, 'billing' FROM mentions WHERE id % 20 = 0;
INSERT OR IGNORE INTO mention_tags (mention_id, tag) SELECT id, 'outage' FROM mentions WHERE id % 50 = 0;
INSERT INTO events (mention_id, at, actor, action, detail)
  SELECT id, strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+' || (id % 7200) || ' seconds'), 'bench', 'reply',
         '{"reply_id": "bench"}' FROM mentions WHERE id % 40 = 0;
INSERT INTO outbox (kind, mention_id, source, payload, status, attempts, created_at, sent_at, actor, result)
  SELECT 'reply', id, source, '{"text": "Sorry about that, DM us"}', 'sent', 1, created_at,
         strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+' || (id % 7200) || ' seconds'), 'bench',
         '{"remote_id": "bench", "url": null}' FROM mentions WHERE id % 80 = 0;
UPDATE mentions SET replied = 1 WHERE id % 40 = 0;
INSERT INTO events (mention_id, at, actor, action, detail)
  SELECT id, strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+600 seconds'), 'bench', 'escalate', '{"target": "pr"}'
  FROM mentions WHERE id % 200 = 0;
INSERT INTO events (mention_id, at, actor, action, detail)
  SELECT id, strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+4000 seconds'), 'bench', 'close', '{"from": "escalated"}'
  FROM mentions WHERE id % 400 = 0;
UPDATE mentions SET status = 'closed' WHERE id % 10 = 3 OR id % 400 = 0;
UPDATE mentions SET status = 'escalated' WHERE id % 200 = 0 AND id % 400 != 0;
"""


def copy_db(source: Path, into: Path) -> Path:
    """A consistent copy (the source may be open elsewhere): SQLite's backup API, not a file copy."""
    target = into / "inbox.db"
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return target


def run(db: Path, *args: str) -> tuple[float, int]:
    """(seconds, peak RSS in MiB, result) of one whole `commwatch --db DB ARGS…` process."""
    stdout = open(os.devnull, "wb")
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, "--db", str(db), *args], stdout=stdout,
                            stderr=subprocess.PIPE)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stdout.close()
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"commwatch {' '.join(args)} failed ({code}):\n{err}")
    return elapsed, usage.ru_maxrss // 1024


def median_run(db: Path, runs: int, *args: str) -> tuple[float, int]:
    results = [run(db, *args) for _ in range(runs)]
    return statistics.median(seconds for seconds, _ in results), max(rss for _, rss in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-activity", action="store_true", help="measure the copy as it is")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy and exports")
    args = parser.parse_args()
    if not args.db.is_file():
        raise SystemExit(f"{args.db}: no such database")

    work = Path(tempfile.mkdtemp(prefix="commwatch-report-bench-"))
    try:
        measure(args, work)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def measure(args: argparse.Namespace, work: Path) -> None:
    t = time.perf_counter()
    db = copy_db(args.db, work)
    conn = sqlite3.connect(db, isolation_level=None)
    print(f"copied {args.db} to {db} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    if not args.no_activity:
        t = time.perf_counter()
        conn.executescript(f"BEGIN; {ACTIVITY} COMMIT;")
        print(f"added manager activity in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    count, first, last = conn.execute("SELECT count(*), min(created_at), max(created_at) FROM mentions").fetchone()
    events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    end = (datetime.fromisoformat(last.replace("Z", "+00:00")) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    week = (datetime.fromisoformat(end.replace("Z", "+00:00")) - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    run(db, "report", "--since", first, "--until", end, "--json")  # warm the page cache once

    rows = [("store", f"{count:,} mentions, {events:,} events, {first} … {last}")]
    for label, since in (("all mentions", first), ("last 7 days", week)):
        seconds, rss = median_run(db, args.runs, "report", "--since", since, "--until", end, "--json")
        rows.append((f"report --json, {label}", f"{seconds:.2f} s (peak RSS {rss} MiB)"))
    seconds, _ = median_run(db, args.runs, "report", "--since", first, "--until", end)
    rows.append(("report (text view), all mentions", f"{seconds:.2f} s"))
    seconds, _ = median_run(db, args.runs, "report", "--since", first, "--until", end, "--html", str(work / "r.html"))
    rows.append(("report --html, all mentions", f"{seconds:.2f} s ({(work / 'r.html').stat().st_size // 1024} KiB)"))

    tenth = _nth_created_at(db, 100_000)
    for fmt in ("csv", "jsonl"):
        small = work / f"small.{fmt}"
        _, small_rss = run(db, "export", "--format", fmt, "--until", tenth, "--output", str(small))
        out = work / f"all.{fmt}"
        seconds, rss = run(db, "export", "--format", fmt, "--output", str(out))
        rows.append((f"export --format {fmt}, all mentions",
                     f"{seconds:.1f} s, {count / seconds:,.0f} mentions/s, {out.stat().st_size / 2**20:,.0f} MiB, "
                     f"peak RSS {rss} MiB (100,000 mentions: {small_rss} MiB)"))  # fmt: skip

    width = max(len(k) for k, _ in rows)
    print(f"\n| {'measure':<{width}} | result |\n| {'-' * width} | --- |")
    for key, value in rows:
        print(f"| {key:<{width}} | {value} |")


def _nth_created_at(db: Path, n: int) -> str:
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT created_at FROM mentions ORDER BY created_at LIMIT 1 OFFSET ?", (n,)).fetchone()
    conn.close()
    return row[0] if row else "9999-12-31T00:00:00Z"


if __name__ == "__main__":
    main()
