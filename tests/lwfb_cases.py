"""Graphs for the model.lwfb tests: a hand-built one and those `lwai compile` writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from conftest import shared_model

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
