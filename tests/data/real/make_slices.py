"""Cut the slices in this folder from the published datasets (run once, from the project root
of a checkout that has `../shared/data/real/`; the tests never read that folder).

- hwu64/rasa_nlu_kfold1_every10.json: every 10th example of HWU64's Rasa file, in order.
- snips2017/: every 20th utterance of each SNIPS training file and every 5th of each
  validation file, plus the PlayMusic utterance whose bytes are not UTF-8 (CESU-8), kept
  byte for byte, and every utterance whose entity segment starts or ends with a space or
  runs into a word beside it.
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
REAL = HERE.parents[2].parent / "shared" / "data" / "real"


def main() -> None:
    rasa = json.loads((REAL / "hwu64" / "rasa_nlu_kfold1.json").read_text(encoding="utf-8"))
    data = rasa["rasa_nlu_data"]
    sliced = {"rasa_nlu_data": {**data, "common_examples": data["common_examples"][::10]}}
    (HERE / "hwu64" / "rasa_nlu_kfold1_every10.json").write_text(
        json.dumps(sliced, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    for path in sorted((REAL / "snips2017").glob("*.json")):
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        ((intent, utterances),) = json.loads(text).items()
        step = 20 if path.name.startswith("train") else 5
        kept = [
            u for i, u in enumerate(utterances) if i % step == 0 or _not_utf8(u) or _odd_boundary(u)
        ]
        out = json.dumps({intent: kept}, indent=2, ensure_ascii=False) + "\n"
        (HERE / "snips2017" / path.name).write_bytes(out.encode("utf-8", "surrogateescape"))


def _odd_boundary(utterance: dict) -> bool:
    """An entity segment with white space at an edge, or running into a word beside it."""
    segments = utterance["data"]
    for i, segment in enumerate(segments):
        if "entity" not in segment or not segment["text"]:
            continue
        text = segment["text"]
        before = segments[i - 1]["text"][-1:] if i > 0 else ""
        after = segments[i + 1]["text"][:1] if i + 1 < len(segments) else ""
        if text != text.strip():
            return True
        if (before + text[0]).isalnum() and len(before) == 1:
            return True
        if (text[-1] + after).isalnum() and len(after) == 1:
            return True
    return False


def _not_utf8(utterance: object) -> bool:
    return any(0xDC80 <= ord(c) <= 0xDCFF for c in json.dumps(utterance, ensure_ascii=False))


if __name__ == "__main__":
    main()
