"""What SQLite's single writer gave for free, kept on PostgreSQL with several processes and machines:
one sync at a time (a killed one frees the lock), true histories when managers act at once, each
outbox row sent once, and a terminal that hears what another wrote."""

from __future__ import annotations

import json
import signal
import threading
import time

import psycopg
import pytest

from commwatch.app.session import Session
from commwatch.config import Config
from commwatch.exitcodes import ExitCode

from helpers import CLI, mentions, write_script


def _setup(workdir, url, steps):
    script = write_script(workdir / "a.json", {"s": steps})
    (workdir / "commwatch.toml").write_text(f'[sources.a]\nconnector = "scripted"\nscript = "{script}"\n'
                                            '[targets.team]\ntype = "command"\ncommand = ["true"]\n')  # fmt: skip
    cli = CLI(workdir)
    cli.env["COMMWATCH_DB"] = url
    return cli


def _running(url) -> bool:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM sync_runs WHERE status = 'running'").fetchone()[0] > 0


def test_one_sync_at_a_time_and_a_killed_one_frees_the_lock(workdir, pg_url):
    cli = _setup(workdir, pg_url, [mentions("1"), {"sleep": 60}, mentions("2")])
    assert cli("inbox", "--json").returncode == 0  # the schema exists before two processes race for it
    first = cli.popen("sync", "--quiet")
    try:
        deadline = time.time() + 30
        while not _running(pg_url) and time.time() < deadline:
            time.sleep(0.1)
        started = time.time()
        second = cli("sync", "--quiet")
        assert second.returncode == ExitCode.LOCKED and second.stdout == second.stderr == ""
        assert time.time() - started < 10
        loud = cli("sync")
        assert loud.returncode == ExitCode.LOCKED and "another commwatch sync is running" in loud.stderr
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # The server ends the killed process's session, and its lock with it: the next sync runs, and resumes.
    _setup(workdir, pg_url, [mentions("1"), {"sleep": 0}, mentions("2")])
    third = cli("sync", "--quiet")
    assert third.returncode == 0, third.stderr
    assert sorted(m["remote_id"] for m in cli.json("inbox")) == ["1", "2"]


def test_managers_acting_at_once_leave_a_true_history(workdir, pg_url):
    cli = _setup(workdir, pg_url, [mentions("1")])
    assert cli("sync", "--quiet").returncode == 0
    errors: list[BaseException] = []

    def manager(name: str, rounds: int) -> None:
        session = Session(Config(), pg_url, actor=name)
        try:
            for i in range(rounds):
                session.verbs.assign("scripted:1", f"{name}-{i % 2}")
                session.verbs.tag("scripted:1", ["billing"])
                session.verbs.untag("scripted:1", ["billing"]) if i % 3 == 2 else None
        except BaseException as exc:  # noqa: BLE001 — reported below, with the others
            errors.append(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=manager, args=(name, 12)) for name in ("ann", "bo", "cy")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    history = cli.json("show", "scripted:1")["history"]
    assigns = [e["detail"] for e in history if e["action"] in ("assign", "unassign")]
    # Each change starts where the one before it ended: nobody acted on a value already gone.
    assert all(later["from"] == earlier["to"] for earlier, later in zip(assigns, assigns[1:]))
    assert assigns and assigns[0]["from"] is None
    tagged = [e["action"] for e in history if e["action"] in ("tag", "untag")]
    assert all(a != b for a, b in zip(tagged, tagged[1:]))  # never tagged twice, nor untagged twice, in a row


def test_each_outbox_row_is_sent_once_by_concurrent_workers(workdir, pg_url):
    cli = _setup(workdir, pg_url, [mentions(*[str(i) for i in range(12)])])
    assert cli("sync", "--quiet").returncode == 0
    sent = workdir / "sent"  # one file per delivery: appends from four processes would interleave
    sent.mkdir()
    (workdir / "commwatch.toml").write_text((workdir / "commwatch.toml").read_text().replace(
        'command = ["true"]', f'command = ["sh", "-c", "cat > $(mktemp -p {sent})"]'))  # fmt: skip
    queue = Session(Config(), pg_url, actor="ann")
    ids = [queue.verbs.resolve(f"scripted:{i}") for i in range(12)]
    with psycopg.connect(pg_url, autocommit=True) as conn:  # queued, not yet delivered
        for mention_id in ids:
            escalation = conn.execute("INSERT INTO escalations (mention_id, at, actor, target) VALUES "
                                      "(%s, '2026-01-01T00:00:00Z', 'ann', 'team') RETURNING id", (mention_id,))
            conn.execute("INSERT INTO outbox (kind, mention_id, source, payload, status, attempts, next_attempt_at, "
                         "actor, created_at) VALUES ('escalation', %s, 'team', %s, 'pending', 0, "
                         "'2026-01-01T00:00:00Z', 'ann', '2026-01-01T00:00:00Z')",
                         (mention_id, f'{{"escalation": {escalation.fetchone()[0]}}}'))  # fmt: skip
    queue.close()
    workers = [cli.popen("outbox", "retry") for _ in range(4)]
    for w in workers:
        w.wait(timeout=120)
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT status, attempts FROM outbox ORDER BY id").fetchall()
    assert len(rows) == 12 and all(status == "sent" and attempts == 1 for status, attempts in rows), rows
    delivered = [json.loads(p.read_text())["delivery_id"] for p in sent.iterdir()]
    assert len(delivered) == len(set(delivered)) == 12


def test_a_terminal_hears_what_another_wrote(workdir, pg_url):
    cli = _setup(workdir, pg_url, [mentions("1", "2")])
    assert cli("sync", "--quiet").returncode == 0
    terminal = Session(Config(), pg_url, actor="ann")
    try:
        assert terminal.poll() == (False, 0)
        terminal.verbs.tag("scripted:1", ["mine"])  # its own change is not news to it
        assert terminal.poll() == (False, 0)
        assert cli("tag", "scripted:2", "billing").returncode == 0
        assert terminal.poll()[0] is True
        assert terminal.poll() == (False, 0)
        _setup(workdir, pg_url, [mentions("1", "2"), mentions("3", "4", "5")])
        assert cli("sync", "--quiet").returncode == 0
        assert terminal.poll() == (True, 3)
    finally:
        terminal.close()


@pytest.mark.parametrize("url, words", [
    ("postgresql://ann:hunter2@127.0.0.1:1/x", "must not carry its password"),
    ("postgresql://127.0.0.1:1/x?connect_timeout=1", "cannot connect to the PostgreSQL database"),
])  # fmt: skip
def test_a_bad_url_is_one_line_and_no_secret(cli, url, words):
    result = cli("--db", url, "inbox")
    assert result.returncode != 0 and words in result.stderr
    assert "hunter2" not in result.stderr + result.stdout and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
