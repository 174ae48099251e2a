"""The meaning-level checks on real intent data with planted problems: precision and recall of
each check's rows, and the whole audit's time and peak RSS (`--semantic`, one tokenizer).

    python bench/semantic.py [--real ../shared/data/real] [--rows 10000,30000] [--json out.json]

Data: HWU64 and SNIPS 2017 utterances as published (text + intent), N rows drawn from both
(about 23k distinct texts; beyond that, rows join 1 to 3 of them and take the first's intent,
which makes more rows look mislabelled: quality figures are for sizes within the pool).
Planted, with a fixed seed:
- label flips: 2% of the training rows get another intent at random (`labels.suspect`);
- paraphrases: 30 rows are copied as a rewording ("could you <text> please"), under another
  intent (`hygiene.paraphrases`);
- semantic leakage: 30 rewordings of training rows go to the eval file (`hygiene.semantic_leakage`).
The truth is what was planted; the published data has problems of its own (HWU64's labels are
known to be noisy), so listed rows nobody planted lower precision without all being wrong. The
audit runs in a fresh process (`/usr/bin/time` for peak RSS), with a fresh embedding cache, then
once more with the cache warm.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from quality import DEFAULT_REAL, hwu_examples, snips_records, write_jsonl  # noqa: E402

FLIP_SHARE = 0.02
PLANTED = 30


def utterances(real: Path) -> list[tuple[str, str]]:
    pool = [(e["text"], e["intent"]) for e in hwu_examples(real)]
    for path in sorted((real / "snips2017").glob("train_*_full.json")):
        pool += [(r["text"], r["intent"]) for r in snips_records(path) if r is not None]
    seen: dict[str, str] = {}
    for text, intent in pool:
        seen.setdefault(" ".join(text.split()), intent)
    return sorted(seen.items())


def reword(text: str) -> str:
    return f"could you {text.strip().rstrip('?.!')} please"


def build(real: Path, rows: int, folder: Path, seed: int = 0) -> tuple[Path, Path, dict]:
    rng = random.Random(seed)
    pool = utterances(real)
    if rows <= len(pool):
        chosen = rng.sample(pool, rows)
    else:  # beyond the published texts: 1 to 3 of them joined, labelled as the first
        chosen = []
        for _ in range(rows):
            picked = rng.sample(pool, rng.randint(1, 3))
            chosen.append((" ".join(t for t, _ in picked), picked[0][1]))
    intents = sorted({i for _, i in pool})
    train = [{"text": t, "label": i} for t, i in chosen]
    flipped = set(rng.sample(range(rows), int(rows * FLIP_SHARE)))
    for row in flipped:
        train[row]["label"] = rng.choice([i for i in intents if i != train[row]["label"]])
    clean = [r for r in range(rows) if r not in flipped]
    sources = rng.sample(clean, 2 * PLANTED)
    paraphrased = []
    for row in sources[:PLANTED]:
        other = rng.choice([i for i in intents if i != train[row]["label"]])
        train.append({"text": reword(train[row]["text"]), "label": other})
        paraphrased += [row + 1, len(train)]
    evals = [
        {"text": reword(train[r]["text"]), "label": train[r]["label"]} for r in sources[PLANTED:]
    ]
    truth = {
        "labels.suspect": {r + 1 for r in flipped},
        "hygiene.paraphrases": set(paraphrased),
        "hygiene.semantic_leakage": set(range(1, len(evals) + 1)),
    }
    return (
        write_jsonl(folder / "train.jsonl", train),
        write_jsonl(folder / "eval.jsonl", evals),
        truth,
    )


def run(
    train: Path, evals: Path, out: Path, cache: Path, similarity: float | None = None
) -> tuple[float, int]:
    """The audit in a fresh process: its seconds and peak RSS; the rows export beside `out`."""
    env = {**os.environ, "DATACHECK_CACHE": str(cache)}
    config = out.with_suffix(".toml")
    config.write_text(
        f"[thresholds]\nparaphrase_similarity = {similarity}\n" if similarity else "", "utf-8"
    )
    command = [
        "/usr/bin/time", "-f", "TIME %e %M", sys.executable, "-m", "datacheck", "audit",
        str(train), "--eval", str(evals), "--semantic", "--tokenizers", "cl100k_base",
        "--json", str(out), "--rows", str(out.with_suffix(".rows.jsonl")), "--no-html", "-q",
        "--config", str(config),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds, kib = done.stderr.strip().splitlines()[-1].split()[1:]
    return float(seconds), int(kib) * 1024


def score(rows_file: Path, truth: dict) -> dict:
    """Recall and precision from the rows export (`--rows`), which lists every affected row."""
    listed: dict[str, set[int]] = {check: set() for check in truth}
    for line in rows_file.read_text("utf-8").splitlines():
        row = json.loads(line)
        if row["check"] in listed:
            listed[row["check"]].add(row["line"])
    out = {}
    for check, true in truth.items():
        right = len(listed[check] & true)
        out[check] = {
            "listed": len(listed[check]),
            "true": len(true),
            "recall": round(right / len(true), 3) if true else None,
            "precision": round(right / len(listed[check]), 3) if listed[check] else None,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", type=Path, default=DEFAULT_REAL)
    parser.add_argument("--rows", default="10000")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--similarity", type=float, help="paraphrase_similarity (default: datacheck's)"
    )
    parser.add_argument(
        "--cold-only", action="store_true", help="skip the second run, with the cache warm"
    )
    args = parser.parse_args()
    results = []
    for rows in (int(r) for r in args.rows.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            train, evals, truth = build(args.real, rows, folder)
            cold = run(train, evals, folder / "r.json", folder / "cache", args.similarity)
            warm = (
                (None, None)
                if args.cold_only
                else run(train, evals, folder / "r2.json", folder / "cache", args.similarity)
            )
            report = json.loads((folder / "r.json").read_text())
            size = train.stat().st_size + evals.stat().st_size
            results.append(
                {
                    "rows": rows,
                    "cold_seconds": cold[0],
                    "rows_per_second": round(rows / cold[0]),
                    "warm_seconds": warm[0],
                    "peak_rss_mb": round(cold[1] / 1e6),
                    "rss_per_file": round(cold[1] / size, 1),
                    "timings": report["timings"],
                    "checks": score(folder / "r.rows.jsonl", truth),
                }
            )
        r = results[-1]
        print(
            f"{rows:>9,} rows: cold {r['cold_seconds']:.1f} s ({r['rows_per_second']:,} rows/s), "
            f"warm cache {r['warm_seconds'] or '-'} s, peak RSS {r['peak_rss_mb']:,} MB"
        )
        for check, s in r["checks"].items():
            print(f"    {check:<26} listed {s['listed']:>6,}  planted {s['true']:>5,}  "
                  f"recall {s['recall']}  precision {s['precision']}")  # fmt: skip
    if args.json:
        args.json.write_text(
            json.dumps({"when": time.strftime("%Y-%m-%d"), "results": results}, indent=2)
        )


if __name__ == "__main__":
    main()
