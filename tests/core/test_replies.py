"""Replies go through the outbox exactly once, whatever fails; moderation is recorded."""

import json

import pytest

from commwatch.exitcodes import ExitCode

from helpers import mentions, sql, write_script

pytestmark = pytest.mark.both_stores  # every test here runs on SQLite and on PostgreSQL


@pytest.fixture
def inbox(cli, workdir):
    script = write_script(workdir / "a.json", {"s": [mentions("1:is the API down?", "2:thanks!", "forbidden:spam")]})
    posted = workdir / "posted.json"
    (workdir / "commwatch.toml").write_text(
        '[store]\npath = "inbox.db"\n'
        f'[sources.a]\nconnector = "scripted"\nscript = "{script}"\nposted = "{posted}"\n'
        '[templates.sorry]\ntext = "Hi {author}, sorry! See {url}"\n'
        '[templates.bad]\ntext = "Hi {customer}"\n'
    )
    assert cli("sync", "--quiet").returncode == 0
    return posted


def posted(path):
    return json.loads(path.read_text()) if path.exists() else []


def outbox(cli):
    return sql(cli, "SELECT status, attempts FROM outbox ORDER BY id")


def test_reply_posts_once_and_shows_in_history(cli, workdir, inbox):
    r = cli("reply", "1", "We're on it!", "--yes")
    assert r.returncode == 0, r.stderr
    assert "replied: https://scripted.example/r1" in r.stdout
    assert posted(inbox) == [{"id": "r1", "in_reply_to": "1", "text": "We're on it!"}]
    shown = json.loads(cli("show", "1", "--json").stdout)
    assert shown["replied"] is True
    assert [e["action"] for e in shown["history"]] == ["reply-queued", "reply"]
    assert shown["history"][-1]["detail"]["reply_id"] == "r1"
    assert shown["replies"][0]["text"] == "We're on it!"
    assert sorted(m["remote_id"] for m in cli.json("inbox", "--needs-reply")) == ["2", "forbidden"]


def test_dry_run_shows_exactly_what_would_be_sent_and_sends_nothing(cli, workdir, inbox):
    r = cli("reply", "1", "--template", "sorry", "--dry-run")
    assert r.returncode == 0
    assert "dry run, nothing posted" in r.stdout and "Hi user1, sorry! See" in r.stdout and "/280 characters" in r.stdout
    assert posted(inbox) == [] and outbox(cli) == []


def test_without_a_terminal_it_insists_on_yes(cli, workdir, inbox):
    r = cli("reply", "1", "hello")
    assert r.returncode == ExitCode.USAGE and "--yes" in r.stderr
    assert posted(inbox) == []


@pytest.mark.parametrize(
    "args, words",
    [
        (["reply", "1", "--template", "bad", "--yes"], "unknown variables: customer"),
        (["reply", "1", "--template", "nope", "--yes"], "no template 'nope'"),
        (["reply", "1", "x" * 281, "--yes"], "281 characters; scripted allows 280"),
        (["reply", "1", "  ", "--yes"], "the reply is empty"),
    ],
)
def test_bad_replies_are_refused_before_anything_is_sent(cli, workdir, inbox, args, words):
    r = cli(*args)
    assert r.returncode == ExitCode.ERROR and words in r.stderr
    assert posted(inbox) == [] and outbox(cli) == []


def test_a_transient_failure_is_retried_and_sent_once(cli, workdir, inbox):
    r = cli("reply", "1", "On it", "--yes", env={"SCRIPTED_REPLY_FAULT": "transient"})
    assert r.returncode == ExitCode.ERROR and "503" in r.stderr and "will retry" in r.stderr
    assert outbox(cli) == [("pending", 1)]
    listing = cli.json("outbox")
    assert listing[0]["status"] == "pending" and "503" in listing[0]["last_error"]
    sql(cli, "UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z'")  # the backoff runs out
    assert cli("outbox", "retry").returncode == 0
    assert [p["text"] for p in posted(inbox)] == ["On it"]
    assert outbox(cli) == [("sent", 2)]
    assert cli("outbox", "retry").returncode == 0 and len(posted(inbox)) == 1  # nothing due: nothing sent


def test_killed_after_the_platform_accepted_is_reconciled_not_reposted(cli, workdir, inbox):
    r = cli("reply", "1", "On it", "--yes", env={"SCRIPTED_REPLY_FAULT": "die-after-post"})
    assert r.returncode == 137
    assert len(posted(inbox)) == 1 and outbox(cli) == [("sending", 1)]
    assert cli("outbox", "retry").returncode == 0  # the dead claimer is noticed at once
    assert len(posted(inbox)) == 1  # found, not posted again
    assert outbox(cli) == [("sent", 2)]
    assert json.loads(cli("show", "1", "--json").stdout)["replied"] is True


def test_a_permanent_refusal_fails_without_retrying(cli, workdir, inbox):
    r = cli("reply", "1", "On it", "--yes", env={"SCRIPTED_REPLY_FAULT": "permanent"})
    assert r.returncode == ExitCode.ERROR and "deleted" in r.stderr
    assert outbox(cli) == [("failed", 1)]
    assert cli("outbox", "retry").returncode == 0 and posted(inbox) == []
    r = cli("outbox", "retry", "--failed")  # a failed reply is posted again only when the person says so
    assert r.returncode == ExitCode.USAGE and "add --yes" in r.stderr and "reply to #1" in r.stdout
    assert posted(inbox) == []
    assert cli("outbox", "retry", "--failed", "--yes").returncode == 0  # the cause was fixed
    assert [p["text"] for p in posted(inbox)] == ["On it"]


def test_sync_sends_due_replies(cli, workdir, inbox):
    cli("reply", "2", "Glad you like it", "--yes", env={"SCRIPTED_REPLY_FAULT": "transient"})
    sql(cli, "UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z'")
    assert cli("sync", "--quiet").returncode == 0
    assert [p["text"] for p in posted(inbox)] == ["Glad you like it"]


def test_no_source_that_can_reply(cli, workdir):
    (workdir / "commwatch.toml").write_text('[store]\npath = "inbox.db"\n[sources.demo]\nconnector = "demo"\n')
    cli("sync", "--quiet")
    r = cli("reply", "1", "hi", "--yes")
    assert r.returncode == ExitCode.ERROR and "no configured source can reply on" in r.stderr


def test_moderation_is_recorded_and_refusals_explained(cli, workdir, inbox):
    assert cli("moderate", "2", "hide").returncode == 0
    history = json.loads(cli("show", "2", "--json").stdout)["history"]
    assert history[-1]["action"] == "moderate" and history[-1]["detail"]["action"] == "hide"
    r = cli("moderate", "2", "remove")
    assert r.returncode == ExitCode.ERROR and "actions are: hide, unhide" in r.stderr
    r = cli("moderate", "scripted:forbidden", "hide")
    assert r.returncode == ExitCode.ERROR and "do not own the conversation" in r.stderr


def test_a_reply_for_a_source_removed_from_the_config_fails_and_says_so(cli, workdir, inbox):
    cli("reply", "1", "On it", "--yes", env={"SCRIPTED_REPLY_FAULT": "transient"})
    config = (workdir / "commwatch.toml").read_text().replace("[sources.a]", "[sources.renamed]")
    (workdir / "commwatch.toml").write_text(config)
    sql(cli, "UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z'")
    r = cli("outbox", "retry")
    assert "source 'a' is no longer configured" in r.stdout
    assert outbox(cli) == [("failed", 2)] and posted(inbox) == []
