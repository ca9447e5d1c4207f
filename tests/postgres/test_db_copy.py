"""`db copy` moves a whole store between SQLite and PostgreSQL, ids and all; `db info` describes one.

The same inbox read through the CLI must look the same after a copy: every listing and every
mention in full (ids included: they are copied, so no translation is needed). The tests that
need PostgreSQL take `pg_url` (skipped without a server); the SQLite-only ones run everywhere.
"""

from __future__ import annotations

import pytest

from commwatch.exitcodes import ExitCode

from helpers import mentions, write_script

PAGE_1 = mentions("1:is the API down? refund please", "2:thanks, café works", "3:status.acme.io says all good",
                  "4:the deploy failed again", "5:love the new dashboard")  # fmt: skip
PAGE_2 = mentions("6:still down for me", "7:any news on the outage?")
VOLATILE = {"age", "now"}  # said relative to the moment a command runs


@pytest.fixture
def inbox(cli, workdir):
    """A SQLite inbox (inbox.db) with mentions, tags, a note, an assignee, a closed mention, an
    escalation through a target and a reply through the outbox: a row in every busy table."""
    script = write_script(workdir / "a.json", {"s": [PAGE_1]})
    (workdir / "commwatch.toml").write_text(
        '[store]\npath = "inbox.db"\n'
        f'[sources.a]\nconnector = "scripted"\nscript = "{script}"\nposted = "{workdir / "posted.json"}"\n'
        '[targets.team]\ntype = "command"\ncommand = ["sh", "-c", "cat >> escalations.jsonl"]\n'
    )
    assert cli("sync", "--quiet").returncode == 0
    for args in (["tag", "1", "2", "billing", "vip"], ["note", "1", "called them back"], ["assign", "2", "maria"],
                 ["close", "3"], ["escalate", "4", "--to", "team", "--note", "look"], ["reply", "1", "On it", "--yes"],
                 ["priority", "5", "urgent"], ["label", "2", "negative"]):  # fmt: skip
        done = cli(*args)
        assert done.returncode == 0, f"{args}: {done.stderr}"
    return workdir / "inbox.db"


def add_page(workdir, cli, db=None):
    """A second page in the script, synced into the store at db (default: the configured one)."""
    write_script(workdir / "a.json", {"s": [PAGE_1, PAGE_2]})
    done = cli("sync", "--quiet", env={"COMMWATCH_DB": str(db)} if db else None)
    assert done.returncode == 0, done.stderr


def _steady(value):
    if isinstance(value, dict):
        return {k: _steady(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_steady(v) for v in value]
    return value


def seen(cli, db) -> dict:
    """What a manager sees of the store at db: the whole inbox, and every mention in full."""
    env = {"COMMWATCH_DB": str(db)}
    listing = cli.json("inbox", "--status", "all", "--limit", "0", env=env)
    shown = {m["id"]: cli.json("show", str(m["id"]), env=env) for m in listing}
    assert listing and all(shown.values())
    return _steady({"inbox": listing, "show": shown})


def info(cli, db) -> dict:
    return cli.json("db", "info", env={"COMMWATCH_DB": str(db)})


def copy(cli, *args):
    return cli("db", "copy", *map(str, args))


# SQLite only: runs without a PostgreSQL server ----------------------------------------------------------------------


def test_sqlite_to_sqlite_keeps_every_row_and_id(cli, workdir, inbox):
    target = workdir / "copy" / "inbox.db"
    done = copy(cli, inbox, target)
    assert done.returncode == 0, done.stderr
    assert "mentions: 5 rows copied" in done.stderr and "notes: 1 row copied" in done.stderr
    assert done.stdout.startswith("copied ") and "from " in done.stdout and "Traceback" not in done.stderr
    assert seen(cli, target) == seen(cli, inbox)
    before, after = info(cli, inbox), info(cli, target)
    assert after["engine"] == "sqlite" and after["location"] == str(target.resolve())
    assert after["tables"] == before["tables"] and after["schema_version"] == before["schema_version"] == 12
    assert after["tables"]["mentions"] == 5 and after["tables"]["outbox"] == 2 and after["tables"]["escalations"] == 1
    assert after["oldest_mention"] == before["oldest_mention"] and after["size_bytes"] > 0
    # Search reads the copy's full-text index, which its triggers built as the rows went in.
    env = {"COMMWATCH_DB": str(target)}
    assert [m["remote_id"] for m in cli.json("inbox", "--search", "refund", "--status", "all", env=env)] == ["1"]
    assert [m["remote_id"] for m in cli.json("inbox", "--search", "cafe", "--status", "all", env=env)] == ["2"]


def test_resume_copies_only_the_new_rows_and_a_second_copy_is_refused(cli, workdir, inbox):
    target = workdir / "copy.db"
    assert copy(cli, inbox, target).returncode == 0
    add_page(workdir, cli)
    assert cli("note", "6", "new one").returncode == 0
    refused = copy(cli, inbox, target)
    assert refused.returncode == ExitCode.USAGE
    assert "already holds 5 mentions" in refused.stderr and "--resume" in refused.stderr
    done = copy(cli, inbox, target, "--resume")
    assert done.returncode == 0, done.stderr
    assert "mentions: 2 rows copied (those up to id 5 were there already)" in done.stderr
    assert "notes: 1 row copied" in done.stderr
    assert seen(cli, target) == seen(cli, inbox)


def test_an_interrupted_copy_keeps_its_batches_and_resume_finishes_it(cli, workdir, inbox):
    from commwatch.app import dbtools

    target = workdir / "copy.db"

    def stop(table, done):
        if table.table == "mentions" and table.copied == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        dbtools.copy(inbox, target, on_progress=stop, batch=2)
    assert info(cli, target)["tables"]["mentions"] == 2  # the first batch, committed
    done = copy(cli, inbox, target, "--resume")
    assert done.returncode == 0, done.stderr
    assert "mentions: 3 rows copied (those up to id 2 were there already)" in done.stderr
    assert seen(cli, target) == seen(cli, inbox)


def test_refusals_are_one_sentence(cli, workdir, inbox):
    missing = copy(cli, workdir / "nope.db", workdir / "x.db")
    assert missing.returncode == ExitCode.USAGE and "nope.db does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr and not (workdir / "nope.db").exists()
    (workdir / "notes.txt").write_text("not a database")
    junk = copy(cli, workdir / "notes.txt", workdir / "x.db")
    assert junk.returncode in (ExitCode.USAGE, ExitCode.ERROR) and "Traceback" not in junk.stderr
    same = copy(cli, inbox, inbox)
    assert same.returncode == ExitCode.USAGE and "same database" in same.stderr
    quiet = copy(cli, inbox, workdir / "q.db", "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    absent = cli("db", "info", env={"COMMWATCH_DB": str(workdir / "absent.db")})
    assert absent.returncode == ExitCode.ERROR and "does not exist yet" in absent.stderr
    assert not (workdir / "absent.db").exists()


def test_info_in_words(cli, inbox):
    done = cli("db", "info")
    assert done.returncode == 0, done.stderr
    assert "SQLite" in done.stdout and "version 12" in done.stdout and str(inbox.resolve()) in done.stdout
    assert any(line.split() == ["mentions", "5"] for line in done.stdout.splitlines())


# PostgreSQL --------------------------------------------------------------------------------------------------------


def test_sqlite_to_postgres_and_back(cli, workdir, inbox, pg_url):
    done = copy(cli, inbox, pg_url)
    assert done.returncode == 0, done.stderr
    assert "mentions: 5 rows copied" in done.stderr
    assert seen(cli, pg_url) == seen(cli, inbox)

    facts, before = info(cli, pg_url), info(cli, inbox)
    assert facts["engine"] == "postgresql" and facts["location"] == pg_url and facts["schema_version"] == 12
    assert facts["tables"] == before["tables"] and facts["size_bytes"] > 0 and facts["schema"].startswith("t_")
    assert (facts["oldest_mention"], facts["newest_mention"]) == (before["oldest_mention"], before["newest_mention"])
    env = {"COMMWATCH_DB": pg_url}
    assert [m["remote_id"] for m in cli.json("inbox", "--search", "cafe", "--status", "all", env=env)] == ["2"]

    # The identity sequences were moved past the copied ids: new rows get fresh ones.
    for args in (["note", "2", "on PostgreSQL now"], ["tag", "3", "moved"], ["escalate", "5", "--to", "team"]):
        assert cli(*args, env=env).returncode == 0, args
    add_page(workdir, cli, pg_url)
    listing = cli.json("inbox", "--status", "all", "--limit", "0", env=env)
    assert {m["remote_id"] for m in listing if m["id"] > 5} == {"6", "7"}

    back = workdir / "back.db"
    done = copy(cli, pg_url, back)
    assert done.returncode == 0, done.stderr
    assert "mentions: 7 rows copied" in done.stderr
    assert seen(cli, back) == seen(cli, pg_url)
    assert info(cli, back)["tables"] == info(cli, pg_url)["tables"]


def test_resume_into_postgres(cli, workdir, inbox, pg_url):
    from commwatch.app import dbtools

    def stop(table, done):
        if table.table == "mention_tags" and table.copied == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        dbtools.copy(inbox, pg_url, on_progress=stop, batch=2)
    refused = copy(cli, inbox, pg_url)
    assert refused.returncode == ExitCode.USAGE and "already holds 5 mentions" in refused.stderr
    add_page(workdir, cli)
    done = copy(cli, inbox, pg_url, "--resume")
    assert done.returncode == 0, done.stderr
    assert "mentions: 2 rows copied (those up to id 5 were there already)" in done.stderr
    assert "mention_tags: 2 rows copied" in done.stderr  # of 4: the first batch was there
    assert seen(cli, pg_url) == seen(cli, inbox)
    assert cli("note", "7", "fresh id", env={"COMMWATCH_DB": pg_url}).returncode == 0


def test_a_postgres_source_without_a_store_is_refused(cli, workdir, pg_url):
    done = copy(cli, pg_url, workdir / "x.db")
    assert done.returncode == ExitCode.USAGE and "holds no commwatch store" in done.stderr
    assert "Traceback" not in done.stderr and not (workdir / "x.db").exists()
    import psycopg  # the schema was left as it was: no commwatch tables were made in it

    with psycopg.connect(pg_url) as conn:
        made = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")
        assert made.fetchone()[0] == 0
