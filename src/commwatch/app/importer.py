"""`commwatch import`: raw API responses (JSON, or JSON Lines of them) → ingest.

Files are read line by line, so memory stays flat however long the file is.
A line that cannot be parsed is reported with its file and line number and
skipped; everything valid lands, triaged and ruled exactly as a sync stores it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from commwatch.app.ingest import ingest, parser_for
from commwatch.config import Config
from commwatch.connector import PayloadError
from commwatch.model import Mention

BATCH = 2000  # mentions per transaction


@dataclass
class ImportProblem:
    where: str  # "file.jsonl line 7"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ImportResult:
    payloads: int = 0
    mentions: int = 0
    new: int = 0
    updated: int = 0
    escalated: int = 0  # by rules
    problems: list[ImportProblem] = field(default_factory=list)


def read_payloads(name: str, handle: IO[str]) -> Iterator[tuple[str, Any] | ImportProblem]:
    """Yield (where, decoded JSON) for each response in a JSON or JSON Lines stream.

    When the first non-blank line is not JSON on its own, the stream is tried
    as one (pretty-printed) document; if that fails too, it is read line by
    line and each bad line reported.
    """
    lines = enumerate(handle, start=1)
    for number, line in lines:
        if line.strip():
            break
    else:
        return
    try:
        first = json.loads(line)
    except json.JSONDecodeError as exc:
        rest = handle.read()
        try:
            yield (name, json.loads(line + rest))
            return
        except json.JSONDecodeError:
            yield ImportProblem(f"{name} line {number}", f"not valid JSON ({exc.msg})")
            lines = enumerate(rest.splitlines(keepends=True), start=number + 1)
    else:
        yield (f"{name} line {number}", first)
    yield from _json_lines(name, lines)


def _json_lines(name: str, lines: Iterable[tuple[int, str]]) -> Iterator[tuple[str, Any] | ImportProblem]:
    for number, line in lines:
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            yield (where, json.loads(line))
        except json.JSONDecodeError as exc:
            yield ImportProblem(where, f"not valid JSON ({exc.msg})")


def import_streams(
    conn: sqlite3.Connection,
    config: Config,
    platform: str,
    streams: Iterable[tuple[str, IO[str]]],
    source: str = "import",
) -> ImportResult:
    parse = parser_for(platform)
    result = ImportResult()
    batch: list[Mention] = []

    def flush() -> None:
        if batch:
            saved = ingest(conn, config, source, batch)
            result.new += saved.new
            result.updated += saved.updated
            result.escalated += saved.escalated
            batch.clear()

    for name, handle in streams:
        for item in read_payloads(name, handle):
            if isinstance(item, ImportProblem):
                result.problems.append(item)
                continue
            where, payload = item
            try:
                mentions = parse(payload)
            except PayloadError as exc:
                result.problems.append(ImportProblem(where, f"not a {platform} API response ({exc})"))
                continue
            result.payloads += 1
            batch.extend(mentions)
            result.mentions += len(mentions)
            if len(batch) >= BATCH:
                flush()
    flush()
    return result
