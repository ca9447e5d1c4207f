"""Replying (r) and sending what the outbox holds (mixed into InboxScreen).

The composer drafts through the session's Replier.draft (templates filled by
the application layer, the platform's limit checked); the confirmation shows
Draft.describe(), exactly what will be posted; Replier.send queues and sends it
in a worker thread, on a session of its own. Whatever goes wrong there becomes
a notification.
"""

from __future__ import annotations

from rich.text import Text
from textual import work

from commwatch.app.errors import ActionError
from commwatch.app.outbox import Delivery
from commwatch.app.replies import Draft
from commwatch.text import inert
from commwatch.tui.screens.composer import ComposerScreen
from commwatch.tui.screens.confirm import ConfirmScreen
from commwatch.tui.undo import inverse_of, queued_reply


class Replying:
    """r, and the outbox: escalation deliveries after `e`, "Retry the outbox" in the palette."""

    def action_reply(self) -> None:
        m = self.selected()
        if m is None:
            return
        replier = self.app.session.replies
        try:
            probe = replier.draft(str(m["id"]), "·")  # which source would speak, and its limit
        except ActionError as exc:
            self.notify(str(exc), title="cannot reply", severity="error", markup=False)
            return

        def drafter(text: str) -> Draft:
            return replier.draft(str(m["id"]), text)

        composer = ComposerScreen(m, self.app.config.templates, probe.limit, probe.source, drafter)
        self.app.push_screen(composer, self._confirm_reply)

    def _confirm_reply(self, draft: Draft | None) -> None:
        if draft is None:
            return
        body = Text(inert(draft.describe()))
        confirm = ConfirmScreen("Post this reply? Exactly this will be posted:", body)
        self.app.push_screen(confirm, lambda yes: self._send_reply(draft) if yes else self.notify("not posted"))

    @work(thread=True, group="reply", exit_on_error=False)
    def _send_reply(self, draft: Draft) -> None:
        reader = self.app.reader()
        try:
            delivery = reader.replies.send(draft)
        except Exception as exc:  # whatever a connector does, the UI says it and goes on
            message = str(exc) if isinstance(exc, ActionError) else f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(self.notify, f"reply failed: {inert(message)}", severity="error",
                                      markup=False, timeout=10)  # fmt: skip
            return
        finally:
            reader.close()
        self.app.call_from_thread(self._replied, draft, delivery)

    def _replied(self, draft: Draft, delivery: Delivery) -> None:
        mid = draft.mention["id"]
        if delivery.status == "sent":
            where = delivery.result.get("url") or delivery.result.get("remote_id") or ""
            self.notify(f"#{mid} replied: {inert(where)}", markup=False)
            self.undo.push(inverse_of("reply", draft.mention, draft.mention))
        elif delivery.status in ("pending", "waiting"):
            self.undo.push(queued_reply(mid, delivery.outbox_id))
            self.notify(f"reply to #{mid} not sent yet: {inert(delivery.message)} (the next sync or "
                        "`commwatch outbox retry` sends it; u cancels it)", severity="warning", markup=False, timeout=10)  # fmt: skip
        else:
            self.notify(f"reply to #{mid} {delivery.status}: {inert(delivery.message)}", severity="error",
                        markup=False, timeout=10)  # fmt: skip
        self.refresh_view()

    def action_retry_outbox(self) -> None:
        self._deliver_due()

    @work(thread=True, group="outbox", exit_on_error=False)
    def _deliver_due(self) -> None:
        """Send what the outbox holds that is due (escalations to their targets, retried replies)."""
        reader = self.app.reader()
        try:
            results = reader.deliver_due()
        except Exception as exc:  # a target or connector bug: say it, keep going
            self.app.call_from_thread(self.notify, f"outbox: {inert(f'{type(exc).__name__}: {exc}')}",
                                      severity="error", markup=False, timeout=10)  # fmt: skip
            return
        finally:
            reader.close()
        self.app.call_from_thread(self.app.show_deliveries, results, "outbox")
