"""The `datacheck` command line: a thin shell over `datacheck.audit()` and friends."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, NoReturn

import click

from datacheck._perf import tune_allocator
from datacheck._version import __version__
from datacheck.config import INPUT_FORMATS, MAX_EPOCHS
from datacheck.errors import DatacheckError
from datacheck.plan.models import GPUS, OPEN_MODELS
from datacheck.report._write import check_output, write_atomic
from datacheck.tasks import TASKS

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

    \b
    Shell completion (bash; zsh and fish alike):
      eval "$(_DATACHECK_COMPLETE=bash_source datacheck)"
    """


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--json [FILE]`, the same on every command that has it: JSON to FILE, or to standard
    output with `-` or no FILE."""
    return click.option(
        "--json",
        "json_to",
        metavar="[FILE]",
        is_flag=False,
        flag_value="-",
        default=None,
        help="Write JSON to FILE instead of the table ('-', or no FILE: standard output).",
    )(command)


def _emit_json(data: Any, target: str, inputs: list[object] | None = None) -> None:
    import json as _json

    text = _json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if target == "-":
        click.echo(text, nl=False)
        return
    try:
        write_atomic(Path(target), text, inputs=inputs or [], what="the JSON")
    except DatacheckError as exc:
        raise DatacheckClickError(str(exc)) from exc


def _gpu_memory(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    number = value.strip().upper().removesuffix("GB").strip()
    try:
        memory = float(number)
    except ValueError:
        raise click.BadParameter("give the GPU memory in GB, like 24GB") from None
    if not 0 < memory < float("inf"):
        raise click.BadParameter(f"{value} is not a memory size; give it in GB, like 24GB")
    return memory


def cost_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options that shape token counts, cost and the recommendation (audit and cost)."""
    for option in reversed(
        [
            click.option(
                "--tokenizers",
                metavar="NAMES",
                help="Comma-separated tokenizers to count with (default: all; see "
                "`datacheck models`), or 'none': no token counts, cost or context check.",
            ),
            click.option("--epochs", type=click.IntRange(1, MAX_EPOCHS), help="Training epochs."),
            click.option(
                "--model",
                type=click.Choice(list(OPEN_MODELS)),
                help="Base model to plan for, instead of the recommended one.",
            ),
            click.option(
                "--gpu", type=click.Choice(list(GPUS)), help="GPU for the GPU-hour estimate."
            ),
            click.option(
                "--gpu-memory",
                callback=_gpu_memory,
                metavar="SIZE",
                help="GPU memory you have, like 24GB (below 16GB the guide says Phi-2).",
            ),
        ]
    ):
        command = option(command)
    return command


def _cost_settings(
    tokenizers: str | None,
    epochs: int | None,
    model: str | None,
    gpu: str | None,
    gpu_memory: float | None,
) -> dict[str, Any]:
    return {
        "tokenizers": tokenizers.split(",") if tokenizers else None,
        "epochs": epochs,
        "model": model,
        "gpu": gpu,
        "gpu_memory_gb": gpu_memory,
    }


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
    "--format",
    "input_format",
    type=click.Choice(INPUT_FORMATS),
    help="The input's format, when its name does not tell it (standard input, a pipe, a file "
    "with no known ending).",
)
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
    "--baseline",
    "baseline_path",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A JSON report of an earlier audit (--json): exit 1 only on findings that are new "
    "or worse than in it, and say which.",
)
@click.option(
    "--json",
    "json_path",
    metavar="FILE",
    help="Write the JSON report to FILE ('-' for standard output).",
)
@click.option(
    "--html",
    "html_path",
    metavar="FILE",
    help="Write the HTML report to FILE (default: datacheck-report.html when no other output "
    "is asked for).",
)
@click.option("--no-html", is_flag=True, help="Do not write the default HTML report.")
@click.option(
    "--junit", "junit_path", metavar="FILE", help="Write JUnit XML (one testcase per check)."
)
@click.option(
    "--github",
    is_flag=True,
    help="Print ::error/::warning annotations and append a summary to $GITHUB_STEP_SUMMARY.",
)
@click.option(
    "--plotly-js",
    type=click.Choice(["inline", "cdn"]),
    default="inline",
    show_default=True,
    help="Inline plotly.js (works offline) or load it from the CDN (small file).",
)
@click.option(
    "--rows",
    "rows_path",
    metavar="FILE",
    help="Write every affected row to FILE (.csv or .jsonl): check, file, line, group, "
    "text and output, one line each, for fixing in a spreadsheet.",
)
@click.option(
    "--show-pii",
    is_flag=True,
    help="Show e-mails, phones and card numbers in samples and the rows export.",
)
@click.option(
    "--sample",
    type=click.IntRange(min=1),
    metavar="N",
    help="Audit a random sample of N rows (reported everywhere; counts scaled as estimates). "
    "JSON Lines, CSV, TSV and Parquet files are sampled while they are read, so they may be "
    "larger than memory.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --sample.")
@cost_options
@click.option(
    "--semantic",
    is_flag=True,
    help="Also run the meaning-level checks: suspect labels, paraphrases under two labels, "
    "eval rows that paraphrase training ones (needs the datacheck[semantic] extra; embeds "
    "every text, a few hundred a second).",
)
@click.option(
    "--fast",
    is_flag=True,
    help="Only the format and label checks, and no tokenizer unless --tokenizers (or the "
    "config) names one: seconds, for a pre-commit hook.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing; only the exit code speaks.")
@click.option("-v", "--verbose", is_flag=True, help="List every failing check, not just the top.")
def audit(
    path: str,
    eval_path: str | None,
    task: str | None,
    text_field: str | None,
    label_field: str | None,
    input_format: str | None,
    config_path: Path | None,
    no_config: bool,
    fail_on: str | None,
    baseline_path: Path | None,
    json_path: str | None,
    html_path: str | None,
    no_html: bool,
    junit_path: str | None,
    github: bool,
    plotly_js: str,
    rows_path: str | None,
    show_pii: bool,
    sample: int | None,
    seed: int,
    tokenizers: str | None,
    epochs: int | None,
    model: str | None,
    gpu: str | None,
    gpu_memory: float | None,
    semantic: bool,
    fast: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Audit PATH for fine-tuning readiness.

    PATH is a .jsonl, .json, .csv, .tsv or .parquet file (optionally .gz, .bz2, .xz or .zst), a
    folder written by a Hugging Face dataset's save_to_disk(), the id of a dataset in the local
    Hugging Face cache, or '-' for standard input (a pipe or FIFO works too; name its format
    with --format when the name does not tell it).
    The shape (chat, prompt/completion, instruction, text + label, input + JSON output) and the
    task are detected; override them with --task, --text-field and --label-field.

    Checks come from the Great Expectations suites in expectations/ and the guide's thresholds
    (see `datacheck checks`); a datacheck.toml (see `datacheck init`) adjusts them.

    \b
    Exit codes: 0 ready (warnings allowed), 1 not ready, 2 bad usage or unreadable input.
    With --baseline: 0 unless a finding is new or worse than in the baseline report.

    Outputs: a terminal summary, plus the HTML report (datacheck-report.html unless --html,
    --json, --junit or --github name other outputs), JSON, JUnit XML and GitHub annotations;
    several at once. Reports are written atomically and never over the input.

    \b
    Examples:
      datacheck audit tickets.jsonl
      datacheck audit train.jsonl --eval eval.jsonl --json report.json
      datacheck audit train.jsonl --junit datacheck.xml --github --html report.html
      datacheck audit export.csv --text-field body --label-field queue
      zstd -dc train.jsonl.zst | datacheck audit - --format jsonl
      datacheck audit train.jsonl --fail-on warning -q && echo "ready to train"
      datacheck audit train.jsonl --baseline main-report.json --json report.json
    """
    from datacheck._audit import audit as run_audit
    from datacheck.config import load_settings
    from datacheck.diff import read_report
    from datacheck.report import (
        RenderOptions,
        check_outputs,
        planned_outputs,
        render,
        write_reports,
    )

    try:
        settings = load_settings(config_path, discover=not no_config)
        outputs: dict[str, Any] = {
            "json": json_path, "html": False if no_html else html_path, "junit": junit_path,
            "github": github,
        }  # fmt: skip
        check_outputs(settings.output, inputs=[path, eval_path or settings.eval], **outputs)
        if rows_path is not None:
            _check_rows_path(Path(rows_path), inputs=[path, eval_path or settings.eval])
        baseline = read_report(baseline_path) if baseline_path is not None else None
        with _progress(quiet) as progress:
            result = run_audit(
                path,
                progress=progress,
                eval_source=eval_path,
                task=task,
                text_field=text_field,
                label_field=label_field,
                format=input_format,
                config=settings,
                fail_on=fail_on,
                sample=sample,
                seed=seed if sample else None,
                affected_rows=rows_path is not None,
                fast=fast,
                semantic=semantic or None,
                **_cost_settings(tokenizers, epochs, model, gpu, gpu_memory),
            )
        if rows_path is not None:
            assert result.affected is not None
            result.save_rows(rows_path, show_pii=show_pii)
            export = {"path": rows_path, "rows": result.affected.height}
            result = replace(result, rows_export=export)
        if baseline is not None:
            result = result.compare(baseline, name=str(baseline_path))
        options = RenderOptions(plotly_js=plotly_js, show_pii=show_pii, verbose=verbose)
        written = write_reports(result, options=options, stdout=sys.stdout, **outputs)
        if rows_path is not None:
            written.append(("Affected rows", rows_path))
    except DatacheckError as exc:
        raise DatacheckClickError(str(exc)) from exc
    if not quiet:
        to_stderr = str(planned_outputs(settings.output, **outputs)[0]) == "-"
        color = (sys.stderr if to_stderr else sys.stdout).isatty()
        lines = [render(result, "terminal", replace(options, color=color))]
        if settings.source:
            lines.append(f"Config: {settings.source}\n")
        lines += [f"{kind}: {where}\n" for kind, where in written]
        click.echo("".join(lines), err=to_stderr, nl=False, color=color)
    sys.exit(result.exit_code)


def _check_rows_path(path: Path, *, inputs: list[object]) -> None:
    """Refuse now, before the audit, a rows export that could not be written as asked."""
    from datacheck.report._write import check_output
    from datacheck.rows import SUFFIXES

    if path.suffix.lower() not in SUFFIXES:
        raise DatacheckClickError(
            f"{path}: --rows writes .csv or .jsonl (JSON Lines); name the file with one of those."
        )
    try:
        check_output(path, inputs=inputs, what="the rows export")
    except DatacheckError as exc:
        raise DatacheckClickError(str(exc)) from exc


_PHASES = {
    "load": "Reading the data",
    "detect": "Detecting shape and task",
    "tokenize": "Counting tokens",
    "checks": "Running the checks",
    "embed": "Embedding texts (semantic checks)",
}


class _Progress:
    """What the audit reports as it goes, on a rich progress display: each phase as it
    starts, and for long ones (tokenizers, checks) the count done and the time left."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.tasks: dict[str, Any] = {}

    def __call__(self, phase: str) -> None:
        for task in self.tasks.values():
            self.bar.update(task, completed=1, total=1, visible=False)
        self.tasks[phase] = self.bar.add_task(_PHASES.get(phase, phase), total=None)

    def step(self, phase: str, done: int, total: int) -> None:
        if phase not in self.tasks:  # work inside a phase (embedding, during the checks)
            self.tasks[phase] = self.bar.add_task(_PHASES.get(phase, phase), total=total)
        self.bar.update(self.tasks[phase], completed=done, total=total)


@contextlib.contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str], None] | None]:
    """A progress display on a terminal's stderr; nothing in CI, in pipes, or with --quiet."""
    if quiet or os.environ.get("CI") or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        yield _Progress(bar)


@cli.command()
@click.argument("path", metavar="PATH")
@click.option("--task", type=click.Choice(TASKS), help="The fine-tuning task.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@cost_options
@json_option
def cost(
    path: str,
    task: str | None,
    config_path: Path | None,
    no_config: bool,
    tokenizers: str | None,
    epochs: int | None,
    model: str | None,
    gpu: str | None,
    gpu_memory: float | None,
    json_to: str | None,
) -> None:
    """Estimate what fine-tuning on PATH costs: API dollars for OpenAI's fine-tunable models,
    GPU hours and memory for the guide's open models, with every assumption shown.

    Prices are a dated table in datacheck, overridable under [prices] in datacheck.toml;
    epochs default to OpenAI's rule (3, more for tiny sets, fewer for huge ones).

    \b
    Examples:
      datacheck cost tickets.jsonl
      datacheck cost tickets.jsonl --epochs 2 --gpu H100
      datacheck cost chats.jsonl --gpu-memory 12GB --json
    """
    from rich.console import Console

    from datacheck._audit import estimate_cost
    from datacheck.config import load_settings
    from datacheck.report.terminal import render_cost

    try:
        settings = load_settings(config_path, discover=not no_config)
        report = estimate_cost(
            path,
            config=settings,
            task=task,
            **_cost_settings(tokenizers, epochs, model, gpu, gpu_memory),
        )
    except DatacheckError as exc:
        raise DatacheckClickError(str(exc)) from exc
    if json_to is not None:
        _emit_json(report, json_to, inputs=[path])
    else:
        render_cost(report, Console(highlight=False, soft_wrap=True))


def _utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatacheckClickError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "re-save it as UTF-8, e.g. `iconv -f cp1252 -t utf-8`."
        ) from exc


@cli.command()
@click.argument("text", required=False)
@click.option("--file", "file_path", type=click.File("rb"), help="Count a file (UTF-8).")
@click.option(
    "--tokenizers",
    metavar="NAMES",
    help="Comma-separated tokenizers to count with (default: all; see `datacheck models`).",
)
@click.option("--tokenizer", "names", multiple=True, hidden=True)  # the old spelling
@json_option
def tokens(
    text: str | None,
    file_path: IO[bytes] | None,
    tokenizers: str | None,
    names: tuple[str, ...],
    json_to: str | None,
) -> None:
    """Count the tokens of TEXT (or --file PATH, or '-' for standard input) with every
    registered tokenizer: plain text, no chat template, no BOS/EOS.

    \b
    Examples:
      datacheck tokens "Where is my refund?"
      datacheck tokens --file prompt.txt --tokenizers llama-3.1,phi-2
      echo "hello" | datacheck tokens - --json
    """
    from datacheck.plan import tokenizers as registry

    if file_path is not None:
        text = _utf8(file_path.read(), file_path.name)
    elif text == "-":
        text = _utf8(sys.stdin.buffer.read(), "<stdin>")
    if text is None:
        raise click.UsageError("give TEXT, --file PATH, or '-' to read standard input")
    try:
        given = [n.strip() for n in (*names, *(tokenizers or "").split(",")) if n.strip()]
        chosen = registry.parse_names(given or None)
    except DatacheckError as exc:
        raise DatacheckClickError(str(exc)) from exc
    counts = {
        n: {"tokens": registry.get(n).count(text), "exact": registry.get(n).exact} for n in chosen
    }
    if json_to is not None:
        _emit_json(counts, json_to)
        return
    for name, item in counts.items():
        note = "" if item["exact"] else "  (estimate)"
        click.echo(f"{name:<18} {item['tokens']:>10,}{note}")


@cli.command()
@json_option
def models(json_to: str | None) -> None:
    """List the models datacheck plans for: context windows, sizes, the guide's GPU memory,
    and whether each tokenizer is installed and exact.

    \b
    Examples:
      datacheck models
      datacheck models --json models.json
    """
    from datacheck.plan import tokenizers as registry
    from datacheck.plan.models import API_MODELS, PRICES_AS_OF

    if json_to is not None:
        _emit_json(
            {
                "open_models": [
                    {
                        "name": m.name,
                        "title": m.title,
                        "parameters": m.parameters,
                        "context": m.context,
                        "guide_memory_gb": m.guide_memory_gb,
                        "tokenizer": m.tokenizer,
                        "exact": registry.get(m.tokenizer).exact,
                    }
                    for m in OPEN_MODELS.values()
                ],
                "api_models": [
                    {
                        "name": a.name,
                        "usd_per_million": a.usd_per_million,
                        "example_limit": a.example_limit,
                        "tokenizer": a.tokenizer,
                        "exact": registry.get(a.tokenizer).exact,
                        "prices_as_of": PRICES_AS_OF,
                    }
                    for a in API_MODELS.values()
                ],
                "tokenizers": [
                    {
                        "name": n,
                        "source": registry.get(n).source,
                        "licence": registry.get(n).spec.licence,
                    }
                    for n in registry.NAMES
                ],
            },  # fmt: skip
            json_to,
        )
        return

    click.echo("Open models (the guide's model matrix)")
    for m in OPEN_MODELS.values():
        tok = registry.get(m.tokenizer)
        state = "exact" if tok.exact else f"ESTIMATE ({tok.problem})"
        click.echo(
            f"  {m.name:<14} {m.parameters / 1e9:>5.2f}B  context {m.context:>7,}  "
            f"GPU {m.guide_memory_gb:>2} GB  tokenizer {m.tokenizer} [{state}]"
        )
    click.echo(f"API models (OpenAI fine-tuning, prices as of {PRICES_AS_OF})")
    for a in API_MODELS.values():
        tok = registry.get(a.tokenizer)
        state = "exact" if tok.exact else "ESTIMATE"
        click.echo(
            f"  {a.name:<24} ${a.usd_per_million:>5.2f}/1M training tokens  "
            f"example limit {a.example_limit:>6,}  tokenizer {a.tokenizer} [{state}]"
        )
    click.echo("Tokenizer files")
    for name in registry.NAMES:
        tok = registry.get(name)
        click.echo(f"  {name:<16} {tok.source}  licence: {tok.spec.licence}")


@cli.command("split")
@click.argument("path", metavar="PATH")
@click.option(
    "--eval-size",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.1,
    show_default=True,
    help="Share of the rows for the eval side.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the shuffle.")
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write train.* and eval.* into (made if missing; never overwritten).",
)
@click.option(
    "--task", type=click.Choice(TASKS), help="The fine-tuning task, when detection guesses wrong."
)
@click.option("--text-field", metavar="NAME", help="Column holding the input text.")
@click.option("--label-field", metavar="NAME", help="Column holding the label or JSON output.")
@json_option
def split_command(
    path: str,
    eval_size: float,
    seed: int,
    out_dir: Path,
    task: str | None,
    text_field: str | None,
    label_field: str | None,
    json_to: str | None,
) -> None:
    """Split PATH into train and eval sides that cannot leak: exact duplicates dropped,
    near-duplicate clusters kept whole on one side, every label split in proportion.

    Writes OUTDIR/train.jsonl and OUTDIR/eval.jsonl (.csv or .parquet for such input), with
    the input's own fields, and prints the rows of each label on each side.

    \b
    Examples:
      datacheck split tickets.jsonl -o split/
      datacheck split tickets.jsonl --eval-size 0.2 --seed 7 -o split/
      datacheck audit split/train.jsonl --eval split/eval.jsonl
    """
    from datacheck.split import split

    try:
        done = split(
            path, eval_size=eval_size, seed=seed, task=task, text_field=text_field,
            label_field=label_field,
        )  # fmt: skip
        train_path, eval_path = done.save(out_dir)
    except DatacheckError as exc:
        raise DatacheckClickError(str(exc)) from exc
    summary = {
        "train": str(train_path), "eval": str(eval_path), "counts": done.counts,
        "duplicates_dropped": done.duplicates_dropped, "groups_kept_whole": done.groups_kept_whole,
    }  # fmt: skip
    if json_to is not None:
        _emit_json(summary, json_to, inputs=[path])
        return
    click.echo(f"{train_path}: {done.train.height:,} rows · {eval_path}: {done.eval.height:,} rows")
    click.echo(
        f"{done.duplicates_dropped:,} exact duplicates left out; "
        f"{done.groups_kept_whole:,} near-duplicate groups kept whole on one side"
    )
    width = max((len(name) for name in done.counts), default=5)
    click.echo(f"  {'label':<{width}} {'train':>8} {'eval':>8}")
    for name, sides in done.counts.items():
        click.echo(f"  {name:<{width}} {sides['train']:>8,} {sides['eval']:>8,}")


@cli.command("fix")
@click.argument("path", metavar="PATH")
@click.option(
    "-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="Where to write the cleaned copy (never the input; never over an existing file).",
)  # fmt: skip
@click.option("--dedupe", is_flag=True, help="Keep one row of each exact-duplicate group.")
@click.option(
    "--normalize-labels", is_flag=True, help="Rename label variants to their majority spelling."
)
@click.option(
    "--drop-invalid",
    is_flag=True,
    help="Drop rows that could not be read or fail a format check (empty, bad JSON, bad chat).",
)
@click.option(
    "--map-labels", "map_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Rename labels: a JSON object {old: new} or a CSV of old,new.",
)  # fmt: skip
@click.option(
    "--task", type=click.Choice(TASKS), help="The fine-tuning task, when detection guesses wrong."
)
@click.option("--text-field", metavar="NAME", help="Column holding the input text.")
@click.option("--label-field", metavar="NAME", help="Column holding the label or JSON output.")
def fix_command(
    path: str,
    out: Path,
    dedupe: bool,
    normalize_labels: bool,
    drop_invalid: bool,
    map_path: Path | None,
    task: str | None,
    text_field: str | None,
    label_field: str | None,
) -> None:
    """Write a cleaned copy of PATH to OUT, as the audit's findings say, and every change
    to OUT.changes.jsonl (with its source line) for a person to review.

    \b
    Examples:
      datacheck fix tickets.jsonl -o clean.jsonl --dedupe --normalize-labels
      datacheck fix tickets.jsonl -o clean.jsonl --drop-invalid --map-labels labels.json
      datacheck audit clean.jsonl
    """
    from datacheck.fix import fix, label_map

    if not (dedupe or normalize_labels or drop_invalid or map_path):
        raise click.UsageError(
            "say what to fix: --dedupe, --normalize-labels, --drop-invalid or --map-labels FILE"
        )
    try:
        check_output(out, inputs=[path], what="the cleaned copy")
        done = fix(
            path, dedupe=dedupe, normalize_labels=normalize_labels, drop_invalid=drop_invalid,
            labels=label_map(map_path) if map_path else None, task=task, text_field=text_field,
            label_field=label_field, tokenizers="cl100k_base",
        )  # fmt: skip
        written, log = done.save(out, inputs=[path])
    except DatacheckError as exc:
        raise DatacheckClickError(str(exc)) from exc
    dropped = sum(c["action"] == "dropped" for c in done.changes)
    relabelled = sum(c["action"] == "relabelled" for c in done.changes)
    click.echo(
        f"{written}: {done.frame.height:,} rows; {dropped:,} dropped, {relabelled:,} relabelled "
        f"(every change, with its line: {log})"
    )


@cli.command()
@click.argument("paths", metavar="FILE...", nargs=-1, required=True)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A datacheck.toml to use (default: the nearest one, as for audit).",
)
@click.option("--fail-on", type=click.Choice(["error", "warning"]), help="As for audit.")
@click.option(
    "--tokenizers", metavar="NAMES", help="Count tokens too (default: none in this mode)."
)
def lint(
    paths: tuple[str, ...], config_path: Path | None, fail_on: str | None, tokenizers: str | None
) -> None:
    """Fast checks of each data FILE: format and labels only, no tokenizer unless configured.
    Writes no report. Made for pre-commit (see .pre-commit-hooks.yaml), which passes the
    changed files; `datacheck audit` is the full audit.

    \b
    Exit codes: 0 every file ready, 1 one or more not ready, 2 one or more unreadable
    (the other files are still checked).

    \b
    Examples:
      datacheck lint data/train.jsonl data/eval.jsonl
      pre-commit run datacheck --all-files
    """
    from datacheck._audit import audit as run_audit
    from datacheck.config import load_settings
    from datacheck.report import RenderOptions
    from datacheck.report.terminal import render_brief

    try:
        settings = load_settings(config_path, discover=True)
    except DatacheckError as exc:
        raise DatacheckClickError(str(exc)) from exc
    worst = EXIT_OK
    color = sys.stdout.isatty()
    for path in paths:
        try:
            result = run_audit(
                path, config=settings, fail_on=fail_on, tokenizers=tokenizers, fast=True
            )
        except DatacheckError as exc:
            click.echo(f"Error: {exc}", err=True)
            worst = EXIT_ERROR
            continue
        click.echo(render_brief(result, RenderOptions(color=color)), nl=False, color=color)
        if not result.ready:
            worst = max(worst, EXIT_NOT_READY)
    sys.exit(worst)


@cli.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="The severity whose new or worse findings make the exit code 1.",
)
@click.option("--markdown", is_flag=True, help="Print Markdown (for a pull request comment).")
@json_option
def diff_command(old: Path, new: Path, fail_on: str, markdown: bool, json_to: str | None) -> None:
    """Print what changed between two JSON reports (`datacheck audit --json`): findings that
    are new or worse in NEW, and those fixed or better.

    \b
    Exit codes: 0 nothing the gate fails on got worse, 1 something did, 2 unreadable report.

    \b
    Examples:
      datacheck diff main-report.json report.json
      datacheck diff main-report.json report.json --markdown >> "$GITHUB_STEP_SUMMARY"
      datacheck diff old.json new.json --fail-on warning --json -
    """
    from datacheck.diff import compare, read_report, text_lines
    from datacheck.diff import markdown as diff_markdown
    from datacheck.report._visible import visible_all

    try:
        result = compare(
            read_report(old), read_report(new), fail_on=fail_on, names=(str(old), str(new))
        )
    except DatacheckError as exc:
        raise DatacheckClickError(str(exc)) from exc
    if json_to is not None:
        _emit_json(result.to_dict(), json_to, inputs=[old, new])
    elif markdown:
        click.echo(diff_markdown(visible_all(result.to_dict())), nl=False)
    else:
        click.echo("\n".join(text_lines(visible_all(result.to_dict()))))
    sys.exit(result.exit_code)


@cli.command("checks")
@click.option("--docs", is_flag=True, help="Show what each check measures and why.")
@json_option
def list_checks(docs: bool, json_to: str | None) -> None:
    """List every check: its id (for [checks] in datacheck.toml), severity and title.
    `datacheck explain ID` tells one in full.

    \b
    Examples:
      datacheck checks
      datacheck checks --docs
      datacheck checks --json -
    """
    from datacheck.checks import REGISTRY

    if json_to is not None:
        _emit_json(
            [
                {
                    "id": check_id,
                    "severity": cls.severity,
                    "title": cls.title,
                    "description": cls.describe(),
                    "fix": cls.fix,
                    "config_keys": list(cls.config_keys),
                }
                for check_id, cls in sorted(REGISTRY.items())
            ],  # fmt: skip
            json_to,
        )
        return

    for check_id, cls in sorted(REGISTRY.items()):
        click.echo(f"{check_id:<26} {cls.severity:<8} {cls.title}")
        if docs:
            click.echo("")
            for line in cls.describe().splitlines():
                click.echo(f"    {line}".rstrip())
            click.echo(f"    Fix: {cls.fix}")
            click.echo("")


@cli.command()
@click.argument("check_id", metavar="ID", shell_complete=lambda *_: _check_ids())
def explain(check_id: str) -> None:
    """Explain the check ID: what it measures, why it matters for fine-tuning, how to fix what
    it finds, and the config keys (with their defaults from the guide) that set its bars.

    \b
    Examples:
      datacheck explain volume.per_category
      datacheck explain hygiene.near_duplicates
    """
    from datacheck.checks.explain import explain as explain_check

    try:
        click.echo(explain_check(check_id), nl=False)
    except DatacheckError as exc:
        raise DatacheckClickError(str(exc)) from exc


def _check_ids() -> list[str]:
    from datacheck.checks import REGISTRY

    return sorted(REGISTRY)


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
        write_atomic(output, text, inputs=[path], what="the configuration")
    except DatacheckError as exc:
        raise DatacheckClickError(str(exc)) from exc
    click.echo(f"Wrote {output}. Edit it, then run: datacheck audit {path or 'DATA'}")


def main() -> None:
    tune_allocator()
    try:
        cli(prog_name="datacheck")
    except SystemExit as done:
        _leave(done.code)


def _leave(code: object) -> NoReturn:
    """End the process without tearing down each module it imported: Great Expectations
    brings some 2,400, and their teardown added 0.4 s to every audit. Exit handlers still run
    (logging, temporary files); only the interpreter's final clean-up is skipped, as mypy does
    for the same reason."""
    if code is None or isinstance(code, int):
        status = code or 0
    else:  # what SystemExit does with a message
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)
