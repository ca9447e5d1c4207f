"""`commwatch doctor`: what is set up, what is missing, and (with `live`) whether it works.

Every finding is about one subject (the configuration, the database, a source,
a target) and is ok, a warning (something optional cannot work yet: replying
without write credentials) or a problem (something configured will fail: a
source that cannot read, a target whose variable is unset). Variables are
checked all at once, so one run names everything to set. `live` makes one
cheap authenticated request per source and capability (Connector.probe);
nothing else touches the network, and no value of a variable is ever shown.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from commwatch import registry
from commwatch.app.secrets import redact
from commwatch.config import Config, Target
from commwatch.connector import FETCH, MODERATE, REPLY, Connector, ConnectorError, SourceConfig, SourceOptionError
from commwatch.store.db import SCHEMA_VERSION, StoreError, peek
from commwatch.store.url import is_postgres

OK, WARNING, PROBLEM = "ok", "warning", "problem"


@dataclass
class Finding:
    subject: str  # "config", "database", "source brand-x", "target team"
    state: str  # ok | warning | problem
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Doctor:
    def __init__(self, config: Config, db_path: Path, env: Mapping[str, str], *, live: bool = False):
        self.config = config
        self.db_path = db_path
        self.env = env
        self.live = live

    def run(self, only: list[str] | None = None) -> list[Finding]:
        found = [self._config(), self._database()]
        for name, source in self.config.sources.items():
            if only is None or name in only:
                found += self._source(source)
        if only is None:
            for target in self.config.targets.values():
                found += self._target(target)
        return found

    def _config(self) -> Finding:
        if self.config.path is None:
            return Finding("config", WARNING, "no commwatch.toml found: `commwatch init` writes one")
        return Finding("config", OK, str(self.config.path))

    def _database(self) -> Finding:
        path = self.db_path
        postgres = is_postgres(path)
        if not postgres and not path.exists():
            return Finding("database", OK, f"{path} does not exist yet: the first sync creates it")
        try:
            version, mentions = peek(path)  # read only: nothing is created or migrated
        except StoreError as exc:
            return Finding("database", PROBLEM, str(exc))
        if version > SCHEMA_VERSION:
            return Finding("database", PROBLEM, f"{path} was written by a newer commwatch (schema {version})")
        if postgres:
            if version == 0:
                return Finding("database", OK, f"{path} holds no commwatch tables yet: the first sync creates them")
            return Finding("database", OK, f"{path}: {mentions} mentions (PostgreSQL)")
        if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            return Finding("database", PROBLEM, f"{path} cannot be written: syncs and changes will fail")
        return Finding("database", OK, f"{path}: {mentions} mentions")

    def _source(self, source: SourceConfig) -> list[Finding]:
        subject = f"source {source.name}"
        if not source.enabled:
            return [Finding(subject, OK, "disabled (enabled = false): sync skips it")]
        try:
            cls = registry.load(source.connector)
        except (registry.UnknownConnector, registry.BrokenConnector) as exc:
            return [Finding(subject, PROBLEM, str(exc))]
        reading = self._reading(subject, cls, source)
        writing = self._writing(subject, cls, source) if {REPLY, MODERATE} & cls.capabilities else None
        live = self.live and reading.state == OK and FETCH in cls.capabilities
        if not live:
            return [reading] + ([writing] if writing else [])
        try:
            connector = cls(source, self.env)
        except (ConnectorError, SourceOptionError) as exc:
            return [reading, Finding(subject, PROBLEM, f"cannot start: {self._say(exc)}")] + ([writing] if writing else [])
        try:
            found = [reading, self._ask(subject, connector, "reading")]
            if writing is not None:
                found.append(writing)
                if writing.state == OK:
                    found.append(self._ask(subject, connector, "replying"))
            return found
        finally:
            try:
                connector.close()
            except Exception:  # closing must never hide what was found
                pass

    def _reading(self, subject: str, cls: type[Connector], source: SourceConfig) -> Finding:
        if FETCH not in cls.capabilities:
            return Finding(subject, WARNING, f"the {cls.name} connector cannot fetch: load saved responses "
                                             f"with `commwatch import {cls.name} FILE`")  # fmt: skip
        missing = cls.missing(self.env, options=source.options)
        if missing:
            return Finding(subject, PROBLEM, f"reading needs {_names(missing[0])}: set {_it(missing[0])}")
        if not cls.credentials:
            return Finding(subject, OK, "reading needs no credentials")
        return Finding(subject, OK, f"reading: {_names(cls.credentials)} {_is(cls.credentials)} set")

    def _writing(self, subject: str, cls: type[Connector], source: SourceConfig) -> Finding:
        missing = cls.missing(self.env, write=True, options=source.options)
        if not missing:
            renamed = _renamed(cls, source)
            ready = next((names for names in ([renamed.get(n, n) for n in names] for names in cls.write_credentials)
                          if all(self.env.get(n) for n in names)), ())  # fmt: skip
            return Finding(subject, OK, f"replying: {_names(ready)} {_is(ready)} set" if ready
                           else "replying needs no credentials")  # fmt: skip
        return Finding(subject, WARNING, f"replying and moderating need {_choices(missing)}: "
                                         "until then, answer on the platform itself")  # fmt: skip

    def _ask(self, subject: str, connector: Connector, capability: str) -> Finding:
        try:
            said = connector.probe(write=capability == "replying")
        except NotImplementedError:
            return Finding(subject, WARNING, f"{capability} cannot be checked live for {connector.name} sources")
        except ConnectorError as exc:
            return Finding(subject, PROBLEM, f"{capability} fails: {self._say(exc)}")
        except Exception as exc:  # a connector bug is a finding too, not a traceback
            return Finding(subject, PROBLEM, f"{capability} fails: unexpected {type(exc).__name__}: {self._say(exc)}")
        return Finding(subject, OK, f"{capability} works: {self._say(said)}")

    def _target(self, target: Target) -> list[Finding]:
        subject = f"target {target.name}"
        unset = [name for key, name in target.options.items() if key.endswith("_env") and not self.env.get(name)]
        if target.type == "webhook" and target.options.get("url"):
            unset = [n for n in unset if n != target.options.get("url_env")]
        if unset:
            return [Finding(subject, PROBLEM, f"set {_names(unset)}: what is sent to it waits until then")]
        if target.type == "command":
            argv = target.options.get("command") or [""]
            if shutil.which(argv[0]) is None:
                return [Finding(subject, PROBLEM, f"{argv[0]!r} is not a program that can be run from here")]
        return [Finding(subject, OK, f"{target.type} target, nothing missing")]

    def _say(self, value: Any) -> str:
        return redact(str(value), self.env)


def problems(found: list[Finding]) -> int:
    return sum(f.state == PROBLEM for f in found)


def _renamed(cls: type[Connector], source: SourceConfig) -> dict[str, str]:
    try:
        return cls.variables(source.options)
    except ConnectorError:
        return {}


def _choices(missing: list[list[str]]) -> str:
    """Alternative sets of unset variables, the names they share said once:
    "A and B, plus either C and D, or E"."""
    common = [n for n in missing[0] if all(n in unset for unset in missing)]
    rest = [[n for n in unset if n not in common] for unset in missing]
    if len(missing) == 1 or not all(rest):
        return _names(missing[0])
    either = "either " + ", or ".join(_names(r) for r in rest)
    return f"{_names(common)}, plus {either}" if common else either


def _names(names: list[str] | tuple[str, ...]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _it(names: list[str] | tuple[str, ...]) -> str:
    return "it" if len(names) == 1 else "them"


def _is(names: list[str] | tuple[str, ...]) -> str:
    return "is" if len(names) == 1 else "are"
