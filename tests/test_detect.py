import json

import polars as pl
import pytest

from datacheck.detect import detect, json_object_share
from datacheck.errors import InputError
from datacheck.load import load
from datacheck.normalize import normalize


def _chat(user: str, reply: str, system: str | None = None) -> dict:
    messages = [{"role": "system", "content": system}] if system else []
    return {"messages": [*messages, {"role": "user", "content": user},
                         {"role": "assistant", "content": reply}]}  # fmt: skip


def _frame(tmp_path, rows):
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return load(path).frame


CASES = {
    "chat_extraction": (
        [_chat(f"order {i} broke", json.dumps({"order_id": str(i), "issue": "damaged"}))
         for i in range(30)],
        "chat", "extraction",
    ),
    "chat_classification": (
        [_chat(f"ticket {i} about money", ["Billing", "Technical"][i % 2]) for i in range(60)],
        "chat", "classification",
    ),
    "chat_open": (
        [{"messages": [{"role": "user", "content": f"hi {i}"},
                       {"role": "assistant", "content": f"hello there, friend number {i}!"},
                       {"role": "user", "content": "tell me more about anything"},
                       {"role": "assistant", "content": f"sure, here is story {i} " * 3}]}
         for i in range(30)],
        "chat", "open_chat",
    ),
    "prompt_completion": (
        [{"prompt": f"How do I reset device {i}?", "completion": f"Hold the button {i} seconds."}
         for i in range(30)],
        "prompt_completion", "response_generation",
    ),
    "instruction": (
        [{"instruction": "Summarise the ticket", "input": f"ticket {i} text",
          "output": f"A customer reports problem number {i} in detail."} for i in range(30)],
        "instruction", "response_generation",
    ),
    "code_comments": (
        [{"instruction": "Write a docstring", "input": f"def f{i}(x):\n    return x + {i}",
          "output": f"Return x plus {i}, used by the billing module."} for i in range(30)],
        "instruction", "code_comments",
    ),
    "text_label": (
        [{"body": f"text {i}", "queue": ["a", "b", "c"][i % 3]} for i in range(30)],
        "text_label", "classification",
    ),
    "extraction_struct": (
        [{"email": f"mail {i}", "output": {"order_id": str(i), "priority": "low"}}
         for i in range(30)],
        "extraction", "extraction",
    ),
    "extraction_json_string": (
        [{"text": f"mail {i}", "target": json.dumps({"order_id": str(i)})} for i in range(30)],
        "extraction", "extraction",
    ),
    "document_parsing": (
        [{"document": "INVOICE " + "line item " * 200,
          "output": {"vendor": "Acme", "amount": 12.5, "due_date": "2026-01-01"}}
         for _ in range(30)],
        "extraction", "document_parsing",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_and_task(tmp_path, name):
    rows, schema, task = CASES[name]
    detection = detect(_frame(tmp_path, rows))
    assert (detection.schema, detection.task) == (schema, task)
    assert detection.reasons, "every detection explains itself"
    assert 0 < detection.confidence <= 1


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_shape_normalizes_to_the_canonical_frame(tmp_path, name):
    rows, _schema, _task = CASES[name]
    frame = _frame(tmp_path, rows)
    canonical = normalize(frame, detect(frame))
    assert canonical.columns[:6] == [
        "example_id", "source_line", "split", "input_text", "target_text", "label",
    ]  # fmt: skip
    assert canonical.height == len(rows)
    assert canonical["input_text"].null_count() == 0
    assert canonical["target_text"].null_count() == 0
    assert canonical["source_line"].to_list() == list(range(1, len(rows) + 1))


def test_chat_texts_split_into_input_and_last_reply(tmp_path):
    """The fixed system prompt is left out of the input text the checks compare."""
    frame = _frame(tmp_path, [_chat("where is my order", '{"a": 1}', system="be brief")])
    row = normalize(frame, detect(frame)).row(0, named=True)
    assert row["input_text"] == "where is my order"
    assert row["target_text"] == '{"a": 1}'


def test_overrides_win_and_are_explained():
    frame = pl.DataFrame({"a": ["x y z", "p q r"], "b": ["one", "two"], "__source_line__": [1, 2]})
    detection = detect(frame, text_field="a", label_field="b", task="classification")
    assert (detection.text_field, detection.label_field, detection.task) == (
        "a",
        "b",
        "classification",
    )
    assert "task" in detection.overridden


def test_unknown_field_override_is_an_input_error():
    frame = pl.DataFrame({"text": ["x"], "label": ["a"], "__source_line__": [1]})
    with pytest.raises(InputError, match="`body` is not a column"):
        detect(frame, text_field="body")


def test_no_label_field_says_how_to_name_it():
    frame = pl.DataFrame({"text": [f"t{i}" for i in range(10)], "__source_line__": range(10)})
    with pytest.raises(InputError, match="--label-field"):
        detect(frame)


def test_integer_labels_are_kept_as_written(tmp_path):
    frame = _frame(tmp_path, [{"text": "a", "label": 1}, {"text": "b", "label": 2}])
    assert normalize(frame, detect(frame))["label"].to_list() == ["1", "2"]


def test_chat_input_is_the_user_turns_joined_whatever_their_number(tmp_path):
    """One user turn is taken as it is (sharing memory with the messages); any other number
    of turns, or a missing content, goes through the join: both read the same."""
    conversations = [
        [{"role": "user", "content": "only one"}],
        [{"role": "system", "content": "s"}, {"role": "user", "content": "a"},
         {"role": "assistant", "content": "x"}, {"role": "user", "content": "b"}],
        [{"role": "user", "content": None}, {"role": "assistant", "content": "x"}],
        [{"role": "user"}, {"role": "user", "content": "c"}],
        [{"role": "assistant", "content": "x"}],
        [],
    ]  # fmt: skip
    frame = pl.DataFrame(
        {"messages": [*conversations, None], "__source_line__": range(1, 8)},
        schema_overrides={"__source_line__": pl.Int64},
    )
    inputs = normalize(frame, detect(frame, task="open_chat"))["input_text"].to_list()
    role, content = pl.element().struct.field("role"), pl.element().struct.field("content")
    joined = frame.select(
        pl.col("messages")
        .list.eval(content.filter(~role.is_in(["assistant", "system"])))
        .list.join("\n")
    )["messages"].to_list()
    assert inputs == joined
    assert inputs[:4] == ["only one", "a\nb", "", "c"]


def test_json_object_share_looks_past_white_space():
    texts = pl.Series(["{}", ' {"a": 1}\n', "\u00a0{1}\u2003", "{", "x{}", "{}x", "", None])
    assert json_object_share(texts) == 3 / 7
    assert json_object_share(pl.Series(["\t{\r\n}\u3000", "}", " { ", "{ ] }"])) == 2 / 4


def test_json_object_share_is_the_same_a_slice_at_a_time(monkeypatch):
    import datacheck.detect as detect_module

    texts = pl.Series([" {}", "x", None, '{"a": 1}\n', "} {", "{", "[]", " { } "])
    whole = json_object_share(texts)
    monkeypatch.setattr(detect_module, "_SHARE_SLICE", 2)
    assert json_object_share(texts) == whole == 3 / 7


def test_an_example_that_ends_by_calling_a_tool_has_the_call_as_its_output(tmp_path):
    call = {"id": "c1", "type": "function", "function": {"name": "track", "arguments": "{}"}}
    rows = [
        {"messages": [{"role": "user", "content": "Where is ORD-1?"},
                      {"role": "assistant", "content": None, "tool_calls": [call]}]},
        {"messages": [{"role": "user", "content": "Hi"},
                      {"role": "assistant", "content": "Hello"}]},
    ]  # fmt: skip
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    raw = load(path).frame
    targets = normalize(raw, detect(raw, task="open_chat"))["target_text"].to_list()
    assert json.loads(targets[0]) == {"tool_calls": [call]}
    assert targets[1] == "Hello"


def test_the_label_count_in_the_reason_covers_every_row():
    labels = ["a", "b"] * 1000 + ["c"] * 500  # "c" only after the rows detection samples
    frame = pl.DataFrame({"text": [f"t{i}" for i in range(2500)], "label": labels})
    frame = frame.with_row_index("__source_line__", offset=1).cast({"__source_line__": pl.Int64})
    reasons = detect(frame).reasons
    assert "fixed label set: 3 distinct values in `label`" in reasons


def _protobuf_rows(n=6):
    return [
        {
            "userInput": {"text": f"a table for {i} people"},
            "context": {"requestedSlots": ["people"]},
            **({"labels": [{"slot": "people", "valueSpan": {"startIndex": 12, "endIndex": 20}}]}
               if i % 3 else {}),
        }
        for i in range(n)
    ]  # fmt: skip


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"text_field": "userInput.text"},
        {"text_field": "userInput.text", "label_field": "labels"},
    ],
)
def test_nested_text_and_value_spans_are_span_extraction(options):
    """Issue 19: `userInput.text` was not accepted, and the span lists became 'categories'."""
    from datacheck._columns import with_paths

    frame = with_paths(pl.DataFrame(_protobuf_rows()).with_row_index("__source_line__", 1))
    detection = detect(frame, **options)
    assert (detection.schema, detection.task) == ("spans", "extraction")
    assert detection.text_field == "userInput.text"
    assert detection.target_field == "labels"


def test_an_object_named_as_the_text_field_points_inside_it():
    from datacheck._columns import with_paths

    frame = with_paths(pl.DataFrame(_protobuf_rows()).with_row_index("__source_line__", 1))
    with pytest.raises(InputError, match=r"--text-field userInput.text \(text fields inside"):
        detect(frame, text_field="userInput")
