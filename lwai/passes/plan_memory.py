"""PlanMemory: give every activation and workspace an offset in one arena.

Where bytes live is kept apart from when they are live: the caller adds buffers with
their size and first/last step; ``plan`` places them greedily by size (largest first, at
the lowest offset free over its lifetime), TFLite Micro's strategy, which reaches the
per-op bound on the chain-shaped graphs of small models.
"""

from __future__ import annotations

from dataclasses import dataclass

ALIGN = 16


def align_up(n: int, a: int = ALIGN) -> int:
    return (n + a - 1) // a * a


@dataclass
class Buffer:
    name: str
    size: int
    first: int  # first step that writes or reads it
    last: int  # last step that reads it
    offset: int = -1
    persistent: bool = False  # op state: kept across invocations, never shared


class MemoryPlanner:
    def __init__(self) -> None:
        self.buffers: list[Buffer] = []

    def add(self, name: str, size: int, first: int, last: int, persistent: bool = False) -> Buffer:
        buf = Buffer(name, align_up(max(size, 1)), first, last, persistent=persistent)
        self.buffers.append(buf)
        return buf

    @property
    def state_bytes(self) -> int:
        """Bytes of the persistent part (op state), at the end of the arena."""
        return sum(b.size for b in self.buffers if b.persistent)

    @property
    def state_offset(self) -> int:
        offsets = [b.offset for b in self.buffers if b.persistent]
        return min(offsets) if offsets else 0

    def plan(self) -> int:
        """Places every buffer; returns the arena size (the peak). Persistent buffers go
        back to back after the peak of the others: a region no other buffer ever shares, so
        the state survives between invocations and one contiguous range holds all of it."""
        placed: list[Buffer] = []
        transient = [b for b in self.buffers if not b.persistent]
        order = sorted(transient, key=lambda b: (-b.size, b.first, b.name))
        for buf in order:
            busy = sorted(
                (p for p in placed if p.first <= buf.last and buf.first <= p.last),
                key=lambda p: p.offset,
            )
            offset = 0
            for p in busy:
                if offset + buf.size <= p.offset:
                    break
                offset = max(offset, p.offset + p.size)
            buf.offset = offset
            placed.append(buf)
        end = max((b.offset + b.size for b in placed), default=0)
        for buf in self.buffers:
            if buf.persistent:
                buf.offset = end
                end += buf.size
        return end

    def lower_bound(self) -> int:
        """The largest sum of sizes live at one step: no plan can go below it."""
        steps = {s for b in self.buffers for s in (b.first, b.last)}
        return max(
            (sum(b.size for b in self.buffers if b.first <= s <= b.last) for s in steps),
            default=0,
        )
