"""Near-duplicate search: every pair of texts whose word-bigram Jaccard reaches a bound.

Texts (in their fuzzy form: see `fuzzy`) are cut into word bigrams, hashed by polars and
numpy; each text's distinct bigrams are packed into one numpy array. Candidate pairs come one
of two ways, and each is then verified with the exact Jaccard of its two sets, so a reported
similarity is never an estimate (when candidates are many, a 256-bit mark of each text first
rules out most that cannot reach the bound: see `_marks`):

- Prefix filtering (Bayardo, Ma and Srikant's All-Pairs, 2007). Order every text's bigrams
  rarest first: two texts with Jaccard at least t share a bigram among the first
  |A| - ceil(t |A|) + 1 of each. The pairs that share one are all the candidates, so no pair
  is missed. Used whenever they number at most `PAIRS_PER_TEXT` per text, which on real data
  they do (hwu64 0.5 per text; joined real utterances 3.1 at 100,000 rows and 24 at a
  million; one ticket template 0.6 at 100,000 and 18 at five million). A candidate whose
  first shared bigram leaves too few to reach t is dropped before it is verified.
- MinHash with locality-sensitive hashing otherwise (texts whose rarest bigrams are common,
  as when five million rows join a few thousand utterances): 32 affine permutations (numpy's
  `minimum.reduceat` over each text's bigrams), 8 bands of 4 rows, which put two texts with
  Jaccard 0.8 in a shared bucket with probability 1 - (1 - 0.8^4)^8 = 0.985. Only texts that
  share a prefix bigram with another are signed.

`bench/hygiene.py` prints recall, false-positive rate and speed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any, NamedTuple, TypeVar

import numpy as np
import polars as pl

from datacheck._perf import cores, in_order

T = TypeVar("T")

#: prefix filtering's candidates are all verified while they number at most this many per
#: text; beyond, MinHash picks the candidates. Measured on a million joined real utterances
#: (24 per text, 735k texts): past the prefixes, filtering and verifying cost 80 ns of CPU a
#: candidate, signing and bucketing 3.9 µs a text, so MinHash is cheaper from about 49 per
#: text; but it missed 2,000 of the 45,372 texts with a near duplicate there, and exact is
#: worth up to 1.3 times its cost
PAIRS_PER_TEXT = 64

#: an odd 64-bit multiplier (2^64 over the golden ratio): mixes one hash into another
MIX = 0x9E3779B97F4A7C15

#: no pairs: what every search returns when it finds none
NO_PAIRS = pl.DataFrame(schema={"a": pl.Int64, "b": pl.Int64, "sim": pl.Float64})

PERMUTATIONS = 32
BANDS = 8
ROWS_PER_BAND = PERMUTATIONS // BANDS
#: orderings of each bucket whose neighbours become candidates (besides the bucket's first id)
NEIGHBOUR_KEYS = 2
#: texts per batch (below 2^16: see SHINGLE_BITS): bounds memory at about 60 shingles x 8
#: bytes x this
CHUNK = 50_000
#: candidate pairs made, deduplicated and decoded at a time, shared by the blocks in flight
#: on several threads (see `_block`): bounds the memory of prefix
#: filtering's candidates at about 6 x 8 bytes x this beyond their distinct keys (a class
#: shared by many texts makes a larger block). 2^21 held 229 MiB at its peak on 1M template
#: rows and 184 on 1M joined real utterances (the audit's peak on both) and took 0.34-0.38
#: and 1.25-1.46 s; 2^18 held 54 and 52 MiB and took 0.26-0.29 and 0.73-0.99 s
PAIR_BLOCK = 2**18
#: candidate pairs verified at a time (at most 2^16): a few MB of keys, which stay in the
#: caches (2^16 took 0.94 s on a million real utterances' candidates, 2^13 0.72-0.76 s)
PAIR_CHUNK = 2**13


def fuzzy(expr: pl.Expr, *, numbers: bool = True) -> pl.Expr:
    """The looser form near-duplicate search uses, from an already normalized text (white
    space one space each): letters and numbers survive, each run of anything else becomes
    one space, spaces around it included (one regex pass: a second to collapse the spaces
    took 0.4 s more on a million texts). Numbers stay words because they are often what an
    example is about ("4pm" and "11 pm" are different times to extract); with
    `numbers=False` each becomes `0`, for data where they are incidental (order numbers in
    tickets to route)."""
    text = expr.str.replace_all(r"(?: ?[^\p{L}\p{N}\s]+)+ ?", " ")
    return text if numbers else text.str.replace_all(r"\p{N}+", "0")


def _coefficients() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20261125)
    a = rng.integers(1, 2**63, PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64)
    return a, b


def _shingles(texts: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(text id, shingle hash) of each word bigram of each text (the word itself for a
    one-word text), in the texts' order. Texts come in their fuzzy form: words one space
    apart. Words are hashed by polars, each list at once (no frame of words is made), and
    pairs of neighbours mixed by numpy."""
    words = texts["text"].fill_null("").str.split(" ").list.eval(pl.element().hash(seed=7))
    every = words.explode().to_numpy()
    # an empty word (two spaces in a row) is dropped here: a filter in polars costs as much
    # as the split and the hashing together
    real = every != pl.Series([""]).hash(seed=7).item()
    text = np.repeat(np.arange(texts.height), words.list.len().to_numpy())[real]
    hashes, count = every[real], np.bincount(text, minlength=texts.height)
    owner = texts["id"].to_numpy()[text]
    paired = np.zeros(hashes.size, dtype=bool)
    paired[:-1] = owner[1:] == owner[:-1]
    alone = np.repeat(count == 1, count)
    shingle = hashes.copy()
    with np.errstate(over="ignore"):  # (first x odd constant) xor second: order counts
        shingle[:-1] = (hashes[:-1] * np.uint64(MIX)) ^ hashes[1:]
    shingle[alone] = hashes[alone]
    keep = paired | alone
    return owner[keep], shingle[keep]  # repeats are harmless: sets are made of them next


class _Sets(NamedTuple):
    """Each text's distinct shingles, packed: `values[starts[i] : starts[i] + sizes[i]]`
    belong to text `ids[i]` (ids ascending), ascending within each text."""

    ids: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray
    values: np.ndarray


#: bits of a shingle hash kept; the key's other 16 bits say which text (or pair) it is in, so
#: one sort of plain 64-bit numbers orders shingles by text, then value (a two-column sort, or
#: polars' hash-based `unique`, costs 3-10x as much on 25M shingles)
SHINGLE_BITS = 48
_LOW = np.uint64(2**SHINGLE_BITS - 1)
_HIGH = np.uint64(SHINGLE_BITS)


def _sets(shingles: tuple[np.ndarray, np.ndarray]) -> _Sets:
    """The packed distinct shingle sets of a batch of at most `CHUNK` texts."""
    ids, hashes = shingles
    if ids.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return _Sets(empty, empty, empty, np.empty(0, dtype=np.uint64))
    first = np.r_[True, ids[1:] != ids[:-1]]
    place = (np.cumsum(first) - 1).astype(np.uint64)
    keys = _distinct((place << _HIGH) | (hashes >> np.uint64(64 - SHINGLE_BITS)))
    sizes = np.bincount((keys >> _HIGH).astype(np.int64), minlength=int(first.sum()))
    return _Sets(ids[first], np.cumsum(sizes) - sizes, sizes, keys & _LOW)


def _packed(texts: pl.DataFrame | list[pl.DataFrame]) -> _Sets:
    """The packed shingle sets of every text (ids ascending), a batch of texts at a time,
    each written into arrays made once: joining the batches' arrays at the end held every
    value twice (on 5M mostly unique chat rows, the audit's peak: 5,992 MiB then, 5,205
    now). The values' array is made as long as the texts' bytes allow, one word per two
    bytes, and only the part written is ever resident. A list of blocks (`text_blocks`) is
    emptied as it is read, so each block can be let go once shingled."""
    blocks = texts if isinstance(texts, list) else [texts]
    rows = sum(block.height for block in blocks)
    most = (sum(int(b["text"].str.len_bytes().sum() or 0) for b in blocks) + rows) // 2
    ids = np.empty(rows, dtype=np.int64)
    sizes = np.empty(rows, dtype=np.int64)
    values = np.empty(most, dtype=np.uint64)
    count = filled = 0
    step = max(CHUNK // _SMALLER, 1)
    blocks.reverse()  # taken from the end: each block leaves the list as it is read
    while blocks:
        block = blocks.pop()
        for first in range(0, block.height, step):
            part = _sets(_shingles(block.slice(first, step)))
            ids[count : count + part.ids.size] = part.ids
            sizes[count : count + part.ids.size] = part.sizes
            values[filled : filled + part.values.size] = part.values
            count, filled = count + part.ids.size, filled + part.values.size
        del block
    sizes = sizes[:count]
    return _Sets(ids[:count], np.cumsum(sizes) - sizes, sizes, values[:filled])


def _signatures(sets: _Sets, permutations: list[int]) -> dict[int, np.ndarray]:
    """MinHash values of every text under each of `permutations` (one array per
    permutation), a batch of texts at a time."""
    a, b = _coefficients()
    signature = {k: np.empty(sets.ids.size, dtype=np.uint64) for k in permutations}
    with np.errstate(over="ignore"):
        for first in range(0, sets.ids.size, CHUNK):
            sizes = sets.sizes[first : first + CHUNK]
            start = int(sets.starts[first])
            values = sets.values[start : start + int(sizes.sum())]
            starts = np.cumsum(sizes) - sizes
            for k in permutations:
                signature[k][first : first + CHUNK] = np.minimum.reduceat(
                    values * a[k] + b[k], starts
                )
    return signature


def _band_permutations(band: int) -> tuple[list[int], list[int]]:
    """The permutations whose values make `band`'s bucket key, and those that order each
    bucket (the first `NEIGHBOUR_KEYS` of the other bands)."""
    rows = list(range(band * ROWS_PER_BAND, (band + 1) * ROWS_PER_BAND))
    other = [c for c in range(PERMUTATIONS) if c // ROWS_PER_BAND != band][:NEIGHBOUR_KEYS]
    return rows, other


def _narrowed(sets: _Sets, keep: np.ndarray) -> _Sets:
    """The texts of `sets` where `keep` is true, their values written over the front of
    `sets`' own array, a batch of texts at a time: `sets` is not to be read after. A copy
    sat beside the whole sets for the rest of the search (on 5M chat rows of real
    utterances, 590 MB under the MinHash steps)."""
    filled = 0
    for entries, owner in _batches(sets):
        part = sets.values[entries][keep[owner]]
        sets.values[filled : filled + part.size] = part
        filled += part.size
    sizes = sets.sizes[keep]
    return _Sets(sets.ids[keep], np.cumsum(sizes) - sizes, sizes, sets.values[:filled])


#: bits in each text's mark: four 64-bit words
MARK_BITS = 256
_MARK_WORDS = MARK_BITS // 64
_WORD_BITS = _MARK_WORDS.bit_length() - 1
#: a shingle's word of the mark: the top bits of its hash, with the text's position above
_CELL = np.uint64(SHINGLE_BITS - _WORD_BITS)
#: a shingle's bit in its word: the 6 bits of its hash under those
_BIT = np.uint64(SHINGLE_BITS - _WORD_BITS - 6)


def _marks(sets: _Sets) -> np.ndarray:
    """Per text, a `MARK_BITS`-bit map with the bit of each of its shingles set (chosen by
    the top bits of its hash), one word per row. Shingles two texts share set the same
    bits, so the bits set in one map only are at most the shingles in one set only: a
    bound on their overlap that rules out most candidates before they are verified
    (Sandes, Teodoro and Melo's bitmap filter, 2020). A text's shingles ascend, so those
    of each word are one stretch, or-ed together at once."""
    marks = np.zeros((_MARK_WORDS, sets.ids.size), dtype=np.uint64)
    for first in range(0, sets.ids.size, CHUNK):
        sizes = sets.sizes[first : first + CHUNK]
        starts = np.cumsum(sizes) - sizes
        begin = int(sets.starts[first])
        values = sets.values[begin : begin + int(sizes.sum())]
        word = values >> _CELL
        begins = np.empty(values.size, dtype=bool)
        begins[0] = True
        np.not_equal(word[1:], word[:-1], out=begins[1:])
        begins[starts] = True  # sizes are never 0: each text starts a stretch
        begins = np.flatnonzero(begins)
        bits = np.left_shift(np.uint64(1), (values >> _BIT) & np.uint64(63))
        text = first + np.searchsorted(starts, begins, "right") - 1
        marks[word[begins].astype(np.int64), text] = np.bitwise_or.reduceat(bits, begins)
    return marks


#: bits of a text's position in the prefix entries `_prefixes` sorts: more texts than this
#: are never searched exactly (MinHash takes them all)
_OWNER_BITS = 24
_OWNERS = np.uint64(2**_OWNER_BITS - 1)
#: a bigram's class, what prefixes are compared on: a code of its frequency (exact to 31,
#: then one per power of two) and 28 bits of its hash
_HASH_BITS = 28
_CODE_BITS = 6
_CLASS_BITS = _CODE_BITS + _HASH_BITS
_CLASS = np.uint64(_CLASS_BITS)
_CLASSES = np.uint64(2**_CLASS_BITS - 1)
#: bits of a bigram's rank in its text's prefix, kept beside its class for the positional
#: filter (a longer prefix's later ranks read as the last one: a looser bound, never wrong)
_RANK_BITS = 6
_RANK = np.uint64(_OWNER_BITS)
_RANKS = 2**_RANK_BITS - 1
_RUN = np.uint64(_OWNER_BITS + _RANK_BITS)


def _always() -> bool:
    return True


def _block() -> int:
    """Candidate pairs in one block: `PAIR_BLOCK` shared by the blocks `_in_threads` may
    have in flight at once, so that the search's memory does not grow with the cores."""
    return max(PAIR_BLOCK // cores(), 1)


def _in_threads(
    work: Callable[[Any], T], items: Iterable[Any], alone: Callable[[], bool] = _always
) -> Iterator[T]:
    """`work(item)` of each of `items`, in order: in the caller's thread while `alone()` is
    false, and on as many threads as there are cores once it is true (it is asked before
    each item is taken), one item in flight per thread. numpy lets go of the GIL in the
    work's sorts and arithmetic, so the threads use the cores; but tokenizing needs the
    second core until it is done, and a search that ran on two beside it was 9-13% slower
    on 5M mostly unique or ticket rows. Once alone, on 5M template rows (where the search
    ends 54 s after tokenizing), the prefixes took 15.2 s instead of 21.1, the candidates
    8.2 instead of 14.5, and verification 10.6 instead of 16.9."""
    workers = cores()
    return in_order(work, items, workers, lambda: workers if alone() else 1)


class _Prefixes(NamedTuple):
    """The texts that share a prefix class (`owners`, positions in the sets), as runs:
    `owners[starts[i] : starts[i] + sizes[i]]` share one class, ascending; `ranks` says
    where in its text's prefix each one's bigram of that class sits."""

    owners: np.ndarray
    ranks: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray

    def pair_count(self) -> int:
        return int((self.sizes * (self.sizes - 1) // 2).sum())

    def texts(self, count: int) -> np.ndarray:
        """Per text of `count`, whether it shares a prefix class with another."""
        shared = np.zeros(count, dtype=bool)
        shared[self.owners] = True
        return shared

    def pairs(
        self,
        sets: _Sets,
        groups: np.ndarray,
        threshold: float,
        alone: Callable[[], bool] = _always,
    ) -> np.ndarray:
        """Every pair of positions (a < b) in one group sharing a prefix class that may reach
        `threshold`, once, as `_pair_keys`, ascending; made a block of runs at a time, so
        only the distinct keys are ever held whole (a pair sharing several classes is
        proposed by each). Texts of two groups can share a class by chance, never a
        bigram."""
        block = np.cumsum(self.sizes * (self.sizes - 1) // 2) // _block()
        cuts = np.split(np.arange(self.sizes.size), np.flatnonzero(np.diff(block)) + 1)
        found = list(
            _in_threads(
                lambda cut: _distinct(self._run_pairs(cut, sets.sizes, groups, threshold)),
                (cut for cut in cuts if cut.size),
                alone,
            )
        )
        return _distinct(np.concatenate(found)) if found else np.empty(0, dtype=np.uint64)

    def _run_pairs(
        self, runs: np.ndarray, set_sizes: np.ndarray, groups: np.ndarray, threshold: float
    ) -> np.ndarray:
        """The pair keys of the runs at `runs` (consecutive) that pass the positional filter
        (Xiao et al.'s PPJoin, 2008): if the class two texts share is the first they share,
        no more of their bigrams can match than follow it in the shorter remainder; a pair
        whose first shared class leaves too few is dropped unseen, and a pair proposed by a
        later class is kept by its first. The remainder is at most the smaller set, so the
        filter also drops every pair `_verified`'s size filter would."""
        begin = int(self.starts[runs[0]])
        end = int(self.starts[runs[-1]] + self.sizes[runs[-1]])
        sizes, owners, ranks = self.sizes[runs], self.owners[begin:end], self.ranks[begin:end]
        ends = np.cumsum(sizes)
        later = np.repeat(ends, sizes) - np.arange(owners.size) - 1
        first = np.repeat(np.arange(owners.size), later)
        second = first + 1 + np.arange(first.size) - np.repeat(np.cumsum(later) - later, later)
        a, b = owners[first], owners[second]
        size_a, size_b = set_sizes[a], set_sizes[b]
        needed = _overlap_needed(threshold, size_a, size_b)
        room = 1 + np.minimum(size_a - 1 - ranks[first], size_b - 1 - ranks[second])
        keep = (a != b) & (room >= needed) & (groups[a] == groups[b])
        return _pair_keys(a, b)[keep]


def _overlap_needed(threshold: float, size_a: np.ndarray, size_b: np.ndarray) -> np.ndarray:
    """The fewest shared bigrams two sets of these sizes need for a Jaccard of `threshold`:
    |A & B| / (|A| + |B| - |A & B|) >= t when |A & B| >= t / (1 + t) (|A| + |B|)."""
    return np.ceil(threshold / (1 + threshold) * (size_a + size_b) - 1e-9)


def _prefixes(
    sets: _Sets, groups: np.ndarray, threshold: float, alone: Callable[[], bool] = _always
) -> _Prefixes:
    """Each text's prefix under one order of all bigrams, rarest first, and the texts that
    share a bigram of it, by class: a bigram's class is its frequency within its group
    (coded, see `_codes`) and 28 bits of its hash. Two texts sharing a bigram share its
    class, and the class order is one order of all bigrams, so matching prefixes on classes
    misses no pair; a class shared by chance only adds a candidate, which verification
    drops. A bigram no other text of its group has comes first in its text and can match
    nothing: it is counted, never sorted (on mostly unique texts, nine in ten)."""
    size = sets.sizes
    length = size - np.ceil(threshold * size - 1e-9).astype(np.int64) + 1
    keys = _prefix_entries(sets, groups.astype(np.uint64) * np.uint64(MIX), length, alone)
    run = keys >> _RUN
    cut = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])
    del run
    sizes = np.diff(np.r_[cut, keys.size])
    keys = keys[np.repeat(sizes > 1, sizes)]
    sizes = sizes[sizes > 1]
    owners = (keys & _OWNERS).astype(np.int32)  # below 2^24
    ranks = ((keys >> _RANK) & np.uint64(_RANKS)).astype(np.int8)  # below 2^6
    return _Prefixes(owners, ranks, np.cumsum(sizes) - sizes, sizes)


def _tokens(values: np.ndarray, mixed: np.ndarray) -> np.ndarray:
    """Each bigram's token: its shingle mixed with its group's code, times an odd multiplier
    (every bit reaches the top ones, which are counted and cut into classes)."""
    with np.errstate(over="ignore"):
        return (values ^ mixed) * np.uint64(0xBF58476D1CE4E5B9)


#: bits of a token counted for its bigram's frequency: one 4-byte array as long as every
#: entry is sorted, where 8-byte keys with each entry's text were (at 1M template rows
#: 110 MB instead of 220, beside the shingle sets: the audit's peak)
_COUNTED = 32
#: most bits of the table that holds frequency codes (64 MiB)
_MOST_TABLE_BITS = 26
#: batches of `CHUNK // _SMALLER` texts where each makes ten or so arrays as long as its
#: entries or words: a few MB each, not 12 MB each as a `CHUNK` of texts would (shingling
#: a `CHUNK` at a time put 40-60 MiB of them on top of `real`'s peak at 1M rows, and was
#: no faster)
_SMALLER = 8
#: buckets of the code table per shared token. At 1M template rows (3.6M shared tokens),
#: 4 per token let 870k candidates through to verification, 16 let 641k (567k with exact
#: counts), and took 2.7-2.8 s with the search's verification, against 2.9-3.4 s
_SPREAD = 16


class _Codes(NamedTuple):
    """Frequency codes looked up by the top bits of a token: per bucket, the highest code of
    the shared bigrams in it, 0 where there is none. A code is a function of the token, so
    every text orders its bigrams by the same order; a bigram whose bucket it shares with a
    common one only reads as more common, and one that no other text has but shares a
    bucket with one that is shared is sorted like a shared one: a longer search, never a
    missed pair."""

    table: np.ndarray
    shift: np.uint64

    def of(self, token: np.ndarray) -> np.ndarray:
        return self.table[token >> self.shift]


def _codes(sets: _Sets, mixed: np.ndarray) -> _Codes:
    """The frequency codes of every bigram some other text of its group shares, counted on
    the top `_COUNTED` bits of their tokens, in a table `_SPREAD` times as long as they are
    many, up to `_MOST_TABLE_BITS` (so about one bigram in sixteen that no other text has
    reads as shared; at 5M template rows, one in four)."""
    counted = np.empty(sets.values.size, dtype=np.uint32)
    for entries, owner in _batches(sets, CHUNK // _SMALLER):
        token = _tokens(sets.values[entries], mixed[owner])
        counted[entries] = token >> np.uint64(64 - _COUNTED)
    counted.sort()  # numpy's AVX-512/AVX2 quicksort (x86-simd-sort), in place
    shared, codes = _shared_tokens(counted)
    del counted
    wanted = int(np.ceil(np.log2(max(_SPREAD * shared.size, 2))))
    bits = min(_MOST_TABLE_BITS, max(16, wanted))
    table = np.zeros(2**bits, dtype=np.uint8)
    np.maximum.at(table, shared >> np.uint32(_COUNTED - bits), codes)
    return _Codes(table, np.uint64(64 - bits))


def _shared_tokens(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of the sorted tokens `ordered`, each one found more than once, and its frequency
    code; a batch at a time, each ending where a token's run does."""
    tokens, codes = [np.empty(0, dtype=ordered.dtype)], [np.empty(0, dtype=np.uint8)]
    start = 0
    while start < ordered.size:
        stop = min(start + CHUNK * 4, ordered.size)
        stop = int(np.searchsorted(ordered, ordered[stop - 1], "right"))
        part = ordered[start:stop]
        begins = np.flatnonzero(np.r_[True, part[1:] != part[:-1]])
        count = np.diff(begins, append=part.size)
        many = count > 1
        tokens.append(part[begins[many]])
        codes.append(_frequency_code(count[many]).astype(np.uint8))
        start = stop
    return np.concatenate(tokens), np.concatenate(codes)


def _prefix_entries(
    sets: _Sets, mixed: np.ndarray, length: np.ndarray, alone: Callable[[], bool] = _always
) -> np.ndarray:
    """Each text's prefix entries (class, rank, text), sorted by class: a batch of texts at
    a time, each text's shared bigrams ordered by class (`_codes`, with `mixed`, each text's
    group mixed in) after its bigrams no other text has (which `rank` counts first), the
    first `length` of each kept. Written into one array as long as every prefix could be,
    of which only the part written is ever resident, and sorted where it is once the code
    table is let go (a sorted copy beside the table was 110 MiB at 1M template rows)."""
    codes = _codes(sets, mixed)
    out = np.empty(int(np.minimum(length, sets.sizes).sum()), dtype=np.uint64)
    filled = 0

    entries_of = partial(_batch_entries, sets, mixed, length, codes)
    for part in _in_threads(entries_of, _batches(sets, CHUNK // _SMALLER), alone):
        out[filled : filled + part.size] = part
        filled += part.size
    del codes, entries_of
    return _sorted_in_place(out[:filled])


def _batch_entries(
    sets: _Sets,
    mixed: np.ndarray,
    length: np.ndarray,
    codes: _Codes,
    batch: tuple[slice, np.ndarray],
) -> np.ndarray:
    """`_prefix_entries`' entries of one batch of texts (`_batches`), in their order."""
    entries, owner = batch
    first = int(owner[0])
    local = owner - first
    count = int(local[-1]) + 1
    token = _tokens(sets.values[entries], mixed[owner])
    code = codes.of(token)
    shared = code > 0
    alone = np.bincount(local[~shared], minlength=count)
    key = (
        (local[shared].astype(np.uint64) << _CLASS)
        | (code[shared].astype(np.uint64) << np.uint64(_HASH_BITS))
        | _class_hashes(token[shared])
    )
    key.sort()
    whose = (key >> _CLASS).astype(np.int64)
    held = np.bincount(whose, minlength=count)
    rank = alone[whose] + np.arange(key.size) - (np.cumsum(held) - held)[whose]
    inside = rank < length[first : first + count][whose]
    return (
        ((key[inside] & _CLASSES) << _RUN)
        | (np.minimum(rank[inside], _RANKS).astype(np.uint64) << _RANK)
        | (first + whose[inside]).astype(np.uint64)
    )


def _class_hashes(token: np.ndarray) -> np.ndarray:
    """`_HASH_BITS` of each bigram's token (its top ones): which class it falls in among
    the bigrams of its frequency code."""
    return token >> np.uint64(64 - _HASH_BITS)


def _frequency_code(count: np.ndarray) -> np.ndarray:
    """A bigram's frequency in `_CODE_BITS` bits, in the same order: exact below 32, then
    one code per power of two (which common bigram comes first matters little)."""
    coarse = 27 + np.log2(np.maximum(count, 1)).astype(np.int64)
    code = np.where(count < 32, count, np.minimum(coarse, 2**_CODE_BITS - 1))
    return code.astype(np.uint64)


def _batches(sets: _Sets, texts: int = CHUNK) -> Iterator[tuple[slice, np.ndarray]]:
    """(slice of entries, each entry's text) for `texts` texts at a time: numpy
    over a few MB at once stays in the caches, and no array as long as all entries is made
    but the one being written."""
    texts = max(texts, 1)
    for first in range(0, sets.ids.size, texts):
        sizes = sets.sizes[first : first + texts]
        start = int(sets.starts[first])
        owner = np.repeat(np.arange(first, first + sizes.size), sizes)
        yield slice(start, start + owner.size), owner


def _sorted_in_place(values: np.ndarray) -> np.ndarray:
    """`values` (64-bit, unsigned), sorted where they are, and returned. numpy sorts with
    x86-simd-sort's AVX-512 or AVX2 quicksort: 13M keys took 0.17 s on one core here,
    where polars took 0.29-0.42 s on two and wrote a copy as large."""
    values.sort()
    return values


def _gather(sets: _Sets, where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys `(position in where) << SHINGLE_BITS | shingle` of every shingle of the texts at
    positions `where` of `sets`, ascending, and each text's size."""
    sizes = sets.sizes[where]
    owner = np.repeat(np.arange(where.size, dtype=np.uint64), sizes)
    offsets = np.repeat(sets.starts[where] - np.cumsum(sizes) + sizes, sizes)
    return (owner << _HIGH) | sets.values[offsets + np.arange(offsets.size)], sizes


def _where(sets: _Sets) -> np.ndarray:
    """Indexed by text id (every id in `sets`): where that text sits in `sets`."""
    where = np.zeros(int(sets.ids[-1]) + 1 if sets.ids.size else 0, dtype=np.int64)
    where[sets.ids] = np.arange(sets.ids.size)
    return where


def _verified(
    sets: _Sets,
    where_a: np.ndarray,
    where_b: np.ndarray,
    threshold: float,
    marks: np.ndarray | None = None,
) -> pl.DataFrame:
    """The pairs of texts at positions `where_a`, `where_b` of `sets` whose exact Jaccard,
    `sim`, reaches `threshold`, by id. A pair whose sets differ in size by more than the
    threshold allows, or (given `_marks`) whose marks leave too few shingles to share, is
    dropped unseen; for the rest, both sides' keys are ascending runs, merged into one
    order where a shared shingle is two equal neighbours."""
    size_a, size_b = sets.sizes[where_a], sets.sizes[where_b]
    fits = np.minimum(size_a, size_b) >= threshold * np.maximum(size_a, size_b) - 1e-9
    where_a, where_b = where_a[fits], where_b[fits]
    if marks is not None:
        size_a, size_b = size_a[fits], size_b[fits]
        unshared = sum(np.bitwise_count(np.take(m, where_a) ^ np.take(m, where_b)) for m in marks)
        needed = _overlap_needed(threshold, size_a, size_b)
        may = (size_a + size_b - unshared) // 2 >= needed  # the most they can share
        where_a, where_b = where_a[may], where_b[may]
    kept_a, kept_b, kept_sim = [], [], []
    for start in range(0, where_a.size, PAIR_CHUNK):
        part_a, part_b = where_a[start : start + PAIR_CHUNK], where_b[start : start + PAIR_CHUNK]
        keys_a, sizes_a = _gather(sets, part_a)
        keys_b, sizes_b = _gather(sets, part_b)
        merged = np.sort(np.concatenate([keys_a, keys_b]), kind="stable")  # two runs: a merge
        # a pair's keys sit together, and keys of two pairs never match: each pair's shared
        # shingles are the equal neighbours in its stretch
        equal = np.r_[merged[1:] == merged[:-1], False]
        stretch = np.cumsum(sizes_a + sizes_b) - sizes_a - sizes_b
        shared = np.add.reduceat(equal, stretch, dtype=np.int64)
        similarity = shared / (sizes_a + sizes_b - shared)
        good = similarity >= threshold
        kept_a.append(sets.ids[part_a[good]])
        kept_b.append(sets.ids[part_b[good]])
        kept_sim.append(similarity[good])
    if not kept_a:
        return NO_PAIRS
    return pl.DataFrame(
        {"a": np.concatenate(kept_a), "b": np.concatenate(kept_b), "sim": np.concatenate(kept_sim)},
        schema=NO_PAIRS.schema,
    ).sort("a", "b")


def _verified_keys(
    sets: _Sets, keys: np.ndarray, threshold: float, alone: Callable[[], bool] = _always
) -> pl.DataFrame:
    """`_verified` of pairs of positions given as `_pair_keys`, a block at a time."""
    marks = _marks_worth(sets, keys.size)
    size = _block()
    found = list(
        _in_threads(
            lambda start: _verified(sets, *_unpacked(keys[start : start + size]), threshold, marks),
            range(0, keys.size, size),
            alone,
        )
    )
    return pl.concat(found).sort("a", "b") if found else NO_PAIRS


def _marks_worth(sets: _Sets, candidates: int) -> np.ndarray | None:
    """`_marks(sets)` when the candidates are many enough to repay them: marks cost 8-14 ns
    a shingle (0.23 s for 29M), and spare verifying most candidates that fail, about 0.5 µs
    each. On a million real utterances' 1.75M candidates verification, marks included, went
    from 0.72 to 0.24 s; on 5M template rows' 16.7M, from 9.8 to 6.1-7.0 s."""
    return _marks(sets) if candidates >= sets.ids.size else None


class Near(NamedTuple):
    """Verified pairs of text ids (`a` < `b`, `sim`), and how candidates were found."""

    pairs: pl.DataFrame
    exact: bool


class Shingled(NamedTuple):
    """What the search needs of the texts: their packed shingle sets, and each one's group."""

    sets: _Sets
    groups: np.ndarray


def shingled(
    texts: pl.DataFrame | list[pl.DataFrame], groups: np.ndarray | None = None
) -> Shingled:
    """`texts` (`id`, `text`, in the fuzzy form: words one space apart, no punctuation) as
    the search takes them. `groups`: one code per text (in `texts`' order) when only texts
    of one group can pair. The texts can be let go once this returns: at a million rows
    they weigh as much as the search's largest array. Given as `text_blocks`, they are let
    go block by block as they are read (the list is emptied)."""
    blocks = texts if isinstance(texts, list) else [texts]
    ids = text_ids(blocks)
    if groups is None:
        groups = np.zeros(ids.len(), dtype=np.uint64)
    if not ids.is_sorted():
        order = ids.arg_sort()
        whole = pl.concat(blocks)[order]
        blocks.clear()
        blocks, ids, groups = [whole], ids[order], groups[order.to_numpy()]
        del whole
    sets = _packed(blocks)
    return Shingled(sets, groups[np.searchsorted(ids.to_numpy(), sets.ids)])


def text_ids(texts: pl.DataFrame | list[pl.DataFrame]) -> pl.Series:
    """The ids of `texts` (one frame, or `text_blocks`), in order."""
    blocks = texts if isinstance(texts, list) else [texts]
    return pl.concat([b["id"] for b in blocks]) if blocks else pl.Series("id", [], pl.Int64)


def text_blocks(texts: pl.DataFrame) -> list[pl.DataFrame]:
    """`texts` a `CHUNK` of rows at a time, for `shingled` to let go of one by one (chunks
    of `texts` that hold buffers of their own are freed as they are read): whoever hands
    the list over should hold `texts` no longer."""
    return [texts.slice(i, CHUNK) for i in range(0, texts.height, CHUNK)]


def near_pairs(texts: pl.DataFrame, threshold: float, groups: np.ndarray | None = None) -> Near:
    """Pairs of text ids (a < b) whose exact shingle Jaccard, `sim`, reaches `threshold`.
    `groups`: one code per text (in `texts`' order) when only texts of one group can pair
    (extraction: the same output); frequencies are then counted within groups, and MinHash
    buckets never mix them."""
    return search(shingled(texts, groups), threshold)


def search(shingles: Shingled, threshold: float, alone: Callable[[], bool] | None = None) -> Near:
    """`near_pairs` of texts already shingled. When MinHash takes over, the texts it needs
    are narrowed down in place: `shingles` can be searched once. `alone`: whether the
    search has the cores to itself, from which point it uses them all (`_in_threads`);
    always, if not given."""
    alone = alone or _always
    sets, groups = shingles
    if sets.ids.size < 2:
        return Near(NO_PAIRS, True)
    if sets.ids.size < 2**_OWNER_BITS:
        prefixes = _prefixes(sets, groups, threshold, alone)
        if prefixes.pair_count() <= PAIRS_PER_TEXT * sets.ids.size:
            keys = prefixes.pairs(sets, groups, threshold, alone)
            del prefixes
            return Near(_verified_keys(sets, keys, threshold, alone), True)
        keep = prefixes.texts(sets.ids.size)
        del prefixes
        sets, groups = _narrowed(sets, keep), groups[keep]
    return Near(_minhash(sets, groups, threshold), False)


def _minhash(sets: _Sets, groups: np.ndarray, threshold: float) -> pl.DataFrame:
    """Verified pairs among candidates that share a MinHash band in one group."""
    owner = sets.ids
    if owner.size < 2:
        return NO_PAIRS
    salt = groups.astype(np.uint64) * np.uint64(0xBF58476D1CE4E5B9)
    found = []
    # each band's values are made when it needs them and let go after the last band that
    # reads them: all 32 at once took 256 bytes a text (870 MB for 5M joined real
    # utterances' 3.4M texts), a band at a time about 50
    signature: dict[int, np.ndarray] = {}
    for band in range(BANDS):
        rows, other = _band_permutations(band)
        missing = [c for c in (*rows, *other) if c not in signature]
        signature.update(_signatures(sets, missing))
        key = signature[rows[0]].copy()
        with np.errstate(over="ignore"):
            for column in rows[1:]:
                key = (key * np.uint64(MIX)) ^ signature[column]
            key ^= salt
        # In a bucket, each member is paired with the bucket's lowest id and with its
        # neighbours when the bucket is ordered by the other bands' hashes, which puts the
        # most alike next to each other: a large bucket mixing several templates would
        # otherwise compare each text only with one that may belong to another template.
        bucket = pl.DataFrame({"key": key, "b": owner, **{f"o{c}": signature[c] for c in other}})
        first = bucket.with_columns(pl.col("b").min().over("key").alias("a"))
        first = first.filter(pl.col("a") != pl.col("b"))
        parts = [_pair_keys(first["a"].to_numpy(), first["b"].to_numpy())]
        for column in other:
            ordered = bucket.sort("key", f"o{column}", "b")
            near = ordered.select(pl.col("b").shift(1).alias("a"), "b").filter(
                pl.col("a").is_not_null() & (ordered["key"].shift(1) == ordered["key"])
            )
            parts.append(_pair_keys(near["a"].to_numpy(), near["b"].to_numpy()))
        # each band's pairs as 64-bit keys, repeats dropped at once: where one template
        # fills whole buckets, every band proposes the same pairs again
        found.append(_distinct(np.concatenate(parts)))
        del bucket, first, parts
        later = {c for b in range(band + 1, BANDS) for part in _band_permutations(b) for c in part}
        signature = {c: values for c, values in signature.items() if c in later}
    candidates = _distinct(np.concatenate(found))
    del found
    # a block of candidates at a time: verifying makes about ten arrays as long as the pairs
    # it is given, some 0.8 GB for the 10M candidates of 5M joined real utterances at once
    where = _where(sets)
    marks = _marks_worth(sets, candidates.size)
    verified = []
    for start in range(0, candidates.size, PAIR_BLOCK):
        a, b = (where[side] for side in _unpacked(candidates[start : start + PAIR_BLOCK]))
        one_group = groups[a] == groups[b]  # buckets of two groups can meet by chance
        if one_group.any():
            verified.append(_verified(sets, a[one_group], b[one_group], threshold, marks))
    return pl.concat(verified).sort("a", "b") if verified else NO_PAIRS


def _pair_keys(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairs of text ids or positions (below 2^32) as one 64-bit key each, the smaller
    first: sorting the keys orders the pairs, and equal keys are the same pair."""
    low, high = np.minimum(a, b).astype(np.uint64), np.maximum(a, b).astype(np.uint64)
    return (low << np.uint64(32)) | high


def _unpacked(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two sides of `_pair_keys`."""
    return (keys >> np.uint64(32)).astype(np.int64), (keys & np.uint64(2**32 - 1)).astype(np.int64)


def _distinct(keys: np.ndarray) -> np.ndarray:
    """`keys` sorted (in place), each once."""
    ordered = _sorted_in_place(keys)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if ordered.size else ordered
