"""Chat `messages` that the readers had to keep as text, turned back into message lists; and
message contents kept as text because some were lists of parts, turned back into parts."""

from __future__ import annotations

import json
from dataclasses import replace

import polars as pl

from datacheck._frames import number
from datacheck._json import kind_with_article as json_kind
from datacheck.chat import PART_TYPES
from datacheck.load._base import SOURCE_LINE, Loaded, LoadError

_LIST = r"^\s*\["
_NOT_A_MESSAGE = (
    "`messages` holds a value that is not a message (an object); every item of the list must be one"
)
_SLICE = 100_000


def messages_as_lists(loaded: Loaded) -> Loaded:
    """When some rows' `messages` hold text, a number or an object instead of a list, the
    readers keep the whole column as text, and the file no longer looks like chat data.
    Decode the lists back and report each other row as unreadable, so a bad row costs that
    row and not the audit. Columns that are mostly not lists are left as they are."""
    loaded = _items_as_text(loaded)
    frame = loaded.frame
    if "messages" not in frame.columns or frame.schema["messages"] != pl.String:
        return loaded
    text = frame["messages"]
    is_list = text.str.contains(_LIST).fill_null(True)  # a missing list is not malformed
    if text.drop_nulls().is_empty() or number(is_list.mean()) < 0.5:
        return loaded
    decoded = _decoded(text.set(~is_list, None))
    errors = [
        LoadError(line, f"`messages` holds {_what(value)} instead of a list of messages")
        for line, value in frame.filter(~is_list).select(SOURCE_LINE, "messages").iter_rows()
    ]
    if decoded is None:  # some list holds something else than messages: find those rows
        odd = pl.Series([not _only_objects(value) for value in text.set(~is_list, None)])
        if number(odd.mean()) >= 0.5:  # mostly not lists of messages: not chat data
            return loaded
        errors += [LoadError(line, _NOT_A_MESSAGE) for line in frame.filter(odd)[SOURCE_LINE]]
        is_list = is_list & ~odd
        decoded = _decoded(text.set(~is_list, None))
        if decoded is None:  # the messages' fields differ in kind: content text in some, parts
            decoded, bad = _decoded_as_text(text.set(~is_list, None), frame[SOURCE_LINE])
            errors += bad
            is_list = is_list & decoded.is_not_null()
    return replace(
        loaded,
        frame=frame.with_columns(decoded.alias("messages")).filter(is_list),
        errors=tuple(sorted([*loaded.errors, *errors], key=lambda e: e.line)),
    )


def _items_as_text(loaded: Loaded) -> Loaded:
    """When the readers kept each message as JSON text because one row's list also holds
    something else (`[{...}, 5]`), report those rows and give the others back as JSON lists,
    for `messages_as_lists` to decode. Left alone when most items are not objects."""
    frame = loaded.frame
    if frame.schema.get("messages") != pl.List(pl.String):
        return loaded
    objects = (
        frame["messages"]
        .list.eval(pl.element().str.strip_chars_start().str.starts_with("{"))
        .list.all()
        .fill_null(True)
    )
    if objects.all() or number(objects.mean()) < 0.5:
        return loaded
    errors = [LoadError(line, _NOT_A_MESSAGE) for line in frame.filter(~objects)[SOURCE_LINE]]
    as_text = pl.format("[{}]", pl.col("messages").list.join(","))
    return replace(
        loaded,
        frame=frame.filter(objects).with_columns(as_text.alias("messages")),
        errors=tuple(sorted([*loaded.errors, *errors], key=lambda e: e.line)),
    )


def _decoded(lists: pl.Series) -> pl.Series | None:
    """The JSON lists decoded as lists of messages, or None when polars cannot give them one
    type (or gives them one that is not objects: `[{...}, 5]` decodes as texts)."""
    try:  # a slice at a time: decoding a whole column at once held 3x its size (+1.2 GB at 1M)
        parts = [
            lists.slice(start, _SLICE).str.json_decode(infer_schema_length=None).to_frame()
            for start in range(0, len(lists), _SLICE)
        ]
        decoded = pl.concat(parts, how="vertical_relaxed").to_series()  # unions struct fields
    except pl.exceptions.PolarsError:
        return None
    kind = decoded.dtype
    return decoded if isinstance(kind, pl.List) and isinstance(kind.inner, pl.Struct) else None


def _decoded_as_text(lists: pl.Series, lines: pl.Series) -> tuple[pl.Series, list[LoadError]]:
    """The JSON lists decoded one by one with every message field as text (a list of
    content parts as its JSON, which `content_parts` reads back), when polars cannot give
    the fields one kind; a row whose content is a number, a boolean or an object is reported
    and left null. Slow, but only met when the kinds of a field differ between rows."""
    rows: list[list[dict[str, str | None]] | None] = []
    errors: list[LoadError] = []
    for line, text in zip(lines, lists, strict=True):
        messages = None if text is None else json.loads(text)
        if messages is None:
            rows.append(None)
            continue
        problem = next(
            (
                f"message {index} has {json_kind(message['content'])} as its content; "
                "write text or a list of content parts"
                for index, message in enumerate(messages, 1)
                if isinstance(message.get("content"), (int, float, bool, dict))
            ),
            None,
        )
        if problem is not None:
            errors.append(LoadError(line, problem))
            rows.append(None)
            continue
        rows.append([{key: _as_text(value) for key, value in m.items()} for m in messages])
    keys = sorted({key for row in rows if row for message in row for key in message})
    kind = pl.List(pl.Struct(dict.fromkeys(keys, pl.String)))
    return pl.Series("messages", rows, dtype=kind), errors


def _as_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _only_objects(text: str | None) -> bool:
    """Whether the JSON list `text` holds objects only (None: nothing to judge)."""
    if text is None:
        return True
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return False
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _what(value: str) -> str:
    stripped = value.strip()
    if stripped.startswith("{"):
        return "an object"
    shown = stripped if len(stripped) <= 40 else stripped[:37] + "..."
    return f"the value {shown!r}"


_PARTS = r"^\[\s*\{[\s\S]*\}\s*\]$"


def content_parts(loaded: Loaded) -> Loaded:
    """When some messages' `content` is a list of parts (OpenAI's vision format: text parts
    and image parts) and others' a plain string, the readers keep every content as text, the
    lists as JSON, and an image's URL (often its whole base64 data) would be counted as text
    tokens. Turn the contents back into lists of parts, a string becoming one text part, as
    the format defines it. Assistant messages keep their text as one text part, whatever it
    holds: a JSON answer that happens to look like parts is still the answer. Left as they
    are when those texts do not all read as lists of OpenAI's kinds of part."""
    frame = loaded.frame
    dtype = frame.schema.get("messages")
    if not isinstance(dtype, pl.List) or not isinstance(dtype.inner, pl.Struct):
        return loaded
    fields = {f.name: f.dtype for f in dtype.inner.fields}
    if fields.get("content") != pl.String or fields.get("role") != pl.String:
        return loaded
    content = pl.element().struct.field("content")
    listed = content.str.contains(_PARTS) & (pl.element().struct.field("role") != "assistant")
    texts = frame.select(pl.col("messages").list.eval(content.filter(listed))).to_series()
    texts = texts.explode().drop_nulls()
    if texts.is_empty():
        return loaded
    try:
        decoded = texts.str.json_decode(infer_schema_length=None)
    except pl.exceptions.PolarsError:  # text that only looks like a list
        return loaded
    part = decoded.dtype.inner if isinstance(decoded.dtype, pl.List) else None
    names = {f.name: f.dtype for f in part.fields} if isinstance(part, pl.Struct) else {}
    if names.get("type") != pl.String or names.get("text", pl.String) != pl.String:
        return loaded
    names.setdefault("text", pl.String)  # where a string becomes a part, when no part had text
    if not decoded.explode().struct.field("type").drop_nulls().is_in(PART_TYPES).all():
        return loaded
    one_text_part = pl.concat_list(
        pl.struct(
            *[
                (pl.lit("text") if name == "type" else content if name == "text" else pl.lit(None))
                .cast(kind)
                .alias(name)
                for name, kind in names.items()
            ]
        )
    )
    as_parts = (
        pl.when(content.is_null())
        .then(None)
        .when(listed)
        .then(pl.when(listed).then(content).str.json_decode(pl.List(pl.Struct(names))))
        .otherwise(one_text_part)
    )
    try:
        converted = frame.with_columns(
            pl.col("messages").list.eval(pl.element().struct.with_fields(as_parts.alias("content")))
        )
    except pl.exceptions.PolarsError:
        return loaded
    return replace(loaded, frame=converted)
