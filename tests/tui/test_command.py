"""`commwatch tui`: a thin command that imports Textual only when it runs."""

from __future__ import annotations

import subprocess
import sys

from commwatch.cli import state as state_module
from commwatch.cli import tui_cmd
from commwatch.model import InboxFilter


def test_the_cli_and_the_tui_command_module_do_not_import_textual():
    code = "import sys, commwatch.cli.main, commwatch.cli.tui_cmd; print(sorted(m for m in sys.modules if m.startswith('textual')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_tui_opens_the_configured_store(tmp_path, monkeypatch, demo_db):
    from commwatch.tui.app import CommwatchApp

    started = []
    monkeypatch.setattr(CommwatchApp, "run", lambda self: started.append(self))
    (tmp_path / "commwatch.toml").write_text('[sources.demo]\nconnector = "demo"\n[templates.hi]\ntext = "Hi {author}"\n')
    monkeypatch.setattr(tui_cmd, "state", state_module.State(str(tmp_path / "commwatch.toml"), str(demo_db)))
    tui_cmd.tui()
    (app,) = started
    assert app.session.db_path == demo_db and app.config.templates == {"hi": "Hi {author}"}
    assert app.session.views.count(InboxFilter(status=None)) == 361
