"""Escalations reach real receivers on 127.0.0.1 exactly once, whatever fails; secrets never show."""

import json
import sqlite3
import subprocess
import sys

import pytest

from commwatch.notify.targets import signature

from helpers import mentions, write_script
from receiver import Receiver

SECRET = "hmac-s3cret-value"
HOOK_ENV = "TEST_HOOK_URL"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def setup(workdir, targets: str, rules: str = "") -> None:
    script = write_script(workdir / "a.json", {"s": [mentions("1:we will file a lawsuit over this outage", "2:love it")]})
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.a]\nconnector = "scripted"\nscript = "{script}"\n{targets}\n{rules}'
    )


def outbox_rows(workdir):
    return sqlite3.connect(workdir / "inbox.db").execute("SELECT kind, status, attempts FROM outbox ORDER BY id").fetchall()


def due_now(workdir):
    db = sqlite3.connect(workdir / "inbox.db")
    db.execute("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z' WHERE status = 'pending'")
    db.commit()


WEBHOOK = f'[targets.ops]\ntype = "webhook"\nurl_env = "{HOOK_ENV}"\nsecret_env = "HOOK_SECRET"\n'


def test_webhook_delivery_is_signed_and_complete(cli, workdir, receiver):
    setup(workdir, WEBHOOK)
    cli("sync", "--quiet")
    r = cli("escalate", "1", "--to", "ops", "--note", "legal threat", env={HOOK_ENV: receiver.url + "/hook", "HOOK_SECRET": SECRET})
    assert r.returncode == 0, r.stderr
    [hit] = receiver.received
    assert hit["path"] == "/hook"
    assert hit["headers"]["X-Commwatch-Signature"] == signature(SECRET, hit["body"])
    assert hit["headers"]["X-Commwatch-Event"] == "escalation"
    body = json.loads(hit["body"])
    assert body["mention"]["text"] == "we will file a lawsuit over this outage"
    assert body["escalation"]["note"] == "legal threat" and body["delivery_id"] == 1
    assert set(body["mention"]) >= {"author", "url", "sentiment", "priority"}
    history = [e["action"] for e in json.loads(cli("show", "1", "--json").stdout)["history"]]
    assert history == ["escalate", "escalation-delivered"]


@pytest.mark.parametrize("faults", [["500"], ["drop"], ["500", "drop", "500"]])
def test_failures_are_retried_and_delivered_exactly_once(cli, workdir, receiver, faults):
    setup(workdir, WEBHOOK)
    cli("sync", "--quiet")
    env = {HOOK_ENV: receiver.url, "HOOK_SECRET": SECRET}
    receiver.faults = list(faults)
    r = cli("escalate", "1", "--to", "ops", env=env)
    assert r.returncode == 0 and "will retry" in r.stderr
    for _ in range(len(faults) + 2):
        due_now(workdir)
        cli("outbox", "retry", env=env)
    assert len(receiver.received) == 1
    assert outbox_rows(workdir) == [("escalation", "sent", len(faults) + 1)]


def test_a_slow_receiver_times_out_and_is_retried(cli, workdir, receiver, monkeypatch):
    from commwatch.notify import targets

    monkeypatch.setattr(targets, "TIMEOUT_S", 0.5)
    receiver.slow_s = 2
    receiver.faults = ["slow"]
    from commwatch import config as config_module
    from commwatch.app.session import Session
    from commwatch.app.sync import run_sync

    setup(workdir, WEBHOOK)
    cfg = config_module.load(workdir / "commwatch.toml")
    env = {HOOK_ENV: receiver.url, "HOOK_SECRET": SECRET}
    session = Session(cfg, workdir / "inbox.db", env=env, background=lambda job: None)  # deliver by hand below
    run_sync(session.conn, cfg)
    session.verbs.escalate("1", "ops")
    [first] = session.deliver_due()
    assert first.status == "pending" and "did not answer within" in first.message
    due_now(workdir)
    [second] = session.deliver_due()
    assert second.status == "sent"
    assert len(receiver.received) == 1  # the slow one answered after we gave up: it was not recorded as received


def test_killed_between_commit_and_delivery_delivers_once_later(cli, workdir, receiver):
    setup(workdir, WEBHOOK)
    cli("sync", "--quiet")
    # escalate without a reachable target variable in this process: committed, delivery fails for now
    code = (
        "import os, sys; sys.argv = ['commwatch', 'escalate', '1', '--to', 'ops'];"
        "import commwatch.app.session as s; s.Session.deliver_due = lambda *a, **k: os._exit(9);"
        "from commwatch.cli.main import run; run()"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=workdir, env=cli.env, capture_output=True, text=True)
    assert r.returncode == 9  # died after the commit, before any delivery
    assert outbox_rows(workdir) == [("escalation", "pending", 0)] and receiver.received == []
    cli("outbox", "retry", env={HOOK_ENV: receiver.url, "HOOK_SECRET": SECRET})
    cli("outbox", "retry", env={HOOK_ENV: receiver.url, "HOOK_SECRET": SECRET})
    assert len(receiver.received) == 1 and outbox_rows(workdir) == [("escalation", "sent", 1)]


def test_slack_message_has_the_facts_and_escapes_mention_text(cli, workdir, receiver):
    setup(workdir, '[targets.pr]\ntype = "slack"\nurl_env = "SLACK_URL"\n')
    write_script(workdir / "a.json", {"s": [mentions("1:<!channel> click <http://evil|here> & refund now")]})
    cli("sync", "--quiet")
    assert cli("escalate", "1", "--to", "pr", "--note", "VIP", env={"SLACK_URL": receiver.url}).returncode == 0
    body = json.loads(receiver.received[0]["body"])
    text = " ".join(b["text"]["text"] for b in body["blocks"])
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text and "&amp; refund" in text
    assert "VIP" in body["text"] and "priority" in text and "sentiment" in text


def test_a_refusing_target_fails_for_good_and_secrets_stay_out(cli, workdir, receiver):
    setup(workdir, WEBHOOK)
    cli("sync", "--quiet")
    receiver.faults = ["404"]
    secret_url = receiver.url + "/T000/SECRET-TOKEN-PATH"
    r = cli("escalate", "1", "--to", "ops", env={HOOK_ENV: secret_url, "HOOK_SECRET": SECRET})
    assert "refused it: HTTP 404" in r.stderr
    assert outbox_rows(workdir) == [("escalation", "failed", 1)]
    everything = r.stdout + r.stderr + cli("outbox", "--all").stdout + cli("outbox", "--json", "--all").stdout
    everything += cli("show", "1", "--json").stdout
    dump = "\n".join(sqlite3.connect(workdir / "inbox.db").iterdump())
    for secret in ("SECRET-TOKEN-PATH", SECRET):
        assert secret not in everything and secret not in dump


def test_a_target_whose_variable_is_unset_waits_untried_then_goes_once_set(cli, workdir, receiver):
    setup(workdir, WEBHOOK)
    cli("sync", "--quiet")
    r = cli("escalate", "1", "--to", "ops")
    assert f"escalation 1 waiting: target ops: set {HOOK_ENV}" in r.stderr
    assert outbox_rows(workdir) == [("escalation", "pending", 0)] and receiver.received == []  # nothing attempted
    assert cli("outbox", "retry", env={HOOK_ENV: receiver.url, "HOOK_SECRET": SECRET}).returncode == 0
    assert outbox_rows(workdir) == [("escalation", "sent", 1)] and len(receiver.received) == 1


def test_command_target_gets_the_event_on_stdin(cli, workdir):
    out = workdir / "got.json"
    prog = f"import sys, pathlib; pathlib.Path({str(out)!r}).write_text(sys.stdin.read())"
    setup(workdir, f'[targets.run]\ntype = "command"\ncommand = ["{sys.executable}", "-c", "{prog}"]\ntimeout = 20\n')
    cli("sync", "--quiet")
    assert cli("escalate", "1", "--to", "run").returncode == 0
    event = json.loads(out.read_text())
    assert event["event"] == "escalation" and event["mention"]["remote_id"] == "1"


def test_command_target_that_fails_or_hangs_is_retried(cli, workdir):
    setup(workdir, f'[targets.run]\ntype = "command"\ncommand = ["{sys.executable}", "-c", "import time; time.sleep(5)"]\ntimeout = 0.5\n')
    cli("sync", "--quiet")
    r = cli("escalate", "1", "--to", "run")
    assert "did not finish within" in r.stderr and outbox_rows(workdir) == [("escalation", "pending", 1)]


def test_rules_escalate_during_sync_and_deliver(cli, workdir, receiver):
    rules = '[[rules]]\nname = "legal"\nmatch = { keywords_any = ["lawsuit"] }\nactions = { tag = ["legal"], escalate = "ops" }\n'
    setup(workdir, WEBHOOK, rules)
    r = cli("sync", "--json", env={HOOK_ENV: receiver.url, "HOOK_SECRET": SECRET})
    summary = json.loads(r.stdout)
    assert summary["escalated"] == 1
    assert len(receiver.received) == 1
    shown = json.loads(cli("show", "1", "--json").stdout)
    assert shown["status"] == "escalated" and shown["tags"] == ["legal"]
    assert [(e["actor"], e["action"]) for e in shown["history"]] == [
        ("rule:legal", "tag"), ("rule:legal", "escalate"), ("commwatch", "escalation-delivered")]
    cli("sync", "--quiet", env={HOOK_ENV: receiver.url, "HOOK_SECRET": SECRET})
    assert cli("rules", "apply", "--status", "all", env={HOOK_ENV: receiver.url, "HOOK_SECRET": SECRET}).returncode == 0
    assert len(receiver.received) == 1  # re-running the rules escalates nothing twice
