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

import os

from commwatch.connector import (
    FETCH,
    IMPORT,
    MODERATE,
    REPLY,
    Connector,
    ConnectorError,
    Page,
    PermanentError,
    PostedReply,
    TransientError,
    parse_time,
)
from commwatch.model import Author, Mention


class ScriptedConnector(Connector):
    name = "scripted"
    description = "plays a scripted sequence of pages (tests only)"
    platforms = ("scripted",)
    capabilities = frozenset({FETCH, REPLY, MODERATE})
    options = ("script", "require_env", "posted")
    moderation_actions = ("hide", "unhide")
    reply_limit = 280

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


    # Replies: appended to the `posted` JSON file, as the platform would store them.
    # SCRIPTED_REPLY_FAULT=transient|permanent fails before posting; =bug raises what no
    # connector should; =die-after-post posts and then kills the process before commwatch can record it.

    def _posted(self) -> list:
        path = Path(self.option("posted"))
        return json.loads(path.read_text()) if path.exists() else []

    def reply(self, target, text):
        fault = os.environ.get("SCRIPTED_REPLY_FAULT", "")
        if fault == "transient":
            raise TransientError("the platform answered 503")
        if fault == "permanent":
            raise PermanentError("the platform says the post was deleted")
        if fault == "bug":
            raise RuntimeError("connector bug")
        posted = self._posted()
        reply_id = f"r{len(posted) + 1}"
        posted.append({"id": reply_id, "in_reply_to": target.remote_id, "text": text})
        Path(self.option("posted")).write_text(json.dumps(posted))
        if fault == "die-after-post":
            os._exit(137)
        return PostedReply(reply_id, f"https://scripted.example/{reply_id}")

    def find_reply(self, target, text):
        for p in self._posted():
            if p["in_reply_to"] == target.remote_id and p["text"] == text:
                return PostedReply(p["id"], f"https://scripted.example/{p['id']}")
        return None

    def moderate(self, target, action, *, ban=False):
        if target.remote_id == "forbidden":
            raise PermanentError("you do not own the conversation")


class ImportOnlyConnector(Connector):
    """A plugin that can only parse saved responses (no live fetching)."""

    name = "importonly"
    description = "parses saved responses only (tests only)"
    platforms = ("scripted",)
    capabilities = frozenset({IMPORT})

    @classmethod
    def parse(cls, payload):
        if not isinstance(payload, dict) or not isinstance(payload.get("items", []), list):
            from commwatch.connector import PayloadError

            raise PayloadError("not an importonly response")
        return [_mention(m) for m in payload.get("items", []) if isinstance(m, dict) and "id" in m]


def _mention(m: dict) -> Mention:
    return Mention(
        platform="scripted",
        remote_id=str(m["id"]),
        text=m.get("text", ""),
        created_at=parse_time(m.get("at", "2026-01-01T00:00:00Z")),
        author=Author(handle=m.get("author", "someone"), followers=m.get("followers")),
        metrics=m.get("metrics", {}),
    )
