"""Seeded synthetic support-ticket texts for benchmarks (no network, no files needed)."""

from __future__ import annotations

import random

_WORDS = (
    "invoice refund charge account password login error crash sync export upload order "
    "delivery payment card billing plan team admin email phone settings update version "
    "please help thanks urgent since yesterday again still cannot when after before the a "
    "my our your is was not and but with for from to on in of"
).split()


def texts(rows: int, seed: int = 7, words: int = 60) -> list[str]:
    """`rows` ticket-like texts of about `words` words, with numbers and punctuation."""
    rng = random.Random(seed)
    out = []
    for i in range(rows):
        n = max(5, int(rng.gauss(words, words / 4)))
        body = " ".join(rng.choice(_WORDS) for _ in range(n))
        out.append(f"Ticket {i}: {body.capitalize()}? Order ORD-{rng.randint(10000, 99999)}.")
    return out
