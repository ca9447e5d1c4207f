"""The inbox's search language, turned into FTS5 and SQL that cannot be malformed.

    refund invoice            both words (AND)
    refund OR chargeback      either
    -spam                     not this word
    "status page"             the phrase
    deploy*                   words starting with deploy
    author:dana  platform:x  tag:billing  status:open  assignee:maria  sentiment:negative
                              fields (a leading - excludes: -tag:spam)

Words match text, title, author handle and name, and notes. Every word is quoted
before it reaches FTS5, so no input is an FTS syntax error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

FIELDS = {"author", "platform", "tag", "status", "assignee", "sentiment"}
_TOKEN = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)"?|(\S+))')


@dataclass
class Search:
    groups: list[list[str]] = field(default_factory=list)  # AND of ORs of FTS terms
    excluded: list[str] = field(default_factory=list)  # FTS terms none of which may match
    fields: list[tuple[str, str, bool]] = field(default_factory=list)  # (field, value, excluded)

    def fts(self) -> str | None:
        """The positive FTS5 expression, or None when only fields or exclusions were given."""
        if not self.groups:
            return None
        return " AND ".join("(" + " OR ".join(g) + ")" for g in self.groups)

    def fts_excluded(self) -> str | None:
        return " OR ".join(self.excluded) if self.excluded else None


def _term(word: str, phrase: bool) -> str | None:
    prefix = not phrase and word.endswith("*")
    word = word.rstrip("*") if prefix else word
    if not word.strip():
        return None
    return '"' + word.replace('"', '""') + '"' + ("*" if prefix else "")


def parse(text: str) -> Search:
    search = Search()
    pending_or = False
    for match in _TOKEN.finditer(text or ""):
        minus, name, quoted, bare = match.groups()
        phrase = quoted is not None
        value = quoted if phrase else bare
        if not phrase and not minus and name is None and value == "OR":
            pending_or = bool(search.groups)
            continue
        if name is not None and name.lower() in FIELDS and value:
            search.fields.append((name.lower(), value, bool(minus)))
            pending_or = False
            continue
        if name is not None:  # a colon that is not a field: the whole thing is a word ("10:30")
            value = f"{name}:{value}"
        term = _term(value or "", phrase)
        if term is None:
            continue
        if minus:
            search.excluded.append(term)
        elif pending_or:
            search.groups[-1].append(term)
        else:
            search.groups.append([term])
        pending_or = False
    return search


# The mentions whose text, title or author matches, or one of whose notes does (two FTS parameters).
MATCHES = ("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ? UNION "
           "SELECT n.mention_id FROM notes n JOIN notes_fts ON notes_fts.rowid = n.id WHERE notes_fts MATCH ?")  # fmt: skip
_COLUMN = {"platform": "m.platform", "status": "m.status", "assignee": "m.assignee", "sentiment": "m.sentiment_label"}


# The same test for one mention at a time: cheap while a walk of the inbox in order meets a match
# every few rows (a word in a large share of the mentions), where collecting every match is not.
MATCHES_ROW = ("(EXISTS (SELECT 1 FROM mentions_fts WHERE mentions_fts MATCH ? AND rowid = m.id) OR EXISTS "
               "(SELECT 1 FROM notes n JOIN notes_fts ON notes_fts.rowid = n.id WHERE n.mention_id = m.id "
               "AND notes_fts MATCH ?))")  # fmt: skip


def conditions(search: Search, with_fts: bool = True, per_row: bool = False) -> tuple[list[str], list[Any]]:
    """SQL conditions over `mentions m` for the search (the positive FTS part only when `with_fts`;
    tested row by row with `per_row`)."""
    where: list[str] = []
    params: list[Any] = []
    positive = search.fts()
    if with_fts and positive:
        where.append(MATCHES_ROW if per_row else f"m.id IN ({MATCHES})")
        params += [positive, positive]
    excluded = search.fts_excluded()
    if excluded:
        where.append(f"m.id NOT IN ({MATCHES})")
        params += [excluded, excluded]
    for name, value, negated in search.fields:
        if name == "tag":
            sql = "m.id IN (SELECT mention_id FROM mention_tags WHERE tag = ?)"
        elif name == "author":
            sql = "lower(m.author_handle) = ?"
            value = value.lstrip("@").lower()
        else:
            sql = f"{_COLUMN[name]} = ?"
            value = value.lower() if name in ("platform", "status", "sentiment") else value
        where.append(f"({sql}) IS NOT 1" if negated else sql)  # NOT would drop the NULLs (nobody assigned)
        params.append(value)
    return where, params
