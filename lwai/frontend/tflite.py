"""TFLite import through TVM's Relax frontend, with lwai's fixes for real-world models.

TVM 0.27's converter fails on two published TFLM models; rather than patching TVM we
subclass its ``OperatorConverter``:
- 1-D tensors (biases) that carry ``quantized_dimension`` > 0 (person_detect has 3):
  a 1-D tensor only has axis 0, and TFLite Micro ignores the field there, so we do too.
- FULLY_CONNECTED on an input of rank > 2 without ``keep_num_dims`` (micro_speech feeds a
  [1,25,20,8] tensor): TFLite flattens it to [-1, K]; TVM's converter does not, so we
  reshape the input before the converter sees it.
- SOFTMAX with beta != 1: TVM's converter drops beta; we scale the logits by it (float32:
  (x - max) * beta, TFLite's rounding).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tflite
import tvm
from tflite.BuiltinOperator import BuiltinOperator
from tflite.TensorType import TensorType
from tvm import relax
from tvm.relax.frontend.tflite import tflite_frontend as tvm_tflite

from lwai.errors import LwaiError, call_tvm
from lwai.frontend import cast_ops as _cast_ops
from lwai.frontend import data_movement as _data_movement

_BUILTIN_NAMES = {v: k for k, v in vars(BuiltinOperator).items() if not k.startswith("_")}


class LwaiOperatorConverter(tvm_tflite.OperatorConverter):
    """TVM's converter with the fixes described in the module docstring."""

    _flatten_input: tuple[int, int] | None = None  # (tensor index, K) while converting an FC
    # Stateful ops TVM refuses, converted by lwai (lwai.frontend.stateful).
    _SUPPORTED_QUANTIZED_OPS = tvm_tflite.OperatorConverter._SUPPORTED_QUANTIZED_OPS | {
        "SVDF",
        "UNIDIRECTIONAL_SEQUENCE_LSTM",
        "BATCH_MATMUL",  # quantized: lwai's kernel (lwai/frontend/transpose_matmul.py)
    }
    # Pure data movement TVM converts without touching the values (int8 in, int8 out, same
    # quantization): importable quantized too. lwai.passes.exactness still checks each.
    _SUPPORTED_QUANTIZED_OPS = _SUPPORTED_QUANTIZED_OPS | {
        "PAD",
        "PADV2",
        "TRANSPOSE",
        "SLICE",
        "STRIDED_SLICE",
        "SQUEEZE",
        "GATHER",
        "DEPTH_TO_SPACE",
        "SPACE_TO_DEPTH",
        "ARG_MAX",  # int8 compared as integers (lwai/frontend/math_ops.py)
        "ARG_MIN",
        "IF",  # quantized data selected as integers (lwai/frontend/control_flow.py)
        "WHILE",
        "L2_NORMALIZATION",  # int8: lwai's kernel (lwai/frontend/reduce_ops.py)
    }

    # Data movement and multi-output ops on lwai's kernels (lwai/frontend/data_movement.py).
    _SUPPORTED_QUANTIZED_OPS = _SUPPORTED_QUANTIZED_OPS | set(_data_movement.BUILTINS)
    # Quantized elementwise/binary ops on lwai's kernels (lwai/frontend/elementwise.py).
    _SUPPORTED_QUANTIZED_OPS = _SUPPORTED_QUANTIZED_OPS | {"PRELU", "ELU", "ADD_N"}
    _SUPPORTED_QUANTIZED_OPS = _SUPPORTED_QUANTIZED_OPS | set(_cast_ops.BUILTINS)  # cast_ops.py
    # Resource variables copy raw bytes of any quantization (lwai/frontend/variables.py).
    _SUPPORTED_QUANTIZED_OPS = _SUPPORTED_QUANTIZED_OPS | {"READ_VARIABLE", "ASSIGN_VARIABLE"}
    # int8 CIRCULAR_BUFFER (lwai/frontend/detection_ops.py)
    _SUPPORTED_QUANTIZED_OPS = _SUPPORTED_QUANTIZED_OPS | {"CUSTOM(CIRCULAR_BUFFER)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.convert_map["SVDF"] = self.convert_svdf
        self.convert_map["UNIDIRECTIONAL_SEQUENCE_LSTM"] = self.convert_lstm
        # int16 (16x8) ops go to lwai's kernels directly (lwai/frontend/int16.py); others to TVM.
        from lwai.frontend import int16

        for builtin in int16.BUILTINS:
            if builtin in self.convert_map:
                self.convert_map[builtin] = self._int16_or(builtin, self.convert_map[builtin])
        # TFLM's signal library custom ops (lwai/frontend/signal_ops.py), as CUSTOM(<name>).
        from lwai.frontend import signal_ops

        for custom in signal_ops.CUSTOM_OPS:
            self.convert_map[f"CUSTOM({custom})"] = self._signal_op(custom)
        # TFLite_Detection_PostProcess, CIRCULAR_BUFFER (lwai/frontend/detection_ops.py).
        from lwai.frontend import detection_ops

        for custom in detection_ops.CUSTOM_OPS:
            self.convert_map[f"CUSTOM({custom})"] = self._detection_op(custom)
        # Quantized TRANSPOSE_CONV / BATCH_MATMUL too (lwai/frontend/transpose_matmul.py).
        for builtin in ("TRANSPOSE_CONV", "BATCH_MATMUL"):
            if builtin in self.convert_map:
                self.convert_map[builtin] = self._int16_or(builtin, self.convert_map[builtin])
        for builtin in _data_movement.BUILTINS:  # SPLIT/UNPACK, quantized PACK, MIRROR_PAD...
            self.convert_map[builtin] = _data_movement.wrap(
                self, builtin, self.convert_map.get(builtin)
            )
        from lwai.frontend import math_ops  # reductions, ARG_MAX/MIN, L2 norm, CUMSUM fixes

        math_ops.register(self)
        from lwai.frontend import control_flow  # IF inlined, WHILE unrolled, variables

        control_flow.register(self)
        from lwai.frontend import reduce_ops  # quantized MEAN/SUM/REDUCE_*/L2/LOG_SOFTMAX/RESIZE

        reduce_ops.register(self)
        from lwai.frontend import elementwise  # quantized ABS/ELU/RSQRT/PRELU/DIV/compare...

        elementwise.register(self)
        from lwai.frontend import shape_ops  # float/int32/bool data movement TVM gets wrong

        shape_ops.install(self)
        _cast_ops.register(self)  # CAST/QUANTIZE pairs, SELECT_V2, CUMSUM, FILL int8...

    def _int16_or(self, builtin, tvm_convert):
        from lwai.frontend import int16

        def convert(op):
            if builtin in ("TRANSPOSE_CONV", "BATCH_MATMUL"):
                from lwai.frontend import hybrid, transpose_matmul

                if hybrid.is_hybrid(self, op):  # float LHS, int8 RHS (lwai.frontend.hybrid)
                    return hybrid.convert_batch_matmul(self, op)

                out = transpose_matmul.convert(self, op, builtin)
                return out if out is not None else tvm_convert(op)
            out = int16.convert(self, op, builtin)
            return out if out is not None else tvm_convert(op)

        return convert

    def _signal_op(self, custom):
        from lwai.frontend import signal_ops

        return lambda op: signal_ops.convert(self, op, custom)

    def _detection_op(self, custom):
        from lwai.frontend import detection_ops

        return lambda op: detection_ops.convert(self, op, custom)

    def get_op_code_str(self, op):
        # Known custom ops as CUSTOM(<name>) (lwai's own converters); others as TVM says.
        from lwai.frontend.detection_ops import CUSTOM_OPS as DETECTION_OPS
        from lwai.frontend.signal_ops import CUSTOM_OPS, custom_name

        name = custom_name(self.model, op)
        if name in CUSTOM_OPS or name in DETECTION_OPS:
            return f"CUSTOM({name})"
        return super().get_op_code_str(op)

    def convert_svdf(self, op):
        from lwai.frontend import hybrid
        from lwai.frontend.stateful import convert_svdf

        if hybrid.is_hybrid(self, op):  # float input/state, int8 weights
            return hybrid.convert_svdf(self, op)
        return convert_svdf(self, op)

    def convert_lstm(self, op):
        from lwai.frontend.hybrid import refuse_unconverted
        from lwai.frontend.lstm import convert_lstm

        refuse_unconverted(self, op)  # hybrid LSTM: a clear error
        return convert_lstm(self, op)

    def convert_quantize(self, op):
        # Relax's quantize has no int32 output: lwai converts that requantize itself.
        from lwai.frontend.stateful import convert_quantize_int32

        out = convert_quantize_int32(self, op)
        return out if out is not None else super().convert_quantize(op)

    # Dynamic-range (hybrid) FC/conv: float activations, int8 weights (lwai.frontend.hybrid).
    _hiding_hybrid = False

    def check_unsupported_ops(self):
        # TVM refuses hybrid ops here ("dynamic range quantization"): lwai converts them.
        from lwai.frontend.hybrid import refuse_unconverted

        for i in range(self.subgraph.OperatorsLength()):  # hybrid SVDF/LSTM: lwai's error
            refuse_unconverted(self, self.subgraph.Operators(i))
        self._hiding_hybrid = True
        try:
            super().check_unsupported_ops()
        finally:
            self._hiding_hybrid = False

    def get_input_tensors(self, op):
        wrappers = super().get_input_tensors(op)
        if self._hiding_hybrid:
            from lwai.frontend.hybrid import is_hybrid

            # hybrid EMBEDDING_LOOKUP (int8 table, float32 out): lwai/frontend/data_movement.py
            # ASSIGN_VARIABLE's unquantized resource handle beside a quantized value is no
            # hybrid op either: a raw byte copy (lwai/frontend/variables.py)
            variable = self.get_op_code_str(op) == "ASSIGN_VARIABLE"
            if variable or is_hybrid(self, op) or _data_movement.is_hybrid(self, op):
                for w in wrappers[1:]:
                    w.qnn_params = None
        return wrappers

    def convert_conv(self, op, conv_type):
        from lwai.frontend import hybrid

        if hybrid.is_hybrid(self, op):
            return hybrid.convert_conv(self, op, depthwise=conv_type == "depthwise")
        return super().convert_conv(op, conv_type)

    def convert_gather(self, op):
        # TVM takes runtime indices (a graph input) in mode "fast", reading out of bounds on
        # a bad index; lwai clamps them into range (TFLM reports an error instead). TVM also
        # ignores batch_dims, so lwai refuses batch_dims != 0.
        from tflite.GatherOptions import GatherOptions

        raw = op.BuiltinOptions()
        opts = GatherOptions()
        if raw is not None:
            opts.Init(raw.Bytes, raw.Pos)
            if opts.BatchDims() != 0:
                raise LwaiError("model", f"GATHER with batch_dims={opts.BatchDims()}")
        data_t, idx_t = self.get_input_tensors(op)
        if raw is None or not self.has_expr(idx_t.tensor_idx):
            return super().convert_gather(op)
        rank = int(data_t.tensor.ShapeLength())
        axis = int(opts.Axis())
        axis = axis + rank if axis < 0 else axis
        indices = relax.op.astype(self.get_expr(idx_t.tensor_idx), "int32")
        return relax.op.take(self.get_tensor_expr(data_t), indices, axis=axis, mode="clip")

    def get_tensors(self, tensors_idx_list):
        wrappers = super().get_tensors(tensors_idx_list)
        for w in wrappers:
            if w.qnn_params and w.tensor.ShapeLength() == 1 and w.qnn_params["axis"] != 0:
                w.qnn_params["axis"] = 0
        if self.lwai_hidden and not getattr(self, "_lwai_hidden_given", False):
            from lwai.frontend.variables import HiddenOutput

            self._lwai_hidden_given = True  # from_tflite's one call for the graph outputs
            wrappers = list(wrappers) + [HiddenOutput(e) for e in self.lwai_hidden]
        return wrappers

    def convert_fully_connected(self, op):
        from tflite.FullyConnectedOptions import FullyConnectedOptions

        from lwai.frontend import hybrid

        if hybrid.is_hybrid(self, op):
            return hybrid.convert_fully_connected(self, op)
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
        if beta != 1.0 and inp.qnn_params:  # lwai's int8 softmax pattern takes beta from here
            expr = relax.op.multiply(expr, relax.const(beta, "float32"))
        elif beta != 1.0:
            # TFLite rounds (x - max) * beta, not x * beta - max(x * beta): subtract first so
            # float32 results equal TFLM's (softmax's own max is then 0, subtracted exactly).
            top = relax.op.max(expr, axis=[-1], keepdims=True)
            expr = relax.op.subtract(expr, top)
            expr = relax.op.multiply(expr, relax.const(beta, "float32"))
        expr = relax.op.nn.softmax(expr, axis=-1)
        return self.quantize(expr, out_t) if out_t.qnn_params else expr

    def convert_op_to_relax(self):
        """TVM's loop, plus a record of which TFLite op each Relax binding comes from, so a
        quantized op left for TVM can be named (``lwai.passes.exactness``). Each op's result
        is bound right after its conversion (TVM would bind it at its first use anyway)."""
        from tflite.Operator import Operator

        origins: dict[str, OpOrigin] = {}
        self.lwai_origins = origins
        for op_idx in range(self.subgraph.OperatorsLength()):
            op = self.subgraph.Operators(op_idx)
            assert isinstance(op, Operator)
            outputs = self.get_output_tensors(op)
            ret = self.convert_map[self.get_op_code_str(op)](op=op)
            if ret is None:
                continue
            ret = self.bb.normalize(ret)
            if isinstance(ret, (relax.Call, relax.Tuple, relax.TupleGetItem)):
                ret = self.bb.emit(ret)
            origin = _origin(self.model, self.subgraph, op, op_idx)
            _attribute(self.bb, ret, origin, origins)
            if len(outputs) == 1:
                name = tvm_tflite.get_tensor_name(self.subgraph, outputs[0].tensor_idx)
                self.exp_tab.set_expr(name, ret)
            else:
                for idx, out_t in enumerate(outputs):
                    name = tvm_tflite.get_tensor_name(self.subgraph, out_t.tensor_idx)
                    self.exp_tab.set_expr(name, ret[idx])
        if not self.conversion_state.get("lowering_stack"):  # the main graph's end
            from lwai.frontend import variables

            # resource variables' write steps: extra outputs of main (from_tflite asks for
            # the outputs next, through get_tensors), dropped again by the schedule
            self.lwai_hidden = variables.finish(self)

    lwai_hidden: list | tuple = ()  # set by the main graph's convert_op_to_relax

    def get_tensor_expr(self, tensor, is_sparse=False):
        from lwai.frontend.variables import HiddenOutput

        if isinstance(tensor, HiddenOutput):
            return tensor.expr
        expr = super().get_tensor_expr(tensor, is_sparse)
        if self._flatten_input is not None and tensor.tensor_idx == self._flatten_input[0]:
            expr = relax.op.reshape(expr, (-1, self._flatten_input[1]))
        return expr


@dataclass(frozen=True)
class OpOrigin:
    """The TFLite operator a Relax binding was converted from."""

    index: int  # operator index in subgraph 0
    name: str  # builtin name, e.g. "PAD"
    tensor: str  # its first output tensor's name
    dtype: str  # its quantized activations' dtype (e.g. "int8"), else its first input's
    quantized: bool  # a non-constant input or output is a quantized int8/uint8/int16 tensor


_TFLITE_DTYPES = {v: k.lower() for k, v in vars(TensorType).items() if not k.startswith("_")}


def _origin(model, subgraph, op, op_idx: int) -> OpOrigin:
    def dtype(i: int) -> str:
        return _TFLITE_DTYPES.get(subgraph.Tensors(i).Type(), "?")

    def constant(i: int) -> bool:
        b = subgraph.Tensors(i).Buffer()
        return 0 < b < model.BuffersLength() and model.Buffers(b).DataLength() > 0

    def quantized(i: int) -> bool:
        q = subgraph.Tensors(i).Quantization()
        return q is not None and q.ScaleLength() > 0 and dtype(i) in ("int8", "uint8", "int16")

    ins = [int(i) for i in op.InputsAsNumpy() if i >= 0]
    outs = [int(i) for i in op.OutputsAsNumpy() if i >= 0]
    acts = [i for i in ins + outs if quantized(i) and not constant(i)]
    first = acts or ins or outs
    tensor = ""
    if outs:
        tensor = (subgraph.Tensors(outs[0]).Name() or b"").decode(errors="replace")
        tensor = tensor or f"#{outs[0]}"  # unnamed: its index in the subgraph
    dt = dtype(first[0]) if first else "?"
    return OpOrigin(op_idx, _op_name(model, op), tensor, dt, bool(acts))


def _attribute(bb, ret, origin: OpOrigin, origins: dict) -> None:
    """Records ``origin`` for every binding reachable from ``ret`` not yet attributed
    (earlier ops' results are attributed already, so the walk stops there)."""
    stack = [ret]
    while stack:
        e = stack.pop()
        if isinstance(e, relax.Var):
            if str(e.name) in origins:
                continue
            value = bb.lookup_binding(e)
            if value is None:
                continue
            origins[str(e.name)] = origin
            stack.append(value)
        elif isinstance(e, relax.Call):
            stack.extend(e.args)
        elif isinstance(e, relax.Tuple):
            stack.extend(e.fields)
        elif isinstance(e, relax.TupleGetItem):
            stack.append(e.tuple_value)


def _parse(path: Path, data: bytes) -> tflite.Model:
    from lwai.frontend.validate_tflite import validate_tflite

    validate_tflite(path, data)  # bounds, indices, shapes, quantization, data flow
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
            dt = _origin(model, sg, op, i).dtype
            bad[f"{name} ({dt})"] = None
    return list(bad)


def import_tflite(path: Path, data: bytes, origins: dict | None = None) -> tvm.IRModule:
    """The Relax module; ``origins``, when given, receives each binding's :class:`OpOrigin`
    by variable name."""
    from lwai.frontend import decode_ops, tflite_rewrite

    data = tflite_rewrite.canonical_opcodes(path, data)  # codes < 127 in builtin_code only
    data = decode_ops.expand(path, data)  # TFLM_DECODE: its constants decoded (compression)
    model = _parse(path, data)
    from lwai.frontend.int16 import precheck

    precheck(model, str(path))  # int16 / TRANSPOSE_CONV / BATCH_MATMUL lwai cannot compute
    from lwai.frontend import reduce_ops

    reduce_ops.precheck(model, str(path))  # quantized reductions, L2, LOG_SOFTMAX, RESIZE
    bad = unsupported_ops(model)
    if bad:
        raise LwaiError(
            path,
            f"unsupported operator{'s' if len(bad) > 1 else ''} {', '.join(bad)}",
            "Replace it in the model or add a kernel for it (see docs/operators.md)",
        )
    try:
        converters: list[LwaiOperatorConverter] = []

        class _Converter(LwaiOperatorConverter):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                converters.append(self)

        mod = call_tvm(
            path,
            "TVM could not import the model",
            tvm_tflite.from_tflite,
            model,
            op_converter=_Converter,
            on_failure=converters.clear,
        )
        if origins is not None and converters:
            origins.update(getattr(converters[0], "lwai_origins", {}))
        hidden = len(converters[0].lwai_hidden) if converters else 0
        if hidden:  # resource variables' write steps (lwai.frontend.variables)
            from lwai.frontend.variables import HIDDEN_ATTR

            mod["main"] = mod["main"].with_attr(HIDDEN_ATTR, hidden)
    except LwaiError as err:
        if err.where == "model":  # a converter's refusal (it has no path): name the file
            raise LwaiError(path, err.what, err.hint) from None
        raise
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
