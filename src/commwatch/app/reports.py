"""Reports and exports: the read-only figures of commwatch.report and the files of commwatch.export, for the faces."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from commwatch.model import InboxFilter
from commwatch.report.scope import Scope

if TYPE_CHECKING:
    from commwatch.app.session import Session

__all__ = ["Scope", "report", "html", "text_lines", "plain", "export", "export_file", "EXPORT_FORMATS"]

EXPORT_FORMATS = ("csv", "jsonl")


def report(session: Session, f: InboxFilter, until: str | None, now: datetime, *, compare: bool = True) -> dict[str, Any]:
    """Every figure about the mentions created in the period that match the filters (the `--json` shape),
    with the previous period's headline figures beside them unless `compare` is off."""
    from commwatch.report.build import build_report
    from commwatch.report.keywords import words_of

    config = session.config
    brand = [*config.brand_handles, *config.report_exclude_words]
    for source in config.sources.values():  # what a source searches for is the brand's name, mostly
        for key in ("query", "mentions", "hashtags", "tag", "account"):
            value = source.options.get(key)
            brand += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    return build_report(session.conn, Scope(f, until), now, own=tuple(config.brand_handles), sla=config.sla,
                        zone=session.zone, compare=compare, exclude_words=words_of(brand))  # fmt: skip


def html(data: dict[str, Any]) -> str:
    """One self-contained HTML page: inline SVG charts, no scripts, nothing fetched."""
    from commwatch.report import html as render

    return render.render(data)


def text_lines(data: dict[str, Any], width: int, fancy: bool) -> list[list[tuple[str, str]]]:
    """The terminal report as lines of (text, style) chunks."""
    from commwatch.report import text

    return text.render(data, width=width, fancy=fancy)


def plain(lines: list[list[tuple[str, str]]]) -> str:
    from commwatch.report import text

    return text.plain(lines)


def export(session: Session, f: InboxFilter, until: str | None, fmt: str, out: TextIO) -> int:
    """The mentions, oldest first, streamed to `out` as CSV or JSON Lines; returns how many."""
    from commwatch import export as core

    return core.write(session.conn, Scope(f, until), fmt, out)


def export_file(session: Session, f: InboxFilter, until: str | None, fmt: str, path: Path) -> int:
    """Written beside `path` and renamed when complete: the file is whole or absent."""
    from commwatch import export as core

    return core.write_file(session.conn, Scope(f, until), fmt, path)
