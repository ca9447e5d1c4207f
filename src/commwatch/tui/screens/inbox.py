"""The main screen: the list, the selected mention in full, filters and search.

The verbs on the selected mention are in verbs.py (the session's verbs, and
undo) and replying.py (the session's replies and outbox); InboxScreen mixes
them in. Slow reads (the total count; the thread, replies and history of the
selected mention) run in worker threads on sessions of their own, so the list
never waits.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

from commwatch.app.errors import DatabaseFailure, interrupted
from commwatch.model import InboxFilter
from commwatch.text import inert
from commwatch.tui import format
from commwatch.tui.commands import InboxCommands
from commwatch.tui.keymap import INBOX_KEYS
from commwatch.tui.pager import InboxPager
from commwatch.tui.screens.filters import FilterScreen
from commwatch.tui.screens.help import HelpScreen
from commwatch.tui.screens.prompt import PromptScreen
from commwatch.tui.screens.replying import Replying
from commwatch.tui.screens.verbs import Verbs
from commwatch.tui.undo import UndoStack
from commwatch.tui.widgets.column_header import ColumnHeader
from commwatch.tui.widgets.detail import DetailPane
from commwatch.tui.widgets.key_bar import KeyBar
from commwatch.tui.widgets.mention_list import MentionList
from commwatch.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from commwatch.tui.app import CommwatchApp


class InboxScreen(Verbs, Replying, Screen):
    BINDINGS = [Binding(k.keys, k.action, k.label, key_display=k.shown.split()[0]) for k in INBOX_KEYS]
    COMMANDS = {InboxCommands}
    app: CommwatchApp

    def __init__(self, filter: InboxFilter | None = None):
        super().__init__()
        self.filter = replace(filter or InboxFilter(), limit=None, offset=0)
        self.undo = UndoStack()
        self.new_count = 0
        self.generation = 0
        self.counting = False
        self._detail_timer: Timer | None = None
        self._detail_reader = None  # the detail worker's session, to interrupt its query
        self._extras: tuple[int, object] | None = None  # (mention id, its MentionDetail) last shown

    # Layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self.pager = InboxPager(self.app.session.views, self.filter, self.app.page_size)
        yield StatusBar(id="status")
        yield ColumnHeader(id="columns")
        yield MentionList(self.pager, self.app.now, id="mentions")
        yield DetailPane(id="detail")
        yield KeyBar(id="keys")

    @property
    def mentions(self) -> MentionList:
        return self.query_one(MentionList)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    @property
    def session(self):
        return self.app.session

    def on_mount(self) -> None:
        self.session.poll()  # the baseline for the next polls
        self.reload()
        self.mentions.focus()
        if self.app.poll_interval:
            self.set_interval(self.app.poll_interval, self.poll)

    # Loading -----------------------------------------------------------------

    def reload(self, keep: int | None = None, near: int = 0, moved: int = 0) -> None:
        """Read the list afresh; keep the cursor on mention `keep` if it is still within
        `moved` rows of where it was, else stay at that position (the next mention)."""
        self.generation += 1
        self.pager = InboxPager(self.session.views, self.filter, self.app.page_size)
        index = near
        if keep is not None:
            found = self.pager.find(keep, near, before=min(near, self.app.page_size), after=moved + self.app.page_size)
            index = near if found is None else found
        self.mentions.reset(self.pager, index)
        self._start_count()
        self.update_status()

    def _start_count(self) -> None:
        if self.pager.total is not None:
            self.counting = False
            return
        self.counting = True
        self._count(self.generation, self.filter)

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def _count(self, generation: int, f: InboxFilter) -> None:
        reader = self.app.reader()
        try:
            n = reader.views.count(f)
        finally:
            reader.close()
        self.app.call_from_thread(self._counted, generation, n)

    def _counted(self, generation: int, n: int) -> None:
        if generation != self.generation:
            return
        self.counting = False
        self.pager.total = n
        self.mentions.rows_changed()
        self.update_status()

    def update_status(self) -> None:
        row = self.mentions.current if self.is_mounted else None
        self.query_one(StatusBar).show(self.filter, self.pager.label, self.mentions.cursor if row else None,
                                       self.new_count, "counting…" if self.counting else "")  # fmt: skip

    def poll(self) -> None:
        """Every few seconds: has another process written? (one PRAGMA when nothing happened)"""
        try:
            changed, new = self.session.poll()
        except DatabaseFailure as exc:
            self.notify(f"database: {exc}", severity="error", markup=False)
            return
        if not changed:
            return
        if new:
            self.new_count += new
            self.notify(f"{new} new mention{'s' if new != 1 else ''}", markup=False)
        current = self.mentions.current
        self.reload(keep=current["id"] if current else None, near=self.mentions.cursor, moved=new)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A bug in a background task: say so in one line (the log has the traceback), and carry on."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.app.worker_errors.append(error)
            self.notify(f"internal error in {event.worker.name}: {type(error).__name__}: {inert(str(error))}",
                        severity="error", markup=False, timeout=10)  # fmt: skip

    # The selected mention ----------------------------------------------------

    def on_mention_list_highlighted(self, message: MentionList.Highlighted) -> None:
        self.update_status()
        m = message.mention
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if m is None:
            empty = "nothing matches these filters" if self.filter != InboxFilter(limit=None) else "the inbox is empty"
            self.detail.show(Text(empty, style="dim"))
            return
        # The same mention again (a reload): keep what was shown below it, and the scroll, until fresh extras land.
        same = self._extras is not None and self._extras[0] == m["id"]
        self.detail.show(format.detail_text(m, self.app.now(), self._extras[1] if same else None, self.session.zone),
                         keep_scroll=same)  # fmt: skip
        load = partial(self._load_extras, self.generation, m["id"])
        if self.app.detail_delay:
            self._detail_timer = self.set_timer(self.app.detail_delay, load)
        else:
            load()

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _load_extras(self, generation: int, mention_id: int) -> None:
        """Thread, replies and history of one mention, read on a connection of its own.

        A newer selection interrupts the query in flight (thread_context can take a
        while on a million mentions), so at most one runs at a time.
        """
        worker = get_current_worker()
        previous = self._detail_reader
        if previous is not None:
            previous.interrupt()
        if worker.is_cancelled:
            return
        reader = self.app.reader()
        self._detail_reader = reader
        try:
            if worker.is_cancelled:
                return
            detail = reader.views.detail_of(mention_id)
            if detail is None:
                return
        except DatabaseFailure as exc:
            if interrupted(exc):
                return  # the selection moved on
            raise
        finally:
            if self._detail_reader is reader:
                self._detail_reader = None
            reader.close()
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_extras, mention_id, detail)

    def _show_extras(self, mention_id: int, detail) -> None:
        current = self.mentions.current
        if current is None or current["id"] != mention_id:
            return
        self._extras = (mention_id, detail)
        self.detail.show(format.detail_text(detail.mention, self.app.now(), detail, self.session.zone), keep_scroll=True)

    def on_mention_list_chosen(self) -> None:
        if self.mentions.current is not None:
            self.detail.focus()

    def on_detail_pane_back(self) -> None:
        self.mentions.focus()

    # Views -------------------------------------------------------------------

    def set_filter(self, f: InboxFilter) -> None:
        self.filter = replace(f, limit=None, offset=0)
        self.reload()

    def action_search(self) -> None:
        hint = "text, title and author; every word must match; word* for prefixes; empty clears"
        prompt = PromptScreen("Search", value=self.filter.search or "", placeholder="refund* outage", hint=hint)
        self.app.push_screen(prompt, lambda value: value is not None and self.set_filter(
            replace(self.filter, search=value.strip() or None)))  # fmt: skip

    def action_filters(self) -> None:
        views = self.session.views
        screen = FilterScreen(self.filter, views.platforms(), [t for t, _ in views.tags()])
        self.app.push_screen(screen, lambda f: f is not None and self.set_filter(f))

    def action_view(self, status: str) -> None:
        if status == "overdue":
            if self.app.config.sla is None:
                self.notify("nothing can be overdue without response-time targets: add an [sla] table",
                            severity="warning", markup=False)  # fmt: skip
                return
            self.set_filter(replace(self.filter, status=None, needs_reply=False, overdue=True))
        elif status == "needs-reply":
            self.set_filter(replace(self.filter, status=None, needs_reply=True))
        else:
            self.set_filter(replace(self.filter, status=None if status == "all" else status, needs_reply=False))

    def action_clear_filters(self) -> None:
        self.set_filter(InboxFilter())

    def refresh_view(self) -> None:
        current = self.mentions.current
        self.reload(keep=current["id"] if current else None, near=self.mentions.cursor)

    def action_reload(self) -> None:
        self.new_count = 0
        self.session.poll()
        self.refresh_view()
        self.notify("reloaded")

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_quit(self) -> None:
        self.app.exit()
