import pytest

from datacheck.errors import InputError
from datacheck.load import SOURCE_LINE, load
from datacheck.load.delimited import separator_of


def test_csv_values_are_text_as_written(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("text,label\nhello,1\nbye,02\n")
    frame = load(path).frame
    assert frame["label"].to_list() == ["1", "02"]
    assert frame[SOURCE_LINE].to_list() == [2, 3]


def test_multiline_fields_give_the_line_each_row_starts_on(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('text,label\n"two\nlines",a\nsingle,b\n"three\nline\nfield",c\nlast,d\n')
    frame = load(path).frame
    assert frame["label"].to_list() == ["a", "b", "c", "d"]
    assert frame[SOURCE_LINE].to_list() == [2, 4, 5, 8]


def test_ragged_row_is_a_load_error_with_its_line(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("text,label\nok,a\ntoo,many,fields\n\nfine,b\n")
    loaded = load(path)
    assert loaded.frame["text"].to_list() == ["ok", "fine"]
    assert loaded.frame[SOURCE_LINE].to_list() == [2, 5]
    assert [e.line for e in loaded.errors] == [3]
    assert "3 fields" in loaded.errors[0].message


def test_tsv_bom_crlf(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_bytes(b"\xef\xbb\xbftext\tlabel\r\nhello, world\tx\r\n")
    loaded = load(path)
    assert loaded.format == "tsv"
    assert loaded.frame.columns[:2] == ["text", "label"]
    assert loaded.frame["text"].to_list() == ["hello, world"]


def test_undecodable_line_is_reported_and_skipped(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"text,label\ngood,a\nbad \xff byte,b\nalso good,c\n")
    loaded = load(path)
    assert loaded.frame["text"].to_list() == ["good", "also good"]
    assert [e.line for e in loaded.errors] == [3]
    assert loaded.frame[SOURCE_LINE].to_list() == [2, 4]


def _tickets_csv(path, n, separator=","):
    """`n` rows, every 7th with a quoted two-line text, row 50 ragged."""
    lines = [f"text{separator}label"]
    for i in range(n):
        text = f'"ticket {i}\nsecond line"' if i % 7 == 0 else f"ticket {i}"
        lines.append(f"{text}{separator}{'AB'[i % 2]}")
    lines[51] += f"{separator}extra"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("name", "separator"), [("d.csv", ","), ("d.tsv", "\t"), ("semicolons.csv", ";")]
)
def test_csv_sample_is_read_in_a_stream_seeded_and_keeps_lines(
    tmp_path, monkeypatch, name, separator
):
    import datacheck.load as loader
    from datacheck.load import delimited

    path = _tickets_csv(tmp_path / name, 3000, separator)
    whole = load(path)
    monkeypatch.setattr(loader, "available_memory", lambda: 1024)  # too big to read whole
    with pytest.raises(InputError, match="--sample"):
        load(path)

    def no_whole_read(_path):
        raise AssertionError("the whole file was read")

    monkeypatch.setattr(delimited, "read_bytes", no_whole_read)
    first, again = load(path, sample=200, seed=4), load(path, sample=200, seed=4)
    other = load(path, sample=200, seed=5)
    assert first.sample_of == whole.frame.height == 2999 and first.frame.height == 200
    assert first.frame.equals(again.frame) and not first.frame.equals(other.frame)
    assert first.errors == whole.errors  # every row is checked, not only the sampled ones
    assert [e.line for e in first.errors] == [2 + 50 + 8]  # after 8 two-line texts
    by_line = dict(zip(whole.frame[SOURCE_LINE], whole.frame["text"], strict=True))
    lines = first.frame[SOURCE_LINE].to_list()
    assert lines == sorted(lines)
    assert first.frame["text"].to_list() == [by_line[line] for line in lines]
    assert first.format == whole.format and first.sha256 == whole.sha256


def test_csv_sample_of_a_small_file_is_the_whole_file(tmp_path):
    path = _tickets_csv(tmp_path / "d.csv", 100)
    assert load(path, sample=500).frame.height == 99
    assert load(path, sample=500).sample_of is None


@pytest.mark.parametrize(
    ("header", "separator"),
    [
        ("text,label", ","),
        ("text;label", ";"),
        ("text\tlabel\tnote", "\t"),
        ("text|label", "|"),
        ('"body; subject";label', ";"),  # quoted separators do not count
        ('"a; b",label', ","),
        ("text;label,x", ","),  # a comma wins: a CSV is comma-separated unless it has none
        ("text", ","),
    ],
)
def test_separator_of_a_header(header, separator):
    assert separator_of(header) == separator


@pytest.mark.parametrize("slow", ["", "1"])
@pytest.mark.parametrize("separator", [";", "\t", "|"])
def test_a_csv_with_another_separator_is_read_by_its_header(tmp_path, monkeypatch, separator, slow):
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    path = tmp_path / "export.csv"
    lines = [["\ufefftext", "label"], ["where is it", "ship"], [f'"a{separator} b, c"', "bill"]]
    path.write_bytes("".join(separator.join(line) + "\r\n" for line in lines).encode())
    frame = load(path).frame
    assert frame.columns[:2] == ["text", "label"]
    assert frame["text"].to_list() == ["where is it", f"a{separator} b, c"]
    assert frame[SOURCE_LINE].to_list() == [2, 3]


def test_an_unclosed_quote_names_where_it_starts_and_ends(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('text,label\nfine,a\n"never closed,b\nnext,c\nlast,d\n')
    loaded = load(path)
    assert loaded.frame["text"].to_list() == ["fine"]
    [error] = loaded.errors
    assert error.line == 3
    assert "runs on to line 5" in error.message and "close its quote" in error.message


@pytest.mark.parametrize("slow", ["", "1"])
def test_a_field_larger_than_pythons_csv_limit_is_read(tmp_path, monkeypatch, slow):
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    big = "pasted log line\n" * 20_000  # 320 KB, over the csv module's 128 KB default
    path = tmp_path / "d.csv"
    path.write_text(f'text,label\n"{big}",a\nshort,b\n')
    loaded = load(path)
    assert loaded.errors == ()
    assert loaded.frame["text"].to_list() == [big, "short"]


@pytest.mark.parametrize("slow", ["", "1"])
@pytest.mark.parametrize("bad_row", [False, True])
def test_repeated_header_names_are_told_apart_as_polars_does(tmp_path, monkeypatch, slow, bad_row):
    """The careful reader crashed on them (two columns under one name), and it is the one a
    single malformed row sends the whole file to."""
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    path = tmp_path / "d.csv"
    rows = "".join(f"t{i},a,b{i},c,d\n" for i in range(4)) + ("x,y\n" if bad_row else "")
    path.write_text("text,label,label,label_duplicated_0,label\n" + rows)
    loaded = load(path)
    assert loaded.frame.columns[:5] == [
        "text", "label", "label_duplicated_1", "label_duplicated_0", "label_duplicated_2",
    ]  # fmt: skip
    assert loaded.frame["label_duplicated_1"].to_list() == ["b0", "b1", "b2", "b3"]
    assert [e.line for e in loaded.errors] == ([6] if bad_row else [])


@pytest.mark.parametrize("slow", ["", "1"])
def test_a_row_short_of_fields_is_reported_by_either_reader(tmp_path, monkeypatch, slow):
    """polars' reader filled the missing field in, so only the careful reader reported it."""
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    path = tmp_path / "d.csv"
    path.write_text(
        "text,label,note\n"
        "a,x,n1\n"
        '"two\nlines",y,\n'  # an empty last field is a field
        "b,x\n"  # one short
        "c,y,\n"
        '"d, quoted",x,""\n'
    )
    loaded = load(path)
    assert loaded.frame["text"].to_list() == ["a", "two\nlines", "c", "d, quoted"]
    assert loaded.frame[SOURCE_LINE].to_list() == [2, 3, 6, 7]
    assert [(e.line, e.message.split(";")[0]) for e in loaded.errors] == [
        (5, "has 2 fields but the header has 3")
    ]
