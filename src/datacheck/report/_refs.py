"""Where a finding's rows are: each list of line numbers with the file it counts in.

Leakage rows are eval lines, duplicates inside eval are eval lines beside training ones: every
output that names a row (GitHub annotations, JUnit, HTML, the rows export) reads them here,
so none attaches an eval line to the training file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RowRefs:
    """Rows of one file: the lines listed (the first few), and how many there are in all."""

    file: str
    position: str  # line, row or record
    lines: list[int]
    count: int
    #: for a pretty-printed JSON document: the line each listed record starts on
    starts: list[int] | None = None

    def where(self, limit: int = 5) -> str:
        """The rows in words, e.g. `lines 4, 9 and 3 more of eval.jsonl`."""
        shown = ", ".join(str(n) for n in self.lines[:limit])
        more = self.count - min(len(self.lines), limit)
        plural = "s" if self.count != 1 else ""
        if not shown:  # a file whose rows all come after the first listed
            return f"{self.count:,} {self.position}{plural} of {self.file}"
        return (
            f"{self.position}{plural} {shown}{f' and {more:,} more' if more else ''} of {self.file}"
        )


def row_refs(check: dict[str, Any], report: dict[str, Any]) -> list[RowRefs]:
    """The rows of one check of a JSON report, per file: its own rows, then eval rows."""
    source = report["source"]
    evals = report.get("eval_source") or source
    position = {"train": source["position"], "eval": evals["position"]}
    refs = []
    if check.get("rows_by_file"):  # a folder: each file with its own numbers
        split = check.get("rows_split", "train")
        refs += [
            RowRefs(part["file"], position[split], part["rows"], part["count"])
            for part in check["rows_by_file"]
        ]
    elif check["rows"]:
        split = check.get("rows_split", "train")
        refs.append(
            RowRefs(
                check.get("rows_file", source["path"]),
                position[split],
                list(check["rows"]),
                max(check["row_count"], len(check["rows"])),
                check.get("row_lines") if split == "train" else None,
            )
        )
    if check.get("eval_rows_by_file"):
        refs += [
            RowRefs(part["file"], position["eval"], part["rows"], part["count"])
            for part in check["eval_rows_by_file"]
        ]
    elif check.get("eval_rows"):
        refs.append(
            RowRefs(
                check["eval_rows_file"],
                position["eval"],
                list(check["eval_rows"]),
                check["eval_row_count"],
            )
        )
    return refs
