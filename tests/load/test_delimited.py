from datacheck.load import SOURCE_LINE, load


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
