import json

import datacheck
from datacheck.report.json import _indented
from tests.conftest import SAMPLES


def test_json_report_reads_back_as_the_result():
    result = datacheck.audit(SAMPLES / "tickets.jsonl")
    text = result.to_json()
    assert json.loads(text) == json.loads(json.dumps(result.to_dict()))
    assert json.loads(result.to_json(indent=None)) == json.loads(text)
    assert "\n" not in result.to_json(indent=None).rstrip("\n")


def test_lists_of_numbers_stay_on_one_line_and_the_rest_is_indented():
    value = {
        "lines": [3, 17, 2.5],
        "flags": [True, False],
        "groups": [{"size": 2, "lines": [1, 2]}],
        "names": ["a", "b"],
        "empty": {"list": [], "dict": {}},
    }
    text = _indented(value, 2)
    assert json.loads(text) == value
    assert '"lines": [3, 17, 2.5]' in text
    assert '      "lines": [1, 2]\n' in text
    # anything else is laid out as json.dumps(indent=2) lays it out
    assert '"flags": [\n    true,\n    false\n  ]' in text
    assert '"names": [\n    "a",\n    "b"\n  ]' in text
    assert '"empty": {\n    "list": [],\n    "dict": {}\n  }' in text
    texts = {"x": 'é\t"\u2028', "y": None}
    assert _indented(texts, 2) == json.dumps(texts, indent=2, ensure_ascii=False)
