"""What the screens look like, at 120×35, with every age measured from a frozen clock.

Update after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the report before committing the new SVGs.
"""

from __future__ import annotations

from commwatch.store.inbox import InboxFilter

from tuikit import config_for, make_app, settle

SIZE = (120, 35)


def test_main_screen(snap_compare, demo_db):
    async def ready(pilot):
        await settle(pilot)
        await pilot.press("j", "j")
        await settle(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=ready)


def test_help_screen(snap_compare, demo_db):
    async def ready(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=ready)


def test_composer_with_a_saved_reply(snap_compare, mixed_db, tmp_path):
    app = make_app(mixed_db, config_for(tmp_path), filter=InboxFilter(platform="scripted"))

    async def ready(pilot):
        await settle(pilot)
        await pilot.press("r", "shift+tab", "down", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_confirmation_shows_exactly_what_is_posted(snap_compare, mixed_db, tmp_path):
    app = make_app(mixed_db, config_for(tmp_path), filter=InboxFilter(platform="scripted"))

    async def ready(pilot):
        await settle(pilot)
        await pilot.press("r", "shift+tab", "down", "enter", "ctrl+s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)
