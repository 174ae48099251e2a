import gzip
import json

import polars as pl
import pytest

from datacheck.errors import InputError
from datacheck.load import SOURCE_LINE, load


def _lines(frame):
    return frame[SOURCE_LINE].to_list()


def test_clean_file_keeps_line_numbers_across_blank_lines(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "a", "label": "x"}\n\n{"text": "b", "label": "y"}\n')
    loaded = load(path)
    assert loaded.frame["text"].to_list() == ["a", "b"]
    assert _lines(loaded.frame) == [1, 3]
    assert loaded.errors == ()
    assert loaded.format == "jsonl"


def test_bad_lines_are_collected_and_loading_goes_on(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(
        b'{"text": "a", "label": "x"}\n'
        b'{"text": "b", \n'
        b"[1, 2]\n"
        b'{"text": "caf\xe9", "label": "y"}\n'
        b'{"text": "d", "label": "z"}\n'
    )
    loaded = load(path)
    assert loaded.frame["text"].to_list() == ["a", "d"]
    assert _lines(loaded.frame) == [1, 5]
    by_line = {e.line: e.message for e in loaded.errors}
    assert set(by_line) == {2, 3, 4}
    assert "invalid JSON" in by_line[2]
    assert "array" in by_line[3]
    assert "UTF-8" in by_line[4] and "0xe9" in by_line[4]


def test_bom_and_crlf_load_cleanly(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "a", "label": "x"}\r\n{"text": "b", "label": "y"}\r\n')
    loaded = load(path)
    assert loaded.errors == ()
    assert loaded.frame["text"].to_list() == ["a", "b"]
    assert loaded.frame["label"].to_list() == ["x", "y"]


def test_utf16_with_bom_is_transcoded(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes('{"text": "é", "label": "x"}\n'.encode("utf-16"))
    assert load(path).frame["text"].to_list() == ["é"]


def test_gzip(tmp_path):
    path = tmp_path / "d.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"text": "a", "label": "x"}\n'))
    loaded = load(path)
    assert loaded.frame["text"].to_list() == ["a"]
    assert loaded.format == "jsonl"


def test_input_file_is_not_modified(tmp_path):
    path = tmp_path / "d.jsonl"
    content = b'\xef\xbb\xbf{"text": "a"}\r\n{bad\n'
    path.write_bytes(content)
    load(path)
    assert path.read_bytes() == content


def test_sha256_is_of_the_bytes_on_disk(tmp_path):
    import hashlib

    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": "a"}) + "\n")
    assert load(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_missing_path_names_the_path(tmp_path):
    with pytest.raises(InputError, match="nope.jsonl"):
        load(tmp_path / "nope.jsonl")


def _rows(n, kind_change_at=None):
    rows = []
    for i in range(n):
        score = str(i) if kind_change_at is not None and i >= kind_change_at else i
        rows.append({"messages": [{"role": "user", "content": f"hi {i}"}], "score": score})
    return rows


@pytest.mark.parametrize("gzipped", [False, True])
@pytest.mark.parametrize("kind_change_at", [None, 150])
def test_chunked_reading_equals_one_careful_read(tmp_path, monkeypatch, kind_change_at, gzipped):
    from datacheck import _perf
    from datacheck.load import jsonl

    text = "".join(json.dumps(r) + "\n" for r in _rows(200, kind_change_at))
    path = tmp_path / ("d.jsonl.gz" if gzipped else "d.jsonl")
    path.write_bytes(gzip.compress(text.encode()) if gzipped else text.encode())
    monkeypatch.setattr(jsonl, "_CHUNK_BYTES", 500)  # many chunks
    monkeypatch.setattr(jsonl, "cores", lambda: 3)  # read a few at a time, on any machine
    chunked = load(path)
    monkeypatch.setattr(_perf, "fast", lambda: False)
    monkeypatch.setattr(jsonl, "fast", lambda: False)
    careful = load(path)
    assert chunked.frame.height == careful.frame.height == 200
    assert chunked.frame.equals(careful.frame.select(chunked.frame.columns))
    assert _lines(chunked.frame) == list(range(1, 201))


def _sparse_rows(n):
    """Fields that appear late or stay null for a while: chunks see different schemas."""
    rows = []
    for i in range(n):
        message = {"role": "user", "content": f"hi {i}"}
        if i >= 120:
            message["weight"] = 1
        row = {"messages": [message], "note": f"n{i}" if i >= 100 else None}
        if i >= 150:
            row["late"] = {"a": i}
        rows.append(row)
    return rows


@pytest.mark.parametrize("gzipped", [False, True])
def test_chunks_that_differ_only_by_absent_fields_are_joined_without_a_whole_parse(
    tmp_path, monkeypatch, gzipped
):
    text = "".join(json.dumps(r) + "\n" for r in _sparse_rows(200))
    path = tmp_path / ("d.jsonl.gz" if gzipped else "d.jsonl")
    path.write_bytes(gzip.compress(text.encode()) if gzipped else text.encode())
    chunked, careful = _chunked_and_careful(path, monkeypatch, whole_parse=False)
    assert chunked.schema == careful.select(chunked.columns).schema
    assert chunked.equals(careful.select(chunked.columns))


def _chunked_and_careful(path, monkeypatch, *, whole_parse=True):
    """`path` read in many small chunks (never in one piece unless `whole_parse`), and read
    line by line."""
    from datacheck import _perf
    from datacheck.load import jsonl

    monkeypatch.setattr(jsonl, "_CHUNK_BYTES", 500)
    if not whole_parse:

        def whole(_data):
            raise AssertionError("the whole file was parsed at once")

        monkeypatch.setattr(jsonl, "_whole", whole)
    chunked = load(path).frame
    monkeypatch.setattr(_perf, "fast", lambda: False)
    monkeypatch.setattr(jsonl, "fast", lambda: False)
    return chunked, load(path).frame


def _clashing_rows(n, late):
    """`meta` is a number in the first rows and `late` from row 150 on; `score` goes from
    whole numbers to fractions: chunks read them as different kinds."""
    rows = []
    for i in range(n):
        row = {"messages": [{"role": "user", "content": f"hi {i}"}], "score": i}
        row["meta"] = late(i) if i >= 150 else i
        if i >= 170:
            row["score"] = i + 0.5
        rows.append(row)
    return rows


_LATE_KINDS = {
    "text": lambda i: f"note {i}",
    "object": lambda i: {"source": "crm", "id": i},
    "array": lambda i: [i, "x"],
    "boolean": lambda i: i % 2 == 0,
    "fraction": lambda i: i / 4,
    "unicode object": lambda i: {"note": "café ünï"},
}


@pytest.mark.parametrize("gzipped", [False, True])
@pytest.mark.parametrize("late", list(_LATE_KINDS))
def test_a_field_of_varying_kind_is_read_chunk_by_chunk_as_the_careful_read_reads_it(
    tmp_path, monkeypatch, late, gzipped
):
    """One odd line in a million must not send the reader to a whole-file parse (12x the
    file in memory) or a line-by-line one; the frame is the careful read's all the same."""
    from datacheck import _perf
    from datacheck.load import jsonl

    rows = _clashing_rows(200, _LATE_KINDS[late])
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    path = tmp_path / ("d.jsonl.gz" if gzipped else "d.jsonl")
    path.write_bytes(gzip.compress(text.encode()) if gzipped else text.encode())
    monkeypatch.setattr(jsonl, "_CHUNK_BYTES", 500)

    def whole(_data):
        raise AssertionError("the whole file was parsed at once")

    careful = jsonl._line_by_line

    def one_chunk(lines, **kwargs):
        assert len(lines) < 100, "the whole file was read line by line"
        return careful(lines, **kwargs)

    monkeypatch.setattr(jsonl, "_whole", whole)
    monkeypatch.setattr(jsonl, "_line_by_line", one_chunk)
    chunked = load(path)
    monkeypatch.undo()
    monkeypatch.setattr(_perf, "fast", lambda: False)
    monkeypatch.setattr(jsonl, "fast", lambda: False)
    careful = load(path)
    assert chunked.frame.schema == careful.frame.select(chunked.frame.columns).schema
    assert chunked.frame.equals(careful.frame.select(chunked.frame.columns))
    if late != "fraction":
        assert chunked.frame.schema["meta"] == pl.String
        assert chunked.frame["meta"][0] == "0"
    assert chunked.frame["score"].dtype == pl.Float64


def test_varying_kinds_are_json_text_in_a_careful_read(tmp_path):
    path = tmp_path / "d.jsonl"
    rows = [{"text": "a", "meta": 1}, {"text": "b", "meta": {"k": "é"}}, {"text": "c"}]
    rows += [{"text": "d", "meta": True}, {"text": "e", "meta": "plain"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "not json\n")
    loaded = load(path)
    assert loaded.frame["meta"].to_list() == ["1", '{"k": "é"}', None, "true", "plain"]
    assert loaded.frame["text"].to_list() == ["a", "b", "c", "d", "e"]
    assert len(loaded.errors) == 1


_BAD_LINES = {
    "truncated JSON": b'{"messages": [{"role": "user", "cont',
    "not an object": b"[1, 2, 3]",
    "bad UTF-8": b'{"messages": [{"role": "user", "content": "caf\xe9"}], "score": 1}',
    "blank": b"   ",
}


@pytest.mark.parametrize("gzipped", [False, True])
@pytest.mark.parametrize("bad", list(_BAD_LINES))
def test_a_bad_line_costs_its_chunk_not_the_file(tmp_path, monkeypatch, bad, gzipped):
    """A malformed line is reported with its number and the other chunks stay on the fast
    path: one bad line in a million rows must not mean a line-by-line read of them all."""
    from datacheck import _perf
    from datacheck.load import jsonl

    lines = [json.dumps(r).encode() for r in _rows(200)]
    lines[120] = _BAD_LINES[bad]
    data = b"\n".join(lines) + b"\n"
    path = tmp_path / ("d.jsonl.gz" if gzipped else "d.jsonl")
    path.write_bytes(gzip.compress(data) if gzipped else data)
    monkeypatch.setattr(jsonl, "_CHUNK_BYTES", 500)
    careful = jsonl._line_by_line
    sizes = []

    def counted(lines, **kwargs):
        sizes.append(len(lines))
        return careful(lines, **kwargs)

    monkeypatch.setattr(jsonl, "_line_by_line", counted)
    chunked = load(path)
    assert len(sizes) == 1 and sizes[0] < 20  # only the bad line's chunk
    monkeypatch.undo()
    monkeypatch.setattr(_perf, "fast", lambda: False)
    monkeypatch.setattr(jsonl, "fast", lambda: False)
    slow = load(path)
    assert chunked.errors == slow.errors
    assert [e.line for e in chunked.errors] == ([] if bad == "blank" else [121])
    assert chunked.frame.equals(slow.frame.select(chunked.frame.columns))
    assert 121 not in _lines(chunked.frame)
    assert _lines(chunked.frame)[-1] == 200


# Chunks on which Arrow's JSON reader and polars' could disagree. Each must either be read
# by Arrow exactly as polars reads it, or be left to polars.
ARROW_CASES = {
    "plain": ['{"text": "a", "label": "x", "n": 1, "ok": true}', '{"text": "b", "n": null}'],
    "dates": ['{"at": "2024-01-01T00:00:00", "day": "2024-01-01"}', '{"at": "x", "day": null}'],
    "nested dates": ['{"meta": {"t": "2024-01-01T10:00:00", "k": 1}, "l": ["2024-01-01"]}'],
    "int then float": ['{"a": 1}', '{"a": 2.5}'],
    "floats": ['{"a": 1.5}', '{"a": -2e3}'],
    "past 64 bits": ['{"a": 99999999999999999999}', '{"a": 1}'],
    "nested floats": ['{"a": [1.5, 2]}', '{"o": {"x": 0.25}}'],
    "nested past 64 bits": ['{"o": {"x": 99999999999999999999}}'],
    "empty key": ['{"a b": 1, "": 2}'],
    "nulls then text": ['{"a": null}', '{"a": "x"}'],
    "empty values": ['{"a": {}, "b": []}', '{"a": {}, "b": []}'],
    "chat": ['{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant"}]}'],
    "mixed kinds": ['{"a": "x"}', '{"a": 1}'],
    "repeated key": ['{"a": 1, "a": 2}'],
    "escaped surrogate": ['{"a": "\\ud800"}'],
}


@pytest.mark.parametrize("case", sorted(ARROW_CASES))
def test_arrow_reads_a_chunk_as_polars_does_or_leaves_it_to_polars(case):
    from datacheck.load import jsonl

    chunk = ("\n".join(ARROW_CASES[case]) + "\n").encode()
    if case in ("repeated key", "escaped surrogate"):  # polars reads them without a word
        with pytest.raises(jsonl._CarefulOnly):
            jsonl._by_arrow(chunk)
        return
    by_arrow = jsonl._by_arrow(chunk)
    if by_arrow is not None:
        import io

        by_polars = pl.read_ndjson(io.BytesIO(chunk), infer_schema_length=None)
        assert by_arrow.schema == by_polars.schema
        assert by_arrow.equals(by_polars)


def test_arrow_reads_plain_data_and_dates_itself():
    """The fast reader is not silently skipped for the common cases."""
    from datacheck.load import jsonl

    for case in ("plain", "dates", "nested dates", "chat", "floats", "int then float"):
        assert jsonl._by_arrow(("\n".join(ARROW_CASES[case]) + "\n").encode()) is not None, case


def test_arrow_reads_allocate_from_the_c_librarys_allocator(monkeypatch):
    """Arrow's default allocator kept 40-75 MiB of what its reads freed at 1M rows, held
    under the rest of the audit; the C library's gives it back."""
    import pyarrow.json

    from datacheck.load import jsonl

    pools = []
    read = pyarrow.json.read_json

    def recording(*args, **kwargs):
        pools.append(kwargs.get("memory_pool"))
        return read(*args, **kwargs)

    monkeypatch.setattr(pyarrow.json, "read_json", recording)
    for case in ("chat", "dates"):  # "dates" is read twice, the second time with a schema
        assert jsonl._by_arrow(("\n".join(ARROW_CASES[case]) + "\n").encode()) is not None
    assert len(pools) >= 3
    assert all(pool is not None and pool.backend_name == "system" for pool in pools)


def test_objects_with_keys_in_varying_orders_load_by_name(tmp_path, monkeypatch):
    rows = [{"o": {"a": i, "b": f"x{i}"}} for i in range(100)]
    rows += [{"o": {"c": True, "b": f"y{i}", "a": -i}} for i in range(100)]
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    chunked, careful = _chunked_and_careful(path, monkeypatch)
    assert chunked["o"].to_list() == careful["o"].to_list()


@pytest.mark.parametrize("early", [7, 2.5, True])
def test_a_nested_kind_change_is_joined_without_a_whole_parse(tmp_path, monkeypatch, early):
    """Text in some chunks and numbers or booleans in others, inside an object: polars reads
    both as text, and the chunks are joined to the same frame without reading the file
    again in one piece (which took 5.6 GB for a 392 MB file)."""
    rows = [{"t": f"x{i}", "meta": {"a": early, "l": [i]}} for i in range(150)]
    rows += [{"t": f"y{i}", "meta": {"a": "s", "l": ["s"]}} for i in range(50)]
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    chunked, careful = _chunked_and_careful(path, monkeypatch, whole_parse=False)
    assert chunked.schema == careful.schema
    assert chunked.equals(careful)
    assert chunked["meta"].struct.field("a")[0] == json.dumps(early)


@pytest.mark.parametrize(
    ("early", "late", "expected"),
    [
        ({"x": 1}, "s", ['{"x": 1}', "s"]),
        ({"x": {"y": 1}}, 5, ['{"x": {"y": 1}}', "5"]),  # the number was dropped
        ([{"x": 1}], True, ['[{"x": 1}]', "true"]),
    ],
)
def test_an_object_beside_other_kinds_inside_objects_is_kept_as_json_text(
    tmp_path, monkeypatch, early, late, expected
):
    """polars alone wrote such an object as `{1}` (its values only), or dropped a number
    beside it; the whole-file parse and the line-by-line reader now agree on JSON text."""
    rows = [{"meta": {"a": early}}] * 120 + [{"meta": {"a": late}}] * 80
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    chunked, careful = _chunked_and_careful(path, monkeypatch)
    values = careful["meta"].struct.field("a").to_list()
    assert [values[0], values[-1]] == expected
    assert chunked.equals(careful)


@pytest.mark.parametrize("slow", ["", "1"])
def test_a_null_line_is_reported_by_both_readers(tmp_path, monkeypatch, slow):
    """The bulk readers read `null` as a row of nulls; it is a line that holds no example."""
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "a", "label": "x"}\nnull\n{"text": "b", "label": "y"}\n')
    loaded = load(path)
    assert _lines(loaded.frame) == [1, 3]
    assert [(e.line, e.message) for e in loaded.errors] == [
        (2, "expected a JSON object, found null")
    ]


def test_very_deep_nesting_loads(tmp_path):
    """Arrow refuses to copy 200 levels of lists; the loader keeps the column as parsed."""
    deep = "[" * 200 + "]" * 200
    path = tmp_path / "d.jsonl"
    path.write_text("".join(f'{{"text": "t{i}", "label": "x", "d": {deep}}}\n' for i in range(3)))
    assert load(path).frame["text"].to_list() == ["t0", "t1", "t2"]


@pytest.mark.parametrize("slow", ["", "1"])
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(tmp_path, monkeypatch, slow, constant):
    """Python writes them; JSON has no such values, and a fine-tuning upload refuses them."""
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    path = tmp_path / "d.jsonl"
    path.write_text(
        '{"text": "a", "score": 1.5}\n'
        f'{{"text": "b", "score": {constant}}}\n'
        '{"text": "NaN and Infinity inside text are fine", "score": 2.0}\n'
    )
    loaded = load(path)
    assert _lines(loaded.frame) == [1, 3]
    [error] = loaded.errors
    assert error.line == 2 and f"{constant.lstrip('-')} is not a JSON value" in error.message


@pytest.mark.parametrize("slow", ["", "1"])
@pytest.mark.parametrize(
    "where",
    ['{"m": {"score": %s}}', '{"scores": [1.0, %s]}', '{"m": [{"a": 1}, {"a": %s}]}'],
)
def test_nan_and_infinity_are_not_json_inside_objects_either(tmp_path, monkeypatch, slow, where):
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    rows = ['{"text": "a", "m": {"score": 1.5}, "scores": [1.0], "n": "NaN:, Infinity]"}']
    rows += ['{"text": "b", ' + (where % constant)[1:] for constant in ("NaN", "-Infinity")]
    rows += ['{"text": "c", "note": "a [NaN, -Infinity] list in text is fine"}']
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(rows) + "\n")
    loaded = load(path)
    assert _lines(loaded.frame) == [1, 4]
    assert [e.line for e in loaded.errors] == [2, 3]
    assert all("is not a JSON value" in e.message for e in loaded.errors)


@pytest.mark.parametrize("slow", ["", "1"])
def test_records_nested_too_deep_are_reported_not_parsed(tmp_path, slow):
    """Arrow's parser recursed into a line 100,000 levels deep until the process died, and
    polars takes seconds on one a few hundred levels deep. Such lines are reported; a
    subprocess keeps a regression from taking the test run down with it."""
    import os
    import subprocess
    import sys

    from tests.conftest import NETGUARD, ROOT

    def nested(n):
        return "[" * n + "]" * n

    lines = [
        '{"text": "a", "label": "x"}',
        '{"text": "b", "label": "x", "d": ' + nested(100_000) + "}",
        '{"text": "c", "label": "x", "d": ' + nested(300) + "}",
        '{"text": "d", "label": "x", "d": ' + "[" * 50_000 + "}",  # deep, and broken
        '{"text": "e", "label": "x", "d": ' + nested(250) + "}",  # deep, not too deep
        '{"text": "f", "label": "x", "d": [' + ", ".join(["[1]"] * 400) + "]}",  # wide
    ]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(lines) + "\n")
    code = (
        "import sys; from datacheck.load import load; "
        f"l = load({str(path)!r}); "
        "print(l.frame['text'].to_list()); "
        "print([(e.line, e.message.split(';')[0]) for e in l.errors])"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(NETGUARD), str(ROOT / "src")]),
        "DATACHECK_SLOW_PATHS": slow,
    }
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    texts, errors = proc.stdout.splitlines()
    assert texts == "['a', 'e', 'f']"
    deep = "nested more than 256 levels deep (arrays and objects inside each other)"
    assert errors == f"[(2, '{deep}'), (3, '{deep}'), (4, '{deep}')]"  # 4 is broken, deeper


def test_a_json_document_too_deep_for_python_says_so(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('[{"text": "a", "d": ' + "[" * 100_000 + "]" * 100_000 + "}]")
    with pytest.raises(InputError, match="nested more than .* levels deep"):
        load(path)


@pytest.mark.parametrize("slow", ["", "1"])
def test_a_key_named_twice_is_reported_by_either_reader(tmp_path, monkeypatch, slow):
    """polars kept the first value and Python's json the last, so the fast and the careful
    reader audited different labels."""
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    rows = [f'{{"text": "t{i}", "label": "a", "m": {{"k": 1}}}}' for i in range(6)]
    rows[1] = '{"text": "t1", "label": "a", "label": "b"}'
    rows[3] = '{"text": "t3", "label": "a", "m": [{"k": 1, "k": 2}]}'
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(rows) + "\n")
    loaded = load(path)
    assert _lines(loaded.frame) == [1, 3, 5, 6]
    assert [(e.line, e.message.split(" appears")[0]) for e in loaded.errors] == [
        (2, "the key 'label'"),
        (4, "the key 'k'"),
    ]


@pytest.mark.parametrize("slow", ["", "1"])
def test_half_a_surrogate_pair_is_reported_by_either_reader(tmp_path, monkeypatch, slow):
    """polars read an escaped lone surrogate as NUL, and the careful reader's rows then
    crashed polars; an escaped emoji (a whole pair) is text like any other."""
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    path = tmp_path / "d.jsonl"
    path.write_text(
        '{"text": "a\\ud800b", "label": "x"}\n'
        '{"text": "ok \\ud83d\\ude00", "label": "y"}\n'
        '{"t\\udfffext": "c", "label": "y"}\n'
        '{"text": "d", "label": "y"}\n'
    )
    loaded = load(path)
    assert loaded.frame["text"].to_list() == ["ok \U0001f600", "d"]
    assert [e.line for e in loaded.errors] == [1, 3]
    assert all("half of a surrogate pair" in e.message for e in loaded.errors)


@pytest.mark.parametrize("bad_line", [False, True])
def test_a_field_of_numbers_and_text_reads_alike_whichever_reader_reads_it(
    tmp_path, monkeypatch, bad_line
):
    """polars writes a float it reads as text positionally (1.0 as "1"); the careful reader
    wrote Python's "1.0". One malformed line sends its chunk to the careful reader, so the
    labels of one file came out as both "1" and "1.0"."""
    from datacheck.load import jsonl

    monkeypatch.setattr(jsonl, "_CHUNK_BYTES", 300)  # many chunks
    values = [1.0, "n/a", 2.5, 1e-07, -0.0, 3.0, [1.0, {"k": 2.0}]]
    lines = [json.dumps({"text": f"t{i}", "label": values[i % 7]}) for i in range(70)]
    if bad_line:
        lines[40] = '{"text": "broken'
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(lines) + "\n")
    labels = load(path).frame["label"].to_list()
    spelled = {"1", "n/a", "2.5", "0.0000001", "-0", "3", '[1, {"k": 2}]'}
    assert set(labels) == spelled
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", "1")
    assert load(path).frame["label"].to_list() == labels


@pytest.mark.parametrize(
    ("escaped", "alone"),
    [
        (rb"\ud800", True),
        (rb"a\udfffb", True),
        (rb"\ud83d x", True),
        (rb"\ud83d\ud83d\ude00", True),  # a high half, then a whole pair
        (rb"\ud83d\ude00", False),  # an escaped emoji: Python's json.dumps writes these
        (rb"\uD83D\uDE00", False),
        (rb"\u00e9", False),
    ],
)
def test_only_a_half_pair_sends_text_to_the_careful_reader(escaped, alone):
    from datacheck.load._text import SURROGATE_ESCAPE

    assert (SURROGATE_ESCAPE.search(escaped) is not None) is alone


def test_blank_lines_are_found_as_the_regex_defines_them():
    """A chunk with a line of white space only, ended by a newline, is left to the careful
    reader (which keeps line numbers right); JSON lines that merely start or end with white
    space are not blank."""
    import random
    import re

    from datacheck.load._text import line_bounds
    from datacheck.load.jsonl import _has_blank_line

    blank = re.compile(rb"(?:^|\n)[ \t\r\f\v]*\n")
    pieces = [b"{}", b' {"a": 1}', b"\t", b"\r", b"", b" ", b"\x0b\x0c", b'{"b": " "} ', b"x"]
    rng = random.Random(5)
    cases = [b"", b"\n", b"{}", b"{}\n", b"{}\n\n", b"\n{}", b"{}\n  ", b"{}\r\n{}\r\n"]
    for _ in range(3000):
        lines = [rng.choice(pieces) for _ in range(rng.randint(1, 6))]
        cases.append(b"\n".join(lines) + rng.choice([b"", b"\n"]))
    for chunk in cases:
        assert _has_blank_line(chunk, *line_bounds(chunk)) == bool(blank.search(chunk)), chunk
