"""Odd inputs that ended the audit badly: numbers no column holds, broken links, old line ends."""

import json

import pytest

from datacheck.load import load

TOO_LARGE = (
    "a whole number of {digits} digits is larger than a 128-bit column holds; "
    "write it as a string (in quotes) or fix the line"
)


def _rows(n):
    rows = [{"text": f"ticket {i}", "label": "AB"[i % 2]} for i in range(10)]
    rows[3]["n"] = n
    return rows


@pytest.mark.parametrize("slow", ["", "1"])
@pytest.mark.parametrize("n", [10**59, -(10**59), 2**127, -(2**127) - 1])
def test_a_number_no_column_holds_costs_its_line(tmp_path, monkeypatch, slow, n):
    """Issue 22: a 60-digit integer ended the audit with a traceback (exit 1)."""
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    lines = tmp_path / "d.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in _rows(n)))
    loaded = load(lines)
    digits = len(str(abs(n)))
    assert [(e.line, e.message) for e in loaded.errors] == [(4, TOO_LARGE.format(digits=digits))]
    assert loaded.frame.height == 9
    document = tmp_path / "d.json"
    document.write_text(json.dumps(_rows(n)))
    loaded = load(document)
    assert [(e.line, e.message) for e in loaded.errors] == [(4, TOO_LARGE.format(digits=digits))]


@pytest.mark.parametrize("slow", ["", "1"])
@pytest.mark.parametrize("n", [2**127 - 1, -(2**127), 2**63])
def test_the_largest_numbers_a_column_holds_are_read(tmp_path, monkeypatch, slow, n):
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    lines = tmp_path / "d.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in _rows(n)))
    loaded = load(lines)
    assert loaded.errors == () and loaded.frame.height == 10
    assert loaded.frame["n"].drop_nulls().to_list() == [n]


def test_broken_links_say_what_is_wrong(tmp_path):
    from datacheck.errors import InputError

    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(InputError, match=r"a: is a symbolic link in a loop; point it at the data"):
        load(tmp_path / "a")
    (tmp_path / "dangling").symlink_to("gone.jsonl")
    with pytest.raises(InputError, match=r"dangling: is a symbolic link to gone.jsonl, which does"):
        load(tmp_path / "dangling")


@pytest.mark.parametrize("slow", ["", "1"])
def test_a_csv_with_carriage_returns_alone_reads_one_row_per_line(tmp_path, monkeypatch, slow):
    """Issue 22: lines ended by \\r alone (classic Mac OS) read as one giant column name."""
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    path = tmp_path / "mac.csv"
    path.write_bytes(
        b"text,label\r" + b"".join(f"ticket {i},{'AB'[i % 2]}\r".encode() for i in range(6))
    )
    loaded = load(path)
    assert loaded.frame.columns[:2] == ["text", "label"] and loaded.frame.height == 6
    assert loaded.frame["text"].to_list()[:2] == ["ticket 0", "ticket 1"]
    assert path.read_bytes().count(b"\n") == 0  # the input is never modified


@pytest.mark.parametrize("slow", ["", "1"])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".json"])
def test_utf16_without_a_byte_order_mark_is_read_whole(tmp_path, monkeypatch, slow, codec, suffix):
    """Issue 22: UTF-16 without BOM read line 1 and garbled the rest."""
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    rows = [{"text": f"tïcket {i}", "label": "AB"[i % 2]} for i in range(8)]
    if suffix == ".jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    elif suffix == ".json":
        text = json.dumps(rows, ensure_ascii=False)
    else:
        text = "text,label\n" + "".join(f"{r['text']},{r['label']}\n" for r in rows)
    path = tmp_path / f"d{suffix}"
    path.write_bytes(text.encode(codec))
    loaded = load(path)
    assert loaded.errors == () and loaded.frame.height == 8
    assert loaded.frame["text"].to_list() == [r["text"] for r in rows]


def test_utf16_is_told_apart_from_utf8():
    from datacheck.load._text import utf16_codec

    sample = '{"text": "hello"}\n'
    assert utf16_codec(sample.encode("utf-16")) == "utf-16"  # with a byte-order mark
    assert utf16_codec(sample.encode("utf-16-le")) == "utf-16-le"
    assert utf16_codec(sample.encode("utf-16-be")) == "utf-16-be"
    assert utf16_codec(sample.encode("utf-8")) is None
    assert utf16_codec("漢字のテキスト".encode()) is None
    assert utf16_codec(b"a\x00") is None  # too short to tell


@pytest.mark.parametrize(
    "metadata",
    [
        b"{not json",
        b"[1, 2]",
        b'{"info": 3}',
        b'{"info": {"features": []}}',
        b'{"info": {"features": {"label": {"_type": "ClassLabel", "names": 7}}}}',
        b'{"info": {"features": {"label": {"_type": "ClassLabel", "names": [1, 2]}}}}',
    ],
)
def test_malformed_hugging_face_metadata_in_parquet_keeps_the_numbers(tmp_path, metadata):
    """Issue 22: malformed `huggingface` metadata in a Parquet file ended in a traceback."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"text": [f"t {i}" for i in range(6)], "label": [0, 1, 0, 1, -1, 2]})
    path = tmp_path / "d.parquet"
    pq.write_table(table.replace_schema_metadata({b"huggingface": metadata}), path)
    assert load(path).frame["label"].to_list() == [0, 1, 0, 1, -1, 2]


def test_class_names_cover_the_numbers_they_name(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"text": [f"t {i}" for i in range(4)], "label": [0, 1, -1, 2]})
    features = b'{"info": {"features": {"label": {"_type": "ClassLabel", "names": ["x", "y"]}}}}'
    path = tmp_path / "d.parquet"
    pq.write_table(table.replace_schema_metadata({b"huggingface": features}), path)
    assert load(path).frame["label"].to_list() == ["x", "y", None, "2"]


def _chat(content):
    return {
        "messages": [{"role": "user", "content": content}, {"role": "assistant", "content": "ok"}]
    }


def test_chat_rows_mixing_strings_parts_and_bad_values_cost_only_the_bad_rows(tmp_path):
    """Issue 22: a string `messages` among content-parts rows stopped the audit (exit 2)."""
    rows = [_chat([{"type": "text", "text": f"question {i}"}]) for i in range(12)]
    rows[2] = {"messages": "just a string"}
    rows[4] = _chat("plain text is a valid content")
    rows[7] = _chat(5)
    rows[9] = _chat({"type": "text"})
    path = tmp_path / "chat.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    loaded = load(path)
    assert [e.line for e in loaded.errors] == [3, 8, 10]
    assert "a number as its content" in loaded.errors[1].message
    assert "an object as its content" in loaded.errors[2].message
    assert loaded.frame.height == 9
    contents = loaded.frame["messages"].list.first().struct.field("content").to_list()
    assert contents[3] == [{"type": "text", "text": "plain text is a valid content"}]
    assert contents[0] == [{"type": "text", "text": "question 0"}]


def test_a_record_nested_900_deep_in_a_json_document_costs_its_record_quickly(tmp_path):
    """Issue 22: such a record passed silently after 15 s."""
    import time

    rows = [{"text": f"t {i}", "label": "a"} for i in range(5)]
    rows.append({"text": "x", "label": "b", "deep": "PLACE"})
    text = json.dumps(rows).replace('"PLACE"', "[" * 900 + "]" * 900)
    path = tmp_path / "d.json"
    path.write_text(text)
    started = time.monotonic()
    loaded = load(path)
    assert time.monotonic() - started < 5
    assert [(e.line, e.message[:29]) for e in loaded.errors] == [
        (6, "nested more than 256 levels d")
    ]
    assert loaded.frame.height == 5


def test_brackets_inside_strings_do_not_make_a_record_too_deep(tmp_path):
    rows = [{"text": "[" * 400, "label": "a"}, {"text": "{" * 300, "label": "b"}]
    path = tmp_path / "d.json"
    path.write_text(json.dumps(rows))
    loaded = load(path)
    assert loaded.errors == ()
    assert loaded.frame.height == 2


@pytest.mark.parametrize("name", ["d.jsonl", "d.jsonl.gz", "d.csv", "d.json", "d.jsonl.xz"])
def test_a_file_that_cannot_be_opened_is_an_input_error(tmp_path, monkeypatch, name):
    """Issue 22: .jsonl and .jsonl.gz without read permission ended in a traceback. Root
    reads any file, so the refusal is simulated where the file is opened."""
    import pathlib

    from datacheck.errors import InputError

    path = tmp_path / name
    path.write_bytes(b'{"text": "a", "label": "b"}\n')
    real_open = pathlib.Path.open

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", refuse)
    with pytest.raises(InputError, match=rf"{name}: cannot read the file \(Permission denied\)"):
        load(path)


@pytest.mark.parametrize("slow", ["", "1"])
def test_a_list_of_nulls_is_read(tmp_path, monkeypatch, slow):
    """Found by fuzzing: Arrow reads `[null, null]` as a list of nulls that polars 2.1
    refused to take ('offsets must not exceed the values length'), a traceback."""
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "", "label": "billing", "extra": [null, null]}')
    loaded = load(path)
    assert loaded.errors == ()
    assert loaded.frame["extra"].to_list() == [[None, None]]
