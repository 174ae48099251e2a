import json
import random
from collections import defaultdict

import polars as pl
import pytest

import datacheck
from datacheck.checks._hygiene import analyse, near_duplicate_clusters, normalized
from tests.conftest import SAMPLES, write_jsonl


def _frame(texts, labels=None, split="train"):
    n = len(texts)
    return pl.DataFrame(
        {
            "example_id": list(range(n)),
            "source_line": list(range(1, n + 1)),
            "split": [split] * n,
            "input_text": texts,
            "target_text": labels or ["x"] * n,
            "label": labels or ["x"] * n,
        }
    )


# characters the fast forms must treat as the plain definitions do: white space of every kind
# (lone, in runs, at the ends), NFKC-sensitive letters, non-ASCII letters, digits, punctuation
_TRICKY = (
    " |  |\t|\n|\r\n|\u00a0|\u2003|\u3000|\u0085|\u2028|ﬁ|Ａ|①|é|e\u0301|ẞ|Σ|漢|🙂|a|Z|7|.|-|'|"
).split("|")


def test_fast_text_forms_equal_their_plain_definitions():
    from datacheck.checks._hygiene import _fuzzy_key

    rng = random.Random(5)
    texts = ["".join(rng.choice(_TRICKY) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    texts += [None, "plain ascii text", "  two  spaces  "]
    t = pl.col("t")
    plain = (
        t.fill_null("").str.normalize("NFKC").str.to_lowercase()
        .str.replace_all(r"\s+", " ").str.strip_chars()
    )  # fmt: skip
    frame = pl.DataFrame({"t": texts}).with_columns(plain.alias("plain"))
    got = frame.select(
        normalized(t).alias("fast"),
        pl.col("plain"),
        _fuzzy_key(pl.col("plain")).alias("fuzzy_fast"),
        _fuzzy_key(pl.col("plain"), numbers=False).alias("zeros_fast"),
        # punctuation runs to spaces, then white space collapsed: two passes, one regex each
        pl.col("plain").str.replace_all(r"[^\p{L}\p{N}\s]+", " ")
        .str.replace_all(r"\s+", " ").str.strip_chars().alias("fuzzy"),
    )  # fmt: skip
    assert got["fast"].to_list() == got["plain"].to_list()
    assert got["fuzzy_fast"].to_list() == got["fuzzy"].to_list()
    zeros = got.select(pl.col("fuzzy").str.replace_all(r"\p{N}+", "0"))["fuzzy"]
    assert got["zeros_fast"].to_list() == zeros.to_list()
    assert got["fuzzy"].str.contains("  ").sum() == 0 and got["fuzzy"].n_unique() > 500
    assert got["plain"].n_unique() > 1000


def test_normalization_is_nfkc_casefold_and_whitespace():
    values = pl.DataFrame({"t": ["Ｒｅｆｕｎｄ  ME\t", "refund me"]}).select(
        normalized(pl.col("t"))
    )
    assert values["t"].to_list() == ["refund me", "refund me"]


def test_punctuation_makes_near_duplicates_numbers_and_unrelated_texts_do_not():
    near = _frame(["refund my order 123 now", "Refund my order #123, now!"])
    assert [c["lines"] for c in near_duplicate_clusters(near)] == [[1, 2]]
    values = _frame(["alarm at 4 pm for the meeting", "alarm at 11 pm for the meeting"])
    assert near_duplicate_clusters(values) == []  # numbers are the values to extract
    apart = _frame(["refund my order 123", "the app crashes on start"])
    assert near_duplicate_clusters(apart) == []


def test_numbers_can_be_incidental():
    tickets = _frame(["refund my order 123 now please", "refund my order 456 now please"])
    assert near_duplicate_clusters(tickets) == []
    masked = analyse(tickets, task="classification", numbers=False)
    assert [c["lines"] for c in masked.near_clusters] == [[1, 2]]
    assert "numbers as 0" in masked.settings["near_method"]


def test_texts_under_four_words_are_compared_exactly_only():
    short = _frame(["yes", "yes!", "Yes.", "no way", "no way!", "ok then fine", "ok then, fine"])
    assert near_duplicate_clusters(short) == []
    four = _frame(["ok then fine thanks", "ok then, fine thanks!"])
    assert [c["lines"] for c in near_duplicate_clusters(four)] == [[1, 2]]


def test_extraction_near_duplicates_need_the_same_output():
    texts = [
        "please turn off the wemo plug socket",
        "turn off the wemo plug socket",
        "turn off the wemo plug socket please",
    ]
    targets = ['{"device": "wemo plug"}', '{"device": "wemo plug"}', '{"device": "socket"}']
    frame = _frame(texts).with_columns(pl.Series("target_text", targets))
    alike = analyse(frame, task="extraction", same_target=False)
    assert [c["lines"] for c in alike.near_clusters] == [[1, 2, 3]]
    same = analyse(frame, task="extraction", same_target=True)
    assert [c["lines"] for c in same.near_clusters] == [[1, 2]]
    assert same.near_redundant_lines == [2]
    assert "only examples with the same output" in same.settings["near_method"]


def test_near_duplicate_similarity_is_exact_jaccard():
    words = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike "
             "november oscar papa quebec romeo sierra tango").split()  # fmt: skip
    a, b = " ".join(words), " ".join([*words[:19], "changed"])
    clusters = near_duplicate_clusters(_frame([a, b]), threshold=0.8)
    # 19 bigrams each, 18 shared: 18 / 20
    assert clusters and clusters[0]["similarity"] == 0.9


def test_leakage_is_found_on_normalized_text():
    train = _frame(["Refund my order", "Where is my parcel"], ["a", "b"])
    evals = _frame(["  REFUND   my ORDER ", "something new"], ["a", "b"], split="eval")
    frame = pl.concat([train, evals]).with_columns(pl.int_range(pl.len()).alias("example_id"))
    result = analyse(frame, task="classification")
    assert result.leakage["rows"] == 1
    assert result.leakage["pairs"] == [{"eval_line": 1, "train_lines": [1]}]


def test_volume_counts_unique_examples(tmp_path):
    rows = [{"text": f"billing ticket {i} text", "label": "A"} for i in range(10)]
    rows += [{"text": f"tech ticket {i} text", "label": "B"} for i in range(9)]
    rows.append({"text": "TECH ticket 0 text", "label": "B"})  # a duplicate makes B look full
    result = datacheck.audit(
        write_jsonl(tmp_path / "d.jsonl", rows), thresholds={"min_per_category": 10}
    )
    check = next(c for c in result.to_dict()["checks"] if c["id"] == "volume.per_category")
    assert check["status"] == "fail" and check["details"]["short"][0]["category"] == "B"
    assert check["details"]["short"][0]["count"] == 9


def test_sample_duplicates_and_conflicts_are_found_with_their_lines():
    groups: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for number, line in enumerate((SAMPLES / "tickets.jsonl").read_text().splitlines(), 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if row["text"].strip():
            key = " ".join(row["text"].lower().split())
            groups[key][" ".join(row["department"].lower().split())].append(number)
    duplicate_lines = sorted(
        line for g in groups.values() for lines in g.values() for line in lines[1:]
    )
    conflict_lines = sorted(
        line for g in groups.values() if len(g) > 1 for lines in g.values() for line in lines
    )
    checks = {c["id"]: c for c in datacheck.audit(SAMPLES / "tickets.jsonl").to_dict()["checks"]}
    assert checks["hygiene.exact_duplicates"]["row_count"] == len(duplicate_lines) == 24
    assert checks["hygiene.exact_duplicates"]["rows"] == duplicate_lines
    assert checks["hygiene.conflicting_labels"]["rows"] == conflict_lines
    assert len(conflict_lines) == 6


def test_sample_eval_leakage_reports_exactly_the_planted_rows():
    spec = __import__("importlib.util").util.spec_from_file_location(
        "make_samples", SAMPLES / "make_samples.py"
    )
    module = __import__("importlib.util").util.module_from_spec(spec)
    spec.loader.exec_module(module)
    train, evals = module.make_tickets(random.Random(module.SEED))
    train_keys = {" ".join(t["text"].lower().split()) for t in train}
    planted = [
        i for i, e in enumerate(evals, 1) if " ".join(e["text"].lower().split()) in train_keys
    ]
    result = datacheck.audit(SAMPLES / "tickets.jsonl", eval_source=SAMPLES / "tickets_eval.jsonl")
    leak = next(c for c in result.to_dict()["checks"] if c["id"] == "hygiene.leakage")
    assert leak["rows"] == planted and len(planted) == 12
    report = result.to_dict()["hygiene"]
    assert report["leakage"]["rows"] == 12
    assert all(p["train_lines"] for p in report["leakage"]["pairs"])


def test_templated_texts_in_one_large_bucket_are_all_clustered():
    # One sentence with a few words varied: LSH buckets hold several templates at once, and
    # pairing each text only with its bucket's first member used to miss about half of them.
    rng = random.Random(5)
    choices = [
        ["refund", "return", "exchange", "credit", "voucher", "replacement"],
        ["blender", "lamp", "jacket", "kettle", "chair", "monitor", "backpack", "phone"],
        ["quickly", "today", "soon", "now", "promptly"],
        ["thanks", "regards", "cheers", "best", "bye"],
    ]
    texts = set()
    while len(texts) < 600:
        a, b, c, d = (rng.choice(w) for w in choices)
        texts.add(f"hello team i would like a {a} for the {b} i bought last week it stopped "
                  f"working after two days please help {c} and i am not happy {d}")  # fmt: skip
    texts = sorted(texts)
    found = {line for c in near_duplicate_clusters(_frame(texts)) for line in c["lines"]}

    words = [t.split() for t in texts]
    grams = [set(zip(w, w[1:], strict=False)) for w in words]
    should = {
        i + 1
        for i, a in enumerate(grams)
        for j, b in enumerate(grams)
        if i != j and len(a & b) / len(a | b) >= 0.8
    }
    assert should and should <= found


def test_near_duplicates_do_not_depend_on_the_slices_they_are_computed_in(monkeypatch):
    from datacheck.checks import _near as hygiene

    rng = random.Random(3)
    words = "refund order parcel late broken screen blue shoes size kettle lamp warranty".split()
    base = [" ".join(rng.choice(words) for _ in range(12)) for _ in range(40)]
    texts = [*base, *(t.replace(t.split()[3], "swapped", 1) for t in base[:20])]
    frame = _frame(texts)
    whole = near_duplicate_clusters(frame)
    monkeypatch.setattr(hygiene, "CHUNK", 7)
    monkeypatch.setattr(hygiene, "PAIR_CHUNK", 3)
    assert whole and near_duplicate_clusters(frame) == whole


@pytest.mark.parametrize("shared_first_half", [False, True])
def test_fuzzy_groups_follow_the_whole_key(shared_first_half):
    """Rows are grouped on the first 64 bits of the key unless two texts share them, which
    the second half reveals: then on the whole key."""
    from datacheck.checks._hygiene import _fuzzy_groups

    first = [7, 7, 7, None] if shared_first_half else [7, 8, 7, None]
    rows = pl.DataFrame(
        {
            "example_id": [0, 1, 2, 3],
            "_fuzzy": ["refund order", "broken lamp", "refund order", None],
            "_f1": first,
            "_f2": [1, 2, 1, None],
        },
        schema_overrides={"_f1": pl.UInt64, "_f2": pl.UInt64},
    )
    keyed, texts, targets = _fuzzy_groups(rows)
    assert targets is None
    assert keyed["fid"].to_list() == [0, 1, 0, None]
    assert texts["text"].to_list() == ["refund order", "broken lamp"]
    assert "_fuzzy" not in keyed.columns


def test_fuzzy_groups_with_targets_survive_a_shared_mixed_key():
    """With targets, groups are first found by one 64-bit key mixing the fuzzy key with the
    target's; two rows whose mixed keys collide still get groups of their own."""
    from datacheck.checks._hygiene import _fuzzy_groups
    from datacheck.checks._near import MIX

    f, t, u = 5, 11, 23
    colliding = f ^ (t * MIX % 2**64) ^ (u * MIX % 2**64)  # f ^ t*M == colliding ^ u*M
    rows = pl.DataFrame(
        {
            "example_id": [0, 1, 2],
            "_fuzzy": ["refund my order", "broken lamp here", "refund my order"],
            "_f1": [f, colliding, f],
            "_f2": [1, 2, 1],
            "_t1": [t, u, t],
            "_t2": [3, 4, 3],
        },
        schema_overrides=dict.fromkeys(("_f1", "_f2", "_t1", "_t2"), pl.UInt64),
    )
    keyed, texts, targets = _fuzzy_groups(rows, by_target=True)
    assert keyed["fid"].to_list() == [0, 1, 0]
    assert targets is not None and targets["_t1"].to_list() == [t, u]


@pytest.mark.parametrize("evals_last", [False, True])
def test_fuzzy_groups_number_training_rows_first_when_asked(evals_last):
    """Groups are numbered by first appearance, among training rows before eval rows when
    `evals_last`; every row keeps its place and its other columns."""
    from datacheck.checks._hygiene import _fuzzy_groups

    rows = pl.DataFrame(
        {
            "example_id": [10, 11, 12, 13],
            "_eval": [True, False, True, False],
            "_fuzzy": ["x y z w", "a b c d", "a b c d", "p q r s"],
            "_f1": [3, 1, 1, 2],
            "_f2": [3, 1, 1, 2],
        },
        schema_overrides={"_f1": pl.UInt64, "_f2": pl.UInt64},
    )
    keyed, texts, _ = _fuzzy_groups(rows, evals_last=evals_last)
    assert keyed["example_id"].to_list() == [10, 11, 12, 13]
    assert keyed["fid"].to_list() == ([2, 0, 0, 1] if evals_last else [0, 1, 1, 2])
    by_id = dict(texts.select("id", "text").iter_rows())
    assert [by_id[f] for f in keyed["fid"]] == rows["_fuzzy"].to_list()


_WORDS = (
    "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike "
    "november oscar papa quebec romeo sierra tango"
).split()
A = " ".join(_WORDS)
B = " ".join([*_WORDS[:19], "changed"])  # A with its last word changed: 18 of 20 bigrams shared
C = " ".join(["first", *_WORDS[1:19], "changed"])  # B with its first word changed


def _splits(train, evals, train_labels=None, eval_labels=None):
    frame = pl.concat([_frame(train, train_labels), _frame(evals, eval_labels, split="eval")])
    return frame.with_columns(pl.int_range(pl.len()).alias("example_id"))


def test_near_duplicate_pairs_are_joined_into_one_cluster():
    result = analyse(_frame([A, "the app crashes on start", B, C]), task="classification")
    assert result.near_clusters == [{"lines": [1, 3, 4], "similarity": 0.9, "size": 3}]
    assert (result.near_cluster_count, result.near_rows) == (1, 3)


def test_near_leakage_names_the_eval_line_and_its_training_match():
    frame = _splits(["where is my parcel", "cancel my plan", A], ["something else", B])
    result = analyse(frame, task="classification")
    assert result.near_leakage == {
        "rows": 1,
        "share": 0.5,
        "pairs": [{"eval_line": 2, "train_lines": [3], "similarity": 0.9}],
        "eval_lines": [2],
    }
    assert result.leakage == {
        "rows": 0, "eval_rows": 2, "share": 0.0, "pairs": [], "eval_lines": [],
    }  # fmt: skip


def test_exact_leakage_is_not_counted_again_as_near_leakage():
    frame = _splits(
        ["refund my order 1 please", "other"],
        ["Refund my order 1 please", "refund my order 1, please!", "x"],
    )
    result = analyse(frame, task="classification")
    assert result.leakage["eval_lines"] == [1] and result.leakage["share"] == 0.3333
    assert result.near_leakage["eval_lines"] == [2]


def test_exact_duplicate_groups_largest_first_with_every_line():
    texts = ["a b", "c d", "a b", "e f", "c d", "a b", "g h"]
    result = analyse(_frame(texts), task="classification")
    assert result.duplicate_groups == [
        {"size": 3, "lines": [1, 3, 6]},
        {"size": 2, "lines": [2, 5]},
    ]
    assert (result.duplicate_group_count, result.redundant_rows) == (2, 3)
    assert result.redundant_ids == [2, 4, 5]  # all but the first row of each group
    assert result.rows == 7


def test_duplicates_need_the_same_target_and_empty_inputs_are_left_out():
    texts = ["same text", "same text", "", "", "  "]
    result = analyse(_frame(texts, ["a", "b", "a", "a", "a"]), task="classification")
    assert result.duplicate_group_count == 0 and result.rows == 2
    assert result.conflicts == [{"lines": [1, 2], "labels": {"a": [1], "b": [2]}}]
    assert (result.conflict_count, result.conflict_rows, result.conflict_lines) == (1, 2, [1, 2])


def test_spellings_of_one_label_do_not_conflict():
    result = analyse(
        _frame(["same", "Same ", "same"], ["Billing", "billing ", "BILLING"]), task="classification"
    )
    assert result.conflict_count == 0
    assert result.duplicate_groups == [{"size": 3, "lines": [1, 2, 3]}]


def test_conflicts_list_each_label_as_written_with_its_lines():
    texts = ["x", "refund", "y", "Refund ", "refund", "z"]
    labels = ["a", "Billing", "b", "Account", "Billing", "c"]
    result = analyse(_frame(texts, labels), task="classification")
    assert result.conflicts == [{"lines": [2, 4, 5], "labels": {"Billing": [2, 5], "Account": [4]}}]
    assert result.conflict_lines == [2, 4, 5]


def test_label_drift_shares_and_differences():
    frame = _splits(["t1", "t2", "t3", "t4"], ["e1", "e2"], ["a", "a", "a", "b"], ["a", "c"])
    drift = analyse(frame, task="classification").drift
    assert drift == {
        "missing_from_eval": ["b"],
        "missing_from_train": ["c"],
        "train_share": {"a": 0.75, "b": 0.25},
        "eval_share": {"a": 0.5, "c": 0.5},
        "largest_difference": 0.5,
        "differences": {"a": -0.25, "b": -0.25, "c": 0.5},
    }


def test_without_eval_rows_there_is_no_leakage_or_drift_section():
    result = analyse(_frame(["a b", "c d"]), task="classification")
    assert result.leakage is None and result.near_leakage is None and result.drift is None
    assert list(result.to_dict()) == [
        "exact_duplicates", "near_duplicates", "conflicting_labels", "settings",
    ]  # fmt: skip
    assert result.to_dict()["settings"]["near_threshold"] == 0.8


def test_listed_groups_are_capped_but_counts_are_complete():
    texts = [f"text number {chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(60)] * 2
    result = analyse(_frame(texts), task="response_generation")
    assert result.duplicate_group_count == 60 and len(result.duplicate_groups) == 50
    assert result.redundant_rows == 60


def test_shares_are_rounded_to_four_places():
    frame = _splits(
        ["where is my parcel", A, "cancel my plan"],
        [B, "the app crashes on start", "nothing like it"],
        ["a", "b", "b"],
        ["a", "a", "b"],
    )
    result = analyse(frame, task="classification")
    assert result.near_leakage["share"] == 0.3333
    assert result.drift["train_share"] == {"a": 0.3333, "b": 0.6667}
    assert result.drift["eval_share"] == {"a": 0.6667, "b": 0.3333}
    assert result.drift["differences"] == {"a": 0.3333, "b": -0.3333}
    assert result.drift["largest_difference"] == 0.3333


def test_drift_leaves_out_examples_without_a_label():
    frame = _splits(["t1", "t2", "t3"], ["e1", "e2"], ["a", "", "b"], ["", ""])
    drift = analyse(frame, task="classification").drift
    assert drift["train_share"] == {"a": 0.5, "b": 0.5}
    assert drift["eval_share"] == {}
    assert drift["missing_from_eval"] == ["a", "b"] and drift["missing_from_train"] == []
    assert drift["largest_difference"] == 0.5
    nothing = _splits(["t1"], ["e1"], [""], [""])
    assert analyse(nothing, task="classification").drift["largest_difference"] == 0.0


def test_similarity_is_rounded_to_three_places():
    def bigrams(text):
        words = text.split()
        return set(zip(words, words[1:], strict=False))

    longer = " ".join([*_WORDS[:19], "changed", "again"])  # 18 shared of 21 bigrams
    expected = len(bigrams(A) & bigrams(longer)) / len(bigrams(A) | bigrams(longer))
    assert round(expected, 4) != round(expected, 3)
    clusters = near_duplicate_clusters(_frame([A, longer]), threshold=0.8)
    assert clusters[0]["similarity"] == round(expected, 3) == 0.857


def test_the_report_states_how_texts_were_compared():
    assert analyse(_frame(["a b"]), task="classification", threshold=0.75).settings == {
        "normalization": "NFKC, case-folded, white space collapsed",
        "near_threshold": 0.75,
        "near_method": "word bigrams of letters and numbers (punctuation removed); "
        "candidates from prefix filtering (every pair that can reach the threshold), verified "
        "by exact Jaccard; texts under 4 words only by exact match",
    }


def test_small_output_groups_are_compared_pair_by_pair():
    """One template, outputs shared by twos: every pair with the same output is verified
    exactly (no hashing), so none is missed however alike the other texts are."""
    import random

    from datacheck.checks import _near

    rng = random.Random(4)
    names = ["Maria", "James", "Aiko", "Omar", "Chen", "Sofia", "Lena", "Noah"]
    days = ["Monday", "Tuesday", "Friday", "Sunday"]
    texts, targets = [], []
    for i in range(400):
        texts.append(
            f"Hi, this is {rng.choice(names)}. My order ORD-{i // 2} placed on {rng.choice(days)} "
            "has not arrived yet and the tracking page shows no update. Could you check it?"
        )
        targets.append(f'{{"order_id": "ORD-{i // 2}"}}')
    frame = _frame(texts).with_columns(pl.Series("target_text", targets))
    found = analyse(frame, task="extraction", same_target=True)

    def bigrams(text):
        words = normalized(pl.lit(text)).str.replace_all(r"[^\p{L}\p{N}\s]+", " ")
        ws = pl.select(words).item().split()
        return {tuple(ws[k : k + 2]) for k in range(len(ws) - 1)}

    expected = set()
    for i in range(0, 400, 2):
        a, b = bigrams(texts[i]), bigrams(texts[i + 1])
        if texts[i].lower() != texts[i + 1].lower() and len(a & b) / len(a | b) >= 0.8:
            expected |= {i + 2}  # the second of the pair, by line
    assert set(found.near_redundant_lines) == expected and expected
    assert _near.PAIRS_PER_TEXT >= 1


def _word_bigrams(text: str) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[k : k + 2]) for k in range(len(words) - 1)} or {tuple(words)}


def _random_texts(seed: int, count: int) -> list[str]:
    """Texts that share more or less: a few bases, each copied with 0-6 words changed."""
    rng = random.Random(seed)
    vocabulary = [f"w{k}" for k in range(60)]
    bases = [[rng.choice(vocabulary) for _ in range(rng.randint(6, 30))] for _ in range(12)]
    texts = []
    for _ in range(count):
        words = list(rng.choice(bases))
        for _ in range(rng.randint(0, 6)):
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
        texts.append(" ".join(words))
    return texts


def _ids_and_texts(texts: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"id": range(len(texts)), "text": texts}, schema={"id": pl.Int64, "text": pl.String}
    )


def _true_pairs(texts: list[str], threshold: float, groups=None) -> dict[tuple[int, int], float]:
    """Every pair at or above `threshold`, by brute force over Python sets."""
    sets = [_word_bigrams(t) for t in texts]
    found = {}
    for a in range(len(texts)):
        for b in range(a + 1, len(texts)):
            if groups is not None and groups[a] != groups[b]:
                continue
            similarity = len(sets[a] & sets[b]) / len(sets[a] | sets[b])
            if similarity >= threshold:
                found[(a, b)] = similarity
    return found


@pytest.mark.parametrize("marked", [False, True])
def test_exact_jaccard_of_candidate_pairs_matches_python_sets(marked, monkeypatch):
    from datacheck.checks import _near

    monkeypatch.setattr(_near, "PAIR_CHUNK", 17)  # pairs cut across several batches
    texts = _random_texts(5, 120)
    candidates = pl.DataFrame(
        [(a, b) for a in range(len(texts)) for b in range(a + 1, len(texts))],
        schema={"a": pl.Int64, "b": pl.Int64},
        orient="row",
    )
    sets = _near._packed(_ids_and_texts(texts))
    where = _near._where(sets)
    marks = _near._marks(sets) if marked else None
    a, b = candidates["a"].to_numpy(), candidates["b"].to_numpy()
    verified = _near._verified(sets, where[a], where[b], 0.6, marks)
    found = {(a, b): sim for a, b, sim in verified.iter_rows()}
    expected = _true_pairs(texts, 0.6)
    assert expected and found.keys() == expected.keys()
    assert all(abs(found[p] - expected[p]) < 1e-12 for p in expected)


def test_marks_bound_the_overlap_and_rule_out_most_unlike_pairs():
    """The bits set in one text's mark only are never more than the shingles in one set
    only, so no pair that reaches a bound is ruled out; and among pairs that do not reach
    it, the marks rule most out."""
    import math

    import numpy as np

    from datacheck.checks import _near

    rng = random.Random(3)  # short texts too: neighbours with a shingle in the same word
    short = [" ".join(rng.choices(["a", "b", "c"], k=rng.randint(2, 3))) for _ in range(100)]
    texts = _random_texts(7, 200) + short
    sets = _near._packed(_ids_and_texts(texts))
    marks = _near._marks(sets)
    assert marks.shape == (_near.MARK_BITS // 64, len(texts))
    members = [
        set(sets.values[start : start + size].tolist())
        for start, size in zip(sets.starts, sets.sizes, strict=True)
    ]
    below = ruled_out = 0
    for a in range(len(texts)):
        for b in range(a + 1, len(texts)):
            unshared = int(np.bitwise_count(marks[:, a] ^ marks[:, b]).sum())
            assert unshared <= len(members[a] ^ members[b])
            total = len(members[a]) + len(members[b])
            if len(members[a] & members[b]) / len(members[a] | members[b]) < 0.5:
                below += 1
                ruled_out += (total - unshared) // 2 < math.ceil(0.5 / 1.5 * total - 1e-9)
    assert below > 1000 and ruled_out > below // 2


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.9])
@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize("block", [2**21, 7])
def test_prefix_filtering_finds_every_pair(threshold, grouped, block, monkeypatch):
    """Candidates from shared prefix bigrams miss nothing: the search returns exactly the
    pairs brute force finds, within groups when there are groups, each once also when the
    candidates are made and verified in many small blocks."""
    import numpy as np

    from datacheck.checks import _near

    monkeypatch.setattr(_near, "PAIRS_PER_TEXT", 10**6)  # few texts, many alike
    monkeypatch.setattr(_near, "PAIR_BLOCK", block)
    if block == 7:  # verified with marks, however few the candidates
        monkeypatch.setattr(_near, "_marks_worth", lambda sets, count: _near._marks(sets))
        # prefix entries read 32 at a time, each batch written over the one before
        monkeypatch.setattr(_near, "CHUNK", 1)

    texts = _random_texts(6, 300)
    groups = np.array([k % 3 for k in range(len(texts))], dtype=np.uint64) if grouped else None
    found = _near.near_pairs(_ids_and_texts(texts), threshold, groups)
    expected = _true_pairs(texts, threshold, groups)
    assert found.exact and len(expected) > 20
    listed = [(a, b) for a, b in found.pairs.select("a", "b").iter_rows()]
    assert len(listed) == len(set(listed)) and set(listed) == expected.keys()


def _assert_brute_force_pairs(texts: list[str], threshold: float, groups) -> None:
    """The search, exact, returns brute force's pairs (more than a few of them)."""
    from datacheck.checks import _near

    found = _near.near_pairs(_ids_and_texts(texts), threshold, groups)
    expected = _true_pairs(texts, threshold, groups)
    listed = {(a, b) for a, b in found.pairs.select("a", "b").iter_rows()}
    assert found.exact and len(expected) > 20 and listed == expected.keys()


@pytest.mark.parametrize("threshold", [0.5, 0.8])
def test_classes_shared_by_chance_add_no_pair_and_lose_none(threshold, monkeypatch):
    """With every bigram of one frequency in one class (as if all their hashes collided),
    texts of different groups share classes they do not share bigrams of, and a text holds
    many bigrams of one class: the search still returns exactly brute force's pairs."""
    import numpy as np

    from datacheck.checks import _near

    monkeypatch.setattr(_near, "PAIRS_PER_TEXT", 10**6)
    monkeypatch.setattr(_near, "_class_hashes", lambda token: token & np.uint64(0))
    texts = _random_texts(8, 240)
    groups = np.array([k % 2 for k in range(len(texts))], dtype=np.uint64)
    _assert_brute_force_pairs(texts, threshold, groups)


@pytest.mark.parametrize("threshold", [0.5, 0.8])
def test_codes_read_from_a_crowded_table_lose_no_pair(threshold, monkeypatch):
    """With the code table cut to two buckets, every bigram reads as shared (those no other
    text has included) and as common as the most common: the search still returns exactly
    brute force's pairs, and each text's prefix is no longer than its own bigrams allow."""
    import numpy as np

    from datacheck.checks import _near

    monkeypatch.setattr(_near, "PAIRS_PER_TEXT", 10**6)
    monkeypatch.setattr(_near, "_MOST_TABLE_BITS", 1)
    monkeypatch.setattr(_near, "CHUNK", 24)  # prefix entries made 3 texts at a time
    texts = _random_texts(12, 240)
    groups = np.array([k % 2 for k in range(len(texts))], dtype=np.uint64)
    _assert_brute_force_pairs(texts, threshold, groups)
    shingles = _near.shingled(_ids_and_texts(texts), groups)
    prefixes = _near._prefixes(shingles.sets, shingles.groups, threshold)
    sizes = shingles.sets.sizes
    allowed = sizes - np.ceil(threshold * sizes - 1e-9).astype(np.int64) + 1
    assert (np.bincount(prefixes.owners, minlength=sizes.size) <= allowed).all()


def test_prefixes_hold_no_second_array_of_every_entry(monkeypatch):
    """Finding the prefixes allocates less than another 8 bytes per bigram entry beside the
    sets (the entries are counted on 4-byte tokens, and only prefixes are kept): at a
    million rows, such an array was the audit's peak."""
    import tracemalloc

    from datacheck.checks import _near

    monkeypatch.setattr(_near, "CHUNK", 800)  # batches of 100 texts: small temporaries
    rng = random.Random(13)
    vocabulary = [f"w{k}" for k in range(5000)]
    texts = [" ".join(rng.choice(vocabulary) for _ in range(40)) for _ in range(6000)]
    shingles = _near.shingled(_ids_and_texts(texts))
    entries = shingles.sets.values.nbytes
    tracemalloc.start()
    try:
        _near._prefixes(shingles.sets, shingles.groups, 0.8)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert entries > 1_500_000 and peak < 0.75 * entries


def test_prefix_entries_are_sorted_in_place_once_the_code_table_is_gone(monkeypatch):
    """The prefix entries are sorted where they were written, after the code table is let
    go: a sorted copy beside the table held 110 MiB more at 1M template rows."""
    import weakref

    import numpy as np

    from datacheck.checks import _near

    tables, seen = [], []
    make_codes, sort = _near._codes, _near._sorted_in_place

    def codes(sets, mixed):
        made = make_codes(sets, mixed)
        tables.append(weakref.ref(made.table))
        return made

    def sorted_in_place(values: np.ndarray) -> np.ndarray:
        seen.append((values.base is not None, [table() is None for table in tables]))
        return sort(values)

    shingles = _near.shingled(_ids_and_texts(_random_texts(14, 200)))
    monkeypatch.setattr(_near, "_codes", codes)
    monkeypatch.setattr(_near, "_sorted_in_place", sorted_in_place)
    _near._prefixes(shingles.sets, shingles.groups, 0.8)
    assert seen == [(True, [True])]


def test_positional_filter_drops_candidates_verification_would(monkeypatch):
    """The positional filter leaves fewer candidates to verify than the size filter alone
    (threshold 0 keeps them all) and loses none of the pairs (the test above)."""
    import numpy as np

    from datacheck.checks import _near

    shingles = _near.shingled(_ids_and_texts(_random_texts(9, 300)))
    prefixes = _near._prefixes(shingles.sets, shingles.groups, 0.8)
    filtered = prefixes.pairs(shingles.sets, shingles.groups, 0.8)
    everything = prefixes.pairs(shingles.sets, shingles.groups, 0.0)
    verified = _near.search(shingles, 0.8).pairs.height
    assert verified <= filtered.size < everything.size
    assert np.isin(filtered, everything).all()


def test_minhash_takes_over_when_prefixes_would_make_too_many_pairs(monkeypatch):
    """Texts that pair with nobody are left out before signing; what MinHash finds is
    verified, in one group each."""
    import numpy as np

    from datacheck.checks import _near

    monkeypatch.setattr(_near, "PAIRS_PER_TEXT", 0)
    texts = _random_texts(7, 300)
    groups = np.array([k % 2 for k in range(len(texts))], dtype=np.uint64)
    found = _near.near_pairs(_ids_and_texts(texts), 0.8, groups)
    expected = _true_pairs(texts, 0.8, groups)
    pairs = {(a, b) for a, b in found.pairs.select("a", "b").iter_rows()}
    assert not found.exact and pairs <= expected.keys()
    # in a bucket of alike texts not every pair is a candidate, but nearly every text is
    # paired with some near duplicate, which is what clusters need
    paired, should = {x for p in pairs for x in p}, {x for p in expected for x in p}
    assert len(paired) >= 0.95 * len(should) and len(should) > 20


def test_minhash_signatures_are_each_sets_minimum(monkeypatch):
    """A text's value under a permutation is the least of (a x shingle + b) mod 2^64 over
    its shingles, as Python's integers compute it, however the texts are batched."""
    from datacheck.checks import _near

    monkeypatch.setattr(_near, "CHUNK", 7)
    sets = _near._packed(_ids_and_texts(_random_texts(10, 40)))
    a, b = _near._coefficients()
    chosen = [0, 5, _near.PERMUTATIONS - 1]
    signature = _near._signatures(sets, chosen)
    assert sorted(signature) == chosen
    for k in chosen:
        for i in range(sets.ids.size):
            start, size = int(sets.starts[i]), int(sets.sizes[i])
            shingles = sets.values[start : start + size].tolist()
            least = min((int(a[k]) * v + int(b[k])) % 2**64 for v in shingles)
            assert int(signature[k][i]) == least


def test_minhash_finds_the_same_pairs_verified_in_small_blocks(monkeypatch):
    """MinHash's candidates are verified a block at a time: blocks of 7 pairs give the
    pairs one block gives."""
    from datacheck.checks import _near

    monkeypatch.setattr(_near, "PAIRS_PER_TEXT", 0)
    texts = _ids_and_texts(_random_texts(11, 300))
    whole = _near.near_pairs(texts, 0.8)
    monkeypatch.setattr(_near, "PAIR_BLOCK", 7)
    blocked = _near.near_pairs(texts, 0.8)
    assert not whole.exact and whole.pairs.height > 20
    assert blocked.pairs.equals(whole.pairs)


def test_shingles_skip_empty_words_and_texts():
    """Two spaces in a row make no empty word, an empty text no shingle, a one-word text
    one shingle (the word): the sets brute force would build."""
    from datacheck.checks import _near

    texts = ["a  b c d", "a b c d", "", "solo", "x y"]
    owner, hashes = _near._shingles(_ids_and_texts(texts))
    sets = {i: set(hashes[owner == i].tolist()) for i in range(len(texts))}
    assert sets[0] == sets[1] and len(sets[0]) == 3
    assert sets[2] == set() and len(sets[3]) == 1 and len(sets[4]) == 1
    assert not sets[3] & sets[4] and not sets[3] & sets[0]


def test_packed_sets_fill_the_values_array_made_for_the_densest_texts(monkeypatch):
    """Texts of one-letter words have as many shingles as their bytes allow: packed a few at
    a time into the array made once, each text's values are its distinct shingles, in id
    order, and texts with none are left out."""
    import numpy as np

    from datacheck.checks import _near

    monkeypatch.setattr(_near, "CHUNK", 3)
    letters = "abcdefghij"
    texts = [" ".join(letters[k : k + 2 + k % 5]) for k in range(9)] + ["", "z", "a b a b a b"]
    frame = _ids_and_texts(texts)
    sets = _near._packed(frame)
    owner, hashes = _near._shingles(frame)
    high = np.uint64(64 - _near.SHINGLE_BITS)
    expected = {i: sorted(set((hashes[owner == i] >> high).tolist())) for i in range(len(texts))}
    got = {
        int(i): sets.values[s : s + n].tolist()
        for i, s, n in zip(sets.ids, sets.starts, sets.sizes, strict=True)
    }
    assert got == {i: v for i, v in expected.items() if v}
    assert 9 not in got and len(got[11]) == 2  # "a b" and "b a"


def test_narrowing_keeps_the_chosen_texts_in_the_sets_own_array(monkeypatch):
    """MinHash's texts are written over the front of the whole sets' array (no copy beside
    it), each with exactly its own values, in order, however the texts are batched."""
    import numpy as np

    from datacheck.checks import _near

    monkeypatch.setattr(_near, "CHUNK", 7)
    sets = _near._packed(_ids_and_texts(_random_texts(12, 60)))
    before = {
        int(i): sets.values[s : s + n].tolist()
        for i, s, n in zip(sets.ids, sets.starts, sets.sizes, strict=True)
    }
    keep = np.random.default_rng(3).random(sets.ids.size) < 0.4
    whole = sets.values
    narrowed = _near._narrowed(sets, keep)
    after = {
        int(i): narrowed.values[s : s + n].tolist()
        for i, s, n in zip(narrowed.ids, narrowed.starts, narrowed.sizes, strict=True)
    }
    assert after == {i: v for (i, v), k in zip(before.items(), keep, strict=True) if k}
    assert narrowed.values.size == sum(len(v) for v in after.values()) > 0
    assert np.shares_memory(narrowed.values, whole)


def test_shingled_takes_blocks_and_lets_each_go_as_it_reads(monkeypatch):
    """Texts handed over as `text_blocks` give the same shingles and groups as one frame,
    in id order even when the blocks are not, and the list is emptied as it is read."""
    import numpy as np

    from datacheck.checks import _near

    monkeypatch.setattr(_near, "CHUNK", 7)
    texts = _ids_and_texts(_random_texts(13, 50))
    groups = np.arange(texts.height, dtype=np.uint64) % 3
    whole = _near.shingled(texts, groups)
    for frame, codes in (texts, groups), (texts.reverse(), groups[::-1].copy()):
        blocks = _near.text_blocks(frame)
        assert len(blocks) == 8
        got = _near.shingled(blocks, codes)
        assert blocks == []
        for mine, theirs in zip(got.sets, whole.sets, strict=True):
            assert np.array_equal(mine, theirs)
        assert np.array_equal(got.groups, whole.groups)


def test_group_texts_in_row_order_share_the_rows_buffers():
    """Groups whose first rows come in row order take their texts with no copy: each chunk
    of the texts holds only the buffers of the rows' chunk it came from, so the shingling
    lets the rows' texts go chunk by chunk (a copy held them twice as it began: at 1M
    mostly unique rows, 200 MiB for a third of a second)."""
    from datacheck.checks import _hygiene

    def buffers(chunk: pl.Series) -> set[int]:
        array = chunk.to_arrow(compat_level=pl.CompatLevel.newest())
        return {b.address for b in array.buffers()[2:] if b is not None}

    words = [f"a longer text, number {k} " * 3 for k in range(30)]
    fuzzy = pl.concat([pl.Series("_fuzzy", words[:13]), pl.Series("_fuzzy", words[13:])])
    firsts = pl.Series([0, 2, 5, 12, 13, 14, 20, 29], dtype=pl.UInt32)
    texts = _hygiene._group_texts(fuzzy, firsts, pl.Series(range(8), dtype=pl.Int64))
    assert texts["id"].to_list() == list(range(8))
    assert texts["text"].to_list() == [words[i] for i in firsts]
    ours, theirs = texts["text"].get_chunks(), fuzzy.get_chunks()
    assert len(ours) == len(theirs) == 2
    assert all(buffers(a) and buffers(a) <= buffers(b) for a, b in zip(ours, theirs, strict=True))


def test_group_texts_come_in_blocks_with_buffers_of_their_own(monkeypatch):
    """Each group's text is its first row's, and, from a column of several chunks, every
    block of groups is a chunk of its own, which the shingling can let go on its own."""
    from datacheck.checks import _hygiene

    monkeypatch.setattr(_hygiene, "CHUNK", 2)
    monkeypatch.setattr(_hygiene, "_BLOCKS", 2)
    words = [f"text {k} " * 3 for k in range(30)]
    fuzzy = pl.concat([pl.Series("_fuzzy", words[:13]), pl.Series("_fuzzy", words[13:])])
    assert fuzzy.n_chunks() == 2
    firsts = pl.Series([0, 2, 5, 12, 13, 14, 20, 29, 3, 7], dtype=pl.UInt32)
    ids = pl.Series(range(10), dtype=pl.Int64)
    texts = _hygiene._group_texts(fuzzy, firsts, ids)
    assert texts["id"].to_list() == list(range(10))
    assert texts["text"].to_list() == [words[i] for i in firsts]
    assert texts["text"].n_chunks() == 3


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_work_in_threads_comes_back_in_order_one_at_a_time_until_alone(workers, monkeypatch):
    """Blocks of the search come back in their order. Until the search has the cores to
    itself they are done one at a time, in the caller's thread; then on as many threads as
    there are cores, never taking more items than that ahead of the result being read
    (each holds arrays as long as a block). On one core, always in the caller's thread."""
    import threading

    from datacheck.checks import _near

    monkeypatch.setattr(_near, "cores", lambda: workers)
    alone, lock = threading.Event(), threading.Lock()
    taken, running, most = [], [0], {False: 0, True: 0}
    callers: dict[int, bool] = {}
    together = threading.Barrier(workers, timeout=30)

    def items():
        for k in range(40):
            taken.append(k)
            yield k

    def work(k: int) -> int:
        callers[k] = threading.current_thread() is threading.main_thread()
        with lock:
            running[0] += 1
            most[alone.is_set()] = max(most[alone.is_set()], running[0])
        if 20 <= k < 20 + workers:
            together.wait()  # breaks, failing the test, unless `workers` items run at once
        with lock:
            running[0] -= 1
        return k * k

    for k, result in enumerate(_near._in_threads(work, items(), alone.is_set)):
        assert result == k * k
        assert max(taken) <= k + (workers if alone.is_set() else 1)
        if k == 19:
            alone.set()
    assert len(taken) == 40
    assert most[False] == 1
    assert all(callers[k] for k in range(20))
    assert all(callers[k] == (workers == 1) for k in range(20, 40))


@pytest.mark.parametrize("workers", [1, 2])
def test_the_search_finds_the_same_pairs_on_one_core_and_on_two(workers, monkeypatch):
    """Candidates, prefix entries and verification in many small blocks, on one thread or
    on two, give brute force's pairs, in the same order."""
    import numpy as np

    from datacheck.checks import _near

    monkeypatch.setattr(_near, "cores", lambda: workers)
    monkeypatch.setattr(_near, "PAIRS_PER_TEXT", 10**6)
    monkeypatch.setattr(_near, "PAIR_BLOCK", 11)
    monkeypatch.setattr(_near, "CHUNK", 16)  # prefix entries made 2 texts at a time
    texts = _random_texts(6, 300)
    groups = np.array([k % 3 for k in range(len(texts))], dtype=np.uint64)
    found = _near.near_pairs(_ids_and_texts(texts), 0.6, groups).pairs
    expected = _true_pairs(texts, 0.6, groups)
    assert len(expected) > 20
    assert found.select("a", "b").rows() == sorted(expected)
