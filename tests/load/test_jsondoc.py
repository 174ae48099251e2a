import json

import pytest

from datacheck.errors import InputError
from datacheck.load import SOURCE_LINE, SPLIT, load


def test_array_of_objects(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps([{"text": "a", "label": "x"}, 5, {"text": "b", "label": "y"}]))
    loaded = load(path)
    assert loaded.frame["text"].to_list() == ["a", "b"]
    assert loaded.frame[SOURCE_LINE].to_list() == [1, 3]
    assert loaded.position == "record"
    assert [(e.line, "number" in e.message) for e in loaded.errors] == [(2, True)]


def test_object_holding_one_array(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"version": 2, "data": [{"text": "a", "label": "x"}]}))
    assert load(path).frame["text"].to_list() == ["a"]


def test_object_of_splits(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"train": [{"text": "a"}], "test": [{"text": "b"}]}))
    frame = load(path).frame
    assert sorted(zip(frame[SPLIT], frame["text"], strict=True)) == [("test", "b"), ("train", "a")]


def test_json_lines_named_json_is_read_as_jsonl(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('{"text": "a"}\n{"text": "b"}\n')
    loaded = load(path)
    assert loaded.format == "jsonl"
    assert loaded.frame["text"].to_list() == ["a", "b"]


def test_broken_document_names_line_and_column(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('[\n  {"text": "a"},\n  {"text": }\n]\n')
    with pytest.raises(InputError, match=r"d\.json:3:\d+: invalid JSON"):
        load(path)


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ({"text": "a", "label": "x"}, "holds one object and no array of examples"),
        ("just text", "found a string"),
    ],
)
def test_a_document_without_examples_says_what_it_found(tmp_path, document, says):
    path = tmp_path / "d.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=says):
        load(path)


def test_nan_and_infinity_anywhere_in_a_record_are_reported_with_its_number(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(
        '[{"text": "a", "label": "x"}, {"text": "b", "m": {"s": [1, NaN]}},'
        ' {"text": "c", "s": -Infinity}, {"text": "NaN in text is fine"}]'
    )
    loaded = load(path)
    assert loaded.frame["text"].to_list() == ["a", "NaN in text is fine"]
    assert [(e.line, e.message) for e in loaded.errors] == [
        (2, "invalid JSON: NaN is not a JSON value; write null or a number"),
        (3, "invalid JSON: -Infinity is not a JSON value; write null or a number"),
    ]


def test_a_record_naming_a_key_twice_is_reported_as_in_json_lines(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(
        '[{"text": "a", "label": "x"},'
        ' {"text": "b", "label": "x", "label": "y"},'
        ' {"text": "c", "m": [{"k": 1, "k": 2}], "n": NaN},'
        ' {"text": "d", "label": "z"}]'
    )
    loaded = load(path)
    assert loaded.frame["text"].to_list() == ["a", "d"]
    assert [(e.line, e.message.split(" appears")[0]) for e in loaded.errors] == [
        (2, "the key 'label'"),
        (3, "the key 'k'"),  # the first problem in the record, in its order
    ]


def test_half_a_surrogate_pair_in_a_record_is_reported(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('[{"text": "a\\ud800b"}, {"text": "ok \\ud83d\\ude00"}, {"text": "c"}]')
    loaded = load(path)
    assert loaded.frame["text"].to_list() == ["ok \U0001f600", "c"]
    assert [e.line for e in loaded.errors] == [1]


def test_a_bad_record_of_a_pretty_printed_document_names_the_line_it_starts_on(tmp_path):
    """Issue 19: a record number alone does not find a record in an indented file."""
    import json as _json

    rows = [{"text": f"t {i}", "label": "a", "tags": ["x", "y"]} for i in range(6)]
    text = _json.dumps(rows, indent=2).replace('"t 3"', "NaN")
    path = tmp_path / "d.json"
    path.write_text(text)
    (error,) = load(path).errors
    start = text.splitlines().index("  {", 0)  # the first record's line, 0-based
    lines = [n for n, line in enumerate(text.splitlines(), 1) if line == "  {"]
    assert error.line == 4
    assert error.message.endswith(f"(the record starts at line {lines[3]})")
    assert lines[0] == start + 1
    rows[3]["text"] = float("nan")
    wrapped = _json.dumps({"examples": rows}, indent=1)  # records one level deeper
    (tmp_path / "w.json").write_text(wrapped)
    (error,) = load(tmp_path / "w.json").errors
    lines = [n for n, line in enumerate(wrapped.splitlines(), 1) if line == "  {"]
    assert error.message.endswith(f"(the record starts at line {lines[3]})")
