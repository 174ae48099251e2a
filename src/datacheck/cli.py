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
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A datacheck.toml to use (default: the nearest datacheck.toml, or pyproject.toml "
    "with [tool.datacheck], walking up from the current folder).",
)
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    help="Exit 1 on failing errors only (default), or on warnings too.",
)
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
    config_path: Path | None,
    no_config: bool,
    fail_on: str | None,
    json_path: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Audit PATH for fine-tuning readiness.

    PATH is a .jsonl, .json, .csv, .tsv or .parquet file (optionally .gz), a folder written by a
    Hugging Face dataset's save_to_disk(), or the id of a dataset in the local Hugging Face cache.
    The shape (chat, prompt/completion, instruction, text + label, input + JSON output) and the
    task are detected; override them with --task, --text-field and --label-field.

    Checks come from the Great Expectations suites in expectations/ and the guide's thresholds
    (see `datacheck checks`); a datacheck.toml (see `datacheck init`) adjusts them.

    \b
    Exit codes: 0 ready (warnings allowed), 1 not ready, 2 bad usage or unreadable input.

    \b
    Examples:
      datacheck audit tickets.jsonl
      datacheck audit train.jsonl --eval eval.jsonl --json report.json
      datacheck audit export.csv --text-field body --label-field queue
      datacheck audit train.jsonl --fail-on warning -q && echo "ready to train"
    """
    from datacheck.audit import audit as run_audit
    from datacheck.config import load_settings
    from datacheck.report import render_json, render_terminal

    try:
        settings = load_settings(config_path, discover=not no_config)
        result = run_audit(
            path,
            eval_source=eval_path,
            task=task,
            text_field=text_field,
            label_field=label_field,
            config=settings,
            fail_on=fail_on,
        )
        json_path = json_path or settings.output.get("json")
        if json_path == "-":
            click.echo(render_json(result), nl=False)
        elif json_path:
            write_atomic(Path(json_path), render_json(result), inputs=[path, eval_path])
    except DatacheckError as exc:
        raise DatacheckClickError(str(exc)) from exc
    if not quiet:
        console = Console(stderr=json_path == "-", highlight=False, soft_wrap=True)
        render_terminal(result, console, verbose=verbose)
        if settings.source:
            console.print(f"Config: {settings.source}")
        if json_path and json_path != "-":
            console.print(f"JSON report: {json_path}")
    sys.exit(EXIT_OK if result.ready else EXIT_NOT_READY)


@cli.command("checks")
@click.option("--docs", is_flag=True, help="Show what each check measures and why.")
def list_checks(docs: bool) -> None:
    """List every check: its id (for [checks] in datacheck.toml), severity and title.

    \b
    Examples:
      datacheck checks
      datacheck checks --docs
    """
    from datacheck.checks import REGISTRY

    for check_id, cls in sorted(REGISTRY.items()):
        click.echo(f"{check_id:<26} {cls.severity:<8} {cls.title}")
        if docs:
            click.echo("")
            for line in cls.describe().splitlines():
                click.echo(f"    {line}".rstrip())
            click.echo(f"    Fix: {cls.fix}")
            click.echo("")


@cli.command()
@click.argument("path", metavar="[PATH]", required=False)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("datacheck.toml"),
    show_default=True,
    help="Where to write the configuration.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str | None, output: Path, force: bool) -> None:
    """Write a commented starter datacheck.toml, filled in for the dataset at PATH.

    \b
    Examples:
      datacheck init tickets.jsonl
      datacheck init --output configs/datacheck.toml
    """
    from datacheck.starter import starter_config

    if output.exists() and not force:
        raise DatacheckClickError(f"{output}: already exists; use --force to overwrite it.")
    try:
        text = starter_config(path)
        write_atomic(output, text, inputs=[path])
    except DatacheckError as exc:
        raise DatacheckClickError(str(exc)) from exc
    click.echo(f"Wrote {output}. Edit it, then run: datacheck audit {path or 'DATA'}")


def main() -> None:
    cli(prog_name="datacheck")
