"""triage train, reset, eval, rescore: the sentiment model learns from labels and reads the inbox again."""

from __future__ import annotations

from pathlib import Path

import typer

from commwatch.cli.state import state

triage_app = typer.Typer(help="Teach the sentiment model from your labels, measure it, re-score the inbox.",
                         rich_markup_mode=None, no_args_is_help=True,
                         context_settings={"help_option_names": ["-h", "--help"]})  # fmt: skip


def _say(line: str) -> None:
    typer.echo(line, err=True)


@triage_app.command("train")
def train(
    data: Path = typer.Option(None, "--data", metavar="DIR", help="Train again from a data folder in the shipped layout (../shared/data/sentiment) plus the labels; without it, fine-tune the model in use on the labels."),
) -> None:
    """Learn from the labels set by hand; adopt the result only if it reads held-back labels no worse."""
    from commwatch.app.learning import Learning, table

    result = Learning(state.session.conn, state.session.config).train(data, progress=_say)
    typer.echo(f"{result.labels} labels, {result.held_back} held back to check the result\n")
    typer.echo(table(result.rows).replace("VADER", "before").replace("model", "after"))
    typer.echo(f"\n{result.why}")
    if not result.adopted:
        raise typer.Exit(1)


@triage_app.command("reset")
def reset() -> None:
    """Go back to the shipped model (forget what `triage train` adopted)."""
    from commwatch.app.learning import Learning

    typer.echo("back to the shipped model" if Learning.reset() else "the shipped model is already in use")


@triage_app.command("eval")
def evaluate(
    data: Path = typer.Option(..., "--data", metavar="DIR", help="A folder of labelled files: NAME_text.txt with NAME_labels.txt (0 negative, 1 neutral, 2 positive), or *.jsonl with text and label."),
) -> None:
    """The model in use against VADER on every labelled file of a folder (macro-recall, negative recall, F1)."""
    from commwatch.app.learning import Learning, table

    typer.echo(table(Learning.evaluate(data, progress=_say)))


@triage_app.command("rescore")
def rescore(
    status: str = typer.Option("all", "--status", help="open | snoozed | escalated | closed | all."),
    platform: str = typer.Option(None, "--platform"),
    source: str = typer.Option(None, "--source"),
    since: str = typer.Option(None, "--since", help="Posted from: 24h, 7d, 2026-01-31."),
) -> None:
    """Read stored mentions again with the model in use (labels set by hand are kept).

    Batches are committed as they go: run it again after a stop and it continues.
    """
    import sys

    from commwatch.app.learning import Learning
    from commwatch.cli import filters
    from commwatch.model import InboxFilter

    f = InboxFilter(status=filters.status_filter(status), platform=filters.platform(platform),
                    source=filters.source(source), since=filters.when(since, "--since"), limit=None, ours=None)  # fmt: skip
    show = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show:
            sys.stderr.write(f"\rre-scored {done:,} of {total:,}")
            sys.stderr.flush()

    done, changed = Learning(state.session.conn, state.session.config).rescore(f, progress)
    if show:
        sys.stderr.write("\n")
    typer.echo(f"{done:,} mentions re-scored, {changed:,} changed label")
