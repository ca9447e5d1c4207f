"""The errors a face turns into one line and an exit code. Each message is one sentence saying why."""

from __future__ import annotations

from commwatch.store.db import StoreError  # re-exported: faces never import the store

__all__ = ["ActionError", "MentionNotFound", "ImportRefused", "SyncLocked", "StoreError"]


class ActionError(Exception):
    """The action cannot be done; the message says why in one sentence."""


class MentionNotFound(ActionError):
    def __init__(self, ref: str):
        super().__init__(f"no mention {ref!r} (use a local id from the inbox, or PLATFORM:REMOTE_ID)")


class ImportRefused(Exception):
    """The import cannot start (unknown platform, connector without import)."""


class SyncLocked(Exception):
    """Another sync holds the lock on this database."""
