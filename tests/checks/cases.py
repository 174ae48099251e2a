"""Pass/fail cases per check, as data: rows in, expected status and lines out.

Each case: the check id, the rows (written as JSON Lines, so line N is row N), options for
`datacheck.audit`, the expected status, and (optionally) the exact failing line numbers.
"""

from __future__ import annotations

import json


def tl(*labels: str, text: str = "ticket number {i} about an ordinary problem") -> list[dict]:
    return [{"text": text.format(i=i), "label": label} for i, label in enumerate(labels)]


def chat(*conversations: list[tuple[str, str]], **extra) -> list[dict]:
    return [
        {"messages": [{"role": r, "content": c, **extra.get(str(i), {})} for r, c in conv]}
        for i, conv in enumerate(conversations)
    ]


GOOD_TURNS = [("system", "be brief"), ("user", "hello there"), ("assistant", "hi, how can I help")]


def ext(*outputs: object) -> list[dict]:
    return [
        {"email": f"customer mail number {i} about an order", "output": json.dumps(o)
         if not isinstance(o, str) else o}
        for i, o in enumerate(outputs)
    ]  # fmt: skip


SMALL = {"thresholds": {"min_per_category": 3}}
SEMANTIC = {**SMALL, "semantic": True, "tokenizers": "cl100k_base"}

_INTENTS = {
    "weather": ["will it rain tomorrow", "what is the forecast for the weekend", "is it cold outside",
                "do I need an umbrella today", "how hot will it be this afternoon", "is snow expected tonight"],
    "alarm": ["wake me up at seven", "set an alarm for 6 am", "cancel my morning alarm",
              "set a wake up call for tomorrow", "turn off all my alarms", "change my alarm to eight"],
    "music": ["play some jazz", "put on my workout playlist", "skip this song",
              "turn the music up", "shuffle my favourite songs", "pause the music"],
}  # fmt: skip


def intents(flip: tuple[int, str] | None = None) -> list[dict]:
    """Six requests of each of three intents; `flip` gives row N another label."""
    rows = [{"text": t, "label": label} for label, texts in _INTENTS.items() for t in texts]
    if flip is not None:
        rows[flip[0]]["label"] = flip[1]
    return rows


GEN = {"task": "response_generation"}


def spans(*examples: tuple[str, list[tuple[int, int, str, str]]]) -> list[dict]:
    """Rasa-style rows: text, intent, and spans as (start, end, slot, value)."""
    return [
        {"text": text, "intent": "book" if i % 2 else "find",
         "entities": [{"start": a, "end": b, "entity": slot, "value": value}
                      for a, b, slot, value in annotated]}
        for i, (text, annotated) in enumerate(examples)
    ]  # fmt: skip


CITY = [(f"fly to paris on day {i}", [(7, 12, "city", "paris")]) for i in range(4)]


def proto(*examples: tuple[str, list[str], list[dict]]) -> list[dict]:
    """Rows as protobuf JSON exports write them: nested text, requested slots, and spans
    whose offsets sit in `valueSpan`, a 0 left out."""
    return [
        {"userInput": {"text": text}, "context": {"requestedSlots": requested}, "labels": labels}
        for text, requested, labels in examples
    ]


def people(start: int | None, end: int) -> dict:
    span = {"endIndex": end} if start is None else {"startIndex": start, "endIndex": end}
    return {"slot": "people", "valueSpan": span}


PEOPLE = [(f"for 4 people on day {i}", ["people"], [people(4, 12)]) for i in range(4)]
SPANS = {"thresholds": {"min_per_category": 1, "min_per_slot": 3, "min_examples": 3}}
UNRELATED = [
    "my invoice shows the wrong company address",
    "the mobile app crashes when I open settings",
    "please add a new admin to our workspace",
    "exports to csv are empty since yesterday",
    "can I switch to yearly billing for the team",
    "two factor codes arrive far too late",
]
EXTRACTION = {"thresholds": {"min_examples": 3, "min_per_output_value": 2}}
_ok = {"order_id": "1", "priority": "low"}
_hi = {"order_id": "2", "priority": "high"}

CASES = [
    # readable
    ("format.readable", "every line an object", tl(*"AAABBB"), SMALL, "pass", None),
    ("format.readable", "line 3 is an array",
     [*tl(*"AAABBB")[:2], ["not", "an object"], *tl(*"AAABBB")[2:]], SMALL, "fail", [3]),
    # volume
    ("volume.total", "enough", tl(*"AAABBB"), SMALL, "pass", None),
    ("volume.total", "too few", tl(*"AAABBB"), {"thresholds": {"min_per_category": 4}}, "fail", None),
    ("volume.per_category", "every category full", tl(*"AAABBB"), SMALL, "pass", None),
    ("volume.per_category", "B is short", tl(*"AAABB"), SMALL, "fail", None),
    ("volume.imbalance", "balanced", tl(*"AAABBB"), SMALL, "pass", None),
    ("volume.imbalance", "30 to 2", tl(*("A" * 30 + "BB")), {"thresholds": {"min_per_category": 1}}, "fail", None),
    # labels
    ("labels.missing", "all labelled", tl(*"AAABBB"), SMALL, "pass", None),
    ("labels.missing", "blank label on line 3", tl("A", "A", " ", "A", "B", "B", "B"), SMALL, "fail", [3]),
    ("labels.variants", "one spelling", tl(*"AAABBB"), SMALL, "pass", None),
    ("labels.variants", "'billing ' beside 'Billing'",
     tl("Billing", "Billing", "Billing", "billing ", "Tech", "Tech", "Tech"), SMALL, "fail", [4]),
    ("labels.undeclared", "declared", tl(*"AAABBB"), {**SMALL, "labels": ["A", "B"]}, "pass", None),
    ("labels.undeclared", "C undeclared", tl(*"AAABBBC"), {**SMALL, "labels": ["A", "B"]}, "fail", [7]),
    ("labels.unused", "all used", tl(*"AAABBB"), {**SMALL, "labels": ["A", "B"]}, "pass", None),
    ("labels.unused", "C unused", tl(*"AAABBB"), {**SMALL, "labels": ["A", "B", "C"]}, "fail", None),
    ("labels.singleton", "none alone", tl(*"AAABBB"), SMALL, "pass", None),
    ("labels.singleton", "C alone", tl(*"AAABBBC"), SMALL, "fail", [7]),
    ("labels.in_outputs", "consistent", ext(_ok, _ok, _hi, _hi), EXTRACTION, "pass", None),
    ("labels.in_outputs", "'High ' beside 'high'",
     ext(_ok, _ok, _ok, _hi, _hi, _hi, {"order_id": "3", "priority": "High "}), EXTRACTION, "fail",
     [7]),
    # format
    ("format.empty_text", "all filled", tl(*"AAABBB"), SMALL, "pass", None),
    ("format.empty_text", "line 2 empty",
     [{"text": "x y", "label": "A"}, {"text": "  ", "label": "A"}, *tl(*"AABBB")], SMALL, "fail", [2]),
    ("format.length_outliers", "uniform", tl(*"AAABBB"), SMALL, "pass", None),
    ("format.length_outliers", "one pasted log",
     [*tl(*"AAAABBBB"), {"text": "log line " * 2000, "label": "A"}], SMALL, "fail", [9]),
    ("format.length_outliers", "short utterances among short ones (an intent set)",
     [{"text": t, "label": "AB"[i % 2]} for i, t in enumerate(["yes", "bye!", "nope", "what is the weather like in paris today", "set an alarm for six am tomorrow", "turn the kitchen lights off please", "play some jazz"])],
     {"thresholds": {"min_per_category": 1}}, "pass", None),
    ("format.length_outliers", "a test row among e-mails",
     [*tl(*"AAAABBBB", text="Hello team, ticket {i}: " + "the export to csv has been failing since the last update. " * 4), {"text": "test", "label": "A"}],
     SMALL, "fail", [9]),
    # outputs
    ("format.output_length_outliers", "replies of one size", chat(GOOD_TURNS, GOOD_TURNS, GOOD_TURNS), GEN, "pass", None),
    ("format.output_length_outliers", "line 7 pastes an essay",
     chat(*[GOOD_TURNS] * 6, [*GOOD_TURNS[:2], ("assistant", " ".join(f"word{i}" for i in range(600)))]), GEN, "fail", [7]),
    ("format.output_repetition", "varied replies",
     chat(*[[*GOOD_TURNS[:2], ("assistant", " ".join(f"step {i} of the plan is number {i * 7}" for i in range(60)))]] * 2), GEN, "pass", None),
    ("format.output_repetition", "line 2 loops on one phrase",
     chat(GOOD_TURNS, [*GOOD_TURNS[:2], ("assistant", "I can help with that. " * 300)], GOOD_TURNS), GEN, "fail", [2]),
    ("format.chat_roles", "well formed", chat(GOOD_TURNS, GOOD_TURNS, GOOD_TURNS), EXTRACTION, "pass", None),
    ("format.chat_roles", "reply first and ends with user",
     chat(GOOD_TURNS, [("assistant", "hi"), ("user", "hello")], GOOD_TURNS), EXTRACTION, "fail", [2]),
    ("format.chat_openai", "accepted", chat(GOOD_TURNS, GOOD_TURNS, GOOD_TURNS), EXTRACTION, "pass", None),
    ("format.chat_openai", "unknown role on line 3",
     chat(GOOD_TURNS, GOOD_TURNS, [("user", "hi"), ("bot", "hello")]), EXTRACTION, "fail", [3]),
    ("format.json_parse", "all JSON", ext(_ok, _hi, _ok, _hi), EXTRACTION, "pass", None),
    ("format.json_parse", "line 2 is prose",
     ext(_ok, "order 2 is late", _ok, _hi, _hi), {**EXTRACTION, "task": "extraction"}, "fail", [2]),
    ("format.json_keys", "same keys", ext(_ok, _hi, _ok, _hi), EXTRACTION, "pass", None),
    ("format.json_keys", "line 3 misses priority",
     ext(_ok, _hi, {"order_id": "3"}, _ok, _hi), EXTRACTION, "fail", [3]),
    ("format.json_types", "one type per field", ext(_ok, _hi, _ok, _hi), EXTRACTION, "pass", None),
    ("format.json_types", "priority null where absent (optional, not a type)",
     ext(_ok, {"order_id": "2", "priority": None}, {"order_id": "3", "priority": None}, _hi), EXTRACTION, "pass", None),
    ("format.json_types", "priority as number on line 4",
     ext(_ok, _hi, _ok, {"order_id": "4", "priority": 2}, _hi), EXTRACTION, "fail", [4]),
    ("format.pc_conventions", "kept",
     [{"prompt": f"question {i}\n\n###\n\n", "completion": f" answer {i} END"} for i in range(10)],
     {"thresholds": {"min_examples": 1}}, "pass", None),
    ("format.pc_conventions", "line 10 lacks the separator",
     [{"prompt": f"question {i}\n\n###\n\n", "completion": f" answer {i} END"} for i in range(9)]
     + [{"prompt": "question 9", "completion": " answer 9 END"}],
     {"thresholds": {"min_examples": 1}}, "fail", [10]),
    # length
    ("length.context_window", "fits", tl(*"AAABBB"), SMALL, "pass", None),
    ("length.context_window", "line 4 is over Phi-2's window",
     [*tl(*"AAA"), {"text": "word " * 2100, "label": "B"}, *tl(*"BB")], {**SMALL, "model": "phi-2"}, "fail", [4]),
    # hygiene
    ("hygiene.exact_duplicates", "all distinct", tl(*"AAABBB"), SMALL, "pass", None),
    ("hygiene.exact_duplicates", "line 4 repeats line 1 (case and spaces aside)",
     [*tl(*"AAABBB"), {"text": "  TICKET number 0 about an ordinary problem", "label": "A"}], SMALL, "fail", [7]),
    ("hygiene.near_duplicates", "unrelated texts", [{"text": t, "label": "AB"[i % 2]} for i, t in enumerate(UNRELATED)], {"thresholds": {"min_per_category": 1}}, "pass", None),
    ("hygiene.near_duplicates", "order numbers differ (a category does not hang on them)",
     [{"text": f"please refund my order {n} it arrived broken", "label": "A"} for n in (123, 456, 789)] + [{"text": t, "label": "B"} for t in UNRELATED[:3]],
     {"thresholds": {"min_per_category": 1}}, "fail", [2, 3]),
    ("hygiene.near_duplicates", "extraction inputs differ by a number (the value to extract)",
     [{"email": f"please move my booking to {h} pm on friday the {d}th", "output": json.dumps({"time": f"{h} pm", "day": d})} for h, d in ((4, 12), (11, 12), (4, 19), (7, 3))],
     EXTRACTION, "pass", None),
    ("hygiene.near_duplicates", "lines 2 and 3 add a word or punctuation to line 1",
     [{"text": t, "label": "A"} for t in ("please refund my order 123 it arrived broken", "please refund my order 123 it arrived broken today", "please refund my order 123, it arrived broken!")] + [{"text": t, "label": "B"} for t in UNRELATED[:3]],
     {"thresholds": {"min_per_category": 1}}, "fail", [2, 3]),
    ("hygiene.near_duplicates", "short texts differ only by punctuation",
     [{"text": t, "label": "AB"[i % 2]} for i, t in enumerate(["yes", "yes!", "Yes.", "no way", "no way!", "bye now"])],
     {"thresholds": {"min_per_category": 1}}, "pass", None),
    ("hygiene.conflicting_labels", "consistent", tl(*"AAABBB"), SMALL, "pass", None),
    ("hygiene.conflicting_labels", "eval agrees with training", tl(*"AAABBB"),
     {**SMALL, "eval_rows": tl("A", text="ticket number {i} about an ordinary problem")}, "pass", None),
    ("hygiene.conflicting_labels", "eval labels a training text otherwise", tl(*"AAABBB"),
     {**SMALL, "eval_rows": tl("B", text="ticket number {i} about an ordinary problem")}, "fail", []),
    ("hygiene.conflicting_labels", "same text, two labels",
     [*tl(*"AAABBB"), {"text": "ticket number 0 about an ordinary problem", "label": "B"}], SMALL, "fail", [1, 7]),
    ("hygiene.leakage", "disjoint", tl(*"AAABBB"), {**SMALL, "eval_rows": tl("A", "B", text="eval ticket {i} unlike training")}, "pass", None),
    ("hygiene.leakage", "eval line 2 is a training text",
     tl(*"AAABBB"), {**SMALL, "eval_rows": [{"text": "fresh eval text", "label": "A"}, {"text": "TICKET number 3 about an ordinary problem ", "label": "B"}]}, "fail", [2]),
    ("hygiene.near_leakage", "disjoint", tl(*"AAABBB"), {**SMALL, "eval_rows": [{"text": UNRELATED[0], "label": "A"}]}, "pass", None),
    ("hygiene.near_leakage", "eval line 1 differs only by punctuation",
     [{"text": f"please refund my order {n} it arrived broken", "label": "AB"[n % 2]} for n in range(6)], {**SMALL, "thresholds": {"min_per_category": 1}, "eval_rows": [{"text": "please refund my order 5, it arrived broken!", "label": "A"}]}, "fail", [1]),
    ("hygiene.near_leakage", "eval line 1 differs by an order number",
     [{"text": f"please refund my order {n} it arrived broken", "label": "AB"[n % 2]} for n in range(6)], {**SMALL, "thresholds": {"min_per_category": 1}, "eval_rows": [{"text": "please refund my order 99 it arrived broken", "label": "A"}]}, "fail", [1]),
    ("hygiene.near_leakage", "eval line 1 asks another time (extraction)",
     [{"email": f"please move my booking to {h} pm on friday", "output": json.dumps({"time": f"{h} pm"})} for h in (1, 2, 3, 4, 5, 6)],
     {**EXTRACTION, "eval_rows": [{"email": "please move my booking to 9 pm on friday", "output": json.dumps({"time": "9 pm"})}]}, "pass", None),
    ("hygiene.label_drift", "same mix", tl(*"AAABBB"), {**SMALL, "eval_rows": tl("A", "B", text="eval {i}")}, "pass", None),
    ("hygiene.label_drift", "B missing from eval", tl(*"AAABBB"), {**SMALL, "eval_rows": tl("A", "A", text="eval {i}")}, "fail", None),
    # eval readiness
    ("eval.present", "an eval file", tl(*"AAABBB"), {**SMALL, "eval_rows": tl("A", "B", text="eval {i}")}, "pass", None),
    ("eval.present", "no eval data", tl(*"AAABBB"), SMALL, "fail", None),
    ("eval.label_coverage", "every label twice", tl(*"AAABBB"),
     {**SMALL, "thresholds": {"min_per_category": 3, "min_eval_per_label": 2}, "eval_rows": tl(*"AABB", text="eval {i}")}, "pass", None),
    ("eval.label_coverage", "B missing from eval", tl(*"AAABBB"),
     {**SMALL, "thresholds": {"min_per_category": 3, "min_eval_per_label": 1}, "eval_rows": tl(*"AA", text="eval {i}")}, "fail", None),
    ("eval.size", "400 rows measure 90% to ±3 points", tl(*"AAABBB"),
     {**SMALL, "eval_rows": tl(*("AB" * 200), text="eval {i}")}, "pass", None),
    ("eval.size", "6 rows do not", tl(*"AAABBB"), {**SMALL, "eval_rows": tl(*"AABBAB", text="eval {i}")}, "fail", None),
    ("eval.field_coverage", "both priorities in eval", ext(_ok, _hi, _ok, _hi),
     {**EXTRACTION, "thresholds": {**EXTRACTION["thresholds"], "min_eval_per_label": 1}, "eval_rows": ext(_ok, _hi)}, "pass", None),
    ("eval.field_coverage", "priority high missing from eval", ext(_ok, _hi, _ok, _hi),
     {**EXTRACTION, "thresholds": {**EXTRACTION["thresholds"], "min_eval_per_label": 1}, "eval_rows": ext(_ok, _ok)}, "fail", None),
    # consistency
    ("format.edge_whitespace", "clean edges", tl(*"AAABBB"), SMALL, "pass", None),
    ("format.edge_whitespace", "label 'A ' on line 2, input ' t' on line 5",
     [*tl("A", "A ", "A", "B"), {"text": " ticket 4", "label": "B"}, *tl("B")], SMALL, "fail", [2, 5]),
    ("format.chat_system", "every row has it", chat(GOOD_TURNS, GOOD_TURNS, GOOD_TURNS), {}, "pass", None),
    ("format.chat_system", "none has it", chat(GOOD_TURNS[1:], GOOD_TURNS[1:]), {}, "pass", None),
    ("format.chat_system", "line 3 lacks it",
     chat(GOOD_TURNS, GOOD_TURNS, GOOD_TURNS[1:]), {}, "fail", [3]),
    # spans
    ("format.span_offsets", "offsets cut their values", spans(*CITY), SPANS, "pass", None),
    ("format.span_offsets", "value elsewhere, offsets past the end",
     spans(*CITY, ("fly to rome", [(7, 11, "city", "roma")]), ("to oslo", [(3, 9, "city", "oslo")])),
     SPANS, "fail", [5, 6]),
    ("format.span_boundaries", "whole words", spans(*CITY), SPANS, "pass", None),
    ("format.span_boundaries", "half a word, a trailing space",
     spans(*CITY, ("fly to berlin", [(7, 10, "city", "ber")]), ("see lyon now", [(4, 9, "city", "lyon ")])),
     SPANS, "fail", [5, 6]),
    ("format.span_overlaps", "separate slots", spans(*CITY, ("fly to nice at noon", [(7, 11, "city", "nice"), (15, 19, "time", "noon")])),
     SPANS, "pass", None),
    ("format.span_overlaps", "one word, two slots",
     spans(*CITY, ("fly to nice", [(7, 11, "city", "nice"), (7, 11, "airport", "nice")])), SPANS, "fail", [5]),
    ("volume.per_slot", "3 of each slot", spans(*CITY[:3], ("at noon", []), ("at ten", [])), SPANS, "pass", None),
    ("volume.per_slot", "time in one example",
     spans(*CITY, ("fly to nice at noon", [(7, 11, "city", "nice"), (15, 19, "time", "noon")])), SPANS, "fail", None),
    ("volume.slot_imbalance", "3 city, 1 time", spans(*CITY[:3], ("at noon", [(3, 7, "time", "noon")])), SPANS, "pass", None),
    ("volume.slot_imbalance", "4 city, 1 time past a 2x bound",
     spans(*CITY, ("at noon", [(3, 7, "time", "noon")])),
     {"thresholds": {**SPANS["thresholds"], "max_imbalance_ratio": 2}}, "fail", None),
    ("hygiene.slot_drift", "eval like training", spans(*CITY),
     {**SPANS, "eval_rows": spans(("to paris now", [(3, 8, "city", "paris")]))}, "pass", None),
    ("hygiene.slot_drift", "time only in eval", spans(*CITY),
     {**SPANS, "eval_rows": spans(("at noon", [(3, 7, "time", "noon")]))}, "fail", None),
    ("labels.slot_variants", "one spelling", spans(*CITY), SPANS, "pass", None),
    ("labels.slot_variants", "'City' beside 'city'",
     spans(*CITY, ("fly to rome", [(7, 11, "City", "rome")])), SPANS, "fail", [5]),
    ("volume.without_spans", "1 of 5 without", spans(*CITY, ("hello", [])), SPANS, "pass", None),
    ("volume.without_spans", "3 of 5 without",
     spans(*CITY[:2], ("hello", []), ("hi there", []), ("good day", [])), SPANS, "fail", None),
    ("format.span_omitted_offsets", "every offset stated", proto(*PEOPLE), SPANS, "pass", None),
    ("format.span_omitted_offsets", "startIndex 0 left out",
     proto(*PEOPLE, ("4 people tonight", [], [people(None, 8)])), SPANS, "fail", [5]),
    ("format.repeated_list_items", "each slot once", proto(*PEOPLE), SPANS, "pass", None),
    ("format.repeated_list_items", "people requested twice",
     proto(*PEOPLE, ("for 2 people", ["people", "time", "people"], [people(4, 12)])), SPANS, "fail", [5]),
    # task
    ("task.hard_to_verify", "classification is fine", tl(*"AAABBB"), SMALL, "pass", None),
    ("task.hard_to_verify", "declared general QA", tl(*"AAABBB"), {**SMALL, "use_case": "general_qa"}, "fail", None),
    # semantic (the embedding model runs; see tests/checks/test_semantic.py for more)
    ("labels.suspect", "every label fits", intents(), SEMANTIC, "pass", None),
    ("labels.suspect", "rain asked of the music intent", intents(flip=(0, "music")), SEMANTIC, "fail", None),
    ("hygiene.paraphrases", "rewordings keep their label",
     intents() + [{"text": "could you play some jazz", "label": "music"}], SEMANTIC, "pass", None),
    ("hygiene.paraphrases", "a rewording under another label",
     intents() + [{"text": "is it going to rain tomorrow", "label": "alarm"}], SEMANTIC, "fail", [1, 19]),
    ("hygiene.semantic_leakage", "eval asks something else", intents(),
     {**SEMANTIC, "eval_rows": [{"text": "order a large pizza", "label": "music"}]}, "pass", None),
    ("hygiene.semantic_leakage", "eval rewords a training row", intents(),
     {**SEMANTIC, "eval_rows": [{"text": "is it going to rain tomorrow", "label": "weather"}]}, "fail", [1]),
]  # fmt: skip
