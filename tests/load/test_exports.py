"""Labeling-tool exports read as they are written: Rasa NLU JSON and SNIPS segments."""

import json

import pytest

import datacheck
from datacheck.errors import InputError
from datacheck.load import load


def _rasa(examples, **extra):
    return {"rasa_nlu_data": {"common_examples": examples, **extra}}


def test_a_rasa_file_gives_text_intent_and_spans(tmp_path):
    path = tmp_path / "nlu.json"
    examples = [
        {"text": "wake me at seven", "intent": "alarm_set",
         "entities": [{"start": 11, "end": 16, "value": "seven", "entity": "time"}]},
        {"text": "what time is it", "intent": "datetime_query", "entities": []},
        "not an example",
        {"intent": "x"},
    ]  # fmt: skip
    path.write_text(json.dumps(_rasa(examples, entity_examples=[], regex_features=[])))
    loaded = load(path)
    assert (loaded.format, loaded.position) == ("rasa", "record")
    assert loaded.frame["text"].to_list() == ["wake me at seven", "what time is it"]
    assert loaded.frame["intent"].to_list() == ["alarm_set", "datetime_query"]
    assert loaded.frame["entities"].to_list()[0] == [
        {"start": 11, "end": 16, "value": "seven", "entity": "time"}
    ]
    assert [(e.line, e.message[:28]) for e in loaded.errors] == [
        (3, "expected a Rasa example (an "),
        (4, "a Rasa example has no `text`"),
    ]


def _snips(intent, *utterances):
    return {intent: [{"data": segments} for segments in utterances]}


PLAY = (
    [{"text": "play "}, {"text": "jazz", "entity": "genre"}, {"text": " now"}],
    [{"text": "play something"}],
)


def test_a_snips_file_joins_segments_and_turns_entities_into_spans(tmp_path):
    path = tmp_path / "train_PlayMusic_full.json"
    path.write_text(json.dumps(_snips("PlayMusic", *PLAY, [{"text": 5}])))
    loaded = load(path)
    assert loaded.format == "snips"
    assert loaded.frame["text"].to_list() == ["play jazz now", "play something"]
    assert loaded.frame["entities"].to_list() == [
        [{"start": 5, "end": 9, "value": "jazz", "entity": "genre"}],
        [],
    ]
    assert [(e.line, e.message) for e in loaded.errors] == [(3, "segment 1 has no `text` string")]


def test_a_snips_folder_takes_its_splits_from_the_file_names(tmp_path):
    (tmp_path / "train_PlayMusic_full.json").write_text(json.dumps(_snips("PlayMusic", *PLAY)))
    (tmp_path / "train_GetWeather_full.json").write_text(
        json.dumps(_snips("GetWeather", [{"text": "rain in "}, {"text": "oslo", "entity": "city"}]))
    )
    (tmp_path / "validate_PlayMusic.json").write_text(json.dumps(_snips("PlayMusic", PLAY[1])))
    loaded = load(tmp_path)
    frame = loaded.frame.sort("__split__", "__source_line__")
    assert frame["__split__"].to_list() == ["train", "train", "train", "validation"]
    # records are numbered through each split's files in name order: GetWeather, PlayMusic
    assert frame["__source_line__"].to_list() == [1, 2, 3, 1]
    assert frame["intent"].to_list() == ["GetWeather", "PlayMusic", "PlayMusic", "PlayMusic"]


def test_a_folder_mixing_snips_and_other_json_is_refused(tmp_path):
    (tmp_path / "train_PlayMusic_full.json").write_text(json.dumps(_snips("PlayMusic", *PLAY)))
    (tmp_path / "train_other.json").write_text(json.dumps([{"text": "a", "label": "b"}]))
    with pytest.raises(InputError, match="train_other.json: is not in the SNIPS format"):
        load(tmp_path)


def test_span_data_is_audited_as_extraction_with_intents(tmp_path):
    paris = [{"start": 7, "end": 12, "value": "paris", "entity": "city"}]
    rows = [
        {"text": f"fly to paris on day {i}", "intent": "book", "entities": paris} for i in range(6)
    ]
    rows += [{"text": f"hello number {i}", "intent": "greet", "entities": []} for i in range(3)]
    path = tmp_path / "d.json"
    path.write_text(json.dumps(_rasa(rows)))
    report = json.loads(datacheck.audit(path, tokenizers=["cl100k_base"]).to_json())
    assert report["detected"]["schema"] == "spans"
    assert report["detected"]["task"] == "extraction"
    assert report["labels"] == {"book": 6, "greet": 3}
    checks = {c["id"]: c for c in report["checks"]}
    # examples with nothing to extract are valid: no empty output, no missing label
    assert checks["format.empty_text"]["status"] == "pass"
    assert checks["labels.missing"]["status"] == "pass"
    assert checks["volume.per_slot"]["observed"] == {"city": 6}
    assert checks["volume.per_slot"]["details"]["examples_without_spans"] == 3
    assert not any(c["id"].startswith("format.json") for c in report["checks"])


def test_a_label_studio_export_gives_text_spans_and_a_choice_as_intent(tmp_path):
    tasks = [
        {"data": {"text": "Obama was in Paris"}, "annotations": [{"result": [
            {"value": {"start": 0, "end": 5, "text": "Obama", "labels": ["PER"]}, "type": "labels"},
            {"value": {"choices": ["news"]}, "type": "choices"}]}]},
        {"data": {"text": "nothing here"}, "annotations": [
            {"was_cancelled": True, "result": [{"value": {"start": 0, "end": 7, "labels": ["X"]}}]},
            {"result": [{"value": {"choices": ["chat"]}}]}]},
        {"data": {"image": 5}, "annotations": []},
    ]  # fmt: skip
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks))
    loaded = load(path)
    assert loaded.format == "label_studio"
    assert loaded.frame["intent"].to_list() == ["news", "chat"]
    assert loaded.frame["entities"].to_list() == [
        [{"start": 0, "end": 5, "value": "Obama", "entity": "PER"}],
        [],  # the cancelled annotation does not count
    ]
    assert [(e.line, e.message) for e in loaded.errors] == [(3, "the task's `data` holds no text")]


@pytest.mark.parametrize(
    "rows",
    [
        [{"text": "Obama was in Paris", "label": [[0, 5, "PER"], [13, 18, "LOC"]]},
         {"text": "nothing here", "label": []}],  # doccano JSONL
        [{"text": "Obama was in Paris", "spans": [{"start": 0, "end": 5, "label": "PER"},
                                              {"start": 13, "end": 18, "label": "LOC"}]},
         {"text": "nothing here", "spans": []}],  # spaCy / Prodigy
        [{"text": "Obama was in Paris", "entities": [
            {"start_offset": 0, "end_offset": 5, "label": "PER"},
            {"start_offset": 13, "end_offset": 18, "label": "LOC"}]},
         {"text": "nothing here", "entities": []}],  # doccano entities
    ],
    ids=["doccano triples", "spacy spans", "doccano entities"],
)  # fmt: skip
def test_jsonl_span_forms_read_as_spans_with_their_values(tmp_path, rows):
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = json.loads(datacheck.audit(path, tokenizers=["cl100k_base"]).to_json())
    assert report["detected"]["schema"] == "spans"
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["volume.per_slot"]["observed"] == {"PER": 1, "LOC": 1}
    assert checks["format.span_offsets"]["status"] == "pass"
    assert report["tokens"]["cl100k_base"]["examples"] == 2
