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


def _class_labelled():
    import datasets

    features = datasets.Features(
        {"text": datasets.Value("string"), "label": datasets.ClassLabel(names=["bill", "tech"])}
    )
    return datasets.Dataset.from_dict(
        {"text": ["a", "b", "c"], "label": [1, 0, -1]}, features=features
    )


def test_class_labels_are_read_by_name_from_a_saved_dataset(tmp_path):
    _class_labelled().save_to_disk(str(tmp_path / "ds"))
    assert load(tmp_path / "ds").frame["label"].to_list() == ["tech", "bill", None]


def test_class_labels_are_read_by_name_from_the_hub_cache(tmp_path, monkeypatch):
    snapshot = _hub_cache(tmp_path)
    _class_labelled().to_parquet(str(snapshot / "train-00000-of-00001.parquet"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    assert load("acme/tickets").frame["label"].to_list() == ["tech", "bill", None]


def test_class_labels_are_read_by_name_from_a_parquet_file_datasets_wrote(tmp_path):
    _class_labelled().to_parquet(str(tmp_path / "d.parquet"))
    assert load(tmp_path / "d.parquet").frame["label"].to_list() == ["tech", "bill", None]
    sampled = load(tmp_path / "d.parquet", sample=2, seed=1).frame["label"]
    assert sampled.dtype == pl.String and set(sampled.to_list()) <= {"tech", "bill", None}


def test_lists_of_class_labels_are_read_by_name(tmp_path):
    """Multi-label datasets store a list of ClassLabel numbers per row."""
    import datasets

    features = datasets.Features(
        {
            "text": datasets.Value("string"),
            "labels": datasets.Sequence(datasets.ClassLabel(names=["bug", "feature"])),
        }
    )
    data = {"text": ["a", "b", "c"], "labels": [[0, 1], [1], []]}
    datasets.Dataset.from_dict(data, features=features).save_to_disk(str(tmp_path / "ds"))
    assert load(tmp_path / "ds").frame["labels"].to_list() == [["bug", "feature"], ["feature"], []]


def test_a_missing_class_label_is_not_counted_as_a_label(tmp_path):
    _class_labelled().save_to_disk(str(tmp_path / "ds"))
    import datacheck

    result = datacheck.audit(tmp_path / "ds")
    assert "fixed label set: 2 distinct values in `label`" in result.detected["reasons"]
