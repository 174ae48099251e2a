"""Outputs, not only inputs: far longer than the rest, or looping on one phrase."""

from __future__ import annotations

import json

import polars as pl

import datacheck
from datacheck.checks.outputs import repeated_phrase


def _checks(frame: pl.DataFrame, **options) -> dict:
    result = datacheck.audit(frame, tokenizers=["cl100k_base"], **options)
    return {c.id: c for c in result.checks}


def _chat(replies: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "messages": [
                [
                    {"role": "user", "content": f"question number {i} about my order"},
                    {"role": "assistant", "content": reply},
                ]
                for i, reply in enumerate(replies)
            ]
        }
    )


def test_a_looping_reply_is_named_with_its_phrase_and_count():
    replies = [f"Your order {i} ships on Monday; the tracking link follows." for i in range(8)]
    replies[5] = "I can help with that. " * 300
    checks = _checks(_chat(replies), task="response_generation")
    loop = checks["format.output_repetition"]
    assert loop.status == "fail" and loop.rows == (6,)
    assert 'row 6 repeats "I can help with that." 300 times' in loop.message
    assert loop.details["lowest_compression"] < 0.05
    longest = checks["format.output_length_outliers"]
    assert longest.rows == (6,) and longest.message.startswith("1 output over ")
    assert "outputs run 56-6,599 characters (median 56)" in longest.message
    assert loop.message.startswith("1 output repeats a phrase over and over (row 6)")


def test_structured_outputs_are_not_tested_for_repetition():
    items = [{"sku": f"A-{i * 37 % 1000}", "qty": i % 5, "unit": "pcs"} for i in range(50)]
    frame = pl.DataFrame(
        {
            "email": [f"order mail {i} with a list of items" for i in range(6)],
            "output": [json.dumps({"order": i, "items": items}) for i in range(6)],
        }
    )
    checks = _checks(frame, task="extraction")
    assert "format.output_repetition" not in checks  # the list compresses to 0.1, like a loop
    assert checks["format.output_length_outliers"].status == "pass"


def test_the_repeated_phrase_is_the_longest_that_repeats():
    assert repeated_phrase("go on " * 10) == ("go on", 10)
    assert repeated_phrase("Sure! " + "I can help. " * 50) == ("I can help.", 50)
    assert repeated_phrase("one two three") == ("one two three", 1)
    assert repeated_phrase("") == ("", 0)
