"""Connectors are found through the ``commwatch.connectors`` entry-point group.

Listing reads package metadata only; a connector's module is imported when it
is loaded by name. Built-in connectors are registered exactly like third-party
ones, in pyproject.toml.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commwatch.connector import Connector

GROUP = "commwatch.connectors"


class UnknownConnector(LookupError):
    def __init__(self, name: str, installed: list[str]):
        self.name = name
        self.installed = installed
        listing = ", ".join(installed) if installed else "none"
        super().__init__(f"no connector named {name!r} is installed (installed: {listing})")


class BrokenConnector(ImportError):
    """A registered connector whose module fails to import or is not a Connector."""


def available() -> dict[str, EntryPoint]:
    """Installed connectors by name, without importing any of them."""
    found = {ep.name: ep for ep in entry_points(group=GROUP)}
    return dict(sorted(found.items()))


def load(name: str) -> type[Connector]:
    """The connector class registered under `name`."""
    from commwatch.connector import Connector

    installed = available()
    if name not in installed:
        raise UnknownConnector(name, list(installed))
    ep = installed[name]
    try:
        cls = ep.load()
    except Exception as exc:  # a plugin's import error must not look like ours
        raise BrokenConnector(f"connector {name!r} ({ep.value}) failed to import: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, Connector)):
        raise BrokenConnector(f"connector {name!r} ({ep.value}) is not a commwatch Connector class")
    return cls
