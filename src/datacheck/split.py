"""A train/eval split that cannot leak: exact duplicates dropped first, near-duplicate
clusters kept whole on one side, and each label split in proportion (stratified).

`datacheck split PATH --eval-size 0.1 -o OUTDIR` writes `train.jsonl` and `eval.jsonl` (or
`.csv`, `.parquet`, as the input) with the input's own fields.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from datacheck.checks._base import JSON_TASKS
from datacheck.checks._hygiene import near_groups, normalized
from datacheck.checks.labels import normalize_label
from datacheck.errors import ConfigError
from datacheck.load import SOURCE_LINE, SPLIT

#: the file each input format's sides are written as
_OUTPUTS = {"csv": "csv", "tsv": "csv", "parquet": "parquet"}


@dataclass(frozen=True)
class Split:
    """The two sides, as the input's records, and what went where."""

    train: pl.DataFrame
    eval: pl.DataFrame
    #: per label (or "all"): rows on each side
    counts: dict[str, dict[str, int]]
    #: exact duplicates left out (the first of each kept)
    duplicates_dropped: int
    #: near-duplicate groups of more than one row, each kept on one side
    groups_kept_whole: int
    format: str = "jsonl"
    notes: list[str] = field(default_factory=list)

    def save(self, folder: str | Path) -> tuple[Path, Path]:
        """Write `train.<ext>` and `eval.<ext>` into `folder` (made if missing); refuses to
        overwrite either."""
        from datacheck.report._write import write_atomic

        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        paths = (out / f"train.{self.format}", out / f"eval.{self.format}")
        for path in paths:
            if path.exists():
                raise ConfigError(f"{path}: already exists; choose another -o folder.")
        for path, frame in zip(paths, (self.train, self.eval), strict=True):
            if self.format == "parquet":
                frame.write_parquet(path)
            else:
                text = frame.write_csv() if self.format == "csv" else frame.write_ndjson()
                write_atomic(path, text, what="the split")
        return paths


def split(
    source: str | Path | pl.DataFrame, *, eval_size: float = 0.1, seed: int = 0, **options: Any
) -> Split:
    """Split `source` into train and eval sides (see the module docstring); `options` as
    `datacheck.audit` takes them (`task`, `text_field`, `label_field`, `format`, ...)."""
    from datacheck._audit import _prepare

    if not 0 < eval_size < 1:
        raise ConfigError(
            f"--eval-size must be between 0 and 1 (a share of the rows), not {eval_size}."
        )
    settings, loaded, _, detection, frame, _ = _prepare(source, None, None, None, **options)
    task = detection.task
    key = pl.struct(normalized(pl.col("input_text")), normalized(pl.col("target_text")))
    kept = frame.filter(key.is_first_distinct())
    groups = near_groups(
        kept,
        float(settings.thresholds.get("near_duplicate_threshold", 0.8)),
        same_target=task in JSON_TASKS,
        numbers=task != "classification",
    )
    labelled = kept["label"].drop_nulls().len() > 0
    label = normalize_label(pl.col("label")).fill_null("") if labelled else pl.lit("all")
    rows = kept.select("example_id", "source_line", label.alias("_label"))
    stratum = None if labelled or task not in JSON_TASKS else _output_field(kept, settings)
    if stratum is not None:  # structured outputs: split each value of a label-like field
        name, values = stratum
        rows = rows.join(values, on="source_line", how="left").with_columns(
            pl.format("{}={}", pl.lit(name), pl.col("_value").fill_null("")).alias("_label")
        )
    rows = rows.select("example_id", "_label").join(groups, on="example_id")
    side = _assign(rows, eval_size, seed)
    side, leaky = _without_leaks(kept, rows, side, task, settings.thresholds)
    for _ in range(3):  # moving rows out of eval for leaking can tip a label: even it out
        side = _rebalanced(rows, side, eval_size, leaky)
        side, more = _without_leaks(kept, rows, side, task, settings.thresholds)
        if not more:
            break
        leaky |= more
    original = _original(loaded.frame)
    chosen = rows.join(side, on="group").select("example_id", "_label", "_eval").sort("example_id")
    counts: dict[str, dict[str, int]] = {}
    for name, in_eval, n in chosen.group_by("_label", "_eval").len().sort("_label").iter_rows():
        counts.setdefault(name, {"train": 0, "eval": 0})["eval" if in_eval else "train"] = n
    ids = {flag: chosen.filter(pl.col("_eval") == flag)["example_id"] for flag in (False, True)}
    sizes = rows.group_by("group").len()
    return Split(
        train=original[ids[False].to_list()],
        eval=original[ids[True].to_list()],
        counts=counts,
        duplicates_dropped=frame.height - kept.height,
        groups_kept_whole=int((sizes["len"] > 1).sum()),
        format=_OUTPUTS.get(loaded.format, "jsonl"),
    )


def _output_field(kept: pl.DataFrame, settings: Any) -> tuple[str, pl.DataFrame] | None:
    """The label-like field of structured outputs to stratify on (the first of
    `label_fields`, else the one with values in most rows), with each row's value."""
    from datacheck.checks._json_facts import json_facts
    from datacheck.checks.labels import output_value_table

    most = int(settings.thresholds.get("max_output_field_values", 30))
    facts = json_facts(kept, None, settings.label_fields, most)
    table = output_value_table(facts, settings.label_fields, most)
    if table.is_empty():
        return None
    field = (
        table.group_by("field")
        .agg(pl.col("count").sum())
        .sort("count", "field", descending=[True, False])["field"][0]
    )
    values = facts.values.select(
        "source_line", normalize_label(pl.col(field).cast(pl.String)).alias("_value")
    )
    return field, values


def _assign(rows: pl.DataFrame, eval_size: float, seed: int) -> pl.DataFrame:
    """Per group, whether it goes to eval: groups in a seeded random order, each label's
    eval side filled to its share, a group at a time (a group counts for its main label)."""
    per_group = (
        rows.group_by("group", maintain_order=True)
        .agg(pl.col("_label").mode().sort().first().alias("label"), pl.len().alias("size"))
        .sort("group")
    )
    order = list(range(per_group.height))
    random.Random(seed).shuffle(order)
    totals = dict(rows.group_by("_label").len().iter_rows())
    target = {name: eval_size * n for name, n in totals.items()}
    filled: dict[str, int] = dict.fromkeys(totals, 0)
    to_eval = [False] * per_group.height
    labels, sizes = per_group["label"].to_list(), per_group["size"].to_list()
    for at in order:
        name, size = labels[at], sizes[at]
        if abs(filled[name] + size - target[name]) < abs(filled[name] - target[name]):
            filled[name] += size
            to_eval[at] = True
    return per_group.select("group").with_columns(pl.Series("_eval", to_eval))


def _without_leaks(
    kept: pl.DataFrame,
    rows: pl.DataFrame,
    side: pl.DataFrame,
    task: str,
    thresholds: dict[str, Any],
    rounds: int = 5,
) -> tuple[pl.DataFrame, set[str]]:
    """`side` with every eval group the audit would call leaked (an exact or near duplicate
    of a training row) moved to training: near-duplicate search finds candidates by hashing,
    so the pairs it finds across the two sides can differ from those inside the whole."""
    from datacheck.checks._hygiene import analyse

    moved_all: set[str] = set()
    for _ in range(rounds):
        in_eval = rows.join(side, on="group").select("example_id", "group", "_eval")
        marked = kept.join(in_eval, on="example_id").with_columns(
            pl.when(pl.col("_eval")).then(pl.lit("eval")).otherwise(pl.lit("train")).alias("split")
        )
        found = analyse(
            marked.drop("group", "_eval"),
            task=task,
            threshold=float(thresholds.get("near_duplicate_threshold", 0.8)),
            labelled=False,
            same_target=task in JSON_TASKS,
            numbers=task != "classification",
        )
        lines = set((found.leakage or {}).get("eval_lines", []))
        lines |= set((found.near_leakage or {}).get("eval_lines", []))
        if not lines:
            break
        moved = marked.filter(pl.col("_eval") & pl.col("source_line").is_in(list(lines)))["group"]
        moved_all |= set(moved.to_list())
        side = side.with_columns(
            pl.when(pl.col("group").is_in(moved.implode()))
            .then(False)
            .otherwise(pl.col("_eval"))
            .alias("_eval")
        )
    return side, moved_all


def _rebalanced(
    rows: pl.DataFrame, side: pl.DataFrame, eval_size: float, leaky: set[str]
) -> pl.DataFrame:
    """`side` with single-row groups moved across until each label's eval rows are within
    half a row of its share: groups moved away from eval for leaking can tip a label (and
    are not moved back)."""
    placed = rows.join(side, on="group")
    sizes = rows.group_by("group").agg(pl.len().alias("size"), pl.col("_label").first())
    singles = side.join(sizes.filter(pl.col("size") == 1), on="group").sort("group")
    singles = singles.filter(~pl.col("group").is_in(list(leaky)))
    flags = dict(zip(side["group"], side["_eval"], strict=True))
    for (name,), part in placed.group_by("_label", maintain_order=True):
        target = eval_size * part.height  # each row counts for its own label
        have = int(part["_eval"].sum())
        mine = singles.filter(pl.col("_label") == name)
        for flag, step in ((False, 1), (True, -1)):  # into eval while short, out while over
            for group in mine.filter(pl.col("_eval") == flag)["group"]:
                if abs(have + step - target) >= abs(have - target):
                    break
                flags[group], have = not flag, have + step
    return side.with_columns(
        pl.col("group").replace_strict(flags, return_dtype=pl.Boolean).alias("_eval")
    )


def _original(frame: pl.DataFrame) -> pl.DataFrame:
    """The input's own fields: without datacheck's line and split columns, and without the
    dotted copies of nested fields that loading adds."""
    structs = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.Struct)]
    added = {
        name
        for name in frame.columns
        if any(name.startswith(f"{s}.") for s in structs) and name not in structs
    }
    return frame.select([c for c in frame.columns if c not in added | {SOURCE_LINE, SPLIT}])
