"""A third-party-style connector for tests: it plays a JSON script.

Installed for the tests by putting tests/plugins on sys.path (its .dist-info
registers it in the commwatch.connectors group, as any plugin would be).

Script file (the source's `script` option):
    {"streams": {"NAME": [STEP, ...]}}
STEP is one of
    {"mentions": [{"id": "1", "text": "...", "author": "ann", "followers": 10, "at": "2026-01-01T00:00:00Z"}],
     "units": 3}                   (units: optional quota cost of the page)
    {"error": "message"}           raises ConnectorError
    {"crash": "message"}           raises RuntimeError (a connector bug)
    {"sleep": seconds}             pauses (for lock and kill tests)
Each mentions step is a page whose cursor is {"step": index + 1}; a resumed
fetch skips the steps before the cursor.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from commwatch.connector import FETCH, Connector, ConnectorError, Page, parse_time
from commwatch.model import Author, Mention


class ScriptedConnector(Connector):
    name = "scripted"
    description = "plays a scripted sequence of pages (tests only)"
    platforms = ("scripted",)
    capabilities = frozenset({FETCH})
    options = ("script", "require_env")

    def __init__(self, source, env):
        super().__init__(source, env)
        if self.option("require_env"):
            self.require_env(self.option("require_env"))
        self.script = json.loads(Path(self.option("script")).read_text())

    def streams(self):
        return list(self.script["streams"])

    def fetch(self, stream, cursor):
        start = (cursor or {}).get("step", 0)
        for index, step in enumerate(self.script["streams"][stream]):
            if index < start:
                continue
            if "sleep" in step:
                time.sleep(step["sleep"])
            elif "error" in step:
                raise ConnectorError(step["error"])
            elif "crash" in step:
                raise RuntimeError(step["crash"])
            else:
                yield Page([_mention(m) for m in step["mentions"]], cursor={"step": index + 1}, units=step.get("units", 0))


def _mention(m: dict) -> Mention:
    return Mention(
        platform="scripted",
        remote_id=str(m["id"]),
        text=m.get("text", ""),
        created_at=parse_time(m.get("at", "2026-01-01T00:00:00Z")),
        author=Author(handle=m.get("author", "someone"), followers=m.get("followers")),
        metrics=m.get("metrics", {}),
    )
