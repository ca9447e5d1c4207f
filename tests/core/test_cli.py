"""The command line as users and cron see it: output, exit codes, safety."""

import json
import signal
import time

import pytest

from commwatch.exitcodes import ExitCode

from helpers import mentions, write_script

pytestmark = pytest.mark.both_stores  # every test here runs on SQLite and on PostgreSQL

HOSTILE = "pwned \x1b[2J\x1b[31mRED\x1b[0m [bold red]FREE[/bold red] [link=http://evil]click[/link] \u202eevil"


def setup_sources(workdir, sources: dict, extra: str = "") -> None:
    lines = ['[store]\npath = "inbox.db"\n']
    for name, streams in sources.items():
        script = write_script(workdir / f"{name}.json", streams)
        lines.append(f'[sources.{name}]\nconnector = "scripted"\nscript = "{script}"\n')
    (workdir / "commwatch.toml").write_text("\n".join(lines) + extra)


def test_sync_quiet_prints_nothing_and_exits_zero(cli, workdir):
    setup_sources(workdir, {"a": {"s": [mentions("1", "2")]}})
    r = cli("sync", "--quiet")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    assert len(cli.json("inbox")) == 2


def test_sync_summary_and_json(cli, workdir):
    setup_sources(workdir, {"a": {"s": [mentions("1:refund now, this is a scam!")]}, "b": {"s": [mentions("9", prefix="b")]}})
    r = cli("sync")
    assert r.returncode == 0
    assert "2 new mentions from 2 of 2 sources" in r.stdout
    summary = json.loads(cli("sync", "--json").stdout)
    assert summary["new"] == 0 and summary["exit_code"] == 0
    assert {s["name"]: s["status"] for s in summary["sources"]} == {"a": "ok", "b": "ok"}


def test_partial_and_total_failure_codes(cli, workdir):
    setup_sources(workdir, {"good": {"s": [mentions("1")]}, "bad": {"s": [{"error": "HTTP 503 from the platform"}]}})
    r = cli("sync", "--quiet")
    assert r.returncode == ExitCode.PARTIAL
    assert r.stdout == "" and r.stderr == "commwatch: bad: HTTP 503 from the platform\n"
    r = cli("sync", "--source", "bad", "--quiet")
    assert r.returncode == ExitCode.FAILED


@pytest.mark.parametrize(
    "toml, words",
    [
        ("[sources.a]\nquery = 'acme'", "sources.a.connector: is required"),
        ("[sources.a\n", "not valid TOML"),
        ("[sources.a]\nconnector = 'friendster'", "sources.a.connector: no connector named 'friendster'"),
    ],
)
def test_broken_config_is_one_line_and_exit_3(cli, workdir, toml, words):
    (workdir / "commwatch.toml").write_text(toml)
    r = cli("sync")
    assert r.returncode == ExitCode.CONFIG
    assert r.stderr.startswith("commwatch: config error: ") and words in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_no_sources_is_a_config_error(cli, workdir):
    r = cli("sync")
    assert r.returncode == ExitCode.CONFIG and "no sources configured" in r.stderr


def test_usage_errors_exit_2(cli, workdir):
    assert cli("inbox", "--sentiment", "furious").returncode == ExitCode.USAGE
    assert cli("frobnicate").returncode == ExitCode.USAGE
    assert cli("inbox", "--since", "last tuesday").returncode == ExitCode.USAGE


def test_unknown_mention_exits_1(cli, workdir):
    r = cli("--db", str(workdir / "x.db"), "show", "404")
    assert r.returncode == ExitCode.ERROR and "no mention '404'" in r.stderr


def test_a_second_sync_exits_75_at_once(cli, workdir):
    setup_sources(workdir, {"slow": {"s": [{"sleep": 30}, mentions("1")]}})
    first = cli.popen("sync", "--quiet")
    try:
        deadline = time.time() + 20
        while not (workdir / "inbox.db.sync.lock").exists() and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        started = time.time()
        second = cli("sync", "--quiet")
        assert second.returncode == ExitCode.LOCKED
        assert second.stdout == second.stderr == ""  # an overlapping cron run mails nothing
        assert time.time() - started < 10
        third = cli("sync")
        assert third.returncode == ExitCode.LOCKED and "another commwatch sync is running" in third.stderr
    finally:
        first.kill()
        first.wait()


def test_killed_sync_resumes_with_every_mention_once(cli, workdir):
    pages = [mentions(*[f"{p}-{i}" for i in range(20)]) for p in range(5)]
    script = pages[:3] + [{"sleep": 60}] + pages[3:]
    setup_sources(workdir, {"a": {"s": script}})
    proc = cli.popen("sync", "--quiet")
    deadline = time.time() + 30
    while time.time() < deadline:
        time.sleep(0.2)
        if (workdir / "inbox.db").exists() and len(cli.json("inbox", "--limit", "1000")) == 60:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(cli.json("inbox", "--limit", "1000")) == 60
    setup_sources(workdir, {"a": {"s": pages[:3] + [{"sleep": 0}] + pages[3:]}})
    assert cli("sync", "--quiet").returncode == 0
    stored = cli.json("inbox", "--limit", "1000")
    assert len(stored) == 100 and len({m["remote_id"] for m in stored}) == 100


def test_json_mention_shape(cli, workdir):
    setup_sources(workdir, {"a": {"s": [mentions("1:why is the API down?")]}})
    cli("sync", "--quiet")
    [m] = cli.json("inbox")
    assert set(m) >= {"id", "platform", "remote_id", "source", "url", "author", "text", "created_at", "sentiment",
                      "priority", "status", "tags", "assignee", "replied"}  # fmt: skip
    assert set(m["author"]) >= {"handle", "name", "followers"}
    assert set(m["priority"]) == {"score", "level", "reasons", "override"} and m["priority"]["level"] in ("low", "medium", "high", "urgent")
    assert m["created_at"].endswith("Z") and m["status"] == "open" and m["replied"] is False


def test_manager_actions_and_history(cli, workdir):
    setup_sources(workdir, {"a": {"s": [mentions("1", "2")]}})
    cli("sync", "--quiet")
    for args in (["tag", "1", "bug", "billing"], ["assign", "1", "maria"], ["snooze", "2", "2h"],
                 ["escalate", "scripted:1", "--note", "VIP"], ["untag", "1", "billing"]):  # fmt: skip
        r = cli(*args)
        assert r.returncode == 0, r.stderr
    assert cli.json("inbox") == []  # one escalated, one snoozed: nothing left open
    shown = json.loads(cli("show", "1", "--json").stdout)
    assert shown["tags"] == ["bug"] and shown["assignee"] == "maria" and shown["status"] == "escalated"
    assert [e["action"] for e in shown["history"]] == ["tag", "assign", "escalate", "untag"]
    assert cli.json("inbox", "--status", "snoozed")[0]["remote_id"] == "2"
    assert [m["remote_id"] for m in cli.json("inbox", "--tag", "bug", "--status", "all")] == ["1"]
    assert cli("close", "1").returncode == 0 and cli("reopen", "1").returncode == 0
    text = cli("show", "1").stdout
    history = text[text.index("History"):]
    for said in ("tagged bug, billing", "assigned to maria", "escalated: VIP", "untagged billing",
                 "closed (was escalated)", "reopened (was closed)"):  # fmt: skip
        assert said in history, history
    assert "{" not in history and "=" not in history  # sentences, not Python dicts or key=value pairs


def test_hostile_text_is_inert_in_table_and_show(cli, workdir):
    setup_sources(workdir, {"a": {"s": [{"mentions": [{"id": "1", "text": HOSTILE, "author": "[red]mallory\x1b]0;x\x07"}]}]}})
    cli("sync", "--quiet")
    for args in (["inbox"], ["show", "1"]):
        out = cli(*args).stdout
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
        assert "[bold red]FREE[/bold red]" in out and "[link=http://evil]click[/link]" in out
        assert "␛[31mRED" in out
    js = cli("inbox", "--json").stdout
    assert "\x1b" not in js and json.loads(js)[0]["text"] == HOSTILE  # data kept exactly, escaped as JSON


def test_inbox_on_an_empty_store_says_what_to_do(cli, workdir):
    r = cli("inbox")
    assert r.returncode == 0 and "run `commwatch sync`" in r.stderr
    assert cli("inbox", "--json").stdout.strip() == "[]"


def test_init_leaves_the_demo_out_of_a_real_inbox(cli, workdir):
    assert cli("init").returncode == 0
    assert cli("init").returncode == ExitCode.USAGE  # never overwrites silently
    assert "# [sources.demo]\n" in (workdir / "commwatch.toml").read_text()
    summary = json.loads(cli("sync", "--json").stdout)
    assert {s["name"]: s["status"] for s in summary["sources"]} == {
        "brand-x": "skipped", "brand-reddit": "skipped", "brand-youtube": "skipped", "brand-bluesky": "skipped"}
    assert cli.json("inbox") == []


def test_init_demo_writes_a_config_that_syncs_the_demo_and_contacts_nothing(cli, workdir):
    assert cli("init", "--demo").returncode == 0
    r = cli("sync", "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert {s["name"]: s["status"] for s in summary["sources"]} == {
        "demo": "ok", "brand-x": "skipped", "brand-reddit": "skipped", "brand-youtube": "skipped", "brand-bluesky": "skipped"}
    # the demo's rules escalated; every delivery went to the local `team` command, none elsewhere
    assert summary["escalated"] > 0 and summary["deliveries"]
    assert {d["status"] for d in summary["deliveries"]} == {"sent"}
    lines = (workdir / "escalations.jsonl").read_text().splitlines()
    assert len(lines) == len(summary["deliveries"]) and json.loads(lines[0])["event"] == "escalation"


def test_connectors_lists_every_installed_connector(cli, workdir):
    rows = {c["name"]: c for c in cli.json("connectors")}
    assert {"demo", "x", "reddit", "youtube", "scripted"} <= set(rows)
    assert "import" in rows["x"]["capabilities"] and rows["x"]["credentials"] == ["X_BEARER_TOKEN"]


def test_score_reads_and_writes_json_lines(cli, workdir):
    r = cli("score", input='{"text": "I love this!"}\n{"text": "worst outage ever"}\nnot json\n')
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert lines[0]["label"] == "positive" and lines[1]["label"] == "negative" and "error" in lines[2]
    assert r.returncode == ExitCode.PARTIAL and "line 3" in r.stderr


@pytest.mark.parametrize("columns", ["80", "200"])
def test_inbox_table_keeps_every_column_at_any_width(cli, workdir, columns):
    long_text = "the dashboard " * 40
    setup_sources(workdir, {"a": {"s": [{"mentions": [{"id": "1", "text": long_text, "author": "a_very_long_handle_indeed"}]}]}})
    cli("sync", "--quiet")
    out = cli("inbox", env={"COLUMNS": columns}).stdout
    header, row = out.splitlines()[:2]
    for column in ("ID", "PRI", "AUTHOR", "SENT", "AGE", "TEXT"):
        assert column in header
    assert row.split()[0] == "1" and "@a_very_long_ha…" in row and row.endswith("…")
    assert max(len(line) for line in out.splitlines()) <= int(columns)


def test_quota_units_show_in_the_summary_and_connectors(cli, workdir):
    setup_sources(workdir, {"metered": {"s": [{**mentions("1"), "units": 7}]}})
    out = cli("sync").stdout
    assert "UNITS" in out.splitlines()[0]
    rows = {c["name"]: c for c in cli.json("connectors")}
    assert rows["scripted"]["units_today"] == {"metered": 7}
    assert "metered: 7 quota units used today" in cli("connectors").stdout
