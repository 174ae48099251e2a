"""Format consistency: texts present, lengths sane, chat turns well formed, JSON outputs
that parse with one shape, and prompt/completion conventions kept."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from datacheck._frames import number
from datacheck._words import plural
from datacheck.checks._base import Check, Context, Finding
from datacheck.checks._chat_table import chat_table
from datacheck.checks._json_facts import JsonFacts, json_facts
from datacheck.checks._registry import register
from datacheck.checks._tables import derived

#: tasks whose expected outputs are JSON objects

# --- tables ---------------------------------------------------------------------------------


@derived("unreadable", key="line")
def _unreadable(ctx: Context) -> pl.DataFrame:
    """Lines that could not be read, of the training file and then of the eval file."""
    errors = [*ctx.load_errors, *ctx.eval_load_errors]
    return pl.DataFrame(
        {
            "line": [e.line for e in errors],
            "reason": [e.message for e in errors],
            "eval": [False] * len(ctx.load_errors) + [True] * len(ctx.eval_load_errors),
        },
        schema={"line": pl.Int64, "reason": pl.String, "eval": pl.Boolean},
    )


@derived("examples", key="example_id")
def _examples(ctx: Context) -> pl.DataFrame:
    return examples_table(ctx.train)


@derived("length_bounds", needs=("examples",))
def _length_bounds(ctx: Context) -> tuple[float, float]:
    log_lengths = ctx.tables["examples"].frame["input_log_len"]
    return length_bounds(log_lengths, float(ctx.threshold("length_outlier_iqr")))


@derived(
    "chat",
    key="example_id",
    when=lambda ctx: ctx.detection.schema == "chat" and "messages" in ctx.train.columns,
    releases=("messages",),  # the rest of the audit runs without the message lists
)
def _chat(ctx: Context) -> pl.DataFrame:
    return chat_table(ctx.train)


@derived("json_facts", when=lambda ctx: ctx.json_outputs, prefetch=True)
def _json_facts(ctx: Context) -> JsonFacts:
    return json_facts(
        ctx.train,
        ctx.settings.required_fields,
        ctx.settings.label_fields,
        int(ctx.threshold("max_output_field_values")),
    )


@derived("json", key="example_id", needs=("json_facts",))
def _json(ctx: Context) -> pl.DataFrame:
    return ctx.fact("json_facts", JsonFacts).table


@dataclass(frozen=True)
class Affixes:
    """Prompt/completion conventions: the common separator and ending, and who keeps them."""

    table: pl.DataFrame
    separator: str | None
    ending: str | None


@derived("affix_facts", when=lambda ctx: ctx.detection.schema == "prompt_completion")
def _affix_facts(ctx: Context) -> Affixes:
    return Affixes(*affix_table(ctx.train))


@derived("affixes", key="example_id", needs=("affix_facts",))
def _affixes(ctx: Context) -> pl.DataFrame:
    return ctx.fact("affix_facts", Affixes).table


def stripped_length(text: pl.Expr) -> pl.Expr:
    """Characters of `text` without its leading and trailing white space (0 for null).
    Evaluate it in the streaming engine: the stripped copies then never exist all at once
    (three times faster than measuring the white space at each end with regexes)."""
    return text.fill_null("").str.strip_chars().str.len_chars().cast(pl.Int64)


def examples_table(train: pl.DataFrame) -> pl.DataFrame:
    """One row per training example: lengths and the label as written."""
    input_chars = stripped_length(pl.col("input_text"))
    return (
        train.lazy()
        .select(
            "example_id",
            "source_line",
            input_chars.alias("input_chars"),
            stripped_length(pl.col("target_text")).alias("target_chars"),
            # empty inputs are format.empty_text's business, not a length outlier
            pl.when(input_chars > 0)
            .then((input_chars.cast(pl.Float64) + 1).log10())
            .alias("input_log_len"),
            pl.col("label"),
            (pl.col("label").is_null() | (pl.col("label").str.strip_chars() == "")).alias(
                "label_missing"
            ),
        )
        .collect(engine="streaming")
    )


#: below this median length (characters) texts are short by nature (utterances, queries,
#: titles), and a shorter one ("yes", "bye!") is not something anyone would act on
SHORT_FORM_MEDIAN = 100
#: an outlier is at least this many times longer (or shorter) than the median text
MIN_OUTLIER_RATIO = 10


def length_bounds(log_lengths: pl.Series, iqr_factor: float) -> tuple[float, float]:
    """Bounds on log10(length + 1): Tukey fences, far outside the bulk of the data, widened to
    at least ten times (and a tenth of) the median length. Short texts are flagged only
    where the texts are long-form: there a five-character input is a test row."""
    values = log_lengths.drop_nulls()
    if values.is_empty():
        return 0.0, math.inf
    q1 = float(values.quantile(0.25, "linear") or 0.0)
    q3 = float(values.quantile(0.75, "linear") or 0.0)
    median = 10 ** number(values.median()) - 1
    spread = max(q3 - q1, 0.15)  # about a 1.4x length ratio, so uniform data has no outliers
    high = max(q3 + iqr_factor * spread, math.log10(MIN_OUTLIER_RATIO * median + 1))
    if median < SHORT_FORM_MEDIAN:
        return 0.0, high
    return min(q1 - iqr_factor * spread, math.log10(median / MIN_OUTLIER_RATIO + 1)), high


def _common_affix(texts: list[str], suffix: bool, min_share: float = 0.9) -> str | None:
    """The longest separator/ending (up to 12 characters) that at least `min_share` of the
    texts share; a convention needs 3+ characters, so plain punctuation does not count."""
    best = None
    for size in range(1, 13):
        pieces = Counter((t[-size:] if suffix else t[:size]) for t in texts if len(t) >= size)
        if not pieces:
            break
        piece, count = pieces.most_common(1)[0]
        if count / len(texts) < min_share:
            break
        best = piece
    return best if best is not None and len(best) >= 3 else None


def affix_table(train: pl.DataFrame) -> tuple[pl.DataFrame, str | None, str | None]:
    """Per example: does the prompt end with the common separator and the completion with the
    common ending? (The prompt/completion convention of fine-tuning APIs.)"""
    prompts = train["input_text"].fill_null("").to_list()
    completions = train["target_text"].fill_null("").to_list()
    separator = _common_affix(prompts, suffix=True)
    ending = _common_affix(completions, suffix=True)
    ok = [
        (separator is None or p.endswith(separator)) and (ending is None or c.endswith(ending))
        for p, c in zip(prompts, completions, strict=True)
    ]
    table = train.select("example_id", "source_line").with_columns(
        pl.Series("affix_ok", ok, dtype=pl.Boolean)
    )
    return table, separator, ending


# --- checks ---------------------------------------------------------------------------------


def _problem_rows(ctx: Context, table: str, column: str, ids: list[Any]) -> tuple[list[int], dict]:
    """Lines of the failing examples and a count of each distinct problem."""
    frame = ctx.tables[table].frame.filter(pl.col("example_id").is_in(ids))
    counts = (
        frame.group_by(column).len().sort(["len", column], descending=[True, False]).iter_rows()
    )
    return sorted(frame["source_line"].to_list()), {str(p): n for p, n in counts}


def _samples(ctx: Context, table: str, column: str, ids: list[Any], limit: int = 3) -> list[str]:
    frame = (
        ctx.tables[table]
        .frame.filter(pl.col("example_id").is_in(ids))
        .sort("source_line")
        .head(limit)
    )
    return [
        f"line {line}: {problem}"
        for line, problem in frame.select("source_line", column).iter_rows()
    ]


@register
class Readable(Check):
    """Lines (rows, in tables) of the training file, or of the eval file, that could not be
    read: invalid JSON, bytes that are not UTF-8, a CSV row with the wrong number of fields,
    a chat row whose `messages` is not a list. The eval file's lines are listed under
    `details.eval_lines`.

    The audit goes on without them, but a fine-tuning upload rejects the whole file for one
    such line, and a training script stops on it or drops it without a word.
    """

    id = "format.readable"
    title = "Every line can be read"
    fix = "fix or delete these lines; each one's reason is in the report"

    def evaluate(self, ctx: Context) -> Finding:
        table = ctx.tables["unreadable"].frame
        train, evals = table.filter(~pl.col("eval")), table.filter(pl.col("eval"))
        rows = train["line"].to_list()
        parts = [_unread(train, ctx.position)] if rows else []
        details: dict[str, Any] = {}
        if not evals.is_empty():  # an upload of the eval file would be refused too
            parts.append(f"eval file {ctx.eval_path}: {_unread(evals, ctx.eval_position)}")
            details = {"eval_lines": evals["line"].to_list(), "eval_path": ctx.eval_path}
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=table.height,
            required=0,
            message="; ".join(parts) or f"every {ctx.position} was read",
            rows=rows,
            details=details,
        )


def _unread(table: pl.DataFrame, position: str) -> str:
    """What could not be read of one file, in words."""
    line, reason = table.row(0)[:2]
    if table.height == 1:
        return f"{position} {line} could not be read: {reason}"
    count = plural(table.height, position)
    return f"{count} could not be read; the first, {position} {line}: {reason}"


@register
class EmptyText(Check):
    """Examples whose input or expected output is empty or only white space.

    They waste a training step at best; some trainers crash on them.
    """

    id = "format.empty_text"
    title = "No empty inputs or outputs"
    fix = "fill in or remove the empty rows"

    def evaluate(self, ctx: Context) -> Finding:
        examples = ctx.tables["examples"].frame
        failing = self.failing_keys(ctx)
        empty = examples.filter(pl.col("example_id").is_in(failing))
        inputs = int((empty["input_chars"] == 0).sum())
        outputs = int((empty["target_chars"] == 0).sum())
        rows = sorted(empty["source_line"].to_list())
        parts = [plural(inputs, "empty input")] if inputs else []
        if outputs and ctx.task != "classification":
            parts.append(plural(outputs, "empty output"))
        elif outputs:
            parts.append(plural(outputs, "empty label"))
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed={"empty_inputs": inputs, "empty_outputs": outputs},
            required=0,
            message=(", ".join(parts) + (f" ({ctx.where(rows)})")) if parts else "no empty texts",
            rows=rows,
        )


@register
class LengthOutliers(Check):
    """Inputs far longer than the bulk of the data, or, where texts are long-form (median 100
    characters or more), far shorter: beyond Tukey fences on log length and at least ten
    times (or a tenth of) the median.

    Long outliers are often pasted logs, signatures or quoted threads, and cost the most to
    train on; a five-character input among e-mails is a test row. Short utterances in an
    intent set are normal and not flagged.
    """

    id = "format.length_outliers"
    config_keys = ("length_outlier_iqr",)
    title = "No extreme input lengths"
    severity = "warning"
    fix = "look at the outlier rows; trim pasted logs or signatures, drop test rows"

    def evaluate(self, ctx: Context) -> Finding:
        examples = ctx.tables["examples"].frame
        failing = examples.filter(pl.col("example_id").is_in(self.failing_keys(ctx)))
        low, high = ctx.fact("length_bounds", tuple)
        if not math.isfinite(high):  # no input has a length to compare
            message = "no input text to measure"
            return self.result(
                ctx, passed=self.gx_passed(ctx), observed=0, required=None, message=message
            )
        lo_chars, hi_chars = max(math.ceil(10**low - 1), 0), int(10**high - 1)
        measured = examples.filter(pl.col("input_chars") > 0)["input_chars"]
        observed = (
            f"inputs run {int(number(measured.min())):,}-{int(number(measured.max())):,} "
            f"characters (median {int(number(measured.median())):,})"
        )
        rows = sorted(failing["source_line"].to_list())
        short = int((failing["input_log_len"] < low).sum())
        long = len(rows) - short
        parts = [f"{long:,} over {hi_chars:,} characters"] if long else []
        if short:
            parts.append(f"{short:,} under {lo_chars:,}")
        bound = f"none over {hi_chars:,}" + (f" or under {lo_chars:,}" if lo_chars else "")
        fixes = []
        if long:
            fixes.append("trim pasted logs, signatures or quoted threads from the long rows")
        if short:
            fixes.append("drop test rows and fragments among the short ones")
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=len(rows),
            required={"min_chars": lo_chars, "max_chars": hi_chars},
            message=f"{plural(len(rows), 'input')}: {', '.join(parts)}; {observed}"
            if rows
            else f"{observed}; {bound}",
            rows=rows,
            fix="; ".join(fixes) if fixes else self.fix,
        )


class _ProblemCheck(Check):
    """Shared shape of the per-example problem checks: a flag table and a problem column."""

    table: str
    column: str
    what: str

    def applies(self, ctx: Context) -> bool | str:
        return self.table in ctx.tables

    def evaluate(self, ctx: Context) -> Finding:
        failing = self.failing_keys(ctx)
        rows, problems = _problem_rows(ctx, self.table, self.column, failing)
        samples = _samples(ctx, self.table, self.column, failing)
        message = (
            f"{plural(len(rows), 'example')} {self.what}: " + "; ".join(samples)
            if rows
            else f"every example passes ({ctx.tables[self.table].frame.height:,} checked)"
        )
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=len(rows),
            required=0,
            message=message,
            rows=rows,
            details={"problems": problems},
        )


@register
class ChatRoles(_ProblemCheck):
    """Chat structure: known roles, an optional system message first, then user and assistant
    turns alternating, ending with the assistant; no empty messages. An assistant message
    that calls tools may be followed by their results (`tool` or `function` messages) and
    another assistant message.

    A conversation that ends with the user, or whose turns are out of order, trains the model
    on the wrong speaker.
    """

    id = "format.chat_roles"
    title = "Chat turns well formed"
    fix = "reorder or repair these conversations: system?, user, assistant, …, assistant"
    table, column, what = "chat", "roles_problem", "with malformed turns"


@register
class ChatOpenAI(_ProblemCheck):
    """The OpenAI chat fine-tuning format: each message has a known role and text content
    (or a list of content parts, images only in messages the model reads), only the allowed
    keys (role, content, name, weight, function_call, tool_calls,
    tool_call_id), `weight` only on assistant messages and only 0 or 1, and at least one
    assistant message per example. A file that passes is accepted by that API's validator.
    """

    id = "format.chat_openai"
    title = "Accepted by the OpenAI chat fine-tuning format"
    fix = "fix these rows so every message has a known role, text content and allowed keys"
    table, column, what = "chat", "openai_problem", "the OpenAI format would reject"


@register
class JsonParse(_ProblemCheck):
    """Structured outputs that are not a JSON object. The model would learn to sometimes
    answer in prose; every target of an extraction task must parse."""

    id = "format.json_parse"
    title = "Every output is a JSON object"
    fix = "rewrite these outputs as JSON objects with the same fields as the rest"
    table, column, what = "json", "json_problem", "whose output is not a JSON object"

    def evaluate(self, ctx: Context) -> Finding:
        failing = self.failing_keys(ctx)
        rows = ctx.lines_of(failing)
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=len(rows),
            required=0,
            message=f"{plural(len(rows), 'output')} that do not parse as a JSON object "
            f"({ctx.where(rows)})"
            if rows
            else "every output parses as a JSON object",
            rows=rows,
        )


@register
class JsonKeys(_ProblemCheck):
    """Every JSON output has the same set of keys (the most common set, or the configured
    `required_fields`). A missing key teaches the model to drop that field."""

    id = "format.json_keys"
    title = "Every output has the same fields"
    fix = "add the missing fields (null when unknown) and remove unexpected ones"
    table, column, what = "json", "json_problem", "with other fields"

    def evaluate(self, ctx: Context) -> Finding:
        finding = super().evaluate(ctx)
        facts = ctx.fact("json_facts", JsonFacts)
        detail = []
        if facts.missing:
            detail.append("missing " + ", ".join(f"{k} ({n:,})" for k, n in facts.missing.items()))
        if facts.extra:
            detail.append("unexpected " + ", ".join(f"{k} ({n:,})" for k, n in facts.extra.items()))
        expected = list(facts.expected_keys)
        message = finding.message
        if detail:
            message = (
                f"{plural(finding.row_count, 'output')} differ from {{{', '.join(expected)}}}: "
                + "; ".join(detail)
            )
        return replace(
            finding,
            observed={"missing": facts.missing, "unexpected": facts.extra},
            required=expected,
            message=message,
        )


@register
class JsonTypes(_ProblemCheck):
    """Each field of the JSON outputs keeps one type (text, number, boolean, list, object).
    `"priority": 2` among `"priority": "high"` answers makes the output unparseable for the
    code that consumes it. Null is not a type here: an optional field is null where its value
    is absent, and `details.null_shares` gives how often each field is."""

    id = "format.json_types"
    title = "Each output field keeps one type"
    severity = "warning"
    fix = "use one type per field (null aside: an optional field may be null)"
    table, column, what = "json", "json_problem", "with a field of another type"

    def evaluate(self, ctx: Context) -> Finding:
        finding = super().evaluate(ctx)
        facts = ctx.fact("json_facts", JsonFacts)
        breaks = [
            f"{key} is {', '.join(f'{kind} in {n:,}' for kind, n in kinds.items())} "
            f"(elsewhere {facts.key_types[key]})"
            for key, kinds in facts.type_breaks.items()
        ]
        fix = self.fix
        if facts.type_breaks:
            key = next(iter(facts.type_breaks))
            fix = f"use one type per field, e.g. always {facts.key_types[key]} for {key}"
        return replace(
            finding,
            observed=facts.type_breaks,
            required=facts.key_types,
            message="; ".join(breaks) if breaks else finding.message,
            fix=fix,
            details={**finding.details, "null_shares": facts.null_shares},
        )


@register
class PromptCompletionConventions(Check):
    """Prompt/completion data: every prompt ends with the same separator (like `\\n\\n###\\n\\n`)
    and every completion with the same ending (like ` END`), when the data uses them.

    The model learns where the prompt stops and when to stop writing from these markers; a
    few rows without them blur both.
    """

    id = "format.pc_conventions"
    title = "Prompt separator and completion ending used consistently"
    severity = "warning"
    fix = "add the separator to every prompt and the ending to every completion"

    def applies(self, ctx: Context) -> bool | str:
        return "affixes" in ctx.tables

    def evaluate(self, ctx: Context) -> Finding:
        affixes = ctx.fact("affix_facts", Affixes)
        separator, ending = affixes.separator, affixes.ending
        rows = ctx.lines_of(self.failing_keys(ctx))
        conventions = {"separator": separator, "ending": ending}
        used = ", ".join(f"{k} {v!r}" for k, v in conventions.items() if v) or "none found"
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=len(rows),
            required=conventions,
            message=f"{plural(len(rows), 'example')} break the conventions ({used})"
            if rows
            else f"conventions kept: {used}",
            rows=rows,
        )
