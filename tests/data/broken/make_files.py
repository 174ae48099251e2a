"""Write the small broken inputs of this folder. Run it from anywhere; it rewrites them all.

Every file is made here, by this script, from made-up support tickets: no third-party data.
Big and special inputs (bombs, FIFOs, devices, links, folders) are built by the tests
themselves in a temporary folder (`tests/test_broken_inputs.py`).
"""

import bz2
import codecs
import gzip
import json
import lzma
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
LABELS = ("billing", "network", "printer")


def rows(n=12):
    return [
        {"text": f"ticket {i}: my {LABELS[i % 3]} problem number {i}", "label": LABELS[i % 3]}
        for i in range(n)
    ]


def jsonl(rows_):
    return "".join(json.dumps(r) + "\n" for r in rows_)


def with_lines(text, replacements):
    """`text` with 1-based lines replaced."""
    lines = text.splitlines(keepends=True)
    for number, line in replacements.items():
        lines[number - 1] = line
    return "".join(lines)


def csv_text(rows_, sep=","):
    return f"text{sep}label\n" + "".join(f"{r['text']}{sep}{r['label']}\n" for r in rows_)


def chat(i, content=None):
    return {
        "messages": [
            {"role": "user", "content": content if content is not None else f"question {i}?"},
            {"role": "assistant", "content": LABELS[i % 3]},
        ]
    }


def main():
    for old in HERE.iterdir():
        if old.name not in ("make_files.py", "README.md"):
            old.unlink() if old.is_file() else shutil.rmtree(old)
    good = jsonl(rows())
    files: dict[str, bytes | str] = {
        # encodings
        "utf16le-bom.jsonl": codecs.BOM_UTF16_LE + good.encode("utf-16-le"),
        "utf16be-bom.csv": codecs.BOM_UTF16_BE + csv_text(rows()).encode("utf-16-be"),
        "utf16le-nobom.jsonl": good.encode("utf-16-le"),
        "utf8-bom.jsonl": codecs.BOM_UTF8 + good.encode(),
        "utf8-bom.csv": codecs.BOM_UTF8 + csv_text(rows()).encode(),
        "lone-surrogate-line2.jsonl": with_lines(
            good, {2: '{"text": "bad \\ud800 half", "label": "billing"}\n'}
        ),
        "nul-byte-line5.jsonl": with_lines(good, {5: '{"text": "a\x00b", "label": "billing"}\n'}),
        "cp1252-document.json": json.dumps(rows())
        .replace("ticket 4", "caf\xe9 4")
        .encode("cp1252"),
        # truncation
        "truncated-last-line.jsonl": good[:-25],
        "truncated-document.json": json.dumps(rows())[:-30],
        "truncated.jsonl.gz": gzip.compress(good.encode())[:-20],
        "truncated.jsonl.bz2": bz2.compress(good.encode())[:-20],
        "truncated.jsonl.xz": lzma.compress(good.encode())[:-20],
        "truncated.jsonl.zst": pa.compress(good.encode(), "zstd", asbytes=True)[:-8],
        "unterminated-quote.csv": csv_text(rows()) + '"never closed,billing\n',
        # compression
        "bad-line4.jsonl.gz": gzip.compress(with_lines(good, {4: "{oops\n"}).encode()),
        "bad-line4.jsonl.bz2": bz2.compress(with_lines(good, {4: "{oops\n"}).encode()),
        "bad-line4.jsonl.xz": lzma.compress(with_lines(good, {4: "{oops\n"}).encode()),
        "bad-line4.jsonl.zst": pa.compress(
            with_lines(good, {4: "{oops\n"}).encode(), "zstd", asbytes=True
        ),
        "short-row5.csv.gz": gzip.compress(
            with_lines(csv_text(rows()), {5: "only one field\n"}).encode()
        ),
        "gzip-without-suffix.jsonl": gzip.compress(good.encode()),
        "double-gzip.jsonl.gz": gzip.compress(gzip.compress(good.encode())),
        "plain-named.jsonl.gz": good,
        # nesting
        "nested-300-line6.jsonl": with_lines(
            good, {6: '{"text": "deep", "label": "billing", "x": ' + "[" * 300 + "]" * 300 + "}\n"}
        ),
        "nested-900-record7.json": json.dumps(rows()).replace(
            '"ticket 6: my billing problem number 6"', "[" * 900 + "]" * 900
        ),
        "nested-20000.json": "[" * 20000 + "]" * 20000,
        "nested-20000-line2.jsonl": with_lines(
            good, {2: '{"text": "x", "label": "a", "d": ' + "[" * 20000 + "]" * 20000 + "}\n"}
        ),
        # numbers
        "integer-60-digits-line4.jsonl": with_lines(
            good, {4: '{"text": "big", "label": "billing", "n": ' + "9" * 60 + "}\n"}
        ),
        "nan-line3.jsonl": with_lines(good, {3: '{"text": "nan", "label": "billing", "s": NaN}\n'}),
        "infinity-record2.json": json.dumps(rows()).replace(
            '"ticket 1:', '"t", "s": Infinity, "x": "', 1
        ),
        "float-overflow-line2.jsonl": with_lines(
            good, {2: '{"text": "f", "label": "billing", "s": 1e400}\n'}
        ),
        # types
        "array-line3.jsonl": with_lines(good, {3: "[1, 2]\n"}),
        "string-line3.jsonl": with_lines(good, {3: '"just text"\n'}),
        "null-line3.jsonl": with_lines(good, {3: "null\n"}),
        "repeated-key-line5.jsonl": with_lines(
            good, {5: '{"text": "a", "label": "billing", "label": "network"}\n'}
        ),
        "mixed-label-kinds.jsonl": jsonl(
            [{**r, "label": i if i % 4 == 0 else r["label"]} for i, r in enumerate(rows())]
        ),
        "chat-string-messages-line3.jsonl": jsonl(
            [{"messages": "hello"} if i == 2 else chat(i) for i in range(12)]
        ),
        "chat-number-item-line4.jsonl": jsonl(
            [{"messages": [*chat(i)["messages"], 5]} if i == 3 else chat(i) for i in range(12)]
        ),
        "chat-parts-and-strings.jsonl": jsonl(
            [chat(i, [{"type": "text", "text": f"q {i}"}]) if i % 2 else chat(i) for i in range(12)]
        ),
        "chat-parts-string-and-number-line6.jsonl": jsonl(
            [
                {"messages": "hello"}
                if i == 2
                else chat(i, 7)
                if i == 5
                else chat(i, [{"type": "text", "text": f"q {i}"}])
                if i % 2
                else chat(i)
                for i in range(12)
            ]
        ),
        "document-string.json": '"not records"',
        "document-two-arrays.json": json.dumps({"a": rows(2), "b": rows(2)}),
        "document-one-object.json": json.dumps(rows(1)[0]),
        "document-mixed-records.json": json.dumps([*rows(4), 5, "x", *rows(3)]),
        "no-objects.jsonl": "1\n2\n[3]\n",
        # sizes
        "empty.jsonl": "",
        "empty.csv": "",
        "blank-lines.jsonl": "\n\n  \n\n",
        "header-only.csv": "text,label\n",
        "empty-array.json": "[]",
        "whitespace.json": "   \n\t\n",
        "one-row.jsonl": jsonl(rows(1)),
        "empty.parquet": "",
        # csv
        "cr-line-ends.csv": csv_text(rows()).replace("\n", "\r"),
        "short-row5.csv": with_lines(csv_text(rows()), {5: "only one field\n"}),
        "extra-field-row4.csv": with_lines(csv_text(rows()), {4: "a,b,c,d\n"}),
        "duplicate-header.csv": "text,label,label\n"
        + "".join(f"{r['text']},{r['label']},x\n" for r in rows()),
        "semicolons.csv": csv_text(rows(), ";"),
        "stray-quote.tsv": csv_text(rows(), "\t").replace("ticket 3", 'tick"et 3'),
        "cp1252-row4.csv": with_lines(csv_text(rows()), {4: "caf\xe9 au lait,billing\n"}).encode(
            "cp1252"
        ),
        # configuration files (used beside good.jsonl)
        "good.jsonl": good,
        "eval-bad-line2.jsonl": with_lines(jsonl(rows(4)), {2: "{broken\n"}),
        "eval-other-shape.jsonl": jsonl([{"prompt": "p", "completion": "c"}] * 3),
        "not-toml.toml": "[limits\nmax_bytes = 1\n",
        "tool-scalar.toml": 'tool = "datacheck"\n',
        "unknown-key.toml": "colour = 1\n",
        "bad-limit.toml": "[limits]\nmax_ratio = -3\n",
        "cp1252.toml": 'task = "classification" # caf\xe9\n'.encode("cp1252"),
        "huge-epochs.toml": "epochs = 99999999999999999999\n",
    }
    for name, content in files.items():
        data = content.encode() if isinstance(content, str) else content
        (HERE / name).write_bytes(data)
    latin = good.encode().splitlines(keepends=True)
    latin[2] = '{"text": "caf\xe9 cr\xe8me", "label": "billing"}\n'.encode("cp1252")
    (HERE / "cp1252-line3.jsonl").write_bytes(b"".join(latin))
    pq.write_table(pa.table({"text": ["a", "b"], "label": ["x", "y"]}), HERE / "tmp.parquet")
    whole = (HERE / "tmp.parquet").read_bytes()
    (HERE / "truncated.parquet").write_bytes(whole[: len(whole) // 2])
    (HERE / "tmp.parquet").unlink()
    table = pa.table({"text": [f"t {i}" for i in range(12)], "label": [0, 1, 2] * 4})
    metadata = b'{"info": {"features": {"label": {"_type": "ClassLabel", "names": 7}}}}'
    pq.write_table(
        table.replace_schema_metadata({b"huggingface": metadata}), HERE / "hf-bad-names.parquet"
    )


if __name__ == "__main__":
    main()
