"""Chat-format data generators for `bench/run.py`, each a different kind of repetition:

- `tickets`: the original one: five sentence frames, 90,000 order numbers (very repetitive);
- `real`: user texts joined from 1-3 real utterances of the published intent and slot datasets
  sliced into `tests/data/real/` (HWU64, SNIPS 2017; licences there), numbers and names varied;
- `template`: one ticket template with a few slots (names, days, order ids): most rows are near
  duplicates of others, the hard case for near-duplicate clustering;
- `unique`: every text distinct: 12-40 words drawn from the real utterances' vocabulary.

All seeded, written once per (kind, size) under bench/cache/.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REAL = HERE.parent / "tests" / "data" / "real"
CACHE = HERE / "cache"

_NAMES = [
    "Maria", "James", "Aiko", "Tomasz", "Priya", "Lena", "Omar", "Chen", "Sofia", "Dev",
    "Grace", "Lucas", "Fatima", "Noah", "Ines", "Jonas", "Amara", "Ravi", "Elena", "Sam",
]  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_SYSTEM = "Route the request to an intent. Reply with JSON only."


def _utterances() -> list[tuple[str, str]]:
    """(text, intent) of every utterance in the real slices, read with plain json."""
    found: list[tuple[str, str]] = []
    hwu = json.loads((REAL / "hwu64" / "rasa_nlu_kfold1_every10.json").read_text("utf-8"))
    found += [(e["text"], e["intent"]) for e in hwu["rasa_nlu_data"]["common_examples"]]
    for path in sorted((REAL / "snips2017").glob("*.json")):
        raw = path.read_bytes().decode("utf-8", "replace")
        ((intent, items),) = json.loads(raw).items()
        found += [("".join(piece["text"] for piece in item["data"]), intent) for item in items]
    return found


def _record(user: str, answer: dict) -> str:
    return json.dumps(
        {
            "messages": [
                {"role": "system", "content": _SYSTEM},
                {"role": "user", "content": user},
                {"role": "assistant", "content": json.dumps(answer)},
            ]
        }
    )


def _real(rows: int, rng: random.Random) -> list[str]:
    pool = _utterances()
    out = []
    for _ in range(rows):
        picked = rng.sample(pool, rng.randint(1, 3))
        text = " ".join(t for t, _ in picked)
        text = re.sub(r"\d+", lambda _m: str(rng.randint(1, 9999)), text)
        if rng.random() < 0.5:
            text = f"{rng.choice(_NAMES)} here. {text}"
        out.append(_record(text, {"intent": picked[0][1]}))
    return out


def _template(rows: int, rng: random.Random) -> list[str]:
    out = []
    for _ in range(rows):
        order = f"ORD-{rng.randint(10000, 99999)}"
        text = (
            f"Hi, this is {rng.choice(_NAMES)}. My order {order} placed on {rng.choice(_DAYS)} "
            f"has not arrived yet and the tracking page shows no update since "
            f"{rng.choice(_DAYS)}. Could you check it for me?"
        )
        out.append(_record(text, {"order_id": order, "issue_type": "late_delivery"}))
    return out


def _unique(rows: int, rng: random.Random) -> list[str]:
    words = sorted({w for t, _ in _utterances() for w in re.findall(r"[a-z']+", t.lower())})
    intents = sorted({i for _, i in _utterances()})
    return [
        _record(
            " ".join(rng.choices(words, k=rng.randint(12, 40))), {"intent": rng.choice(intents)}
        )
        for _ in range(rows)
    ]


GENERATORS: dict[str, Callable[[int, random.Random], list[str]]] = {
    "real": _real,
    "template": _template,
    "unique": _unique,
}


def generate(kind: str, rows: int) -> Path:
    """The cached file of `rows` rows of `kind` (see the module docstring)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{kind}-{rows}.jsonl"
    if not path.exists():
        rng = random.Random(f"{kind}-{rows}")
        lines = GENERATORS[kind](rows, rng)
        tmp = path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.replace(path)
    return path
