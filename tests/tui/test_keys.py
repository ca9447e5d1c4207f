"""Every key of the inbox, driven as a person would (Pilot), checked against the store."""

from __future__ import annotations

import json

import pytest

from commwatch.app.verbs import Verbs
from commwatch.app.views import BUILT_IN_PLATFORMS
from commwatch.store.db import open_store
from commwatch.store.inbox import InboxFilter, count_mentions
from commwatch.tui.screens.composer import ComposerScreen
from commwatch.tui.screens.confirm import ConfirmScreen
from commwatch.tui.keymap import INBOX_KEYS
from commwatch.tui.screens.help import HelpScreen, help_text

from tuikit import (Browser, config_for, detail, events, first_ids, inbox, list_lines, make_app, mention, notes,
                    selected, settle, status_line)  # fmt: skip

SIZE = (120, 35)
pytestmark = pytest.mark.anyio


# Moving -------------------------------------------------------------------------


async def test_it_opens_on_the_most_urgent_with_the_count(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        top = first_ids(demo_db, 3)
        assert selected(app)["id"] == top[0]
        assert "361 mentions" in status_line(app) and "row 1" in status_line(app)
        lines = list_lines(app)
        assert str(top[0]) in lines[0] and str(top[1]) in lines[1]
        assert f"#{top[0]} " in detail(app) and "History" in detail(app)


async def test_j_k_g_G_move_the_selection_and_the_detail_follows(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ids = first_ids(demo_db, 400)
        await pilot.press("j", "j", "k")
        await settle(pilot)
        assert selected(app)["id"] == ids[1] and f"#{ids[1]} " in detail(app)
        await pilot.press("G")
        await settle(pilot)
        assert selected(app)["id"] == ids[-1] and inbox(app).mentions.cursor == 360
        assert "row 361" in status_line(app)
        await pilot.press("g")
        assert selected(app)["id"] == ids[0]
        await pilot.press("down", "down", "up", "pagedown")
        assert inbox(app).mentions.cursor > 10
        await pilot.press("home")
        assert inbox(app).mentions.cursor == 0


async def test_enter_focuses_the_detail_and_escape_comes_back(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        pane = inbox(app).detail
        assert app.focused is pane
        await pilot.press("j", "j", "j")
        assert pane.scroll_y > 0  # j scrolls the text here
        assert inbox(app).mentions.cursor == 0  # and does not move the list
        await pilot.press("escape")
        assert app.focused is inbox(app).mentions


# Changing -----------------------------------------------------------------------


async def test_t_tags_with_completion_of_existing_tags(demo_db):
    ids = first_ids(demo_db, 3)
    conn = open_store(demo_db)
    Verbs(conn, config_for(demo_db.parent, scripted=False), "someone").tag(ids[2], ["billing"])
    conn.close()
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await pilot.press(*"bil")
        await pilot.pause()
        await pilot.press("tab")  # takes the suggestion
        await pilot.press(*" vip", "enter")
        await settle(pilot)
        assert mention(demo_db, ids[0])["tags"] == ["billing", "vip"]
        assert events(demo_db, ids[0]) == [("tag", {"tags": ["billing", "vip"]})]
        assert f"#{ids[0]} tagged: billing vip" in notes(app)
        assert selected(app)["id"] == ids[0]  # still there, still selected
        await pilot.press("t", *"no spaces!", "enter")
        await settle(pilot)
        assert any("is not a tag" in n for n in notes(app))
        assert mention(demo_db, ids[0])["tags"] == ["billing", "vip"]


async def test_a_assigns_and_an_empty_answer_unassigns(demo_db):
    top = first_ids(demo_db, 1)[0]
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", *"maria", "enter")
        await settle(pilot)
        assert mention(demo_db, top)["assignee"] == "maria"
        assert "assignee: maria" in detail(app)
        await pilot.press("a", "ctrl+u", "enter")
        await settle(pilot)
        assert mention(demo_db, top)["assignee"] is None
        assert [a for a, _ in events(demo_db, top)] == ["assign", "unassign"]
        await pilot.press("a", "escape")  # cancelled: nothing
        await settle(pilot)
        assert len(events(demo_db, top)) == 2


async def test_l_labels_the_sentiment_by_hand_and_u_gives_it_back(demo_db):
    top = first_ids(demo_db, 1)[0]
    model_label = mention(demo_db, top)["sentiment"]["label"]
    wanted = "positive" if model_label != "positive" else "neutral"
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l", *wanted, "enter")
        await settle(pilot)
        labelled = mention(demo_db, top)["sentiment"]
        assert (labelled["label"], labelled["by"] is not None) == (wanted, True)
        assert f"sentiment {wanted}, set by hand by" in detail(app)
        assert f"#{top} sentiment {wanted} (by hand)" in notes(app)
        await pilot.press("u")
        await settle(pilot)
        back = mention(demo_db, top)["sentiment"]
        assert (back["label"], back["by"]) == (model_label, None)
        assert [a for a, _ in events(demo_db, top)] == ["label", "label"]


async def test_e_escalates_to_a_target_with_a_note_and_delivers_it(mixed_db, tmp_path):
    top = first_ids(mixed_db, 2)
    app = make_app(mixed_db, config_for(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")  # targets: oncall, pr, record only
        await pilot.press("enter", *"VIP, churn risk", "enter")
        await settle(pilot)
        m = mention(mixed_db, top[0])
        assert m["status"] == "escalated"
        assert ("escalate", {"escalation": 1, "target": "oncall", "note": "VIP, churn risk", "from": "open", "outbox": 1}) in events(mixed_db, top[0])
        assert [a for a, _ in events(mixed_db, top[0])][-1] == "escalation-delivered"
        delivered = json.loads((tmp_path / "oncall.jsonl").read_text())
        assert delivered["escalation"]["note"] == "VIP, churn risk" and delivered["mention"]["id"] == top[0]
        assert selected(app)["id"] == top[1]  # it left the open view; the next one is selected
        await pilot.press("e", "down", "enter", *"press", "enter")  # pr: Slack without its webhook
        await settle(pilot)
        assert any("set SLACK_PR_WEBHOOK_UNSET" in n for n in notes(app))
        assert mention(mixed_db, top[1])["status"] == "escalated"


async def test_c_closes_and_moves_to_the_next(demo_db):
    ids = first_ids(demo_db, 3)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "c")
        await settle(pilot)
        assert mention(demo_db, ids[1])["status"] == "closed"
        assert selected(app)["id"] == ids[2] and inbox(app).mentions.cursor == 1
        assert "360 mentions" in status_line(app)


async def test_c_in_a_view_that_keeps_closed_mentions_still_moves_on(demo_db):
    ids = first_ids(demo_db, 3, status=None)
    app = make_app(demo_db, filter=InboxFilter(status=None))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert mention(demo_db, ids[0])["status"] == "closed"
        assert selected(app)["id"] == ids[1]


async def test_s_snoozes_for_the_duration_given(demo_db):
    top = first_ids(demo_db, 2)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s", "ctrl+u", *"soon", "enter")
        await settle(pilot)
        assert any("'soon' is not a duration" in n for n in notes(app))
        assert mention(demo_db, top[0])["status"] == "open"
        await pilot.press("s", "ctrl+u", *"3d", "enter")
        await settle(pilot)
        m = mention(demo_db, top[0])
        assert m["status"] == "snoozed" and m["snoozed_until"]
        assert selected(app)["id"] == top[1]


async def test_o_opens_the_link_in_the_browser(demo_db):
    browser = Browser()
    app = make_app(demo_db, browser=browser)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert browser.opened == [selected(app)["url"]]
    refusing = Browser(ok=False)
    app = make_app(demo_db, browser=refusing)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert any(n.startswith("no browser could open https://") for n in notes(app))


async def test_slash_searches_the_full_text_and_an_empty_search_clears_it(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"refund*", "enter")
        await settle(pilot)
        conn = open_store(demo_db)
        expected = count_mentions(conn, InboxFilter(search="refund*"))
        assert 0 < expected < 361
        assert 'search "refund*"' in status_line(app) and f"{expected} mentions" in status_line(app)
        assert "refund" in selected(app)["text"].lower() or "refund" in (selected(app)["title"] or "").lower()
        await pilot.press("slash", "ctrl+u", "enter")
        await settle(pilot)
        assert "search" not in status_line(app) and "361 mentions" in status_line(app)


async def test_f_filters_by_platform_sentiment_and_needs_reply(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        downs = ["all", *sorted(BUILT_IN_PLATFORMS)].index("x")  # the choices: all, then every platform by name
        await pilot.press("tab", "enter", *["down"] * downs, "enter")
        await pilot.press("tab", "enter", "down", "enter")  # sentiment: all → negative
        await pilot.press("tab", "tab", "tab", "space")  # needs a reply
        await pilot.press("ctrl+s")
        await settle(pilot)
        f = inbox(app).filter
        assert (f.status, f.platform, f.sentiment, f.needs_reply) == ("open", "x", "negative", True)
        conn = open_store(demo_db)
        n = count_mentions(conn, InboxFilter(platform="x", sentiment="negative", needs_reply=True))
        assert f"{n} mentions" in status_line(app) and "platform x" in status_line(app)
        assert selected(app)["platform"] == "x" and selected(app)["sentiment"]["label"] == "negative"
        await pilot.press("f", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "enter")  # Clear
        await settle(pilot)
        assert inbox(app).filter == InboxFilter(limit=None)


async def test_f_filters_by_tag_and_assignee(demo_db):
    ids = first_ids(demo_db, 5)
    conn = open_store(demo_db)
    actions = Verbs(conn, config_for(demo_db.parent, scripted=False), "someone")
    actions.tag(ids[3], ["billing"])
    actions.assign(ids[3], "maria")
    actions.assign(ids[4], "maria")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f", "tab", "tab", "tab", *"bil", "right", "tab", *"maria", "enter")
        await settle(pilot)
        assert (inbox(app).filter.tag, inbox(app).filter.assignee) == ("billing", "maria")
        assert selected(app)["id"] == ids[3] and "1 mentions" in status_line(app)


async def test_u_undoes_each_change_through_its_inverse(demo_db):
    ids = first_ids(demo_db, 3)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t", *"billing", "enter", "a", *"maria", "enter", "c")
        await settle(pilot)
        assert mention(demo_db, ids[0])["status"] == "closed"
        await pilot.press("u")  # reopen
        await settle(pilot)
        assert mention(demo_db, ids[0])["status"] == "open" and selected(app)["id"] == ids[0]
        await pilot.press("u")  # assign back to nobody
        await settle(pilot)
        assert mention(demo_db, ids[0])["assignee"] is None
        await pilot.press("u")  # untag
        await settle(pilot)
        assert mention(demo_db, ids[0])["tags"] == []
        await pilot.press("u")
        await settle(pilot)
        assert "nothing to undo" in notes(app)
        assert [a for a, _ in events(demo_db, ids[0])] == ["tag", "assign", "close", "reopen", "unassign", "untag"]
        await pilot.press("s", "enter", "u", "e", "up", "enter", "enter", "u")  # snooze, escalate (no target)
        await settle(pilot)
        assert mention(demo_db, ids[0])["status"] == "open"
        assert [a for a, _ in events(demo_db, ids[0])][-4:] == ["snooze", "reopen", "escalate", "reopen"]


async def test_R_reloads_what_another_process_changed(demo_db):
    ids = first_ids(demo_db, 3)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        other = open_store(demo_db)
        Verbs(other, config_for(demo_db.parent, scripted=False), "cli").tag(ids[1], ["from-cli"])
        other.close()
        await pilot.press("R")
        await settle(pilot)
        assert selected(app)["tags"] == ["from-cli"] and "from-cli" in detail(app)
        assert "reloaded" in notes(app)


async def test_question_mark_shows_every_key_and_q_quits(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(help_text())
        for key in ("j k  ↓ ↑", "g G  Home End", "PgDn PgUp", "Enter", "Esc", "^p"):
            assert key in text
        for key in INBOX_KEYS:
            assert f"\n  {key.shown} " in text and key.help in text
        assert "replies cannot be undone" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_the_command_palette_has_what_has_no_key(demo_db):
    ids = first_ids(demo_db, 1)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("ctrl+p", *"show closed")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert inbox(app).filter.status == "closed" and selected(app)["id"] == ids[0]
        await pilot.press("ctrl+p", *"reopen")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert mention(demo_db, ids[0])["status"] == "open"


# Replying -----------------------------------------------------------------------


def scripted_app(db, directory, **kwargs):
    return make_app(db, config_for(directory), filter=InboxFilter(platform="scripted"), **kwargs)


def posted(directory) -> list[dict]:
    path = directory / "posted.json"
    return json.loads(path.read_text()) if path.exists() else []


async def test_r_replies_from_a_saved_reply_after_confirming_exactly_what_is_posted(mixed_db, tmp_path):
    app = scripted_app(mixed_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ann = selected(app)
        assert ann["author"]["handle"] == "ann"
        await pilot.press("r")
        assert isinstance(app.screen, ComposerScreen)
        await pilot.press("shift+tab", "enter")  # the first saved reply: "broken"
        assert "unknown variables: customer" in str(app.screen.query_one("#composer-error").render())
        await pilot.press("down", "enter")  # "sorry", filled in by the core
        text = "Hi ann, sorry about that. Could you DM us the details?"
        assert app.screen.text == text
        assert str(app.screen.query_one("#char-count").render()).startswith(f"{len(text)}/280")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ConfirmScreen)
        shown = str(app.screen.body)
        assert shown == f"reply on scripted as source 's' to @ann (scripted:1), {len(text)}/280 characters:\n{text}"
        assert posted(tmp_path) == []  # nothing before "y"
        await pilot.press("y")
        await settle(pilot)
        assert posted(tmp_path) == [{"id": "r1", "in_reply_to": "1", "text": text}]
        assert mention(mixed_db, ann["id"])["replied"] is True
        assert [a for a, _ in events(mixed_db, ann["id"])] == ["reply-queued", "reply"]
        assert f"#{ann['id']} replied: https://scripted.example/r1" in notes(app)
        assert "Replies sent" in detail(app) and text in detail(app)
        await pilot.press("u")
        assert any("replies cannot be undone" in n for n in notes(app))


async def test_r_refuses_what_the_core_refuses_and_n_posts_nothing(mixed_db, tmp_path):
    app = scripted_app(mixed_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", "ctrl+s")
        assert "the reply is empty" in str(app.screen.query_one("#composer-error").render())
        app.screen.query_one("#reply-text").load_text("x" * 281)
        await pilot.pause()
        assert str(app.screen.query_one("#char-count").render()).startswith("281/280")
        await pilot.press("ctrl+s")
        assert "281 characters; scripted allows 280" in str(app.screen.query_one("#composer-error").render())
        await pilot.press("escape")
        assert not isinstance(app.screen, ComposerScreen)
        await pilot.press("r", *"On it", "ctrl+s", "n")
        await settle(pilot)
        assert "not posted" in notes(app) and posted(tmp_path) == []
        await pilot.press("r", *"On it", "ctrl+s", "enter")  # Enter alone is "Cancel"
        await settle(pilot)
        assert posted(tmp_path) == []


@pytest.mark.parametrize(
    "fault, words, status",
    [("permanent", "the platform says the post was deleted", "failed"), ("transient", "503", "pending")],
)
async def test_a_failed_reply_is_a_notification(mixed_db, tmp_path, monkeypatch, fault, words, status):
    monkeypatch.setenv("SCRIPTED_REPLY_FAULT", fault)
    app = scripted_app(mixed_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", *"On it", "ctrl+s", "y")
        await settle(pilot)
        assert any(words in n for n in notes(app))
        assert app.is_running
    conn = open_store(mixed_db)
    assert conn.execute("SELECT status FROM outbox").fetchone()[0] == status


async def test_u_cancels_a_reply_still_waiting_in_the_outbox(mixed_db, tmp_path, monkeypatch):
    monkeypatch.setenv("SCRIPTED_REPLY_FAULT", "transient")
    app = scripted_app(mixed_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        mid = selected(app)["id"]
        await pilot.press("r", *"On it", "ctrl+s", "y")
        await settle(pilot)
        assert any("not sent yet" in n and "u cancels it" in n for n in notes(app))
        await pilot.press("u")
        await settle(pilot)
        assert f"undone: queued a reply to #{mid}; the reply was cancelled" in notes(app)
    conn = open_store(mixed_db)
    assert conn.execute("SELECT status FROM outbox").fetchone()[0] == "cancelled"
    assert [a for a, _ in events(mixed_db, mid)] == ["reply-queued", "reply-cancelled"]
    assert mention(mixed_db, mid)["replied"] is False


async def test_a_crashing_connector_is_a_notification_not_a_traceback(mixed_db, tmp_path, monkeypatch):
    monkeypatch.setenv("SCRIPTED_REPLY_FAULT", "bug")
    app = scripted_app(mixed_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", *"On it", "ctrl+s", "y")
        await settle(pilot)
        assert any("unexpected RuntimeError from the s connector: connector bug" in n for n in notes(app))
        assert app.is_running
    conn = open_store(mixed_db)
    assert conn.execute("SELECT status FROM outbox").fetchone()[0] == "pending"  # kept, retried after the backoff


async def test_r_where_no_source_can_reply_says_so(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        assert not isinstance(app.screen, ComposerScreen)
        assert any("no configured source can reply on" in n for n in notes(app))
