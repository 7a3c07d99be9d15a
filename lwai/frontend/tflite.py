"""TFLite import through TVM's Relax frontend, with lwai's fixes for real-world models.

TVM 0.27's converter fails on two published TFLM models; rather than patching TVM we
subclass its ``OperatorConverter``:
- 1-D tensors (biases) that carry ``quantized_dimension`` > 0 (person_detect has 3):
  a 1-D tensor only has axis 0, and TFLite Micro ignores the field there, so we do too.
- FULLY_CONNECTED on an input of rank > 2 without ``keep_num_dims`` (micro_speech feeds a
  [1,25,20,8] tensor): TFLite flattens it to [-1, K]; TVM's converter does not, so we
  reshape the input before the converter sees it.
- SOFTMAX with beta != 1: TVM's converter drops beta; we scale the logits by it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tflite
import tvm
from tflite.BuiltinOperator import BuiltinOperator
from tvm import relax
from tvm.relax.frontend.tflite import tflite_frontend as tvm_tflite

from lwai.errors import LwaiError

_BUILTIN_NAMES = {v: k for k, v in vars(BuiltinOperator).items() if not k.startswith("_")}


class LwaiOperatorConverter(tvm_tflite.OperatorConverter):
    """TVM's converter with the fixes described in the module docstring."""

    _flatten_input: tuple[int, int] | None = None  # (tensor index, K) while converting an FC

    def get_tensors(self, tensors_idx_list):
        wrappers = super().get_tensors(tensors_idx_list)
        for w in wrappers:
            if w.qnn_params and w.tensor.ShapeLength() == 1 and w.qnn_params["axis"] != 0:
                w.qnn_params["axis"] = 0
        return wrappers

    def convert_fully_connected(self, op):
        from tflite.FullyConnectedOptions import FullyConnectedOptions

        inputs = self.get_input_tensors(op)
        options = FullyConnectedOptions()
        raw = op.BuiltinOptions()
        keep_num_dims = False
        if raw is not None:
            options.Init(raw.Bytes, raw.Pos)
            keep_num_dims = bool(options.KeepNumDims())
        in_shape = list(inputs[0].tensor.ShapeAsNumpy())
        k = int(inputs[1].tensor.ShapeAsNumpy()[-1])
        if len(in_shape) > 2 and not keep_num_dims:
            self._flatten_input = (inputs[0].tensor_idx, k)
        try:
            return super().convert_fully_connected(op)
        finally:
            self._flatten_input = None

    def convert_softmax(self, op):
        from tflite.SoftmaxOptions import SoftmaxOptions

        (inp,) = self.get_input_tensors(op)
        (out_t,) = self.get_output_tensors(op)
        beta = 1.0
        raw = op.BuiltinOptions()
        if raw is not None:
            options = SoftmaxOptions()
            options.Init(raw.Bytes, raw.Pos)
            beta = float(options.Beta())
        expr = self.get_expr(inp.tensor_idx)
        if inp.qnn_params:
            expr = self.dequantize(expr, inp)
        if beta != 1.0:
            expr = relax.op.multiply(expr, relax.const(beta, "float32"))
        expr = relax.op.nn.softmax(expr, axis=-1)
        return self.quantize(expr, out_t) if out_t.qnn_params else expr

    def get_tensor_expr(self, tensor, is_sparse=False):
        expr = super().get_tensor_expr(tensor, is_sparse)
        if self._flatten_input is not None and tensor.tensor_idx == self._flatten_input[0]:
            expr = relax.op.reshape(expr, (-1, self._flatten_input[1]))
        return expr


def _parse(path: Path, data: bytes) -> tflite.Model:
    if len(data) < 8 or data[4:8] != b"TFL3":
        raise LwaiError(path, "not a TFLite flatbuffer (missing the 'TFL3' identifier)")
    try:
        model = tflite.Model.GetRootAsModel(data, 0)
        if model.SubgraphsLength() < 1:
            raise LwaiError(path, "TFLite model has no subgraph")
        # Touch every table the converter reads so truncation fails here, not deep in TVM.
        for s in range(model.SubgraphsLength()):
            sg = model.Subgraphs(s)
            for t in range(sg.TensorsLength()):
                tensor = sg.Tensors(t)
                tensor.ShapeAsNumpy()
                tensor.Type()
                b = tensor.Buffer()
                if b >= model.BuffersLength():
                    raise LwaiError(path, f"tensor {t} names buffer {b}, which does not exist")
                model.Buffers(b).DataAsNumpy()
            for o in range(sg.OperatorsLength()):
                op = sg.Operators(o)
                if op.OpcodeIndex() >= model.OperatorCodesLength():
                    raise LwaiError(path, f"operator {o} has an invalid opcode index")
                op.InputsAsNumpy()
                op.OutputsAsNumpy()
    except LwaiError:
        raise
    except Exception as err:  # noqa: BLE001 - flatbuffers raises any error on bad bytes
        raise LwaiError(
            path, f"malformed or truncated TFLite file ({type(err).__name__})"
        ) from None
    return model


def _op_name(model, op) -> str:
    code = model.OperatorCodes(op.OpcodeIndex())
    builtin = max(int(code.BuiltinCode()), int(code.DeprecatedBuiltinCode()))
    if builtin == BuiltinOperator.CUSTOM:
        return f"CUSTOM({code.CustomCode().decode(errors='replace')})"
    return _BUILTIN_NAMES.get(builtin, f"builtin#{builtin}")


def unsupported_ops(model) -> list[str]:
    """Every op of the model lwai cannot import, scanned once over the whole model."""
    supported = set(LwaiOperatorConverter(model, model.Subgraphs(0), None, None).convert_map)
    quantized_ok = LwaiOperatorConverter._SUPPORTED_QUANTIZED_OPS
    bad: dict[str, None] = {}
    sg = model.Subgraphs(0)
    for i in range(sg.OperatorsLength()):
        op = sg.Operators(i)
        name = _op_name(model, op)
        if name not in supported:
            bad[name] = None
            continue
        quantized = any(
            idx >= 0
            and sg.Tensors(idx).Quantization() is not None
            and sg.Tensors(idx).Quantization().ScaleLength() > 0
            for idx in list(op.InputsAsNumpy()) + list(op.OutputsAsNumpy())
        )
        if quantized and name not in quantized_ok:
            bad[name] = None
    return list(bad)


def import_tflite(path: Path, data: bytes) -> tvm.IRModule:
    model = _parse(path, data)
    bad = unsupported_ops(model)
    if bad:
        raise LwaiError(
            path,
            f"unsupported operator{'s' if len(bad) > 1 else ''} {', '.join(bad)}",
            "Replace it in the model or add a kernel for it (see docs/operators.md)",
        )
    try:
        mod = tvm_tflite.from_tflite(model, op_converter=LwaiOperatorConverter)
    except Exception as err:
        first = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        raise LwaiError(path, f"TVM could not import the model: {first}") from err
    params = _params(mod)
    return relax.transform.BindParams("main", params)(mod) if params else mod


def _params(mod: tvm.IRModule) -> dict:
    """Weights the converter left as function params (bound so they become constants)."""
    func = mod["main"]
    n_in = int(func.attrs["num_input"]) if func.attrs and "num_input" in func.attrs else None
    params = func.attrs["params"] if func.attrs and "params" in func.attrs else None
    if n_in is None or params is None or len(func.params) == n_in:
        return {}
    return {p: np.asarray(v.numpy()) for p, v in zip(func.params[n_in:], params)}
