"""The `[limits]`: each hit is a finding or a clear exit 2, never a hang or a runaway."""

import gzip
import json

import pytest
from click.testing import CliRunner

from datacheck.cli import cli
from datacheck.errors import InputError
from datacheck.limits import Limits, size_text
from datacheck.load import load


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_a_gzip_bomb_is_refused_with_and_without_sample(tmp_path):
    """--sample skipped the memory guard: 10 GiB of zeros in a small .gz passed 8 GB."""
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(b"\0" * (70 * 2**20), compresslevel=1))
    for sample in (None, 10):
        with pytest.raises(InputError, match=r"bomb.jsonl.gz: decompresses to more than 200 times"):
            load(bomb, sample=sample)


def test_the_ratio_limit_can_be_raised(tmp_path):
    rows = b'{"text": "same ticket", "label": "a"}\n' * (2 * 2**20)
    packed = tmp_path / "repetitive.jsonl.gz"
    packed.write_bytes(gzip.compress(rows, compresslevel=9))
    with pytest.raises(InputError, match="max_ratio"):
        load(packed, sample=5)
    assert load(packed, sample=5, limits=Limits(max_ratio=10_000)).frame.height == 5


def test_max_bytes_bounds_a_compressed_file(tmp_path):
    path = _jsonl(tmp_path / "d.jsonl", [{"text": f"t {i}", "label": "a"} for i in range(5000)])
    packed = tmp_path / "d.jsonl.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    with pytest.raises(InputError, match=r"d.jsonl.gz: decompresses to more than 10 KiB"):
        load(packed, limits=Limits(max_bytes=10 * 2**10))


def test_a_line_past_max_line_bytes_is_skipped_when_sampling(tmp_path):
    rows = [{"text": f"ticket {i}", "label": "a"} for i in range(50)]
    rows[19] = {"text": "y" * 5000, "label": "a"}
    path = _jsonl(tmp_path / "d.jsonl", rows)
    loaded = load(path, sample=49, limits=Limits(max_line_bytes=1000))
    assert [e.line for e in loaded.errors] == [20]
    assert "longer than 1,000 bytes" in loaded.errors[0].message
    assert loaded.sample_of == 50


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "json"])
def test_a_field_past_max_field_chars_costs_its_row_in_every_format(tmp_path, suffix):
    rows = [{"text": f"ticket {i}", "label": "a"} for i in range(10)]
    rows[6]["text"] = "z" * 2000
    path = tmp_path / f"d.{suffix}"
    if suffix == "jsonl":
        _jsonl(path, rows)
    elif suffix == "json":
        path.write_text(json.dumps(rows))
    else:
        path.write_text("text,label\n" + "".join(f"{r['text']},{r['label']}\n" for r in rows))
    loaded = load(path, limits=Limits(max_field_chars=1000))
    assert [(e.line, e.message[:37]) for e in loaded.errors] == [
        (8 if suffix == "csv" else 7, "field `text` holds 2,000 characters, ")
    ]
    assert loaded.frame.height == 9


def test_a_long_message_inside_a_chat_row_is_found(tmp_path):
    rows = [
        {"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": "a"}]}
        for i in range(5)
    ]
    rows[2]["messages"][1]["content"] = "w" * 3000
    loaded = load(_jsonl(tmp_path / "chat.jsonl", rows), limits=Limits(max_field_chars=1000))
    assert [e.line for e in loaded.errors] == [3]
    assert "`messages` holds 3,000 characters" in loaded.errors[0].message


def test_limits_come_from_the_configuration(tmp_path, monkeypatch):
    rows = [{"text": f"ticket number {i}", "label": "ab"[i % 2]} for i in range(40)]
    rows[4]["text"] = "q" * 300
    _jsonl(tmp_path / "d.jsonl", rows)
    (tmp_path / "datacheck.toml").write_text("[limits]\nmax_field_chars = 100\n")
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(cli, ["audit", "d.jsonl", "--no-html", "--json", "r.json"])
    report = json.loads((tmp_path / "r.json").read_text())
    assert done.exit_code == 1, done.output
    assert [e["line"] for e in report["source"]["load_errors"]] == [5]
    assert report["config"]["limits"] == {"max_field_chars": 100}


@pytest.mark.parametrize(
    "line, message",
    [
        ("max_bites = 3", "[limits] `max_bites` is not a limit"),
        ("max_bytes = -1", "[limits] `max_bytes` must be a positive whole number"),
        ("max_bytes = 1.5", "[limits] `max_bytes` must be a positive whole number"),
        ('max_ratio = "big"', "[limits] `max_ratio` must be a positive number"),
    ],
)
def test_a_bad_limit_is_a_usage_error(tmp_path, monkeypatch, line, message):
    _jsonl(tmp_path / "d.jsonl", [{"text": "a", "label": "b"}])
    (tmp_path / "datacheck.toml").write_text(f"[limits]\n{line}\n")
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(cli, ["audit", "d.jsonl", "--no-html"])
    assert done.exit_code == 2
    assert message in done.output


def test_size_text_reads_like_a_person_wrote_it():
    assert [size_text(n) for n in (900, 1024, 1536, 64 * 2**20, 16 * 2**30)] == [
        "900 bytes",
        "1 KiB",
        "1.5 KiB",
        "64 MiB",
        "16 GiB",
    ]
