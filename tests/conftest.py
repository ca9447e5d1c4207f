import os
import sys
import time

import pytest

from helpers import CLI, PLUGINS

sys.path.insert(0, str(PLUGINS))  # registers the test-only `scripted` and `importonly` connectors
os.environ["TZ"] = "UTC"  # times people read are in the display zone: the same on every machine
time.tzset()


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working directory with no config or database inherited from the user."""
    monkeypatch.chdir(tmp_path)
    for var in ("COMMWATCH_CONFIG", "COMMWATCH_DB"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return tmp_path


@pytest.fixture
def cli(workdir):
    return CLI(workdir)
