#!/usr/bin/env python3
"""Compares what lwai's LiteOS-M entry sample printed with TensorFlow Lite Micro.

    python3 boards/liteos-m/check_console.py CONSOLE.txt NAME=MODEL.tflite ...

CONSOLE.txt: the board's console (e.g. QEMU's output). NAME: a lwai_model() target of the
lwai_liteos_m_app() (its `lwai: model NAME` line), MODEL.tflite its model. The inputs are
recreated as lwai_liteos_app.c makes them (the k-th model of the table, input i, run r:
xorshift32 from the seed 0x9E3779B9 * (256r + 16k + i + 1)), run through tflite-micro, and
every printed output must equal tflite-micro's, value for value. Prints one line per
inference; exit 0 if all are equal.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

# Anywhere in a line: the shell's prompt ("OHOS # ") may come first.
_MODEL = re.compile(r"lwai: model (\S+) run=(\d+) inputs=(\d+) outputs=(\d+)")
_OUTPUT = re.compile(r"lwai: output (\d+) (\w+) (\d+):((?: \S+)*)\s*$")


def xorshift_bytes(seed: int, n: int) -> np.ndarray:
    """The top byte of each xorshift32 step, as fill_input() writes integer tensors."""
    state = seed or 1
    out = np.empty(n, dtype=np.uint32)
    for j in range(n):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        out[j] = state
    return out


def make_input(k: int, r: int, i: int, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    seed = (0x9E3779B9 * (256 * r + 16 * k + i + 1)) & 0xFFFFFFFF
    count = int(np.prod(shape))
    if dtype == np.float32:
        steps = xorshift_bytes(seed, count)
        vals = (steps >> 8).astype(np.float32) / np.float32(16777216.0)
        return (vals * np.float32(6.0) - np.float32(3.0)).astype(np.float32).reshape(shape)
    raw = (xorshift_bytes(seed, count * dtype.itemsize) >> 24).astype(np.uint8)
    return raw.view(dtype).reshape(shape)


def parse(console: str) -> list[tuple[str, int, int, list[np.ndarray]]]:
    """[(model target, run, number of inputs, [outputs])] in the order printed."""
    runs = []
    lines = console.splitlines()
    for n, line in enumerate(lines):
        m = _MODEL.search(line)
        if not m:
            continue
        outs = []
        for follow in lines[n + 1 : n + 1 + int(m.group(4))]:
            o = _OUTPUT.search(follow)
            if o is None:
                raise SystemExit(f"check_console: no output line after '{line}': '{follow}'")
            vals = o.group(4).split()
            if o.group(2) == "float32":
                outs.append(np.array([int(v, 16) for v in vals], dtype=np.uint32).view(np.float32))
            else:
                outs.append(np.array([int(v) for v in vals], dtype=o.group(2)))
        runs.append((m.group(1), int(m.group(2)), int(m.group(3)), outs))
    return runs


def main(argv: list[str]) -> int:
    from tflite_micro.python.tflite_micro import runtime

    if len(argv) < 2 or any("=" not in a for a in argv[1:]):
        print(__doc__, file=sys.stderr)
        return 2
    models = dict(a.split("=", 1) for a in argv[1:])
    runs = parse(Path(argv[0]).read_text(errors="replace"))
    if not runs:
        print("check_console: no 'lwai: model' line in the console", file=sys.stderr)
        return 1
    failed = 0
    order: list[str] = []  # model targets in table order (first appearance)
    for name, r, n_inputs, outs in runs:
        if name not in order:
            order.append(name)
        k = order.index(name)
        if name not in models:
            print(f"{name}: skipped (no NAME=MODEL.tflite for it)")
            continue
        interp = runtime.Interpreter.from_file(models[name], arena_size=300_000)
        for i in range(n_inputs):
            det = interp.get_input_details(i)
            x = make_input(k, r, i, np.dtype(det["dtype"]), tuple(det["shape"]))
            interp.set_input(x, i)
        interp.invoke()
        same = True
        for j, got in enumerate(outs):
            ref = np.array(interp.get_output(j)).reshape(-1)
            same = same and got.shape == ref.shape and np.array_equal(got, ref)
        verdict = "equal to tflite-micro" if same else "DIFFERS from tflite-micro"
        print(f"{name} run {r}: {' '.join(str(v) for o in outs for v in o)}: {verdict}")
        failed += not same
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
