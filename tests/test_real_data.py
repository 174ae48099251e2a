"""Two published NLU datasets as their authors shipped them (slices: tests/data/real/README.md),
audited with no options. Every figure compared here is computed in this file with plain
`json` and `collections`, never with datacheck's own code."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

import datacheck

from .conftest import DATA

REAL = DATA / "real"
HWU = REAL / "hwu64" / "rasa_nlu_kfold1_every10.json"
SNIPS = REAL / "snips2017"


def _records_of(path: Path) -> list[tuple[int, dict | None]]:
    """(record number, example) of one file; None where its bytes are not UTF-8."""
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    document = json.loads(text)
    if "rasa_nlu_data" in document:
        return list(enumerate(document["rasa_nlu_data"]["common_examples"], 1))
    ((intent, utterances),) = document.items()
    out: list[tuple[int, dict | None]] = []
    for number, utterance in enumerate(utterances, 1):
        if re.search("[\udc80-\udcff]", json.dumps(utterance, ensure_ascii=False)):
            out.append((number, None))
            continue
        text, entities = "", []
        for segment in utterance["data"]:
            if "entity" in segment:
                entities.append(
                    {"start": len(text), "end": len(text) + len(segment["text"]),
                     "value": segment["text"], "entity": segment["entity"]}
                )  # fmt: skip
            text += segment["text"]
        out.append((number, {"text": text, "intent": intent, "entities": entities}))
    return out


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _key(example: dict) -> tuple:
    """Duplicates as the report defines them (`hygiene.settings.normalization`): the input
    and the expected output, each NFKC, case-folded and white space collapsed. The output of
    span data is its intent and its (slot, value) pairs in the order given."""
    pairs = [{"slot": s["entity"], "value": s["value"]} for s in example["entities"]]
    target = json.dumps({"intent": example["intent"], "slots": pairs}, ensure_ascii=False)
    return _normal(example["text"]), _normal(target)


def _facts(examples: list[tuple[int, dict]]) -> dict:
    seen: set[tuple] = set()
    unique = []
    for number, example in examples:
        if _key(example) not in seen:
            seen.add(_key(example))
            unique.append((number, example))
    per_slot = Counter(slot for _, e in unique for slot in {s["entity"] for s in e["entities"]})
    boundary, offsets, overlaps = set(), set(), set()
    for number, example in examples:
        text = example["text"]
        spans = example["entities"]
        for span in spans:
            a, b = span["start"], span["end"]
            if not 0 <= a < b <= len(text) or text[a:b] != span["value"]:
                offsets.add(number)
                continue
            piece = text[a:b]
            word = re.compile(r"\w")
            cuts = (a > 0 and word.match(text[a - 1]) and word.match(piece[0])) or (
                b < len(text) and word.match(text[b]) and word.match(piece[-1])
            )
            if piece[0].isspace() or piece[-1].isspace() or cuts:
                boundary.add(number)
        for span in spans:
            if any(
                o is not span and o["entity"] != span["entity"]
                and span["start"] < o["end"] and o["start"] < span["end"]
                for o in spans
            ):  # fmt: skip
                overlaps.add(number)
    return {
        "rows": len(examples),
        "intents": Counter(e["intent"] for _, e in examples),
        "redundant": len(examples) - len(unique),
        "per_slot": per_slot,
        "slots": len({s["entity"] for _, e in examples for s in e["entities"]}),
        "without_spans": sum(1 for _, e in examples if not e["entities"]),
        "boundary": sorted(boundary),
        "offsets": sorted(offsets),
        "overlaps": sorted(overlaps),
    }


def _check(report: dict, check_id: str) -> dict:
    return next(c for c in report["checks"] if c["id"] == check_id)


def _compare(report: dict, facts: dict) -> None:
    assert report["detected"]["schema"] == "spans"
    assert report["detected"]["task"] == "extraction"
    assert report["detected"]["label_field"] == "intent"
    assert report["labels"] == dict(facts["intents"])  # every intent, as written
    assert report["hygiene"]["exact_duplicates"]["redundant_rows"] == facts["redundant"]
    per_slot = _check(report, "volume.per_slot")
    assert per_slot["observed"] == dict(facts["per_slot"])
    short = {s["slot"]: s["count"] for s in per_slot["details"]["short"]}
    assert short == {k: v for k, v in facts["per_slot"].items() if v < 500}
    assert per_slot["details"]["examples_without_spans"] == facts["without_spans"]
    assert _check(report, "format.span_boundaries")["rows"] == facts["boundary"]
    assert _check(report, "format.span_offsets")["rows"] == facts["offsets"]
    assert _check(report, "format.span_overlaps")["rows"] == facts["overlaps"]
    per_category = _check(report, "volume.per_category")
    unique_per_intent = Counter()
    seen: set[tuple] = set()
    for example in facts["examples"]:
        if _key(example) not in seen:
            seen.add(_key(example))
            unique_per_intent[example["intent"]] += 1
    assert per_category["observed"] == dict(unique_per_intent)


@pytest.fixture(scope="module")
def hwu_report() -> dict:
    return json.loads(datacheck.audit(HWU, tokenizers=["cl100k_base"]).to_json())


def test_hwu64_rasa_export_is_read_and_counted_exactly(hwu_report):
    examples = _records_of(HWU)
    facts = _facts(examples)
    facts["examples"] = [e for _, e in examples]
    assert hwu_report["source"]["format"] == "rasa"
    assert hwu_report["source"]["position"] == "record"
    assert hwu_report["source"]["rows"] == facts["rows"] == 996
    assert hwu_report["source"]["load_errors"] == []
    assert facts["slots"] == len(_check(hwu_report, "volume.per_slot")["observed"])
    _compare(hwu_report, facts)


@pytest.fixture(scope="module")
def snips_report() -> dict:
    return json.loads(datacheck.audit(SNIPS, tokenizers=["cl100k_base"]).to_json())


def test_snips_folder_is_read_with_its_splits_and_counted_exactly(snips_report):
    train: list[tuple[int, dict]] = []
    unreadable: list[int] = []
    evals = 0
    offset = eval_offset = 0
    eval_texts: list[tuple[int, str]] = []
    eval_examples: list[tuple[int, dict]] = []
    for path in sorted(SNIPS.glob("*.json")):
        records = _records_of(path)
        if path.name.startswith("validate"):
            evals += sum(1 for _, e in records if e is not None)
            eval_texts += [(eval_offset + n, _normal(e["text"])) for n, e in records if e]
            eval_examples += [(eval_offset + n, e) for n, e in records if e]
            eval_offset += len(records)
            continue
        for number, example in records:
            if example is None:
                unreadable.append(offset + number)
            else:
                train.append((offset + number, example))
        offset += len(records)
    facts = _facts(train)
    facts["examples"] = [e for _, e in train]
    source = snips_report["source"]
    assert source["format"] == "snips"
    assert source["rows"] == len(train) + evals
    assert [e["line"] for e in source["load_errors"]] == unreadable
    assert (
        "train_PlayMusic_full.json: holds bytes that are not valid UTF-8"
        in (source["load_errors"][0]["message"])
    )
    assert _check(snips_report, "format.readable")["status"] == "fail"
    _compare(snips_report, facts)
    # leakage: eval records whose normalised text is a training text
    training_texts = {_normal(e["text"]) for _, e in train}
    leaked = [n for n, text in eval_texts if text in training_texts]
    assert snips_report["hygiene"]["leakage"]["eval_lines"] == leaked
    assert _check(snips_report, "volume.total")["observed"] == len(train) - facts["redundant"]
    # duplicates inside the validation split: every record that repeats an earlier one
    seen: set[tuple] = set()
    repeats = []
    for number, example in eval_examples:
        if _key(example) in seen:
            repeats.append(number)
        seen.add(_key(example))
    duplicates = _check(snips_report, "hygiene.exact_duplicates")
    assert duplicates["details"].get("eval_lines", []) == repeats
