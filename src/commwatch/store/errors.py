"""The store's own error, shared by both backends."""


class StoreError(Exception):
    """The database cannot be used (newer schema, not a database, unwritable, unreachable)."""
