"""The errors a face turns into one line and an exit code. Each message is one sentence saying why."""

from __future__ import annotations

import sqlite3

from commwatch.store.db import StoreError  # re-exported: faces never import the store

__all__ = ["ActionError", "MentionNotFound", "ImportRefused", "SyncLocked", "StoreError", "DatabaseFailure",
           "interrupted", "database_sentence"]

# The database itself failed while a face was using it: a full disk, a read-only file, a damaged file,
# a query interrupted. Faces catch this name, never the engine's own module.
DatabaseFailure = sqlite3.Error


def interrupted(exc: BaseException) -> bool:
    """Whether a query stopped because it was interrupted on purpose (Session.interrupt)."""
    return isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc)


def database_sentence(exc: BaseException, where: str) -> str:
    """One sentence for a failure of the database at `where`."""
    said = str(exc)
    if "full" in said:
        return f"the disk holding {where} is full; everything committed before is kept"
    if "readonly" in said or "read-only" in said:
        return f"{where} is read-only here; nothing was changed"
    return f"the database {where} could not be used ({said}); everything committed before is kept"


class ActionError(Exception):
    """The action cannot be done; the message says why in one sentence."""


class MentionNotFound(ActionError):
    def __init__(self, ref: str):
        super().__init__(f"no mention {ref!r} (use a local id from the inbox, or PLATFORM:REMOTE_ID)")


class ImportRefused(Exception):
    """The import cannot start (unknown platform, connector without import)."""


class SyncLocked(Exception):
    """Another sync holds the lock on this database."""
