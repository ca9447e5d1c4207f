"""Fixtures for the TUI tests (helpers are in tuikit.py)."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from tuikit import demo_anchor, sources, sync_into


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "inbox.db"
    sync_into(path, {"demo": {"connector": "demo"}})
    return path


@pytest.fixture
def demo_db(tmp_path, demo_template):
    path = tmp_path / "inbox.db"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def now():
    return demo_anchor() + timedelta(minutes=5)




@pytest.fixture(scope="session")
def mixed_template(tmp_path_factory):
    """The demo plus two scripted mentions that can be replied to."""
    directory = tmp_path_factory.mktemp("mixed")
    sync_into(directory / "inbox.db", sources(directory))
    return directory / "inbox.db"


@pytest.fixture
def mixed_db(tmp_path, mixed_template):
    path = tmp_path / "inbox.db"
    shutil.copy(mixed_template, path)
    return path
