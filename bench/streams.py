"""What reading through a stream or a compressed file costs: the same audit of the same rows
from a plain file, a gzip, xz and zstd file, and standard input, as ratios to the plain file
measured in the same run (medians of --repeat runs, one tokenizer).

    python bench/streams.py [--rows 100000] [--repeat 3]

Prints seconds, rows/s, peak RSS and the ratio to the plain file for each way in.
"""

from __future__ import annotations

import argparse
import gzip
import lzma
import statistics
import subprocess
import sys
from pathlib import Path

import pyarrow as pa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import generate  # noqa: E402  (bench/run.py: the seeded chat generator)


def _audit(source: str, stdin: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one audit, by GNU time."""
    command = [
        "/usr/bin/time", "-f", "%e %M", sys.executable, "-m", "datacheck", "audit", source,
        "--no-html", "--no-config", "-q", "--tokenizers", "cl100k_base",
    ]  # fmt: skip
    with open(stdin, "rb") if stdin else open("/dev/null", "rb") as feed:
        done = subprocess.run(command, stdin=feed, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    seconds, kilobytes = done.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kilobytes) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    plain = generate(args.rows)
    data = plain.read_bytes()
    packed = {
        "gzip": (plain.with_suffix(".jsonl.gz"), lambda: gzip.compress(data, 6)),
        "xz": (plain.with_suffix(".jsonl.xz"), lambda: lzma.compress(data, preset=1)),
        "zstd": (plain.with_suffix(".jsonl.zst"), lambda: pa.compress(data, "zstd", asbytes=True)),
    }
    for path, make in packed.values():
        if not path.exists():
            path.write_bytes(make())
    ways = {
        "plain file": (str(plain), None),
        **{f"{name} file": (str(path), None) for name, (path, _) in packed.items()},
        "stdin (plain)": ("-", plain),
        "stdin (zstd)": ("-", packed["zstd"][0]),
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
    for _ in range(args.repeat):  # interleaved, so drift in the machine's speed hits all alike
        for name, (source, stdin) in ways.items():
            results[name].append(_audit(source, stdin))
    base = statistics.median(s for s, _ in results["plain file"])
    print(f"{args.rows:,} chat rows, {len(data) / 2**20:.0f} MB; medians of {args.repeat} runs")
    print(f"{'way in':16} {'seconds':>8} {'rows/s':>9} {'peak MB':>8} {'vs plain':>9}")
    for name, runs in results.items():
        seconds = statistics.median(s for s, _ in runs)
        peak = statistics.median(m for _, m in runs)
        print(
            f"{name:16} {seconds:8.2f} {args.rows / seconds:9,.0f} {peak:8.0f} "
            f"{seconds / base:8.2f}x"
        )


if __name__ == "__main__":
    main()
