"""init, completion, score, connectors."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from commwatch.cli.state import state


def init(
    path: Path = typer.Argument(Path("commwatch.toml"), help="Where to write it."),
    demo: bool = typer.Option(False, "--demo", help="Keep the bundled sample source enabled (offline, no account)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented commwatch.toml to start from.

    The sample source is commented out unless --demo, so a real inbox never
    fills with sample data.
    """
    from importlib.resources import files

    if path.exists() and not force:
        raise typer.BadParameter(f"{path} exists; use --force to overwrite it", param_hint="PATH")
    text = files("commwatch").joinpath("example.toml").read_text(encoding="utf-8")
    path.write_text(text if demo else _demo_commented_out(text), encoding="utf-8")
    typer.echo(f"wrote {path}: " + ("the demo source is enabled: `commwatch sync` loads its samples" if demo else
               "edit the sources, set the credentials `commwatch doctor` names, then run `commwatch sync`"))  # fmt: skip


def _demo_commented_out(text: str) -> str:
    """The example with its [sources.demo] table commented out (up to the blank line that ends it)."""
    lines, inside = [], False
    for line in text.splitlines(keepends=True):
        inside = line.startswith("[sources.demo]") or (inside and line.strip() != "")
        lines.append(f"# {line}" if inside and not line.startswith("#") else line)
    return "".join(lines)


def completion(shell: str = typer.Argument(..., help="bash | zsh | fish.")) -> None:
    """Print the shell completion script: eval "$(commwatch completion bash)" in ~/.bashrc."""
    from typer._completion_shared import get_completion_script  # typer is pinned below 0.29

    if shell not in ("bash", "zsh", "fish"):
        raise typer.BadParameter("choose one of bash, zsh, fish", param_hint="SHELL")
    typer.echo(get_completion_script(prog_name="commwatch", complete_var="_COMMWATCH_COMPLETE", shell=shell))


def score(
    explain: bool = typer.Option(False, "--explain", help="Add the probability of each label and the words that drove it."),
) -> None:
    """The sentiment model alone: JSON Lines {"text": …} on stdin, one reading a line on stdout.

    Each reading: label, score (-1 … 1), confidence, lang; with --explain also
    probabilities and reasons. Lines that are not {"text": "…"} are errors (exit 4).
    """
    import json

    from commwatch.app.score import score as score_text

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
        sys.stdout.write(json.dumps(score_text(text, explain), ensure_ascii=False) + "\n")
    if bad:
        from commwatch.exitcodes import ExitCode

        raise typer.Exit(int(ExitCode.PARTIAL))


def connectors(as_json: bool = typer.Option(False, "--json")) -> None:
    """Installed connectors, their capabilities, and which sources use them."""
    from commwatch.app.session import database_exists
    from commwatch.app.views import connectors as listing
    from commwatch.text import field, fields

    try:
        config = state.config
    except Exception:  # listing connectors must work even with a broken config
        config = None
    store = (lambda: state.session.conn) if config is not None and database_exists(state.db_path) else None
    rows = listing(config, store)
    if as_json:
        from commwatch.cli.render import print_json

        print_json(rows)
        return
    for row in rows:
        name = field(row["name"])
        if "error" in row:
            typer.echo(f"{name:<9} BROKEN: {inert_line(row['error'])}")
            continue
        caps = ", ".join(row["capabilities"]) or "-"
        typer.echo(f"{name:<9} {inert_line(row['description'])}")
        typer.echo(f"{'':<9} capabilities: {caps}; sources: {fields(row['sources'], ', ') or '-'}")
        if row["credentials"]:
            typer.echo(f"{'':<9} credentials: {fields(row['credentials'], ', ')}")
        for source, units in row["units_today"].items():
            typer.echo(f"{'':<9} {field(source)}: {units} quota units used today")


def inert_line(text: str) -> str:
    from commwatch.text import inert

    return inert(text, single_line=True)
