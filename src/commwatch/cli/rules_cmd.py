"""rules test, rules apply, alerts."""

from __future__ import annotations

import typer

from commwatch.cli.state import state

rules_app = typer.Typer(help="Check and re-run triage rules.", rich_markup_mode=None, no_args_is_help=True)


@rules_app.command("test")
def rules_test(mention: str = typer.Argument(..., metavar="ID"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Which rules match a mention, condition by condition (changes nothing)."""
    from commwatch.actions import Actions
    from commwatch.automation import is_reply_to_us
    from commwatch.cli.render import inert, print_json
    from commwatch.store.mentions import get
    from commwatch.triage.rules import evaluate

    config, conn = state.config, state.db
    m = get(conn, Actions(conn, config).resolve(mention))
    ours = is_reply_to_us(conn, m, config.brand_handles)
    report = []
    for rule in config.rules:
        checks = evaluate(rule, m, is_reply_to_us=ours)
        report.append({"rule": rule.name, "matches": all(c.passed for c in checks), "actions": rule.actions,
                       "checks": [{"condition": c.condition, "passed": c.passed, "why": c.why} for c in checks]})  # fmt: skip
    if as_json:
        print_json(report)
        return
    if not report:
        typer.echo("no [[rules]] configured")
    for r in report:
        typer.echo(f"{'MATCH' if r['matches'] else 'no   '}  {r['rule']}  → {r['actions']}")
        for c in r["checks"]:
            typer.echo(f"       {'✓' if c['passed'] else '✗'} {c['condition']}: {inert(c['why'], single_line=True)}")


@rules_app.command("apply")
def rules_apply(
    status: str = typer.Option("open", "--status", help="open | snoozed | escalated | closed | all."),
    platform: str = typer.Option(None, "--platform"),
    source: str = typer.Option(None, "--source"),
    since: str = typer.Option(None, "--since", help="24h, 7d, or a date."),
    tag: str = typer.Option(None, "--tag"),
) -> None:
    """Run the rules again over stored mentions (applying a rule twice changes nothing)."""
    from commwatch.automation import apply_rules
    from commwatch.notify.worker import deliver_due
    from commwatch.store.db import transaction
    from commwatch.store.inbox import InboxFilter, build_query
    from commwatch.cli.filters import status_filter, when

    conn = state.db
    f = InboxFilter(status=status_filter(status), platform=platform, source=source, tag=tag,
                    since=when(since, "--since"), limit=None)  # fmt: skip
    sql, params = build_query(f, columns="m.id")
    ids = [r[0] for r in conn.execute(sql, params).fetchall()]
    with transaction(conn):
        outcome = apply_rules(conn, state.config, ids)
    deliver_due(conn, state.config)
    typer.echo(f"{len(ids)} mentions checked, {outcome.matched} rule matches, {len(outcome.changes)} changes, "
               f"{outcome.escalated} escalations")  # fmt: skip


def alerts(as_json: bool = typer.Option(False, "--json"), limit: int = typer.Option(50, "--limit", min=1)) -> None:
    """Spike alerts that fired, newest first."""
    from commwatch.cli.render import print_json
    from commwatch.store.alerts import list_alerts

    rows = list_alerts(state.db, limit)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo("no alerts have fired", err=True)
    for a in rows:
        typer.echo(f"{a['fired_at']}  {a['name']}: {a['count']} {a['metric']} mentions in {a['window']} "
                   f"(baseline {a['baseline_mean']:.1f} ± {a['baseline_std']:.1f}, threshold {a['threshold']:.1f})"
                   + (f" → {a['target']}" if a["target"] else ""))  # fmt: skip
