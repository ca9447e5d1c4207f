"""commwatch.toml → typed configuration. Every error names the file and the key."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commwatch.config_targets import TargetError, check_target, looks_secret
from commwatch.connector import SourceConfig, SourceOptionError
from commwatch.store.url import PASSWORD_REFUSED, is_postgres, password_in

CONFIG_NAME = "commwatch.toml"
TARGET_TYPES = ("slack", "webhook", "email", "command")
DEFAULT_URGENT_KEYWORDS = ["refund", "outage", "hacked", "lawsuit", "down", "scam"]

_TOP_LEVEL = {"store", "sources", "triage", "rules", "targets", "templates", "alerts", "sla", "display", "team", "report"}
_SOURCE_COMMON = {"connector", "enabled", "api_base"}


class ConfigError(Exception):
    """A configuration problem: `key` is dotted (sources.brand-x.query), `path` the file."""

    def __init__(self, message: str, *, key: str | None = None, path: Path | None = None):
        self.key = key
        self.path = path
        self.message = message
        where = ": ".join(str(p) for p in (path, key) if p)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass
class Target:
    name: str
    type: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Config:
    path: Path | None = None  # None: no file found, defaults in force
    store_path: Path | None = None
    store_url: str | None = None  # a PostgreSQL database shared by a team
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    urgent_keywords: list[str] = field(default_factory=lambda: list(DEFAULT_URGENT_KEYWORDS))
    brand_handles: list[str] = field(default_factory=list)  # our own accounts: "is a reply to us"
    rules: list[Any] = field(default_factory=list)  # triage.rules.Rule
    targets: dict[str, Target] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    alert_rules: list[Any] = field(default_factory=list)  # triage.alerts.AlertRule
    sla: Any = None  # triage.sla.SLA: time to first response per level; None without an [sla] table
    display_timezone: str | None = None  # [display] timezone: how times are shown (else $TZ, else the system's)
    team: list[str] = field(default_factory=list)  # [team] members: who may be assigned (empty: anyone)
    report_exclude_words: list[str] = field(default_factory=list)  # [report] exclude_words: never "recurring words"


def user_config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "commwatch"


def user_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "commwatch"


def find_config(explicit: str | Path | None = None) -> Path | None:
    """--config, else $COMMWATCH_CONFIG, else ./commwatch.toml, else the user config dir."""
    chosen = explicit or os.environ.get("COMMWATCH_CONFIG")
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise ConfigError("no such configuration file", path=path)
        return path
    for candidate in (Path.cwd() / CONFIG_NAME, user_config_dir() / CONFIG_NAME):
        if candidate.is_file():
            return candidate
    return None


def load(explicit: str | Path | None = None) -> Config:
    path = find_config(explicit)
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML ({exc})", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot be read ({exc})", path=path) from None
    return parse(data, path)


def parse(data: dict[str, Any], path: Path | None = None) -> Config:
    """Validate a decoded commwatch.toml."""
    check = _Checker(path)
    for key in data:
        if key not in _TOP_LEVEL:
            check.fail(key, f"unknown section (expected one of: {', '.join(sorted(_TOP_LEVEL))})")
    config = Config(path=path)

    store = check.table(data, "store")
    check.keys(store, "store", {"path", "url"})
    if "url" in store:
        url = check.string(store, "store.url")
        if not is_postgres(url):
            check.fail("store.url", "must be a PostgreSQL URL (postgresql://…); a SQLite file is [store] path")
        if password_in(url):
            check.fail("store.url", PASSWORD_REFUSED)
        config.store_url = url
    if "path" in store:
        raw = check.string(store, "store.path")
        config.store_path = Path(raw).expanduser()
        if path is not None and not config.store_path.is_absolute():
            config.store_path = path.parent / config.store_path

    for name, table in check.table(data, "sources").items():
        config.sources[name] = _source(check, name, table)

    triage = check.table(data, "triage")
    check.keys(triage, "triage", {"urgent_keywords", "brand_handles"})
    if "urgent_keywords" in triage:
        config.urgent_keywords = check.string_list(triage, "triage.urgent_keywords")
    if "brand_handles" in triage:
        config.brand_handles = check.string_list(triage, "triage.brand_handles")

    for name, table in check.table(data, "targets").items():
        key = f"targets.{name}"
        if not isinstance(table, dict):
            check.fail(key, "must be a table")
        kind = check.string(table, f"{key}.type")
        if kind not in TARGET_TYPES:
            check.fail(f"{key}.type", f"unknown target type {kind!r} (expected one of: {', '.join(TARGET_TYPES)})")
        options = {k: v for k, v in table.items() if k != "type"}
        try:
            check_target(name, kind, options, path.parent if path else None)
        except TargetError as exc:
            check.fail(exc.key, str(exc))
        config.targets[name] = Target(name, kind, options)

    for name, table in check.table(data, "templates").items():
        key = f"templates.{name}"
        if not isinstance(table, dict):
            check.fail(key, "must be a table with a text key")
        check.keys(table, key, {"text"})
        config.templates[name] = check.string(table, f"{key}.text")

    report = check.table(data, "report")
    check.keys(report, "report", {"exclude_words"})
    if "exclude_words" in report:
        config.report_exclude_words = check.string_list(report, "report.exclude_words")

    display = check.table(data, "display")
    check.keys(display, "display", {"timezone"})
    if "timezone" in display:
        zone = check.string(display, "display.timezone")
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            check.fail("display.timezone", "must be a time zone such as \"Europe/Berlin\" or \"UTC\"")
        config.display_timezone = zone

    team = check.table(data, "team")
    check.keys(team, "team", {"members"})
    if "members" in team:
        config.team = check.string_list(team, "team.members")
        from commwatch.model import is_name

        for member in config.team:
            if not is_name(member) or member.strip() != member:
                check.fail("team.members", f"{member!r} is not a name (no control characters or surrounding spaces)")

    from commwatch.triage.sla import SLAError, parse_sla

    try:
        config.sla = parse_sla(check.table(data, "sla"))
    except SLAError as exc:
        check.fail(exc.key, str(exc))

    from commwatch.triage.rules import RuleError, parse_rules

    rules = data.get("rules", [])
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        check.fail("rules", "must be an array of tables ([[rules]])")
    try:
        config.rules = parse_rules(rules, set(config.targets))
    except RuleError as exc:
        check.fail(exc.key, str(exc))

    from commwatch.triage.alerts import AlertConfigError, parse_alerts

    try:
        config.alert_rules = parse_alerts(check.table(data, "alerts"), set(config.targets))
    except AlertConfigError as exc:
        check.fail(exc.key, str(exc))
    for rule in config.alert_rules:
        if rule.metric == "overdue" and config.sla is None:
            check.fail(f"alerts.{rule.name}.metric", "an overdue alert needs an [sla] table with response-time targets")
    return config


def _source(check: _Checker, name: str, table: Any) -> SourceConfig:
    key = f"sources.{name}"
    if not isinstance(table, dict):
        check.fail(key, "must be a table")
    connector = check.string(table, f"{key}.connector")
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        check.fail(f"{key}.enabled", "must be true or false")
    api_base = None
    if "api_base" in table:
        api_base = check.string(table, f"{key}.api_base").rstrip("/")
        if not api_base.startswith(("http://", "https://")):
            check.fail(f"{key}.api_base", "must start with http:// or https://")
    for option in table:
        if looks_secret(option):
            check.fail(f"{key}.{option}", "secrets do not belong in the file: set an environment variable instead")
    options = {k: v for k, v in table.items() if k not in _SOURCE_COMMON}
    return SourceConfig(name=name, connector=connector, enabled=enabled, api_base=api_base, options=options)


class _Checker:
    def __init__(self, path: Path | None):
        self.path = path

    def fail(self, key: str, message: str):
        raise ConfigError(message, key=key, path=self.path)

    def keys(self, table: dict[str, Any], key: str, known: set[str]) -> None:
        for option in table:
            if looks_secret(option) and option not in known:
                self.fail(f"{key}.{option}", "secrets do not belong in the file: set an environment variable instead")
            if option not in known:
                self.fail(f"{key}.{option}", f"unknown key (known: {', '.join(sorted(known))})")

    def table(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.fail(key, "must be a table")
        return value

    def string(self, table: dict[str, Any], key: str) -> str:
        leaf = key.rsplit(".", 1)[-1]
        if leaf not in table:
            self.fail(key, "is required")
        value = table[leaf]
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be a non-empty string")
        return value

    def string_list(self, table: dict[str, Any], key: str) -> list[str]:
        value = table[key.rsplit(".", 1)[-1]]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, "must be a list of strings")
        return value


def validate_sources(config: Config) -> None:
    """Check each source against its connector: the connector exists and knows every option.

    Loads connector classes (cheap: they import their SDKs lazily), so it is
    called by commands that use sources, not by every command.
    """
    from commwatch import registry

    for name, source in config.sources.items():
        key = f"sources.{name}"
        try:
            cls = registry.load(source.connector)
        except registry.UnknownConnector as exc:
            raise ConfigError(str(exc), key=f"{key}.connector", path=config.path) from None
        except registry.BrokenConnector:
            continue  # a plugin that fails to import fails its source in the sync, not the whole config
        for option in source.options:
            if option not in cls.options:
                known = ", ".join(sorted(_SOURCE_COMMON | set(cls.options)))
                raise ConfigError(
                    f"unknown option for the {source.connector} connector (known: {known})",
                    key=f"{key}.{option}",
                    path=config.path,
                )
        try:
            cls.check_options(source.options)
        except SourceOptionError as exc:
            raise ConfigError(str(exc), key=f"{key}.{exc.key}", path=config.path) from None
