"""How fast `commwatch tui` opens and moves on a big inbox.

    python benchmarks/tui_bench.py [--db PATH | --mentions N] [--moves 300]

--db PATH     an existing commwatch database (e.g. the one benchmarks/run.py leaves at
              benchmarks/out/inbox-1000000.db); it is copied first and only the copy is opened
--mentions N  build a synthetic store of N mentions instead (no VADER: priorities are made up)

Measured headless with App.run_test. Times are from the moment the key is sent (or App() is
created) to the moment the frame showing its effect is written to the (headless) terminal;
Pilot's own waits for the app to go idle are not counted.
  first paint    App() → the first frame with the list's rows in it
  total count    the background count's time (the status shows "100+" until it lands)
  j / k          one key → the list and detail redrawn, over many presses, crossing page boundaries
  G, g           jump to the last / first mention (G counts first if the count is not in yet)
  deep j         moves near the end of the inbox (pages there come from a deep OFFSET)
  detail extras  the background load of thread, replies and history for one mention
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

DEFAULT_DB = Path(__file__).parent / "out" / "inbox-1000000.db"
SIZE = (120, 35)


def build(path: Path, n: int) -> None:
    from commwatch.model import Author, Level, Mention, Priority, Sentiment
    from commwatch.store.db import open_store
    from commwatch.store.mentions import save_page

    conn = open_store(path)
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for first in range(0, n, 10_000):
        page = []
        for i in range(first, min(first + 10_000, n)):
            score = (i * 7919) % 101
            level = Level.URGENT if score >= 75 else Level.HIGH if score >= 50 else Level.MEDIUM if score >= 25 else Level.LOW
            page.append(Mention(platform="x", remote_id=str(i), text=f"synthetic mention {i} about acme",
                                created_at=base + timedelta(seconds=3 * i), author=Author(handle=f"user{i % 20000}"),
                                thread_id=str(i), url=f"https://x.com/u/status/{i}",
                                sentiment=Sentiment(0.0, "neutral"), priority=Priority(score, level, ["synthetic"])))  # fmt: skip
        save_page(conn, "synthetic", page, "2026-01-02T00:00:00Z")
    conn.close()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def summary(samples: list[float]) -> str:
    samples = sorted(s for s in samples if s == s)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return f"median {ms(statistics.median(samples))}, p95 {ms(p95)}, max {ms(samples[-1])} ({len(samples)} moves)"


async def measure(db: Path, moves: int) -> dict[str, str]:
    from commwatch.config import Config
    from commwatch.store.mentions import get, thread_context
    from commwatch.store.db import open_store
    from commwatch.tui.app import CommwatchApp
    from commwatch.tui.screens.inbox import InboxScreen

    from textual.app import App

    from commwatch.tui.widgets.mention_list import MentionList

    frames: list[float] = []  # when each frame was ready for the terminal
    rows_drawn: list[float] = []  # when the list first drew a row
    display, render_line = App._display, MentionList.render_line

    def recording_display(self, screen, renderable) -> None:
        """A headless app skips the terminal: render the update to text as a terminal app would."""
        if renderable is not None:
            for _ in self.console.render(renderable):
                pass
            frames.append(time.perf_counter())
        display(self, screen, renderable)

    def recording_render_line(self, y: int):
        if not rows_drawn and self.pager.cached(0) is not None:
            rows_drawn.append(time.perf_counter())
        return render_line(self, y)

    App._display, MentionList.render_line = recording_display, recording_render_line
    results: dict[str, str] = {}
    started = time.perf_counter()
    app = CommwatchApp(db, Config(), poll_interval=0, detail_delay=0.06, browser=lambda url: True)
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.monotonic() + 60
        while not rows_drawn or not frames or frames[-1] < rows_drawn[0]:
            assert time.monotonic() < deadline, "the list was never drawn"
            await pilot.pause(0.001)
        results["first paint"] = ms(next(f for f in frames if f >= rows_drawn[0]) - started)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        while screen.counting:
            await pilot.pause(0.005)
        results["total count (background)"] = f"{screen.pager.label}, known {ms(time.perf_counter() - started)} after start"

        async def timed(key: str) -> float:
            t = time.perf_counter()
            await pilot.press(key)
            return next((f for f in frames if f >= t), float("nan")) - t  # nan: nothing to redraw

        down = [await timed("j") for _ in range(moves)]
        up = [await timed("k") for _ in range(moves // 3)]
        results["j (down)"] = summary(down)
        results["k (up)"] = summary(up)
        results["G (to the last)"] = ms(await timed("G")) + f" → #{screen.mentions.cursor + 1:,}"
        deep = [await timed("k") for _ in range(moves // 3)]
        results["k near the end (deep OFFSET pages)"] = summary(deep)
        results["g (to the first)"] = ms(await timed("g"))
        results["pagedown"] = summary([await timed("pagedown") for _ in range(20)])
        await app.workers.wait_for_complete()
    App._display, MentionList.render_line = display, render_line

    conn = open_store(db)
    m = get(conn, conn.execute("SELECT id FROM mentions ORDER BY priority_score DESC LIMIT 1").fetchone()[0])
    t = time.perf_counter()
    thread_context(conn, m)
    results["detail extras: thread_context (worker thread)"] = ms(time.perf_counter() - t)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="an existing database to copy and measure")
    parser.add_argument("--mentions", type=int, help="build a synthetic store of this many mentions")
    parser.add_argument("--moves", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="commwatch-tui-bench-") as tmp:
        db = Path(tmp) / "inbox.db"
        source = args.db or (DEFAULT_DB if args.mentions is None and DEFAULT_DB.exists() else None)
        if source is not None:
            t = time.perf_counter()
            shutil.copy(source, db)
            for suffix in ("-wal",):  # a copy of a consistent file: include its WAL if it has one
                if Path(str(source) + suffix).exists():
                    shutil.copy(str(source) + suffix, str(db) + suffix)
            print(f"copied {source} ({db.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        else:
            n = args.mentions or 1_000_000
            t = time.perf_counter()
            build(db, n)
            print(f"built {n:,} synthetic mentions in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        from commwatch.store.db import open_store

        conn = open_store(db)  # migrate the copy if it is older, before the clock starts
        total = conn.execute("SELECT count(*) FROM mentions").fetchone()[0]
        conn.close()
        results = asyncio.run(measure(db, args.moves))
    print(f"\n## commwatch tui, {total:,} mentions, {SIZE[0]}×{SIZE[1]} headless\n")
    print("| measure | result |\n| --- | --- |")
    for name, value in results.items():
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
