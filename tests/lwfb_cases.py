"""Graphs for the model.lwfb tests: a hand-built one and those `lwai compile` writes."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import numpy as np

from conftest import shared_model
from lwai.codegen import lwfb
from lwai.codegen.lwfb import seal
from lwai.errors import LwaiError

# The models the compiled-graph tests cover (each compiles to library kernels only).
COMPILED_MODELS = (
    "hello_world_int8.tflite",
    "micro_speech_quantized.tflite",
    "person_detect.tflite",
)


def tiny_graph() -> dict:
    """A valid two-node graph (int8 fully connected, then dequantize to float) using every
    feature of the format: per-tensor and per-channel quantization, none, constants of two
    dtypes, params and fparams."""

    def const(name: str, dtype: str, shape: list[int], values, quantization=None) -> dict:
        data = np.asarray(values, dtype=dtype).tobytes()
        return {
            "name": name,
            "dtype": dtype,
            "shape": shape,
            "quantization": quantization,
            "data": data,
        }

    per_tensor = {"scale": [0.5], "zero_point": [-3], "axis": -1}
    return {
        "version": 1,
        "name": "tiny",
        "arena_bytes": 48,
        "kernels": ["fully_connected_s8", "dequantize_s8_f32"],
        "tensors": [
            {
                "name": "input",
                "dtype": "int8",
                "shape": [1, 4],
                "quantization": per_tensor,
                "arena_offset": 0,
            },
            const(
                "filter",
                "int8",
                [2, 4],
                [[1, -2, 3, -4], [5, 6, -7, 8]],
                {"scale": [0.25, 0.125], "zero_point": [0, 0], "axis": 0},
            ),
            const("bias", "int32", [2], [100, -50]),
            const("mult", "int32", [1], [1 << 30]),
            const("shift", "int32", [1], [-2]),
            {
                "name": "fc_out",
                "dtype": "int8",
                "shape": [1, 2],
                "quantization": {"scale": [0.0625], "zero_point": [-1], "axis": -1},
                "arena_offset": 16,
            },
            {
                "name": "output",
                "dtype": "float32",
                "shape": [1, 2],
                "quantization": None,
                "arena_offset": 32,
            },
        ],
        "nodes": [
            {
                "kernel": "fully_connected_s8",
                "inputs": [0, 1, 2, 3, 4],
                "outputs": [5],
                "dims": [1, 1, 1, 4, 2, 1, 1, 4, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2],
                "params": [3, 0, -1, -128, 127],
                "fparams": [],
            },
            {
                "kernel": "dequantize_s8_f32",
                "inputs": [5],
                "outputs": [6],
                "dims": [1, 1, 1, 2, 1, 1, 1, 2],
                "params": [-1],
                "fparams": [0.0625],
            },
        ],
        "inputs": [0],
        "outputs": [6],
    }


def compiled_lwfb(model: str) -> Path:
    """OUT/model.lwfb of `lwai compile` for a shared model (cached across test runs)."""
    from lwai.driver import compile_cached

    out, _report, _cfg = compile_cached(shared_model(model))
    path = out / "gen" / "model.lwfb"
    assert path.is_file(), f"lwai compile wrote no {path}"
    return path


def f32_rounded(graph: dict) -> dict:
    """The graph with its floats rounded to float32, as a file holds them."""

    def f32(values: list[float]) -> list[float]:
        return [float(np.float32(v)) for v in values]

    out = dict(graph)
    out["tensors"] = []
    for t in graph["tensors"]:
        t = dict(t)
        if t.get("quantization") is not None:
            t["quantization"] = dict(t["quantization"], scale=f32(t["quantization"]["scale"]))
        out["tensors"].append(t)
    out["nodes"] = [dict(n, fparams=f32(n["fparams"])) for n in graph["nodes"]]
    return out


# ---- structural mutations (shared by test_lwfb and test_graph_fuzz) -------------------------


def _u32(data: bytes, pos: int) -> int:
    return struct.unpack_from("<I", data, pos)[0]


def structure_positions(data: bytes) -> list[tuple[str, int, int]]:
    """(kind, position, size) of every offset, vtable entry, length, index, arena offset,
    shape value and parameter in the file, walking the schema."""
    r = lwfb._Reader(data, "seed")
    found: set[tuple[str, int, int]] = {("uoffset", 0, 4)}

    def table(pos: int, kind: str):
        t = r.table(pos, kind)
        vtable = pos - struct.unpack_from("<i", data, pos)[0]
        found.add(("soffset", pos, 4))
        for k in range(0, struct.unpack_from("<H", data, vtable)[0], 2):
            found.add(("vtable", vtable + k, 2))
        return t

    def scalar(t, field: int, kind: str, size: int = 4) -> None:
        off = t.Offset(4 + 2 * field)
        if off:
            found.add((kind, t.Pos + off, size))

    def ref(t, field: int) -> int | None:
        off = t.Offset(4 + 2 * field)
        if not off:
            return None
        found.add(("uoffset", t.Pos + off, 4))
        return r.deref(t.Pos + off)

    def vector(t, field: int, elem_kind: str | None) -> list[int]:
        at = ref(t, field)
        if at is None:
            return []
        found.add(("length", at, 4))
        items = [at + 4 + 4 * i for i in range(_u32(data, at))]
        if elem_kind:
            for p in items:
                found.add((elem_kind, p, 4))
        return items

    def string(at: int) -> None:
        found.add(("length", at, 4))

    model = table(r.deref(0), "Model")
    scalar(model, lwfb.M_VERSION, "version")
    scalar(model, lwfb.M_ARENA_BYTES, "arena")
    name = ref(model, lwfb.M_NAME)
    if name is not None:
        string(name)
    for p in vector(model, lwfb.M_KERNELS, "uoffset"):
        string(r.deref(p))
    for p in vector(model, lwfb.M_TENSORS, "uoffset"):
        t = table(r.deref(p), "Tensor")
        name = ref(t, lwfb.T_NAME)
        if name is not None:
            string(name)
        scalar(t, lwfb.T_DTYPE, "dtype", 1)
        vector(t, lwfb.T_SHAPE, "shape")
        q = ref(t, lwfb.T_QUANT)
        if q is not None:
            q = table(q, "Quantization")
            vector(q, lwfb.Q_SCALE, "param")
            vector(q, lwfb.Q_ZERO_POINT, "param")
        scalar(t, lwfb.T_ARENA_OFFSET, "arena")
        scalar(t, lwfb.T_BUFFER, "index")
    for p in vector(model, lwfb.M_NODES, "uoffset"):
        n = table(r.deref(p), "Node")
        scalar(n, lwfb.N_KERNEL, "index")
        vector(n, lwfb.N_INPUTS, "index")
        vector(n, lwfb.N_OUTPUTS, "index")
        vector(n, lwfb.N_DIMS, "shape")
        vector(n, lwfb.N_PARAMS, "param")
        vector(n, lwfb.N_FPARAMS, "param")
    vector(model, lwfb.M_INPUTS, "index")
    vector(model, lwfb.M_OUTPUTS, "index")
    for p in vector(model, lwfb.M_BUFFERS, "uoffset"):
        vector(table(r.deref(p), "Buffer"), lwfb.B_DATA, None)
    return sorted(found)


def field_values(kind: str, v: int, pos: int, size: int, n: int, rng: random.Random) -> list[int]:
    """Replacement values for a field of `kind` holding v at pos in a file of n bytes."""
    if size == 1:
        return [0, 2, 3, 4, 5, 6, 255]
    if size == 2:
        return [0, 1, 2, 3, 4, v + 1, v + 2, v - 2, v + 4, 0x8000, 0xFFFF, rng.randrange(1 << 16)]
    common = [0, 1, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, rng.randrange(1 << 32)]
    extra = {
        "uoffset": [v + 4, v - 4, v + 8, v + 2, 0xFFFFFFFC, n - pos, n - pos - 4, v + 16],
        "soffset": [v + 4, v - 4, v + 2, (-v) & 0xFFFFFFFF, (pos - n) & 0xFFFFFFFF, pos],
        "length": [v + 1, v - 1, v * 2, v + 4, 0x3FFFFFFF, 0x40000000, n],
        "index": [v + 1, v - 1, 0xFFFFFFFE, 65535, 65536],
        "arena": [v + 1, v + 16, v - 16, 0xFFFFFFFE, 0xFFFFFFF0, 0x7FFFFFF0],
        "shape": [v + 1, v - 1, v * 2, 0x10000, 0xFFFFFFFE],
        "param": [v + 1, v - 1, 31, 32, 0xFFFFFFE0, 0x7FC00000, 0x7F800000, 0xFF800000],
        "version": [2],
    }[kind]
    return [x & 0xFFFFFFFF for x in common + extra]


def resealed_mutants(data: bytes, budget: int, rng: random.Random) -> list[tuple[str, bytes]]:
    """Up to `budget` files, each with one structural field changed and the CRC recomputed;
    every kind of field gets its share."""
    by_kind: dict[str, list[tuple[int, int, int]]] = {}
    for kind, pos, size in structure_positions(data):
        v = int.from_bytes(data[pos : pos + size], "little")
        for x in field_values(kind, v, pos, size, len(data), rng):
            x &= (1 << (8 * size)) - 1
            if x != v:
                by_kind.setdefault(kind, []).append((pos, size, x))
    picks: list[tuple[str, int, int, int]] = []
    share = budget // len(by_kind)
    for kind, options in sorted(by_kind.items()):
        picks += [(kind, *o) for o in rng.sample(options, min(share, len(options)))]
    mutants = []
    for kind, pos, size, x in picks:
        m = bytearray(data)
        m[pos : pos + size] = x.to_bytes(size, "little")
        try:
            mutants.append((f"{kind}@{pos}", seal(bytes(m))))
        except LwaiError:
            mutants.append((f"{kind}@{pos}.unsealable", bytes(m)))  # no path to the CRC left
    return mutants
