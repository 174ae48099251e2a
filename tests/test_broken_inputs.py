"""The broken-input corpus: each case runs the real CLI in a subprocess and must end with its
exit code, its message and its line numbers, no traceback, and the input untouched.

Small inputs live in `tests/data/broken/` (written by its `make_files.py`); big and special
ones (bombs, FIFOs, devices, links, folders) are built here in a temporary folder. The cases
run two at a time when the first of them is asked for, so the corpus costs half its time.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import DATA, NETGUARD, ROOT

BROKEN = DATA / "broken"


@dataclass(frozen=True)
class Case:
    id: str
    #: a file in tests/data/broken, a builder in BUILDERS ("make:name"), or a path as given
    input: str
    exit: int
    #: in stderr when the exit is 2; else in a load error, or a failing check, of the report
    message: str = ""
    #: the lines (records, rows) of the training input reported as unreadable
    lines: tuple[int, ...] = ()
    rows: int | None = None
    args: tuple[str, ...] = ()
    #: a configuration file in tests/data/broken, or its text
    config: str | None = None
    eval: str | None = None
    eval_lines: tuple[int, ...] = ()
    #: a file in tests/data/broken fed to standard input
    stdin: str | None = None


def _fifo(tmp: Path, writer: bool) -> tuple[Path, Callable[[], None] | None]:
    fifo = tmp / "feed.jsonl"
    os.mkfifo(fifo)
    if not writer:
        return fifo, None

    def write() -> None:
        with open(fifo, "wb") as handle:
            handle.write((BROKEN / "truncated-last-line.jsonl").read_bytes())

    return fifo, write


def _link(tmp: Path, target: str, name: str = "data.jsonl") -> Path:
    link = tmp / name
    link.symlink_to(target)
    return link


def _bomb(tmp: Path) -> Path:
    path = tmp / "bomb.jsonl.gz"
    path.write_bytes(gzip.compress(b"\0" * (70 * 2**20), compresslevel=1))
    return path


def _long_field(tmp: Path) -> Path:
    path = tmp / "long.jsonl"
    rows = [{"text": f"ticket {i}", "label": "ab"[i % 2]} for i in range(6)]
    rows[1]["text"] = "w" * 1_000_001
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _long_line(tmp: Path) -> Path:
    path = tmp / "lines.jsonl"
    rows = [{"text": f"ticket {i}", "label": "ab"[i % 2]} for i in range(8)]
    rows[4]["text"] = "v" * 5000
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _many_labels(tmp: Path) -> Path:
    path = tmp / "labels.jsonl"
    path.write_text(
        "".join(json.dumps({"text": f"ticket {i}", "label": f"l{i}"}) + "\n" for i in range(3000))
    )
    return path


def _folder(tmp: Path) -> Path:
    (tmp / "folder").mkdir()
    (tmp / "folder" / "a.jsonl").write_text('{"text": "a", "label": "b"}\n')
    return tmp / "folder"


def _saved(tmp: Path, damage: Callable[[Path], None]) -> Path:
    folder = tmp / "saved"
    folder.mkdir()
    (folder / "state.json").write_text(
        json.dumps({"_data_files": [{"filename": "data-00000-of-00001.arrow"}]})
    )
    (folder / "dataset_info.json").write_text("{}")
    damage(folder)
    return folder


def _arrow_cut(folder: Path) -> None:
    (folder / "data-00000-of-00001.arrow").write_bytes(b"ARROW1\0\0\xff\xff\xff\xff")


def _state_broken(folder: Path) -> None:
    (folder / "state.json").write_text("{not json")


def _unreadable(tmp: Path) -> Path:
    path = tmp / "secret.jsonl"
    path.write_bytes((BROKEN / "good.jsonl").read_bytes())
    path.chmod(0)
    return path


BUILDERS: dict[str, Callable[[Path], Path | tuple[Path, Callable[[], None] | None]]] = {
    "fifo-with-writer": lambda tmp: _fifo(tmp, writer=True),
    "fifo-no-writer": lambda tmp: _fifo(tmp, writer=False),
    "link-to-dev-zero": lambda tmp: _link(tmp, "/dev/zero"),
    "link-loop": lambda tmp: (_link(tmp, "loop.jsonl", "loop.jsonl"), None)[0],
    "dangling-link": lambda tmp: _link(tmp, "gone.jsonl"),
    "link-to-good": lambda tmp: _link(tmp, str(BROKEN / "good.jsonl")),
    "gzip-bomb": _bomb,
    "long-field": _long_field,
    "long-line": _long_line,
    "many-labels": _many_labels,
    "folder": _folder,
    "saved-arrow-cut": lambda tmp: _saved(tmp, _arrow_cut),
    "saved-state-broken": lambda tmp: _saved(tmp, _state_broken),
    "unreadable": _unreadable,
}

WAIT_SHORT = "[limits]\nstream_wait_seconds = 0.5\n"

CASES = [
    # encodings
    Case("cp1252 line", "cp1252-line3.jsonl", 1, "not valid UTF-8 (byte 0xe9", (3,)),
    Case("cp1252 csv row", "cp1252-row4.csv", 1, "not valid UTF-8 (byte 0xe9", (4,)),
    Case("cp1252 document", "cp1252-document.json", 1, "not valid UTF-8", (5,)),
    Case("utf-16 le bom", "utf16le-bom.jsonl", 1, rows=12),
    Case("utf-16 le no bom", "utf16le-nobom.jsonl", 1, rows=12),
    Case("utf-16 be bom csv", "utf16be-bom.csv", 1, rows=12),
    Case("utf-8 bom jsonl", "utf8-bom.jsonl", 1, rows=12),
    Case("utf-8 bom csv", "utf8-bom.csv", 1, rows=12),
    Case("lone surrogate", "lone-surrogate-line2.jsonl", 1, "half of a surrogate pair", (2,)),
    Case("nul byte", "nul-byte-line5.jsonl", 1, "invalid control character", (5,)),
    # truncation
    Case("truncated last line", "truncated-last-line.jsonl", 1, "unterminated string", (12,)),
    Case("truncated document", "truncated-document.json", 2, "invalid JSON: Unterminated"),
    Case("truncated gzip", "truncated.jsonl.gz", 2, "the gzip stream is damaged"),
    Case("truncated bz2", "truncated.jsonl.bz2", 2, "the bz2 stream is damaged"),
    Case("truncated xz", "truncated.jsonl.xz", 2, "the xz stream is damaged"),
    Case("truncated zstd", "truncated.jsonl.zst", 2, "the zstd stream is damaged"),
    Case("truncated parquet", "truncated.parquet", 2, "cannot be read as Parquet"),
    Case("unterminated quote", "unterminated-quote.csv", 1, "has 1 field but the header", (14,)),
    # compression
    Case("gzip bad line", "bad-line4.jsonl.gz", 1, "expecting property name", (4,)),
    Case("bz2 bad line", "bad-line4.jsonl.bz2", 1, "expecting property name", (4,)),
    Case("xz bad line", "bad-line4.jsonl.xz", 1, "expecting property name", (4,)),
    Case("zstd bad line", "bad-line4.jsonl.zst", 1, "expecting property name", (4,)),
    Case("gzip csv short row", "short-row5.csv.gz", 1, "has 1 field but the header", (5,)),
    Case("gzip with no .gz", "gzip-without-suffix.jsonl", 1, rows=12),
    Case("gzip twice", "double-gzip.jsonl.gz", 2, "is compressed twice"),
    Case("plain named .gz", "plain-named.jsonl.gz", 1, rows=12),
    Case("gzip bomb", "make:gzip-bomb", 2, "a compression bomb?"),
    Case("gzip bomb sampled", "make:gzip-bomb", 2, "a compression bomb?", args=("--sample", "5")),
    Case(
        "gzip csv sampled",
        "short-row5.csv.gz",
        1,
        "has 1 field but the header",
        (5,),
        rows=5,
        args=("--sample", "5"),
    ),  # fmt: skip
    # nesting
    Case("300 deep line", "nested-300-line6.jsonl", 1, "nested more than 256 levels", (6,)),
    Case("20000 deep line", "nested-20000-line2.jsonl", 1, "nested more than 256 levels", (2,)),
    Case("900 deep record", "nested-900-record7.json", 1, "nested more than 256 levels", (7,)),
    Case("20000 deep document", "nested-20000.json", 2, "datacheck reads up to 256"),
    # numbers
    Case("60-digit integer", "integer-60-digits-line4.jsonl", 1, "larger than a 128-bit", (4,)),
    Case("NaN", "nan-line3.jsonl", 1, "NaN is not a JSON value", (3,)),
    Case("Infinity in a document", "infinity-record2.json", 1, "Infinity is not a JSON", (2,)),
    Case("float overflow", "float-overflow-line2.jsonl", 1, rows=12),
    Case(
        "huge epochs option",
        "good.jsonl",
        2,
        "Invalid value for '--epochs'",
        args=("--epochs", "99999999999999999999"),
    ),  # fmt: skip
    Case(
        "huge epochs config", "good.jsonl", 2, "`epochs` must be at most", config="huge-epochs.toml"
    ),
    # types
    Case("array line", "array-line3.jsonl", 1, "found an array", (3,)),
    Case("string line", "string-line3.jsonl", 1, "found a string", (3,)),
    Case("null line", "null-line3.jsonl", 1, "found null", (3,)),
    Case("repeated key", "repeated-key-line5.jsonl", 1, "appears twice", (5,)),
    Case("labels of two kinds", "mixed-label-kinds.jsonl", 1, rows=12),
    Case("chat string messages", "chat-string-messages-line3.jsonl", 1, "instead of a list", (3,)),
    Case("chat number item", "chat-number-item-line4.jsonl", 1, "not a message (an object)", (4,)),
    Case("chat parts and strings", "chat-parts-and-strings.jsonl", 1, rows=12),
    Case(
        "chat string, parts, number",
        "chat-parts-string-and-number-line6.jsonl",
        1,
        "a number as its content",
        (3, 6),
        rows=10,
    ),  # fmt: skip
    Case("document string", "document-string.json", 2, "found a string"),
    Case("document two arrays", "document-two-arrays.json", 2, "holds several arrays (a, b)"),
    Case("document one object", "document-one-object.json", 2, "holds one object"),
    Case("document mixed records", "document-mixed-records.json", 1, "found a number", (5, 6)),
    Case("no objects", "no-objects.jsonl", 2, "no row could be read (3 problems"),
    Case("hf names not a list", "hf-bad-names.parquet", 1, rows=12),
    # sizes
    Case("empty jsonl", "empty.jsonl", 2, "contains no examples (the file is empty)"),
    Case("empty csv", "empty.csv", 2, "contains no examples (the file is empty)"),
    Case("blank lines", "blank-lines.jsonl", 2, "contains no examples"),
    Case("header only", "header-only.csv", 2, "has columns (text, label) but no rows"),
    Case("empty array", "empty-array.json", 2, "contains no examples"),
    Case("whitespace document", "whitespace.json", 2, "empty or only blank"),
    Case("empty parquet", "empty.parquet", 2, "cannot be read as Parquet"),
    Case("one row", "one-row.jsonl", 1, "1 example", rows=1),
    Case("field past the limit", "make:long-field", 1, "max_field_chars", (2,), rows=5),
    Case(
        "line past the limit sampled",
        "make:long-line",
        1,
        "max_line_bytes",
        (5,),
        rows=6,
        args=("--sample", "6"),
        config="[limits]\nmax_line_bytes = 1000\n",
    ),  # fmt: skip
    Case("3000 labels shown 100", "make:many-labels", 1, "l0 has 1", rows=3000),
    # delimited
    Case("\\r line ends", "cr-line-ends.csv", 1, rows=12),
    Case("short row", "short-row5.csv", 1, "has 1 field but the header has 2", (5,)),
    Case("extra fields", "extra-field-row4.csv", 1, "has 4 fields but the header has 2", (4,)),
    Case("duplicate header", "duplicate-header.csv", 1, rows=12),
    Case("semicolons", "semicolons.csv", 1, rows=12),
    Case("stray quote tsv", "stray-quote.tsv", 1, rows=12),
    # special files and streams
    Case("fifo with a writer", "make:fifo-with-writer", 1, "unterminated string", (12,), rows=11),
    Case(
        "fifo, no writer", "make:fifo-no-writer", 2, "no data arrived for 0.5 s", config=WAIT_SHORT
    ),
    Case(
        "stdin",
        "-",
        1,
        "unterminated string",
        (12,),
        rows=11,
        args=("--format", "jsonl"),
        stdin="truncated-last-line.jsonl",
    ),  # fmt: skip
    Case("stdin sniffed", "-", 1, "has 1 field but the header", (5,), stdin="short-row5.csv"),
    Case("stdin compressed", "-", 1, "expecting property name", (4,), stdin="bad-line4.jsonl.xz"),
    Case("stdin empty", "-", 2, "<stdin>: is empty", stdin="empty.jsonl"),
    Case("dev null", "/dev/null", 2, "/dev/null: is empty"),
    Case("dev zero", "/dev/zero", 2, "unknown format"),
    Case("link to dev zero", "make:link-to-dev-zero", 2, "line 1 is longer than 64 MiB"),
    Case(
        "dev urandom as csv",
        "/dev/urandom",
        2,
        "more than 1 MiB arrived",
        args=("--format", "csv"),
        config="[limits]\nmax_bytes = 1048576\n",
    ),  # fmt: skip
    Case("folder", "make:folder", 2, "is a folder"),
    Case("symlink loop", "make:link-loop", 2, "is a symbolic link in a loop"),
    Case("dangling symlink", "make:dangling-link", 2, "which does not exist"),
    Case("symlink to data", "make:link-to-good", 1, rows=12),
    Case("no such file", "missing.jsonl", 2, "no such file"),
    Case("saved dataset, arrow cut", "make:saved-arrow-cut", 2, "cannot be opened as a saved"),
    Case("saved dataset, bad state", "make:saved-state-broken", 2, "cannot be opened as a saved"),
    Case("unreadable file", "make:unreadable", 2, "Permission denied"),
    Case("unknown suffix", "cp1252.toml", 2, "unknown format"),
    # configuration and options
    Case("config not toml", "good.jsonl", 2, "not valid TOML", config="not-toml.toml"),
    Case("tool as a key", "good.jsonl", 2, "unknown key `tool`", config="tool-scalar.toml"),
    Case("unknown config key", "good.jsonl", 2, "unknown key `colour`", config="unknown-key.toml"),
    Case("bad limit", "good.jsonl", 2, "[limits] `max_ratio` must be", config="bad-limit.toml"),
    Case("config not utf-8", "good.jsonl", 2, "not valid UTF-8", config="cp1252.toml"),
    Case("epochs zero", "good.jsonl", 2, "Invalid value for '--epochs'", args=("--epochs", "0")),
    Case("sample zero", "good.jsonl", 2, "Invalid value for '--sample'", args=("--sample", "0")),
    Case("unknown task", "good.jsonl", 2, "Invalid value for '--task'", args=("--task", "poetry")),
    Case(
        "unknown format", "good.jsonl", 2, "Invalid value for '--format'", args=("--format", "xml")
    ),
    Case("format says csv", "good.jsonl", 2, "reads as JSON Lines", args=("--format", "csv")),
    Case("text field missing", "good.jsonl", 2, "body", args=("--text-field", "body")),
    Case("label field missing", "good.jsonl", 2, "queue", args=("--label-field", "queue")),
    Case(
        "json over the input",
        "good.jsonl",
        2,
        "refusing to write the report over the input",
        args=("--json", "INPUT"),
    ),
    Case("json into a folder", "good.jsonl", 2, "is a folder", args=("--json", ".")),
    Case("json to dev null", "good.jsonl", 1, rows=None, args=("--json", "/dev/null")),
    Case(
        "json where no file can be made",
        "good.jsonl",
        2,
        "cannot write the report in /proc",
        args=("--json", "/proc/datacheck/report.json"),
    ),  # fmt: skip
    Case("unknown tokenizer", "good.jsonl", 2, "unknown tokenizer", args=("--tokenizers", "gpt9")),
    # eval side
    Case("eval bad line", "good.jsonl", 1, "eval", eval="eval-bad-line2.jsonl", eval_lines=(2,)),
    Case(
        "eval other shape",
        "good.jsonl",
        2,
        "cannot be read like the training data",
        eval="eval-other-shape.jsonl",
    ),  # fmt: skip
    Case("eval missing", "good.jsonl", 2, "no such file", eval="missing.jsonl"),
    Case("eval empty", "good.jsonl", 2, "contains no examples", eval="empty.jsonl"),
    Case(
        "eval truncated gzip", "good.jsonl", 2, "gzip stream is damaged", eval="truncated.jsonl.gz"
    ),
]


def _prepare(case: Case, tmp: Path) -> tuple[list[str], Path | None, Callable[[], None] | None]:
    """The command line, the input file to watch, and a writer to start beside the run."""
    writer = None
    if case.input.startswith("make:"):
        made = BUILDERS[case.input.removeprefix("make:")](tmp)
        source, writer = made if isinstance(made, tuple) else (made, None)
        target = str(source)
    elif case.input in ("-",) or case.input.startswith("/dev/"):
        source, target = None, case.input
    else:
        source = BROKEN / case.input
        target = str(source)
    args = [target, "--no-html", "--tokenizers", "cl100k_base", "--json", str(tmp / "r.json")]
    args += [str(source) if a == "INPUT" else a for a in case.args]
    if "--tokenizers" in case.args:
        args[2:4] = []
    if case.config is not None:
        config = BROKEN / case.config
        if "\n" in case.config:
            config = tmp / "datacheck.toml"
            config.write_text(case.config)
        args += ["--config", str(config)]
    else:
        args.append("--no-config")
    if case.eval is not None:
        args += ["--eval", str(BROKEN / case.eval)]
    if "--json" in case.args:
        at = args.index("--json")
        del args[at : at + 2]
    return args, source, writer


def _run(case: Case, tmp: Path) -> dict:
    args, source, writer = _prepare(case, tmp)
    watched = [p for p in (source, BROKEN / case.eval if case.eval else None) if p]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in watched if _regular(p)}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(NETGUARD), str(ROOT / "src")])}
    env.pop("FORCE_COLOR", None)
    thread = threading.Thread(target=writer) if writer else None
    if thread:
        thread.start()
    stdin = (BROKEN / case.stdin).read_bytes() if case.stdin else None
    done = subprocess.run(
        [sys.executable, "-m", "datacheck", "audit", *args],
        cwd=tmp,
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=300,
    )
    if thread:
        thread.join()
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in before}
    report = tmp / "r.json"
    return {
        "exit": done.returncode,
        "stderr": done.stderr.decode(errors="replace"),
        "report": json.loads(report.read_text()) if report.exists() else None,
        "unchanged": before == after,
    }


def _regular(path: Path) -> bool:
    try:
        return path.is_file() and os.access(path, os.R_OK)
    except OSError:
        return False


_POOL: dict[str, Future] = {}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Every case started at once, two at a time: each test waits for its own."""
    with ThreadPoolExecutor(2) as pool:
        for index, case in enumerate(CASES):
            _POOL[case.id] = pool.submit(_run, case, tmp_path_factory.mktemp(f"case{index}"))
        yield _POOL
        for future in _POOL.values():
            future.cancel()


def test_the_corpus_is_large_and_every_case_is_named_once():
    assert len(CASES) >= 80
    assert len({case.id for case in CASES}) == len(CASES)
    used = {c.input for c in CASES} | {c.config for c in CASES} | {c.eval for c in CASES}
    used |= {c.stdin for c in CASES}
    on_disk = {p.name for p in BROKEN.iterdir()} - {"make_files.py", "README.md"}
    assert on_disk <= used, f"files no case uses: {sorted(on_disk - used)}"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_broken_input(case, results):
    if case.input == "make:unreadable" and os.geteuid() == 0:
        pytest.skip("root reads any file")
    outcome = results[case.id].result()
    stderr, report = outcome["stderr"], outcome["report"]
    assert "Traceback" not in stderr, stderr
    assert outcome["exit"] == case.exit, stderr
    assert outcome["unchanged"], "the input was modified"
    if case.exit == 2:
        assert case.message in stderr
        assert stderr.startswith("Error: ") or "Usage:" in stderr, stderr
        return
    if report is None:  # the JSON went elsewhere (the case names its own --json)
        return
    source = report["source"]
    assert tuple(e["line"] for e in source["load_errors"]) == case.lines
    if case.rows is not None:
        assert source["rows"] == case.rows
    if case.eval is not None:
        assert tuple(e["line"] for e in report["eval_source"]["load_errors"]) == case.eval_lines
    texts = [e["message"] for e in source["load_errors"]]
    texts += [c["message"] for c in report["checks"] if c["status"] == "fail"]
    texts += [json.dumps(c["details"]) for c in report["checks"] if c["status"] == "fail"]
    assert any(case.message in text for text in texts), texts
