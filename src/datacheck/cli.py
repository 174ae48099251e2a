"""The `datacheck` command line: a thin shell over `datacheck.audit()` and friends."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from datacheck._version import __version__
from datacheck.detect import TASKS
from datacheck.errors import DatacheckError
from datacheck.outputs import write_atomic

EXIT_OK = 0
EXIT_NOT_READY = 1
EXIT_ERROR = 2

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class DatacheckClickError(click.ClickException):
    """A library error shown as `Error: …` with exit code 2 (bad usage or unreadable input)."""

    exit_code = EXIT_ERROR


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="datacheck")
def cli() -> None:
    """Is your labeled data ready to fine-tune an LLM? datacheck tells you before you spend a
    GPU-hour, and names the rows and categories that hold it back.

    \b
    Exit codes: 0 ready, 1 not ready, 2 bad usage or unreadable input.

    \b
    Start with:
      datacheck audit tickets.jsonl
    """


@cli.command()
@click.argument("path", metavar="PATH")
@click.option(
    "--eval",
    "eval_path",
    metavar="PATH",
    help="Held-out evaluation data, audited alongside the training data.",
)
@click.option(
    "--task",
    type=click.Choice(TASKS),
    help="The fine-tuning task, when detection guesses wrong.",
)
@click.option("--text-field", metavar="NAME", help="Column holding the input text.")
@click.option("--label-field", metavar="NAME", help="Column holding the label or JSON output.")
@click.option(
    "--json",
    "json_path",
    metavar="FILE",
    help="Write the JSON report to FILE ('-' for standard output).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing; only the exit code speaks.")
@click.option("-v", "--verbose", is_flag=True, help="List every failing check, not just the top.")
def audit(
    path: str,
    eval_path: str | None,
    task: str | None,
    text_field: str | None,
    label_field: str | None,
    json_path: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Audit PATH for fine-tuning readiness.

    PATH is a .jsonl, .json, .csv, .tsv or .parquet file (optionally .gz), a folder written by a
    Hugging Face dataset's save_to_disk(), or the id of a dataset in the local Hugging Face cache.
    The shape (chat, prompt/completion, instruction, text + label, input + JSON output) and the
    task are detected; override them with --task, --text-field and --label-field.

    \b
    Examples:
      datacheck audit tickets.jsonl
      datacheck audit train.jsonl --eval eval.jsonl --json report.json
      datacheck audit export.csv --text-field body --label-field queue
    """
    from datacheck.audit import audit as run_audit
    from datacheck.report import render_json, render_terminal

    try:
        result = run_audit(
            path,
            eval_source=eval_path,
            task=task,
            text_field=text_field,
            label_field=label_field,
        )
        if json_path == "-":
            click.echo(render_json(result), nl=False)
        elif json_path:
            write_atomic(Path(json_path), render_json(result), inputs=[path, eval_path])
    except DatacheckError as exc:
        raise DatacheckClickError(str(exc)) from exc
    if not quiet:
        console = Console(stderr=json_path == "-", highlight=False, soft_wrap=True)
        render_terminal(result, console, verbose=verbose)
        if json_path and json_path != "-":
            console.print(f"JSON report: {json_path}")
    sys.exit(EXIT_OK if result.ready else EXIT_NOT_READY)


def main() -> None:
    cli(prog_name="datacheck")
