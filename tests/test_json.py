import json

import pytest

from datacheck._json import depth, loads

TEXTS = [
    '{"a": 1, "b": [true, null], "c": {"d": "é"}}',
    "[1, 2.5, -3e2]",
    '"text"',
    "0",
    "NaN",
    "-Infinity",
    " \t\n{}\r\n ",
    "{} ",
    "{}x",
    "{} {}",
    "1 2",
    "{}\u00a0",  # no-break space is not JSON white space
    "\u00a0{}",
    "\ufeff{}",  # a byte-order mark
    "",
    "   ",
    "tru",
    '{"a": }',
    '{"a": 1,}',
    '"\\ud800"',
    '{"a": 1, "a": 2}',
    "12345678901234567890123",
]


@pytest.mark.parametrize("text", TEXTS)
def test_reads_what_json_loads_reads_and_refuses_what_it_refuses(text):
    try:
        expected = json.loads(text)
    except json.JSONDecodeError as error:
        with pytest.raises(json.JSONDecodeError) as raised:
            loads(text)
        assert (raised.value.msg, raised.value.pos) == (error.msg, error.pos)
    else:
        value = loads(text)
        assert value == expected or (value != value and expected != expected)  # NaN
        assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 0), ("[[]]", 0), ([], 1), ({}, 1), ([1, [2, {"a": [3]}], []], 4), ({"a": {"b": {}}}, 3)],
)
def test_depth_counts_arrays_and_objects_inside_each_other(value, expected):
    assert depth(value) == expected


def test_depth_goes_deeper_than_python_recursion():
    value: list = []
    for _ in range(50_000):
        value = [value]
    assert depth(value) == 50_001
