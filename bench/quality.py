"""Finding quality: precision and recall of each check's listed rows, on the two published NLU
datasets in ../shared/data/real/ as their authors shipped them and on variants of them with
planted problems. Every fact is computed here with the standard library (json, unicodedata,
zlib), never with datacheck's code. datacheck runs through its public API (`datacheck.audit`),
whose findings list every row (the JSON report lists the first 50).

    python bench/quality.py [--real ../shared/data/real] [--json out.json]

For each (dataset, check): the rows datacheck lists, the rows that truly have the problem,
precision = right / listed, recall = right / true (for near duplicates, "true" is each row
with an earlier near duplicate, and listing any row that has one counts as right). "-"
where there is nothing to divide by.
A check that lists rows nobody planted and the data does not have is crying wolf; a planted
problem left unlisted is a miss.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_REAL = HERE.parent.parent / "shared" / "data" / "real"


# --- independent facts ------------------------------------------------------------------------


def normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def words(text: str) -> list[str]:
    return re.findall(r"\w+", normal(text))


def groups_of(keys: dict[int, object]) -> list[list[int]]:
    by: dict[object, list[int]] = defaultdict(list)
    for row, key in keys.items():
        by[key].append(row)
    return [rows for rows in by.values() if len(rows) > 1]


def redundant(keys: dict[int, object]) -> set[int]:
    """All rows but the first of each group with one key."""
    return {row for rows in groups_of(keys) for row in sorted(rows)[1:]}


def conflicted(inputs: dict[int, str], targets: dict[int, str]) -> set[int]:
    by: dict[str, set[str]] = defaultdict(set)
    for row, text in inputs.items():
        by[normal(text)].add(normal(targets[row]))
    return {row for row, text in inputs.items() if len(by[normal(text)]) > 1}


def shingles(text: str, numbers: bool = True) -> set[tuple[str, ...]]:
    """Word bigrams of letters and numbers (one word alone is its own shingle); with
    `numbers` False every run of digits reads 0."""
    ws = re.findall(r"[^\W_]+", normal(text) if numbers else re.sub(r"\d+", "0", normal(text)))
    return {tuple(ws[i : i + 2]) for i in range(max(1, len(ws) - 1))} if ws else set()


def near(a: str, b: str, numbers: bool = True, threshold: float = 0.8) -> bool:
    """A near duplicate as the check documents it: not equal once normalized, both at least
    four words, and word-bigram Jaccard at or above the threshold (numbers are words, or
    all alike in classification)."""
    if normal(a) == normal(b) or min(len(words(a)), len(words(b))) < 4:
        return False
    sa, sb = shingles(a, numbers), shingles(b, numbers)
    return len(sa & sb) / len(sa | sb) >= threshold


def degenerate(text: str) -> bool:
    """A reply that mostly repeats itself: long, and compresses to under a fifth."""
    data = text.encode()
    return len(data) >= 400 and len(zlib.compress(data)) / len(data) < 0.2


# --- datasets ---------------------------------------------------------------------------------


def hwu_examples(real: Path) -> list[dict]:
    document = json.loads((real / "hwu64" / "rasa_nlu_kfold1.json").read_text("utf-8"))
    return document["rasa_nlu_data"]["common_examples"]


def snips_records(path: Path) -> list[dict | None]:
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    ((intent, utterances),) = json.loads(text).items()
    out: list[dict | None] = []
    for utterance in utterances:
        if re.search("[\udc80-\udcff]", json.dumps(utterance, ensure_ascii=False)):
            out.append(None)
            continue
        pieces, slots = "", []
        for segment in utterance["data"]:
            if "entity" in segment:
                slots.append((segment["entity"], segment["text"]))
            pieces += segment["text"]
        out.append({"text": pieces, "intent": intent, "slots": slots})
    return out


def span_target(intent: str, slots: Iterable[tuple[str, str]]) -> str:
    return json.dumps({"intent": intent, "slots": [list(s) for s in slots]})


class Case:
    """One audit: its arguments, and per check the rows that truly have the problem."""

    def __init__(self, name: str, args: list[str], truth: dict[str, Any]) -> None:
        self.name, self.args, self.truth = name, args, truth


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def real_hwu(real: Path) -> Case:
    examples = hwu_examples(real)
    inputs = {n: e["text"] for n, e in enumerate(examples, 1)}
    targets = {
        n: span_target(e["intent"], ((s["entity"], s["value"]) for s in e["entities"]))
        for n, e in enumerate(examples, 1)
    }
    keys = {n: (normal(inputs[n]), normal(targets[n])) for n in inputs}
    return Case(
        "hwu64 (as shipped)",
        [str(real / "hwu64" / "rasa_nlu_kfold1.json")],
        {
            "hygiene.exact_duplicates": redundant(keys),
            "hygiene.conflicting_labels": conflicted(inputs, targets),
            "format.edge_whitespace": {n for n, t in inputs.items() if t != t.strip()},
            "format.length_outliers": set(),  # nothing in an intent set needs acting on
            "hygiene.near_duplicates": _near_truth(inputs, targets),
        },
    )


def real_snips(real: Path) -> Case:
    """The folder as shipped: training files and validation files, each side's records
    numbered on through its files in name order (how the report numbers a folder's records);
    one training record holds bytes that are not UTF-8 and keeps its number."""
    folder = real / "snips2017"
    sides: dict[str, dict[int, dict]] = {"train": {}, "eval": {}}
    for side, pattern in (("train", "train_*.json"), ("eval", "validate_*.json")):
        records = [r for path in sorted(folder.glob(pattern)) for r in snips_records(path)]
        sides[side] = {n: r for n, r in enumerate(records, 1) if r is not None}
    train, evals = sides["train"], sides["eval"]

    def keys(rows: dict[int, dict]) -> dict[int, tuple[str, str]]:
        return {
            n: (normal(r["text"]), normal(span_target(r["intent"], r["slots"])))
            for n, r in rows.items()
        }

    train_texts = {normal(r["text"]) for r in train.values()}
    return Case(
        "snips2017 folder (as shipped)",
        [str(folder)],
        {
            "hygiene.exact_duplicates": redundant(keys(train)),
            "@eval_duplicates": redundant(keys(evals)),
            "hygiene.leakage": {n for n, r in evals.items() if normal(r["text"]) in train_texts},
            "hygiene.conflicting_labels": conflicted(
                {n: r["text"] for n, r in train.items()},
                {n: span_target(r["intent"], r["slots"]) for n, r in train.items()},
            ),
            "format.edge_whitespace": {
                n for n, r in train.items() if r["text"] != r["text"].strip()
            },
            "hygiene.near_duplicates": _near_truth(
                {n: r["text"] for n, r in train.items()},
                {n: span_target(r["intent"], r["slots"]) for n, r in train.items()},
            ),
        },
    )


def sample_tickets(_real: Path) -> Case:
    """The project's own generated tickets (sample_data/), a second way of making data: its
    README lists what was planted; the facts are counted here again. Line 1,207 is broken
    JSON and is left out, keeping every other line's number."""
    folder = HERE.parent / "sample_data"

    def rows(name: str) -> dict[int, dict]:
        out = {}
        for number, line in enumerate((folder / name).read_text("utf-8").splitlines(), 1):
            try:
                out[number] = json.loads(line)
            except json.JSONDecodeError:
                continue
        return out

    train, evals = rows("tickets.jsonl"), rows("tickets_eval.jsonl")
    inputs = {n: r["text"] for n, r in train.items()}
    labels = {n: r["department"] for n, r in train.items()}
    filled = {n for n, t in inputs.items() if t.strip()}
    spelled: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for label in labels.values():
        spelled[" ".join(label.split()).lower()][label] += 1
    main = {k: max(v, key=lambda s: (v[s], s)) for k, v in spelled.items()}
    train_texts = {normal(t) for n, t in inputs.items() if n in filled}
    return Case(
        "sample tickets (own generator)",
        [str(folder / "tickets.jsonl"), "--eval", str(folder / "tickets_eval.jsonl")],
        {
            "format.empty_text": set(inputs) - filled,
            "hygiene.exact_duplicates": redundant(
                {n: (normal(inputs[n]), normal(labels[n])) for n in filled}
            ),
            "hygiene.conflicting_labels": conflicted(
                {n: inputs[n] for n in filled}, {n: labels[n] for n in filled}
            ),
            "labels.variants": {
                n for n, lab in labels.items() if lab != main[" ".join(lab.split()).lower()]
            },
            "hygiene.leakage": {n for n, r in evals.items() if normal(r["text"]) in train_texts},
        },
    )


def planted_classification(real: Path, tmp: Path, rng: random.Random) -> Case:
    """hwu64 as text + label JSONL, 90/10 into train and eval, with planted exact and near
    duplicates, conflicting labels (within train and across splits), eval duplicates,
    leakage, white space at the edges and one absurdly long text."""
    examples = [(e["text"], e["intent"]) for e in hwu_examples(real)]
    rng.shuffle(examples)
    cut = len(examples) * 9 // 10
    train = [{"text": t, "label": lab} for t, lab in examples[:cut]]
    evals = [{"text": t, "label": lab} for t, lab in examples[cut:]]
    labels = sorted({lab for _, lab in examples})
    long_texts = [r for r in train if len(r["text"].split()) >= 6]
    for source in rng.sample(long_texts, 60):  # near: a word before or after
        word = rng.choice(["please", "now", "quickly"])
        text = f"{word} {source['text']}" if rng.random() < 0.5 else f"{source['text']} {word}"
        train.append({"text": text, "label": source["label"]})
    exact = rng.sample(train[:cut], 60)  # case and spacing changed
    train += [{"text": "  " + r["text"].upper(), "label": r["label"]} for r in exact]
    for source in rng.sample(train[:cut], 40):  # conflict inside train
        other = rng.choice([lab for lab in labels if lab != source["label"]])
        train.append({"text": source["text"], "label": other})
    evals += [dict(r) for r in rng.sample(train[:cut], 30)]  # leakage
    for source in rng.sample(train[:cut], 30):  # cross-split conflicts
        other = rng.choice([lab for lab in labels if lab != source["label"]])
        evals.append({"text": source["text"], "label": other})
    evals += [dict(r) for r in rng.sample(evals[: len(examples) - cut], 20)]  # eval duplicates
    for row in rng.sample(train[:cut], 25):
        row["text"] = row["text"] + " "
    train.append({"text": " ".join(["turn the lights on"] * 400), "label": labels[0]})
    train_path = write_jsonl(tmp / "cls_train.jsonl", train)
    eval_path = write_jsonl(tmp / "cls_eval.jsonl", evals)

    inputs = {n: r["text"] for n, r in enumerate(train, 1)}
    targets = {n: r["label"] for n, r in enumerate(train, 1)}
    eval_inputs = {n: r["text"] for n, r in enumerate(evals, 1)}
    train_by = defaultdict(set)
    for n, t in inputs.items():
        train_by[normal(t)].add(normal(targets[n]))
    leak = {n for n, t in eval_inputs.items() if normal(t) in train_by}
    cross = {
        n
        for n, t in eval_inputs.items()
        if normal(t) in train_by and train_by[normal(t)] - {normal(evals[n - 1]["label"])}
    }
    keys = {n: (normal(inputs[n]), normal(targets[n])) for n in inputs}
    eval_keys = {n: (normal(eval_inputs[n]), normal(evals[n - 1]["label"])) for n in eval_inputs}
    lengths = sorted(len(t) for t in inputs.values())
    return Case(
        "hwu64 text+label, planted",
        [str(train_path), "--eval", str(eval_path)],
        {
            "hygiene.exact_duplicates": redundant(keys),
            "@eval_duplicates": redundant(eval_keys),
            "hygiene.conflicting_labels": conflicted(inputs, targets),
            "@across_splits": cross,
            "hygiene.leakage": leak,
            "hygiene.near_duplicates": _near_truth(inputs, None, numbers=False),
            "format.edge_whitespace": {n for n, t in inputs.items() if t != t.strip()},
            "format.length_outliers": {
                n for n, t in inputs.items() if len(t) > 10 * lengths[len(lengths) // 2]
            },
        },
    )


def _near_truth(
    inputs: dict[int, str], targets: dict[int, str] | None, numbers: bool = True
) -> tuple[set[int], set[int]]:
    """Rows with an earlier near duplicate (what keeping the first of each cluster drops),
    and rows with any near duplicate (listing one of those is right too); with `targets`,
    only rows with the same target count. Each row is compared with the rows sharing one of
    its three rarest words: all pairs would be 50M."""
    index: dict[str, list[int]] = defaultdict(list)
    tokens = {n: words(t if numbers else re.sub(r"\d+", "0", t)) for n, t in inputs.items()}
    for n, ws in tokens.items():
        for w in set(ws):
            index[w].append(n)
    later: set[int] = set()
    either: set[int] = set()
    for n, ws in tokens.items():
        if len(ws) < 4:
            continue
        for w in sorted(set(ws), key=lambda w: (len(index[w]), w))[:3]:
            for m in index[w]:
                if m <= n or (targets and normal(targets[m]) != normal(targets[n])):
                    continue
                if near(inputs[n], inputs[m], numbers):
                    later.add(m)
                    either |= {n, m}
    return later, either


def planted_extraction(real: Path, tmp: Path, rng: random.Random) -> Case:
    """hwu64 as input + JSON output: every output has the same fields, absent slots null,
    so nullable fields are normal. Planted: 30 outputs whose `date` is a number (a real
    type conflict), and 40 pairs that differ only in a time or number (different values to
    extract, so not redundant)."""
    examples = hwu_examples(real)
    fields = ["date", "time", "place_name", "person"]
    rows = []
    for e in examples:
        slots = {s["entity"]: s["value"] for s in e["entities"]}
        output = {"intent": e["intent"], **{f: slots.get(f) for f in fields}}
        rows.append({"input": e["text"], "output": json.dumps(output)})
    conflict_rows = set(rng.sample(range(len(rows)), 30))
    for i in conflict_rows:
        output = json.loads(rows[i]["output"])
        output["date"] = 20260101 + i
        rows[i]["output"] = json.dumps(output)
    for k in range(40):
        for hour in (4, 11):
            text = f"set an alarm for {hour + k % 7} pm on the {k + 1}th for my meeting"
            rows.append(
                {
                    "input": text,
                    "output": json.dumps(
                        {
                            "intent": "alarm_set",
                            "date": f"the {k + 1}th",
                            "time": f"{hour + k % 7} pm",
                            "place_name": None,
                            "person": None,
                        }
                    ),
                }  # fmt: skip
            )
    path = write_jsonl(tmp / "extract.jsonl", rows)
    inputs = {n: r["input"] for n, r in enumerate(rows, 1)}
    targets = {n: r["output"] for n, r in enumerate(rows, 1)}
    return Case(
        "hwu64 input+JSON, planted",
        [str(path)],
        {
            "format.json_types": {i + 1 for i in conflict_rows},
            "hygiene.near_duplicates": _near_truth(inputs, targets),
            "format.length_outliers": set(),
        },
    )


def planted_chat(real: Path, tmp: Path, rng: random.Random) -> Case:
    """hwu64 as chat: a system prompt, the utterance, the intent's reply. Planted: 30
    replies that repeat one phrase hundreds of times, 20 replies ten times the usual
    length in honest prose, 40 rows without the system message."""
    examples = hwu_examples(real)[:3000]
    rows = []
    for e in examples:
        slots = ", ".join(f"{s['entity']}={s['value']}" for s in e["entities"]) or "none"
        rows.append(
            {
                "messages": [
                    {"role": "system", "content": "You route home-assistant requests."},
                    {"role": "user", "content": e["text"]},
                    {"role": "assistant", "content": f"Intent {e['intent']}; slots: {slots}."},
                ]
            }
        )
    picked = rng.sample(range(len(rows)), 90)
    repeat, longer, bare = picked[:30], picked[30:50], picked[50:]
    for i in repeat:
        rows[i]["messages"][2]["content"] = "I can help with that. " * rng.randint(200, 1200)
    vocabulary = sorted({w for e in examples for w in words(e["text"])})
    for i in longer:
        rows[i]["messages"][2]["content"] = " ".join(rng.choices(vocabulary, k=400))
    for i in bare:
        del rows[i]["messages"][0]
    path = write_jsonl(tmp / "chat.jsonl", rows)
    replies = {n: r["messages"][-1]["content"] for n, r in enumerate(rows, 1)}
    median = sorted(len(t) for t in replies.values())[len(replies) // 2]
    return Case(
        "hwu64 chat, planted",
        [str(path)],
        {
            "format.chat_system": {i + 1 for i in bare},
            "@degenerate": {n for n, t in replies.items() if degenerate(t)},
            "@long_outputs": {n for n, t in replies.items() if len(t) > 10 * median},
            "format.length_outliers": set(),
        },
    )


# --- datacheck's side -------------------------------------------------------------------------


def audit(case: Case) -> dict:
    """The audit through the public API (the JSON report lists only the first rows of
    each finding): every row of each finding, whether it passed, and the hygiene section."""
    import datacheck

    source, *rest = case.args
    eval_source = rest[1] if rest[:1] == ["--eval"] else None
    result = datacheck.audit(
        source, eval_source=eval_source, config=None, tokenizers=["cl100k_base"]
    )
    return {
        "checks": {f.id: f for f in result.checks},
        "hygiene": result.hygiene,
    }


def _finding_rows(check_id: str) -> Callable[[dict], set | None]:
    def rows(report: dict) -> set | None:
        finding = report["checks"].get(check_id)
        if finding is None or finding.status == "skip":
            return None
        return set(finding.rows)

    return rows


def _eval_duplicates(report: dict) -> set | None:
    return set(report["checks"]["hygiene.exact_duplicates"].eval_rows)


def _across(report: dict) -> set | None:
    found = report["hygiene"]["conflicting_labels"].get("across_splits")
    return {p["eval_line"] for p in found["pairs"]} if found else set()


def _output_rows(*check_ids: str) -> Callable[[dict], set | None]:
    def rows(report: dict) -> set | None:
        found = [_finding_rows(c)(report) for c in check_ids]
        found = [f for f in found if f is not None]
        return set().union(*found) if found else None

    return rows


READERS: dict[str, Callable[[dict], set | None]] = {
    "@eval_duplicates": _eval_duplicates,
    "@across_splits": _across,
    "@degenerate": _output_rows("format.output_repetition"),
    "@long_outputs": _output_rows("format.output_length_outliers"),
}
LABELS = {
    "@eval_duplicates": "hygiene.exact_duplicates (eval)",
    "@across_splits": "hygiene.conflicting_labels (across splits)",
    "@degenerate": "degenerate output repetition",
    "@long_outputs": "output length outliers",
}


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", type=Path, default=DEFAULT_REAL)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args()
    rng = random.Random(20261205)
    results = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        cases = [
            real_hwu(options.real),
            real_snips(options.real),
            sample_tickets(options.real),
            planted_classification(options.real, tmp, rng),
            planted_extraction(options.real, tmp, rng),
            planted_chat(options.real, tmp, rng),
        ]
        print(f"{'dataset':32} {'check':44} {'listed':>7} {'true':>6} {'right':>6} "
              f"{'precision':>9} {'recall':>7}")  # fmt: skip
        for case in cases:
            report = audit(case)
            for check_id, truth in case.truth.items():
                listed = READERS.get(check_id, _finding_rows(check_id))(report)
                label = LABELS.get(check_id, check_id)
                if listed is None:
                    print(f"{case.name:32} {label:44} {'(not reported)':>21}")
                    results.append({"dataset": case.name, "check": label, "listed": None})
                    continue
                truth, acceptable = truth if isinstance(truth, tuple) else (truth, truth)
                right = len(listed & truth)
                row = {
                    "dataset": case.name, "check": label, "listed": len(listed),
                    "true": len(truth), "right": right,
                    "precision": _ratio(len(listed & acceptable), len(listed)),
                    "recall": _ratio(right, len(truth)),
                }  # fmt: skip
                results.append(row)
                print(f"{case.name:32} {label:44} {len(listed):>7} {len(truth):>6} {right:>6} "
                      f"{row['precision']:>9} {row['recall']:>7}")  # fmt: skip
    if options.json:
        options.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
