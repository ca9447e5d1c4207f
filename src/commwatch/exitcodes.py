"""Every exit status commwatch uses. Scripts and cron jobs rely on these numbers."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0  # done; for sync: every source that ran synced (skipped sources do not count as failures)
    ERROR = 1  # the command could not do what was asked (unknown mention, bad argument value, store unusable)
    USAGE = 2  # the command line itself is wrong (unknown option, missing argument)
    CONFIG = 3  # commwatch.toml is missing a key, has a bad value, or cannot be read
    PARTIAL = 4  # some sources failed (or some input lines were rejected); the rest was saved
    FAILED = 5  # every source that ran failed; nothing new was saved
    LOCKED = 75  # another sync is running on this database; nothing was done (EX_TEMPFAIL: try again later)
    INTERRUPTED = 130  # stopped by Ctrl-C; everything committed before it is kept
