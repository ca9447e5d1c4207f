"""Reports: figures about a period's mentions, computed by SQLite, drawn as text or HTML.

build.build_report gives the figures as plain data (what `--json` prints); text.render and
html.render draw that same structure, so the views cannot disagree with the data.
"""
