"""Backend-neutral description of one operator, in TFLite semantics (NHWC).

The compiler extracts an ``OpDesc`` from each partitioned Relax composite; kernel
emitters (``lwai.codegen.kernels``) and model-file writers consume it. Nothing here
depends on TVM, so kernels can be tested from hand-built descriptions too.

Layouts (as TFLite stores them):
- conv2d: input [N,H,W,Cin], weights [Cout,KH,KW,Cin] (OHWI), bias [Cout] (int32 for int8)
- depthwise_conv2d: input [N,H,W,Cin], weights [1,KH,KW,Cin*depth_multiplier], bias [Cout]
- fully_connected: input [N,K] (already flattened), weights [Cout,K], bias [Cout]
- avg_pool2d / max_pool2d: input/output [N,H,W,C]
- add / mul: two inputs, broadcast NumPy-style up to 4-D
- softmax: along the last axis
- reshape: same bytes, new shape
- quantize: float32 -> int8/int16 (or int8 -> int8 requantize); dequantize: int -> float32

Attributes (``OpDesc.attrs``):
- stride: (sh, sw); dilation: (dh, dw); padding: (top, left, bottom, right) explicit
- filter: (fh, fw) for pools; depth_multiplier for depthwise; beta for softmax
- act_min / act_max: fused activation range, in the output's quantized integer domain for
  quantized outputs, in float for float32 outputs (always present; the dtype's full range
  when there is no activation)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lwai import opspec

# Every op kind lwai has library kernels for, in the spec's order (lwai/spec/ops.yaml).
OP_KINDS = tuple(opspec.load().ops)


@dataclass
class TensorDesc:
    shape: tuple[int, ...]
    dtype: str  # "int8", "int16", "int32", "float32"
    scale: list[float] | None = None  # len 1 per-tensor, len C per-channel; None if float
    zero_point: list[int] | None = None
    quant_axis: int = 0  # axis of per-channel scales, in the layout given above
    data: np.ndarray | None = None  # constant contents (weights, bias), else None
    name: str = ""
    state: bool = False  # persistent state of a stateful op (e.g. SVDF), kept between runs

    @property
    def is_const(self) -> bool:
        return self.data is not None

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * np.dtype(self.dtype).itemsize


@dataclass
class OpDesc:
    kind: str
    inputs: list[TensorDesc]
    output: TensorDesc
    attrs: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    # Outputs after the first, for multi-output ops (SPLIT, UNPACK: lwai/frontend/
    # data_movement.py); each gets its own arena buffer (compiler._schedule).
    extra_outputs: list[TensorDesc] = field(default_factory=list)

    @property
    def outputs(self) -> list[TensorDesc]:
        return [self.output, *self.extra_outputs]

    @property
    def dtype(self) -> str:
        """The dtype a kernel is chosen by: the first input's."""
        return self.inputs[0].dtype
