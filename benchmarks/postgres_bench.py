"""PostgreSQL beside SQLite: the same inboxes, side by side in one run, CPU time as well as wall.

    python benchmarks/postgres_bench.py [--server postgresql://postgres@127.0.0.1:5499/postgres]
        [--mentions 1000000] [--out /tmp/pgbench] [--keep] [--prefix cwbench] [--repeat 5] [--import-rounds 1]

Needs a PostgreSQL server this user may create databases on (trust or ~/.pgpass: no password in
the URL), with unaccent (postgresql-contrib), and on this machine for its CPU time to be read.
Every database it makes is named cwbench_* (--prefix) and dropped first.

1. Generates --mentions X API v2 posts as JSON Lines (benchmarks/run.py's generator) and imports
   the first 100,000 and all of them into SQLite (`commwatch import x`, every core), unless --keep
   finds them in --out.
2. Copies each SQLite inbox into a new PostgreSQL database (`commwatch db copy`): rows/s, the
   command's CPU and the server's CPU; then VACUUM ANALYZE (timed), so that the views do not
   depend on when autovacuum gathers the planner's statistics (see benchmarks/README.md).
3. Imports the same 100,000 mentions into an empty SQLite file and an empty PostgreSQL database,
   one after the other (`commwatch import x FILE --workers 0`; --import-rounds times, the better
   run kept): wall, CPU of the command and its workers, and CPU of the server's processes.
4. Start-up CPU of `python -c pass`, `commwatch --help`, `inbox --json` on the SQLite inbox and on
   the PostgreSQL one (median of 7, interleaved), and whether each command imported psycopg.
5. views_bench.py --pair on the four inboxes: each view's CPU time on SQLite and PostgreSQL, the
   ratio, and the growth from 100,000 to the full size on each engine.

Writes OUT/postgres.md and OUT/views.json and prints the tables. The server's CPU is read from
/proc: the processes serving the benchmark's database (connections, autovacuum workers), and
apart, the server's shared writers (WAL writer, background writer, checkpointer), which also
work for anything else using the server meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import run  # noqa: E402  (benchmarks/run.py: the generator, and child() for a command's CPU)

SMALL = 100_000
PYTHON = sys.executable
COMMWATCH = [PYTHON, "-m", "commwatch.cli.main"]
SHARED = (b"postgres: walwriter", b"postgres: background writer", b"postgres: checkpointer")


def with_database(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def psql(url: str, *statements: str) -> str:
    args = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url]
    for statement in statements:
        args += ["-c", statement]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def fresh_database(server: str, name: str) -> str:
    psql(server, f"DROP DATABASE IF EXISTS {name}",
         f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")  # fmt: skip
    url = with_database(server, name)
    psql(url, "CREATE EXTENSION IF NOT EXISTS unaccent")
    return url


def database_exists(server: str, name: str) -> bool:
    return psql(server, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


class ServerCpu:
    """CPU seconds the PostgreSQL server's processes spend while a command runs: those that serve
    one database (its connections and autovacuum workers, titled `postgres: USER DB …` and
    `postgres: autovacuum worker DB`) and the shared writers. Read through each process's CPU
    clock every `every` seconds; a connection's last moments before it exits are missed (less
    than `every`)."""

    def __init__(self, database: str, every: float = 0.05):
        self.database = database.encode()
        self.every = every
        self.kind: dict[int, str | None] = {}  # pid → "database", "shared" or None (not ours)
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _classify(self, pid: int) -> str | None:
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0")
        except OSError:
            return None
        if not title.startswith(b"postgres: "):
            return None
        if title.startswith(SHARED):
            return "shared"
        words = title.split()
        if len(words) >= 3 and words[2] == self.database:  # postgres: USER DB HOST(PORT) STATE
            return "database"
        if title.startswith(b"postgres: autovacuum worker") and words[-1] == self.database:
            return "database"
        return None

    def _sample(self, starting: bool) -> None:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            if pid not in self.kind:
                self.kind[pid] = self._classify(pid)
            if self.kind[pid] is None:
                continue
            try:
                ns = time.clock_gettime_ns(((~pid) << 3) | 2)  # the process's CPU clock (Linux)
            except OSError:
                continue  # exited
            self.first.setdefault(pid, ns if starting else 0)
            self.last[pid] = ns

    def _poll(self) -> None:
        while not self._stop.wait(self.every):
            self._sample(False)

    def __enter__(self) -> Self:
        self._sample(True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample(False)

    def seconds(self, kind: str) -> float:
        return sum(self.last[p] - self.first[p] for p in self.last if self.kind[p] == kind) / 1e9


def timed(args: list[str], database: str | None) -> dict[str, float]:
    """Wall s, CPU s of the command and its children, and (database given) the server's CPU s."""
    if database is None:
        wall, cpu, rss = run.child(args)
        return {"wall": wall, "cpu": cpu, "rss_mib": rss / 1024}
    with ServerCpu(database) as server:
        wall, cpu, rss = run.child(args)
    return {"wall": wall, "cpu": cpu, "rss_mib": rss / 1024, "server": server.seconds("database"),
            "shared": server.seconds("shared")}  # fmt: skip


def size_name(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k"


def cpu_cell(m: dict[str, float]) -> str:
    text = f"{m['cpu']:.1f} s"
    if "server" in m:
        text += f" + server {m['server']:.1f} s (+ {m['shared']:.1f} s shared writers)"
    return text


def build(opts, out: Path) -> tuple[list[tuple[int, Path]], Path]:
    """The JSON Lines files and the SQLite inboxes of both sizes (made unless --keep finds them)."""
    jsonl = out / f"x-{opts.mentions}.jsonl"
    if not (opts.keep and jsonl.exists()):
        print(f"generating {opts.mentions:,} mentions…", file=sys.stderr)
        run.generate(jsonl, opts.mentions)
    small = out / f"x-{SMALL}.jsonl"
    if small != jsonl and not (opts.keep and small.exists()):
        run.head(jsonl, small, SMALL // 100)
    sizes = [(SMALL, small)] + ([(opts.mentions, jsonl)] if opts.mentions != SMALL else [])
    made = []
    for n, source in sizes:
        db = out / f"inbox-{n}.db"
        if not (opts.keep and db.exists()):
            print(f"importing {n:,} mentions into SQLite…", file=sys.stderr)
            run.imported(source, db)
        made.append((n, db))
    return made, small


def copies(opts, inboxes: list[tuple[int, Path]]) -> tuple[list[str], list[tuple[str, str]]]:
    """The PostgreSQL copy of each inbox, and the rows of the copy table."""
    urls, rows = [], []
    for n, db in inboxes:
        name = f"{opts.prefix}_{size_name(n)}"
        url = with_database(opts.server, name)
        urls.append(url)
        if opts.keep and database_exists(opts.server, name):
            continue
        print(f"copying {n:,} mentions into PostgreSQL ({name})…", file=sys.stderr)
        fresh_database(opts.server, name)
        m = timed([*COMMWATCH, "db", "copy", str(db), url, "--quiet"], name)
        rows.append((f"`db copy` {n:,} mentions (SQLite → PostgreSQL)",
                     f"{n / m['wall']:,.0f} rows/s ({m['wall']:.0f} s wall); CPU {cpu_cell(m)}"))  # fmt: skip
        start = time.perf_counter()
        with ServerCpu(name) as server:
            psql(url, "VACUUM ANALYZE")
        rows.append((f"then VACUUM ANALYZE ({n:,})",
                     f"{time.perf_counter() - start:.1f} s wall, server {server.seconds('database'):.1f} CPU s"))  # fmt: skip
        size = psql(url, "SELECT pg_database_size(current_database())")
        sizes = f"SQLite {db.stat().st_size / 2**20:,.0f} MiB, PostgreSQL {int(size) / 2**20:,.0f} MiB"
        rows.append((f"size on disk, {n:,}", sizes))
    return urls, rows


def imports(opts, out: Path, jsonl: Path) -> list[tuple[str, str]]:
    """The same file into an empty SQLite file and an empty PostgreSQL database, one after the other."""
    print(f"importing {SMALL:,} mentions side by side…", file=sys.stderr)
    rows = []
    results: dict[str, list[dict[str, float]]] = {"SQLite": [], "PostgreSQL": []}
    for _ in range(opts.import_rounds):
        db = out / "import-sqlite.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        results["SQLite"].append(timed([*COMMWATCH, "--db", str(db), "import", "x", str(jsonl), "--quiet",
                                        "--workers", "0"], None))  # fmt: skip
        url = fresh_database(opts.server, f"{opts.prefix}_import")
        results["PostgreSQL"].append(timed([*COMMWATCH, "--db", url, "import", "x", str(jsonl), "--quiet",
                                            "--workers", "0"], f"{opts.prefix}_import"))  # fmt: skip
    best = {}
    for engine, runs in results.items():
        m = min(runs, key=lambda r: r["cpu"] + r.get("server", 0))
        best[engine] = m
        speed = f"{SMALL / m['wall']:,.0f}/s ({m['wall']:.1f} s wall); CPU {cpu_cell(m)}; {m['rss_mib']:.0f} MiB peak"
        rows.append((f"import {SMALL:,} into an empty {engine} (`--workers 0`)", speed))
    s, p = best["SQLite"], best["PostgreSQL"]
    ratios = (f"wall {p['wall'] / s['wall']:.2f}×, command CPU {p['cpu'] / s['cpu']:.2f}×, "
              f"command + server CPU {(p['cpu'] + p['server']) / s['cpu']:.2f}×")  # fmt: skip
    rows.append(("import, PostgreSQL / SQLite", ratios))
    return rows


def startup(sqlite_db: Path, url: str) -> list[tuple[str, str]]:
    """Start-up CPU, interleaved (median of 7), and whether psycopg was imported."""
    print("start-up…", file=sys.stderr)
    commands = {
        "bare `python -c pass`": [PYTHON, "-c", "pass"],
        "`commwatch --help`": [*COMMWATCH, "--help"],
        "`--db inbox-100000.db inbox --json`": [*COMMWATCH, "--db", str(sqlite_db), "inbox", "--json"],
        f"`--db postgresql://…/{url.rsplit('/', 1)[-1]} inbox --json`": [*COMMWATCH, "--db", url, "inbox", "--json"],
    }
    samples: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for _ in range(8):
        for name, args in commands.items():
            wall, cpu, _ = run.child(args)
            samples[name].append((wall, cpu))
    rows = []
    bare = statistics.median(c for _, c in samples["bare `python -c pass`"][1:]) * 1000
    for name, args in commands.items():
        cpu = statistics.median(c for _, c in samples[name][1:]) * 1000  # the first round warms the caches
        wall = statistics.median(w for w, _ in samples[name][1:]) * 1000
        if args[1] == "-c":
            psycopg = ""
        else:
            trace = subprocess.run([PYTHON, "-X", "importtime", *args[1:]], capture_output=True, text=True,
                                   cwd=run.WORKDIR, check=False).stderr  # fmt: skip
            loaded = any(line.split("|")[-1].strip() == "psycopg" for line in trace.splitlines())
            psycopg = "; psycopg imported" if loaded else "; psycopg not imported"
        rows.append((f"start-up: {name}", f"{cpu:.0f} ms CPU ({cpu / bare:.1f}× bare), {wall:.0f} ms wall{psycopg}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5499/postgres",
                        help="a PostgreSQL URL of the server to create the cwbench_* databases on")  # fmt: skip
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/pgbench"), help="scratch folder (kept out of the repo)")
    parser.add_argument("--keep", action="store_true", help="reuse the generated files, inboxes and databases")
    parser.add_argument("--prefix", default="cwbench", help="the databases' names start with this (PREFIX_100k, …)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each view (views_bench.py --repeat)")
    parser.add_argument("--import-rounds", type=int, default=1, help="imports of each engine, alternating (best kept)")
    parser.add_argument("--skip", default="", help="comma-separated steps to leave out: copy, import, startup, views")
    opts = parser.parse_args()
    out = opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    run.WORKDIR = out  # commands run in the scratch folder (no commwatch.toml there)
    skip = set(filter(None, opts.skip.split(",")))
    started = time.perf_counter()

    inboxes, small_jsonl = build(opts, out)
    urls, rows = copies(opts, inboxes) if "copy" not in skip else ([], [])
    if not urls:
        urls = [with_database(opts.server, f"{opts.prefix}_{size_name(n)}") for n, _ in inboxes]
    if "import" not in skip:
        rows += imports(opts, out, small_jsonl)
    if "startup" not in skip:
        rows += startup(inboxes[0][1], urls[0])
    title = (f"# PostgreSQL beside SQLite ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
             f"{', '.join(f'{n:,}' for n, _ in inboxes)} mentions)")  # fmt: skip
    report = [title, "", "| measure | measured |", "| --- | --- |", *[f"| {a} | {b} |" for a, b in rows]]
    if "views" not in skip:
        print("views, side by side…", file=sys.stderr)
        pairs = [str(x) for (_, db), url in zip(inboxes, urls) for x in (db, url)]
        (out / "views.json").unlink(missing_ok=True)
        views = subprocess.run([PYTHON, str(HERE / "views_bench.py"), "--pair", "--repeat", str(opts.repeat),
                                "--json", str(out / "views.json"), *pairs], capture_output=True, text=True,
                               check=False)  # fmt: skip
        report += ["", "## Views, in-process, CPU (this process + the server's)", "",
                   views.stdout.strip() or views.stderr.strip()]  # fmt: skip
        if views.returncode == 0 and (out / "views.json").exists():
            report += ["", *wall_summary(json.loads((out / "views.json").read_text()))]
    report += ["", f"(whole run: {time.perf_counter() - started:.0f} s)"]
    text = "\n".join(report) + "\n"
    (out / "postgres.md").write_text(text)
    print(text)


def wall_summary(data: dict) -> list[str]:
    """Median PG/SQLite ratios of wall and CPU time over every view, per size."""
    results, labels = data["results"], data["labels"]
    lines = ["| pair | median PG/SQLite, CPU | median PG/SQLite, wall | views where PG is slower (CPU) |",
             "| --- | --- | --- | --- |"]  # fmt: skip
    for a in range(0, len(results) - 1, 2):
        b = a + 1
        ratios = {metric: [results[b][k][metric] / max(results[a][k][metric], 0.05) for k in results[a]]
                  for metric in ("cpu", "wall")}  # fmt: skip
        slower = sum(r > 1 for r in ratios["cpu"])
        lines.append(f"| {labels[a]} / {labels[b]} | {statistics.median(ratios['cpu']):.2f}× | "
                     f"{statistics.median(ratios['wall']):.2f}× | {slower} of {len(ratios['cpu'])} |")  # fmt: skip
    return lines


if __name__ == "__main__":
    main()
