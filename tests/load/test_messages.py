import pytest

import datacheck
from datacheck.load import SOURCE_LINE, load
from tests.conftest import stored_bytes, write_jsonl


def _chat(i: int) -> dict:
    return {
        "messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": "a"}]
    }


@pytest.mark.parametrize("slow", ["", "1"])
def test_rows_whose_messages_are_not_a_list_are_load_errors(tmp_path, monkeypatch, slow):
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    rows = [_chat(i) for i in range(10)]
    rows[2] = {"messages": "hello"}
    rows[4] = {"messages": {"role": "user"}}
    rows[6] = {"messages": 5}
    rows[8] = {"other": 1}  # no messages at all: left for the chat checks to report
    loaded = load(write_jsonl(tmp_path / "d.jsonl", rows))
    assert [(e.line, e.message) for e in loaded.errors] == [
        (3, "`messages` holds the value 'hello' instead of a list of messages"),
        (5, "`messages` holds an object instead of a list of messages"),
        (7, "`messages` holds the value '5' instead of a list of messages"),
    ]
    assert loaded.frame[SOURCE_LINE].to_list() == [1, 2, 4, 6, 8, 9, 10]
    messages = loaded.frame["messages"].to_list()
    assert messages[0] == _chat(0)["messages"] and messages[5] is None  # line 9


def test_a_text_column_named_messages_is_left_alone(tmp_path):
    rows = [{"messages": f"note {i}", "label": "x"} for i in range(5)] + [_chat(9)]
    loaded = load(write_jsonl(tmp_path / "d.jsonl", rows))
    assert loaded.errors == () and loaded.frame["messages"][0] == "note 0"


def test_one_bad_row_no_longer_stops_a_chat_audit(tmp_path):
    rows = [_chat(i) for i in range(30)]
    rows[12] = {"messages": "hello"}
    report = datacheck.audit(write_jsonl(tmp_path / "d.jsonl", rows)).to_dict()
    assert report["detected"]["schema"] == "chat"
    assert report["source"]["rows"] == 29
    assert [e["line"] for e in report["source"]["load_errors"]] == [13]


def test_lists_decoded_in_slices_keep_every_key(tmp_path, monkeypatch):
    from datacheck.load import _messages

    monkeypatch.setattr(_messages, "_SLICE", 3)
    rows = [_chat(i) for i in range(8)]
    rows[1] = {"messages": "hello"}
    rows[6]["messages"][0]["name"] = "ana"  # a key only the third slice has
    loaded = load(write_jsonl(tmp_path / "d.jsonl", rows))
    assert [e.line for e in loaded.errors] == [2]
    first = [m[0] for m in loaded.frame["messages"].to_list()]
    assert [m.get("name") for m in first] == [None, None, None, None, None, "ana", None]
    assert [m["content"] for m in first] == ["q0", "q2", "q3", "q4", "q5", "q6", "q7"]


_IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + "iVBORw0K" * 400}}


def _vision(i: int, *, strings: bool = True) -> dict:
    def said(text: str):
        return text if strings else [{"type": "text", "text": text}]

    return {
        "messages": [
            {"role": "system", "content": said("Describe the defect.")},
            {
                "role": "user",
                "content": [{"type": "text", "text": f"What is wrong with {i}?"}, _IMAGE],
            },
            {"role": "assistant", "content": said(f"Item {i} has a cracked hinge, side {i % 7}.")},
        ]
    }


@pytest.mark.parametrize("slow", ["", "1"])
def test_strings_beside_lists_of_parts_become_parts_and_images_are_not_text(
    tmp_path, monkeypatch, slow
):
    """OpenAI's vision format mixes the two; read as JSON text, each image's base64 data was
    counted as some 3,000 tokens of text."""
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    mixed = write_jsonl(tmp_path / "mixed.jsonl", [_vision(i) for i in range(40)])
    lists = write_jsonl(tmp_path / "lists.jsonl", [_vision(i, strings=False) for i in range(40)])
    loaded = load(mixed)
    first = loaded.frame["messages"][0].to_list()
    assert first[0]["content"][0] == {
        "type": "text",
        "text": "Describe the defect.",
        "image_url": None,
    }
    assert first[1]["content"][1]["image_url"]["url"].startswith("data:image/png")
    audits = [datacheck.audit(p, tokenizers="cl100k_base").to_dict() for p in (mixed, lists)]
    tokens = [a["tokens"]["cl100k_base"] for a in audits]
    assert tokens[0] == tokens[1]
    assert tokens[0]["max"] < 60
    assert "images not counted" in tokens[0]["template"]


def test_an_answer_that_looks_like_parts_stays_the_answer(tmp_path):
    answer = '[{"type": "text", "text": "refund"}]'
    rows = [_vision(i) for i in range(3)]
    rows[1]["messages"][2]["content"] = answer
    loaded = load(write_jsonl(tmp_path / "d.jsonl", rows))
    assistant = loaded.frame["messages"][1].to_list()[2]
    assert assistant["content"] == [{"type": "text", "text": answer, "image_url": None}]


@pytest.mark.parametrize(
    "text",
    ['[{"type": "refund", "text": "late"}]', "[{not json}]", '[{"kind": "text"}]'],
)
def test_text_that_only_looks_like_parts_is_left_as_text(tmp_path, text):
    rows = [_chat(i) for i in range(3)]
    rows[1]["messages"][0]["content"] = text
    loaded = load(write_jsonl(tmp_path / "d.jsonl", rows))
    assert loaded.frame["messages"][1].to_list()[0] == {"role": "user", "content": text}


def test_parts_that_are_all_images_count_no_text(tmp_path):
    rows = [_vision(i) for i in range(20)]
    for row in rows:
        row["messages"][1]["content"] = [_IMAGE]  # no text part anywhere in the file
    loaded = load(write_jsonl(tmp_path / "d.jsonl", rows))
    first = loaded.frame["messages"][0].to_list()
    assert first[1]["content"][0]["type"] == "image_url"
    assert first[0]["content"][0]["text"] == "Describe the defect."
    tokens = datacheck.audit(loaded.frame, tokenizers="cl100k_base").to_dict()["tokens"]
    assert tokens["cl100k_base"]["max"] < 40  # the image's 3,200 characters are not text


NOT_A_MESSAGE = (
    "`messages` holds a value that is not a message (an object); every item of the list must be one"
)


@pytest.mark.parametrize("slow", ["", "1"])
@pytest.mark.parametrize("item", [5, "oops", [1], True])
def test_a_list_holding_something_else_than_messages_costs_its_row(
    tmp_path, monkeypatch, slow, item
):
    """Issue 22: one such row among valid ones gave exit 2 'cannot find a text field'."""
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    rows = [_chat(i) for i in range(20)]
    rows[5] = {"messages": [{"role": "user", "content": "x"}, item]}
    loaded = load(write_jsonl(tmp_path / "d.jsonl", rows))
    assert [(e.line, e.message) for e in loaded.errors] == [(6, NOT_A_MESSAGE)]
    assert loaded.frame[SOURCE_LINE].to_list() == [n for n in range(1, 21) if n != 6]
    assert loaded.frame["messages"].to_list()[5] == _chat(6)["messages"]


@pytest.mark.parametrize("slow", ["", "1"])
def test_both_kinds_of_bad_row_in_one_file(tmp_path, monkeypatch, slow):
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    rows = [_chat(i) for i in range(30)]
    rows[3] = {"messages": [{"role": "user", "content": "x"}, 5]}
    rows[20] = {"messages": "hello"}
    report = datacheck.audit(write_jsonl(tmp_path / "d.jsonl", rows), tokenizers=["phi-2"])
    assert report.detected["schema"] == "chat" and report.source.rows == 28
    assert [(e["line"], e["message"]) for e in report.source.load_errors] == [
        (4, NOT_A_MESSAGE),
        (21, "`messages` holds the value 'hello' instead of a list of messages"),
    ]
    readable = next(c for c in report.checks if c.id == "format.readable")
    assert readable.status == "fail" and readable.rows == (4, 21)


def test_lists_of_texts_are_not_taken_for_broken_chat(tmp_path):
    rows = [{"messages": ["hello", "hi there"], "label": "x"} for _ in range(5)]
    loaded = load(write_jsonl(tmp_path / "d.jsonl", rows))
    assert loaded.errors == () and loaded.frame["messages"][0].to_list() == ["hello", "hi there"]


@pytest.mark.parametrize("slow", ["", "1"])
def test_texts_repeated_on_every_row_are_held_once(tmp_path, monkeypatch, slow):
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    prompt = "Route the ticket to one team. Reply with JSON only."
    answer = '{"team": "billing"}'
    rows = [
        {
            "messages": [
                {"role": "system", "content": prompt},
                {"role": "user", "content": f"ticket {i:04}"},
                {"role": "assistant", "content": answer},
            ],
            "note": "written by the support lead, reviewed",
        }
        for i in range(300)
    ]
    frame = load(write_jsonl(tmp_path / "d.jsonl", rows)).frame
    assert frame["messages"].to_list() == [row["messages"] for row in rows]
    assert frame["note"].to_list() == [row["note"] for row in rows]
    contents = stored_bytes(frame["messages"].explode().struct.field("content"))
    notes = stored_bytes(frame["note"])
    if slow:  # the slow path keeps what the reader made: each row its own copy
        assert contents >= 300 * len(prompt) and notes >= 300 * len(rows[0]["note"])
    else:
        assert contents == len(prompt) + len(answer)
        assert notes == len(rows[0]["note"])
