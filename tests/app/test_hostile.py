"""Nothing a platform, a file or the surroundings send can stop commwatch, and every failure is one line.

Each case runs the real `commwatch` in a subprocess. CASES is the hostile-input
table for `commwatch import`: what is in the file, how many mentions must be kept,
how many items set aside, and a phrase the one-line message must hold.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from commwatch.exitcodes import ExitCode
from fakes.x_server import running
from helpers import sql

pytestmark = pytest.mark.both_stores  # every test here runs on SQLite and on PostgreSQL

BEARER = "AAAAbearer-hostile-0001"


def tweet(i: int | str, text: str = "acme works fine", **fields) -> dict:
    return {"id": str(i), "text": text, "author_id": "7", "created_at": "2026-01-15T10:00:00.000Z", **fields}


def page(*tweets: dict, followers=5) -> dict:
    return {"data": list(tweets), "meta": {"result_count": len(tweets)},
            "includes": {"users": [{"id": "7", "username": "dana", "name": "Dana",
                                    "public_metrics": {"followers_count": followers}}]}}  # fmt: skip


GOOD = [page(tweet(1), tweet(2)), page(tweet(3))]  # three good mentions, two lines


def jsonl(*payloads) -> bytes:
    return b"".join((p if isinstance(p, bytes) else json.dumps(p).encode()) + b"\n" for p in payloads)


def around(bad: bytes | dict) -> bytes:
    """A good line, the hostile one, a good line."""
    return jsonl(GOOD[0], bad, GOOD[1])


# (case, file bytes, mentions kept, items set aside, a phrase of the message)
CASES = [
    ("nested 100,000 deep", around(b"[" * 100_000 + b"]" * 100_000), 3, 0, "nested too deeply"),
    ("an integer of 5,000 digits", around(b'{"data": [], "n": ' + b"9" * 5000 + b"}"), 3, 0, "not usable JSON"),
    ("like_count 10^400", around(page(tweet(9, public_metrics={"like_count": 10**400}))), 4, 0, ""),
    ("followers_count 1e400", around(json.dumps(page(tweet(9), followers=1e400)).encode()), 4, 0, ""),
    ("followers_count Infinity", around(json.dumps(page(tweet(9), followers=float("inf"))).encode()), 4, 0, ""),
    ("followers_count 2^64", around(page(tweet(9), followers=2**64)), 4, 0, ""),
    ("created_at 1e300", around(page(tweet(9, created_at=1e300))), 4, 0, ""),
    ("created_at in the year 9999", around(page(tweet(9, created_at="9999-12-31T00:00:00.000Z"))), 4, 0, ""),
    ("a lone surrogate in the text", around(page(tweet(9, "broken emoji \ud83d"))), 4, 0, ""),
    ("a NUL in the text", around(page(tweet(9, "nul\x00here"))), 4, 0, ""),
    ("invalid UTF-8", around(b'{"data": [{"id": "9", "text": "caf\xe9"}]}'), 3, 0, "not valid UTF-8"),
    ("not JSON", around(b"{not json"), 3, 0, "not valid JSON"),
    ("JSON but not X", around({"title": "not X"}), 3, 0, "not a x API response"),
    ("an id that is an object", around(page(tweet(9) | {"id": {"a": 1}})), 3, 1, "the post's id is an object"),
    ("an id that is a list", around(page(tweet(9) | {"id": [1]})), 3, 1, "the post's id is a list"),
    ("an id that is a boolean", around(page(tweet(9) | {"id": True})), 3, 1, "the post's id is a boolean"),
    ("an item without text", around(page({"id": "9", "author_id": "7"})), 3, 1, "has missing for text"),
    ("text that is a number", around(page(tweet(9) | {"text": 42})), 3, 1, "a number for text"),
    ("an item that is a string", around(page("1850000800000000000")), 3, 1, "a post is a JSON object"),
    ("an item that is null", around(page(None)), 3, 1, "a post is a JSON object"),
    ("data that is an object of junk", around({"data": {"x": 1}, "meta": {}}), 3, 1, "id is missing"),
    ("a 1 MB text", around(page(tweet(9, "x" * 1_000_000))), 4, 0, ""),
    ("an empty line and spaces", jsonl(GOOD[0]) + b"\n   \n" + jsonl(GOOD[1]), 3, 0, None),
    ("a UTF-8 BOM", b"\xef\xbb\xbf" + jsonl(*GOOD), 3, 0, None),
    ("UTF-16 with a BOM", jsonl(*GOOD).decode().encode("utf-16"), 3, 0, None),
    ("UTF-16-LE without a BOM", jsonl(*GOOD).decode().encode("utf-16-le"), 3, 0, None),
    ("UTF-16-BE without a BOM", jsonl(*GOOD).decode().encode("utf-16-be"), 3, 0, None),
    ("UTF-32 with a BOM", jsonl(*GOOD).decode().encode("utf-32"), 3, 0, None),
    ("CRLF line ends", jsonl(*GOOD).replace(b"\n", b"\r\n"), 3, 0, None),
    ("pretty-printed JSON", json.dumps(GOOD[0], indent=2).encode(), 2, 0, None),
    ("the same item twice", jsonl(GOOD[0], GOOD[0], GOOD[1]), 3, 0, None),
    ("a huge remote id", around(page(tweet("9" * 30))), 3, 1, "id is"),
    ("control characters everywhere", around(page(tweet(9, "\x1b]52;c;eA==\x07\x1b[2J\u202e"))), 4, 0, ""),
    ("an empty file", b"", 0, 0, None),
    ("only garbage", b"\x00\xff\xfe garbage\n", 0, 0, "not valid"),
    ("a truncated last line", jsonl(*GOOD) + b'{"data": [{"id": "9", "te', 3, 0, "not valid JSON"),
]


def where(cli) -> list[str]:
    """--db inbox.db, unless the test runs on PostgreSQL (COMMWATCH_DB, which --db would override)."""
    return [] if "COMMWATCH_DB" in cli.env else ["--db", "inbox.db"]


def run_import(cli, workdir: Path, data: bytes, *args: str):
    (workdir / "in.jsonl").write_bytes(data)
    return cli(*where(cli), "import", "x", "in.jsonl", *args)


def _count(cli, table: str) -> int:
    if "COMMWATCH_DB" not in cli.env and not (cli.cwd / "inbox.db").exists():
        return 0
    try:
        return sql(cli, f"SELECT count(*) FROM {table}")[0][0]
    except Exception:  # noqa: BLE001 — the store was never created (PostgreSQL: no table yet)
        return 0


def stored(cli) -> int:
    return _count(cli, "mentions")


def rejected(cli) -> int:
    return _count(cli, "rejects")


@pytest.mark.parametrize("case, data, kept, aside, words", CASES, ids=[c[0] for c in CASES])
def test_import_keeps_every_good_line_and_names_the_bad_one(cli, workdir, case, data, kept, aside, words):
    r = run_import(cli, workdir, data)
    assert "Traceback" not in r.stderr, r.stderr
    assert stored(cli) == kept, (r.stdout, r.stderr)
    assert rejected(cli) == aside
    if words is None:  # nothing wrong with it
        assert r.returncode == 0 and r.stderr == "", r.stderr
    elif words == "":  # mended on the way in: kept, with a note of what was mended where it was needed
        assert r.returncode == 0, r.stderr
    else:
        assert r.returncode in (ExitCode.PARTIAL, ExitCode.ERROR) and words in r.stderr, r.stderr
        assert all(line.startswith("commwatch: ") for line in r.stderr.splitlines())
        assert r.returncode == (ExitCode.PARTIAL if kept else ExitCode.ERROR)


def test_mended_values_keep_a_note_of_what_was_mended(cli, workdir):
    bad = page(tweet(9, "broken emoji \ud83d", created_at=1e300, public_metrics={"like_count": 10**400}),
               followers=2**64)  # fmt: skip
    assert run_import(cli, workdir, jsonl(bad)).returncode == 0
    [m] = cli.json(*where(cli), "inbox", "--status", "all")
    assert m["text"] == "broken emoji \ufffd" and m["author"]["followers"] == 2**63 - 1
    assert m["metrics"]["likes"] == 2**63 - 1
    assert "text: lone surrogates or NULs replaced" in m["extra"]["cleaned"]


def test_rejects_say_where_and_why_and_keep_the_item(cli, workdir):
    data = jsonl(page(tweet(1), tweet(9) | {"id": [1]}), page({"id": "5"}))
    r = run_import(cli, workdir, data)
    assert r.returncode == ExitCode.PARTIAL
    assert "in.jsonl line 1: an item was set aside: the post's id is a list" in r.stderr
    rows = cli.json(*where(cli), "rejects")
    assert [(x["origin"], x["platform"], x["reason"]) for x in rows] == [
        ("in.jsonl line 2", None, "post 5 has missing for text"),
        ("in.jsonl line 1", None, "the post's id is a list, not a string of digits"),
    ]
    assert json.loads(rows[1]["item"])["id"] == [1]
    assert "2 items set aside" in r.stdout


def test_stdin_with_invalid_utf8_keeps_the_good_lines(cli, workdir):
    data = jsonl(GOOD[0], b'{"x": "\xff\xfe"}', GOOD[1])
    r = subprocess.run([sys.executable, "-m", "commwatch.cli.main", *where(cli), "import", "x", "-"],
                       input=data, capture_output=True, cwd=workdir, env=cli.env)  # fmt: skip
    assert r.returncode == ExitCode.PARTIAL and b"<stdin> line 2: not valid UTF-8" in r.stderr
    assert stored(cli) == 3


# A poisoned page from a live platform --------------------------------------------------------------


def test_a_poisoned_page_stores_the_good_items_sets_the_bad_aside_and_moves_on(cli, workdir):
    with running() as x:
        dana = x.add_user("dana", followers=2**64)  # more than SQLite stores
        good = x.add_tweets(dana, 3, "acme is great {i}")
        surrogate = x.add_tweet(dana, "acme broke my emoji \ud83d")
        poisoned = x.add_tweet(dana, "acme")
        x.tweets[poisoned]["text"] = {"acme": "not text"}  # an item no parser can read
        late = x.add_tweet(dana, "acme again")
        x.tweets[late]["created_at"] = "9999-12-31T00:00:00.000Z"
        (workdir / "commwatch.toml").write_text(
            f'[store]\npath = "inbox.db"\n[sources.bx]\nconnector = "x"\nquery = "acme"\napi_base = "{x.url}"\n'
        )
        env = {"X_BEARER_TOKEN": BEARER}
        r = cli("sync", "--quiet", env=env)
        assert r.returncode == ExitCode.PARTIAL, r.stderr
        assert r.stderr == "commwatch: bx: 1 items set aside (`commwatch rejects`)\n"
        kept = {m["remote_id"] for m in cli.json("inbox", "--status", "all")}
        assert kept == {*good, surrogate, late}
        [reject] = cli.json("rejects")
        assert reject["origin"] == "search" and reject["reason"] == f"post {poisoned} has an object for text"

        x.reset_log()
        r = cli("sync", "--quiet", env=env)  # the cursor moved past it: only what is newer is asked for
        assert r.returncode == 0 and r.stderr == ""
        [request] = x.log("GET", "/2/tweets/search/recent")
        assert request.query["since_id"] == late
        assert len(cli.json("rejects")) == 1


@pytest.mark.sqlite_only
def test_a_store_that_refuses_a_page_fails_the_source_in_one_line(cli, workdir):
    """A full disk, simulated for real: the file size limit makes SQLite's writes fail (EFBIG)."""
    items = [{"id": str(i), "text": "x" * 2000, "author": "ann"} for i in range(400)]
    (workdir / "s.json").write_text(json.dumps({"streams": {"s": [{"mentions": items}]}}))
    (workdir / "commwatch.toml").write_text(f'[sources.s]\nconnector = "scripted"\nscript = "{workdir / "s.json"}"\n')
    assert cli("--db", "inbox.db", "inbox").returncode == 0  # the empty store exists, under the limit

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))

    r = subprocess.run([sys.executable, "-m", "commwatch.cli.main", "--db", "inbox.db", "sync", "--quiet"],
                       capture_output=True, text=True, cwd=workdir, env=cli.env, preexec_fn=small_disk)  # fmt: skip
    assert "Traceback" not in r.stderr
    assert r.returncode in (ExitCode.FAILED, ExitCode.ERROR), r.stderr
    assert len(r.stderr.splitlines()) == 1 and ("full" in r.stderr or "refused" in r.stderr), r.stderr
    assert cli("--db", "inbox.db", "inbox").returncode == 0  # still a good database


# The surroundings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "toml, key, words",
    [
        ('[targets.hook]\ntype = "email"\nhost = "h"\nport = "abc"\nfrom = "a@b.c"\nto = "d@e.f"', "targets.hook.port",
         "must be an integer from 1 to 65535"),
        ('[targets.hook]\ntype = "command"\ncommand = ["true"]\ntimeout = "abc"', "targets.hook.timeout", "seconds"),
        ('[targets.hook]\ntype = "webhook"\nurl = 5', "targets.hook.url", "http:// or https:// URL"),
        ('[targets.hook]\ntype = "webhook"\nurl = "ftp://x"', "targets.hook.url", "http:// or https:// URL"),
        ('[targets.hook]\ntype = "email"\nhost = "h"\nfrom = "a@b.c"\nto = "d@e.f"\npassword = "hunter2"',
         "targets.hook.password", "secrets do not belong in the file"),
        ('[targets.hook]\ntype = "slack"\nurl_env = "X"\ncolour = "red"', "targets.hook.colour", "unknown key"),
        ('[targets.hook]\ntype = "slack"\nurl_env = "https://hooks.slack.com/x"', "targets.hook.url_env",
         "name an environment variable"),
        ('[targets.hook]\ntype = "webhook"', "targets.hook.url", "is required"),
        ('[triage]\nurgent_keyword = ["x"]', "triage.urgent_keyword", "unknown key"),
        ('[store]\npaht = "x.db"', "store.paht", "unknown key"),
        ('[sources.a]\nconnector = "x"\nquery = "acme"\napi_token = "t"', "sources.a.api_token", "secrets"),
        ('[sources.a]\nconnector = "x"\nquery = "acme"\nmax_per_sync = 0', "sources.a.max_per_sync", "above 0"),
        ('[alerts.spike]\nwindow = "soon"', "alerts.spike.window", "not a duration"),
    ],
)
def test_each_broken_config_value_is_one_line_naming_file_and_key_exit_3(cli, workdir, toml, key, words):
    (workdir / "commwatch.toml").write_text('[sources.demo]\nconnector = "demo"\n' + toml + "\n")
    r = cli("sync", "--quiet")
    assert r.returncode == ExitCode.CONFIG
    [line] = r.stderr.splitlines()
    assert line.startswith(f"commwatch: config error: {workdir / 'commwatch.toml'}: {key}: ") and words in line


def test_a_target_variable_holding_a_bad_url_fails_its_row_and_nothing_else(cli, workdir):
    (workdir / "commwatch.toml").write_text(
        '[store]\npath = "inbox.db"\n[sources.demo]\nconnector = "demo"\n'
        '[targets.hook]\ntype = "webhook"\nurl_env = "HOOK_URL"\n'
    )
    cli("sync", "--quiet")
    r = cli("escalate", "1", "--to", "hook", env={"HOOK_URL": "not a url at all"})
    assert r.returncode == 0 and "escalation 1 failed: target hook: its URL does not start with http://" in r.stderr
    rows = sql(cli, "SELECT status FROM outbox")
    assert rows == [("failed",)]
    assert cli("sync", "--quiet", env={"HOOK_URL": "not a url at all"}).returncode == 0  # the row does not block


def without_write_access() -> list[str]:
    """A command prefix that runs without the power to ignore file permissions (root has it)."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv (util-linux): root writes read-only files")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


@pytest.mark.sqlite_only
def test_a_read_only_database_is_one_line(cli, workdir, tmp_path):
    (workdir / "commwatch.toml").write_text('[store]\npath = "inbox.db"\n[sources.demo]\nconnector = "demo"\n')
    assert cli("sync", "--quiet").returncode == 0
    before = stored(cli)
    for p in workdir.glob("inbox.db*"):
        p.chmod(0o444)
    workdir.chmod(0o555)
    try:
        for args in (("tag", "1", "vip"), ("sync", "--quiet")):
            r = subprocess.run([*without_write_access(), sys.executable, "-m", "commwatch.cli.main", *args],
                               capture_output=True, text=True, cwd=workdir, env=cli.env)  # fmt: skip
            assert "Traceback" not in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
            assert r.returncode == ExitCode.ERROR, r.stderr
    finally:
        workdir.chmod(0o755)
        for p in workdir.glob("inbox.db*"):
            p.chmod(0o644)
    assert stored(cli) == before


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "content, words",
    [(b"this is not sqlite at all" * 100, "cannot be opened as a commwatch database"), (None, "newer commwatch")],
)
def test_a_foreign_or_newer_database_is_one_line(cli, workdir, content, words):
    db = workdir / "inbox.db"
    if content is None:
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA user_version = 999")
        conn.close()
    else:
        db.write_bytes(content)
    r = cli("--db", "inbox.db", "inbox")
    assert r.returncode == ExitCode.ERROR and words in r.stderr and len(r.stderr.splitlines()) == 1


def test_a_killed_syncs_run_is_closed_as_interrupted_by_the_next(cli, workdir):
    (workdir / "commwatch.toml").write_text('[store]\npath = "inbox.db"\n[sources.demo]\nconnector = "demo"\n')
    cli("sync", "--quiet")
    sql(cli, "INSERT INTO sync_runs (started_at, status) VALUES ('2026-01-01T00:00:00Z', 'running')")
    cli("sync", "--quiet")
    statuses = [r[0] for r in sql(cli, "SELECT status FROM sync_runs ORDER BY id")]
    assert statuses == ["ok", "interrupted", "ok"]
