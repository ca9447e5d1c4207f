"""Stores and apps for the TUI tests (imported by the tests and by benchmarks/tui_bench.py).

The demo store is built once (the demo connector run through sync.run_sync with
its clock frozen at the demo's anchor, so every created_at is fixed) and copied
for each test. The app's clock is frozen at the same instant: ages never change
between runs, so snapshots are stable.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from commwatch.config import parse
from commwatch.store.db import open_store
from commwatch.app.sync import run_sync


def demo_anchor():
    from commwatch_demo import anchor

    return anchor()


def sync_into(path: Path, sources: dict, templates: dict | None = None, targets: dict | None = None):
    """Run the given sources into the store at `path`, with the demo clock frozen; returns the Config."""
    from commwatch_demo import DemoConnector

    data = {"sources": sources}
    if templates:
        data["templates"] = {name: {"text": text} for name, text in templates.items()}
    if targets:
        data["targets"] = targets
    config = parse(data)
    original = DemoConnector.clock
    DemoConnector.clock = staticmethod(demo_anchor)
    try:
        conn = open_store(path)
        for name in sources:  # one after the other: the same ids on every run
            result = run_sync(conn, config, only=[name], env={})
            assert not result.failed, result.to_dict()
        conn.close()
    finally:
        DemoConnector.clock = original
    return config


TEMPLATES = {"sorry": "Hi {author}, sorry about that. Could you DM us the details?", "thanks": "Thanks {author}!",
             "broken": "Hi {customer}"}  # fmt: skip
# Scripted mentions (platform "scripted", which the scripted connector can reply on), at fixed times.
SCRIPTED = [
    {"id": "1", "text": "is the API down? refund please", "author": "ann", "followers": 12000, "at": "2026-01-15T09:00:00Z"},
    {"id": "2", "text": "thanks for the quick fix!", "author": "bob", "followers": 40, "at": "2026-01-15T10:00:00Z"},
]


def targets(directory: Path) -> dict:
    """pr: Slack without its webhook variable (fails, permanently); oncall: a command that appends to a file."""
    return {"pr": {"type": "slack", "url_env": "SLACK_PR_WEBHOOK_UNSET"},
            "oncall": {"type": "command", "command": ["sh", "-c", f"cat >> '{directory / 'oncall.jsonl'}'"]}}  # fmt: skip


def sources(directory: Path, scripted: bool = True) -> dict:
    found = {"demo": {"connector": "demo"}}
    if scripted:
        script = scripted_script(directory / "script.json", SCRIPTED)
        found["s"] = {"connector": "scripted", "script": str(script), "posted": str(directory / "posted.json")}
    return found


def config_for(directory: Path, scripted: bool = True):
    return parse({"sources": sources(directory, scripted), "templates": {k: {"text": v} for k, v in TEMPLATES.items()},
                  "targets": targets(directory)})  # fmt: skip


def demo_config(directory: Path | None = None):
    return config_for(directory or Path("/nonexistent"), scripted=False)


class Browser:
    """Stands in for webbrowser.open."""

    def __init__(self, ok: bool = True):
        self.opened: list[str] = []
        self.ok = ok

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        return self.ok


def make_app(db_path, config=None, now=None, **kwargs):
    from commwatch.tui.app import CommwatchApp

    kwargs.setdefault("poll_interval", 0)  # tests poll by hand
    kwargs.setdefault("detail_delay", 0)
    kwargs.setdefault("actor", "tester")
    kwargs.setdefault("browser", Browser())
    clock = (lambda: now) if now is not None else (lambda: demo_anchor() + timedelta(minutes=5))
    return CommwatchApp(db_path, config or demo_config(), clock=clock, **kwargs)


async def settle(pilot):
    """Wait until workers (count, detail, reply) are done and their results are shown."""
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()
    assert not app.worker_errors, app.worker_errors


def scripted_script(path: Path, items: list[dict]) -> Path:
    path.write_text(json.dumps({"streams": {"s": [{"mentions": items}]}}))
    return path


def synthetic(n: int, start: int = 0, platform: str = "x", text: str = "mention number {i}"):
    """n triaged mentions with fixed times and falling priority (no VADER: fast enough for 100k)."""
    from datetime import datetime, timezone

    from commwatch.model import Author, Level, Mention, Priority, Sentiment

    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    out = []
    for i in range(start, start + n):
        score = 100 - (i * 7) % 101
        level = Level.URGENT if score >= 75 else Level.HIGH if score >= 50 else Level.MEDIUM if score >= 25 else Level.LOW
        out.append(Mention(
            platform=platform, remote_id=f"s{i}", text=text.format(i=i), created_at=base + timedelta(seconds=i),
            author=Author(handle=f"user{i % 50}", followers=i), url=f"https://x.com/user/status/s{i}",
            sentiment=Sentiment(-0.5, "negative"), priority=Priority(score, level, ["test"]),
        ))  # fmt: skip
    return out


def add_synthetic(path: Path, n: int, start: int = 0, chunk: int = 5000, **kwargs) -> None:
    from commwatch.store.mentions import save_page

    conn = open_store(path)
    for first in range(start, start + n, chunk):
        save_page(conn, "synthetic", synthetic(min(chunk, start + n - first), first, **kwargs), "2026-01-02T00:00:00Z")
    conn.close()


# Looking at a running app ---------------------------------------------------


def inbox(app):
    from commwatch.tui.screens.inbox import InboxScreen

    return next(s for s in app.screen_stack if isinstance(s, InboxScreen))


def selected(app) -> dict | None:
    return inbox(app).mentions.current


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


def status_line(app) -> str:
    from commwatch.tui.widgets.status_bar import StatusBar

    return str(inbox(app).query_one(StatusBar).render())


def detail(app) -> str:
    return str(inbox(app).query_one("#detail-body").render())


def list_lines(app) -> list[str]:
    """The list as drawn: the text of each visible line."""
    widget = inbox(app).mentions
    return ["".join(seg.text for seg in widget.render_line(y)) for y in range(widget.size.height)]


def mention(db: Path, mention_id: int) -> dict:
    from commwatch.store.mentions import get

    conn = open_store(db)
    try:
        return get(conn, mention_id)
    finally:
        conn.close()


def events(db: Path, mention_id: int) -> list[tuple[str, dict]]:
    from commwatch.store.manage import history

    conn = open_store(db)
    try:
        return [(e["action"], e["detail"]) for e in history(conn, mention_id)]
    finally:
        conn.close()


def first_ids(db: Path, n: int = 5, **filters) -> list[int]:
    from commwatch.store.inbox import InboxFilter, list_mentions

    conn = open_store(db)
    try:
        return [m["id"] for m in list_mentions(conn, InboxFilter(limit=n, **filters))]
    finally:
        conn.close()
