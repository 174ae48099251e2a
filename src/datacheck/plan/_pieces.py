"""Token counts summed over a text's space-led pieces, each distinct piece counted once.

In the pre-tokenizing patterns of cl100k_base, o200k_base and Llama 3, a pre-token holds a
space only as its first character, or is whitespace throughout. So a space that follows a
character other than whitespace always begins a pre-token, and since BPE never merges across
pre-tokens, a text's count is the sum of the counts of its pieces cut before such spaces:
`"Where is it?"` counts as `"Where"` + `" is"` + `" it?"`. Texts repeat their words far more
than they repeat whole, so a counter remembers each piece's count from one slice of texts to
the next, and the tokenizer sees only pieces it has not counted yet: on the distinct texts of
a million rows of each bench generator, 0.2-0.5 of the CPU time of counting whole texts
(bench/README.md).

A text with a space after whitespace (two spaces, a newline then a space) is counted whole:
there a run of whitespace would be cut apart, and tiktoken splits such runs its own way. The
test for whitespace is wider than any Unicode version's, so no Unicode table can disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import polars as pl

#: a space after whitespace: White_Space, the two characters it once held (U+180E, U+200B)
#: and the separators Python counts as space (U+001C-U+001F)
_AFTER_WHITESPACE = r"[\s\x{180E}\x{200B}\x1c-\x1f] "
#: pieces a counter remembers before it starts afresh: about 12 MiB in polars' mapping. At a
#: million rows, `real` and `unique` never fill it (55,000 and 3,000 distinct pieces); one
#: thread counting all of `template` started afresh once, of the support tickets 9 times
_KNOWN_PIECES = 131_072
#: bytes of remembered pieces before it starts afresh: text without spaces is one long piece
_KNOWN_BYTES = 8 << 20


class PieceCounter:
    """Counts a slice of texts through its pieces, with `count` (any exact counter of a slice
    of texts, in order) run over the pieces it has not met in this or an earlier slice."""

    def __init__(self, count: Callable[[Any], list[int]]) -> None:
        self._count = count
        self._first = _KnownPieces(count, "")
        self._later = _KnownPieces(count, " ")

    def __call__(self, texts: Sequence[str] | pl.Series) -> list[int]:
        if not isinstance(texts, pl.Series) or len(texts) == 0:
            return self._count(texts)  # a list may hold what a Series cannot (lone surrogates)
        texts = texts.fill_null("")
        whole = texts.str.contains(_AFTER_WHITESPACE)
        counts = np.zeros(len(texts), dtype=np.int64)
        if whole.any():
            counts[np.flatnonzero(whole.to_numpy())] = self._count(texts.filter(whole))
        parts = texts.filter(~whole).str.split(" ")
        later = parts.list.slice(1)
        cut = self._first.counts(parts.list.first()) + _summed(
            self._later.counts(later.explode(empty_as_null=False)),
            later.list.len().to_numpy(),
        )
        counts[np.flatnonzero((~whole).to_numpy())] = cut
        return counts.tolist()


class _KnownPieces:
    """The counts of the pieces met so far, by each piece's code in a polars `Categories`
    mapping of its own: a slice's codes come from one cast, its known counts from one
    gather, and only the pieces new to the mapping go to `count`, `prefix` before each."""

    def __init__(self, count: Callable[[Any], list[int]], prefix: str) -> None:
        self._count, self._prefix = count, prefix
        self._forget()

    def _forget(self) -> None:
        self._dtype = pl.Categorical(pl.Categories.random())
        self._alive = pl.Series(dtype=self._dtype)  # polars keeps a mapping while data uses it
        self._known = np.empty(0, dtype=np.int64)  # by code; -1 for a piece not counted yet
        self._bytes = 0

    def counts(self, pieces: pl.Series) -> np.ndarray:
        """The count of each of `pieces` (no null among them), in order."""
        if len(self._known) > _KNOWN_PIECES or self._bytes > _KNOWN_BYTES:
            self._forget()
        codes = self._codes(pieces)
        if codes.size and codes.max() >= len(self._known):
            grown = np.full(codes.max() + 1, -1, dtype=np.int64)
            grown[: len(self._known)] = self._known
            self._known = grown
        each = self._known[codes]
        new = each < 0
        if new.any():
            fresh = pieces.filter(pl.Series(new)).unique()
            self._bytes += int(fresh.str.len_bytes().sum())
            text = self._prefix + fresh if self._prefix else fresh
            self._known[self._codes(fresh)] = self._count(text)
            each = self._known[codes]
        return each

    def _codes(self, pieces: pl.Series) -> np.ndarray:
        return pieces.cast(self._dtype).to_physical().to_numpy()


def _summed(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per run of `lengths` consecutive `values` (a run may be empty), their sum."""
    running = np.concatenate(([0], np.cumsum(values)))
    ends = np.cumsum(lengths)
    return running[ends] - running[ends - lengths]
