"""`commwatch import`: raw API responses (JSON, or JSON Lines of them) → ingest.

Files are read as bytes, line by line, so memory stays flat however long the
file is, and any of them can be read: UTF-8 with or without a BOM, UTF-16 and
UTF-32 (found by their BOM, or by the zero bytes of their first characters).
A line that cannot be decoded or parsed is reported with its file and line
number and skipped; an item of a good line that cannot become a mention is set
aside as a reject (`commwatch rejects`) with the same file and line; everything
valid lands, triaged and ruled exactly as a sync stores it, in batches that a
bad item never rolls back.
"""

from __future__ import annotations

import codecs
import io
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from commwatch.app.ingest import ingest, parser_for
from commwatch.app.ours import Brand
from commwatch.config import Config
from commwatch.connector import PayloadError, Rejected, split
from commwatch.model import Mention

BATCH = 2000  # mentions per transaction
SHOWN_REJECTS = 20  # rejects named one by one in the output; the rest are counted (`commwatch rejects` has all)


@dataclass
class ImportProblem:
    where: str  # "file.jsonl line 7"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class ImportResult:
    payloads: int = 0
    mentions: int = 0
    new: int = 0
    updated: int = 0
    rejected: int = 0  # items set aside
    escalated: int = 0  # by rules
    problems: list[ImportProblem] = field(default_factory=list)  # lines that could not be read
    set_aside: list[ImportProblem] = field(default_factory=list)  # the first rejected items, by line


# Decoding ---------------------------------------------------------------------------

_BOMS = [(codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]  # fmt: skip


def _encoding(head: bytes) -> tuple[str, int]:
    """(encoding, BOM length) of a stream starting with `head`. JSON starts with an ASCII
    character, so UTF-16 without a BOM shows a zero byte beside it."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, len(bom)
    if len(head) >= 4 and head[:3] == b"\0\0\0":
        return "utf-32-be", 0
    if len(head) >= 4 and head[1:4] == b"\0\0\0":
        return "utf-32-le", 0
    if len(head) >= 2 and head[0] == 0:
        return "utf-16-be", 0
    if len(head) >= 2 and head[1] == 0:
        return "utf-16-le", 0
    return "utf-8", 0


def lines(name: str, handle: IO[bytes]) -> Iterator[tuple[int, str | ImportProblem]]:
    """(line number, text) of each line, or an ImportProblem for a line that is not text in the file's encoding."""
    stream = handle if isinstance(handle, io.BufferedReader) else io.BufferedReader(handle)  # type: ignore[arg-type]
    encoding, bom = _encoding(stream.peek(4)[:4])
    if bom:
        stream.read(bom)
    if encoding != "utf-8":  # a wide encoding: decode the stream, replacing what is broken (said once)
        text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
        for number, line in enumerate(text, start=1):
            yield number, line
        return
    for number, raw in enumerate(stream, start=1):
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, ImportProblem(f"{name} line {number}", f"not valid UTF-8 (byte {exc.start + 1})")


def _decode_json(text: str) -> Any:
    """json.loads, with the failures it can have on hostile input said in one sentence (ValueError)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise ValueError("nested too deeply to be an API response") from None
    except ValueError as exc:  # an integer of thousands of digits
        raise ValueError(f"not usable JSON ({exc})") from None


def read_payloads(name: str, handle: IO[bytes]) -> Iterator[tuple[str, Any] | ImportProblem]:
    """Yield (where, decoded JSON) for each response in a JSON or JSON Lines stream.

    When the first non-blank line is not JSON on its own, the stream is tried
    as one (pretty-printed) document; if that fails too, it is read line by
    line and each bad line reported.
    """
    numbered = lines(name, handle)
    for number, line in numbered:
        if isinstance(line, ImportProblem):
            yield line
            continue
        if line.strip():
            break
    else:
        return
    try:
        first = _decode_json(line)
    except ValueError as exc:
        rest = list(numbered)
        if not any(isinstance(text, ImportProblem) for _, text in rest):
            try:
                yield (name, _decode_json(line + "".join(text for _, text in rest)))
                return
            except ValueError:
                pass
        yield ImportProblem(f"{name} line {number}", str(exc))
        numbered = iter(rest)
    else:
        yield (f"{name} line {number}", first)
    for number, line in numbered:
        if isinstance(line, ImportProblem):
            yield line
        elif line.strip():
            where = f"{name} line {number}"
            try:
                yield (where, _decode_json(line))
            except ValueError as exc:
                yield ImportProblem(where, str(exc))


# Importing ----------------------------------------------------------------------------


def import_streams(
    conn: sqlite3.Connection,
    config: Config,
    platform: str,
    streams: Iterable[tuple[str, IO[bytes]]],
    source: str = "import",
    brand: Brand | None = None,
) -> ImportResult:
    parse = parser_for(platform)
    result = ImportResult()
    batch: list[Mention] = []
    rejects: list[Rejected] = []
    origins: dict[int, str] = {}  # id(mention or reject) → "file line N"

    def flush() -> None:
        if batch or rejects:
            saved = ingest(conn, config, source, batch, rejects=rejects, origins=origins, brand=brand)
            result.new += saved.new
            result.updated += saved.updated
            result.escalated += saved.escalated
            result.rejected += saved.rejected
            batch.clear()
            rejects.clear()
            origins.clear()

    named = 0
    for name, handle in streams:
        for item in read_payloads(name, handle):
            if isinstance(item, ImportProblem):
                result.problems.append(item)
                continue
            where, payload = item
            try:
                mentions, aside = split(parse(payload))
            except PayloadError as exc:
                result.problems.append(ImportProblem(where, f"not a {platform} API response ({exc})"))
                continue
            except (RecursionError, MemoryError):
                result.problems.append(ImportProblem(where, "nested too deeply or too large to read"))
                continue
            except Exception as exc:  # a parser bug costs this line only
                result.problems.append(ImportProblem(where, f"the {platform} connector could not read it "
                                                            f"({type(exc).__name__}: {exc})"))  # fmt: skip
                continue
            result.payloads += 1
            result.mentions += len(mentions)
            for reject in aside:
                if named < SHOWN_REJECTS:
                    result.set_aside.append(ImportProblem(where, f"an item was set aside: {reject.reason}"))
                named += 1
            for x in (*mentions, *aside):
                origins[id(x)] = where
            batch.extend(mentions)
            rejects.extend(aside)
            if len(batch) >= BATCH:
                flush()
    flush()
    if named > SHOWN_REJECTS:
        result.set_aside.append(ImportProblem("", f"{named - SHOWN_REJECTS} more items set aside (`commwatch rejects`)"))
    return result
