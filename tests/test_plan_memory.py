"""The arena planner: placements never overlap while live, and reach the bound on chains."""

from __future__ import annotations

import numpy as np

from lwai.passes.plan_memory import MemoryPlanner


def overlaps(a, b):
    live = a.first <= b.last and b.first <= a.last
    return live and a.offset < b.offset + b.size and b.offset < a.offset + a.size


def test_chain_reaches_lower_bound():
    p = MemoryPlanner()
    sizes = [9216, 18432, 18432, 36864, 9216, 18432, 4608]
    for i, s in enumerate(sizes):  # tensor i is written by op i-1 and read by op i
        p.add(f"t{i}", s, max(i - 1, 0), i)
    assert p.plan() == p.lower_bound() == 18432 + 36864


def test_random_plans_are_valid():
    rng = np.random.default_rng(1)
    for _ in range(50):
        p = MemoryPlanner()
        for i in range(int(rng.integers(1, 25))):
            first = int(rng.integers(0, 20))
            p.add(f"b{i}", int(rng.integers(1, 5000)), first, first + int(rng.integers(0, 6)))
        peak = p.plan()
        assert peak >= p.lower_bound()
        for i, a in enumerate(p.buffers):
            assert a.offset % 16 == 0 and a.offset + a.size <= peak
            for b in p.buffers[i + 1 :]:
                assert not overlaps(a, b)
