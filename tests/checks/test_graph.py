"""Connected components, checked against a breadth-first search written here."""

from __future__ import annotations

import random
from collections import deque

import numpy as np
import pytest

from datacheck.checks._graph import components


def _smallest_by_search(edges: list[tuple[int, int]], count: int) -> list[int]:
    neighbours: list[list[int]] = [[] for _ in range(count)]
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    smallest = [-1] * count
    for start in range(count):  # in order, so each search starts at its component's smallest
        if smallest[start] >= 0:
            continue
        smallest[start] = start
        queue = deque([start])
        while queue:
            for other in neighbours[queue.popleft()]:
                if smallest[other] < 0:
                    smallest[other] = start
                    queue.append(other)
    return smallest


def _check(edges: list[tuple[int, int]], count: int) -> None:
    a = np.array([e[0] for e in edges], dtype=np.int64)
    b = np.array([e[1] for e in edges], dtype=np.int64)
    assert components(a, b, count).tolist() == _smallest_by_search(edges, count)


@pytest.mark.parametrize("seed", range(20))
def test_random_graphs_match_a_search(seed: int) -> None:
    rng = random.Random(seed)
    count = rng.randint(1, 300)
    edges = [(rng.randrange(count), rng.randrange(count)) for _ in range(rng.randint(0, count * 2))]
    _check(edges, count)


def test_long_chains_in_any_order_end_in_one_component() -> None:
    count = 5_000
    chain = [(i, i + 1) for i in range(count - 1)]
    _check(chain[::-1], count)  # each hook moves a root one step: many rounds unless jumping
    shuffled = chain[:]
    random.Random(1).shuffle(shuffled)
    _check([(b, a) for a, b in shuffled], count)


def test_stars_self_loops_and_lone_nodes() -> None:
    edges = [(9, i) for i in range(3, 9)] + [(2, 2), (12, 11)]
    _check(edges, 14)
    assert components(np.array([3]), np.array([9]), 10)[[0, 3, 9]].tolist() == [0, 3, 3]


def test_no_edges_leaves_every_node_alone() -> None:
    empty = np.empty(0, dtype=np.int64)
    assert components(empty, empty, 4).tolist() == [0, 1, 2, 3]
    assert components(empty, empty, 0).size == 0
