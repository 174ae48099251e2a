import json

import polars as pl

from datacheck.features import json_facts, output_value_table


def _train(objects):
    return pl.DataFrame(
        {
            "example_id": list(range(len(objects))),
            "source_line": list(range(1, len(objects) + 1)),
            "target_text": [
                o if isinstance(o, str) or o is None else json.dumps(o) for o in objects
            ],
        }
    )


def test_json_facts_flags_per_row_and_shares_work_per_distinct_text():
    rows = [{"id": i, "kind": "ab"[i % 2]} for i in range(6)]
    rows += [rows[0], "not json", None, {"id": "7", "kind": "a"}, {"id": 8}]
    facts = json_facts(_train(rows), None)
    table = facts.table
    assert table["json_ok"].to_list() == [True] * 7 + [False, False, True, True]
    assert table["types_ok"].to_list() == [True] * 9 + [False, True]
    assert table["keys_ok"].to_list() == [True] * 10 + [False]
    assert table["json_problem"][10] == "missing kind"
    assert facts.type_breaks == {"id": {"string": 1}}


def test_values_are_kept_for_label_like_keys_only_unless_asked():
    rows = [
        {"order": f"ORD-{i}", "kind": ["refund", "late", "refund", "Refund"][i % 4]}
        for i in range(90)
    ]
    facts = json_facts(_train(rows), None, None, max_values=10)
    assert facts.values.columns == ["source_line", "kind"]  # 90 distinct orders: not a label
    table = output_value_table(facts, None, 10)
    assert sorted(table["value"].to_list()) == ["Refund", "late", "refund"]
    assert table.filter(pl.col("value") == "Refund")["is_variant"].to_list() == [True]
    assert table.filter(pl.col("value") == "late")["lines"].to_list()[0][:2] == [2, 6]
    asked = json_facts(_train(rows), None, ("order",), max_values=10)
    assert asked.values.columns == ["source_line", "kind", "order"]
    assert asked.values["order"].n_unique() == 90
