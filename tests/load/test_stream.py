"""Streams and compressed files: standard input, pipes, FIFOs, devices, bz2, xz and zstd."""

import bz2
import gzip
import hashlib
import json
import lzma
import os
import subprocess
import sys
import threading
import time

import pyarrow as pa
import pytest

from datacheck.errors import InputError
from datacheck.limits import Limits
from datacheck.load import load

from ..conftest import NETGUARD, ROOT


def _lines(n=400, bad=(150, 333)):
    """JSON Lines text well past one 4 KB sniff, with unreadable lines at `bad` (1-based)."""
    out = []
    for i in range(1, n + 1):
        if i in bad:
            out.append('{"text": "broken' + "\n")
        else:
            out.append(json.dumps({"text": f"ticket {i} " + "x" * 20, "label": "AB"[i % 2]}) + "\n")
    return "".join(out).encode()


def _expected(data):
    """Rows and bad lines, computed with the standard library."""
    good, bad = 0, []
    for number, line in enumerate(data.decode().splitlines(), 1):
        try:
            json.loads(line)
            good += 1
        except ValueError:
            bad.append(number)
    return good, bad


COMPRESS = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": lambda data: pa.compress(data, "zstd", asbytes=True),
}


@pytest.mark.parametrize("suffix", sorted(COMPRESS))
def test_compressed_files_read_like_plain_ones(tmp_path, suffix):
    data = _lines()
    packed = COMPRESS[suffix](data)
    path = tmp_path / f"train.jsonl.{suffix}"
    path.write_bytes(packed)
    loaded = load(path)
    good, bad = _expected(data)
    assert loaded.frame.height == good
    assert [e.line for e in loaded.errors] == bad
    assert loaded.sha256 == hashlib.sha256(packed).hexdigest()  # of the bytes on disk
    assert loaded.path == str(path)
    assert path.read_bytes() == packed


def test_a_compressed_file_with_no_telling_name_is_sniffed(tmp_path):
    path = tmp_path / "export"
    path.write_bytes(lzma.compress(_lines(50, bad=())))
    assert load(path).frame.height == 50


def test_damaged_compressed_data_names_the_file(tmp_path):
    path = tmp_path / "train.jsonl.xz"
    path.write_bytes(lzma.compress(_lines())[:-40])
    with pytest.raises(InputError, match=r"train.jsonl.xz: the xz stream is damaged"):
        load(path)


def _run(args, **kwargs):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(NETGUARD), str(ROOT / "src")])}
    return subprocess.run(
        [sys.executable, "-m", "datacheck", "audit", *args, "--no-html", "--json", "-"],
        env=env,
        capture_output=True,
        timeout=300,
        **kwargs,
    )


def test_standard_input_keeps_every_row_and_line_number(tmp_path):
    data = _lines()
    done = _run(["-", "--format", "jsonl", "--tokenizers", "cl100k_base"], input=data)
    assert done.returncode in (0, 1), done.stderr.decode()
    source = json.loads(done.stdout)["source"]
    good, bad = _expected(data)
    assert source["path"] == "<stdin>"
    assert source["rows"] == good
    assert [e["line"] for e in source["load_errors"]] == bad
    assert source["sha256"] == hashlib.sha256(data).hexdigest()


def test_a_pipe_named_dev_fd_keeps_every_row(tmp_path):
    """`datacheck audit <(zcat data.jsonl.gz)` lost the first 4 KB to sniffing."""
    data = _lines()
    read, write = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(write, data), os.close(write)))
    writer.start()
    try:
        done = _run([f"/dev/fd/{read}", "--tokenizers", "cl100k_base"], pass_fds=(read,))
    finally:
        writer.join()
        os.close(read)
    assert done.returncode in (0, 1), done.stderr.decode()
    source = json.loads(done.stdout)["source"]
    assert (source["rows"], [e["line"] for e in source["load_errors"]]) == (
        _expected(data)[0],
        _expected(data)[1],
    )


def test_a_fifo_is_read_whole(tmp_path):
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    data = _lines()

    def write():
        with open(fifo, "wb") as handle:
            for start in range(0, len(data), 1000):
                handle.write(data[start : start + 1000])
                handle.flush()

    writer = threading.Thread(target=write)
    writer.start()
    loaded = load(fifo)
    writer.join()
    assert (loaded.frame.height, [e.line for e in loaded.errors]) == _expected(data)
    assert loaded.format == "jsonl"


def test_a_fifo_no_one_writes_to_ends_at_the_wait_limit(tmp_path):
    fifo = tmp_path / "silent.jsonl"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(InputError, match=r"silent.jsonl: no data arrived for 0.3 s"):
        load(fifo, limits=Limits(stream_wait_seconds=0.3))
    assert time.monotonic() - started < 5


def test_an_endless_device_ends_at_a_limit():
    with pytest.raises(InputError, match="unknown format"):
        load("/dev/zero")
    with pytest.raises(InputError, match=r"line 1 is longer than 1 MiB"):
        load("/dev/zero", format="jsonl", limits=Limits(max_line_bytes=2**20))


def test_a_stream_longer_than_max_bytes_stops(tmp_path):
    with pytest.raises(InputError, match=r"more than 100 KiB arrived"):
        load("/dev/urandom", format="csv", limits=Limits(max_bytes=100 * 2**10))


def test_an_empty_stream_says_so():
    with pytest.raises(InputError, match=r"/dev/null: is empty"):
        load("/dev/null")


def test_format_names_the_reader_of_a_file_with_no_telling_name(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text("body;queue\nprinter jams;hardware\nvpn drops;network\n")
    loaded = load(path, format="csv")
    assert loaded.frame.columns[:2] == ["body", "queue"]
    assert loaded.frame.height == 2
