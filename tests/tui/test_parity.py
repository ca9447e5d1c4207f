"""A full pass through the TUI leaves exactly what the same steps through the CLI leave.

Both start from copies of one store; the TUI is driven with keys, the CLI runs
as a subprocess. Rows, tags, events, escalations, the outbox and what reached
the platform and the escalation target are compared (times aside).
"""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from commwatch.app.views import BUILT_IN_PLATFORMS
from commwatch.store.inbox import InboxFilter

from tuikit import config_for, first_ids, make_app, selected, settle

pytestmark = pytest.mark.anyio


def write_toml(directory):
    config_for(directory)  # writes the script file
    (directory / "commwatch.toml").write_text(
        '[sources.demo]\nconnector = "demo"\n'
        f'[sources.s]\nconnector = "scripted"\nscript = "{directory / "script.json"}"\nposted = "{directory / "posted.json"}"\n'
        '[templates.sorry]\ntext = "Hi {author}, sorry about that."\n'
        '[targets.oncall]\ntype = "command"\n'
        f"command = [\"sh\", \"-c\", \"cat >> '{directory / 'oncall.jsonl'}'\"]\n"
    )


def state(directory) -> dict:
    db = sqlite3.connect(directory / "inbox.db")
    events = []
    for mention_id, actor, action, detail in db.execute("SELECT mention_id, actor, action, detail FROM events ORDER BY id"):
        detail = json.loads(detail or "{}")
        detail.pop("until", None)  # a snooze ends at now + 2h: seconds apart
        events.append((mention_id, actor, action, detail))
    return {
        "mentions": db.execute("SELECT id, status, snoozed_until IS NOT NULL, assignee, replied FROM mentions ORDER BY id").fetchall(),
        "tags": db.execute("SELECT mention_id, tag FROM mention_tags ORDER BY 1, 2").fetchall(),
        "events": events,
        "escalations": db.execute("SELECT mention_id, actor, target, note FROM escalations ORDER BY id").fetchall(),
        "outbox": db.execute("SELECT kind, mention_id, source, payload, status, result FROM outbox ORDER BY id").fetchall(),
        "posted": json.loads((directory / "posted.json").read_text()),
        "delivered": len((directory / "oncall.jsonl").read_text().splitlines()),
    }


async def test_a_full_pass_leaves_the_state_the_cli_leaves(mixed_db, cli, tmp_path):
    tui_dir, cli_dir = tmp_path / "tui", tmp_path / "cli"
    for d in (tui_dir, cli_dir):
        d.mkdir()
        shutil.copy(mixed_db, d / "inbox.db")
        write_toml(d)

    # The CLI, step by step, finding each mention as the TUI pass does.
    db = cli_dir / "inbox.db"

    def run(*args):
        r = cli("--config", str(cli_dir / "commwatch.toml"), "--db", str(db), *args, env={"COMMWATCH_USER": "tester"})
        assert r.returncode == 0, r.stderr

    ann = first_ids(db, 1, search="refund please")[0]
    run("reply", str(ann), "We're on it", "--yes")
    run("tag", str(ann), "billing", "vip")
    run("escalate", str(ann), "--to", "oncall", "--note", "VIP churn")
    run("reopen", str(ann))
    run("close", str(ann))
    t1, t2 = first_ids(db, 2)
    run("snooze", str(t1), "2h")
    run("assign", str(t2), "maria")
    x1 = first_ids(db, 1, platform="x")[0]
    run("close", str(x1))
    run("reopen", str(x1))
    run("tag", str(x1), "x-team")
    run("untag", str(x1), "x-team")

    # The TUI, with keys.
    from commwatch.config import load

    app = make_app(tui_dir / "inbox.db", load(tui_dir / "commwatch.toml"), actor="tester")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)

        async def keys(*pressed):
            await pilot.press(*pressed)
            await settle(pilot)

        await keys("slash", *"refund please", "enter")
        assert selected(app)["id"] == ann
        await keys("r", *"We're on it", "ctrl+s", "y")
        await keys("t", *"billing vip", "enter")
        await keys("e", "enter", *"VIP churn", "enter")  # oncall, the first target
        assert (selected(app) or {}).get("id") != ann  # escalated: out of the open view
        await keys("u")  # → reopen
        assert selected(app)["id"] == ann
        await keys("c")
        await keys("slash", "ctrl+u", "enter")
        assert selected(app)["id"] == t1
        await keys("s", "ctrl+u", *"2h", "enter")
        assert selected(app)["id"] == t2
        await keys("a", *"maria", "enter")
        downs = ["all", *sorted({*BUILT_IN_PLATFORMS, "scripted"})].index("x")  # all, then every platform by name
        await keys("f", "tab", "enter", *["down"] * downs, "enter", "ctrl+s")
        assert app.screen_stack[-1].filter == InboxFilter(platform="x", limit=None)
        assert selected(app)["id"] == x1
        await keys("c", "u")
        await keys("t", *"x-team", "enter", "u")
        assert not app.worker_errors

    assert state(tui_dir) == state(cli_dir)
