"""`commwatch tui`: the inbox in a Textual terminal UI.

Nothing here is imported by `commwatch --help`: cli/tui_cmd.py imports the app
inside the command. The UI only calls the core (actions, replies, store
queries); it owns no business rules. Modules that do not need Textual
(format, pager, undo, watch, keymap) are plain Python and tested as such.
"""
