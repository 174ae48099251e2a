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
