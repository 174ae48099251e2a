"""How chat messages read as text: their content (a string, or a list of content parts), the
tool calls an assistant makes, and the output an example teaches."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from polars._typing import PolarsDataType

from datacheck._columns import json_text

#: message keys that carry calls instead of (or beside) content
CALL_KEYS = ("tool_calls", "function_call")
#: the kinds of content part OpenAI's chat format defines
PART_TYPES = ("text", "image_url", "input_audio", "file", "refusal")


def _message_type(dtype: PolarsDataType | None) -> dict[str, PolarsDataType]:
    """A message's fields and their types, from a message list's or a message's type."""
    inner = dtype.inner if isinstance(dtype, pl.List) else dtype
    return {f.name: f.dtype for f in inner.fields} if isinstance(inner, pl.Struct) else {}


def has_parts(dtype: PolarsDataType | None) -> bool:
    """Whether messages of `dtype` hold their content as lists of parts (text, images)."""
    return is_parts(_message_type(dtype).get("content"))


def call_keys(dtype: PolarsDataType | None) -> tuple[str, ...]:
    """The keys of a chat message type that hold tool or function calls."""
    fields = _message_type(dtype)
    return tuple(key for key in CALL_KEYS if key in fields)


def is_parts(kind: PolarsDataType | None) -> bool:
    """Whether message content of type `kind` is a list of typed content parts (some may be
    text; a file whose parts are all images has none)."""
    if not isinstance(kind, pl.List) or not isinstance(kind.inner, pl.Struct):
        return False
    return "type" in {f.name for f in kind.inner.fields}


def content_as_text(content: pl.Expr, kind: PolarsDataType | None) -> pl.Expr:
    """Message content of type `kind` as text: a string as it is; a list of content parts
    (`[{"type": "text", "text": …}, …]`) as its text parts joined by new lines, other parts
    (images) left out; anything else as JSON."""
    if is_parts(kind):
        assert isinstance(kind, pl.List) and isinstance(kind.inner, pl.Struct)
        if "text" not in {f.name for f in kind.inner.fields}:  # images only: no text at all
            return pl.when(content.is_not_null()).then(pl.lit(""))
        text = pl.element().struct.field("text").cast(pl.String)
        return content.list.eval(text).list.join("\n")
    if isinstance(kind, pl.List) and kind.inner == pl.String:
        return content.list.join("\n")
    if isinstance(kind, (pl.Struct, pl.List)):
        return json_text(content)
    return content.cast(pl.String)


def content_text(message: pl.Expr, dtype: PolarsDataType | None) -> pl.Expr:
    """The content of `message` (a message struct of `dtype`, or of a list of them) as text."""
    return content_as_text(message.struct.field("content"), _message_type(dtype).get("content"))


def call_text(message: pl.Expr, calls: tuple[str, ...]) -> pl.Expr:
    """A message's tool or function calls as JSON text (`{"tool_calls": [...]}`), or null."""
    parts = [
        pl.when(message.struct.field(key).is_not_null()).then(
            pl.struct(message.struct.field(key).alias(key)).struct.json_encode()
        )
        for key in calls
    ]
    return pl.concat_str(parts, separator="\n", ignore_nulls=True) if len(parts) > 1 else parts[0]


def said(message: pl.Expr, dtype: PolarsDataType | None) -> pl.Expr:
    """What a message says: its content as text, and its calls as JSON text after it."""
    text = content_text(message, dtype)
    calls = call_keys(dtype)
    if not calls:
        return text
    return pl.concat_str([text, call_text(message, calls)], separator="\n", ignore_nulls=True)


def last_assistant(messages: pl.Expr, dtype: PolarsDataType | None = None) -> pl.Expr:
    """What the last assistant message of a chat example says: its content, or, for a message
    that only calls tools, its calls as JSON text. `dtype` is the messages column's type."""
    message = pl.element()
    role = message.struct.field("role")
    text = content_text(message, dtype)
    calls = call_keys(dtype)
    if calls:
        text = pl.coalesce(text, call_text(message, calls))
    return messages.list.eval(text.filter(role == "assistant")).list.last()
