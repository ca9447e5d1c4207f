"""Nothing stored reaches a terminal as a command: every face prints every field inert."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from commwatch.text import cells, excerpt, field, inert, json_text

# What a terminal would obey or what would hide or reorder text: C0 but \t \n, DEL, C1, the
# Arabic letter mark, zero-width and bidi marks, line/paragraph separators, bidi embeddings,
# overrides and isolates, invisible operators, BOM.
DANGEROUS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u2028\u2029"
                       "\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\U0001d173-\U0001d17a"
                       "\U000e0001\U000e0020-\U000e007f]")
OSC52 = "\x1b]52;c;ZXZpbA==\x07\x1b[2J"  # set the clipboard, then clear the screen


@pytest.mark.parametrize("ch", ["\x1b", "\x07", "\x9b", "\x85", "\u061c", "\u200b", "\u200e", "\u2028", "\u2029",
                                "\u202e", "\u2066", "\u2069", "\ufeff", "\r", "\xad", "\u3164", "\u115f", "\u180e",
                                "\u206a", "\ufff9", "\U0001d173", "\U000e0041", "\U000e0001"])  # fmt: skip
def test_each_dangerous_character_becomes_visible(ch):
    for shown in (inert(f"a{ch}b"), field(f"a{ch}b"), inert(f"a{ch}b", single_line=True)):
        assert not DANGEROUS.search(shown) and shown.startswith("a") and shown.endswith("b") and ch not in shown


def test_prose_keeps_what_writing_needs_and_fields_show_everything():
    family = "👨\u200d👩\u200d👧"  # an emoji sequence joined by ZERO WIDTH JOINER
    persian = "می\u200cخواهم"  # a ZERO WIDTH NON-JOINER inside a Persian word
    assert inert(family) == family and inert(persian) == persian and inert("two\nlines\ttab") == "two\nlines\ttab"
    assert field("bob\u200dx") == "bob\\u200dx" and field("a\nb") == "a\\x0ab"
    assert inert(OSC52) == "␛]52;c;ZXZpbA==\\x07␛[2J"
    scotland = "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"  # a flag made of tag characters
    assert inert(f"go {scotland}!") == f"go {scotland}!" and "\\ue0067" in field(scotland)
    assert inert("hidden\U000e0041\U000e0042") == "hidden\\ue0041\\ue0042"  # tags outside a flag: smuggled text


def test_widths_count_cells_so_ids_keep_their_digits():
    assert cells("日本語") == 6 and cells("abc") == 3 and cells("e\u0301") == 1
    cut = excerpt("日本語のテキストがとても長い", 9)
    assert cells(cut) <= 9 and cut.endswith("…")


def test_json_output_escapes_c1_and_invisible_characters_but_keeps_the_data():
    value = {"text": "ok \x9b31m \u202eevil \u200b \x1b", "ok": "日本 👍"}
    text = json_text(value)
    assert not DANGEROUS.search(text) and "日本 👍" in text
    assert json.loads(text) == value


# End to end, as a user's terminal sees it --------------------------------------------------------------


def youtube_thread(comment_id: str, text: str) -> dict:
    snippet = {"videoId": "vid1", "textDisplay": text, "textOriginal": text, "authorDisplayName": "@eve\x1b[5m",
               "authorChannelId": {"value": "UCeve"}, "likeCount": 0, "publishedAt": "2026-01-15T10:00:00Z",
               "updatedAt": "2026-01-15T10:00:00Z"}  # fmt: skip
    return {"kind": "youtube#commentThreadListResponse", "items": [
        {"kind": "youtube#commentThread", "id": comment_id,
         "snippet": {"videoId": "vid1", "totalReplyCount": 0, "topLevelComment": {"kind": "youtube#comment",
                     "id": comment_id, "snippet": snippet}}}]}  # fmt: skip


@pytest.fixture
def hostile(cli, workdir):
    """A store whose every field a face prints carries something a terminal would obey."""
    evil_source = "src\u202eevil"
    (workdir / "commwatch.toml").write_text(
        '[store]\npath = "inbox.db"\n'
        '[targets."pager\\u001b]0;T\\u0007"]\ntype = "command"\ncommand = ["false"]\n'
        '[alerts."spike\\u009b2J"]\nmetric = "all"\nwindow = "1h"\nbaseline = "1d"\n'
    )
    (workdir / "t.json").write_text(json.dumps(youtube_thread("Ugx" + OSC52, "hello " + OSC52 + " \u202eevil")))
    r = cli("import", "youtube", "t.json")
    assert r.returncode == 0, r.stderr
    db = sqlite3.connect(workdir / "inbox.db")
    with db:  # what an older version, another tool or a hand edit could have left in the file
        db.execute("UPDATE mentions SET source = ?, assignee = ?", (evil_source, "bob\x1b]0;T\x07"))
        db.execute("INSERT INTO mention_tags (mention_id, tag) VALUES (1, 'vip\x1b[31m')")
        db.execute("INSERT INTO alerts (name, metric, fired_at, window_start, window_end, count, baseline_mean, "
                   "baseline_std, threshold, target) VALUES ('spike\x9b2J', 'all', '2026-01-15T10:00:00Z', "
                   "'2026-01-15T09:00:00Z', '2026-01-15T10:00:00Z', 9, 1.0, 1.0, 4.0, 'pager\x1b]0;T\x07')")
    r = cli("escalate", "1", "--to", "pager\x1b]0;T\x07", "--note", "see \x1b[2J\u2066this\u2069")
    assert r.returncode == 0, r.stderr
    return workdir


@pytest.mark.parametrize(
    "args",
    [("show", "1"), ("inbox", "--status", "all"), ("outbox",), ("alerts",), ("rules", "test", "1"),
     ("show", "1", "--json"), ("inbox", "--status", "all", "--json"), ("outbox", "--json"), ("alerts", "--json")],
)  # fmt: skip
def test_no_command_prints_a_control_character(cli, hostile, args):
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    for stream in (r.stdout, r.stderr):
        assert not DANGEROUS.search(stream), repr(DANGEROUS.findall(stream))


def test_show_makes_each_field_visible(cli, hostile):
    out = cli("show", "1").stdout
    assert "youtube:Ugx␛]52;c;ZXZpbA==\\x07␛[2J" in out  # the id
    assert "source src\\u202eevil" in out  # the source
    assert "vip␛[31m" in out and "assignee: bob␛]0;T\\x07" in out  # a tag, the assignee
    assert "see ␛[2J\\u2066this\\u2069" in out  # the escalation note, in the history
    assert "@eve[5m" in out  # the author (the YouTube parser already drops C0 from names)
