import tomllib
from pathlib import Path

import pytest

from commwatch import config
from commwatch.config import ConfigError

ROOT = Path(__file__).parents[2]


def parse(text: str) -> config.Config:
    return config.parse(tomllib.loads(text), Path("/etc/cw/commwatch.toml"))


def test_example_config_parses_and_validates():
    cfg = config.load(ROOT / "commwatch.toml")
    config.validate_sources(cfg)
    assert cfg.sources["demo"].connector == "demo"
    assert cfg.sources["brand-x"].options["query"].startswith("(acme")
    assert cfg.store_path == ROOT / "commwatch.db"
    assert "refund" in cfg.urgent_keywords
    assert cfg.targets["team"].type == "command"  # the demo's escalations stay on this machine
    assert cfg.templates["sorry"].startswith("Hi {author}")


@pytest.mark.parametrize(
    "text, key, words",
    [
        ("[sources.a]\nquery = 'x'", "sources.a.connector", "is required"),
        ("[sources.a]\nconnector = 3", "sources.a.connector", "non-empty string"),
        ("[sources.a]\nconnector = 'x'\nenabled = 'yes'", "sources.a.enabled", "true or false"),
        ("[sources.a]\nconnector = 'x'\napi_base = 'localhost:80'", "sources.a.api_base", "http://"),
        ("[sources.a]\nconnector = 'x'\nbearer_token = 'abc'", "sources.a.bearer_token", "environment variable"),
        ("[store]\npath = 5", "store.path", "non-empty string"),
        ("[triage]\nurgent_keywords = 'refund'", "triage.urgent_keywords", "list of strings"),
        ("[targets.pr]\ntype = 'pager'", "targets.pr.type", "unknown target type"),
        ("[templates.t]\nbody = 'hi'", "templates.t.body", "unknown key"),
        ("[templates.t]\n", "templates.t.text", "is required"),
        ("[sorces.a]\nconnector = 'x'", "sorces", "unknown section"),
        ("rules = 3", "rules", "array of tables"),
    ],
)
def test_errors_name_the_file_and_the_key(text, key, words):
    with pytest.raises(ConfigError) as info:
        parse(text)
    assert info.value.key == key
    assert words in str(info.value)
    assert str(info.value).startswith(f"/etc/cw/commwatch.toml: {key}: ")


def test_unknown_connector_and_option_are_named():
    cfg = parse("[sources.brand]\nconnector = 'myspace'")
    with pytest.raises(ConfigError) as info:
        config.validate_sources(cfg)
    assert info.value.key == "sources.brand.connector"
    assert "installed: " in str(info.value) and "reddit" in str(info.value)

    cfg = parse("[sources.brand]\nconnector = 'x'\nquerry = 'acme'")
    with pytest.raises(ConfigError) as info:
        config.validate_sources(cfg)
    assert info.value.key == "sources.brand.querry"
    assert "query" in str(info.value)


def test_invalid_toml_names_the_file(tmp_path):
    bad = tmp_path / "commwatch.toml"
    bad.write_text("[sources.a\nconnector = 'x'")
    with pytest.raises(ConfigError) as info:
        config.load(bad)
    assert str(bad) in str(info.value) and "not valid TOML" in str(info.value)


def test_discovery_order(workdir, monkeypatch):
    assert config.find_config() is None  # nothing anywhere: defaults
    user = workdir / "xdg-config" / "commwatch" / "commwatch.toml"
    user.parent.mkdir(parents=True)
    user.write_text("")
    assert config.find_config() == user
    local = workdir / "commwatch.toml"
    local.write_text("")
    assert config.find_config() == local
    env = workdir / "env.toml"
    env.write_text("")
    monkeypatch.setenv("COMMWATCH_CONFIG", str(env))
    assert config.find_config() == env
    explicit = workdir / "explicit.toml"
    explicit.write_text("")
    assert config.find_config(explicit) == explicit
    with pytest.raises(ConfigError, match="no such configuration file"):
        config.find_config(workdir / "missing.toml")


def test_store_path_is_relative_to_the_config_file(tmp_path):
    f = tmp_path / "sub" / "commwatch.toml"
    f.parent.mkdir()
    f.write_text("[store]\npath = 'data/inbox.db'")
    assert config.load(f).store_path == tmp_path / "sub" / "data" / "inbox.db"
