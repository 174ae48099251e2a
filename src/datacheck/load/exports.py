"""Exports of NLU labeling tools, read as they are written: Rasa NLU JSON, the SNIPS
benchmark's segment format and Label Studio's JSON export. Each record becomes `text`,
`intent` (where the format has one) and `entities`: a list of character spans `{start, end,
value, entity}` over `text`, as Rasa writes them. A record the format cannot give is
reported, and the others are read.
"""

from __future__ import annotations

from typing import Any

#: what a record that cannot be read becomes: the reason
Problem = str


def export_records(document: object) -> tuple[str, list[dict[str, Any] | Problem]] | None:
    """The format's name and its records, when `document` is a known export; else None."""
    if isinstance(document, dict) and isinstance(document.get("rasa_nlu_data"), dict):
        return "rasa", _rasa(document["rasa_nlu_data"])
    if _is_label_studio(document):
        assert isinstance(document, list)
        return "label_studio", [_label_studio(task) for task in document]
    if _is_snips(document):
        assert isinstance(document, dict)
        ((intent, utterances),) = document.items()
        return "snips", [_snips(intent, u) for u in utterances]
    return None


def _rasa(data: dict[str, Any]) -> list[dict[str, Any] | Problem]:
    """Rasa NLU's training examples: `common_examples`, then the older `intent_examples` and
    `entity_examples` lists, in that order."""
    records: list[dict[str, Any] | Problem] = []
    for key in ("common_examples", "intent_examples", "entity_examples"):
        examples = data.get(key) or []
        if not isinstance(examples, list):
            return [f"`rasa_nlu_data.{key}` is not a list of examples"]
        records += [_rasa_example(example) for example in examples]
    return records


def _rasa_example(example: object) -> dict[str, Any] | Problem:
    if not isinstance(example, dict):
        return "expected a Rasa example (an object with `text`)"
    if not isinstance(example.get("text"), str):
        return "a Rasa example has no `text` string"
    entities = example.get("entities") or []
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        return "`entities` is not a list of objects"
    record = {key: value for key, value in example.items() if key != "entities"}
    record["entities"] = entities
    return record


def _is_snips(document: object) -> bool:
    """One key (the intent) holding a list of `{"data": [segments]}` utterances."""
    if not isinstance(document, dict) or len(document) != 1:
        return False
    (utterances,) = document.values()
    return (
        isinstance(utterances, list)
        and bool(utterances)
        and all(isinstance(u, dict) and isinstance(u.get("data"), list) for u in utterances[:20])
    )


def _snips(intent: str, utterance: object) -> dict[str, Any] | Problem:
    """An utterance's segments joined into its text; each segment with an `entity` a span."""
    segments = utterance.get("data") if isinstance(utterance, dict) else None
    if not isinstance(segments, list):
        return "expected an utterance with a `data` list of segments"
    text, entities = "", []
    for number, segment in enumerate(segments, 1):
        if not isinstance(segment, dict) or not isinstance(segment.get("text"), str):
            return f"segment {number} has no `text` string"
        piece = segment["text"]
        if segment.get("entity") is not None:
            entities.append(
                {
                    "start": len(text),
                    "end": len(text) + len(piece),
                    "value": piece,
                    "entity": str(segment["entity"]),
                }
            )
        text += piece
    return {"text": text, "intent": intent, "entities": entities}


def _is_label_studio(document: object) -> bool:
    """A list of tasks, each with a `data` object and a list of `annotations`."""
    return (
        isinstance(document, list)
        and bool(document)
        and all(
            isinstance(t, dict)
            and isinstance(t.get("data"), dict)
            and isinstance(t.get("annotations"), list)
            for t in document[:20]
        )
    )


def _label_studio(task: object) -> dict[str, Any] | Problem:
    """A task's text, the spans of its first annotation that was not cancelled (`labels`
    results), and its first choice as the intent (`choices` results)."""
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        return "expected a Label Studio task (an object with `data` and `annotations`)"
    data = task["data"]
    text = data.get("text")
    if not isinstance(text, str):
        text = next((v for v in data.values() if isinstance(v, str)), None)
    if text is None:
        return "the task's `data` holds no text"
    kept = [
        a
        for a in task.get("annotations") or []
        if isinstance(a, dict) and not a.get("was_cancelled")
    ]
    results = kept[0].get("result") or [] if kept else []
    entities: list[dict[str, Any]] = []
    intent = None
    for result in results if isinstance(results, list) else []:
        value = result.get("value") if isinstance(result, dict) else None
        if not isinstance(value, dict):
            continue
        if isinstance(value.get("labels"), list) and value["labels"]:
            entities.append(
                {
                    "start": value.get("start"),
                    "end": value.get("end"),
                    "value": value.get("text"),
                    "entity": str(value["labels"][0]),
                }
            )
        elif isinstance(value.get("choices"), list) and value["choices"] and intent is None:
            intent = str(value["choices"][0])
    record: dict[str, Any] = {"text": text, "entities": entities}
    if intent is not None:
        record["intent"] = intent
    return record


def snips_split(file_name: str) -> str | None:
    """The split a SNIPS file's name gives (`train_X_full.json`, `validate_X.json`)."""
    name = file_name.lower()
    for prefix, split in (("train", "train"), ("validate", "validation"), ("test", "test")):
        if name.startswith(prefix):
            return split
    return None
