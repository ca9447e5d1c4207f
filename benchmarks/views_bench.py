"""What reading the inbox costs at each size: every view the CLI and the TUI use, timed in-process.

    python benchmarks/views_bench.py DB [DB ...] [--repeat 5] [--metric wall|cpu] [--json OUT]
    python benchmarks/views_bench.py --pair A.db postgresql://HOST/a B.db postgresql://HOST/b

DB is a SQLite file or a postgresql:// URL; its column is headed by the file's or the database's
name. For each database (e.g. the 100,000 and 1,000,000 mention inboxes benchmarks/run.py builds,
and their copies in PostgreSQL, see postgres_bench.py), the median time of: the first page of
`inbox` under every filter and every pair of filters, its (capped) count, a search for a word in
two mentions of three, `show` of mentions across the inbox, the TUI's moves (first page, j over a
page boundary, G to the end and k back from there), an empty sync's bookkeeping (the spike-alert
windows), and `report` over the last week and over all time. With two databases it adds the growth
from the first to the second: "flat" is within +20%. Every figure is the app layer's own time
(what SQL costs, plus building the rows); process start-up is measured by run.py.

Each view is timed on every database in turn before the next view, so that a busy moment of the
shared machine falls on all of them alike. Two clocks: wall time, and CPU time, which is this
process's plus, on PostgreSQL, that of the server process serving the connection (read through
its CPU clock when the server runs on this machine; "n/a" otherwise). Parallel workers the server
starts for a query are not counted: the table then shows the wall time beside the CPU time.
`--metric` chooses which time the table shows (wall by default); `--json OUT` writes both.

--pair: the databases come in pairs (SQLite then PostgreSQL, one pair per size): the table puts
each pair side by side with the ratio second/first and, with two pairs, each engine's growth
from the first size to the second. It shows CPU time unless --metric wall is given.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from commwatch.app.session import Session  # noqa: E402
from commwatch.app.views import COUNT_CAP  # noqa: E402
from commwatch.config import Config  # noqa: E402
from commwatch.model import InboxFilter  # noqa: E402
from commwatch.store.url import is_postgres  # noqa: E402

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
SEARCH_WORD = "the"  # in 64 % of the generated mentions
TUI_MOVES = ("tui first page", "tui j across a page", "tui G (last page)", "tui k near the end")
FLAT = 1.2  # growth within +20 % reads "flat"
WAITED = 1.25  # a CPU figure whose wall time is above this share (+1 ms) shows the wall time too


def location(text: str) -> Path | str:
    return text if is_postgres(text) else Path(text)


def label(where: Path | str) -> str:
    """A column's heading: the file's name, or the PostgreSQL database's."""
    if isinstance(where, Path):
        return where.name
    parts = urlsplit(where)
    return parts.path.lstrip("/") or parse_qs(parts.query).get("dbname", ["postgres"])[0]


def engine(where: Path | str) -> str:
    return "PostgreSQL" if is_postgres(where) else "SQLite"


class Clock:
    """Wall and CPU milliseconds of calls on one session: this process's CPU time, plus on PostgreSQL
    the server process's that serves the session's connection (its CPU clock, when it runs here)."""

    def __init__(self, conn) -> None:
        self.server: int | None = None  # the backend's CPU clock id
        raw = getattr(conn, "raw", None)
        if raw is None:
            return
        pid = raw.info.backend_pid
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes()
            clock = ((~pid) << 3) | 2  # Linux: the CPU clock of process pid (CPUCLOCK_SCHED)
            time.clock_gettime_ns(clock)
        except OSError:
            return  # a server on another machine
        if title.startswith(b"postgres"):
            self.server = clock

    @property
    def sees_server(self) -> bool:
        return self.server is not None

    def server_ns(self) -> int:
        return time.clock_gettime_ns(self.server) if self.server is not None else 0

    def __call__(self, call: Callable[[], object]) -> tuple[float, float]:
        server = self.server_ns()
        cpu = time.process_time_ns()
        start = time.perf_counter_ns()
        call()
        wall = time.perf_counter_ns() - start
        cpu = time.process_time_ns() - cpu + self.server_ns() - server
        return wall / 1e6, cpu / 1e6


class Bench:
    """One database, open: its session, clock, and the values the views are asked about."""

    def __init__(self, where: Path | str) -> None:
        self.where = where
        self.session = Session(Config(), where, actor="bench")
        self.views = self.session.views
        self.clock = Clock(self.session.conn)
        newest = self.views.inbox(InboxFilter(status=None, sort="newest", limit=1))[0]["created_at"]
        self.now = datetime.fromisoformat(newest.replace("Z", "+00:00"))
        self.week = (self.now - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
        ids = [m["id"] for m in self.views.inbox(InboxFilter(status=None, sort="oldest", limit=5))]
        ids += [m["id"] for m in self.views.inbox(InboxFilter(status=None, sort="newest", limit=5))]
        self.ids = ids

    def resolve(self, options: dict) -> dict:
        return {k: (self.week if v == "LAST_WEEK" else v) for k, v in options.items()}

    def cases(self) -> list[tuple[str, Callable[[], object], int]]:
        """(view, call, how many things one call does) in the order the table lists them."""
        views = self.views
        out: list[tuple[str, Callable[[], object], int]] = []
        for name, options in FILTERS.items():
            f = InboxFilter(**self.resolve(options))
            out.append((f"inbox {name}", lambda f=f: views.inbox(f), 1))
            out.append((f"count {name}", lambda f=f: views.count(f, cap=COUNT_CAP), 1))
        for (a, oa), (b, ob) in itertools.combinations(FILTERS.items(), 2):
            f = InboxFilter(**{**self.resolve(oa), **self.resolve(ob)})
            out.append((f"inbox {a} + {b}", lambda f=f: views.inbox(f), 1))
        f = InboxFilter(search=SEARCH_WORD)
        out.append((f"inbox --search {SEARCH_WORD}", lambda f=f: views.inbox(f), 1))
        out.append((f"count --search {SEARCH_WORD}", lambda f=f: views.count(f, cap=COUNT_CAP), 1))
        out.append(("show (detail: thread, replies, history)", lambda: [views.detail(i) for i in self.ids], len(self.ids)))

        from commwatch.app.alerts import check_alerts
        from commwatch.app.reports import report
        from commwatch.triage.alerts import AlertRule

        config = Config(alert_rules=[AlertRule(name="spike", metric="negative", window=timedelta(hours=1),
                                               baseline=timedelta(days=7))])  # fmt: skip
        out.append(("sync bookkeeping: spike-alert windows", lambda: check_alerts(self.session.conn, config, self.now), 1))
        for name, since in (("report, last 7 days", self.week), ("report, all time", None)):
            f = InboxFilter(status=None, since=since, limit=None, ours=None)
            out.append((name, lambda f=f: report(self.session, f, None, self.now), 1))
        return out

    def tui_moves(self) -> dict[str, tuple[float, float]]:
        from commwatch.tui.pager import InboxPager

        pager = InboxPager(self.views, InboxFilter(), page_size=100)
        moves = {TUI_MOVES[0]: self.clock(lambda: pager.get(0)),
                 TUI_MOVES[1]: self.clock(lambda: pager.get(100))}  # j over a page boundary  # fmt: skip
        pager.count()
        moves[TUI_MOVES[2]] = self.clock(lambda: pager.get(pager.total - 1))  # G: the last row
        moves[TUI_MOVES[3]] = self.clock(lambda: pager.get(pager.total - 1 - 100))  # k back over a page boundary
        return moves

    def close(self) -> None:
        self.session.close()


def median(samples: list[tuple[float, float]], per: int = 1) -> dict[str, float]:
    return {"wall": statistics.median(s[0] for s in samples) / per, "cpu": statistics.median(s[1] for s in samples) / per}


def measure_all(wheres: list[Path | str], repeat: int) -> tuple[list[dict[str, dict[str, float]]], list[bool]]:
    """({view: {"wall": ms, "cpu": ms}} for each database, whether its CPU time is whole): every view
    on each database in turn."""
    benches = [Bench(w) for w in wheres]
    results: list[dict[str, dict[str, float]]] = [{} for _ in benches]
    reports = max(1, repeat // 2)
    case_lists = [b.cases() for b in benches]
    tui_after = next(i for i, case in enumerate(case_lists[0]) if case[0].startswith("sync"))  # listed after show
    for index in range(len(case_lists[0])):
        if index == tui_after:
            for bench, result in zip(benches, results):
                bench.tui_moves()  # warm
                samples = [bench.tui_moves() for _ in range(repeat)]
                for key in TUI_MOVES:
                    result[key] = median([s[key] for s in samples])
        for bench, cases, result in zip(benches, case_lists, results):
            name, call, per = cases[index]
            call()  # warm the page cache
            times = reports if name.startswith("report") else repeat
            result[name] = median([bench.clock(call) for _ in range(times)], per)
    whole = [bench.clock.sees_server or not is_postgres(bench.where) for bench in benches]
    for bench in benches:
        bench.close()
    return results, whole


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 1000 else f"{value:,.0f} ms"


def _ratio(a: float, b: float) -> float:
    return b / max(a, 0.05)


def table(wheres: list[Path | str], results: list[dict], whole: list[bool], metric: str, pair: bool) -> list[str]:
    names = [label(w) for w in wheres]
    keys = list(results[0])
    usable = [metric == "wall" or w for w in whole]
    waits: list[str] = []

    def cell(i: int, key: str) -> str:
        if not usable[i]:
            return "n/a"
        shown = _ms(results[i][key][metric])
        wall = results[i][key]["wall"]
        if metric == "cpu" and wall > WAITED * results[i][key]["cpu"] + 1:
            waits.append(key)
            shown += f" (wall {_ms(wall)})"
        return shown

    lines: list[str] = []
    worst: dict[str, tuple[float, str]] = {}

    def note(column: str, value: float, key: str) -> None:
        if value > worst.get(column, (0.0, ""))[0]:
            worst[column] = (value, key)

    if pair:
        if len(wheres) % 2:
            raise SystemExit("--pair takes the databases two by two (SQLite, PostgreSQL)")
        pairs = [(i, i + 1) for i in range(0, len(wheres), 2)]
        both = [engine(wheres[a]) + "/" + engine(wheres[b]) for a, b in pairs]
        ratio_name = [("PG/SQLite" if b == "SQLite/PostgreSQL" else "2nd/1st") for b in both]
        head = ["view"]
        for (a, b), rn in zip(pairs, ratio_name):
            head += [names[a], names[b], rn]
        growth = len(pairs) == 2
        if growth:
            head += [f"growth {engine(wheres[0])}", f"growth {engine(wheres[1])}"]
        lines += ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
        for key in keys:
            row = [key]
            for (a, b), rn in zip(pairs, ratio_name):
                row += [cell(a, key), cell(b, key)]
                if usable[a] and usable[b]:
                    r = _ratio(results[a][key][metric], results[b][key][metric])
                    note(f"{rn} at {names[b]}", r, key)
                    row.append(f"{r:.2f}×")
                else:
                    row.append("n/a")
            if growth:
                for first, second in ((0, 2), (1, 3)):
                    if usable[first] and usable[second]:
                        g = _ratio(results[first][key][metric], results[second][key][metric])
                        note(f"growth {names[first]} → {names[second]}", g, key)
                        row.append(f"{g:.2f}×" + (" flat" if g <= FLAT else " **grows**"))
                    else:
                        row.append("n/a")
            lines.append("| " + " | ".join(row) + " |")
    else:
        two = len(results) == 2
        head = ["view", *names] + (["growth"] if two else [])
        lines += ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
        for key in keys:
            row = [key] + [cell(i, key) for i in range(len(results))]
            if two and all(usable):
                g = _ratio(results[0][key][metric], results[1][key][metric])
                note("growth", g, key)
                row.append(f"{g:.2f}× " + ("flat" if g <= FLAT else "**grows**"))
            lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    if waits:
        lines.append("(wall …): wall time above CPU time: the server ran parallel workers (their CPU is not "
                     "counted) or waited on the disk.")  # fmt: skip
    for column, (value, key) in worst.items():
        lines.append(f"worst {column}: {value:.2f}× ({key})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dbs", nargs="+", metavar="DB", help="a SQLite file or a postgresql:// URL")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pair", action="store_true", help="SQLite and PostgreSQL side by side, two by two")
    parser.add_argument("--metric", choices=("wall", "cpu"), help="the time the table shows (wall; cpu with --pair)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write every figure (wall and CPU ms) here")
    args = parser.parse_args()
    wheres = [location(d) for d in args.dbs]
    metric = args.metric or ("cpu" if args.pair else "wall")
    results, whole = measure_all(wheres, args.repeat)
    if args.json:
        args.json.write_text(json.dumps({"databases": [str(w) for w in wheres], "labels": [label(w) for w in wheres],
                                         "repeat": args.repeat, "cpu_whole": whole, "results": results}, indent=1))  # fmt: skip
    print(f"{'CPU' if metric == 'cpu' else 'wall'} time, median of {args.repeat} ({max(1, args.repeat // 2)} for the reports)\n")
    print("\n".join(table(wheres, results, whole, metric, args.pair)))


if __name__ == "__main__":
    main()
