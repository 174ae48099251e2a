"""length.context_window lists, besides the recommended model's overflow, the rows over each
other model's window counted with that model's own tokenizer."""

from __future__ import annotations

import polars as pl

import datacheck


def _context_check(result):
    return next(c for c in result.checks if c.id == "length.context_window")


def test_rows_over_each_models_window_are_listed_by_line():
    texts = ["short text about an order", "word " * 2100, "another short one", "word " * 2500]
    frame = pl.DataFrame({"text": texts * 3, "label": ["a", "b", "a", "b"] * 3})
    check = _context_check(datacheck.audit(frame, tokenizers=["llama-3.1", "phi-2"]))
    assert check.status == "pass"  # Llama 3.1's 131,072 tokens hold them all
    over = check.details["over_context_lines"]
    assert set(over) == {"phi-2"}
    assert over["phi-2"] == {"window": 2048, "rows": 6, "lines": [2, 4, 6, 8, 10, 12]}
    assert "other models: 6 over Phi-2's 2,048 (rows 2, 4, 6 and 3 more)" in check.message


def test_nothing_over_any_window_lists_nothing():
    frame = pl.DataFrame({"text": ["short text"] * 4, "label": ["a", "b"] * 2})
    check = _context_check(datacheck.audit(frame, tokenizers=["llama-3.1", "phi-2"]))
    assert check.details["over_context_lines"] == {}
    assert "other models" not in check.message


def _finding(result, check_id):
    return next(c for c in result.checks if c.id == check_id)


def test_length_outliers_state_the_observed_range_not_the_bound():
    texts = [f"what is the weather like on day {i}" for i in range(10, 18)]
    texts += ["yes", "bye!", "x" * 3000]
    frame = pl.DataFrame({"text": texts * 2, "label": ["a", "b"] * 11})
    check = _finding(datacheck.audit(frame, tokenizers=["cl100k_base"]), "format.length_outliers")
    assert check.rows == (11, 22)  # the long ones; short utterances are normal here
    assert "inputs run 3-3,000 characters (median 34)" in check.message
    assert check.message.startswith("2 inputs: 2 over ")
    assert "trim pasted logs" in check.fix and "test rows" not in check.fix


def test_short_outliers_among_long_form_texts_get_their_own_fix():
    body = "the export to csv has been failing since the last update, please look. " * 3
    frame = pl.DataFrame({"text": [body + str(i) for i in range(9)] + ["test"], "label": "a"})
    check = _finding(datacheck.audit(frame, tokenizers=["cl100k_base"]), "format.length_outliers")
    assert check.rows == (10,)
    assert "1 under " in check.message and "drop test rows" in check.fix
