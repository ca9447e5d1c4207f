"""Every key of the inbox in one table: the bindings, the footer and the help screen all read it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    keys: str  # Textual key names, comma separated
    action: str
    label: str  # short, for the footer
    help: str  # one line, for the help screen
    shown: str  # how the help screen writes the key
    paired: bool = False  # the help screen shows it on the line of the key before it


LIST_KEYS = [
    Key("j,down", "cursor_down", "down", "next / previous mention", "j k  ↓ ↑"),
    Key("k,up", "cursor_up", "up", "previous mention", "k ↑", paired=True),
    Key("g,home", "top", "top", "first / last mention", "g G  Home End"),
    Key("G,end", "bottom", "end", "last mention", "G End", paired=True),
    Key("pagedown", "page_down", "page", "a screen down / up", "PgDn PgUp"),
    Key("pageup", "page_up", "page", "one screen up", "PgUp", paired=True),
    Key("enter", "focus_detail", "detail", "read the full mention (Esc comes back)", "Enter"),
]

INBOX_KEYS = [
    Key("r", "reply", "reply", "reply (saved replies, count against the limit, confirm)", "r"),
    Key("t", "tag", "tag", "add tags (Tab completes an existing tag)", "t"),
    Key("a", "assign", "assign", "assign to someone ('-' or empty unassigns)", "a"),
    Key("e", "escalate", "escalate", "escalate to a configured target, with a note", "e"),
    Key("c", "close", "close", "close and move to the next mention", "c"),
    Key("s", "snooze", "snooze", "snooze for a while (30m, 2h, 3d, 1w)", "s"),
    Key("n", "note", "note", "add an internal note (never sent; found by search)", "n"),
    Key("l", "label", "label", "set the sentiment by hand (negative, neutral, positive; auto)", "l"),
    Key("o", "open_url", "open", "open the mention in the browser", "o"),
    Key("slash", "search", "search", "full-text search (word* for prefixes; empty clears)", "/"),
    Key("f", "filters", "filter", "filter: status, platform, sentiment, tag, assignee, needs reply", "f"),
    Key("u", "undo", "undo", "undo the last change (replies cannot be undone)", "u"),
    Key("R", "reload", "refresh", "reload from the database", "R"),
    Key("question_mark", "help", "help", "this help", "?"),
    Key("q", "quit", "quit", "quit", "q"),
]

DETAIL_KEYS = [
    Key("escape", "back", "list", "back to the list", "Esc"),
    Key("j,down", "scroll_down", "scroll", "scroll the detail", "j k  ↓ ↑"),
    Key("k,up", "scroll_up", "scroll", "scroll the detail", "k ↑", paired=True),
]

PALETTE_KEY = Key("ctrl+p", "command_palette", "palette",
                  "command palette: untag, reopen, unassign, saved views, outbox retry", "^p")
