import polars as pl

import datacheck
from datacheck.normalize import _as_text


def test_lists_of_lists_or_objects_read_as_json_text():
    frame = pl.DataFrame(
        {"nested": [[[1, 2], [3]], None, []], "objects": [[{"a": 1}], [{"a": None}], None]}
    )
    texts = frame.select(_as_text(frame, "nested"), _as_text(frame, "objects")).rows()
    assert texts == [("[[1,2],[3]]", '[{"a":1}]'), (None, '[{"a":null}]'), ("[]", None)]


def test_flat_lists_still_read_as_comma_separated_values():
    frame = pl.DataFrame({"tags": [["a", "b"], [], None]})
    assert frame.select(_as_text(frame, "tags"))["tags"].to_list() == ["a,b", "", None]


def test_an_audit_whose_inputs_are_all_missing_reports_them_instead_of_crashing():
    frame = pl.DataFrame(
        {"text": [None] * 6, "label": ["a", "b"] * 3},
        schema={"text": pl.String, "label": pl.String},
    )
    checks = {c["id"]: c for c in datacheck.audit(frame).checks}
    assert checks["format.empty_text"]["status"] == "fail"
    assert checks["format.length_outliers"]["message"] == "no input text to measure"
