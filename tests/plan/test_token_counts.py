"""Chat-template counts equal the models' own chat encoders."""

import json

import polars as pl
import pytest

from datacheck import _frames
from datacheck.detect import detect
from datacheck.load import load
from datacheck.normalize import normalize
from datacheck.plan import token_counts
from datacheck.plan import tokenizers as tokens


def _chat_frame(tmp_path, conversations):
    path = tmp_path / "c.jsonl"
    path.write_text(
        "".join(
            json.dumps({"messages": [{"role": r, "content": c} for r, c in conv]}) + "\n"
            for conv in conversations
        )
    )
    raw = load(path).frame
    return normalize(raw, detect(raw))


CONVERSATIONS = [
    [("system", "This is a test sentence."), ("user", "This is a response."),
     ("assistant", "Fine, thanks.")],
    [("user", "Where is order ORD-123?"), ("assistant", '{"order_id": "ORD-123"}')],
]  # fmt: skip


def test_llama_chat_counts_equal_metas_chat_format(tmp_path):
    from llama_models.datatypes import RawMessage
    from llama_models.llama3.chat_format import ChatFormat
    from llama_models.llama3.tokenizer import Tokenizer

    formatter = ChatFormat(Tokenizer.get_instance())
    counts = token_counts.count_chat(_chat_frame(tmp_path, CONVERSATIONS), "llama-3.1")
    for conv, total in zip(CONVERSATIONS, counts.frame["total"].to_list(), strict=True):
        expected = 1  # <|begin_of_text|>
        for role, content in conv:
            encoded, _ = formatter.encode_message(RawMessage(role=role, content=content), None)
            expected += len(encoded)
        assert total == expected


def test_mistral_chat_counts_equal_mistral_commons_encoder(tmp_path):
    from mistral_common.protocol.instruct.messages import AssistantMessage, UserMessage
    from mistral_common.protocol.instruct.request import ChatCompletionRequest
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    tokenizer = MistralTokenizer.v3()
    conversations = [[("user", "Where is order ORD-123?"), ("assistant", "On its way.")],
                     [("user", "hi"), ("assistant", "hello"), ("user", "bye"),
                      ("assistant", "see you")]]  # fmt: skip
    counts = token_counts.count_chat(_chat_frame(tmp_path, conversations), "mistral-7b-v0.3")
    for conv, total in zip(conversations, counts.frame["total"].to_list(), strict=True):
        messages = [
            UserMessage(content=c) if r == "user" else AssistantMessage(content=c) for r, c in conv
        ]
        # the encoder wants a final user turn: encode up to it, then add the reply and </s>
        encoded = tokenizer.encode_chat_completion(ChatCompletionRequest(messages=messages[:-1]))
        last = tokenizer.instruct_tokenizer.tokenizer.encode(conv[-1][1], bos=False, eos=True)
        assert total == len(encoded.tokens) + len(last)


def test_plain_counts_split_prompt_and_target():
    frame = pl.DataFrame(
        {"example_id": [0], "source_line": [1], "split": ["train"],
         "input_text": ["This is a test sentence."], "target_text": ["Billing"]}
    )  # fmt: skip
    counts = token_counts.count_plain(frame, "llama-3.1")
    row = counts.frame.row(0, named=True)
    assert row["input_tokens"] == 6
    assert row["total"] == row["input_tokens"] + row["target_tokens"] + 2  # BOS + EOS


def test_summary_reports_examples_over_each_context():
    frame = pl.DataFrame(
        {"example_id": [0, 1], "source_line": [1, 2], "split": ["train", "train"],
         "input_text": ["word " * 3000, "short"], "target_text": ["a", "b"]}
    )  # fmt: skip
    summary = token_counts.summarise(token_counts.count_plain(frame, "phi-2"))
    assert summary["over_context"] == {"phi-2": 1}
    assert summary["max"] > 2048


def test_counts_found_by_text_key_equal_counts_found_when_keys_collide(tmp_path, monkeypatch):
    """Each row finds its text's count by a 64-bit key of the text, checked against the
    text; when texts share a key (forced here: one key for all), the texts themselves
    decide, and the counts are the same."""
    conversations = [
        [("user", f"question {i % 7}"), ("assistant", f"answer {i % 5}")] for i in range(40)
    ] + [[("user", None), ("assistant", "")], [("user", "é ü"), ("assistant", "x")]]
    frame = _chat_frame(tmp_path, conversations)
    plain = frame.drop("messages")
    by_key = {
        name: (
            token_counts.count_chat(frame, name).frame,
            token_counts.count_plain(plain, name).frame,
        )
        for name in ("llama-3.1", "cl100k_base")
    }
    monkeypatch.setattr(_frames, "_text_keys", lambda t: t.is_null().cast(pl.UInt64))
    for name, (chat, plain_counts) in by_key.items():
        assert chat.equals(token_counts.count_chat(frame, name).frame)
        assert plain_counts.equals(token_counts.count_plain(plain, name).frame)
    encoding = tokens.get("cl100k_base")
    expected = [  # the OpenAI cookbook's count: 3 per message, role and content, 3 to prime
        3 + sum(3 + encoding.count(role) + encoding.count(text or "") for role, text in conv)
        for conv in conversations
    ]
    assert by_key["cl100k_base"][0]["total"].to_list() == expected


def test_tool_calls_count_toward_the_target(tmp_path):
    arguments = json.dumps({"city": "Lisbon", "days": 5, "units": "metric", "detail": "hourly"})
    call = [
        {"id": "c1", "type": "function", "function": {"name": "forecast", "arguments": arguments}}
    ]
    rows = [
        [{"role": "user", "content": "Weather in Lisbon?"},
         {"role": "assistant", "content": None, "tool_calls": call},
         {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
         {"role": "assistant", "content": "Sunny all week."}],
        [{"role": "user", "content": "Weather in Lisbon?"},
         {"role": "assistant", "content": "Sunny all week."}],
    ]  # fmt: skip
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps({"messages": m}) + "\n" for m in rows))
    raw = load(path).frame
    counts = token_counts.count_chat(normalize(raw, detect(raw)), "cl100k_base")
    with_call, plain = counts.frame["target_tokens"].to_list()
    assert with_call - plain > tokens.get("cl100k_base").count(arguments)
    assert counts.template.endswith("tool calls counted as their JSON text")


def test_chat_counts_split_prompt_and_target_as_a_plain_loop_does(tmp_path):
    """OpenAI's format, counted message by message in Python: 3 tokens and the role's per
    message, the reply's 3 once; assistant messages are the target. Rows with no messages,
    an unusual role and a missing message are counted as the loop counts them."""
    count = tokens.get("cl100k_base").count  # the tokenizer itself is tested on its own
    rows = [
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi there"},
         {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "And?"},
         {"role": "assistant", "content": "That is all, thanks."}],
        [],
        [{"role": "user", "content": "Only a question"}],
        [{"role": "narrator", "content": "Once upon a time"}, None,
         {"role": "assistant", "content": "The end."}],
    ]  # fmt: skip
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps({"messages": m}) + "\n" for m in rows))
    raw = load(path).frame
    counts = token_counts.count_chat(normalize(raw, detect(raw)), "cl100k_base").frame
    expected = []
    for messages in rows:
        prompt = target = 0
        for message in filter(None, messages):
            n = 3 + count(message["role"]) + count(message["content"])
            if message["role"] == "assistant":
                target += n
            else:
                prompt += n
        expected.append((prompt, target, prompt + target + 3))
    got = counts.select("input_tokens", "target_tokens", "total").rows()
    assert got == expected


def test_the_messages_counted_hold_each_role_in_a_byte(tmp_path):
    """Every tokenizer counts from one table of the messages, held while they all run: a role
    is an enum there (a byte a message, not a 16-byte string), and each message names its
    row of the frame."""
    shared = token_counts.Prepared(_chat_frame(tmp_path, CONVERSATIONS))
    messages = shared.messages()
    assert messages["role"].to_physical().dtype == pl.UInt8
    assert shared.roles() == ["assistant", "system", "user"]
    assert messages["role"].cast(pl.String).to_list() == [r for c in CONVERSATIONS for r, _ in c]
    assert messages["row"].to_list() == [0, 0, 0, 1, 1]


@pytest.mark.parametrize("chat", [True, False])
def test_counts_from_prepared_texts_equal_counts_made_afresh(tmp_path, chat):
    """The audit finds the distinct texts before the hygiene analysis starts, then lets go of
    the message texts: counts made from that equal counts made from the frame, for a
    tokenizer that strips messages (Llama) and one that does not."""
    padded = [[("user", "  Where is it?\n"), ("assistant", " Here. ")]]
    frame = _chat_frame(tmp_path, CONVERSATIONS + padded)
    frame = frame if chat else frame.drop("messages")
    schema = "chat" if chat else "prompt_completion"
    names = ("llama-3.1", "cl100k_base")
    shared = token_counts.prepared(frame, names)
    if chat:
        assert shared.messages().columns == ["row", "role"]  # the texts let go of
    prepared = token_counts.count(frame, schema, names, shared=shared)
    afresh = token_counts.count(frame, schema, names)
    for name in names:
        assert prepared[name].frame.equals(afresh[name].frame)
        assert prepared[name].template == afresh[name].template
    with pytest.raises(ValueError, match="let go of"):
        shared.distinct("chat, stripped" if not chat else "plain")


@pytest.mark.parametrize("slow", [False, True], ids=["fast", "slow"])
@pytest.mark.parametrize("schema", ["chat", "text"])
def test_when_counted_runs_once_after_counting_before_any_row_long_array(
    tmp_path, monkeypatch, schema, slow
):
    """The audit waits at `when_counted` for the work it started beside tokenizing: the
    callback must run once for all tokenizers, after the first has counted its texts and
    before the counts are gathered to rows or any table is made, and change no count."""
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", "1" if slow else "")
    frame = _chat_frame(tmp_path, CONVERSATIONS)
    if schema == "text":
        frame = frame.drop("messages")
    names = ("cl100k_base", "o200k_base")
    events: list[str] = []
    inside: list[str] = []  # what a tokenizer selects and gathers while it counts is its own

    def counting(real, name):
        def count(*args):
            events.append(f"count {name}")
            inside.append(name)
            try:
                return real(*args)
            finally:
                inside.pop()

        return count

    def building(real, event):
        def build(self, *args):
            if not inside:
                events.append(event)
            return real(self, *args)

        return build

    for name in names:
        tokenizer = tokens.get(name)
        for method in ("count", "count_all"):
            monkeypatch.setattr(tokenizer, method, counting(getattr(tokenizer, method), name))
    for cls, method, event in ((pl.Series, "gather", "gather"), (pl.DataFrame, "select", "table")):
        monkeypatch.setattr(cls, method, building(getattr(cls, method), event))
    shared = token_counts.prepared(frame, names)  # as the audit does, before the hook
    if schema == "chat":
        shared.messages()
    events.clear()
    shared.when_counted(lambda: events.append("settle"))
    settled = token_counts.count(frame, schema, names, shared=shared)
    with_hook = list(events)
    plain = token_counts.count(frame, schema, names)
    assert with_hook.count("settle") == 1
    before = with_hook[: with_hook.index("settle")]
    after = with_hook[with_hook.index("settle") + 1 :]
    assert before and set(before) == {"count cl100k_base"}  # the first tokenizer, nothing built
    assert "table" in after and "count o200k_base" in after
    if not slow:
        assert after[0] == "gather"  # the counts went to rows only once it had run
    assert all(settled[n].frame.equals(plain[n].frame) for n in names)
