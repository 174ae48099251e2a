"""Count what each trainer would see, per example and tokenizer, and summarise it.

Chat data is counted through each family's chat template (special tokens per message); other
shapes count the prompt and the target separately plus the sequence markers the model adds.
Each distinct text is tokenized once per tokenizer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from datacheck._frames import Distinct, distinct, number
from datacheck._perf import fast
from datacheck.chat import call_keys, has_parts, said
from datacheck.normalize import training
from datacheck.plan import tokenizers as tokens
from datacheck.plan.models import API_MODELS, OPEN_MODELS

# Tokens a template adds, per tokenizer: (per example, per message, end of message).
# Llama 3: <|begin_of_text|>; <|start_header_id|> role <|end_header_id|> "\n\n" … <|eot_id|>.
# Mistral v3: <s>; [INST] … [/INST] around user turns; </s> after each assistant turn.
# Phi-2 has no chat template; its model card's "Instruct: …\nOutput: …" format, ending with
# <|endoftext|>. OpenAI: 3 tokens per message and 3 to prime the reply (OpenAI cookbook).
_TEMPLATES = {
    "llama-3.1": "Llama 3 chat format: <|begin_of_text|>, header tokens and <|eot_id|> per message",
    "mistral-7b-v0.3": "Mistral v3 instruct format: <s>[INST] user [/INST] assistant</s>",
    "phi-2": "Phi-2 model-card format 'Instruct: …\\nOutput: …' ending in <|endoftext|>",
    "cl100k_base": "OpenAI chat format: 3 tokens per message + 3 for the reply",
    "o200k_base": "OpenAI chat format: 3 tokens per message + 3 for the reply",
}
_PLAIN_MARKERS = {
    "llama-3.1": 2,
    "mistral-7b-v0.3": 2,
    "phi-2": 1,
    "cl100k_base": 0,
    "o200k_base": 0,
}


@dataclass(frozen=True)
class Counts:
    """Per-example token counts for one tokenizer."""

    tokenizer: str
    exact: bool
    source: str
    template: str
    frame: pl.DataFrame  # example_id, source_line, split, input_tokens, target_tokens, total


class Prepared:
    """What every tokenizer's count of one frame starts from, made once: the exploded chat
    messages and the distinct texts. Once `prepare`d, it no longer reads the frame's texts
    or message lists, so the audit may let go of them."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame: pl.DataFrame | None = frame
        self.chat = "messages" in frame.columns
        self._dtype = frame.schema.get("messages")
        self._messages: pl.DataFrame | None = None
        self._distinct: dict[str, Distinct] = {}
        self._roles: list[str] | None = None
        self._on_counted: Callable[[], None] | None = None

    def when_counted(self, callback: Callable[[], None]) -> None:
        """Run `callback` once, as soon as the first tokenizer has counted its texts and
        before any row-long array of counts is made. The audit waits there for the work it
        started beside tokenizing, whose peak those arrays would otherwise add to (at 1M chat
        rows, 24 MB of counts gathered to the messages, then the per-message sums)."""
        self._on_counted = callback

    def _counted(self) -> None:
        """Say the first tokenizer has counted its texts: runs `when_counted`'s callback once."""
        callback, self._on_counted = self._on_counted, None
        if callback is not None:
            callback()

    def texts(self, key: str) -> pl.Series:
        """The texts a tokenizer counts: one per message (chat), or each prompt then each
        target."""
        if self._frame is None:
            raise ValueError(f"the texts of {key!r} were let go of: prepare() named others")
        if key == _PLAIN:
            return pl.concat([self._frame["input_text"], self._frame["target_text"]])
        content = self.messages()["content"]
        return content.str.strip_chars() if key == _STRIPPED else content

    def prepare(self, names: tuple[str, ...]) -> None:
        """Find the distinct texts every tokenizer of `names` counts, then let go of the
        frame and the message texts, which nothing reads after (see `prepared`)."""
        for key in dict.fromkeys(_key(name, self.chat) for name in names):
            self.distinct(key)
        if self.chat:
            self.roles()  # the messages' rows and roles are what counting reads of them
        if self._messages is not None:
            self._messages = self._messages.drop("content")
        self._frame = None

    def messages(self) -> pl.DataFrame:
        """One row per message, in frame order: `row`, its example's position in the frame;
        `role`, an enum of `roles()` (a byte a message, where text took 16: at 1M chat rows
        36 MiB less, held while every tokenizer counts); `content`, its text."""
        if self._messages is None:
            assert self._frame is not None, "prepare() let go of the frame"
            message = pl.col("messages")
            # what the model learns to write when it calls a tool is text too
            content = said(message, self._dtype)
            flat = (
                self._frame.select("messages")
                .with_row_index("row")
                .explode("messages")
                .filter(message.is_not_null())
            )
            role = message.struct.field("role").cast(pl.String).fill_null("")
            roles = flat.select(role).to_series()
            self._roles = roles.unique().sort().to_list()
            self._messages = flat.select(
                "row",
                roles.cast(pl.Enum(self._roles)).alias("role"),
                content.fill_null("").alias("content"),
            )
        return self._messages

    def roles(self) -> list[str]:
        """The roles the messages name, each once, in order."""
        if self._roles is None:
            self.messages()
        assert self._roles is not None
        return self._roles

    def calls(self) -> tuple[str, ...]:
        """The message keys that hold tool or function calls, in this data."""
        return call_keys(self._dtype)

    def has_parts(self) -> bool:
        """Whether message contents come as lists of parts (text, images)."""
        return has_parts(self._dtype)

    def distinct(self, key: str) -> Distinct:
        if key not in self._distinct:
            self._distinct[key] = distinct(self.texts(key))
        return self._distinct[key]


#: what a tokenizer counts: the chat messages (for Llama, stripped of the white space around
#: them, as its template does), or the prompt and target texts
_CHAT, _STRIPPED, _PLAIN = "chat", "chat, stripped", "plain"


def _key(name: str, chat: bool) -> str:
    if not chat:
        return _PLAIN
    return _STRIPPED if name == "llama-3.1" else _CHAT


def _row_counts(tokenizer: tokens.Tokenizer, shared: Prepared, key: str) -> pl.Series:
    """The token count of each text `shared` holds under `key` (0 for a null one), each
    distinct text counted once."""
    if not fast():  # every text on its own: the slow path the tests compare against
        every = shared.texts(key).to_list()
        counts = [0 if t is None else tokenizer.count(t) for t in every]
        shared._counted()
        return pl.Series(counts, dtype=pl.Int64)
    found = shared.distinct(key)
    # the Series goes in whole: the tokenizer turns a slice at a time into Python strings
    each = pl.Series(tokenizer.count_all(found.texts), dtype=pl.Int64)
    shared._counted()
    return each.gather(found.positions).fill_null(0)


def count_plain(frame: pl.DataFrame, name: str, shared: Prepared | None = None) -> Counts:
    """Prompt and target counted separately, plus the model's sequence markers."""
    tokenizer = tokens.get(name)
    counts = _row_counts(tokenizer, shared or Prepared(frame), _PLAIN)
    inputs, targets = counts.head(frame.height), counts.tail(frame.height)
    out = frame.select(
        "example_id",
        "source_line",
        "split",
        inputs.alias("input_tokens"),
        targets.alias("target_tokens"),
        (inputs + targets + _PLAIN_MARKERS[name]).alias("total"),
    )
    return Counts(name, tokenizer.exact, tokenizer.source, "prompt + target", out)


def count_chat(frame: pl.DataFrame, name: str, shared: Prepared | None = None) -> Counts:
    """Messages counted through the tokenizer family's chat template."""
    tokenizer = tokens.get(name)
    shared = shared or Prepared(frame)
    messages = shared.messages()
    content_tokens = _row_counts(tokenizer, shared, _key(name, chat=True))
    # each message's tokens, template included, added up role by role: the roles are few,
    # and a replace of every message's role by its tokens held 105 MiB at 1M rows for a
    # 24 MB result
    # int32 a message (no message holds 2^31 tokens): the message-long arrays here and in
    # `_per_example` are held as tokenizing ends, where the near-duplicate search may be at
    # its peak (at 1M rows of joined real utterances, 3 of them as int64 took it 40 MiB over)
    tokens_each = content_tokens.to_numpy().astype(np.int32)
    del content_tokens
    for role in shared.roles():
        tokens_each[(messages["role"] == role).to_numpy()] += _message_overhead(
            name, tokenizer, role
        )
    inputs, targets = _per_example(
        messages["row"].to_numpy(),
        tokens_each,
        (messages["role"] == "assistant").to_numpy(),
        frame.height,
    )
    del tokens_each
    start = {"llama-3.1": 1, "mistral-7b-v0.3": 1, "phi-2": 0}.get(name, 3)
    out = frame.select("example_id", "source_line", "split").with_columns(
        pl.Series("input_tokens", inputs),
        pl.Series("target_tokens", targets),
        pl.Series("total", inputs + targets + start),
    )
    notes = ["tool calls counted as their JSON text"] * bool(shared.calls())
    if shared.has_parts():
        notes.append("content parts counted by their text; images not counted")
    template = "; ".join([_TEMPLATES[name], *notes])
    return Counts(name, tokenizer.exact, tokenizer.source, template, out)


def _per_example(
    rows: np.ndarray, tokens_each: np.ndarray, is_target: np.ndarray, height: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per row of a frame of `height`, the tokens of its prompt messages and of its target
    (assistant) messages, from each message's tokens and row (0 for a row with none).
    Messages come exploded in frame order, so a row's are one run: summed by run and set in
    place, with no frame of the messages grouped and no join back on the example ids (a
    group-by with a replace of every role by its tokens held 200-228 MiB more for 0.2 s at
    1M chat rows, at the end of tokenizing where the near-duplicate search still runs)."""
    inputs, targets = np.zeros(height, dtype=np.int64), np.zeros(height, dtype=np.int64)
    if rows.size == 0:
        return inputs, targets
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    said_by_target = tokens_each * is_target
    prompt = np.subtract(tokens_each, said_by_target, out=tokens_each)  # the caller's
    where = rows[starts]
    inputs[where] = np.add.reduceat(prompt, starts, dtype=np.int64)
    targets[where] = np.add.reduceat(said_by_target, starts, dtype=np.int64)
    return inputs, targets


def _message_overhead(name: str, tokenizer: tokens.Tokenizer, role: str) -> int:
    """Tokens the template adds around one message of `role`."""
    if name == "llama-3.1":
        # <|start_header_id|> + role + <|end_header_id|> + "\n\n" + <|eot_id|>
        return tokenizer.count(role) + 3 + tokenizer.count("\n\n")
    if name == "mistral-7b-v0.3":
        # [INST] … [/INST] around user/system turns, </s> after the assistant's
        return 1 if role == "assistant" else 2
    if name == "phi-2":
        if role == "assistant":
            return tokenizer.count("\nOutput: ") + 1
        return tokenizer.count("Instruct: ")
    return tokenizer.count(role) + 3


def count(
    frame: pl.DataFrame,
    schema: str,
    names: tuple[str, ...],
    step: Callable[[int, int], None] | None = None,
    shared: Prepared | None = None,
) -> dict[str, Counts]:
    """Each tokenizer's counts; `step(done, total)` after each tokenizer, for progress.
    `shared` is what `prepared` made of the same examples and names, if anything: `frame`
    need not hold the texts and messages then."""
    shared = shared or Prepared(frame)
    chat = schema == "chat" and shared.chat
    out = {}
    for done, name in enumerate(names, start=1):
        out[name] = (count_chat if chat else count_plain)(frame, name, shared)
        if step is not None:
            step(done, len(names))
    return out


def prepared(frame: pl.DataFrame, names: tuple[str, ...]) -> Prepared:
    """What every tokenizer of `names` starts from, made now; `count` finishes the job.
    Finding the distinct texts takes 150-200 MiB for a second at 1M chat rows: done before
    the hygiene analysis starts beside tokenizing, the two never hold their working memory
    at once."""
    shared = Prepared(frame)
    if fast():
        shared.prepare(names)
    return shared


def contexts_for(name: str) -> dict[str, int]:
    """Context windows (or per-example limits) of the models that use this tokenizer."""
    windows = {m.name: m.context for m in OPEN_MODELS.values() if m.tokenizer == name}
    windows.update({m.name: m.example_limit for m in API_MODELS.values() if m.tokenizer == name})
    return windows


def summarise(counts: Counts, train_only: bool = True) -> dict[str, Any]:
    frame = training(counts.frame) if train_only else counts.frame
    total = frame["total"]
    over = {
        model: int((total > window).sum())
        for model, window in contexts_for(counts.tokenizer).items()
    }
    return {
        "exact": counts.exact,
        "source": counts.source,
        "template": counts.template,
        "examples": frame.height,
        "total": int(total.sum()),
        "input_total": int(number(frame["input_tokens"].sum())),
        "target_total": int(number(frame["target_tokens"].sum())),
        "mean": round(number(total.mean()), 1),
        "median": number(total.median()),
        "p95": number(total.quantile(0.95, "nearest")),
        "max": int(number(total.max())),
        "over_context": over,
    }
