"""`commwatch import`: raw responses in JSON, JSON Lines or stdin; bad lines named; the rest lands."""

import json

from commwatch.exitcodes import ExitCode

from helpers import FIXTURES


def x_page(*ids: str) -> dict:
    return {
        "data": [{"id": i, "text": f"post {i} about acme", "author_id": "7", "created_at": "2026-01-15T10:00:00.000Z"}
                 for i in ids],  # fmt: skip
        "includes": {"users": [{"id": "7", "username": "dana", "name": "Dana", "public_metrics": {"followers_count": 5}}]},
        "meta": {"result_count": len(ids)},
    }


def test_json_lines_with_bad_lines_names_them_and_keeps_the_rest(cli, workdir):
    lines = [json.dumps(x_page("1", "2")), "{not json", "", json.dumps({"title": "not X"}), json.dumps(x_page("3"))]
    (workdir / "tweets.jsonl").write_text("\n".join(lines) + "\n")
    r = cli("--db", "inbox.db", "import", "x", "tweets.jsonl")
    assert r.returncode == ExitCode.PARTIAL
    assert "tweets.jsonl line 2: not valid JSON" in r.stderr
    assert "tweets.jsonl line 4: not a x API response" in r.stderr
    assert "3 mentions from 2 responses: 3 new" in r.stdout
    assert sorted(m["remote_id"] for m in cli.json("--db", "inbox.db", "inbox")) == ["1", "2", "3"]


def test_pretty_printed_fixture_files_and_stdin(cli, workdir):
    r = cli("--db", "inbox.db", "import", "x", str(FIXTURES / "x" / "search_recent.json"))
    assert r.returncode == 0, r.stderr
    first = len(cli.json("--db", "inbox.db", "inbox", "--status", "all"))
    assert first > 0
    r = cli("--db", "inbox.db", "import", "reddit", "-", input=(FIXTURES / "reddit" / "search_new.json").read_text())
    assert r.returncode == 0, r.stderr
    platforms = {m["platform"] for m in cli.json("--db", "inbox.db", "inbox", "--status", "all", "--limit", "500")}
    assert platforms == {"x", "reddit"}


def test_importing_twice_changes_nothing(cli, workdir):
    path = str(FIXTURES / "youtube" / "comment_threads.json")
    cli("--db", "inbox.db", "import", "youtube", path)
    before = cli.json("--db", "inbox.db", "inbox", "--status", "all", "--limit", "500")
    r = cli("--db", "inbox.db", "import", "youtube", path)
    assert " 0 new, 0 updated" in r.stdout
    assert cli.json("--db", "inbox.db", "inbox", "--status", "all", "--limit", "500") == before


def test_unknown_platform_and_missing_file(cli, workdir):
    r = cli("--db", "inbox.db", "import", "myspace", "x.json")
    assert r.returncode == ExitCode.ERROR and "no connector named 'myspace'" in r.stderr
    r = cli("--db", "inbox.db", "import", "x", "missing.json")
    assert r.returncode == ExitCode.ERROR and "missing.json: cannot be read" in r.stderr


def test_an_api_error_body_is_reported_not_stored(cli, workdir):
    r = cli("--db", "inbox.db", "import", "youtube", str(FIXTURES / "youtube" / "error_quota_exceeded.json"))
    assert r.returncode == ExitCode.ERROR
    assert "quotaExceeded" in r.stderr and "<a" not in r.stderr
