"""What reading the inbox costs at each size: every view the CLI and the TUI use, timed in-process.

    python benchmarks/views_bench.py DB [DB ...] [--repeat 5]

For each database (e.g. the 100,000 and 1,000,000 mention inboxes benchmarks/run.py builds),
the median time of: the first page of `inbox` under every filter and every pair of filters,
its (capped) count, a search for a word in about 40% of mentions, `show` of mentions across the
inbox, the TUI's moves (first page, j over a page boundary, G to the end and k back from there),
an empty sync's bookkeeping (the spike-alert windows), and `report` over the last week and over
all time. With two databases it adds the growth from the first to the second: "flat" is within
+20%. Every figure is the app layer's own time (what SQL costs, plus building the rows);
process start-up is measured by run.py.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from commwatch.app.session import Session  # noqa: E402
from commwatch.app.views import COUNT_CAP  # noqa: E402
from commwatch.config import Config  # noqa: E402
from commwatch.model import InboxFilter  # noqa: E402

FILTERS = {
    "status=all": {"status": None},
    "platform=x": {"platform": "x"},
    "sentiment=negative": {"sentiment": "negative"},
    "tag=billing": {"tag": "billing"},
    "assignee=maria": {"assignee": "maria"},
    "source=import": {"source": "import"},
    "since=7d": {"since": "LAST_WEEK"},
    "needs-reply": {"needs_reply": True},
}
SEARCH_WORD = "the"  # in about 40% of the generated mentions


def timed(call, repeat: int) -> float:
    call()  # warm the page cache
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(db: Path, repeat: int) -> dict[str, float]:
    session = Session(Config(), db, actor="bench")
    views = session.views
    newest = views.inbox(InboxFilter(status=None, sort="newest", limit=1))[0]["created_at"]
    from datetime import datetime, timedelta

    week = (datetime.fromisoformat(newest.replace("Z", "+00:00")) - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def resolve(options: dict) -> dict:
        return {k: (week if v == "LAST_WEEK" else v) for k, v in options.items()}

    out: dict[str, float] = {}
    for name, options in FILTERS.items():
        f = InboxFilter(**resolve(options))
        out[f"inbox {name}"] = timed(lambda f=f: views.inbox(f), repeat)
        out[f"count {name}"] = timed(lambda f=f: views.count(f, cap=COUNT_CAP), repeat)
    for (a, oa), (b, ob) in itertools.combinations(FILTERS.items(), 2):
        f = InboxFilter(**{**resolve(oa), **resolve(ob)})
        out[f"inbox {a} + {b}"] = timed(lambda f=f: views.inbox(f), repeat)
    f = InboxFilter(search=SEARCH_WORD)
    out[f"inbox --search {SEARCH_WORD}"] = timed(lambda: views.inbox(f), repeat)
    out[f"count --search {SEARCH_WORD}"] = timed(lambda: views.count(f, cap=COUNT_CAP), repeat)
    ids = [m["id"] for m in views.inbox(InboxFilter(status=None, sort="oldest", limit=5))]
    ids += [m["id"] for m in views.inbox(InboxFilter(status=None, sort="newest", limit=5))]
    out["show (detail: thread, replies, history)"] = timed(lambda: [views.detail(i) for i in ids], repeat) / len(ids)

    from commwatch.tui.pager import InboxPager

    def tui_moves() -> dict[str, float]:
        pager = InboxPager(views, InboxFilter(), page_size=100)
        moves = {}
        start = time.perf_counter()
        pager.get(0)
        moves["tui first page"] = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        pager.get(100)  # j over a page boundary
        moves["tui j across a page"] = (time.perf_counter() - start) * 1000
        pager.count()
        start = time.perf_counter()
        pager.get(pager.total - 1)  # G: the last row (the count is taken in the background)
        moves["tui G (last page)"] = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        pager.get(pager.total - 1 - 100)  # k back over a page boundary near the end
        moves["tui k near the end"] = (time.perf_counter() - start) * 1000
        return moves

    samples = [tui_moves() for _ in range(repeat)]
    for key in samples[0]:
        out[key] = statistics.median(s[key] for s in samples)

    from datetime import timedelta as td

    from commwatch.app.alerts import check_alerts
    from commwatch.app.reports import report
    from commwatch.triage.alerts import AlertRule

    now = datetime.fromisoformat(newest.replace("Z", "+00:00"))
    config = Config(alert_rules=[AlertRule(name="spike", metric="negative", window=td(hours=1), baseline=td(days=7))])
    out["sync bookkeeping: spike-alert windows"] = timed(lambda: check_alerts(session.conn, config, now), repeat)
    for name, since in (("report, last 7 days", week), ("report, all time", None)):
        f = InboxFilter(status=None, since=since, limit=None, ours=None)
        out[name] = timed(lambda f=f: report(session, f, None, now), max(1, repeat // 2))
    session.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dbs", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results = [measure(db, args.repeat) for db in args.dbs]
    head = "| view | " + " | ".join(db.name for db in args.dbs) + (" | growth |" if len(results) == 2 else " |")
    print(head)
    print("|---" * (len(args.dbs) + 1 + (len(results) == 2)) + "|")
    worst = 0.0
    for key in results[0]:
        cells = [f"{r[key]:.1f} ms" for r in results]
        line = f"| {key} | " + " | ".join(cells)
        if len(results) == 2:
            growth = results[1][key] / max(results[0][key], 0.05)
            worst = max(worst, growth)
            line += f" | {growth:.2f}× {'flat' if growth <= 1.2 else '**grows**'}"
        print(line + " |")
    if len(results) == 2:
        print(f"\nworst growth: {worst:.2f}×")


if __name__ == "__main__":
    main()
