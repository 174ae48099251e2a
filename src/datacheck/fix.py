"""A cleaned copy of the data, never the data itself: the audit's own findings decide what
changes, and every change is written down with its source line for a person to review.

`datacheck fix PATH -o OUT --dedupe --normalize-labels --drop-invalid --map-labels FILE`
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from datacheck.errors import ConfigError
from datacheck.load import SOURCE_LINE

#: failing checks whose rows `--drop-invalid` drops: rows a trainer cannot use as they are
INVALID = ("format.empty_text", "format.json_parse", "format.chat_roles", "format.chat_openai")
_WRITERS = {"csv": "csv", "tsv": "csv", "parquet": "parquet"}


@dataclass(frozen=True)
class Fixed:
    """The cleaned rows (the input's own fields) and every change, in source order."""

    frame: pl.DataFrame
    changes: list[dict[str, Any]]
    format: str

    def save(self, path: str | Path, *, inputs: list[object]) -> tuple[Path, Path]:
        """Write the copy to `path` and the changes to `<path>.changes.jsonl`; never over the
        input, never over an existing file."""
        from datacheck.report._write import write_atomic

        target = Path(path)
        log = target.with_name(target.name + ".changes.jsonl")
        for out in (target, log):
            if out.exists():
                raise ConfigError(f"{out}: already exists; choose another -o file.")
        if self.format == "parquet":
            self.frame.write_parquet(target)
        else:
            text = self.frame.write_csv() if self.format == "csv" else self.frame.write_ndjson()
            write_atomic(target, text, inputs=inputs, what="the cleaned copy")
        lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in self.changes)
        write_atomic(log, lines, inputs=inputs, what="the changes")
        return target, log


def label_map(path: str | Path) -> dict[str, str]:
    """A label map from a JSON object (`{"old": "new"}`) or a two-column CSV (old,new)."""
    source = Path(path)
    text = source.read_text(encoding="utf-8")
    if source.suffix.lower() == ".json":
        mapping = json.loads(text)
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            raise ConfigError(f"{source}: a label map is a JSON object of label to new label.")
        return {str(k): v for k, v in mapping.items()}
    frame = pl.read_csv(source, has_header=False, infer_schema_length=0)
    if frame.width != 2:
        raise ConfigError(f"{source}: a label map CSV has two columns, old and new label.")
    return dict(frame.iter_rows())


def fix(
    source: str | Path,
    *,
    dedupe: bool = False,
    normalize_labels: bool = False,
    drop_invalid: bool = False,
    labels: dict[str, str] | None = None,
    **options: Any,
) -> Fixed:
    """The cleaned copy of `source`: what each flag asks, decided by an audit of it."""
    from datacheck._audit import _prepare, audit
    from datacheck.split import _OUTPUTS, _original

    result = audit(source, **options)
    checks = {c.id: c for c in result.checks if c.status == "fail"}
    _, loaded, _, detection, _, _ = _prepare(source, None, None, None, **options)
    changes: list[dict[str, Any]] = [  # a line that cannot be read cannot be copied either
        {"line": e.line, "action": "dropped", "reason": "could not be read", "detail": e.message}
        for e in loaded.errors
    ]
    drop: dict[int, str] = {}
    if drop_invalid:
        for check_id in INVALID:
            for line in checks[check_id].rows if check_id in checks else ():
                drop.setdefault(line, check_id)
    if dedupe and "hygiene.exact_duplicates" in checks:
        for line in checks["hygiene.exact_duplicates"].rows:
            drop.setdefault(line, "hygiene.exact_duplicates")
    frame = loaded.frame
    changes += [
        {"line": line, "action": "dropped", "reason": reason} for line, reason in drop.items()
    ]
    frame = frame.filter(~pl.col(SOURCE_LINE).is_in(list(drop)))
    mapping = dict(labels or {})
    if normalize_labels and "labels.variants" in checks:
        mapping = {**checks["labels.variants"].observed, **mapping}
    field = detection.label_field
    if mapping and field is not None and field in frame.columns:
        old = pl.col(field).cast(pl.String)
        renamed = frame.filter(old.is_in(list(mapping)))
        changes += [
            {"line": line, "action": "relabelled", "reason": "label map" if value in (labels or {})
             else "labels.variants", "from": value, "to": mapping[value]}
            for line, value in renamed.select(SOURCE_LINE, old).iter_rows()
        ]  # fmt: skip
        frame = frame.with_columns(old.replace(mapping).alias(field))
    changes.sort(key=lambda c: (c["line"], c["action"]))
    return Fixed(_original(frame), changes, _OUTPUTS.get(loaded.format, "jsonl"))
