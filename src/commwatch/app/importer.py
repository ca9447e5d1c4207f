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

from functools import partial

from commwatch.app.ingest import Prepared, parser_for, prepare, store
from commwatch.app.ours import Brand
from commwatch.app.ours import parse as parse_brand
from commwatch.config import Config
from commwatch.connector import PayloadError, split

CHUNK_BYTES = 1_000_000  # input per chunk (about 2,000 tweets of X API v2): one transaction each
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


def read_payloads(name: str, handle: IO[bytes]) -> Iterator[tuple[str, str | Any, bool] | ImportProblem]:
    """Yield (where, text, False) for each line of a JSON Lines stream (decoded later, where it is
    parsed: in a worker process on a big import), or (where, payload, True) once for a stream that
    is one (pretty-printed) JSON document.

    When the first non-blank line is not JSON on its own, the stream is tried as one document;
    if that fails too, it is read line by line and each bad line reported.
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
        _decode_json(line)
    except ValueError as exc:
        rest = list(numbered)
        if not any(isinstance(text, ImportProblem) for _, text in rest):
            try:
                yield (name, _decode_json(line + "".join(text for _, text in rest)), True)
                return
            except ValueError:
                pass
        yield ImportProblem(f"{name} line {number}", str(exc))
        numbered = iter(rest)
    else:
        yield (f"{name} line {number}", line, False)
    for number, line in numbered:
        if isinstance(line, ImportProblem):
            yield line
        elif line.strip():
            yield (f"{name} line {number}", line, False)


# Importing ----------------------------------------------------------------------------


@dataclass
class Chunk:
    """What a chunk of lines became: read, parsed and triaged (in this process or a worker)."""

    prepared: Prepared = field(default_factory=Prepared)
    payloads: int = 0
    mentions: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    set_aside: list[ImportProblem] = field(default_factory=list)  # one per reject, by line


def prepare_chunk(platform: str, items: list[tuple[str, str | Any, bool]], urgent_keywords: list[str],
                  brand: Brand) -> Chunk:  # fmt: skip
    """Decode, parse and triage a chunk of lines; a bad line costs itself only."""
    parse = parser_for(platform)
    out = Chunk()
    for where, text, decoded in items:
        try:
            payload = text if decoded else _decode_json(text)
        except ValueError as exc:
            out.problems.append(ImportProblem(where, str(exc)))
            continue
        try:
            mentions, aside = split(parse(payload))
        except PayloadError as exc:
            out.problems.append(ImportProblem(where, f"not a {platform} API response ({exc})"))
            continue
        except (RecursionError, MemoryError):
            out.problems.append(ImportProblem(where, "nested too deeply or too large to read"))
            continue
        except Exception as exc:  # a parser bug costs this line only
            out.problems.append(ImportProblem(where, f"the {platform} connector could not read it "
                                                     f"({type(exc).__name__}: {exc})"))  # fmt: skip
            continue
        out.payloads += 1
        out.mentions += len(mentions)
        out.set_aside += [ImportProblem(where, f"an item was set aside: {r.reason}") for r in aside]
        out.prepared.extend(prepare(mentions, aside, urgent_keywords, brand, lambda _, w=where: w))
    return out


def chunks(streams: Iterable[tuple[str, IO[bytes]]]) -> Iterator[list]:
    """The streams' lines in chunks of about CHUNK_BYTES, each line's reading problem in its place."""
    chunk: list = []
    size = 0
    for name, handle in streams:
        for item in read_payloads(name, handle):
            if isinstance(item, ImportProblem):
                chunk.append(item)
                continue
            chunk.append(item)
            size += len(item[1]) if not item[2] else CHUNK_BYTES
            if size >= CHUNK_BYTES:
                yield chunk
                chunk, size = [], 0
    if chunk:
        yield chunk


def import_streams(
    conn: sqlite3.Connection,
    config: Config,
    platform: str,
    streams: Iterable[tuple[str, IO[bytes]]],
    source: str = "import",
    brand: Brand | None = None,
    workers: int | None = None,
) -> ImportResult:
    """Read, parse, triage and store; with more than one worker and more than one chunk of input,
    the reading of JSON, parsing and triage run in worker processes (app/pipeline.py) while this
    process stores each chunk, in the file's order, one transaction a chunk."""
    from commwatch.app.pipeline import run_chunks

    parser_for(platform)  # an unknown platform is refused before anything is read
    brand = brand if brand is not None else parse_brand(config.brand_handles)
    result = ImportResult()
    named = 0
    work = partial(_split_problems, platform=platform, keywords=config.urgent_keywords, brand=brand)
    for early, done in run_chunks(chunks(streams), work, workers):
        result.problems += early
        result.problems += done.problems
        result.payloads += done.payloads
        result.mentions += done.mentions
        for note in done.set_aside:
            if named < SHOWN_REJECTS:
                result.set_aside.append(note)
            named += 1
        saved = store(conn, config, source, done.prepared)
        result.new += saved.new
        result.updated += saved.updated
        result.escalated += saved.escalated
        result.rejected += saved.rejected
    if named > SHOWN_REJECTS:
        result.set_aside.append(ImportProblem("", f"{named - SHOWN_REJECTS} more items set aside (`commwatch rejects`)"))
    return result


def _split_problems(chunk: list, platform: str, keywords: list[str], brand: Brand) -> tuple[list[ImportProblem], Chunk]:
    """A chunk as read (lines, and problems met while reading) → (the reading problems, the prepared chunk)."""
    early = [item for item in chunk if isinstance(item, ImportProblem)]
    items = [item for item in chunk if not isinstance(item, ImportProblem)]
    return early, prepare_chunk(platform, items, keywords, brand)
