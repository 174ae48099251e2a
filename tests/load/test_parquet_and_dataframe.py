import polars as pl
import pytest

from datacheck.errors import InputError
from datacheck.load import SOURCE_LINE, load


def test_parquet_rows_are_numbered(tmp_path):
    path = tmp_path / "d.parquet"
    pl.DataFrame({"text": ["a", "b"], "label": ["x", "y"]}).write_parquet(path)
    loaded = load(path)
    assert loaded.frame[SOURCE_LINE].to_list() == [1, 2]
    assert loaded.format == "parquet" and loaded.position == "row"


def test_damaged_parquet_is_an_input_error(tmp_path):
    path = tmp_path / "d.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="Parquet"):
        load(path)


def test_dataframe_source():
    loaded = load(pl.DataFrame({"text": ["a"], "label": ["x"]}))
    assert loaded.format == "dataframe"
    assert loaded.frame[SOURCE_LINE].to_list() == [1]


def test_unknown_format_says_what_is_supported(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some words\n")
    with pytest.raises(InputError, match=r"\.jsonl"):
        load(path)


def test_plain_folder_is_explained(tmp_path):
    with pytest.raises(InputError, match="save_to_disk"):
        load(tmp_path)


def test_file_too_large_for_memory_fails_early_with_a_way_out(tmp_path, monkeypatch):
    import datacheck.load as loader

    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "a", "label": "x"}\n')
    monkeypatch.setattr(loader, "available_memory", lambda: 1024)
    with pytest.raises(InputError, match="--sample"):
        load(path)


def test_parquet_sample_is_read_in_a_stream_seeded_and_numbered(tmp_path, monkeypatch):
    import datacheck
    import datacheck.load as loader

    texts = [f"ticket {i} about thing {i % 7}" for i in range(5000)]
    path = tmp_path / "d.parquet"
    pl.DataFrame({"text": texts, "label": ["AB"[i % 2] for i in range(5000)]}).write_parquet(
        path, row_group_size=500
    )
    monkeypatch.setattr(loader, "available_memory", lambda: 1024)  # too big to read whole
    with pytest.raises(InputError, match="--sample"):
        load(path)
    first, again = load(path, sample=200, seed=4), load(path, sample=200, seed=4)
    other = load(path, sample=200, seed=5)
    assert first.sample_of == 5000 and first.frame.height == 200
    assert first.frame.equals(again.frame) and not first.frame.equals(other.frame)
    lines = first.frame[SOURCE_LINE].to_list()
    assert lines == sorted(lines) and first.frame.schema[SOURCE_LINE] == pl.Int64
    assert first.frame["text"].to_list() == [texts[line - 1] for line in lines]
    report = datacheck.audit(path, sample=200, seed=4).to_dict()
    assert report["sample"]["size"] == 200 and report["sample"]["of_rows"] == 5000
