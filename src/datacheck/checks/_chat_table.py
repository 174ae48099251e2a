"""The chat table: per conversation, whether its roles, turn order and content make sense, and
whether the OpenAI chat fine-tuning format accepts it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from polars._typing import PolarsDataType

from datacheck.chat import call_keys, content_as_text, is_parts

KNOWN_ROLES = ("system", "user", "assistant", "tool", "function")
OPENAI_MESSAGE_KEYS = frozenset(
    {"role", "content", "name", "weight", "function_call", "tool_calls", "tool_call_id"}
)
#: a user turn, answered by the assistant, perhaps after tool calls (whose results, in `tool`
#: or `function` messages, are left out of the sequence)
_TURN = r"user,(assistant:call,)*assistant(:call)?"
_ORDER = re.compile(rf"^(system,)?{_TURN}(,{_TURN})*$")


def chat_table(train: pl.DataFrame) -> pl.DataFrame:
    """Per chat example: whether roles, order and content make sense, and whether the
    OpenAI chat fine-tuning format accepts it; the first problem of each kind, in words."""
    struct: PolarsDataType = train.schema["messages"]
    struct = struct.inner if isinstance(struct, pl.List) else struct
    fields = {f.name: f.dtype for f in struct.fields} if isinstance(struct, pl.Struct) else {}
    keys = list(fields)
    # one row per message, made and checked a batch at a time (polars' streaming engine)
    m = (
        train.lazy()
        .select(
            "example_id",
            "messages",
            pl.int_ranges(pl.col("messages").list.len()).alias("pos"),
        )
        .explode("messages", "pos")
        .unnest("messages")
    )
    role = pl.col("role").cast(pl.String)
    content = pl.col("content")
    calls = call_keys(struct)
    has_calls = pl.any_horizontal([pl.col(c).is_not_null() for c in calls] or [pl.lit(False)])
    empty = content.is_null() | ~content_as_text(content, fields.get("content")).str.contains(r"\S")
    where = pl.format("message {} ({})", pl.col("pos") + 1, role.fill_null("no role"))
    # (condition, message) pairs; the first that holds is the message's problem
    roles_rules = [
        (role.is_null(), pl.format("message {} has no role", pl.col("pos") + 1)),
        (
            ~role.is_in(KNOWN_ROLES),
            pl.format("message {} has unknown role '{}'", pl.col("pos") + 1, role),
        ),
        (empty & ~has_calls, pl.format("{} is empty", where)),
    ]
    openai_rules = [
        (
            role.is_null() | ~role.is_in(KNOWN_ROLES),
            pl.format("{}: role must be one of {}", where, pl.lit(", ".join(KNOWN_ROLES))),
        )
    ]
    openai_rules += [
        (
            pl.col(key).is_not_null(),
            pl.format("{}: key '{}' is not allowed in a message", where, pl.lit(key)),
        )
        for key in keys
        if key not in OPENAI_MESSAGE_KEYS
    ]
    if "weight" in keys:
        weight = pl.col("weight")
        openai_rules += [
            (
                weight.is_not_null() & (role != "assistant"),
                pl.format("{}: 'weight' is only allowed on assistant messages", where),
            ),
            (
                weight.is_not_null() & ~weight.cast(pl.Float64, strict=False).is_in([0.0, 1.0]),
                pl.format("{}: 'weight' must be 0 or 1", where),
            ),
        ]
    kind = fields.get("content")
    if is_parts(kind):  # OpenAI takes content parts (vision fine-tuning), images only as input
        not_text = content.list.eval(pl.element().struct.field("type") != "text").list.any()
        openai_rules.append(
            (
                (role == "assistant") & not_text,
                pl.format("{}: an assistant's content parts must all be text", where),
            )
        )
    elif kind is not None and kind != pl.String:
        openai_rules.append(
            (
                content.is_not_null(),
                pl.format("{}: content must be text, or a list of content parts", where),
            )
        )
    openai_rules.append(
        (content.is_null() & ~has_calls, pl.format("{}: content is missing", where))
    )

    def flagged(rules: list[tuple[pl.Expr, pl.Expr]]) -> pl.Expr:
        return pl.any_horizontal([condition.fill_null(False) for condition, _ in rules])

    def first_problem(rules: list[tuple[pl.Expr, pl.Expr]]) -> pl.Expr:
        chain: pl.Expr = pl.when(rules[0][0].fill_null(False)).then(rules[0][1])
        for condition, text in rules[1:]:
            chain = chain.when(condition.fill_null(False)).then(text)  # type: ignore[attr-defined]
        return chain

    # problem texts are written only for the few messages that have one
    problems = (
        m.filter(flagged(roles_rules) | flagged(openai_rules))
        .select(
            "example_id",
            first_problem(roles_rules).alias("roles_problem"),
            first_problem(openai_rules).alias("openai_problem"),
        )
        .collect(engine="streaming")
        .group_by("example_id", maintain_order=True)
        .agg(
            pl.col("roles_problem").drop_nulls().first(),
            pl.col("openai_problem").drop_nulls().first(),
        )
    )
    # per example, from the unexploded lists: a group-by over every message costs 3x the memory
    element_role = pl.element().struct.field("role").cast(pl.String)
    calling = pl.any_horizontal(
        [pl.element().struct.field(c).is_not_null() for c in calls] or [pl.lit(False)]
    )
    turn = pl.when((element_role == "assistant") & calling).then(pl.lit("assistant:call"))
    listed = pl.col("messages")
    per_example = train.select(
        "example_id",
        "source_line",
        listed.list.eval(
            turn.otherwise(element_role).filter(~element_role.is_in(["tool", "function"]))
        )
        .list.join(",")
        .fill_null("")
        .alias("sequence"),
        listed.list.eval(element_role == "assistant").list.sum().fill_null(0).alias("assistants"),
        listed.list.eval(pl.element().is_null()).list.all().fill_null(True).alias("no_messages"),
    ).join(problems, on="example_id", how="left", maintain_order="left")
    order_ok = pl.col("sequence").str.contains(_ORDER.pattern)
    return (
        per_example.with_columns(
            pl.when(pl.col("no_messages"))
            .then(pl.lit("no messages"))
            .when(pl.col("roles_problem").is_not_null())
            .then(pl.col("roles_problem"))
            .when(~order_ok)
            .then(
                pl.format(
                    "order is {}; expected optional system, then user/assistant turns "
                    "ending with assistant",
                    pl.col("sequence"),
                )
            )
            .alias("roles_problem"),
            pl.when(pl.col("no_messages"))
            .then(pl.lit("'messages' is empty"))
            .when(pl.col("openai_problem").is_not_null())
            .then(pl.col("openai_problem"))
            .when(pl.col("assistants") == 0)
            .then(pl.lit("no assistant message: there is nothing to learn from"))
            .alias("openai_problem"),
        )
        .with_columns(
            pl.col("roles_problem").is_null().alias("roles_ok"),
            pl.col("openai_problem").is_null().alias("openai_ok"),
        )
        .with_columns(pl.col("sequence").str.starts_with("system").alias("has_system"))
        .select(
            "example_id",
            "source_line",
            "roles_ok",
            "roles_problem",
            "openai_ok",
            "openai_problem",
            "has_system",
        )  # fmt: skip
    )
