"""Every affected row, for the person who fixes the data: one line per (check, file, line)
with the row's text and output, so a labeller can filter and fix in a spreadsheet.

Reports list the first rows of each finding; this lists them all, with each text's length
in characters (the lengths the length checks weigh). Duplicate, conflict and
near-duplicate groups come whole, each with its number: the row a group keeps is marked
`kept`, every row to look at `affected`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from datacheck.normalize import EVAL_SPLITS

if TYPE_CHECKING:
    from datacheck.result import Finding

#: the columns of the export, in order
COLUMNS = (
    "check", "severity", "status", "file", "line", "group", "role",
    "text_chars", "output_chars", "text", "output",
)  # fmt: skip
SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}

_SCHEMA = pl.Schema(
    {"check": pl.String, "split": pl.String, "line": pl.Int64, "group": pl.Int64, "role": pl.String}
)


def affected_rows(
    frame: pl.DataFrame,
    findings: list[Finding],
    groups: pl.DataFrame | None,
    files: dict[str, str],
    output: str = "target_text",
    parts: tuple[dict[str, Any], ...] = (),
) -> pl.DataFrame:
    """The export's rows (`COLUMNS`), from the canonical frame (every split), the findings
    (every row, not the first 50) and the hygiene groups (`Hygiene.memberships`); with a
    folder's `parts`, each row is numbered within its own file."""
    pieces: list[pl.DataFrame] = []
    grouped = groups if groups is not None else pl.DataFrame(schema=_SCHEMA)
    for finding in findings:
        if finding.status == "skip":
            continue
        whole = grouped.filter(pl.col("check") == finding.id)
        pieces.append(whole)
        for split, lines in ((finding.rows_split, finding.rows), ("eval", finding.eval_rows)):
            if lines and not (whole["split"] == split).any():
                pieces.append(
                    pl.DataFrame(
                        {"check": finding.id, "split": split, "line": list(lines)},
                        schema={"check": pl.String, "split": pl.String, "line": pl.Int64},
                    ).with_columns(
                        pl.lit(None, pl.Int64).alias("group"), pl.lit("affected").alias("role")
                    )
                )
    table = pl.concat([p.cast(_SCHEMA) for p in pieces]) if pieces else pl.DataFrame(schema=_SCHEMA)
    order = {f.id: i for i, f in enumerate(findings)}
    about = pl.DataFrame(
        {
            "check": [f.id for f in findings],
            "severity": [f.severity for f in findings],
            "status": [f.status for f in findings],
            "_order": [order[f.id] for f in findings],
        },
        schema={"check": pl.String, "severity": pl.String, "status": pl.String, "_order": pl.Int64},
    )
    texts = frame.select(
        pl.when(pl.col("split").is_in(EVAL_SPLITS))
        .then(pl.lit("eval"))
        .otherwise(pl.lit("train"))
        .alias("split"),
        pl.col("source_line").alias("line"),
        pl.col("input_text").alias("text"),
        pl.col(output).cast(pl.String).alias("output"),
        pl.col("input_text").str.len_chars().alias("text_chars"),
        pl.col(output).cast(pl.String).str.len_chars().alias("output_chars"),
    ).unique(["split", "line"], keep="first", maintain_order=True)
    table = (
        table.join(about, on="check", how="left")
        .join(texts, on=["split", "line"], how="left")
        .with_columns(pl.col("split").replace_strict(files, return_dtype=pl.String).alias("file"))
    )
    if parts:  # a folder: each row's own file, and its number there
        table = _in_files(table, parts)
    return table.sort(
        "_order",
        "split",
        pl.col("group").fill_null(0),
        "line",
        descending=[False, True, False, False],
    ).select(COLUMNS)


def _in_files(table: pl.DataFrame, parts: tuple[dict[str, Any], ...]) -> pl.DataFrame:
    located = pl.DataFrame(list(parts)).select(
        "split", pl.col("first").cast(pl.Int64), pl.col("count").cast(pl.Int64),
        pl.col("file").alias("_part_file"),
    ).sort("first")  # fmt: skip
    joined = (
        table.with_row_index("_at")
        .sort("line")
        .join_asof(located, left_on="line", right_on="first", by="split", strategy="backward")
    )
    inside = pl.col("first").is_not_null() & (pl.col("line") < pl.col("first") + pl.col("count"))
    local = pl.col("line") - pl.col("first") + 1
    return (
        joined.with_columns(
            pl.when(inside).then(pl.col("_part_file")).otherwise(pl.col("file")).alias("file"),
            pl.when(inside).then(local).otherwise(pl.col("line")).alias("line"),
        )
        .sort("_at")
        .drop("_at", "first", "count", "_part_file")
    )


def write_rows(table: pl.DataFrame, path: Path, *, show_pii: bool = False) -> str:
    """The export as CSV or JSON Lines (by `path`'s ending), personal data masked unless
    `show_pii`."""
    if not show_pii:
        from datacheck.report.pii import mask

        masked = [
            pl.col(c).map_elements(mask, return_dtype=pl.String, skip_nulls=True)
            for c in ("text", "output")
        ]
        table = table.with_columns(masked)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind == "csv":
        return table.write_csv()
    return table.write_ndjson()
