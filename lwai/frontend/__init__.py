"""Model import: one module per format, one entry point, ``import_model``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import tvm

from lwai.errors import LwaiError


@dataclass
class ImportedModel:
    name: str  # C-identifier-safe model name, from the file name
    path: Path
    mod: tvm.IRModule  # Relax module with a `main`, constants bound
    fmt: str  # "tflite" or "onnx"
    # TFLite: each Relax binding's source operator, by variable name (frontend.tflite.OpOrigin)
    origins: dict = field(default_factory=dict)


def model_name(path: Path) -> str:
    stem = "".join(c if c.isalnum() else "_" for c in path.stem).strip("_").lower()
    return stem if stem and not stem[0].isdigit() else f"m_{stem}"


def import_model(path: str | Path) -> ImportedModel:
    path = Path(path)
    if not path.is_file():
        raise LwaiError(path, "no such model file")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".tflite" or data[4:8] == b"TFL3":
        from lwai.frontend.tflite import import_tflite

        origins: dict = {}
        mod = import_tflite(path, data, origins)
        return ImportedModel(model_name(path), path, mod, "tflite", origins)
    if suffix == ".onnx":
        from lwai.frontend.onnx import import_onnx

        return ImportedModel(model_name(path), path, import_onnx(path, data), "onnx")
    raise LwaiError(
        path,
        "not a model lwai can read (expected a .tflite flatbuffer or an .onnx protobuf)",
    )
