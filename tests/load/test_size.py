import gzip
import json

import polars as pl
import pytest

import datacheck
from datacheck.errors import InputError
from datacheck.load import MEMORY_BASE, MEMORY_PER_BYTE, load
from datacheck.load._size import content_size


def _lines(count: int) -> bytes:
    rows = (
        {"text": f"ticket {i} about the blue kettle", "label": "AB"[i % 2]} for i in range(count)
    )
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def test_plain_file_counts_its_size(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(_lines(100))
    assert content_size(path) == path.stat().st_size


def test_gzip_file_counts_what_it_inflates_to(tmp_path):
    data = _lines(20_000)
    path = tmp_path / "d.jsonl.gz"
    path.write_bytes(gzip.compress(data))
    assert path.stat().st_size * 5 < len(data)  # the case the guard used to miss
    assert content_size(path) == pytest.approx(len(data), rel=0.01)


def test_damaged_gzip_counts_its_size(tmp_path):
    path = tmp_path / "d.jsonl.gz"
    path.write_bytes(gzip.compress(_lines(100))[:40] + b"\x00" * 100)
    assert content_size(path) >= path.stat().st_size


def test_parquet_file_counts_its_uncompressed_size(tmp_path):
    path = tmp_path / "d.parquet"
    texts = [f"ticket {i}: the kettle stopped working after two days of use" for i in range(50_000)]
    pl.DataFrame({"text": texts}).write_parquet(path, compression="zstd")
    assert content_size(path) > 5 * path.stat().st_size
    assert content_size(path) >= sum(len(t) for t in texts)


def _room_for(size: int) -> int:
    return int(size * MEMORY_PER_BYTE + MEMORY_BASE)


def test_guard_weighs_a_gzip_file_by_its_content(tmp_path, monkeypatch):
    import datacheck.load as loader

    data = _lines(20_000)
    path = tmp_path / "d.jsonl.gz"
    path.write_bytes(gzip.compress(data))
    # room for the compressed bytes several times over, not for the content
    monkeypatch.setattr(loader, "available_memory", lambda: _room_for(len(data) // 2))
    with pytest.raises(InputError, match=r"compressed\).*--sample") as error:
        load(path)
    assert str(path) in str(error.value)
    # the way out works: the sample is read in a stream, the same rows as from the plain file
    plain = tmp_path / "d.jsonl"
    plain.write_bytes(data)
    sampled = datacheck.audit(path, sample=300, seed=2).to_dict()
    monkeypatch.setattr(loader, "available_memory", lambda: None)
    expected = datacheck.audit(plain, sample=300, seed=2).to_dict()
    assert sampled["sample"] == expected["sample"]
    assert sampled["sample"]["of_rows"] == 20_000

    def files_aside(checks):  # each names its own file
        return [{k: v for k, v in c.items() if k != "rows_file"} for c in checks]

    assert files_aside(sampled["checks"]) == files_aside(expected["checks"])
    assert {c["rows_file"] for c in sampled["checks"]} == {str(path)}
    assert sampled["source"]["sha256"] != expected["source"]["sha256"]  # of the bytes on disk


def test_guard_on_a_file_read_whole_says_how_to_sample(tmp_path, monkeypatch):
    import datacheck.load as loader

    frame = pl.DataFrame({"text": [f"ticket {i}" for i in range(100)], "label": ["a"] * 100})
    path = tmp_path / "d.json"  # a JSON document is parsed whole
    frame.write_json(path)
    monkeypatch.setattr(loader, "available_memory", lambda: 1024)
    with pytest.raises(InputError, match="convert it to one of them"):
        load(path)
    frame.write_csv(tmp_path / "d.csv")  # CSV is sampled as it is read
    with pytest.raises(InputError, match="read in a stream"):
        load(tmp_path / "d.csv")
