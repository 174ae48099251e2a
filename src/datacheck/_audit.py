"""`audit()`: load, detect, normalize, check, decide. The one entry point every front end uses."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import polars as pl

from datacheck._columns import with_paths
from datacheck._frames import number
from datacheck._perf import release_freed_memory
from datacheck._shown import cut, shown_finding, shown_hygiene, shown_labels
from datacheck._words import plural
from datacheck.checks import REGISTRY, Context, check_severities
from datacheck.checks._gx import load_suites, warm_up
from datacheck.checks._hygiene import Hygiene
from datacheck.checks._run import ordered, run_checks, verdict
from datacheck.checks._tables import start_tables, wait_for_started
from datacheck.checks.assessment import answer
from datacheck.checks.evaluation import evaluation_section
from datacheck.config import Settings, load_settings
from datacheck.detect import Detection, detect, json_object_share, shape_problem
from datacheck.errors import InputError
from datacheck.limits import Limits
from datacheck.load import SOURCE_LINE, SPLIT, Loaded, load
from datacheck.normalize import EVAL_SPLITS, normalize, training
from datacheck.plan import token_counts
from datacheck.plan.cost import CostOptions, estimate
from datacheck.plan.recommend import recommend
from datacheck.plan.tokenizers import parse_names
from datacheck.profiles import profile_for
from datacheck.report.json import source_dict
from datacheck.result import AuditResult, Finding, SourceInfo
from datacheck.tasks import SCHEMA_NAMES

#: load errors kept in full in the report; the count is always exact
MAX_LISTED_LOAD_ERRORS = 100


class _Timer:
    """Times each phase, and tells an optional observer when one starts (for progress)."""

    def __init__(self, progress: Callable[[str], None] | None = None) -> None:
        self.phases: dict[str, float] = {}
        self.progress = progress

    def step(self, phase: str) -> Callable[[int, int], None] | None:
        """For a long phase: what to call with (done, total) as it goes, when the observer
        takes steps (a `step(phase, done, total)` method beside its call)."""
        observer = getattr(self.progress, "step", None)
        if observer is None:
            return None
        return lambda done, total: observer(phase, done, total)

    @contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        if self.progress is not None:
            self.progress(phase)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.phases[phase] = round(self.phases.get(phase, 0.0) + time.perf_counter() - start, 3)


def audit(
    source: str | Path | pl.DataFrame,
    *,
    eval_source: str | Path | pl.DataFrame | None = None,
    task: str | None = None,
    text_field: str | None = None,
    label_field: str | None = None,
    config: Settings | str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    affected_rows: bool = False,
    fast: bool = False,
    **options: Any,
) -> AuditResult:
    """Audit a dataset for fine-tuning readiness and return the findings.

    `source` is a file path (JSONL, JSON, CSV, TSV, Parquet), a Hugging Face dataset folder or a
    cached hub id, or a polars DataFrame. `eval_source` names held-out data checked alongside.
    `config` is a `Settings`, or the path of a `datacheck.toml`; keyword options (`labels`,
    `label_fields`, `required_fields`, `thresholds`, `checks`, `fail_on`, `use_case`,
    `tokenizers`, `epochs`, `model`, `gpu`, `gpu_memory_gb`, `mfu`, `prices`) override it.
    `progress`, if given, is called with each phase's name as it starts; if it also has a
    `step(phase, done, total)` method, that is called as long phases go (each tokenizer, each
    check), for counts and a time remaining. `affected_rows`
    keeps every affected row with its text (`AuditResult.affected`, `save_rows`). `fast` runs
    only the format and label checks, with no tokenizer unless `tokenizers` is set: seconds
    for a pre-commit hook (a severity set under `checks` still turns a check on).
    Raises `InputError` when the source cannot be read at all, `ConfigError` for bad settings.
    """
    settings, loaded, eval_loaded, detection, frame, timer = _prepare(
        source, eval_source, config, progress, task=task, text_field=text_field,
        label_field=label_field, **options,
    )  # fmt: skip
    if fast:
        settings = fast_settings(settings)
    train = training(frame)
    profile = profile_for(detection.task, settings.thresholds)
    sample = sample_info(loaded, settings)
    ctx = Context(
        detection=detection,
        settings=settings,
        profile=profile,
        frame=frame,
        train=train,
        scale=sample["scale"] if sample else 1.0,
        load_errors=tuple(loaded.errors),
        position=loaded.position,
        eval_load_errors=tuple(eval_loaded.errors) if eval_loaded is not None else (),
        eval_position=eval_loaded.position if eval_loaded is not None else loaded.position,
        eval_path=eval_loaded.path if eval_loaded is not None else None,
        step=getattr(progress, "step", None),
    )
    with timer("tokenize"):
        # the distinct texts found before the hygiene analysis starts beside tokenizing
        shared = token_counts.prepared(frame, parse_names(settings.tokenizers))
        start_tables(ctx, then=warm_up)
        shared.when_counted(lambda: wait_for_started(ctx))  # the search's peak, not the counts'
        counts, summary, recommendation = _tokens(
            settings, detection, frame, train, timer.step("tokenize"), shared
        )
        del shared
    release_freed_memory()  # the counts' arrays, freed into glibc's heap (~90 MiB at 1M rows)
    ctx.token_counts, ctx.token_summary, ctx.recommendation = counts, summary, recommendation
    # from here on the checks own the frames, and may let go of columns nothing else reads
    loaded = _without_rows(loaded)
    eval_loaded = _without_rows(eval_loaded) if eval_loaded is not None else None
    del frame, train
    warm_up()  # when no table was built early to start it
    with timer("checks"):
        findings = ordered(run_checks(ctx, load_suites(), timer.step("checks")))
    costs = estimate(counts, _cost_options(settings, ctx.scale))
    labels = _label_counts(ctx.train) if ctx.labelled else None
    if sample:
        labels = {k: round(v * sample["scale"]) for k, v in labels.items()} if labels else labels
        summary = _scaled_summary(summary, sample["scale"])
    shown = Limits.from_settings(settings.limits).max_labels_shown
    labels, labels_not_shown = shown_labels(labels, shown)
    hygiene = ctx.fact("hygiene", Hygiene)
    affected = None
    if affected_rows:
        from datacheck.rows import affected_rows as rows_of

        files = {"train": loaded.path, "eval": (eval_loaded or loaded).path}
        output = "label" if detection.task == "classification" else "target_text"
        parts = loaded.parts + (eval_loaded.parts if eval_loaded is not None else ())
        affected = rows_of(ctx.frame, findings, hygiene.memberships, files, output, parts)
    return AuditResult(
        source=_source_info(loaded),
        eval_source=_source_info(eval_loaded) if eval_loaded is not None else None,
        detected=detection.to_dict(),
        config=settings.to_dict(),
        profile=profile.to_dict(),
        labels=labels,
        labels_not_shown=labels_not_shown,
        checks=tuple(shown_finding(finding, shown) for finding in findings),
        assessment=tuple(replace(a, evidence=cut(a.evidence)) for a in answer(ctx, findings)),
        verdict=verdict(findings, settings.fail_on),
        sample=sample,
        hygiene=shown_hygiene(hygiene.to_dict(), shown),
        tokens=summary,
        cost=costs,
        recommendation=recommendation,
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        timings=timer.phases,
        samples=_samples(ctx.frame, findings, hygiene.conflicts),
        distributions=_distributions(counts, recommendation),
        record_lines=loaded.record_lines,
        affected=affected,
        evaluation=evaluation_section(ctx),
    )


#: affected rows shown per failing check in the HTML report, and their longest text
SAMPLES_PER_CHECK = 5
SAMPLE_CHARS = 2_000


def _samples(
    frame: pl.DataFrame, findings: list[Finding], conflicts: list[dict[str, Any]]
) -> dict[str, tuple[dict[str, Any], ...]]:
    """A few affected rows per failing check, from the split its line numbers refer to; for
    conflicting labels, a few groups whole, each with its text and every label's lines."""
    out: dict[str, tuple[dict[str, Any], ...]] = {}
    for finding in findings:
        if finding.status != "fail" or not finding.rows:
            continue
        if finding.id == "hygiene.conflicting_labels" and conflicts:
            groups = conflicts[:SAMPLES_PER_CHECK]
            firsts = [g["lines"][0] for g in groups]
            by_line = _rows_by_line(frame, firsts, ~pl.col("split").is_in(EVAL_SPLITS))
            out[finding.id] = tuple(
                {**by_line[g["lines"][0]], "labels": g["labels"]}
                for g in groups
                if g["lines"][0] in by_line
            )
            continue
        rows = list(finding.rows[:SAMPLES_PER_CHECK])
        in_eval = pl.col("split").is_in(EVAL_SPLITS)
        split = in_eval if finding.rows_split == "eval" else ~in_eval
        by_line = _rows_by_line(frame, rows, split)
        out[finding.id] = tuple(by_line[line] for line in rows if line in by_line)
    return out


def _rows_by_line(
    frame: pl.DataFrame, lines: list[int], split: pl.Expr
) -> dict[int, dict[str, Any]]:
    wanted = pl.col("source_line").is_in(lines) & split  # only these rows are copied
    table = frame.filter(wanted).unique("source_line", keep="first", maintain_order=True)
    return {
        row["source_line"]: {
            "line": row["source_line"],
            "input": (row["input_text"] or "")[:SAMPLE_CHARS],
            "input_chars": len(row["input_text"] or ""),
            "target": (row["target_text"] or "")[:SAMPLE_CHARS],
            "target_chars": len(row["target_text"] or ""),
        }
        for row in table.select("source_line", "input_text", "target_text").iter_rows(named=True)
    }


def _distributions(counts: dict[str, Any], recommendation: dict[str, Any]) -> dict[str, Any]:
    """Binned token lengths (input, target, total) for the recommended model's tokenizer."""
    from datacheck.plan.models import OPEN_MODELS

    name: str | None = OPEN_MODELS[recommendation["model"]].tokenizer
    if name not in counts:
        name = next(iter(counts), None)
    if name is None:
        return {}
    frame = training(counts[name].frame)
    top = max(int(number(frame["total"].max())), 1)
    width = max(1, -(-top // 40))
    edges = list(range(0, top + width + 1, width))
    binned = {}
    for column in ("input_tokens", "target_tokens", "total"):
        values = frame[column]
        bucket = (values // width).value_counts().sort(column)
        histogram = [0] * (len(edges) - 1)
        for index, n in bucket.iter_rows():
            histogram[min(int(index), len(histogram) - 1)] += int(n)
        binned[column] = histogram
    return {"tokenizer": name, "edges": edges, "bins": binned, "max": top}


def estimate_cost(
    source: str | Path | pl.DataFrame,
    *,
    config: Settings | str | Path | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Token counts, training cost and the base-model recommendation, without the checks."""
    settings, loaded, _eval, detection, frame, _timer = _prepare(
        source, None, config, None, **options
    )
    train = training(frame)
    _counts, summary, recommendation = _tokens(settings, detection, frame, train)
    return {
        "source": source_dict(_source_info(loaded)),
        "detected": detection.to_dict(),
        "tokens": summary,
        "cost": estimate(_counts, _cost_options(settings)),
        "recommendation": recommendation,
    }


#: the check families a fast audit runs
FAST_FAMILIES = ("format.", "labels.")


def fast_settings(settings: Settings) -> Settings:
    """`settings` for a fast audit: checks outside `FAST_FAMILIES` off and no tokenizer, both
    unless the settings name them."""
    off = {cid: "off" for cid in REGISTRY if not cid.startswith(FAST_FAMILIES)}
    tokenizers = settings.tokenizers if settings.tokenizers is not None else ("none",)
    return replace(settings, checks={**off, **settings.checks}, tokenizers=tokenizers)


def _prepare(
    source: str | Path | pl.DataFrame,
    eval_source: str | Path | pl.DataFrame | None,
    config: Settings | str | Path | None,
    progress: Callable[[str], None] | None,
    **options: Any,
) -> tuple[Settings, Loaded, Loaded | None, Detection, pl.DataFrame, _Timer]:
    """Settings, then load, detect and normalize: what every entry point starts with."""
    settings = (
        config
        if isinstance(config, Settings)
        else load_settings(Path(config) if config is not None else None, discover=False)
    )
    settings = settings.merged(**options)
    check_severities(settings)
    if eval_source is None and settings.eval is not None:
        eval_source = settings.eval
    timer = _Timer(progress)
    with timer("load"):
        limits = Limits.from_settings(settings.limits)
        loaded = load(
            source,
            sample=settings.sample,
            seed=settings.seed,
            limits=limits,
            format=settings.format,
        )
        require_rows(loaded)
        loaded = _sampled(loaded, settings)
        loaded = replace(loaded, frame=with_paths(loaded.frame))
        eval_loaded = load(eval_source, limits=limits) if eval_source is not None else None
        if eval_loaded is not None:
            require_rows(eval_loaded)
            eval_loaded = replace(eval_loaded, frame=with_paths(eval_loaded.frame))
    with timer("detect"):
        detection = detect(
            loaded.frame,
            task=settings.task,
            text_field=settings.text_field,
            label_field=settings.label_field,
        )
        frame = normalize(loaded.frame, detection)
        if eval_loaded is not None:
            problem = shape_problem(eval_loaded.frame, detection)
            if problem is not None:
                raise InputError(
                    f"{eval_loaded.path} (the eval data): {problem}, so it cannot be read "
                    f"like the training data ({SCHEMA_NAMES[detection.schema]}). Give eval "
                    "data of the same shape, or hold out rows of the training file."
                )
            eval_frame = normalize(eval_loaded.frame, detection, split="eval")
            frame = pl.concat([frame, eval_frame], how="diagonal_relaxed").with_columns(
                pl.int_range(pl.len(), dtype=pl.Int64).alias("example_id")
            )  # ids stay unique across splits; training rows keep theirs
    return settings, loaded, eval_loaded, detection, frame, timer


def _tokens(
    settings: Settings,
    detection: Detection,
    frame: pl.DataFrame,
    train: pl.DataFrame,
    step: Callable[[int, int], None] | None = None,
    shared: token_counts.Prepared | None = None,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    names = parse_names(settings.tokenizers)
    counts = token_counts.count(frame, detection.schema, names, step, shared)
    summary = {name: token_counts.summarise(c) for name, c in counts.items()}
    recommendation = recommend(
        task=detection.task,
        schema=detection.schema,
        json_share=json_object_share(train["target_text"]),
        counts=counts,
        gpu_memory_gb=settings.gpu_memory_gb,
        model=settings.model,
    )
    return counts, summary, recommendation


def _scaled_summary(summary: dict[str, Any], scale: float) -> dict[str, Any]:
    scaled = {}
    for name, item in summary.items():
        item = dict(item)
        for key in ("total", "input_total", "target_total", "examples"):
            item[key] = round(item[key] * scale)
        item["over_context"] = {m: round(n * scale) for m, n in item["over_context"].items()}
        item["estimated_from_sample"] = True
        scaled[name] = item
    return scaled


def _cost_options(settings: Settings, scale: float = 1.0) -> CostOptions:
    return CostOptions(
        scale=scale,
        epochs=int(settings.epochs) if settings.epochs else None,
        gpu=settings.gpu,
        mfu=settings.mfu,
        gpu_usd_per_hour=settings.gpu_usd_per_hour,
        prices=settings.prices,
    )


def _sampled(loaded: Loaded, settings: Settings) -> Loaded:
    """An explicit, seeded random sample of the rows (never a silent one), in file order."""
    size = settings.sample
    if size is None or size >= loaded.frame.height or loaded.sample_of is not None:
        return loaded  # no sample asked, too few rows, or sampled while reading
    frame = loaded.frame.sample(n=int(size), seed=settings.seed).sort(SOURCE_LINE)
    return replace(loaded, frame=frame, sample_of=loaded.frame.height)


def sample_info(loaded: Loaded, settings: Settings) -> dict[str, Any] | None:
    if loaded.sample_of is None:
        return None
    return {
        "size": loaded.frame.height,
        "of_rows": loaded.sample_of,
        "seed": settings.seed,
        "scale": round(loaded.sample_of / loaded.frame.height, 6),
        "note": "figures are from a random sample; counts are scaled estimates",
    }


def _without_rows(loaded: Loaded) -> Loaded:
    """`loaded` keeping only its line numbers: what the report still needs of its frame."""
    return replace(loaded, frame=loaded.frame.select(SOURCE_LINE))


def require_rows(loaded: Loaded) -> None:
    """Raise `InputError` saying why, when `loaded` has no row to audit."""
    if loaded.frame.height > 0:
        return
    if loaded.errors:
        listed = [(e.line, *e.message.rpartition("; ")[::2]) for e in loaded.errors[:3]]
        advice = {fix for _, _, fix in listed}
        if len(advice) == 1 and all(problem for _, problem, _ in listed):  # say the fix once
            first = "; ".join(f"line {line}: {problem}" for line, problem, _ in listed)
            first += f"). To fix: {advice.pop()}"
        else:
            first = "; ".join(f"line {e.line}: {e.message}" for e in loaded.errors[:3]) + ")"
        count = plural(len(loaded.errors), "problem")
        raise InputError(f"{loaded.path}: no row could be read ({count}; {first}.")
    raise InputError(f"{loaded.path}: contains no examples ({_emptiness(loaded)}).")


def _emptiness(loaded: Loaded) -> str:
    """Why a source that read cleanly has no rows, in the user's terms."""
    if loaded.format == "dataframe":
        return "the frame has no rows"
    columns = [c for c in loaded.frame.columns if c not in (SOURCE_LINE, SPLIT)]
    if columns:
        shown = ", ".join(columns[:5]) + (", …" if len(columns) > 5 else "")
        return f"it has columns ({shown}) but no rows"
    path = Path(loaded.path)
    if path.is_file() and path.stat().st_size == 0:
        return "the file is empty"
    return "it holds no records"


def _label_counts(train: pl.DataFrame) -> dict[str, int]:
    counts = (
        train.filter(pl.col("label").str.strip_chars().fill_null("") != "")  # blank is missing
        .group_by("label")
        .len()
        .sort(["len", "label"], descending=[True, False])
    )
    return dict(zip(counts["label"].to_list(), counts["len"].to_list(), strict=True))


def _source_info(loaded: Loaded) -> SourceInfo:
    return SourceInfo(
        path=loaded.path,
        format=loaded.format,
        sha256=loaded.sha256,
        rows=loaded.frame.height,
        position=loaded.position,
        load_errors=tuple(e.to_dict() for e in loaded.errors[:MAX_LISTED_LOAD_ERRORS]),
        load_error_count=len(loaded.errors),
        parts=loaded.parts,
    )
