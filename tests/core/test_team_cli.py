"""A command line that fits a team's hands (issue 19): ids never cut, bulk verbs and stdin, validated
values, me and the team, the search language, one time format, steering the outbox, finding every
missing variable before confirming, and the basics (-h, -V, completion, --help within 80 columns)."""

import json
import sqlite3
import subprocess
import sys

import pytest

from commwatch.exitcodes import ExitCode

from helpers import write_script

pytestmark = pytest.mark.both_stores  # every test here runs on SQLite and on PostgreSQL

COMMANDS = ["", "init", "sync", "import", "inbox", "show", "tag", "untag", "assign", "snooze", "close", "reopen",
            "priority", "note", "mark-replied", "escalate", "reply", "moderate", "outbox", "outbox retry",
            "outbox cancel", "rules", "rules test", "rules apply", "alerts", "rejects", "report", "export", "tui",
            "score", "connectors", "doctor", "completion"]  # fmt: skip


def setup(workdir, items: list[dict], extra: str = "") -> None:
    script = write_script(workdir / "s.json", {"s": [{"mentions": items}]})
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.s]\nconnector = "scripted"\nscript = "{script}"\n'
        f'posted = "{workdir / "posted.json"}"\n{extra}'
    )


def item(remote_id: str, text: str, author: str = "ann", at: str = "2026-11-30T10:00:00Z", **extra) -> dict:
    return {"id": remote_id, "text": text, "author": author, "at": at, **extra}


@pytest.fixture
def five(cli, workdir):
    """Five mentions, local ids 1..5, with words to search for."""
    setup(workdir, [
        item("1", "refund please, the invoice is wrong", "ann", "2026-11-30T08:00:00Z"),
        item("2", "chargeback filed, this is spam", "bo", "2026-11-30T09:30:00Z"),
        item("3", "the dashboard is slow today", "cy", "2026-11-30T14:00:00Z"),
        item("4", "love the new dashboard", "ann", "2026-12-01T09:00:00Z"),
        item("5", "refunding takes forever", "dee", "2026-12-01T18:00:00Z"),
    ])  # fmt: skip
    assert cli("sync", "--quiet").returncode == 0
    return cli


def ids(cli, *args) -> list[int]:
    return sorted(m["id"] for m in cli.json("inbox", "--status", "all", "--limit", "0", *args))


# Ids are never cut ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", ["40", "80", "120"])
def test_ids_survive_wide_scripts_at_any_width(cli, workdir, columns):
    texts = ["東京のサーバーが落ちています。返金してください。" * 3, "👩‍👩‍👧‍👦🔥 outage again 🔥" * 4,
             "e\u0301e\u0301e\u0301 combining marks " * 6, "plain ascii text about the dashboard " * 3]  # fmt: skip
    setup(workdir, [item(f"10000{i}", text, f"名前のとても長いユーザー{i}") for i, text in enumerate(texts)])
    cli("sync", "--quiet")
    local = ids(cli)
    out = cli("inbox", "--limit", "200", env={"COLUMNS": columns}).stdout
    rows = out.splitlines()[1:]
    assert sorted(int(row.split()[0]) for row in rows) == local  # every id, whole, first on its line
    assert "…" not in "".join(row.split()[0] for row in rows)


def test_columns_that_say_nothing_give_their_room_to_the_text(five):
    header = five("inbox", env={"COLUMNS": "120"}).stdout.splitlines()[0].split()
    assert "STATUS" not in header and "TAGS" not in header  # every row open, no tags anywhere
    five("close", "1")
    five("tag", "2", "billing")
    header = five("inbox", "--status", "all", env={"COLUMNS": "120"}).stdout.splitlines()[0].split()
    assert "STATUS" in header and "TAGS" in header
    out = five("inbox", env={"COLUMNS": "80"}).stdout
    for text in ("chargeback filed, this is spam", "the dashboard is slow today", "love the new dashboard",
                 "refunding takes forever"):  # fmt: skip
        assert text in out  # short texts are whole at 80 columns


# Bulk verbs and stdin ---------------------------------------------------------------------------------------------------


def test_several_ids_then_values_and_each_says_what_changed(five):
    r = five("tag", "1", "2", "billing", "vip")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("#1 tags: billing vip · open")
    assert r.stdout.splitlines()[1].startswith("#2 tags: billing vip · open")
    again = five("tag", "1", "2", "billing")
    assert all(line.split(" ", 1)[1].startswith("unchanged (tags: billing vip)") for line in again.stdout.splitlines())
    assert five("tag", "3", "--add", "2026").returncode == 0  # a tag that looks like an id goes through --add
    assert five.json("show", "3")["tags"] == ["2026"]
    assert five.json("show", "4")["tags"] == []


def test_tag_with_only_ids_is_a_clear_error_not_a_tag(five):
    r = five("tag", "1", "2")
    assert r.returncode == ExitCode.USAGE and "name at least one tag after the ids" in r.stderr and "--add" in r.stderr
    assert five.json("show", "1")["tags"] == []


def test_ids_from_stdin_as_lines_or_the_inbox_json(five):
    listed = five("inbox", "--search", "dashboard", "--json").stdout
    r = five("close", "-", input=listed)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2
    assert ids(five, "--status", "closed") == [3, 4]
    table = five("inbox", "--search", "refund*").stdout  # the table itself can be piped: header skipped
    r = five("assign", "-", "--to", "ana", input=table)
    assert r.returncode == 0, r.stderr
    assert ids(five, "--assignee", "ana") == [1, 5]


def test_an_unknown_id_fails_alone_and_the_others_are_done(five):
    r = five("close", "1", "999", "2")
    assert r.returncode == ExitCode.ERROR and "999" in r.stderr
    assert ids(five, "--status", "closed") == [1, 2]


def test_every_verb_takes_several_ids(five):
    for args in (["untag", "1", "2", "--remove", "x"], ["assign", "1", "2", "--to", "ana"], ["snooze", "1", "2", "--for", "2h30m"],
                 ["reopen", "1", "2"], ["escalate", "1", "2"], ["note", "1", "2", "-m", "called"],
                 ["mark-replied", "1", "2"], ["priority", "1", "2", "high"], ["close", "1", "2"]):  # fmt: skip
        r = five(*args)
        assert r.returncode == 0, (args, r.stderr)
        assert [line.split()[0] for line in r.stdout.splitlines()] == ["#1", "#2"], args


# Values are checked against what exists ------------------------------------------------------------------------------


@pytest.mark.parametrize("args, named", [
    (["inbox", "--platform", "twitter"], "x"),
    (["inbox", "--source", "nope"], "configured: s"),
    (["inbox", "--status", "pending"], "open"),
    (["inbox", "--sentiment", "angry"], "negative"),
    (["inbox", "--sort", "random"], "priority"),
    (["report", "--platform", "twitter"], "x"),
])  # fmt: skip
def test_unknown_values_are_usage_errors_naming_the_choices(five, args, named):
    r = five(*args)
    assert r.returncode == ExitCode.USAGE and named in r.stderr and "Traceback" not in r.stderr


def test_a_truncated_json_listing_says_so_on_stderr(five):
    r = five("inbox", "--json", "--limit", "2")
    assert len(json.loads(r.stdout)) == 2
    assert "2 of 5 shown" in r.stderr and "--limit 0" in r.stderr
    assert five("inbox", "--json", "--limit", "0").stderr == ""


# me and the team -------------------------------------------------------------------------------------------------------


def test_me_is_the_person_acting_and_the_team_is_enforced(cli, workdir):
    setup(workdir, [item("1", "a"), item("2", "b")], '[team]\nmembers = ["Ana", "bo"]\n')
    cli("sync", "--quiet")
    assert cli("assign", "1", "--to", "me", env={"COMMWATCH_USER": "ana"}).returncode == 0
    assert cli.json("show", "1")["assignee"] == "Ana"  # the team's spelling, whatever case was typed
    r = cli("inbox", "--assignee", "@me", env={"COMMWATCH_USER": "nobody-here"})
    assert r.returncode == ExitCode.USAGE and "'nobody-here' is not in the team" in r.stderr and "COMMWATCH_USER" in r.stderr
    mine = cli.json("inbox", "--assignee", "@me", env={"COMMWATCH_USER": "ANA"})
    assert [m["id"] for m in mine] == [1]
    r = cli("assign", "2", "--to", "zed")
    assert r.returncode == ExitCode.ERROR and "Ana" in r.stderr and "bo" in r.stderr
    assert cli.json("show", "2")["assignee"] is None


# The search language ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("search, expected", [
    ("dashboard", [3, 4]),
    ("refund OR chargeback", [1, 2]),
    ("refund*", [1, 5]),
    ("dashboard -slow", [4]),
    ('"the invoice is wrong"', [1]),
    ("author:ann", [1, 4]),
    ("author:@ann dashboard", [4]),
    ("platform:scripted refund", [1]),
    ('"unbalanced quote', []),
    ("AND OR NOT ( ) * : -", []),
])  # fmt: skip
def test_search_operators(five, search, expected):
    r = five("inbox", "--status", "all", "--search", search, "--json")
    assert r.returncode == 0, r.stderr
    assert sorted(m["id"] for m in json.loads(r.stdout)) == expected


def test_search_by_tag_status_and_assignee(five):
    five("tag", "1", "4", "billing")
    five("assign", "4", "--to", "ana")
    five("close", "1")
    assert ids(five, "--search", "tag:billing") == [1, 4]
    assert ids(five, "--search", "tag:billing status:open") == [4]
    assert ids(five, "--search", "assignee:ana") == [4]


# One time format ---------------------------------------------------------------------------------------------------------


def test_times_are_in_the_display_zone_and_json_is_iso_with_offset(cli, workdir):
    setup(workdir, [item("1", "a", at="2026-11-30T10:00:00Z")], '[display]\ntimezone = "Asia/Tokyo"\n')
    cli("sync", "--quiet")
    assert "2026-11-30 19:00 JST" in cli("show", "1").stdout
    assert cli.json("show", "1")["created_at"] == "2026-11-30T10:00:00Z"


def test_since_and_until_take_times_of_day_in_the_display_zone(five):
    assert ids(five, "--since", "2026-11-30T09:00", "--until", "2026-11-30T15:00") == [2, 3]
    assert ids(five, "--since", "2026-12-01") == [4, 5]
    r = five("inbox", "--since", "yesterday-ish")
    assert r.returncode == ExitCode.USAGE and "--since" in r.stderr


def test_durations_compose(five):
    r = five("snooze", "1", "--for", "1d2h30m")
    assert r.returncode == 0, r.stderr
    r = five("snooze", "1", "2", "--for", "2 hours")
    assert r.returncode == ExitCode.USAGE and r.stderr.count("is not a duration") == 1  # said once, nothing changed
    assert ids(five, "--status", "snoozed") == [1]


def test_sort_orders(five):
    newest = [m["id"] for m in five.json("inbox", "--sort", "newest")]
    assert newest == [5, 4, 3, 2, 1]
    assert [m["id"] for m in five.json("inbox", "--sort", "oldest")] == [1, 2, 3, 4, 5]


# Steering the outbox -------------------------------------------------------------------------------------------------------


def posted(workdir) -> list[dict]:
    path = workdir / "posted.json"
    return json.loads(path.read_text()) if path.exists() else []


def outbox_rows(workdir) -> list[tuple]:
    return sqlite3.connect(workdir / "inbox.db").execute("SELECT id, status FROM outbox ORDER BY id").fetchall()


@pytest.mark.sqlite_only
def test_retry_sends_what_the_backoff_would_still_hold(five, workdir):
    r = five("reply", "1", "On it", "--yes", env={"SCRIPTED_REPLY_FAULT": "transient"})
    assert r.returncode == ExitCode.ERROR and "will retry" in r.stderr
    assert outbox_rows(workdir) == [(1, "pending")]  # its next try is a minute away
    r = five("outbox", "retry")
    assert r.returncode == 0 and r.stdout.strip() == "1: sent"
    assert [p["text"] for p in posted(workdir)] == ["On it"]


@pytest.mark.sqlite_only
def test_failed_replies_are_shown_and_not_re_posted_without_yes(five, workdir):
    five("reply", "1", "Sorry about that", "--yes", env={"SCRIPTED_REPLY_FAULT": "permanent"})
    assert outbox_rows(workdir) == [(1, "failed")]
    r = five("outbox", "retry", "--failed")  # not a terminal: it cannot ask
    assert r.returncode == ExitCode.USAGE and "1 failed replies would be posted" in r.stderr
    assert "reply to #1 via s: Sorry about that" in r.stdout
    assert posted(workdir) == [] and outbox_rows(workdir) == [(1, "failed")]
    assert five("outbox", "retry", "--failed", "--yes").returncode == 0
    assert [p["text"] for p in posted(workdir)] == ["Sorry about that"]


@pytest.mark.sqlite_only
def test_cancel_drops_a_row_for_good(five, workdir):
    five("reply", "1", "Later", "--yes", env={"SCRIPTED_REPLY_FAULT": "transient"})
    r = five("outbox", "cancel", "1")
    assert r.returncode == 0 and r.stdout.strip() == "1: cancelled"
    assert five("outbox", "retry", "--failed", "--yes").stderr.strip() == "nothing to send"
    assert posted(workdir) == [] and outbox_rows(workdir) == [(1, "cancelled")]
    again = five("outbox", "cancel", "1")
    assert again.returncode == ExitCode.ERROR and "not cancelled" in again.stderr
    assert "reply-cancelled" in [e["action"] for e in five.json("show", "1")["history"]]


# Every missing variable before confirming ----------------------------------------------------------------------------------


X_PAGE = {"data": [{"id": "1850000000000000001", "text": "@acmecloud is it down?", "author_id": "42",
                    "created_at": "2026-11-30T10:00:00.000Z", "conversation_id": "1850000000000000001"}],
          "includes": {"users": [{"id": "42", "username": "dana", "name": "Dana"}]},
          "meta": {"result_count": 1, "newest_id": "1850000000000000001", "oldest_id": "1850000000000000001"}}  # fmt: skip


@pytest.mark.sqlite_only
def test_reply_names_every_missing_write_variable_before_asking(cli, workdir):
    (workdir / "commwatch.toml").write_text('[store]\npath = "inbox.db"\n[sources.bx]\nconnector = "x"\nquery = "acme"\n')
    (workdir / "page.json").write_text(json.dumps(X_PAGE))
    assert cli("import", "x", "page.json", "--source", "bx").returncode == 0
    r = cli("reply", "1", "Looking into it", env={"X_BEARER_TOKEN": "only-the-read-key"})
    assert r.returncode == ExitCode.ERROR
    for name in ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET"):
        assert name in r.stderr
    assert "X_BEARER_TOKEN" not in r.stderr and "Post this reply" not in r.stdout
    assert outbox_rows(workdir) == []


# The basics ------------------------------------------------------------------------------------------------------------------


def test_version_help_and_completion(cli):
    from commwatch import __version__

    assert cli("-V").stdout.strip() == f"commwatch {__version__}"
    assert cli("--version").stdout.strip() == f"commwatch {__version__}"
    assert cli("inbox", "-h").stdout.startswith("Usage: commwatch inbox [OPTIONS]")
    for shell, marker in (("bash", "complete -o"), ("zsh", "compdef"), ("fish", "complete --command commwatch")):
        r = cli("completion", shell)
        assert r.returncode == 0 and marker in r.stdout, shell
    assert cli("completion", "tcsh").returncode == ExitCode.USAGE


def test_completion_offers_the_team_for_assign(cli, workdir):
    setup(workdir, [item("1", "a")], '[team]\nmembers = ["ana", "bo", "bea"]\n')
    env = {**cli.env, "_COMMWATCH_COMPLETE": "complete_bash", "COMP_WORDS": "commwatch assign 1 --to b", "COMP_CWORD": "4"}
    r = subprocess.run([sys.executable, "-m", "commwatch.cli.main"], cwd=workdir, env=env, capture_output=True, text=True)
    assert r.stdout.split() == ["bo", "bea"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_fits_in_80_columns(cli, command):
    r = cli(*command.split(), "--help", env={"COLUMNS": "80"})
    assert r.returncode == 0, r.stderr
    too_wide = [line for line in r.stdout.splitlines() if len(line) > 80]
    assert too_wide == []


def test_history_lines_are_sentences_and_an_unknown_action_still_shows():
    from commwatch.app.history import describe, rule_actions

    assert describe("escalation-delivered", {"outbox": 3, "target": "team"}) == "escalation delivered to team"
    assert describe("reply-failed", {"outbox": 3, "error": "gone"}) == "reply could not be sent: gone"
    assert describe("overdue-cancelled", {"outbox": 3}) == "overdue alert cancelled before it was sent"
    assert describe("priority", {"from": "high", "to": "medium", "override": None}) == (
        "priority back to the computed one (medium) (was high)")
    assert describe("future-thing", {"a": 1, "b": None, "c": "x\x1b[2J"}) == "future-thing: a=1, c=x␛[2J"
    assert rule_actions({"tag": ["a", "b"], "close": True, "snooze": "2h"}) == "tag a b, close, snooze for 2h"
