"""Which mentions a verb acts on: ids on the command line, or `-` for ids on stdin.

    commwatch tag 42 43 billing          ids first, then the tags
    commwatch tag 42 43 --add 2026       with --add every argument is an id (a tag that looks like one)
    commwatch inbox --json | commwatch close -
    commwatch inbox --needs-reply | commwatch assign - me

An id is a local number (42) or PLATFORM:REMOTE_ID (x:1850…). On stdin: the
`inbox --json` array, or one id per line (the first word of each line, so the
`inbox` table can be piped; its header line is skipped).
"""

from __future__ import annotations

import json
import re
import sys

import typer

_LOCAL = re.compile(r"\d+")
_QUALIFIED = re.compile(r"[a-z][a-z0-9_]*:\S+")


def looks_like_id(arg: str) -> bool:
    return arg == "-" or bool(_LOCAL.fullmatch(arg) or _QUALIFIED.fullmatch(arg))


def split(args: list[str], what: str) -> tuple[list[str], list[str]]:
    """(ids, the rest): the leading arguments that are ids, then the values (tags, a name…)."""
    ids: list[str] = []
    for i, arg in enumerate(args):
        if not looks_like_id(arg):
            return ids, args[i:]
        ids.append(arg)
    return ids, []


def only_ids(args: list[str]) -> list[str]:
    for arg in args:
        if not looks_like_id(arg):
            raise typer.BadParameter(f"{arg!r} is not an id (a number from the inbox, or PLATFORM:REMOTE_ID)",
                                     param_hint="ID")  # fmt: skip
    return args


def expand(ids: list[str]) -> list[str]:
    """The ids, with `-` replaced by the ids read from stdin (in order, each once)."""
    out: list[str] = []
    for ref in ids:
        out += from_stdin() if ref == "-" else [ref]
    if not out:
        raise typer.BadParameter("name at least one mention (an id, or - to read ids from stdin)", param_hint="ID")
    return list(dict.fromkeys(out))


def from_stdin() -> list[str]:
    text = sys.stdin.read()
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"stdin is not a JSON array of mentions ({exc.msg})", param_hint="-") from None
        ids = [str(item["id"]) if isinstance(item, dict) and "id" in item else str(item) for item in items]
    else:
        ids = []
        for number, line in enumerate(text.splitlines(), start=1):
            word = (line.split() or [""])[0]
            if not word or word == "ID":  # a blank line, or the inbox table's header
                continue
            if not looks_like_id(word) or word == "-":
                raise typer.BadParameter(f"stdin line {number}: {word[:40]!r} is not an id", param_hint="-")
            ids.append(word)
    return ids
