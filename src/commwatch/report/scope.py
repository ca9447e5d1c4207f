"""Which mentions a report or an export covers: the inbox filters plus an end time, as SQL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from commwatch.model import InboxFilter
from commwatch.store.inbox import build_query


# Private messages are stored by the platforms that have them; the platform test comes first so
# that every other row is decided without reading its JSON.
# (coalesce: a missing key is not a message; CAST: JSON true reads 1 on both engines.)
NOT_A_MESSAGE = ("NOT (m.platform IN ('mastodon', 'discourse') AND "
                 "coalesce(json_extract(m.extra, '$.visibility') = 'direct' "
                 "OR CAST(json_extract(m.extra, '$.private_message') AS TEXT) = '1', false))")  # fmt: skip


@dataclass
class Scope:
    """The inbox filters (status None: every status) and `until` (exclusive), both ISO UTC.
    `messages`: whether private messages (Mastodon direct, Discourse personal) are covered; an
    export covers them, a report never does (it is forwarded, and they were written to the brand)."""

    filter: InboxFilter
    until: str | None = None
    messages: bool = True
    kind: str = "sqlite"  # the store's SQL dialect (store.dialect.of)

    @property
    def plus(self) -> str:
        """SQLite's unary + that keeps its planner off an index for a term (nothing on PostgreSQL)."""
        return "+" if self.kind == "sqlite" else ""

    @property
    def since(self) -> str | None:
        return self.filter.since

    def where(self, *, timeless: bool = False) -> tuple[str, list[Any]]:
        """' WHERE …' (or '') over `mentions m`, with its parameters.

        timeless: without since/until, for figures about now (the backlog) rather than the period.
        """
        f = replace(self.filter, limit=None, offset=0)
        if timeless:
            f.since = None
        prefix = "SELECT m.id FROM mentions m"
        sql, params = build_query(f, columns="m.id", kind=self.kind)
        assert sql.startswith(prefix), sql  # build_query's documented shape: SELECT cols FROM mentions m [WHERE …]
        where = sql[len(prefix) :]
        if self.until and not timeless:
            where += (" AND " if where else " WHERE ") + "m.created_at < ?"
            params = [*params, self.until]
        if not self.messages:
            where += (" AND " if where else " WHERE ") + NOT_A_MESSAGE
        return where, params

    def where_and(self, condition: str, *, timeless: bool = False) -> tuple[str, list[Any]]:
        """where() with one more condition."""
        where, params = self.where(timeless=timeless)
        return where + (" AND " if where else " WHERE ") + condition, params

    def cte(self, columns: str, *, timeless: bool = False, name: str = "scope") -> tuple[str, list[Any]]:
        """'WITH scope AS (SELECT <columns> FROM mentions m WHERE …)' for the figures' queries."""
        where, params = self.where(timeless=timeless)
        return f"WITH {name} AS (SELECT {columns} FROM mentions m{where})", params

    def describe(self) -> dict[str, Any]:
        f = self.filter
        chosen = {
            "status": f.status, "platform": f.platform, "sentiment": f.sentiment, "tag": f.tag,
            "assignee": f.assignee, "source": f.source, "search": f.search,
            "needs_reply": f.needs_reply or None,
        }  # fmt: skip
        return {k: v for k, v in chosen.items() if v is not None}
