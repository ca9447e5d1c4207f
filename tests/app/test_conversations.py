"""Conversations: the brand's own posts, what they answered and when, response-time targets, notes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from commwatch.exitcodes import ExitCode
from commwatch.triage.sla import parse_sla
from fakes.x_server import running
from helpers import sql

pytestmark = pytest.mark.both_stores  # every test here runs on SQLite and on PostgreSQL

NOW = datetime.now(timezone.utc).replace(microsecond=0)
USERS = {"7": "dana", "8": "acmecloud", "9": "sam"}


def at(minutes_ago: float) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def post(i: str, author: str, text: str, minutes_ago: float, reply_to: str | None = None, thread: str | None = None):
    item = {"id": i, "text": text, "author_id": author, "created_at": at(minutes_ago), "conversation_id": thread or i}
    if reply_to:
        item["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
    return item


def page(*posts) -> dict:
    users = [{"id": k, "username": v, "name": v.title()} for k, v in USERS.items()]
    return {"data": list(posts), "includes": {"users": users}, "meta": {"result_count": len(posts)}}


def setup(workdir, extra: str = "") -> None:
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[triage]\nbrand_handles = ["x:acmecloud"]\n{extra}'
    )


def load(cli, workdir, *posts, name="p.json"):
    (workdir / name).write_text(json.dumps(page(*posts)))
    r = cli("import", "x", name)
    assert r.returncode == 0, r.stderr
    return r


def by_id(cli, *args) -> dict[str, dict]:
    return {m["remote_id"]: m for m in cli.json("inbox", "--status", "all", *args)}


def events(cli, action: str) -> list:
    return sql(cli, "SELECT m.remote_id, e.detail FROM events e JOIN mentions m ON m.id = e.mention_id "
               "WHERE e.action = ? ORDER BY e.id", (action,))  # fmt: skip


QUESTION = post("100", "7", "@acmecloud is the API down?", 60)
ANSWER = post("101", "8", "@dana looking at it now", 45, reply_to="100", thread="100")


@pytest.mark.parametrize("order", ["question first", "answer first", "both at once"])
def test_an_answer_of_ours_marks_the_mention_replied_whichever_arrives_first(cli, workdir, order):
    setup(workdir)
    if order == "question first":
        load(cli, workdir, QUESTION)
        assert by_id(cli)["100"]["replied"] is False
        load(cli, workdir, ANSWER, name="q.json")
    elif order == "answer first":  # back-fill or import order: the answer is stored before what it answers
        load(cli, workdir, ANSWER)
        load(cli, workdir, QUESTION, name="q.json")
    else:
        load(cli, workdir, QUESTION, ANSWER)
    q = by_id(cli)["100"]
    assert q["replied"] is True and q["first_response_at"] == ANSWER["created_at"].replace(".000", "")
    assert "101" not in by_id(cli) and "101" not in by_id(cli, "--needs-reply")  # ours is never listed
    [(remote_id, detail)] = events(cli, "replied-on-platform")
    assert remote_id == "100" and json.loads(detail)["reply_id"] == "101"
    load(cli, workdir, QUESTION, ANSWER, name="again.json")  # a re-import marks nothing twice
    assert len(events(cli, "replied-on-platform")) == 1


def test_a_reply_further_down_answers_the_chain_and_the_root_but_not_a_sibling(cli, workdir):
    setup(workdir)
    load(cli, workdir,
         post("200", "7", "acme billing is broken", 90),
         post("201", "9", "@dana same here", 80, reply_to="200", thread="200"),
         post("202", "7", "@sam did you get a refund?", 70, reply_to="201", thread="200"),
         post("203", "9", "totally unrelated sibling", 65, reply_to="200", thread="200"),
         post("204", "8", "@dana @sam refunds are on the way", 60, reply_to="202", thread="200"))  # fmt: skip
    m = by_id(cli)
    assert {k for k, v in m.items() if v["replied"]} == {"200", "201", "202"}
    assert not m["203"]["replied"]


def test_a_colleague_answering_on_x_is_seen_through_the_api(cli, workdir):
    """The same flow live: a customer's mention and a colleague's reply from the brand account, via tweepy."""
    with running() as x:
        acme = x.add_user("acmecloud", me=True, followers=250000)
        dana = x.add_user("dana", followers=300)
        question = x.add_tweet(dana, "@acmecloud my acme deploy is stuck")
        (workdir / "commwatch.toml").write_text(
            f'[store]\npath = "inbox.db"\n[sources.bx]\nconnector = "x"\nquery = "acme"\nmentions = "acmecloud"\n'
            f'api_base = "{x.url}"\n'
        )  # no brand_handles: the source's own account is ours
        env = {"X_BEARER_TOKEN": "AAAAbearer-conv-0001"}
        assert cli("sync", "--quiet", env=env).returncode == 0
        assert cli.json("inbox", "--needs-reply")[0]["remote_id"] == question
        reply = x.add_tweet(acme, "@dana acme deploy fixed, sorry!", reply_to=question)
        assert cli("sync", "--quiet", env=env).returncode == 0
        assert cli.json("inbox", "--needs-reply") == []
        [m] = cli.json("inbox", "--status", "all")
        assert m["remote_id"] == question and m["replied"] and m["first_response_at"]
        [(_, detail)] = events(cli, "replied-on-platform")
        assert json.loads(detail)["reply_id"] == reply and json.loads(detail)["author"] == "acmecloud"
        assert [o["remote_id"] for o in cli.json("inbox", "--ours", "--status", "all")] == [reply]


def test_mark_replied_and_notes(cli, workdir):
    setup(workdir)
    load(cli, workdir, QUESTION, post("300", "7", "another question?", 30), ANSWER)
    r = cli("mark-replied", "x:300")
    assert r.returncode == 0 and by_id(cli)["300"]["replied"] and by_id(cli)["300"]["first_response_at"]
    assert cli("mark-replied", "x:101").returncode == ExitCode.ERROR  # one of ours
    assert cli("mark-replied", "x:999").returncode == ExitCode.ERROR
    assert cli("note", "x:300", "called", "her:", "refund", "approved").returncode == 0
    assert cli("note", "x:300", " ").returncode == ExitCode.USAGE
    history = json.loads(cli("show", "x:300", "--json").stdout)["history"]
    assert [(e["action"], e["detail"].get("text")) for e in history][-1] == ("note", "called her: refund approved")
    assert [m["remote_id"] for m in cli.json("inbox", "--status", "all", "--search", "approved")] == ["300"]
    shown = cli("show", "x:300").stdout
    assert "note" in shown and "refund approved" in shown


SLA = '[sla]\nurgent = "30m"\nhigh = "2h"\nmedium = "8h"\nlow = "48h"\n'


def test_every_open_unanswered_mention_has_a_due_time_and_overdue_lists_exactly_the_late(cli, workdir):
    setup(workdir, SLA)
    load(cli, workdir, post("400", "7", "hello there", 60 * 50),  # low: 48h target, 50h old: overdue
         post("401", "7", "hi again", 60), QUESTION, ANSWER)  # fmt: skip
    m = by_id(cli)
    assert m["400"]["priority"]["level"] == m["401"]["priority"]["level"] == "low"  # quiet texts, tiny accounts
    created = datetime.fromisoformat(m["400"]["created_at"].replace("Z", "+00:00"))
    assert m["400"]["sla"] == {"due_at": (created + timedelta(hours=48)).strftime("%Y-%m-%dT%H:%M:%SZ"), "breached": True}
    assert m["401"]["sla"]["breached"] is False
    assert m["100"]["sla"] is None  # answered
    assert [x["remote_id"] for x in cli.json("inbox", "--overdue")] == ["400"]
    table = cli("inbox").stdout
    assert "DUE" in table and "late" in table and "in 46h" in table


def test_an_overdue_mention_is_delivered_to_its_target_once(cli, workdir):
    got = workdir / "late.jsonl"
    setup(workdir, SLA + '[targets.team]\ntype = "command"\n'
                         f'command = ["sh", "-c", "cat >> \'{got}\' && echo >> \'{got}\'"]\n'
                         '[alerts.late]\nmetric = "overdue"\ntarget = "team"\n'
                         '[sources.s]\nconnector = "scripted"\n'
                         f'script = "{workdir / "s.json"}"\n')  # fmt: skip
    (workdir / "s.json").write_text(json.dumps({"streams": {"s": [{"mentions": [
        {"id": "1", "text": "hello", "author": "ann", "at": at(60 * 50)[:19] + "Z"},
        {"id": "2", "text": "hi", "author": "bob", "at": at(5)[:19] + "Z"}]}]}}))  # fmt: skip
    assert cli("sync", "--quiet").returncode == 0
    assert cli("sync", "--quiet").returncode == 0
    [event] = [json.loads(line) for line in got.read_text().splitlines()]
    assert event["event"] == "overdue" and event["mention"]["remote_id"] == "1" and event["due_at"]


@pytest.mark.parametrize(
    "table, key, words",
    [
        ('[sla]\nurgent = "soon"', "sla.urgent", "must be a duration"),
        ('[sla]\nurgnet = "1h"', "sla.urgnet", "unknown key"),
        ('[sla]\nhours = "18:00-09:00"', "sla.hours", "is empty"),
        ('[sla]\nhours = "9-5"', "sla.hours", "a window such as"),
        ('[sla]\ndays = "mon-fry"', "sla.days", "not a day"),
        ('[sla]\ntimezone = "Mars/Olympus"', "sla.timezone", "must be a time zone"),
        ('[targets.t]\ntype = "command"\ncommand = ["true"]\n[alerts.a]\nmetric = "overdue"\ntarget = "t"',
         "alerts.a.metric", "needs an [sla] table"),
    ],
)
def test_sla_config_errors_name_the_key(cli, workdir, table, key, words):
    (workdir / "commwatch.toml").write_text(table + "\n")
    r = cli("inbox")
    assert r.returncode == ExitCode.CONFIG and f"{key}: " in r.stderr and words in r.stderr


def test_business_hours_stop_the_clock_over_a_weekend():
    sla = parse_sla({"high": "2h", "hours": "09:00-17:00", "days": "mon-fri", "timezone": "Europe/Berlin"})
    friday_4pm = datetime(2026, 3, 13, 15, 0, tzinfo=timezone.utc)  # 16:00 in Berlin (UTC+1)
    due = sla.due_at(friday_4pm, "high")
    assert due == datetime(2026, 3, 16, 9, 0, tzinfo=timezone.utc)  # 1h on Friday, 1h from 09:00 Monday Berlin
    assert sla.cutoff(due, "high") == friday_4pm
    saturday = datetime(2026, 3, 14, 12, 0, tzinfo=timezone.utc)
    assert sla.due_at(saturday, "high") == datetime(2026, 3, 16, 10, 0, tzinfo=timezone.utc)  # the clock starts Monday
    assert sla.due_at(saturday, "low") is None  # no target for that level
    dst = parse_sla({"urgent": "1h", "hours": "09:00-17:00", "timezone": "Europe/Berlin"})
    before_change = datetime(2026, 3, 28, 15, 30, tzinfo=timezone.utc)  # 16:30 Saturday, UTC+1
    assert dst.due_at(before_change, "urgent") == datetime(2026, 3, 29, 7, 30, tzinfo=timezone.utc)  # 09:30 UTC+2
