"""Which format a file holds: by its name, or by its first bytes."""

from __future__ import annotations

from pathlib import Path

from datacheck.errors import InputError

#: how a compressed file's name ends; the name before it tells the format
COMPRESSED_SUFFIXES = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd", ".zstd": "zstd"}
_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def suffix_kind(path: Path) -> str | None:
    """The format `path`'s name tells (a compression suffix looked past), or None."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSED_SUFFIXES:
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    return None


def sniff_bytes(head: bytes, name: str) -> str:
    """The format a file's first bytes show; an error that says how to name it otherwise."""
    if head.startswith(b"PAR1"):
        return "parquet"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return "jsonl"
    if stripped.startswith(b"["):
        return "json"
    if b"\t" in head.split(b"\n", 1)[0]:
        return "tsv"
    if b"," in head.split(b"\n", 1)[0]:
        return "csv"
    if not head.strip():
        raise InputError(f"{name}: is empty (or only blank); there is nothing to audit.")
    raise InputError(
        f"{name}: unknown format. datacheck reads .jsonl, .json, .csv, .tsv, .parquet "
        "(optionally .gz, .bz2, .xz or .zst) and Hugging Face dataset folders; rename the "
        "file with one of these endings, or name its format with --format."
    )


def _is_text(head: bytes) -> bool:
    """Whether `head` is UTF-8 text, allowing a character cut at its end: binary noise that
    happens to start with a brace is no JSON document."""
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False


_NAMES = {"jsonl": "JSON Lines", "json": "a JSON document", "csv": "CSV", "tsv": "TSV"}
_NAMES["parquet"] = "Parquet"


def checked_format(format: str, head: bytes, name: str) -> str:
    """`format` as named by the user, unless the first bytes plainly show another: Parquet's
    magic, or an object or array where a table was named."""
    try:
        seen = sniff_bytes(head, name)
    except InputError:
        return format
    if seen in ("jsonl", "json") and not _is_text(head):
        return format
    tables = ("csv", "tsv")
    plainly_other = (seen == "parquet") != (format == "parquet") or (
        format in tables and seen in ("jsonl", "json")
    )
    if plainly_other and seen != format:
        raise InputError(
            f"{name}: --format {format} was given, but the file reads as {_NAMES[seen]}. "
            f"Give --format {seen}, or leave --format out."
        )
    return format
