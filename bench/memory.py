"""Where one audit's memory goes: its resident size over time, with the stage each thread is in.

    python bench/memory.py bench/cache/real-1000000.jsonl [--tokenizers cl100k_base]
        [--lines 40] [--every 0.01]

A thread reads the process's resident size (VmRSS, /proc/self/status) every 10 ms, beside the
innermost datacheck frames of every other thread, while `datacheck.audit` runs in this
process. It prints the peak, where each thread was at the peak, and an even selection of the
samples. Linux only. Resident size counts what the allocators keep as well as what is in use,
which is what `/usr/bin/time` and the machine see; the figures in bench/README.md's memory
sections come from it. Spikes shorter than the sampling interval are missed by the samples,
never by the high-water mark (`getrusage`), printed beside them: at a million rows the two
differed by 0-20 MiB in three runs sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import threading
import time

from datacheck._perf import tune_allocator

tune_allocator()  # what the CLI asks of polars' allocator, before polars loads


def _resident_mb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def _stages(own: int) -> list[str]:
    """Per other thread, its three innermost datacheck frames (file:function:line)."""
    stages = []
    for ident, frame in sys._current_frames().items():
        if ident == own:
            continue
        names = []
        while frame is not None:
            path = frame.f_code.co_filename
            if "datacheck" in path:
                names.append(f"{os.path.basename(path)}:{frame.f_code.co_name}:{frame.f_lineno}")
            frame = frame.f_back
        if names:
            stages.append(" < ".join(names[:3]))
    return stages


def _hygiene_first() -> None:
    """Make the audit wait for the tables it starts early before it tokenizes: what the peak
    would be if the two never overlapped (a measurement, not a mode of datacheck)."""
    import datacheck._audit as audit

    start = audit.start_tables

    def start_then_wait(ctx, then=None):  # type: ignore[no-untyped-def]
        start(ctx, then)
        for pending in list(ctx.pending.values()):
            pending.result()

    audit.start_tables = start_then_wait


def _cli(path: str, tokenizers: str) -> None:
    import tempfile

    from datacheck.cli import cli

    args = ["audit", path, "--no-html", "-q", "--tokenizers", tokenizers]
    with tempfile.TemporaryDirectory() as folder:
        try:
            code = cli.main(
                [*args, "--json", os.path.join(folder, "out.json")], standalone_mode=False
            )
        except SystemExit as exit:
            code = exit.code
    if code not in (None, 0, 1):  # 1: the data is not ready, which is still a whole audit
        raise SystemExit(f"datacheck audit {path} exited with {code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path")
    parser.add_argument("--tokenizers", default="cl100k_base")
    parser.add_argument("--lines", type=int, default=40, help="samples printed (0: none)")
    parser.add_argument("--every", type=float, default=0.01, help="seconds between samples")
    parser.add_argument(
        "--no-near", action="store_true", help="both near-duplicate checks off: no search"
    )
    parser.add_argument(
        "--hygiene-first",
        action="store_true",
        help="the tables built early (hygiene) finish before tokenizing starts: no overlap",
    )
    parser.add_argument(
        "--cli",
        action="store_true",
        help="run `datacheck audit PATH --json ... --no-html -q` as bench/run.py does, its "
        "report written and all, instead of `datacheck.audit` alone",
    )
    args = parser.parse_args()
    if args.cli and args.no_near:
        parser.error("--no-near is for `datacheck.audit` alone: the command line has no switch")

    import datacheck

    options = {}
    if args.no_near:
        options["checks"] = {"hygiene.near_duplicates": "off", "hygiene.near_leakage": "off"}
    if args.hygiene_first:
        _hygiene_first()

    samples: list[tuple[float, int, list[str]]] = []
    done = threading.Event()

    def sample() -> None:
        own, start = threading.get_ident(), time.perf_counter()
        while not done.is_set():
            samples.append((time.perf_counter() - start, _resident_mb(), _stages(own)))
            time.sleep(args.every)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    if args.cli:
        _cli(args.path, args.tokenizers)
    else:
        datacheck.audit(args.path, tokenizers=args.tokenizers.split(","), **options)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    size = os.path.getsize(args.path) / 1e6
    at, peak, where = max(samples, key=lambda s: s[1])
    ratio = peak * 2**20 / 1e6 / size
    print(f"{args.path}: {wall:.1f} s, peak {peak:,} MiB at {at:.1f} s ({ratio:.2f}x the file)")
    high = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB on Linux
    print(f"  high-water mark: {high:,} MiB ({high * 2**20 / 1e6 / size:.2f}x the file)")
    for stage in where:
        print(f"  at the peak: {stage}")
    if args.lines <= 0:
        return
    step = max(1, len(samples) // args.lines)
    for moment, resident, stages in samples[::step]:
        print(f"{moment:7.1f} s {resident:7,} MiB  {' | '.join(stages)[:220]}")


if __name__ == "__main__":
    main()
