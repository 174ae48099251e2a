"""The whole audit at scale, against what users would otherwise run, in one table.

    python bench/run.py --rows 100000,1000000 [--repeat 3] [--data tickets|real|template|unique|all]

For each size and kind of data it generates (once, cached in bench/cache/) seeded chat-format
rows (`tickets`, the default: extraction tickets from five frames; the others: see
bench/_generators.py), then times in a fresh process each:

- baseline: a re-implementation, in our own code, of the approach of OpenAI's chat fine-tuning
  data-prep notebook (openai-cookbook, examples/Chat_finetuning_data_prep.ipynb): per-line
  json.loads, Python loops for the format checks and the warnings, tiktoken's `encode` per
  message value (role and content, then each assistant reply again), the three distributions,
  and the default-epoch / billed-token arithmetic;
- floor: the least work any exact audit must do: read the file with polars and run the same
  tokenizer once over every message text in a plain loop;
- datacheck with one tokenizer (cl100k_base, like the baseline), then with all five;
- on request (`--only ...,datacheck-1-one-core`), datacheck with one tokenizer pinned to one
  core with `taskset -c 0`: the speed-up the other cores give.

It prints wall time, rows/s, peak RSS (from /usr/bin/time) and the ratios datacheck/baseline
and datacheck/floor (with --repeat, the median of interleaved runs in alternating order), and
writes bench/results/run-<date>.json with the machine's core count. Each run's CPU time (and
how much of it the kernel spent: page faults show there), and the CPU time the hypervisor gave
to other guests meanwhile (`steal` in /proc/stat; "stolen", the most of any run) go to the
JSON too, so a slow run can be told from a busy host.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _generators import GENERATORS  # noqa: E402
from _generators import generate as generate_kind  # noqa: E402

ROOT = HERE.parent
CACHE = HERE / "cache"
RESULTS = HERE / "results"

_ISSUES = ["refund", "late_delivery", "damaged_item", "wrong_item", "cancellation"]
_PRIORITIES = ["low", "medium", "high"]
_BODY = [
    "I returned the {item} from order {order} two weeks ago and still have no refund.",
    "Order {order} was due on {month} {day} and has not arrived yet.",
    "The {item} in order {order} arrived with a cracked base.",
    "I ordered a blue {item} (order {order}) but received a red one.",
    "Please cancel order {order}, I placed it by mistake.",
]
_ITEMS = ["blender", "lamp", "jacket", "kettle", "chair", "monitor", "backpack", "phone case"]
_EXTRA = [
    "We have been customers since {year}.", "My colleague had the same problem.", "",
    "Can you call me back?", "This is the second time this happens.", "Thanks for your help.",
]  # fmt: skip
_MONTHS = ["January", "March", "May", "July", "September", "November"]
SYSTEM = "Extract order_id, issue_type and priority from the customer email. Reply with JSON only."


def generate(rows: int) -> Path:
    """Seeded chat-format extraction tickets, written once per size."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"chat-{rows}.jsonl"
    if path.exists():
        return path
    rng = random.Random(rows)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(rows):
            kind = rng.randrange(5)
            order = f"ORD-{rng.randint(10000, 99999)}"
            body = _BODY[kind].format(
                item=rng.choice(_ITEMS), order=order, month=rng.choice(_MONTHS),
                day=rng.randint(1, 28),
            )  # fmt: skip
            extra = rng.choice(_EXTRA).format(year=rng.randint(2010, 2025))
            answer = {"order_id": order, "issue_type": _ISSUES[kind],
                      "priority": rng.choice(_PRIORITIES)}  # fmt: skip
            record = {
                "messages": [
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": f"Hello, {body} {extra}".strip()},
                    {"role": "assistant", "content": json.dumps(answer)},
                ]
            }
            out.write(json.dumps(record) + "\n")
    return path


# --- the baseline: what a user would write following the published notebook -------------------


def baseline(path: str) -> None:
    """Every step of the notebook, in its order and with its calls: tiktoken's `encode` (which
    first scans each text for special tokens, as `encoding.encode(value)` does there), the
    warnings loop and the three distributions, the length warning and the epoch arithmetic."""
    from collections import defaultdict

    import numpy as np

    from datacheck.plan import tokenizers as tokens

    encoding = tokens.get("cl100k_base")._tiktoken  # the Encoding `get_encoding` would give
    with open(path, encoding="utf-8") as handle:
        dataset = [json.loads(line) for line in handle]
    errors: dict[str, int] = defaultdict(int)
    for example in dataset:
        if not isinstance(example, dict):
            errors["data_type"] += 1
            continue
        messages = example.get("messages")
        if not messages:
            errors["missing_messages_list"] += 1
            continue
        for message in messages:
            if "role" not in message or "content" not in message:
                errors["message_missing_key"] += 1
            if any(
                k not in ("role", "content", "name", "function_call", "weight") for k in message
            ):
                errors["message_unrecognized_key"] += 1
            if message.get("role") not in ("system", "user", "assistant", "function"):
                errors["unrecognized_role"] += 1
            content = message.get("content")
            if (not content and not message.get("function_call")) or not isinstance(content, str):
                errors["missing_content"] += 1
        if not any(m.get("role") == "assistant" for m in messages):
            errors["example_missing_assistant_message"] += 1

    def count(messages: list[dict]) -> int:
        total = 0
        for message in messages:
            total += 3
            for key, value in message.items():
                total += len(encoding.encode(value))
                if key == "name":
                    total += 1
        return total + 3

    def assistant_tokens(messages: list[dict]) -> int:
        return sum(len(encoding.encode(m["content"])) for m in messages if m["role"] == "assistant")

    no_system = no_user = 0
    n_messages, lengths, assistant = [], [], []
    for example in dataset:
        messages = example["messages"]
        no_system += not any(m["role"] == "system" for m in messages)
        no_user += not any(m["role"] == "user" for m in messages)
        n_messages.append(len(messages))
        lengths.append(count(messages))
        assistant.append(assistant_tokens(messages))
    spread = {
        name: [min(v), max(v), np.mean(v), np.median(v), np.quantile(v, 0.1), np.quantile(v, 0.9)]
        for name, v in (("messages", n_messages), ("total", lengths), ("assistant", assistant))
    }
    limit, target_epochs = 16_385, 3
    too_long = sum(length > limit for length in lengths)
    n = len(dataset)
    epochs = target_epochs
    if n * epochs < 100:
        epochs = min(25, 100 // n)
    elif n * epochs > 25_000:
        epochs = max(1, 25_000 // n)
    billed = sum(min(limit, length) for length in lengths)
    print(
        json.dumps(
            {
                "errors": dict(errors),
                "missing": [no_system, no_user],
                "spread": {k: [float(x) for x in v] for k, v in spread.items()},
                "too_long": too_long,
                "billed": billed * epochs,
                "epochs": epochs,
            }
        )
    )


def floor(path: str) -> None:
    import polars as pl

    from datacheck.plan import tokenizers as tokens

    encode = tokens.get("cl100k_base")._tiktoken.encode_ordinary
    frame = pl.read_ndjson(path)
    texts = frame.select(pl.col("messages").explode().struct.field("content"))["content"]
    print(json.dumps({"tokens": sum(len(encode(t)) for t in texts.to_list())}))


# --- timing in fresh processes ----------------------------------------------------------------


def _stolen() -> float | None:
    """Seconds of CPU the hypervisor has given to other guests since boot, summed over this
    machine's cores (the `steal` column of /proc/stat); None where there is no such file."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    return int(fields[8]) / os.sysconf("SC_CLK_TCK") if len(fields) > 8 else None


def measure(command: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Wall time, peak RSS and CPU time of one fresh process, with the CPU time the host took
    from this machine meanwhile: a slow run beside a large steal was the machine, not the code."""
    timed = ["/usr/bin/time", "-f", "TIME %e %M %U %S", *command]
    stolen = _stolen()
    start = time.perf_counter()
    proc = subprocess.run(timed, capture_output=True, text=True, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    after = _stolen()
    line = next((x for x in proc.stderr.splitlines() if x.startswith("TIME ")), None)
    if line is None or proc.returncode not in (0, 1):
        raise RuntimeError(f"{command} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    _tag, _elapsed, max_kib, user, system = line.split()
    # /usr/bin/time reports KiB; MB here are 10^6 bytes, the unit of the file sizes too
    return {
        "seconds": round(wall, 2),
        "peak_rss_mb": round(int(max_kib) * 1024 / 1e6),
        "cpu_seconds": round(float(user) + float(system), 2),
        "system_seconds": round(float(system), 2),
        "stolen_seconds": None if stolen is None or after is None else round(after - stolen, 2),
    }


def _rounds(commands: dict[str, list[str]], repeat: int) -> dict[str, dict]:
    """Each command `repeat` times, interleaved and in alternating order, so a host that slows
    down under sustained load (these do) weighs on every command alike; the median time and
    the largest peak RSS of each."""
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
    for number in range(repeat):
        order = list(commands) if number % 2 == 0 else list(reversed(commands))
        for name in order:
            m = measure(commands[name])
            samples[name].append(m)
            print(
                f"  run {number + 1}/{repeat} {name}: {m['seconds']} s, {m['cpu_seconds']} CPU-s "
                f"({m['system_seconds']} system), {m['peak_rss_mb']} MB, "
                f"stolen {m['stolen_seconds']} s",
                file=sys.stderr,
                flush=True,
            )
    return {
        name: {
            "seconds": round(statistics.median(m["seconds"] for m in runs), 2),
            "all_seconds": [m["seconds"] for m in runs],
            "all_cpu_seconds": [m["cpu_seconds"] for m in runs],
            "all_system_seconds": [m["system_seconds"] for m in runs],
            "all_stolen_seconds": [m["stolen_seconds"] for m in runs],
            "peak_rss_mb": max(m["peak_rss_mb"] for m in runs),
        }
        for name, runs in samples.items()
    }


#: what `--only` may name: the commands each round runs
COMMANDS = ("baseline", "floor", "datacheck-1", "datacheck-5", "floors-of", "datacheck-1-one-core")
#: what runs unless `--only` says otherwise: the one-core run (`taskset -c 0`) is asked for
DEFAULT = COMMANDS[:-1]


def run(
    rows_list: list[int],
    repeat: int = 1,
    kinds: tuple[str, ...] = ("tickets",),
    only: tuple[str, ...] = DEFAULT,
) -> dict:
    results = []
    python = sys.executable
    for kind, rows in ((k, r) for k in kinds for r in rows_list):
        path = generate(rows) if kind == "tickets" else generate_kind(kind, rows)
        print(f"{kind}, {rows:,} rows:", file=sys.stderr, flush=True)
        size_mb = path.stat().st_size / 1e6
        out = CACHE / "out.json"
        audit = [
            python,
            "-m",
            "datacheck",
            "audit",
            str(path),
            "--json",
            str(out),
            "--no-html",
            "-q",
        ]
        me = [python, __file__]
        runs = {
            "baseline (notebook approach)": ("baseline", [*me, "--baseline", str(path)]),
            "floor (polars read + tokenize)": ("floor", [*me, "--floor", str(path)]),
            "datacheck, 1 tokenizer": ("datacheck-1", [*audit, "--tokenizers", "cl100k_base"]),
            "datacheck, 5 tokenizers": ("datacheck-5", audit),
            "datacheck, 1 tokenizer, 1 core": (
                "datacheck-1-one-core",
                ["taskset", "-c", "0", *audit, "--tokenizers", "cl100k_base"],
            ),
        }  # fmt: skip
        runs = {name: command for name, (what, command) in runs.items() if what in only}
        tokenizers = ("llama-3.1", "mistral-7b-v0.3", "phi-2", "cl100k_base", "o200k_base")
        floor_runs = {
            f"floor of {n}": [python, __file__, "--floor-of", n, str(path)]
            for n in tokenizers
            if "floors-of" in only
        }
        timed = _rounds({**runs, **floor_runs}, repeat)
        floors = {n: timed[f"floor of {n}"]["seconds"] for n in tokenizers if floor_runs}
        measured = {name: timed[name] for name in runs}
        base = measured.get("baseline (notebook approach)", {}).get("seconds")
        low = measured.get("floor (polars read + tokenize)", {}).get("seconds")
        for m in measured.values():
            m["rows_per_s"] = round(rows / m["seconds"])
            m["vs_baseline"] = round(m["seconds"] / base, 2) if base else None
            m["vs_floor"] = round(m["seconds"] / low, 2) if low else None
            m["rss_vs_file"] = round(m["peak_rss_mb"] / size_mb, 2)
        one_core = measured.get("datacheck, 1 tokenizer, 1 core")
        both = measured.get("datacheck, 1 tokenizer")
        five = measured.get("datacheck, 5 tokenizers")
        five_floor = sum(floors.values()) / (os.cpu_count() or 1)
        results.append(
            {
                "data": kind,
                "rows": rows,
                "file_mb": round(size_mb, 1),
                "runs": measured,
                "floors_by_tokenizer_s": floors,
                "speed_up_one_to_all_cores": (
                    round(one_core["seconds"] / both["seconds"], 2) if one_core and both else None
                ),
                "five_tokenizers_vs_floors_per_core": (
                    round(five["seconds"] / five_floor, 2) if five and floors else None
                ),
            }
        )
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "repeat": repeat,
        "results": results,
    }


def floor_of(name: str, path: str) -> None:
    import polars as pl

    from datacheck.plan import tokenizers as tokens

    tokenizer = tokens.get(name)
    frame = pl.read_ndjson(path)
    texts = frame.select(pl.col("messages").explode().struct.field("content"))["content"].to_list()
    print(json.dumps({"tokens": sum(tokenizer.count_all(texts))}))


def show(report: dict) -> None:
    print(f"{report['cores']} cores, Python {report['python']}, {report['date']}, "
          f"median of {report.get('repeat', 1)} interleaved run(s)")  # fmt: skip
    print(f"{'data':<9} {'rows':>9}  {'run':<32} {'seconds':>8} {'spread':>7} {'rows/s':>9} "
          f"{'peak MB':>8} {'RSS/file':>8} {'/baseline':>9} {'/floor':>7} "
          f"{'stolen':>7}")  # fmt: skip
    for result in report["results"]:
        for name, m in result["runs"].items():
            runs = m.get("all_seconds") or [m["seconds"]]
            spread = f"{(max(runs) - min(runs)) / m['seconds']:.0%}"
            stolen = [x for x in m.get("all_stolen_seconds") or [] if x is not None]
            print(
                f"{result.get('data', 'tickets'):<9} {result['rows']:>9,}  {name:<32} "
                f"{m['seconds']:>8} {spread:>7} {m['rows_per_s']:>9,} {m['peak_rss_mb']:>8,} "
                f"{m['rss_vs_file']:>8} {m['vs_baseline'] or '-':>9} {m['vs_floor'] or '-':>7} "
                f"{f'{max(stolen):.0f} s' if stolen else '-':>7}"
            )
        if result.get("speed_up_one_to_all_cores"):
            print(
                f"{'':>9}  1 tokenizer, all cores vs 1 core: {result['speed_up_one_to_all_cores']}x"
            )
        five = result["five_tokenizers_vs_floors_per_core"]
        print(
            f"{'':>9}  5 tokenizers vs (sum of their floors / cores): "
            f"{'-' if five is None else f'{five}x'}  (file {result['file_mb']} MB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each command, interleaved (median shown)"
    )
    parser.add_argument(
        "--data",
        default="tickets",
        help="kinds of data, comma-separated: tickets, real, template, unique, or all",
    )
    parser.add_argument(
        "--only",
        default=",".join(DEFAULT),
        help="commands to run, comma-separated, of: " + ", ".join(COMMANDS) + " (the floors "
        "hold every text in Python: at 5M rows they need more memory than the audit)",
    )
    parser.add_argument("--baseline", help=argparse.SUPPRESS)
    parser.add_argument("--floor", help=argparse.SUPPRESS)
    parser.add_argument("--floor-of", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        return baseline(args.baseline)
    if args.floor:
        return floor(args.floor)
    if args.floor_of:
        return floor_of(*args.floor_of)
    kinds = ("tickets", *GENERATORS) if args.data == "all" else tuple(args.data.split(","))
    only = tuple(args.only.split(","))
    if unknown := set(only) - set(COMMANDS):
        parser.error(f"--only: unknown {', '.join(sorted(unknown))}")
    if "datacheck-1-one-core" in only and not shutil.which("taskset"):
        parser.error("--only datacheck-1-one-core: needs taskset (util-linux)")
    report = run([int(r) for r in args.rows.split(",")], args.repeat, kinds, only)
    show(report)
    RESULTS.mkdir(exist_ok=True)
    data = "" if kinds == ("tickets",) else "-" + "-".join(kinds)
    stem = f"run-{report['date'][:10]}-{'-'.join(args.rows.split(','))}{data}"
    name = RESULTS / f"{stem}.json"
    for again in range(2, 1000):  # an earlier run's figures are kept, not overwritten
        if not name.exists():
            break
        name = RESULTS / f"{stem}-{again}.json"
    name.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {name.relative_to(ROOT)}")
    return None


if __name__ == "__main__":
    main()
