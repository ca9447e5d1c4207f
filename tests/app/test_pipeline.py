"""Import on every core: worker processes parse and score, one process stores, in the file's order.
The rows, the full-text index, the rejects and the messages are the same as with one process."""

import json
import random
import sqlite3
import subprocess
import sys

import pytest

from commwatch.app.pipeline import run_chunks

WORDS = ["refund", "outage", "dashboard", "love", "slow", "billing", "great", "support", "api", "login",
         "terrible", "thanks", "docs", "pricing", "latency", "awesome", "broken", "why", "help", "today"]  # fmt: skip


def x_page(start: int, rng: random.Random, size: int = 100) -> dict:
    users = [{"id": str(40 + i), "username": f"user{i}", "name": f"User {i}",
              "public_metrics": {"followers_count": rng.randrange(10, 100000)}} for i in range(10)]  # fmt: skip
    data = []
    for i in range(start, start + size):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(4, 16)))
        data.append({"id": str(1850000000000000000 + i), "text": f"@acmecloud {text}", "author_id": str(40 + i % 10),
                     "created_at": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:00:00.000Z",
                     "conversation_id": str(1850000000000000000 + i), "lang": rng.choice(["en", "es", "de"]),
                     "public_metrics": {"like_count": i % 50, "reply_count": i % 7, "retweet_count": 0, "quote_count": 0}})  # fmt: skip
    return {"data": data, "includes": {"users": users}, "meta": {"result_count": size}}


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """About 2.6 MB: 3 chunks. With a bad line, a line that is not an X response, and items set aside."""
    rng = random.Random(5)
    path = tmp_path_factory.mktemp("pipeline") / "x.jsonl"
    with open(path, "w") as f:
        for page in range(55):
            body = x_page(page * 100, rng)
            if page == 20:
                body["data"][3]["id"] = ["not", "an", "id"]  # set aside, its neighbours kept
            f.write(json.dumps(body) + "\n")
            if page == 30:
                f.write("{this is not json\n")
            if page == 40:
                f.write(json.dumps({"kind": "Listing"}) + "\n")
    return path


def run(workdir, db, *args):
    env = {"PYTHONPATH": "", "XDG_DATA_HOME": str(workdir / "xdg"), "PATH": "/usr/bin:/bin", "TZ": "UTC"}
    return subprocess.run([sys.executable, "-m", "commwatch.cli.main", "--db", str(db), *args],
                          cwd=workdir, env=env, capture_output=True, text=True, timeout=300)  # fmt: skip


def table(db, sql):
    return sqlite3.connect(db).execute(sql).fetchall()


def test_workers_store_exactly_what_one_process_stores(tmp_path, big_file):
    one, many = tmp_path / "one.db", tmp_path / "many.db"
    a = run(tmp_path, one, "import", "x", str(big_file), "--workers", "1")
    b = run(tmp_path, many, "import", "x", str(big_file), "--workers", "2")
    assert a.returncode == b.returncode == 4, a.stderr + b.stderr  # a bad line and a reject: partial
    assert a.stdout == b.stdout and a.stdout.startswith("5499 mentions from 55 responses: 5499 new")
    assert a.stderr == b.stderr and "line 32: not valid JSON" in a.stderr and "line 43: not a x API response" in a.stderr
    columns = ("id, platform, remote_id, text, lang, author_handle, author_followers, created_at, metrics, "
               "sentiment_score, sentiment_label, sentiment_detail, sentiment_model, priority_score, "
               "priority_level, priority_reasons, priority_auto_score, ours, status")  # fmt: skip
    rows = table(one, f"SELECT {columns} FROM mentions ORDER BY id")
    assert len(rows) == 5499 and rows == table(many, f"SELECT {columns} FROM mentions ORDER BY id")
    for word in ("refund", "latency", "awesome"):
        search = f"SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH '{word}' ORDER BY rowid"
        assert table(one, search) == table(many, search) != []
    rejects = "SELECT origin, platform, reason FROM rejects ORDER BY id"
    assert table(one, rejects) == table(many, rejects) and len(table(one, rejects)) == 1
    again = run(tmp_path, many, "import", "x", str(big_file), "--workers", "2")  # idempotent: nothing new
    assert "0 new, 0 updated" in again.stdout


def test_a_small_import_stays_in_this_process():
    seen = []
    assert list(run_chunks([1], lambda c: seen.append(c) or c * 2, workers=4)) == [2] and seen == [1]
    assert list(run_chunks([], lambda c: c, workers=4)) == []


def test_results_come_back_in_order_from_the_pool():
    assert list(run_chunks(range(40), _slow_square, workers=2)) == [i * i for i in range(40)]


def _slow_square(i: int) -> int:
    import time

    time.sleep(0.001 * (i % 3))
    return i * i
