"""Property-based fuzzing of the readers and the CLI with files that mix valid and broken lines.

Which lines are broken is decided here by independent code (the standard library's `json` and
`csv`), never by datacheck's: every readable line must become a row, every other one a load
error that names it; the CLI must end with 0, 1 or 2 and a report that meets its schema.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import jsonschema
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import datacheck
from datacheck.cli import cli
from datacheck.load import load

SCHEMA = json.loads(
    (Path(datacheck.__file__).parent / "report" / "schema.json").read_text(encoding="utf-8")
)
FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same 300 files on every run: CI stays reproducible
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LABELS = ("billing", "network", "printer", "Billing ", "")
MAX_NESTING = 256  # the documented depth a record may nest

text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(',"\\;\t{}[]'),
    max_size=40,
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**130), 2**130)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def good_row(draw) -> bytes:
    row = {"text": draw(text), "label": draw(st.sampled_from(LABELS))}
    if draw(st.booleans()):
        row["extra"] = draw(json_values)
    return json.dumps(row, ensure_ascii=draw(st.booleans())).encode()


@st.composite
def bad_line(draw) -> bytes:
    kind = draw(st.sampled_from(BROKEN))
    row = draw(good_row())
    if kind == "truncated":
        return row[: draw(st.integers(1, len(row) - 1))]
    if kind == "not an object":
        return json.dumps(draw(st.one_of(st.integers(), text, st.lists(st.integers())))).encode()
    if kind == "invalid utf-8":
        at = draw(st.integers(0, len(row)))
        return row[:at] + draw(st.sampled_from([b"\xff", b"\xe9", b"\xc3", b"\x80"])) + row[at:]
    if kind == "nan":
        return b'{"text": "x", "label": "a", "score": ' + draw(st.sampled_from(NANS)) + b"}"
    if kind == "huge number":
        digits = draw(st.integers(39, 80))
        return b'{"text": "x", "label": "a", "n": ' + b"7" * digits + b"}"
    if kind == "deep":
        levels = draw(st.integers(MAX_NESTING, MAX_NESTING + 60))
        return b'{"text": "x", "label": "a", "d": ' + b"[" * levels + b"]" * levels + b"}"
    if kind == "repeated key":
        return b'{"text": "x", "label": "a", "label": "b"}'
    if kind == "lone surrogate":
        return b'{"text": "x \\ud83d y", "label": "a"}'
    return draw(st.binary(min_size=1, max_size=30)).replace(b"\n", b"")


BROKEN = (
    "truncated",
    "not an object",
    "invalid utf-8",
    "nan",
    "huge number",
    "deep",
    "repeated key",
    "lone surrogate",
    "garbage",
)
NANS = (b"NaN", b"Infinity", b"-Infinity")


@st.composite
def jsonl_file(draw) -> bytes:
    lines = draw(st.lists(good_row(), min_size=1, max_size=25))
    for _ in range(draw(st.integers(0, 6))):
        line = draw(st.one_of(bad_line(), st.sampled_from([b"", b"  ", b"\t\r"])))
        lines.insert(draw(st.integers(0, len(lines))), line)
    end = draw(st.sampled_from([b"\n", b"\r\n"]))
    return end.join(lines) + draw(st.sampled_from([b"", end]))


def _verdict(line: bytes) -> str:
    """'blank', 'good' or 'bad' for one JSON Lines line, by the standard library alone."""
    if not line.strip():
        return "blank"
    try:
        value = json.loads(
            line.decode("utf-8"),
            parse_constant=_refuse,
            parse_int=_whole,
            object_pairs_hook=_no_repeats,
        )
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # a lone surrogate cannot
    except (ValueError, UnicodeError, RecursionError):
        return "bad"
    if not isinstance(value, dict) or _depth(value) > MAX_NESTING:
        return "bad"
    return "good"


def _refuse(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _whole(digits: str) -> int:
    number = int(digits)
    if not -(2**127) <= number < 2**127:
        raise ValueError("no 128-bit column holds it")
    return number


def _no_repeats(pairs: list) -> dict:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key twice")
    return dict(pairs)


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def _expected(data: bytes) -> tuple[int, set[int]]:
    verdicts = [_verdict(line) for line in data.split(b"\n")]
    bad = {number for number, verdict in enumerate(verdicts, 1) if verdict == "bad"}
    return verdicts.count("good"), bad


def _check_load(path: Path, good: int, bad: set[int]) -> None:
    for slow in ("", "1"):  # the chunked fast path and the line-by-line one
        os.environ["DATACHECK_SLOW_PATHS"] = slow
        try:
            loaded = load(path)
        finally:
            os.environ.pop("DATACHECK_SLOW_PATHS", None)
        errors = [error.line for error in loaded.errors]
        assert {*errors} == bad, (slow, loaded.errors)
        assert len(errors) == len(bad)
        assert loaded.frame.height == good


@FUZZ
@given(data=jsonl_file())
def test_every_json_lines_line_is_a_row_or_an_error_that_names_it(tmp_path_factory, data):
    good, bad = _expected(data)
    if not good:
        return  # nothing readable: the CLI test covers the exit 2
    path = tmp_path_factory.mktemp("jsonl") / "d.jsonl"
    path.write_bytes(data)
    _check_load(path, good, bad)


@st.composite
def csv_file(draw) -> tuple[bytes, set[int], int]:
    field = st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\r\n\x00")
        | st.sampled_from(',";\t'),
        max_size=20,
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["text", "label"])
    lines = [out.getvalue().encode()]
    bad: set[int] = set()
    good = 0
    for number in range(2, draw(st.integers(2, 25)) + 2):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        kind = draw(st.sampled_from(["good", "good", "good", "short", "long", "utf-8", "blank"]))
        if kind == "blank":
            lines.append(b"\n")
            continue
        width = {"short": 1, "long": 3}.get(kind, 2)
        writer.writerow([draw(field) for _ in range(width)])
        line = out.getvalue().encode()
        if kind == "utf-8":
            line = b"\xe9" + line
        if kind == "good" and line.strip(b"\n").strip() == b"":
            lines.append(line)  # both fields empty: written as a blank-looking '""' or ','
        else:
            lines.append(line)
        if kind == "good":
            good += 1
        else:
            bad.add(number)
    return b"".join(lines), bad, good


@FUZZ
@given(case=csv_file())
def test_every_csv_row_is_a_row_or_an_error_that_names_it(tmp_path_factory, case):
    data, bad, good = case
    if not good:
        return
    path = tmp_path_factory.mktemp("csv") / "d.csv"
    path.write_bytes(data)
    # the same file read by the standard library: each physical line one record
    rows = list(csv.reader(io.StringIO(data.decode("utf-8", errors="replace"), newline="")))
    assert len(rows) == data.count(b"\n")
    loaded = load(path)
    assert {error.line for error in loaded.errors} == bad, loaded.errors
    assert loaded.frame.height == good


def _message(role: str, content: object) -> dict:
    return {"role": role, "content": content}


@st.composite
def chat_file(draw) -> tuple[bytes, set[int], int]:
    content = text | st.lists(
        st.fixed_dictionaries({"type": st.just("text"), "text": text}), min_size=1, max_size=2
    )
    rows = [
        {"messages": [_message("user", draw(content)), _message("assistant", draw(text))]}
        for _ in range(draw(st.integers(3, 20)))
    ]
    good = len(rows)
    for _ in range(draw(st.integers(0, (good - 1) // 2))):  # a minority, or it is not chat data
        broken = draw(
            st.sampled_from(
                [
                    {"messages": draw(text)},
                    {"messages": draw(st.integers())},
                    {"messages": [_message("user", "hi"), draw(st.integers() | text)]},
                ]
            )
        )
        rows.insert(draw(st.integers(0, len(rows))), broken)
    bad = {n for n, row in enumerate(rows, 1) if not _is_chat(row["messages"])}
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows), bad, good


def _is_chat(messages: object) -> bool:
    return isinstance(messages, list) and all(isinstance(m, dict) for m in messages)


@FUZZ
@given(case=chat_file())
def test_every_chat_row_is_a_conversation_or_an_error_that_names_it(tmp_path_factory, case):
    data, bad, good = case
    path = tmp_path_factory.mktemp("chat") / "chat.jsonl"
    path.write_bytes(data)
    loaded = load(path)
    assert {error.line for error in loaded.errors} == bad, loaded.errors
    assert loaded.frame.height == good
    assert loaded.frame.schema["messages"].inner.fields  # lists of message objects


@settings(FUZZ, max_examples=300)
@given(
    data=st.one_of(
        jsonl_file().map(lambda d: ("d.jsonl", d)),
        csv_file().map(lambda case: ("d.csv", case[0])),
        chat_file().map(lambda case: ("chat.jsonl", case[0])),
    )
)
def test_the_cli_ends_with_0_1_or_2_and_a_report_that_meets_its_schema(tmp_path_factory, data):
    name, content = data
    folder = tmp_path_factory.mktemp("cli")
    (folder / name).write_bytes(content)
    report = folder / "r.json"
    done = CliRunner().invoke(
        cli,
        [
            "audit", str(folder / name), "--no-html", "--no-config", "-q",
            "--tokenizers", "cl100k_base", "--json", str(report),
        ],
    )  # fmt: skip
    assert done.exit_code in (0, 1, 2), done.output
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    if done.exit_code == 2:
        assert done.output.startswith("Error: "), done.output
        assert not report.exists()
        return
    jsonschema.validate(json.loads(report.read_text(encoding="utf-8")), SCHEMA)
