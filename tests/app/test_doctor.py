"""`commwatch doctor`: every missing variable at once, and with --live one real request per source and
capability against the fake X, Reddit and YouTube servers, through the real SDK clients; never a secret."""

import json
import sqlite3

import prawcore.sessions
import pytest

from fakes.reddit_server import CLIENT_ID, CLIENT_SECRET, PASSWORD, REFRESH_TOKEN, USERNAME, FakeReddit
from fakes.x_server import running
from fakes.youtube_server import ACME_CHANNEL
from fakes.youtube_server import ENV as YOUTUBE_ENV
from fakes.youtube_server import YouTubeFake

X_ENV = {
    "X_BEARER_TOKEN": "AAAAbearer-secret-value-0001",
    "X_API_KEY": "consumer-key-value-0002",
    "X_API_SECRET": "consumer-secret-value-0003",
    "X_ACCESS_TOKEN": "2000000-access-token-value-0004",
    "X_ACCESS_TOKEN_SECRET": "access-token-secret-value-0005",
}
REDDIT_SCRIPT = {"REDDIT_CLIENT_ID": CLIENT_ID, "REDDIT_CLIENT_SECRET": CLIENT_SECRET,
                 "REDDIT_USERNAME": USERNAME, "REDDIT_PASSWORD": PASSWORD}  # fmt: skip


@pytest.fixture
def x():
    with running() as fake:
        fake.add_user("acmecloud", me=True)
        fake.bearer = X_ENV["X_BEARER_TOKEN"]
        yield fake


@pytest.fixture
def reddit():
    server = FakeReddit().start()
    yield server
    server.stop()


@pytest.fixture
def youtube():
    fake = YouTubeFake()
    with fake.serving():
        yield fake


def findings(result) -> dict[str, list[tuple[str, str]]]:
    by_subject: dict[str, list[tuple[str, str]]] = {}
    for f in json.loads(result.stdout):
        by_subject.setdefault(f["subject"], []).append((f["state"], f["message"]))
    return by_subject


def configure(workdir, text: str) -> None:
    (workdir / "commwatch.toml").write_text('[store]\npath = "inbox.db"\n' + text)


def test_every_missing_variable_is_named_at_once_offline(cli, workdir):
    configure(workdir, """
[sources.bx]
connector = "x"
query = "acme"
[sources.br]
connector = "reddit"
query = "acme"
[sources.off]
connector = "youtube"
channel_id = "UCabcdefghijklmnopqrstuv"
enabled = false
[targets.chat]
type = "slack"
url_env = "CHAT_HOOK"
[targets.ops]
type = "command"
command = ["/no/such/program"]
""")
    result = cli("doctor", "--json", env={"REDDIT_CLIENT_ID": "id-value-123"})
    assert result.returncode == 1
    got = findings(result)
    assert got["source bx"] == [
        ("problem", "reading needs X_BEARER_TOKEN: set it"),
        ("warning", "replying and moderating need X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN and "
                    "X_ACCESS_TOKEN_SECRET: until then, answer on the platform itself"),
    ]  # fmt: skip
    assert got["source br"][0] == ("problem", "reading needs REDDIT_CLIENT_SECRET: set it")
    assert got["source br"][1][1].startswith("replying and moderating need REDDIT_CLIENT_SECRET, plus either "
                                             "REDDIT_USERNAME and REDDIT_PASSWORD, or REDDIT_REFRESH_TOKEN")  # fmt: skip
    assert got["source off"] == [("ok", "disabled (enabled = false): sync skips it")]
    assert got["target chat"] == [("problem", "set CHAT_HOOK: what is sent to it waits until then")]
    assert got["target ops"] == [("problem", "'/no/such/program' is not a program that can be run from here")]
    assert got["database"][0][0] == "ok" and "does not exist yet" in got["database"][0][1]
    assert "id-value-123" not in result.stdout + result.stderr
    human = cli("doctor", env={"REDDIT_CLIENT_ID": "id-value-123"})
    assert human.returncode == 1 and human.stdout.rstrip().endswith("4 problems and 2 warnings.")
    assert "source bx\n  problem  reading needs X_BEARER_TOKEN: set it\n" in human.stdout


def test_all_set_is_exit_0_and_does_not_touch_the_network(cli, workdir):
    configure(workdir, '[sources.bx]\nconnector = "x"\nquery = "acme"\napi_base = "http://127.0.0.1:9"\n')
    result = cli("doctor", env=X_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "reading: X_BEARER_TOKEN is set" in result.stdout
    assert "replying: X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET are set" in result.stdout
    assert result.stdout.rstrip().endswith("Everything is set up.")


def test_live_checks_reading_and_replying_on_each_platform(cli, workdir, x, reddit, youtube):
    configure(workdir, f"""
[sources.bx]
connector = "x"
mentions = "acmecloud"
api_base = "{x.url}"
[sources.br]
connector = "reddit"
subreddits = ["acme"]
api_base = "{reddit.url}"
[sources.yt]
connector = "youtube"
channel_id = "{ACME_CHANNEL}"
api_base = "{youtube.url}"
""")
    env = {**X_ENV, **REDDIT_SCRIPT, **YOUTUBE_ENV}
    result = cli("doctor", "--live", "--json", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    got = findings(result)
    assert ("ok", "reading works: the bearer token was accepted (looked up @acmecloud)") in got["source bx"]
    assert ("ok", "replying works: signed in as @acmecloud") in got["source bx"]
    assert ("ok", f"reading works: logged in as u/{USERNAME}") in got["source br"]
    assert ("ok", f"replying works: logged in as u/{USERNAME}") in got["source br"]
    assert ("ok", "reading works: the API key was accepted (1 quota unit)") in got["source yt"]
    assert ("ok", f"replying works: authorised as channel {ACME_CHANNEL} (1 quota unit)") in got["source yt"]
    # One cheap request per capability: nothing is fetched, nothing is written.
    assert x.count("GET", "/2/users/by/username/acmecloud") == 1 and x.count("GET", "/2/users/me") == 1
    assert x.count("POST") == 0 and x.count("GET", "/2/users/1/mentions") == 0
    assert [c.path for c in youtube.requests] == ["commentThreads", "/token", "channels"]
    assert youtube.units == 2
    assert reddit.api_calls() == []  # a script login is proven by its token request
    assert not (workdir / "inbox.db").exists() or sqlite3.connect(workdir / "inbox.db").execute(
        "SELECT COUNT(*) FROM mentions").fetchone()[0] == 0  # fmt: skip
    secrets = [value for name, value in env.items() if name != "REDDIT_USERNAME"]
    assert not any(secret in result.stdout + result.stderr for secret in secrets)


def test_live_says_what_fails_without_printing_the_secret(cli, workdir, x, reddit, youtube, monkeypatch):
    configure(workdir, f"""
[sources.bx]
connector = "x"
query = "acme"
api_base = "{x.url}"
[sources.br]
connector = "reddit"
query = "acme"
api_base = "{reddit.url}"
[sources.yt]
connector = "youtube"
query = "acme cloud"
api_base = "{youtube.url}"
""")
    wrong = {"X_BEARER_TOKEN": "wrong-bearer-value-999", "REDDIT_CLIENT_ID": CLIENT_ID,
             "REDDIT_CLIENT_SECRET": CLIENT_SECRET, "REDDIT_USERNAME": USERNAME,
             "REDDIT_PASSWORD": "wrong-password-999", "YOUTUBE_API_KEY": "wrong-api-key-999"}  # fmt: skip
    result = cli("doctor", "--live", "--json", env=wrong)
    assert result.returncode == 1
    got = findings(result)
    [(state, said)] = [f for f in got["source bx"] if "works" in f[1] or "fails" in f[1]]
    assert state == "problem" and said.startswith("reading fails:") and "X_BEARER_TOKEN" in said
    reddit_live = [f for f in got["source br"] if "fails" in f[1]]
    assert reddit_live and all("REDDIT_PASSWORD" in said for _, said in reddit_live)
    [(state, said)] = [f for f in got["source yt"] if "fails" in f[1] or "works" in f[1]]
    assert state == "problem" and "YOUTUBE_API_KEY" in said
    assert [c.path for c in youtube.requests] == ["videos"]  # a search-only source never spends search quota
    assert not any(value in result.stdout + result.stderr for value in wrong.values() if "wrong" in value)


def test_live_with_a_refresh_token_asks_reddit_who_we_are(cli, workdir, reddit, monkeypatch):
    monkeypatch.setattr(prawcore.sessions.FiniteRetryStrategy, "_sleep_seconds", lambda self: None)
    configure(workdir, f'[sources.br]\nconnector = "reddit"\nquery = "acme"\napi_base = "{reddit.url}"\n')
    env = {"REDDIT_CLIENT_ID": CLIENT_ID, "REDDIT_CLIENT_SECRET": CLIENT_SECRET, "REDDIT_REFRESH_TOKEN": REFRESH_TOKEN}
    result = cli("doctor", "--live", "--json", env=env)
    assert result.returncode == 0, result.stdout
    assert ("ok", "reading works: logged in (refresh token)") in findings(result)["source br"]
    assert ("ok", f"replying works: logged in as u/{USERNAME}") in findings(result)["source br"]
    assert [c.path for c in reddit.api_calls()] == ["/api/v1/me"]


def test_a_broken_config_and_an_unknown_source_are_said_once(cli, workdir):
    configure(workdir, '[sources.bx]\nconnector = "x"\nquery = "acme"\nmax_per_sync = "lots"\n')
    result = cli("doctor")
    assert result.returncode == 3 and "sources.bx.max_per_sync" in result.stderr and "Traceback" not in result.stderr
    configure(workdir, '[sources.bx]\nconnector = "x"\nquery = "acme"\n')
    result = cli("doctor", "--source", "nope")
    assert result.returncode == 2 and "no source named 'nope' (configured: bx)" in result.stderr


def test_a_database_from_a_newer_commwatch_is_a_problem(cli, workdir):
    configure(workdir, "")
    db = sqlite3.connect(workdir / "inbox.db")
    db.execute("PRAGMA user_version = 999")
    db.commit()
    result = cli("doctor", "--json")
    assert result.returncode == 1
    assert findings(result)["database"] == [("problem", f"{workdir / 'inbox.db'} was written by a newer commwatch (schema 999)")]
