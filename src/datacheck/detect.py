"""Work out a dataset's shape (schema kind) and the fine-tuning task it is for.

Detection reads column names and a little of the content; every decision comes with the reasons
behind it, and every part can be overridden (`task`, `text_field`, `label_field`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from datacheck._columns import as_text
from datacheck._frames import number
from datacheck._words import plural
from datacheck.chat import last_assistant
from datacheck.errors import InputError
from datacheck.load import SOURCE_LINE, SPLIT
from datacheck.spans import canonical_spans, span_fields
from datacheck.tasks import SCHEMAS, TASKS

__all__ = ["SCHEMAS", "TASKS", "Detection", "detect", "json_object_share", "last_assistant"]

_CHAT_FIELDS = ("messages", "conversation", "conversations", "dialog", "chat")
_TEXT_FIELDS = (
    "text", "body", "query", "utterance", "content", "message", "sentence", "input", "question",
    "ticket", "description", "email", "document", "prompt", "subject", "title", "review",
)  # fmt: skip
_LABEL_FIELDS = (
    "label", "labels", "category", "intent", "department", "class", "target", "topic", "tag",
    "queue", "team", "sentiment", "type",
)  # fmt: skip
_OUTPUT_FIELDS = (
    "output", "target", "json", "extraction", "extracted", "fields", "answer", "result",
    "response", "completion", "label", "labels",
)  # fmt: skip
_DOCUMENT_KEYS = {"invoice", "invoice_number", "vendor", "amount", "total", "due_date", "iban"}
_CODE_LINE = re.compile(r"(?m)^\s*(def |class |function |public |private |fn |func |#include)")

_SAMPLE = 2_000


@dataclass(frozen=True)
class Detection:
    """The detected shape and task, how sure we are, and why."""

    schema: str
    task: str
    confidence: float
    reasons: tuple[str, ...]
    text_field: str | None
    label_field: str | None
    #: the field holding the model's expected output (chat: the messages field)
    target_field: str | None = None
    #: instruction data only: the optional context field
    context_field: str | None = None
    overridden: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        return {
            "schema": self.schema,
            "task": self.task,
            "confidence": self.confidence,
            "reasons": list(self.reasons),
            "text_field": self.text_field,
            "label_field": self.label_field,
        }


def detect(
    frame: pl.DataFrame,
    *,
    task: str | None = None,
    text_field: str | None = None,
    label_field: str | None = None,
) -> Detection:
    """Detect schema and task; raise `InputError` when no usable shape is found."""
    columns = [c for c in frame.columns if c not in (SOURCE_LINE, SPLIT)]
    for name, value in (("text field", text_field), ("label field", label_field)):
        if value is not None and value not in columns:
            raise InputError(
                f"the {name} `{value}` is not a column of the data; columns are: "
                f"{', '.join(columns) or '(none)'}."
            )
    if text_field is not None and isinstance(frame.schema[text_field], pl.Struct):
        inside = [
            c for c in columns if c.startswith(f"{text_field}.") and frame[c].dtype == pl.String
        ]
        raise InputError(
            f"the text field `{text_field}` holds objects, not text; name the text inside them "
            f"with a dotted path, e.g. --text-field {inside[0] if inside else text_field + '.text'}"
            + (f" (text fields inside: {', '.join(inside)})." if inside else ".")
        )
    if task is not None and task not in TASKS:
        raise InputError(f"unknown task `{task}`; choose one of: {', '.join(TASKS)}.")
    sample = frame.head(_SAMPLE)
    shape = _shape(sample, columns, text_field, label_field)
    detected_task, confidence, task_reasons = _task(sample, shape, frame)
    overridden: list[str] = []
    if text_field:
        overridden.append("text_field")
    if label_field:
        overridden.append("label_field")
    if task is not None:
        overridden.append("task")
        if task != detected_task:
            task_reasons = [
                f"task set to `{task}` by option (the data looked like {detected_task})"
            ]
        detected_task, confidence = task, 1.0
    return Detection(
        schema=shape.schema,
        task=detected_task,
        confidence=round(confidence, 2),
        reasons=tuple(shape.reasons + task_reasons),
        text_field=shape.text_field,
        label_field=shape.label_field,
        target_field=shape.target_field,
        context_field=shape.context_field,
        overridden=tuple(overridden),
    )


@dataclass
class _Shape:
    schema: str
    text_field: str | None
    label_field: str | None
    target_field: str | None
    reasons: list[str]
    context_field: str | None = None


_SPAN_COLUMNS = ("entities", "spans", "slots", "annotations", "labels", "entity", "label")
_INTENT_FIELDS = ("intent", "label", "category", "class", "topic", "domain")


def _spans_shape(
    sample: pl.DataFrame, columns: list[str], text_field: str | None, label_field: str | None
) -> _Shape | None:
    """Text with character spans (and an intent, where there is one): the spans named by
    `label_field`, or found by name when no label field is given."""
    if label_field is not None:
        spans = label_field if span_fields(sample[label_field].dtype) is not None else None
    else:
        spans = _spans_column(sample, columns)
    if spans is None:
        return None
    text = text_field or _find(columns, _TEXT_FIELDS, exclude=(spans,))
    if text is None or sample[text].dtype != pl.String:
        return None
    intent = _find(columns, _INTENT_FIELDS, exclude=(text, spans))
    if intent is not None and sample[intent].dtype != pl.String:
        intent = None
    how = " (set by option)" if text_field else ""
    reasons = [
        f"text field `{text}`{how} with character spans in `{spans}` (start, end, name)",
        *([f"intent field `{intent}`"] if intent else []),
    ]
    return _Shape("spans", text, intent, spans, reasons)


def _triples(values: pl.Series) -> bool:
    """Whether lists of lists read as `[start, end, label]`: three items, two whole numbers."""
    flat = values.explode().drop_nulls()
    if flat.is_empty():
        return False
    starts = flat.list.get(0, null_on_oob=True).cast(pl.Int64, strict=False)
    return bool((flat.list.len() == 3).all()) and starts.null_count() == 0


def _spans_column(sample: pl.DataFrame, columns: list[str]) -> str | None:
    """A column of character-span lists (see `datacheck.spans`)."""
    for name in _SPAN_COLUMNS:
        column = _find(columns, (name,))
        if column is None:
            continue
        fields = span_fields(sample[column].dtype)
        if fields is not None and (not fields.triples or _triples(sample[column])):
            return column
    return None


def _find(
    columns: list[str], names: tuple[str, ...], exclude: tuple[str | None, ...] = ()
) -> str | None:
    lowered = {c.lower().strip(): c for c in columns if c not in exclude}
    for column in columns:  # a nested field answers to its own name: `userInput.text` to "text"
        if "." in column and column not in exclude:
            lowered.setdefault(column.rsplit(".", 1)[1].lower().strip(), column)
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


def _shape(
    sample: pl.DataFrame, columns: list[str], text_field: str | None, label_field: str | None
) -> _Shape:
    if text_field and not label_field and _is_message_list(sample[text_field]):
        return _Shape(
            "chat", text_field, None, text_field,
            [f"field `{text_field}` (set by option) holds role/content message lists"],
        )  # fmt: skip
    spans_shape = _spans_shape(sample, columns, text_field, label_field)
    if spans_shape is not None:
        return spans_shape
    if not text_field and not label_field:
        chat = _find(columns, _CHAT_FIELDS)
        if chat is not None and _is_message_list(sample[chat]):
            return _Shape(
                "chat", chat, None, chat, [f"field `{chat}` holds role/content message lists"]
            )
        instruction = _find(columns, ("instruction",))
        output = _find(columns, ("output", "response", "answer"))
        if instruction and output:
            context = _find(columns, ("input", "context"))
            return _Shape(
                "instruction",
                instruction,
                None,
                output,
                [f"fields `{instruction}` and `{output}` (alpaca-style instruction data)"],
                context_field=context,
            )
        prompt = _find(columns, ("prompt",))
        completion = _find(columns, ("completion", "response", "chosen"))
        if prompt and completion:
            return _Shape(
                "prompt_completion", prompt, None, completion,
                [f"fields `{prompt}` and `{completion}` (prompt/completion pairs)"],
            )  # fmt: skip
    text = text_field or _find(columns, _TEXT_FIELDS, exclude=(label_field,))
    if text is None:
        text = _longest_text_column(sample, columns, exclude=(label_field,))
    if text is None:
        raise InputError(
            "cannot find a text field. Name it with --text-field; columns are: "
            f"{', '.join(columns) or '(none)'}."
        )
    reasons = [f"text field `{text}`" + (" (set by option)" if text_field else " (by its name)")]
    output = label_field or _find(columns, _OUTPUT_FIELDS, exclude=(text,))
    if output is not None and json_object_share(sample[output]) >= 0.8:
        reasons.append(f"field `{output}` holds JSON objects (structured output)")
        return _Shape("extraction", text, None, output, reasons)
    label = label_field or _find(columns, _LABEL_FIELDS, exclude=(text,))
    if label is None:
        label = _low_cardinality_column(sample, columns, exclude=(text,))
        if label is not None:
            reasons.append(f"label field `{label}` (few distinct values)")
    elif not label_field:
        reasons.append(f"label field `{label}` (by its name)")
    else:
        reasons.append(f"label field `{label}` (set by option)")
    if label is None:
        raise InputError(
            f"found the text field `{text}` but no label or output field. Name it with "
            f"--label-field; columns are: {', '.join(columns)}."
        )
    return _Shape("text_label", text, label, label, reasons)


def shape_problem(frame: pl.DataFrame, detection: Detection) -> str | None:
    """Why `frame` cannot be read the way `detection` reads the training data (eval data of
    another shape), or None when it can."""
    fields = (detection.text_field, detection.target_field, detection.label_field)
    needed = {f for f in fields if f is not None}
    missing = sorted(f for f in needed if f not in frame.columns)
    if missing:
        names = " or ".join(f"`{f}`" for f in missing)
        shown = ", ".join(c for c in frame.columns if c not in (SOURCE_LINE, SPLIT)) or "none"
        return f"has no {names} column (its columns: {shown})"
    chat = detection.target_field if detection.schema == "chat" else None
    if chat is not None and not _is_message_list(frame[chat]):
        return f"its `{chat}` are not lists of messages with role and content"
    return None


def _is_message_list(series: pl.Series) -> bool:
    dtype = series.dtype
    if not isinstance(dtype, pl.List) or not isinstance(dtype.inner, pl.Struct):
        return False
    names = {f.name for f in dtype.inner.fields}
    return {"role", "content"} <= names


#: texts stripped at a time: a whole column's copy held 64 MiB at 1M rows beside the hygiene
#: (stripping, then testing both ends, ran 2x faster than two anchored regexes at 5M rows)
_SHARE_SLICE = 65_536


def json_object_share(series: pl.Series) -> float:
    values = series.drop_nulls()
    if values.is_empty():
        return 0.0
    if isinstance(series.dtype, pl.Struct):
        return 1.0
    if series.dtype != pl.String:
        return 0.0
    objects = 0
    for start in range(0, len(values), _SHARE_SLICE):
        stripped = values.slice(start, _SHARE_SLICE).str.strip_chars()
        objects += int((stripped.str.starts_with("{") & stripped.str.ends_with("}")).sum())
    return number(objects / len(values))


def _longest_text_column(
    sample: pl.DataFrame, columns: list[str], exclude: tuple[str | None, ...]
) -> str | None:
    best, best_len = None, 0.0
    for column in columns:
        if column in exclude or sample[column].dtype != pl.String:
            continue
        mean = sample[column].str.len_chars().mean()
        if isinstance(mean, (int, float)) and mean > best_len:
            best, best_len = column, float(mean)
    return best


def _low_cardinality_column(
    sample: pl.DataFrame, columns: list[str], exclude: tuple[str | None, ...]
) -> str | None:
    for column in columns:
        if column in exclude or sample[column].dtype not in (pl.String, pl.Int64, pl.Boolean):
            continue
        distinct = sample[column].n_unique()
        if 1 < distinct <= max(50, sample.height // 20) and distinct < sample.height:
            return column
    return None


def target_texts(sample: pl.DataFrame, shape_schema: str, target_field: str | None) -> pl.Series:
    """The expected outputs as text: the last assistant message for chat, else the target field."""
    if target_field is None:
        return pl.Series([], dtype=pl.String)
    column = sample[target_field]
    if shape_schema == "chat":
        return sample.select(last_assistant(pl.col(target_field), column.dtype)).to_series()
    return sample.select(as_text(sample, target_field)).to_series()


def _written(labels: pl.Series) -> pl.Series:
    """The labels given, as written: neither null nor blank (those are missing labels)."""
    text = labels.cast(pl.String)
    return text.filter(text.str.strip_chars().fill_null("") != "")


def _task(sample: pl.DataFrame, shape: _Shape, frame: pl.DataFrame) -> tuple[str, float, list[str]]:
    if shape.schema == "spans" and shape.target_field is not None:
        layout = span_fields(frame.schema[shape.target_field])
        assert layout is not None
        spans = frame.select(canonical_spans(shape.target_field, layout)).to_series()
        names = spans.list.eval(pl.element().struct.field("entity"))
        slots = names.explode().drop_nulls().n_unique()
        reasons = [f"span extraction: {plural(slots, 'slot')} annotated"]
        if shape.label_field is not None:
            intents = _written(frame[shape.label_field]).n_unique()
            reasons.append(f"with an intent per example ({plural(intents, 'distinct intent')})")
        return "extraction", 0.9, reasons
    if shape.schema == "text_label":
        assert shape.label_field is not None
        distinct = _written(frame[shape.label_field]).n_unique()  # all rows: a stated count
        return (
            "classification",
            0.95,
            [f"fixed label set: {plural(distinct, 'distinct value')} in `{shape.label_field}`"],
        )
    targets = target_texts(sample, shape.schema, shape.target_field).drop_nulls()
    inputs = None
    if shape.schema != "chat":
        fields = [f for f in (shape.text_field, shape.context_field) if f is not None]
        inputs = sample.select(
            pl.concat_str([as_text(sample, f) for f in fields], separator="\n", ignore_nulls=True)
        ).to_series()
    if shape.schema == "extraction" or json_object_share(targets) >= 0.8:
        keys = _json_keys(targets)
        mean_input = number(inputs.str.len_chars().mean()) if inputs is not None else 0.0
        if keys & _DOCUMENT_KEYS and mean_input >= 1_000:
            return (
                "document_parsing",
                0.7,
                [
                    "JSON outputs with document fields "
                    f"({', '.join(sorted(keys & _DOCUMENT_KEYS))}) "
                    f"from long inputs (mean {mean_input:,.0f} characters)"
                ],
            )
        return (
            "extraction",
            0.9,
            [f"{json_object_share(targets):.0%} of outputs are JSON objects with fixed fields"],
        )
    if targets.len() > 0:
        distinct = targets.str.strip_chars().n_unique()
        mean_len = number(targets.str.len_chars().mean())
        if distinct <= max(20, targets.len() // 50) and mean_len < 40:
            return (
                "classification",
                0.8,
                [
                    f"outputs are short ({plural(round(mean_len), 'character')} on average) "
                    f"and take only {plural(distinct, 'distinct value')}"
                ],
            )
    if inputs is not None and inputs.len() > 0:
        code_share = number(inputs.str.contains(_CODE_LINE.pattern).mean())
        if code_share >= 0.5:
            return "code_comments", 0.7, [f"{code_share:.0%} of inputs look like source code"]
    if shape.schema == "chat" and shape.target_field is not None:
        users = sample.select(
            pl.col(shape.target_field)
            .list.eval((pl.element().struct.field("role") == "user").cast(pl.Int32))
            .list.sum()
        ).to_series()
        median_turns = number(users.median())
        if median_turns >= 2:
            return (
                "open_chat",
                0.6,
                [
                    f"multi-turn conversations (median {median_turns:.0f} user turns) "
                    "with free-form replies"
                ],
            )
    return "response_generation", 0.6, ["free-form text outputs that vary from example to example"]


def _json_keys(targets: pl.Series) -> set[str]:
    objects = targets.head(200).filter(targets.head(200).str.strip_chars().str.starts_with("{"))
    try:
        decoded = objects.str.json_decode(infer_schema_length=None)
    except Exception:  # one unparseable target: the format checks report it, not detection
        return set()
    if isinstance(decoded.dtype, pl.Struct):
        return {f.name for f in decoded.dtype.fields}
    return set()
