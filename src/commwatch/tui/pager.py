"""The inbox, a page at a time: what the list shows without ever loading the whole inbox.

Rows come from the session's views (Views.inbox) in pages of `page_size`, kept in a small LRU
cache. A page is read by key (after the row that ends the page before it, or before the row that
starts the page after it), or from the nearer end of the list, so moving anywhere in a million
rows costs the same as at the top; an OFFSET into the middle only for a jump with nothing near. The exact number of rows is not needed to start:
until a count arrives (computed in the background, see InboxScreen) or a short
page reveals the end, the list is as long as what was loaded plus one page.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Any

from commwatch.model import InboxFilter


class InboxPager:
    def __init__(self, views, filter: InboxFilter, page_size: int = 100, max_pages: int = 64):
        self.views = views
        self.filter = replace(filter, limit=None, offset=0)
        self.page_size = page_size
        self.max_pages = max_pages
        self._pages: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
        self.total: int | None = None  # exact, once known
        self._extent = 0  # rows known to exist (loaded pages), when total is unknown
        self._beyond = 1 << 62  # rows known not to exist from this index on
        self.queries = 0  # pages read from the store (tests check paging with it)

    # Reading -----------------------------------------------------------------

    def get(self, index: int) -> dict[str, Any] | None:
        if index < 0 or (self.total is not None and index >= self.total):
            return None
        page, offset = divmod(index, self.page_size)
        rows = self._page(page)
        return rows[offset] if offset < len(rows) else None

    def cached(self, index: int) -> dict[str, Any] | None:
        """The row if its page is loaded; never queries."""
        page, offset = divmod(index, self.page_size)
        rows = self._pages.get(page)
        return rows[offset] if rows is not None and offset < len(rows) else None

    def _page(self, page: int) -> list[dict[str, Any]]:
        rows = self._pages.get(page)
        if rows is not None:
            self._pages.move_to_end(page)
            return rows
        rows = self.views.inbox(self._query(page))
        self.queries += 1
        self._pages[page] = rows
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        start = page * self.page_size
        if rows:
            self._extent = max(self._extent, start + len(rows))
            if len(rows) < self.page_size:
                self.total = start + len(rows)  # a short page is the last one
        elif page == 0:
            self.total = 0
        else:
            self._beyond = min(self._beyond, start)  # nothing from here on
            if self._extent >= start:
                self.total = start
        return rows

    def _query(self, page: int) -> InboxFilter:
        """The cheapest way to a page: after the page before it, before the page after it, or from
        whichever end is nearer; an OFFSET into the middle only when nothing near it is known."""
        size = self.page_size
        before, after = self._pages.get(page - 1), self._pages.get(page + 1)
        if page > 0 and before and len(before) == size and self._key(before[-1]) is not None:
            return replace(self.filter, limit=size, after=self._key(before[-1]))
        if after and self._key(after[0]) is not None:
            return replace(self.filter, limit=size, after=self._key(after[0]), backwards=True)
        nearer_the_end = self.total is not None and (page + 1) * size > self.total - page * size
        if page > 0 and nearer_the_end and self.views.keyed(self.filter):
            skip = max(0, self.total - (page + 1) * size)  # rows after this page
            count = min(size, self.total - page * size)
            if count > 0:
                return replace(self.filter, limit=count, offset=skip, backwards=True)
        return replace(self.filter, limit=size, offset=page * size)

    def _key(self, row: dict[str, Any]) -> tuple | None:
        """The row's key in the listing's order (None when the listing is paged by offset)."""
        return self.views.sort_key(row, self.filter)

    # Size --------------------------------------------------------------------

    @property
    def rows(self) -> int:
        """How many rows the list has now: exact when known, else what was seen plus a page."""
        if self.total is not None:
            return self.total
        return min(self._extent + self.page_size, self._beyond)

    @property
    def label(self) -> str:
        """"1,234" when the count is known, "100+" while it is not."""
        if self.total is not None:
            return f"{self.total:,}"
        return f"{self._extent:,}+"

    def count(self) -> int:
        """Count every matching row now (slow on a million rows: the screen calls it in a worker)."""
        self.total = self.views.count(self.filter)
        return self.total

    # Finding a mention after the rows moved ---------------------------------

    def find(self, mention_id: int, near: int, before: int = 0, after: int = 0) -> int | None:
        """The index of `mention_id` within [near - before, near + after], loading those pages."""
        start = max(0, near - before)
        stop = near + after
        for index in range(start, stop + 1):
            row = self.get(index)
            if row is None:
                if self.total is not None and index >= self.total:
                    break
                continue
            if row["id"] == mention_id:
                return index
        return None
