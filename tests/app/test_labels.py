"""A manager's labels and a model that learns from them (issue 14), through the real command line:
labels survive re-syncs, rules and re-scoring; `triage train` adopts only what reads held-back labels
no worse; `triage eval` reads labelled folders; `triage rescore` continues where it stopped."""

import itertools
import json
import random
import zlib

import pytest

from commwatch.exitcodes import ExitCode

from helpers import sql, write_script

pytestmark = pytest.mark.both_stores  # every test here runs on SQLite and on PostgreSQL

PRICING = [f"{o} the new {n} {e}" for o, n, e in itertools.product(
    ["just saw", "so", "looks like", "apparently", "heads up:", "ok", "hmm", "today", "fyi", "well"],
    ["pricing page", "pricing tiers", "pricing plans", "pricing update", "pricing model"],
    ["is live", "went out", "dropped", "is here", "was announced", "landed", "is out now", "shipped"])]  # fmt: skip
random.Random(1).shuffle(PRICING)


def setup(workdir, texts: list[str], extra: str = "") -> None:
    items = [{"id": str(i + 1), "text": t, "author": f"user{i}", "at": "2026-11-30T10:00:00Z"} for i, t in enumerate(texts)]
    script = write_script(workdir / "s.json", {"s": [{"mentions": items}]})
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.s]\nconnector = "scripted"\nscript = "{script}"\n{extra}'
    )


@pytest.fixture
def model_home(cli, workdir):
    """Where `triage train` keeps an adopted model (XDG_DATA_HOME of the CLI)."""
    return workdir / "xdg-data" / "commwatch" / "sentiment.cwsm"


def sentiment(cli, ref) -> dict:
    return cli.json("show", str(ref))["sentiment"]


def test_a_label_set_by_hand_is_kept_and_the_priority_follows_it(cli, workdir):
    setup(workdir, ["love the new dashboard", "the dashboard is slow today"],
          '[[rules]]\nname = "tag all"\nmatch = { keywords_any = ["dashboard"] }\nactions = { tag = ["dash"] }\n')
    assert cli("sync", "--quiet").returncode == 0
    before = cli.json("show", "1")
    assert before["sentiment"]["label"] == "positive" and before["sentiment"]["by"] is None
    r = cli("label", "1", "2", "negative", env={"COMMWATCH_USER": "ana"})
    assert r.returncode == 0, r.stderr
    assert [line.split()[:2] for line in r.stdout.splitlines()] == [["#1", "negative"], ["#2", "negative"]]
    after = cli.json("show", "1")
    assert after["sentiment"]["label"] == "negative" and after["sentiment"]["by"] == "ana"
    assert after["priority"]["score"] > before["priority"]["score"]
    assert any(r.startswith("negative") for r in after["priority"]["reasons"])
    assert "sentiment negative, set by hand by ana" in cli("show", "1").stdout
    assert "labelled negative (was positive)" in cli("show", "1").stdout
    # kept by a re-sync with new text, rules applied again, and re-scoring
    items = [{"id": "1", "text": "love the new dashboard, truly", "author": "user0", "at": "2026-11-30T10:00:00Z",
              "metrics": {"likes": 50}}]  # fmt: skip
    write_script(workdir / "s.json", {"s": [{"mentions": items}]})
    sql(cli, "DELETE FROM cursors")  # the cursor says the script's page was read: forget it so the page is read again
    assert cli("sync", "--quiet").returncode == 0
    assert cli.json("show", "1")["text"] == "love the new dashboard, truly"
    assert cli("rules", "apply", "--status", "all").returncode == 0
    assert cli("triage", "rescore").returncode == 0
    kept = cli.json("show", "1")["sentiment"]
    assert (kept["label"], kept["by"]) == ("negative", "ana")
    assert cli.json("inbox", "--sentiment", "negative", "--limit", "0") and 1 in [
        m["id"] for m in cli.json("inbox", "--sentiment", "negative", "--limit", "0")]  # fmt: skip
    # auto gives it back to the model
    assert cli("label", "1", "auto").returncode == 0
    back = sentiment(cli, 1)
    assert back["by"] is None and back["label"] == "positive" and back["probabilities"]


def test_a_wrong_label_is_one_error(cli, workdir):
    setup(workdir, ["fine"])
    cli("sync", "--quiet")
    r = cli("label", "1", "angry")
    assert r.returncode == ExitCode.ERROR and "'angry' is not a label" in r.stderr
    assert cli("label", "1").returncode == ExitCode.USAGE
    assert cli("label", "1", "neg").returncode == 0 and cli.json("show", "1")["sentiment"]["label"] == "negative"


def test_rescore_reads_stored_mentions_again_and_continues_where_it_stopped(cli, workdir):
    setup(workdir, ["great product", "awful support", "meh", "ok I guess"])
    cli("sync", "--quiet")
    cli("label", "2", "positive")
    third = sentiment(cli, 3)["label"]
    # as an older model left them: #1 read wrong, #3 right
    sql(cli, "UPDATE mentions SET sentiment_model = 'old', sentiment_label = 'negative' WHERE remote_id = '1'")
    sql(cli, "UPDATE mentions SET sentiment_model = 'old', sentiment_label = ? WHERE remote_id = '3'", (third,))
    r = cli("triage", "rescore")
    assert r.returncode == 0 and r.stdout.strip() == "2 mentions re-scored, 1 changed label"
    assert sentiment(cli, 1)["label"] == "positive" and sentiment(cli, 2)["by"] is not None
    assert cli("triage", "rescore").stdout.strip() == "0 mentions re-scored, 0 changed label"


def test_eval_reads_a_folder_of_labelled_files(cli, workdir):
    folder = workdir / "sets"
    folder.mkdir()
    (folder / "tw_text.txt").write_text("I hate this\nlove it so much\nthe meeting is at 5\n")
    (folder / "tw_labels.txt").write_text("0\n2\n1\n")
    (folder / "more.jsonl").write_text(json.dumps({"text": "worst app ever", "label": "negative"}) + "\n"
                                       + json.dumps({"text": "c'est génial", "label": 2, "lang": "fr"}) + "\n")
    r = cli("triage", "eval", "--data", str(folder))
    assert r.returncode == 0, r.stderr
    rows = {line.split("|")[1].strip(): line for line in r.stdout.splitlines()[2:]}
    assert set(rows) == {"tw", "more"} and rows["tw"].split("|")[2].strip() == "3"
    (folder / "broken.jsonl").write_text("{not json\n")
    bad = cli("triage", "eval", "--data", str(folder))
    assert bad.returncode == ExitCode.ERROR and "broken.jsonl line 1" in bad.stderr and "Traceback" not in bad.stderr


def test_train_learns_from_labels_and_reset_goes_back(cli, workdir, model_home):
    setup(workdir, PRICING[:150])
    cli("sync", "--quiet")
    probe = [{"text": "saw the new pricing tiers today"}, {"text": "new pricing plans announced"},
             {"text": "I love this product!"}, {"text": "the weather is nice today"}]  # fmt: skip
    stdin = "\n".join(json.dumps(p) for p in probe)
    before = [json.loads(line)["label"] for line in cli("score", input=stdin).stdout.splitlines()]
    assert before[:2] != ["negative", "negative"]
    assert cli("triage", "train").returncode == ExitCode.ERROR  # no labels yet
    assert cli("label", *map(str, range(1, 151)), "--as", "negative").returncode == 0
    r = cli("triage", "train")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "150 labels, " in r.stdout and "| labels held back |" in r.stdout and "adopted" in r.stdout
    assert model_home.exists()
    after = [json.loads(line)["label"] for line in cli("score", input=stdin).stdout.splitlines()]
    assert after[:2] == ["negative", "negative"]  # posts like the labelled ones are read the manager's way
    assert after[2:] == before[2:]  # and the rest as before
    assert cli("triage", "rescore").returncode == 0
    assert cli("triage", "reset").stdout.strip() == "back to the shipped model" and not model_home.exists()
    assert [json.loads(line)["label"] for line in cli("score", input=stdin).stdout.splitlines()] == before


def test_train_refuses_a_model_that_reads_the_held_back_labels_worse(cli, workdir, model_home):
    setup(workdir, PRICING[:120])
    cli("sync", "--quiet")
    shown = {m["id"]: m["sentiment"]["label"] for m in cli.json("inbox", "--limit", "0")}
    held = [i for i in shown if zlib.crc32(str(i).encode()) % 5 == 0]
    # The held-back ones are labelled as the model reads them; the rest, much alike, another way.
    other = {"negative": "positive", "neutral": "negative", "positive": "negative"}
    wanted: dict[str, list[str]] = {}
    for i, label in shown.items():
        wanted.setdefault(label if i in held else other[label], []).append(str(i))
    for label, ids in wanted.items():
        assert cli("label", *ids, "--as", label).returncode == 0
    r = cli("triage", "train")
    assert r.returncode == 1 and "kept the model in use: the new one reads the held-back labels worse" in r.stdout
    assert not model_home.exists()
