"""rules test, rules apply, alerts."""

from __future__ import annotations

import typer

from commwatch.cli.state import state

rules_app = typer.Typer(help="Check and re-run triage rules.", rich_markup_mode=None, no_args_is_help=True,
                        context_settings={"help_option_names": ["-h", "--help"]})

OUTCOME = {"apply": "would do", "already": "already so", "held": "held"}


@rules_app.command("test")
def rules_test(mention: str = typer.Argument(..., metavar="ID"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Which rules match a mention, condition by condition, and what each action would do (changes nothing)."""
    from commwatch.app.history import rule_actions
    from commwatch.cli.render import print_json
    from commwatch.text import field, inert

    report = state.session.views.rules_report(mention)
    if as_json:
        print_json(report)
        return
    if not report:
        typer.echo("no [[rules]] configured")
    for r in report:
        typer.echo(f"{'MATCH' if r['matches'] else 'no   '}  {field(r['rule'])}  → {rule_actions(r['actions'])}")
        for c in r["checks"]:
            typer.echo(f"       {'✓' if c['passed'] else '✗'} {c['condition']}: {inert(c['why'], single_line=True)}")
        for s in r["steps"]:
            value = " ".join(s["value"]) if isinstance(s["value"], list) else str(s["value"])
            why = f" ({inert(s['why'], single_line=True)})" if s["why"] else ""
            typer.echo(f"       → {s['action']} {field(value)}: {OUTCOME[s['outcome']]}{why}")


@rules_app.command("apply")
def rules_apply(
    status: str = typer.Option("open", "--status", help="open | snoozed | escalated | closed | all."),
    platform: str = typer.Option(None, "--platform"),
    source: str = typer.Option(None, "--source"),
    since: str = typer.Option(None, "--since", help="24h, 7d, or a date."),
    tag: str = typer.Option(None, "--tag"),
) -> None:
    """Run the rules again over stored mentions (applying a rule twice changes nothing; a person's change wins)."""
    from commwatch.cli.filters import status_filter, when
    from commwatch.model import InboxFilter

    from commwatch.cli import filters

    f = InboxFilter(status=status_filter(status), platform=filters.platform(platform), source=filters.source(source),
                    tag=tag, since=when(since, "--since"), limit=None)  # fmt: skip
    checked, outcome = state.session.apply_rules(f)
    typer.echo(f"{checked} mentions checked, {outcome.matched} rule matches, {len(outcome.changes)} changes, "
               f"{outcome.escalated} escalations")  # fmt: skip


def alerts(as_json: bool = typer.Option(False, "--json"), limit: int = typer.Option(50, "--limit", min=1)) -> None:
    """Spike alerts that fired, newest first."""
    from commwatch.cli.render import alert_line, print_json

    rows = state.session.views.alerts(limit)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo("no alerts have fired", err=True)
    for a in rows:
        typer.echo(alert_line(a, state.session.zone))
