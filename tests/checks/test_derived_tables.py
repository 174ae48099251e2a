import json

import polars as pl

from datacheck.checks._chat_table import chat_table
from datacheck.checks._json_facts import json_facts
from datacheck.checks.labels import output_value_table


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


def test_json_facts_take_outputs_of_any_kind_and_depth():
    deep = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"  # deeper than Python's parser goes
    rows = [{"id": 1, "kind": "a"}, deep, "[1, 2]", " {} ", "{}x", "NaN", "\ufeff{}", ""]
    rows += [{"id": 2, "kind": "b", "extra": True}]
    facts = json_facts(_train(rows), None, ("kind",))
    ok = [True, False, False, True, False, False, False, False, True]
    assert facts.table["json_ok"].to_list() == ok
    assert facts.table["keys_ok"].to_list()[8] is False
    assert facts.values["kind"].to_list() == ["a", None, None, None, None, None, None, None, "b"]


def test_json_facts_reach_their_rows_alike_by_text_hash_and_by_text(monkeypatch):
    from datacheck import _frames

    rows = [{"id": i, "kind": "ab"[i % 3 == 0]} for i in range(20)] + [None, "x", None, "x"]
    by_hash = json_facts(_train(rows), None, ("kind",))
    monkeypatch.setattr(_frames, "_hashes_differ", lambda keys: False)
    by_text = json_facts(_train(rows), None, ("kind",))
    assert by_hash.table.equals(by_text.table)
    assert by_hash.values.equals(by_text.values)
    assert by_hash.table["json_ok"].to_list()[-4:] == [False] * 4


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


def test_a_key_with_exactly_max_values_distinct_values_is_still_a_label():
    rows = [{"tier": f"t{i % 3}", "id": f"x{i % 4}"} for i in range(12)]
    facts = json_facts(_train(rows), None, None, max_values=3)
    assert facts.values.columns == ["source_line", "tier"]  # 3 values kept, 4 are too many
    assert facts.values["tier"].to_list() == [f"t{i % 3}" for i in range(12)]


def _conversations(conversations: list, message: pl.Struct) -> pl.DataFrame:
    """A training frame of chat examples, one per conversation, numbered from line 1."""
    return pl.DataFrame(
        {"messages": conversations}, schema={"messages": pl.List(message)}
    ).with_columns(
        pl.int_range(pl.len()).alias("example_id"),
        pl.int_range(1, pl.len() + 1).alias("source_line"),
    )


def test_chat_table_words_the_first_problem_of_each_conversation():
    def m(role, content="text"):
        return {"role": role, "content": content}

    conversations = [
        [m("system"), m("user"), m("assistant")],
        [],
        None,
        [None],
        [m("user"), m("tool"), m("assistant")],  # tool turns do not count in the order
        [m("user"), m("user", "  ")],
        [m("assistant"), m(None)],
        [m("bot"), m("assistant", None)],
    ]
    message = pl.Struct({"role": pl.String, "content": pl.String})
    table = chat_table(_conversations(conversations, message))
    assert table["source_line"].to_list() == list(range(1, 9))
    assert table["roles_problem"].to_list() == [
        None,
        "no messages",
        "no messages",
        "no messages",
        None,
        "message 2 (user) is empty",
        "message 2 has no role",
        "message 1 has unknown role 'bot'",
    ]
    assert table["openai_problem"].to_list()[:6] == [
        None,
        "'messages' is empty",
        "'messages' is empty",
        "'messages' is empty",
        None,
        "no assistant message: there is nothing to learn from",
    ]
    assert table["openai_problem"][7].startswith("message 1 (bot): role must be one of")


def test_stripped_length_counts_what_strip_chars_leaves():
    from datacheck.checks.format import stripped_length

    texts = ["", "   ", " a ", "\tab\n", "\u00a0x\u3000", "\u3000\u00a0", "é ü", None, "a\n\nb"]
    frame = pl.DataFrame({"t": texts}, schema={"t": pl.String})
    counted = frame.select(stripped_length(pl.col("t")))["t"].to_list()
    expected = frame.select(pl.col("t").fill_null("").str.strip_chars().str.len_chars())
    assert counted == expected["t"].to_list()
    assert counted == [0, 0, 1, 2, 1, 0, 3, 0, 4]


def test_edge_white_space_is_what_a_regex_at_either_end_finds():
    from datacheck.checks.consistency import _spaced

    texts = ["", " ", "a", " a", "a\n", "\u3000a", "a\u00a0", "é ü", "a\tb", None, "\u200ba"]
    frame = pl.DataFrame({"t": texts}, schema={"t": pl.String})
    spaced = frame.select(_spaced(pl.col("t")))["t"].to_list()
    assert spaced == frame.select(pl.col("t").str.contains(r"^\s|\s$"))["t"].to_list()
    assert spaced == [False, True, False, True, True, True, True, False, False, None, False]


def test_tool_calls_and_their_results_fit_the_turn_order():
    def m(role, content="text", calls=None):
        return {"role": role, "content": content, "tool_calls": calls}

    call = [{"id": "1", "type": "function"}]
    conversations = [
        [m("user"), m("assistant", None, call), m("tool"), m("assistant")],
        [m("user"), m("assistant", None, call)],  # teaching the call itself
        [
            m("user"),
            m("assistant", None, call),
            m("tool"),
            m("assistant", None, call),
            m("tool"),
            m("assistant"),
            m("user"),
            m("assistant"),
        ],  # fmt: skip
        [m("user"), m("assistant"), m("assistant")],  # two answers in a row: no call between
        [m("user"), m("tool"), m("user"), m("assistant")],
    ]
    kind = pl.Struct({"id": pl.String, "type": pl.String})
    message = pl.Struct({"role": pl.String, "content": pl.String, "tool_calls": pl.List(kind)})
    table = chat_table(_conversations(conversations, message))
    assert table["roles_ok"].to_list() == [True, True, True, False, False]
    assert table["openai_ok"].to_list() == [True, True, True, True, True]
    assert table["roles_problem"][3].startswith("order is user,assistant,assistant;")


def test_output_fields_count_as_labels_only_with_few_values_repeated():
    rows = []
    for i in range(10):
        row = {
            "one": "same",  # a single value: nothing to tell apart
            "five": "abcde"[i % 5],  # 5 values, the limit: a label
            "six": "abcdef"[i % 6],  # 6 values: over the limit
            "pairs": "ab"[i % 2],  # 2 values in 10 rows
        }
        if i < 4:
            row["sparse"] = "xyzx"[i]  # 3 values in only 4 rows: not repeated enough
        if i < 6:
            row["half"] = "xyz"[i % 3]  # 3 values in 6 rows: exactly half, a label
        rows.append(row)
    facts = json_facts(_train(rows), None, None, max_values=5)
    table = output_value_table(facts, None, max_values=5)
    assert sorted(set(table["field"].to_list())) == ["five", "half", "pairs"]
    counts = {(f, v): n for f, v, n in table.select("field", "value", "count").iter_rows()}
    assert counts[("half", "x")] == 2 and counts[("five", "a")] == 2 and counts[("pairs", "b")] == 5
    named = output_value_table(facts, ("one", "sparse"), max_values=5)
    assert sorted(set(named["field"].to_list())) == ["one", "sparse"]


def test_output_value_table_names_keys_and_canonical_spellings():
    rows = [{"kind": k} for k in ["Refund", "refund", "Refund", "refund", "late", "late"]]
    table = output_value_table(json_facts(_train(rows), None), None, max_values=5)
    assert table.columns == [
        "value_key", "field", "value", "count", "lines", "is_variant", "canonical",
    ]  # fmt: skip
    assert table.select("value_key", "count", "lines", "is_variant", "canonical").rows() == [
        ("kind=late", 2, [5, 6], False, "late"),
        # equally common spellings: the first in text order is the canonical one
        ("kind=Refund", 2, [1, 3], False, "Refund"),
        ("kind=refund", 2, [2, 4], True, "Refund"),
    ]


def test_output_value_table_without_label_fields_is_empty_with_its_columns():
    rows = [{"id": f"A{i}"} for i in range(6)]
    table = output_value_table(json_facts(_train(rows), None), None, max_values=5)
    assert table.is_empty()
    assert table.schema == pl.Schema(
        {
            "value_key": pl.String, "field": pl.String, "value": pl.String, "count": pl.Int64,
            "lines": pl.List(pl.Int64), "is_variant": pl.Boolean, "canonical": pl.String,
        }
    )  # fmt: skip
