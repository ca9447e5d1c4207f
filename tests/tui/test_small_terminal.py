"""At 80x24 every dialog shows all of its fields and buttons: nothing a person must press is cut off."""

from __future__ import annotations

import pytest
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Select

from commwatch.model import InboxFilter
from tuikit import config_for, make_app, settle

SMALL = (80, 24)
pytestmark = pytest.mark.anyio


def cut_off(app) -> list[str]:
    """Every control of the dialog on top that is not wholly on the screen."""
    screen = app.screen
    width, height = app.size
    hidden = []
    for widget in screen.query("Button, Input, Select, Checkbox, OptionList, TextArea"):
        if not widget.display:
            continue
        r = widget.region
        if r.width == 0 or r.height == 0 or r.x < 0 or r.y < 0 or r.right > width or r.bottom > height:
            hidden.append(f"{type(widget).__name__}#{widget.id}: {r}")
    return hidden


@pytest.mark.parametrize("keys", [["f"], ["e"], ["t"], ["a"], ["s"], ["n"], ["l"], ["question_mark"]])
async def test_each_dialog_fits(demo_db, tmp_path, keys):
    app = make_app(demo_db, config_for(tmp_path))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        assert isinstance(app.screen, ModalScreen), "no dialog opened"
        assert cut_off(app) == []


async def test_the_filter_dialog_has_every_field_and_applies_at_80x24(demo_db, tmp_path):
    app = make_app(demo_db, config_for(tmp_path))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert len(app.screen.query(Select)) == 3 and len(app.screen.query(Input)) == 2
        assert len(app.screen.query(Checkbox)) == 1 and len(app.screen.query(Button)) == 3
        app.screen.query_one("#f-tag", Input).value = "billing"
        await pilot.click("#apply")
        await settle(pilot)
        assert not isinstance(app.screen, ModalScreen)
        assert app.session.views.inbox  # the filter was applied: the list shows only that tag
        assert "billing" in str(app.screen.query_one("#status").render())


async def test_confirming_a_long_reply_keeps_the_buttons_on_screen(mixed_db, tmp_path):
    app = make_app(mixed_db, config_for(tmp_path), filter=InboxFilter(platform="scripted"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("r")
        app.screen.query_one("#reply-text").load_text("\n".join(f"ok {i}" for i in range(40)))  # 40 lines within 280 characters
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.query_one("#yes", Button) and cut_off(app) == []
