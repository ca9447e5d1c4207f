"""Walking a newest-first Reddit listing incrementally, with a cursor that is safe after every page.

A stream's cursor (the JSON the engine commits with each page)::

    {"mark": {"name": "t3_abc", "utc": 1767225660.0} | null,
     "gap":  {"top": {"name": …, "utc": …}, "after": "t3_xyz", "read": 200} | null}

``mark`` is the newest item of the last *completed* walk: it and everything
older are stored. A walk reads from the top of the listing (no ``after``) down
with ``after=<last fullname>`` (``limit`` 100) and stops at the first item that
is the mark or older than it, at the end of the listing, or, on a first walk
(no mark), after ``backfill`` items.

The mark only moves when a walk completes. A walk that needs more than one page
leaves a ``gap`` in the cursor of every page but its last: ``top`` is the item
that will become the mark, ``after`` where to continue, ``read`` how many items
the walk has passed (for the backfill bound). If commwatch is killed (or Reddit
answers 429) between pages, the next sync continues the gap down to the old
mark, moves the mark to ``top``, then reads the top of the listing once more
for what arrived meanwhile. Nothing is skipped; at worst a page is read twice,
and the store ignores duplicates.

If the item named by ``after`` has vanished since (deleted, removed), Reddit
answers an empty page; the walk then restarts from the top with the old mark.

Costs: an incremental walk with nothing new is one request (its first item is
the mark); each further 100 new items cost one more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

PAGE_SIZE = 100  # Reddit's maximum `limit`


@dataclass(frozen=True)
class Item:
    """Where one listing child sits: its fullname and creation time."""

    name: str
    utc: float | None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "utc": self.utc}

    @classmethod
    def from_json(cls, value: Any) -> Item | None:
        if not isinstance(value, dict) or not isinstance(value.get("name"), str) or not value["name"]:
            return None
        utc = value.get("utc")
        if isinstance(utc, bool) or not isinstance(utc, (int, float)):
            utc = None
        return cls(value["name"], None if utc is None else float(utc))

    def is_at_or_before(self, mark: Item) -> bool:
        """This child is the mark, or older than it: already stored."""
        if self.name == mark.name:
            return True
        return self.utc is not None and mark.utc is not None and self.utc < mark.utc


@dataclass
class Gap:
    top: Item
    after: str
    read: int


@dataclass
class Cursor:
    mark: Item | None = None
    gap: Gap | None = None

    @classmethod
    def load(cls, value: Any) -> Cursor:
        """A stored cursor; anything this version did not write reads as a first walk."""
        if not isinstance(value, dict):
            return cls()
        mark = Item.from_json(value.get("mark"))
        gap = None
        raw_gap = value.get("gap")
        if isinstance(raw_gap, dict):
            top = Item.from_json(raw_gap.get("top"))
            after, read = raw_gap.get("after"), raw_gap.get("read")
            if top and isinstance(after, str) and after and isinstance(read, int) and not isinstance(read, bool):
                gap = Gap(top, after, max(0, read))
        return cls(mark, gap)

    def to_json(self) -> dict[str, Any]:
        gap = None
        if self.gap is not None:
            gap = {"top": self.gap.top.to_json(), "after": self.gap.after, "read": self.gap.read}
        return {"mark": self.mark.to_json() if self.mark else None, "gap": gap}


def children_of(body: Any) -> tuple[list[dict[str, Any]], str | None]:
    """The raw children of a Listing body and its `after`; ([], None) for anything else."""
    data = body.get("data") if isinstance(body, dict) and body.get("kind") == "Listing" else None
    if not isinstance(data, dict):
        return [], None
    children = [c for c in data.get("children") or [] if isinstance(c, dict) and isinstance(c.get("data"), dict)]
    after = data.get("after")
    return children, after if isinstance(after, str) and after else None


def item_of(child: dict[str, Any]) -> Item | None:
    data = child["data"]
    name = data.get("name")
    if not isinstance(name, str) or not name:
        short, kind = data.get("id"), child.get("kind")
        if not (isinstance(short, str) and short and isinstance(kind, str)):
            return None
        name = f"{kind}_{short}"
    utc = data.get("created_utc")
    if isinstance(utc, bool) or not isinstance(utc, (int, float)):
        utc = None
    return Item(name, None if utc is None else float(utc))


GetPage = Callable[[str | None, int], Any]  # (after, limit) → decoded Listing body


def walk(get_page: GetPage, stored: Any, backfill: int) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """Yield (new raw children, cursor to commit with them) once per request, newest first."""
    cursor = Cursor.load(stored)
    resuming = cursor.gap is not None  # finishing a walk an earlier sync left open
    first_request = True
    while True:
        gap = cursor.gap
        read = gap.read if gap else 0
        limit = PAGE_SIZE if cursor.mark else max(1, min(PAGE_SIZE, backfill - read))
        children, listing_after = children_of(get_page(gap.after if gap else None, limit))
        if gap is not None and not children and first_request:
            # The item to continue after has vanished: start over from the top, keeping the old mark.
            cursor.gap, resuming, first_request = None, False, False
            yield [], cursor.to_json()
            continue
        first_request = False
        located = [(child, item_of(child)) for child in children]
        located = [(child, item) for child, item in located if item is not None]
        top = gap.top if gap else (located[0][1] if located else None)
        new: list[dict[str, Any]] = []
        reached = False
        for child, item in located:
            if cursor.mark is not None and item.is_at_or_before(cursor.mark):
                reached = True
                break
            if cursor.mark is None and read + len(new) >= backfill:
                break
            new.append(child)
        read += len(new)
        budget_spent = cursor.mark is None and read >= backfill
        if reached or budget_spent or not listing_after or not located:
            cursor.mark, cursor.gap = (top or cursor.mark), None
            yield new, cursor.to_json()
            if not resuming:
                return
            resuming = False  # the gap is closed: now read what arrived above it
            continue
        cursor.gap = Gap(top, listing_after, read)
        yield new, cursor.to_json()
