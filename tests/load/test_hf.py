import polars as pl
import pytest

from datacheck.errors import InputError
from datacheck.load import SOURCE_LINE, SPLIT, load


def test_saved_dataset(tmp_path):
    import datasets

    datasets.Dataset.from_dict({"text": ["a", "b"], "label": ["x", "y"]}).save_to_disk(
        str(tmp_path / "ds")
    )
    loaded = load(tmp_path / "ds")
    assert loaded.format == "hf_disk"
    assert loaded.frame["text"].to_list() == ["a", "b"]
    assert loaded.frame[SOURCE_LINE].to_list() == [1, 2]


def test_saved_dataset_dict_splits_become_a_column(tmp_path):
    import datasets

    datasets.DatasetDict(
        {
            "train": datasets.Dataset.from_dict({"text": ["a", "b"], "label": ["x", "y"]}),
            "test": datasets.Dataset.from_dict({"text": ["c"], "label": ["x"]}),
        }
    ).save_to_disk(str(tmp_path / "dd"))
    frame = load(tmp_path / "dd").frame
    assert sorted(zip(frame[SPLIT], frame["text"], frame[SOURCE_LINE], strict=True)) == [
        ("test", "c", 1),
        ("train", "a", 1),
        ("train", "b", 2),
    ]


def _hub_cache(root, repo="acme/tickets"):
    org, name = repo.split("/")
    base = root / f"datasets--{org}--{name}"
    snapshot = base / "snapshots" / "0123abcd" / "data"
    snapshot.mkdir(parents=True)
    (base / "refs").mkdir()
    (base / "refs" / "main").write_text("0123abcd")
    return snapshot


def test_dataset_in_the_local_hub_cache_opens_offline(tmp_path, monkeypatch):
    snapshot = _hub_cache(tmp_path)
    pl.DataFrame({"text": ["a", "b"], "label": ["x", "y"]}).write_parquet(
        snapshot / "train-00000-of-00001.parquet"
    )
    (snapshot / "test.jsonl").write_text('{"text": "c", "label": "x"}\n')
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    loaded = load("acme/tickets")
    assert loaded.format == "hf_hub_cache"
    frame = loaded.frame.sort(SPLIT, "text")
    assert frame[SPLIT].to_list() == ["test", "train", "train"]
    assert frame["text"].to_list() == ["c", "a", "b"]


def test_id_not_in_cache_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(InputError, match="local Hugging Face cache"):
        load("acme/missing")
