import pytest

from commwatch import timeutil
from commwatch.app.errors import ActionError, MentionNotFound
from commwatch.app.verbs import Verbs
from commwatch.config import Config, Target
from commwatch.store import manage
from commwatch.store.db import open_store, transaction
from commwatch.store.mentions import save_page

from test_store import NOW, mention

pytestmark = pytest.mark.both_stores  # every test here runs on SQLite and on PostgreSQL


@pytest.fixture
def actions(tmp_path):
    db = open_store(tmp_path / "inbox.db")
    save_page(db, "s", [mention("1"), mention("2")], NOW)
    config = Config(targets={"pr": Target("pr", "slack", {"url_env": "SLACK"})})
    return Verbs(db, config, actor="maria")


def history(actions, mid=1):
    return [(e["actor"], e["action"], e["detail"]) for e in manage.history(actions.conn, mid)]


def test_every_change_is_an_event_with_who_and_what(actions):
    actions.tag("1", ["bug", "billing", "bug"])
    actions.untag("x:1", ["billing", "never-there"])
    actions.assign(1, "sam")
    actions.close("1")
    actions.reopen("1")
    m = actions.escalate("1", "pr", "angry VIP")
    assert m["status"] == "escalated" and m["tags"] == ["bug"] and m["assignee"] == "sam"
    assert history(actions) == [
        ("maria", "tag", {"tags": ["bug", "billing"]}),
        ("maria", "untag", {"tags": ["billing"]}),
        ("maria", "assign", {"from": None, "to": "sam"}),
        ("maria", "close", {"from": "open"}),
        ("maria", "reopen", {"from": "closed"}),
        ("maria", "escalate", {"escalation": 1, "target": "pr", "note": "angry VIP", "from": "open", "outbox": 1}),
    ]
    assert tuple(actions.conn.execute("SELECT target, note, actor FROM escalations").fetchone()) == ("pr", "angry VIP", "maria")


def test_no_op_changes_leave_no_event(actions):
    actions.close("1")
    actions.close("1")
    actions.tag("1", ["a"])
    actions.tag("1", ["a"])
    actions.assign("1", None)
    assert [a for _, a, _ in history(actions)] == ["close", "tag"]


def test_snooze_hides_until_due_then_wakes(actions):
    m = actions.snooze("1", "2h")
    assert m["status"] == "snoozed" and m["snoozed_until"] > timeutil.now_iso()
    assert actions.wake_snoozed() == []
    with transaction(actions.conn):  # time passes
        manage.set_fields(actions.conn, 1, snoozed_until="2000-01-01T00:00:00Z")
    assert actions.wake_snoozed() == [1]
    assert actions.conn.execute("SELECT status FROM mentions WHERE id = 1").fetchone()[0] == "open"
    assert history(actions)[-1] == ("commwatch", "wake", {"reason": "snooze ended"})


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda a: a.tag("99", ["x"]), "no mention '99'"),
        (lambda a: a.tag("youtube:nope", ["x"]), "no mention"),
        (lambda a: a.tag("1", ["two words"]), "is not a tag"),
        (lambda a: a.snooze("1", "soon"), "not a duration"),
        (lambda a: a.escalate("1", "legal"), "targets: pr"),
    ],
)
def test_bad_requests_are_one_sentence_errors(actions, call, message):
    with pytest.raises(ActionError, match=message):
        call(actions)
    assert history(actions) == []


def test_not_found_is_its_own_error(actions):
    with pytest.raises(MentionNotFound):
        actions.close("12345")
