import polars as pl

from datacheck._columns import as_text


def test_lists_of_lists_or_objects_read_as_json_text():
    frame = pl.DataFrame(
        {"nested": [[[1, 2], [3]], None, []], "objects": [[{"a": 1}], [{"a": None}], None]}
    )
    texts = frame.select(as_text(frame, "nested"), as_text(frame, "objects")).rows()
    assert texts == [("[[1,2],[3]]", '[{"a":1}]'), (None, '[{"a":null}]'), ("[]", None)]


def test_flat_lists_still_read_as_comma_separated_values():
    frame = pl.DataFrame({"tags": [["a", "b"], [], None]})
    assert frame.select(as_text(frame, "tags"))["tags"].to_list() == ["a,b", "", None]
