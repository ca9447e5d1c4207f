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
# PostgreSQL reads the same words from each row's stored search_document (store/pg/migrations) and its GIN index.
_PG_QUERY = "to_tsquery('commwatch', ?)"
PG_MATCHES = (f"SELECT id FROM mentions WHERE search_document @@ {_PG_QUERY} UNION "
              f"SELECT mention_id FROM notes WHERE search_document @@ {_PG_QUERY}")  # fmt: skip
PG_MATCHES_ROW = (f"(m.search_document @@ {_PG_QUERY} OR EXISTS (SELECT 1 FROM notes n "
                  f"WHERE n.mention_id = m.id AND n.search_document @@ {_PG_QUERY}))")  # fmt: skip
MATCHES = ("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ? UNION "
           "SELECT n.mention_id FROM notes n JOIN notes_fts ON notes_fts.rowid = n.id WHERE notes_fts MATCH ?")  # fmt: skip
_COLUMN = {"platform": "m.platform", "status": "m.status", "assignee": "m.assignee", "sentiment": "m.sentiment_label"}


# The same test for one mention at a time: cheap while a walk of the inbox in order meets a match
# every few rows (a word in a large share of the mentions), where collecting every match is not.
MATCHES_ROW = ("(EXISTS (SELECT 1 FROM mentions_fts WHERE mentions_fts MATCH ? AND rowid = m.id) OR EXISTS "
               "(SELECT 1 FROM notes n JOIN notes_fts ON notes_fts.rowid = n.id WHERE n.mention_id = m.id "
               "AND notes_fts MATCH ?))")  # fmt: skip


_WORD = re.compile(r"[^\W_]+")


def _lexemes(term: str) -> str | None:
    """One FTS5 term ('"word"', '"word"*', '"two words"') as tsquery text: its words (split where
    SQLite's unicode61 tokenizer splits them), adjacent, the last a prefix when the term was."""
    prefix = term.endswith("*")
    words = _WORD.findall(term.rstrip("*")[1:-1].replace('""', '"'))
    if not words:
        return None
    quoted = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words]
    if prefix:
        quoted[-1] += ":*"
    return "(" + " <-> ".join(quoted) + ")"


def tsquery(groups: list[list[str]]) -> str | None:
    """The AND of ORs of FTS5 terms as PostgreSQL tsquery text; None when a group has no word at all
    (as FTS5, such a search matches nothing)."""
    out = []
    for group in groups:
        terms = [t for t in (_lexemes(term) for term in group) if t]
        if not terms:
            return None
        out.append("(" + " | ".join(terms) + ")")
    return " & ".join(out)


def conditions(search: Search, with_fts: bool = True, per_row: bool = False,
               kind: str = "sqlite") -> tuple[list[str], list[Any]]:  # fmt: skip
    """SQL conditions over `mentions m` for the search (the positive FTS part only when `with_fts`;
    tested row by row with `per_row`), in the dialect `kind`."""
    where: list[str] = []
    params: list[Any] = []
    postgres = kind == "postgres"
    positive = (tsquery(search.groups) if postgres else search.fts()) if search.groups else None
    if with_fts and search.groups and positive is None:
        where.append("1 = 0")
    elif with_fts and positive:
        row, matches = (PG_MATCHES_ROW, PG_MATCHES) if postgres else (MATCHES_ROW, MATCHES)
        where.append(row if per_row else f"m.id IN ({matches})")
        params += [positive, positive]
    excluded = (tsquery([search.excluded]) if postgres else search.fts_excluded()) if search.excluded else None
    if excluded:
        where.append(f"m.id NOT IN ({PG_MATCHES if postgres else MATCHES})")
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
        where.append(f"NOT coalesce(({sql}), false)" if negated else sql)  # NOT alone would drop the NULLs (nobody assigned)
        params.append(value)
    return where, params
