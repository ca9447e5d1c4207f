"""`commwatch report` and `commwatch export` as a user or cron runs them (whole processes)."""

import csv
import io
import json

import pytest

from commwatch.exitcodes import ExitCode

from report_store import SINCE, UNTIL, build, figures_from_json, figures_from_text

PERIOD = ["--since", SINCE, "--until", UNTIL]


@pytest.fixture
def store(workdir, monkeypatch):
    build(workdir / "inbox.db", monkeypatch).close()
    return ["--db", str(workdir / "inbox.db")]


def test_help_lists_report_and_export(cli):
    r = cli("--help")
    assert r.returncode == 0
    assert "report" in r.stdout and "export" in r.stdout


def test_report_text_shows_the_same_figures_as_json(cli, store):
    r = cli(*store, "report", *PERIOD)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    data = json.loads(cli(*store, "report", *PERIOD, "--json").stdout)
    assert figures_from_text(r.stdout) == figures_from_json(data)
    assert max(len(line) for line in r.stdout.splitlines()) <= 80  # not a terminal: plain text in 80 columns
    assert "█" not in r.stdout and "\x1b" not in r.stdout


def test_report_json_is_only_json_on_stdout(cli, store):
    r = cli(*store, "report", *PERIOD, "--json", "--platform", "X")
    assert r.returncode == 0 and r.stderr == ""
    data = json.loads(r.stdout)
    assert data["period"]["filters"] == {"platform": "x"}
    assert data["volume"]["total"] == 5


def test_report_html_writes_the_file_and_prints_nothing(cli, store, workdir):
    r = cli(*store, "report", *PERIOD, "--html", "weekly.html")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    page = (workdir / "weekly.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'id="chart-volume"' in page


@pytest.mark.parametrize(
    "args, words",
    [
        (["report", "--since", "soon"], "is not a duration ago (24h, 7d), a date"),
        (["report", "--since", "2026-03-05", "--until", "2026-03-01"], "must be before --until"),
        (["export", "--format", "xml"], "choose one of csv, jsonl"),
        (["export", "--format", "csv", "--status", "lost"], "choose one of open"),
    ],
)
def test_bad_options_are_usage_errors(cli, store, args, words):
    r = cli(*store, *args)
    assert r.returncode == ExitCode.USAGE
    assert words in r.stderr


def test_export_csv_with_filters(cli, store, workdir):
    r = cli(*store, "export", "--format", "csv", "--tag", "billing")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout, newline="")))
    assert [row["id"] for row in rows] == ["10", "1", "2", "6"]
    r = cli(*store, "export", "--format", "csv", "--tag", "billing", "-o", "billing.csv")
    assert (r.returncode, r.stdout) == (0, "")
    assert (workdir / "billing.csv").read_bytes().count(b"\r\n") == 5  # header + 4 records, RFC 4180 line ends


def test_export_jsonl_to_a_file(cli, store, workdir):
    r = cli(*store, "export", "--format", "jsonl", "--since", SINCE, "--until", UNTIL, "--output", "out.jsonl")
    assert r.returncode == 0 and r.stdout == ""
    assert "exported 9 mentions to out.jsonl" in r.stderr
    lines = (workdir / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, 2, 3, 4, 5, 6, 7, 9, 8]
    shown = cli.json(*store, "show", "2")
    first = json.loads(lines[1])
    assert {k: first[k] for k in shown if k in first} == {k: shown[k] for k in shown if k in first}


def test_export_default_status_is_all_and_inbox_filters_apply(cli, store):
    every = cli(*store, "export", "--format", "jsonl").stdout.splitlines()
    assert len(every) == 11
    open_only = cli(*store, "export", "--format", "jsonl", "--status", "open", "--sentiment", "negative").stdout
    assert [json.loads(line)["id"] for line in open_only.splitlines()] == [2, 11]


def test_report_compares_with_the_previous_period_unless_told_not_to(cli, store):
    data = json.loads(cli(*store, "report", "--since", "2026-03-04", "--until", "2026-03-08", "--json").stdout)
    assert data["headline"]["mentions"]["previous"] == 4 and data["period"]["previous"]["since"] == "2026-02-28T00:00:00Z"
    text = cli(*store, "report", "--since", "2026-03-04", "--until", "2026-03-08").stdout
    assert "AT A GLANCE" in text and "was 4" in text and "+25%" in text
    data = json.loads(cli(*store, "report", "--since", "2026-03-04", "--until", "2026-03-08", "--compare", "none", "--json").stdout)
    assert data["headline"]["mentions"]["previous"] is None
    r = cli(*store, "report", "--compare", "last-year")
    assert r.returncode == 2 and "--compare" in r.stderr
