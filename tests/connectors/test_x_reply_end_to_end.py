"""`commwatch reply` to an X mention, through the outbox and tweepy to the fake X API: one post, whatever fails."""

import json
import signal
import sqlite3
import time

import pytest

from commwatch import config as config_module
from commwatch.app.session import Session
from commwatch_x import XConnector
from fakes.x_server import running

ENV = {
    "X_BEARER_TOKEN": "AAAAbearer-secret-value-0001",
    "X_API_KEY": "consumer-key-value-0002",
    "X_API_SECRET": "consumer-secret-value-0003",
    "X_ACCESS_TOKEN": "2000000-access-token-value-0004",
    "X_ACCESS_TOKEN_SECRET": "access-token-secret-value-0005",
}


@pytest.fixture
def x():
    with running() as fake:
        fake.add_user("acmecloud", me=True, followers=250000)
        yield fake


@pytest.fixture
def synced(cli, workdir, x):
    dana = x.add_user("dana", followers=1200)
    x.add_tweet(dana, "@acmecloud is the dashboard down for everyone?")
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.bx]\nconnector = "x"\nquery = "acme"\napi_base = "{x.url}"\n'
    )
    assert cli("sync", "--quiet", env=ENV).returncode == 0
    [mention] = cli.json("inbox")
    return mention


def our_replies(x):
    return [t for t in x.tweets.values() if t["author_id"] == x.me]


def outbox(workdir):
    return sqlite3.connect(workdir / "inbox.db").execute("SELECT status, attempts FROM outbox").fetchall()


def test_reply_is_posted_once_and_recorded(cli, workdir, x, synced):
    r = cli("reply", str(synced["id"]), "Not for everyone, looking at it now!", "--yes", env=ENV)
    assert r.returncode == 0, r.stderr
    [reply] = our_replies(x)
    assert reply["text"].endswith("Not for everyone, looking at it now!")  # X prefixes "@dana "
    assert reply["referenced_tweets"] == [{"type": "replied_to", "id": synced["remote_id"]}]
    shown = json.loads(cli("show", str(synced["id"]), "--json").stdout)
    assert shown["replied"] is True and shown["history"][-1]["detail"]["reply_id"] == reply["id"]
    assert x.count("POST", "/2/tweets") == 1
    assert not any(secret in r.stdout + r.stderr for secret in ENV.values())


def test_a_503_posts_nothing_and_the_retry_posts_once(cli, workdir, x, synced):
    x.inject("5xx", status=503, method="POST")
    r = cli("reply", str(synced["id"]), "On it", "--yes", env=ENV)
    assert r.returncode != 0 and "will retry" in r.stderr
    assert our_replies(x) == [] and outbox(workdir) == [("pending", 1)]
    db = sqlite3.connect(workdir / "inbox.db")
    db.execute("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z'")
    db.commit()
    assert cli("outbox", "retry", env=ENV).returncode == 0
    assert len(our_replies(x)) == 1 and outbox(workdir) == [("sent", 2)]


def test_an_answer_that_comes_too_late_is_found_not_reposted(workdir, x, synced, monkeypatch):
    monkeypatch.setattr(XConnector, "timeout", (0.3, 0.3))
    cfg = config_module.load(workdir / "commwatch.toml")
    session = Session(cfg, workdir / "inbox.db", env=ENV)
    replier = session.replies
    x.inject("slow", delay=1.0, method="POST")  # X creates the post but answers after our timeout
    first = replier.send(replier.draft(str(synced["id"]), "On it"))
    assert first.status == "pending"
    time.sleep(1.2)
    db = sqlite3.connect(workdir / "inbox.db")
    db.execute("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z'")
    db.commit()
    [second] = session.deliver_due()
    assert second.status == "sent"
    assert len(our_replies(x)) == 1 and x.count("POST", "/2/tweets") == 1


def test_killed_between_the_post_and_the_database_is_reconciled(cli, workdir, x, synced):
    x.inject("slow-answer", delay=30, method="POST")  # created at once, answered after we are killed
    proc = cli.popen("reply", str(synced["id"]), "On it", "--yes", env=ENV)
    deadline = time.time() + 20
    while time.time() < deadline and not our_replies(x):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(our_replies(x)) == 1 and outbox(workdir) == [("sending", 1)]
    assert cli("outbox", "retry", env=ENV).returncode == 0
    assert len(our_replies(x)) == 1 and x.count("POST", "/2/tweets") == 1  # found, not posted again
    assert outbox(workdir) == [("sent", 2)]
    assert json.loads(cli("show", str(synced["id"]), "--json").stdout)["replied"] is True


def test_dry_run_and_hide_from_the_cli(cli, workdir, x, synced):
    r = cli("reply", str(synced["id"]), "--template", "x", "--dry-run", env=ENV)
    assert "no template 'x'" in r.stderr
    r = cli("reply", str(synced["id"]), "Exactly this text", "--dry-run", env=ENV)
    assert "Exactly this text" in r.stdout and "/280 characters" in r.stdout and x.count("POST") == 0
