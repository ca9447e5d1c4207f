"""init, score, connectors."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from commwatch.cli.state import state


def init(
    path: Path = typer.Argument(Path("commwatch.toml"), help="Where to write it."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented commwatch.toml to start from."""
    from importlib.resources import files

    if path.exists() and not force:
        raise typer.BadParameter(f"{path} exists; use --force to overwrite it", param_hint="PATH")
    path.write_text(files("commwatch").joinpath("example.toml").read_text(encoding="utf-8"), encoding="utf-8")
    typer.echo(f"wrote {path}: edit the sources, set the credentials it names, then run `commwatch sync`")


def score() -> None:
    """The triage scorer alone: JSON Lines {"text": …} on stdin, {"label", "score"} on stdout."""
    import json

    from commwatch.triage.sentiment import score_text

    bad = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"] if isinstance(item, dict) else None
            if not isinstance(text, str):
                raise ValueError("no string 'text' field")
        except (ValueError, KeyError) as exc:
            sys.stderr.write(f"commwatch: <stdin> line {number}: {exc}\n")
            sys.stdout.write(json.dumps({"error": f"line {number}: no text"}) + "\n")
            bad += 1
            continue
        s = score_text(text)
        sys.stdout.write(json.dumps({"label": s.label, "score": s.score}) + "\n")
    if bad:
        from commwatch.exitcodes import ExitCode

        raise typer.Exit(int(ExitCode.PARTIAL))


def connectors(as_json: bool = typer.Option(False, "--json")) -> None:
    """Installed connectors, their capabilities, and which sources use them."""
    from commwatch import registry

    try:
        used: dict[str, list[str]] = {}
        for name, source in state.config.sources.items():
            used.setdefault(source.connector, []).append(name)
    except Exception:  # listing connectors must work even with a broken config
        used = {}
    rows = []
    for name, ep in registry.available().items():
        row = {"name": name, "module": ep.value, "sources": used.get(name, [])}
        try:
            cls = registry.load(name)
            row.update(
                description=cls.description,
                platforms=list(cls.platforms),
                capabilities=sorted(cls.capabilities),
                credentials=list(cls.credentials),
                units_today=_units_today(cls, row["sources"]),
            )
        except registry.BrokenConnector as exc:
            row.update(error=str(exc))
        rows.append(row)
    if as_json:
        from commwatch.cli.render import print_json

        print_json(rows)
        return
    for row in rows:
        if "error" in row:
            typer.echo(f"{row['name']:<9} BROKEN: {row['error']}")
            continue
        caps = ", ".join(row["capabilities"]) or "-"
        typer.echo(f"{row['name']:<9} {row['description']}")
        typer.echo(f"{'':<9} capabilities: {caps}; sources: {', '.join(row['sources']) or '-'}")
        if row["credentials"]:
            typer.echo(f"{'':<9} credentials: {', '.join(row['credentials'])}")
        for source, units in row["units_today"].items():
            typer.echo(f"{'':<9} {source}: {units} quota units used today")


def _units_today(cls, sources: list[str]) -> dict[str, int]:
    """Quota units each source spent in the platform's current quota day (only where any were spent)."""
    if not sources or not state.db_path.exists():
        return {}
    from commwatch import timeutil
    from commwatch.store.mentions import units_used

    day = cls.quota_day(timeutil.now())
    spent = {source: units_used(state.db, source, day) for source in sources}
    return {source: units for source, units in spent.items() if units}
