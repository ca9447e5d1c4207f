"""Mention text is data: no escape sequence reaches the terminal, no markup is interpreted."""

from __future__ import annotations

import json

import pytest

from commwatch.store.inbox import InboxFilter

from tuikit import config_for, detail, inbox, list_lines, make_app, settle, sync_into

pytestmark = pytest.mark.anyio

HOSTILE = "\x1b[2J\x1b]0;pwned\x07 [bold red]loud[/] [link=https://evil.example]click[/link] \u202eevil\r:smile:"


@pytest.fixture
def hostile_db(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"streams": {"s": [{"mentions": [
        {"id": "1", "text": HOSTILE, "author": "[b]mallory\x1b[5m", "at": "2026-01-15T09:00:00Z"}]}]}}))  # fmt: skip
    sync_into(tmp_path / "inbox.db", {"s": {"connector": "scripted", "script": str(script),
                                           "posted": str(tmp_path / "posted.json")}})  # fmt: skip
    return tmp_path / "inbox.db"


async def test_control_characters_are_shown_inert_and_markup_literally(hostile_db, tmp_path):
    app = make_app(hostile_db, config_for(tmp_path), filter=InboxFilter(platform="scripted"))
    async with app.run_test(size=(160, 35)) as pilot:
        await settle(pilot)
        line = list_lines(app)[0]
        shown = detail(app)
        for text in (line, shown):
            assert not any(c in text for c in "\x1b\x07\r\u202e")
            assert "␛[2J␛]0;pwned\\x07" in text
            assert "[bold red]loud[/]" in text and "@[b]mallory␛[5m" in text
        assert "[link=https://evil.example]click[/link] \\u202eevil\\x0d:smile:" in shown
        strips = [inbox(app).mentions.render_line(0)]
        for strip in strips:  # no segment carries a link or a style that came from the text
            assert all(seg.style is None or seg.style.link is None for seg in strip)
        await pilot.press("r", *"ok", "ctrl+s")
        body = str(app.screen.body)
        assert "@[b]mallory␛[5m" in body and "\x1b" not in body


async def test_every_field_of_the_detail_is_inert(hostile_db, tmp_path):
    """Ids, source, tags, assignee, history actors and notes: not only the text."""
    import sqlite3

    db = sqlite3.connect(hostile_db)
    with db:
        db.execute("UPDATE mentions SET remote_id = ?, source = ?, assignee = ?",
                   ("1\x1b]52;c;eA==\x07", "s\u202eevil", "bob\x1b]0;T\x07"))  # fmt: skip
        db.execute("INSERT INTO mention_tags (mention_id, tag) VALUES (1, 'vip\x9b31m')")
        db.execute("INSERT INTO events (mention_id, at, actor, action, detail) VALUES "
                   "(1, '2026-01-15T10:00:00Z', 'eve\u2066x\u2069', 'note', '{\"note\": 1, \"text\": \"hi \\u001b[2J\"}')")  # fmt: skip
    app = make_app(hostile_db, config_for(tmp_path), filter=InboxFilter(platform="scripted"))
    async with app.run_test(size=(160, 35)) as pilot:
        await settle(pilot)
        shown = detail(app) + "\n".join(list_lines(app))
        assert not any(c in shown for c in "\x1b\x07\x9b\u202e\u2066\u2069")
        for visible in ("1␛]52;c;eA==\\x07", "source s\\u202eevil", "vip\\x9b31m", "assignee: bob␛]0;T\\x07",
                        "eve\\u2066x\\u2069", "hi ␛[2J"):  # fmt: skip
            assert visible in shown, visible


async def test_prompts_show_stored_tags_and_names_inert_and_never_prefill_them(hostile_db, tmp_path):
    import sqlite3

    from textual.widgets import Input, Static

    db = sqlite3.connect(hostile_db)
    with db:
        db.execute("UPDATE mentions SET assignee = ?", ("bob\x1b]0;T\x07",))
        db.execute("INSERT INTO mention_tags (mention_id, tag) VALUES (1, 'vip\x1b[31m'), (1, 'billing')")
    app = make_app(hostile_db, config_for(tmp_path), filter=InboxFilter(platform="scripted"))
    async with app.run_test(size=(160, 35)) as pilot:
        await settle(pilot)
        for key, prefill in (("t", ""), ("a", ""), ("ctrl+p", None)):
            if key == "ctrl+p":
                await pilot.press("ctrl+p", *"untag", "enter")
                prefill = "billing"  # the real tag only
            else:
                await pilot.press(key)
            await settle(pilot)
            shown = " ".join(str(w.render()) for w in app.screen.query(Static))
            assert "\x1b" not in shown and "\x07" not in shown
            assert app.screen.query_one(Input).value == prefill
            await pilot.press("escape")
            await settle(pilot)
