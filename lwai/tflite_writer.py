"""lwai's own TFLite flatbuffer writer.

Enough of the schema to write single-op test models and small multi-op graphs of the ops
lwai's kernels cover (and the project's demo model), with int8 per-tensor/per-channel,
int16, int32 and float32 tensors. Built on the ``flatbuffers`` builder and the table
builders generated into the ``tflite`` package.

Example::

    mb = ModelBuilder()
    x = mb.add_tensor("x", (1, 8), "int8", scale=0.1, zero_point=-3)
    w = mb.add_tensor("w", (4, 8), "int8", data=weights, scale=[0.02] * 4, zero_point=[0] * 4)
    y = mb.add_tensor("y", (1, 4), "int8", scale=0.2, zero_point=5)
    mb.add_op("FULLY_CONNECTED", [x, w, -1], [y], {"activation": "RELU"})
    mb.inputs, mb.outputs = [x], [y]
    open("fc.tflite", "wb").write(mb.build())
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import flatbuffers
import numpy as np
import tflite

# The ``tflite`` package re-exports each table's class under its module's name, so reach
# the generated modules (with their builder functions) through importlib.
(
    AddOptions,
    Buffer,
    Conv2DOptions,
    DepthwiseConv2DOptions,
    FullyConnectedOptions,
    Model,
    MulOptions,
    Operator,
    OperatorCode,
    Pool2DOptions,
    QuantizationParameters,
    ReshapeOptions,
    SoftmaxOptions,
    SubGraph,
    Tensor,
    UnidirectionalSequenceLSTMOptions,
) = (
    importlib.import_module(f"tflite.{n}")
    for n in (
        "AddOptions",
        "Buffer",
        "Conv2DOptions",
        "DepthwiseConv2DOptions",
        "FullyConnectedOptions",
        "Model",
        "MulOptions",
        "Operator",
        "OperatorCode",
        "Pool2DOptions",
        "QuantizationParameters",
        "ReshapeOptions",
        "SoftmaxOptions",
        "SubGraph",
        "Tensor",
        "UnidirectionalSequenceLSTMOptions",
    )
)

SCHEMA_VERSION = 3

TENSOR_TYPES = {
    "float32": tflite.TensorType.FLOAT32,
    "int32": tflite.TensorType.INT32,
    "uint8": tflite.TensorType.UINT8,
    "int64": tflite.TensorType.INT64,
    "int16": tflite.TensorType.INT16,
    "int8": tflite.TensorType.INT8,
    "bool": tflite.TensorType.BOOL,
    "resource": tflite.TensorType.RESOURCE,  # VAR_HANDLE's output (no data)
    "uint32": tflite.TensorType.UINT32,  # the signal library's spectra (custom ops)
    "uint64": tflite.TensorType.UINT64,
}

ACTIVATIONS = {
    "NONE": tflite.ActivationFunctionType.NONE,
    "RELU": tflite.ActivationFunctionType.RELU,
    "RELU_N1_TO_1": tflite.ActivationFunctionType.RELU_N1_TO_1,
    "RELU6": tflite.ActivationFunctionType.RELU6,
}

PADDINGS = {"SAME": tflite.Padding.SAME, "VALID": tflite.Padding.VALID}

# Operator versions as the TFLite converter marks int8 (per-channel) and float kernels; the
# interpreters accept any version they know, these are the ones matching our features.
_OP_VERSIONS = {
    "CONV_2D": 3,
    "DEPTHWISE_CONV_2D": 3,
    "FULLY_CONNECTED": 4,
    "AVERAGE_POOL_2D": 2,
    "MAX_POOL_2D": 2,
    "ADD": 2,
    "MUL": 2,
    "SOFTMAX": 2,
    "RESHAPE": 1,
    "QUANTIZE": 2,
    "DEQUANTIZE": 2,
}


def builtin_code(op: str | int) -> int:
    if isinstance(op, int):
        return op
    return getattr(tflite.BuiltinOperator, op.upper())


@dataclass
class _Tensor:
    name: str
    shape: tuple[int, ...]
    dtype: str
    data: bytes | None
    scale: list[float] | None
    zero_point: list[int] | None
    quantized_dimension: int
    is_variable: bool = False


@dataclass
class _Op:
    code: int
    inputs: list[int]
    outputs: list[int]
    options: dict[str, Any] = field(default_factory=dict)
    custom: str = ""  # custom op name (code CUSTOM), e.g. "SignalWindow"
    custom_options: bytes = b""  # flexbuffer custom_options of a custom op


class ModelBuilder:
    """Collects tensors and operators of one subgraph and serialises them.

    Tensor indices returned by :meth:`add_tensor` are used in :meth:`add_op` and in the
    ``inputs``/``outputs`` lists; ``-1`` marks an omitted optional input (e.g. no bias).
    """

    def __init__(self, description: str = "lwai"):
        self.description = description
        self.tensors: list[_Tensor] = []
        self.ops: list[_Op] = []
        self.inputs: list[int] = []
        self.outputs: list[int] = []
        # More subgraphs (1, 2, ...: IF/WHILE bodies, CALL_ONCE's init), each a ModelBuilder
        # whose tensors, ops, inputs and outputs are used; operator codes are shared.
        self.subgraphs: list[ModelBuilder] = []

    def add_tensor(
        self,
        name: str,
        shape: Sequence[int],
        dtype: str,
        data: np.ndarray | None = None,
        scale: float | Sequence[float] | None = None,
        zero_point: int | Sequence[int] | None = None,
        quantized_dimension: int = 0,
        is_variable: bool = False,
    ) -> int:
        """``is_variable``: a state tensor ops read and write across invocations (SVDF,
        UNIDIRECTIONAL_SEQUENCE_LSTM), reset by the interpreter."""
        if dtype not in TENSOR_TYPES:
            raise ValueError(f"unsupported tensor dtype {dtype!r}")
        raw = None
        if data is not None:
            arr = np.ascontiguousarray(np.asarray(data, dtype=dtype))
            if arr.size != int(np.prod(shape, dtype=np.int64)):
                raise ValueError(f"{name}: data has {arr.size} elements for shape {tuple(shape)}")
            raw = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        if scale is not None and np.isscalar(scale):
            scale = [float(scale)]
        if zero_point is not None and np.isscalar(zero_point):
            zero_point = [int(zero_point)]
        if scale is not None and zero_point is None:
            zero_point = [0] * len(scale)
        self.tensors.append(
            _Tensor(
                name,
                tuple(int(d) for d in shape),
                dtype,
                raw,
                None if scale is None else [float(s) for s in scale],
                None if zero_point is None else [int(z) for z in zero_point],
                int(quantized_dimension),
                bool(is_variable),
            )
        )
        return len(self.tensors) - 1

    def add_op(
        self,
        op: str | int,
        inputs: Sequence[int],
        outputs: Sequence[int],
        options: dict[str, Any] | None = None,
    ) -> int:
        """Options (all optional): ``padding`` "SAME"/"VALID", ``stride`` (h, w),
        ``dilation`` (h, w), ``activation`` NONE/RELU/RELU6/RELU_N1_TO_1,
        ``depth_multiplier``, ``filter`` (h, w) for pools, ``beta`` for softmax,
        ``keep_num_dims`` for fully connected, ``new_shape`` for reshape."""
        self.ops.append(_Op(builtin_code(op), list(inputs), list(outputs), dict(options or {})))
        return len(self.ops) - 1

    def add_custom_op(
        self,
        name: str,
        inputs: Sequence[int],
        outputs: Sequence[int],
        options: dict[str, int | bool | float] | None = None,
    ) -> int:
        """A custom operator ``name`` (e.g. "SignalWindow") whose ``options`` are written as
        a flexbuffer map (keys sorted, as TFLite's custom op readers index them)."""
        code = tflite.BuiltinOperator.CUSTOM
        op = _Op(code, list(inputs), list(outputs), {}, name, flexbuffer_map(options or {}))
        self.ops.append(op)
        return len(self.ops) - 1

    # ---- serialisation ---------------------------------------------------------------------

    def build(self) -> bytes:
        b = flatbuffers.Builder(1024)
        graphs = [self, *self.subgraphs]  # subgraph 0, then the others (IF/WHILE/CALL_ONCE)

        # Buffers: 0 is the empty sentinel; every tensor gets its own (empty unless constant).
        buffer_offsets = [self._buffer(b, None)]
        tensor_buffers = []
        for g in graphs:
            tensor_buffers.append([])
            for t in g.tensors:
                tensor_buffers[-1].append(len(buffer_offsets))
                buffer_offsets.append(self._buffer(b, t.data))

        tensor_offsets = [  # before the codes: a one-subgraph model's bytes as before
            [self._tensor(b, t, tensor_buffers[k][i]) for i, t in enumerate(g.tensors)]
            for k, g in enumerate(graphs)
        ]
        codes: list[tuple[int, str]] = []  # (builtin code, custom op name or "")
        for g in graphs:
            for op in g.ops:
                if (op.code, op.custom) not in codes:
                    codes.append((op.code, op.custom))
        code_offsets = []
        for code, custom in codes:
            name = _code_name(code)
            custom_name = b.CreateString(custom) if custom else None
            OperatorCode.OperatorCodeStart(b)
            if custom_name is not None:
                OperatorCode.OperatorCodeAddCustomCode(b, custom_name)
            OperatorCode.OperatorCodeAddDeprecatedBuiltinCode(b, min(code, 127))
            OperatorCode.OperatorCodeAddBuiltinCode(b, code)
            OperatorCode.OperatorCodeAddVersion(b, _OP_VERSIONS.get(name, 1))
            code_offsets.append(OperatorCode.OperatorCodeEnd(b))

        subgraphs = []
        for k, g in enumerate(graphs):
            op_offsets = [self._operator(b, op, codes.index((op.code, op.custom))) for op in g.ops]
            tensors_vec = _offset_vector(b, SubGraph.SubGraphStartTensorsVector, tensor_offsets[k])
            inputs_vec = _int32_vector(b, g.inputs)
            outputs_vec = _int32_vector(b, g.outputs)
            ops_vec = _offset_vector(b, SubGraph.SubGraphStartOperatorsVector, op_offsets)
            sg_name = b.CreateString("main" if k == 0 else f"subgraph{k}")
            SubGraph.SubGraphStart(b)
            SubGraph.SubGraphAddTensors(b, tensors_vec)
            SubGraph.SubGraphAddInputs(b, inputs_vec)
            SubGraph.SubGraphAddOutputs(b, outputs_vec)
            SubGraph.SubGraphAddOperators(b, ops_vec)
            SubGraph.SubGraphAddName(b, sg_name)
            subgraphs.append(SubGraph.SubGraphEnd(b))

        codes_vec = _offset_vector(b, Model.ModelStartOperatorCodesVector, code_offsets)
        subgraphs_vec = _offset_vector(b, Model.ModelStartSubgraphsVector, subgraphs)
        buffers_vec = _offset_vector(b, Model.ModelStartBuffersVector, buffer_offsets)
        desc = b.CreateString(self.description)
        Model.ModelStart(b)
        Model.ModelAddVersion(b, SCHEMA_VERSION)
        Model.ModelAddOperatorCodes(b, codes_vec)
        Model.ModelAddSubgraphs(b, subgraphs_vec)
        Model.ModelAddDescription(b, desc)
        Model.ModelAddBuffers(b, buffers_vec)
        model = Model.ModelEnd(b)
        b.Finish(model, file_identifier=b"TFL3")
        return bytes(b.Output())

    @staticmethod
    def _buffer(b: flatbuffers.Builder, data: bytes | None) -> int:
        vec = None
        if data:
            # 16-byte alignment so int32/float constants are naturally aligned in place.
            b.StartVector(1, len(data), 16)
            b.head = b.head - len(data)
            b.Bytes[b.head : b.head + len(data)] = data
            vec = b.EndVector()
        Buffer.BufferStart(b)
        if vec is not None:
            Buffer.BufferAddData(b, vec)
        return Buffer.BufferEnd(b)

    @staticmethod
    def _tensor(b: flatbuffers.Builder, t: _Tensor, buffer_index: int) -> int:
        name = b.CreateString(t.name)
        shape = _int32_vector(b, t.shape)
        quant = None
        if t.scale is not None:
            QuantizationParameters.QuantizationParametersStartScaleVector(b, len(t.scale))
            for s in reversed(t.scale):
                b.PrependFloat32(s)
            scale_vec = b.EndVector()
            zps = t.zero_point or [0] * len(t.scale)
            QuantizationParameters.QuantizationParametersStartZeroPointVector(b, len(zps))
            for z in reversed(zps):
                b.PrependInt64(z)
            zp_vec = b.EndVector()
            QuantizationParameters.QuantizationParametersStart(b)
            QuantizationParameters.QuantizationParametersAddScale(b, scale_vec)
            QuantizationParameters.QuantizationParametersAddZeroPoint(b, zp_vec)
            QuantizationParameters.QuantizationParametersAddQuantizedDimension(
                b, t.quantized_dimension
            )
            quant = QuantizationParameters.QuantizationParametersEnd(b)
        Tensor.TensorStart(b)
        Tensor.TensorAddShape(b, shape)
        Tensor.TensorAddType(b, TENSOR_TYPES[t.dtype])
        Tensor.TensorAddBuffer(b, buffer_index)
        Tensor.TensorAddName(b, name)
        if quant is not None:
            Tensor.TensorAddQuantization(b, quant)
        if t.is_variable:
            Tensor.TensorAddIsVariable(b, True)
        return Tensor.TensorEnd(b)

    @staticmethod
    def _operator(b: flatbuffers.Builder, op: _Op, code_index: int) -> int:
        opt_type, opt = _options(b, _code_name(op.code), op.options)
        inputs = _int32_vector(b, op.inputs)
        outputs = _int32_vector(b, op.outputs)
        custom = b.CreateByteVector(op.custom_options) if op.custom_options else None
        Operator.OperatorStart(b)
        Operator.OperatorAddOpcodeIndex(b, code_index)
        Operator.OperatorAddInputs(b, inputs)
        Operator.OperatorAddOutputs(b, outputs)
        if custom is not None:
            Operator.OperatorAddCustomOptions(b, custom)  # format 0: FLEXBUFFERS
        if opt is not None:
            Operator.OperatorAddBuiltinOptionsType(b, opt_type)
            Operator.OperatorAddBuiltinOptions(b, opt)
        return Operator.OperatorEnd(b)


def flexbuffer_map(options: dict[str, int | bool | float]) -> bytes:
    """A flexbuffer map of ints, bools and floats (custom op options)."""
    from flatbuffers import flexbuffers

    if not options:
        return b""
    fbb = flexbuffers.Builder()
    with fbb.Map():
        for key in sorted(options):
            v = options[key]
            if isinstance(v, bool):
                fbb.Bool(key, v)
            elif isinstance(v, float):
                fbb.Float(key, v)
            else:
                fbb.Int(key, int(v))
    return bytes(fbb.Finish())


def _code_name(code: int) -> str:
    for k, v in vars(tflite.BuiltinOperator).items():
        if v == code and not k.startswith("_"):
            return k
    return str(code)


def _int32_vector(b: flatbuffers.Builder, values: Sequence[int]) -> int:
    b.StartVector(4, len(values), 4)
    for v in reversed(list(values)):
        b.PrependInt32(int(v))
    return b.EndVector()


def _offset_vector(b: flatbuffers.Builder, start, offsets: Sequence[int]) -> int:
    start(b, len(offsets))
    for off in reversed(list(offsets)):
        b.PrependUOffsetTRelative(off)
    return b.EndVector()


def _pair(v: Any, default: int = 1) -> tuple[int, int]:
    if v is None:
        return default, default
    if np.isscalar(v):
        return int(v), int(v)
    return int(v[0]), int(v[1])


def _options(b: flatbuffers.Builder, name: str, o: dict[str, Any]) -> tuple[int, int | None]:
    act = ACTIVATIONS[str(o.get("activation", "NONE")).upper()]
    pad = PADDINGS[str(o.get("padding", "VALID")).upper()]
    sh, sw = _pair(o.get("stride"))
    dh, dw = _pair(o.get("dilation"))
    bo = tflite.BuiltinOptions
    if name == "CONV_2D":
        Conv2DOptions.Conv2DOptionsStart(b)
        Conv2DOptions.Conv2DOptionsAddPadding(b, pad)
        Conv2DOptions.Conv2DOptionsAddStrideH(b, sh)
        Conv2DOptions.Conv2DOptionsAddStrideW(b, sw)
        Conv2DOptions.Conv2DOptionsAddDilationHFactor(b, dh)
        Conv2DOptions.Conv2DOptionsAddDilationWFactor(b, dw)
        Conv2DOptions.Conv2DOptionsAddFusedActivationFunction(b, act)
        return bo.Conv2DOptions, Conv2DOptions.Conv2DOptionsEnd(b)
    if name == "DEPTHWISE_CONV_2D":
        M = DepthwiseConv2DOptions
        M.DepthwiseConv2DOptionsStart(b)
        M.DepthwiseConv2DOptionsAddPadding(b, pad)
        M.DepthwiseConv2DOptionsAddStrideH(b, sh)
        M.DepthwiseConv2DOptionsAddStrideW(b, sw)
        M.DepthwiseConv2DOptionsAddDilationHFactor(b, dh)
        M.DepthwiseConv2DOptionsAddDilationWFactor(b, dw)
        M.DepthwiseConv2DOptionsAddDepthMultiplier(b, int(o.get("depth_multiplier", 1)))
        M.DepthwiseConv2DOptionsAddFusedActivationFunction(b, act)
        return bo.DepthwiseConv2DOptions, M.DepthwiseConv2DOptionsEnd(b)
    if name == "FULLY_CONNECTED":
        M = FullyConnectedOptions
        M.FullyConnectedOptionsStart(b)
        M.FullyConnectedOptionsAddFusedActivationFunction(b, act)
        M.FullyConnectedOptionsAddKeepNumDims(b, bool(o.get("keep_num_dims", False)))
        if o.get("asymmetric_quantize_inputs"):  # hybrid FC: float input quantized on the fly
            M.FullyConnectedOptionsAddAsymmetricQuantizeInputs(b, True)
        return bo.FullyConnectedOptions, M.FullyConnectedOptionsEnd(b)
    if name in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        fh, fw = _pair(o.get("filter"))
        M = Pool2DOptions
        M.Pool2DOptionsStart(b)
        M.Pool2DOptionsAddPadding(b, pad)
        M.Pool2DOptionsAddStrideH(b, sh)
        M.Pool2DOptionsAddStrideW(b, sw)
        M.Pool2DOptionsAddFilterHeight(b, fh)
        M.Pool2DOptionsAddFilterWidth(b, fw)
        M.Pool2DOptionsAddFusedActivationFunction(b, act)
        return bo.Pool2DOptions, M.Pool2DOptionsEnd(b)
    if name == "ADD":
        AddOptions.AddOptionsStart(b)
        AddOptions.AddOptionsAddFusedActivationFunction(b, act)
        return bo.AddOptions, AddOptions.AddOptionsEnd(b)
    if name == "CONCATENATION":
        M = importlib.import_module("tflite.ConcatenationOptions")
        M.ConcatenationOptionsStart(b)
        M.ConcatenationOptionsAddAxis(b, int(o.get("axis", 0)))
        M.ConcatenationOptionsAddFusedActivationFunction(b, act)
        return bo.ConcatenationOptions, M.ConcatenationOptionsEnd(b)
    if name == "GATHER":
        M = importlib.import_module("tflite.GatherOptions")
        M.GatherOptionsStart(b)
        M.GatherOptionsAddAxis(b, int(o.get("axis", 0)))
        M.GatherOptionsAddBatchDims(b, int(o.get("batch_dims", 0)))
        return bo.GatherOptions, M.GatherOptionsEnd(b)
    if name == "SQUEEZE":
        dims = [int(d) for d in o.get("squeeze_dims", [])]
        M = importlib.import_module("tflite.SqueezeOptions")
        M.SqueezeOptionsStartSqueezeDimsVector(b, len(dims))
        for d in reversed(dims):
            b.PrependInt32(d)
        vec = b.EndVector()
        M.SqueezeOptionsStart(b)
        M.SqueezeOptionsAddSqueezeDims(b, vec)
        return bo.SqueezeOptions, M.SqueezeOptionsEnd(b)
    if name in ("DEPTH_TO_SPACE", "SPACE_TO_DEPTH"):
        camel = "DepthToSpace" if name == "DEPTH_TO_SPACE" else "SpaceToDepth"
        M = importlib.import_module(f"tflite.{camel}Options")
        getattr(M, f"{camel}OptionsStart")(b)
        getattr(M, f"{camel}OptionsAddBlockSize")(b, int(o.get("block_size", 2)))
        return getattr(bo, f"{camel}Options"), getattr(M, f"{camel}OptionsEnd")(b)
    if name == "STRIDED_SLICE":
        M = importlib.import_module("tflite.StridedSliceOptions")
        M.StridedSliceOptionsStart(b)
        M.StridedSliceOptionsAddBeginMask(b, int(o.get("begin_mask", 0)))
        M.StridedSliceOptionsAddEndMask(b, int(o.get("end_mask", 0)))
        M.StridedSliceOptionsAddShrinkAxisMask(b, int(o.get("shrink_axis_mask", 0)))
        if o.get("ellipsis_mask"):
            M.StridedSliceOptionsAddEllipsisMask(b, int(o["ellipsis_mask"]))
        if o.get("new_axis_mask"):
            M.StridedSliceOptionsAddNewAxisMask(b, int(o["new_axis_mask"]))
        if o.get("offset"):
            M.StridedSliceOptionsAddOffset(b, True)
        return bo.StridedSliceOptions, M.StridedSliceOptionsEnd(b)
    if name == "LEAKY_RELU":
        M = importlib.import_module("tflite.LeakyReluOptions")
        M.LeakyReluOptionsStart(b)
        M.LeakyReluOptionsAddAlpha(b, float(o.get("alpha", 0.2)))
        return bo.LeakyReluOptions, M.LeakyReluOptionsEnd(b)
    if name == "SUB":
        M = importlib.import_module("tflite.SubOptions")
        M.SubOptionsStart(b)
        M.SubOptionsAddFusedActivationFunction(b, act)
        return bo.SubOptions, M.SubOptionsEnd(b)
    if name == "DIV":  # activation (lwai/frontend/elementwise.py)
        M = importlib.import_module("tflite.DivOptions")
        M.DivOptionsStart(b)
        M.DivOptionsAddFusedActivationFunction(b, act)
        return bo.DivOptions, M.DivOptionsEnd(b)
    if name == "MUL":
        MulOptions.MulOptionsStart(b)
        MulOptions.MulOptionsAddFusedActivationFunction(b, act)
        return bo.MulOptions, MulOptions.MulOptionsEnd(b)
    if name == "TRANSPOSE_CONV":  # padding, stride (no activation: TFLM applies none)
        M = importlib.import_module("tflite.TransposeConvOptions")
        M.TransposeConvOptionsStart(b)
        M.TransposeConvOptionsAddPadding(b, pad)
        M.TransposeConvOptionsAddStrideH(b, sh)
        M.TransposeConvOptionsAddStrideW(b, sw)
        return bo.TransposeConvOptions, M.TransposeConvOptionsEnd(b)
    if name == "BATCH_MATMUL":  # adj_x, adj_y
        M = importlib.import_module("tflite.BatchMatMulOptions")
        M.BatchMatMulOptionsStart(b)
        M.BatchMatMulOptionsAddAdjX(b, bool(o.get("adj_x", False)))
        M.BatchMatMulOptionsAddAdjY(b, bool(o.get("adj_y", False)))
        if o.get("asymmetric_quantize_inputs"):  # hybrid BATCH_MATMUL (float LHS, int8 RHS)
            M.BatchMatMulOptionsAddAsymmetricQuantizeInputs(b, True)
        return bo.BatchMatMulOptions, M.BatchMatMulOptionsEnd(b)
    if name == "SOFTMAX":
        SoftmaxOptions.SoftmaxOptionsStart(b)
        SoftmaxOptions.SoftmaxOptionsAddBeta(b, float(o.get("beta", 1.0)))
        return bo.SoftmaxOptions, SoftmaxOptions.SoftmaxOptionsEnd(b)
    if name == "UNIDIRECTIONAL_SEQUENCE_LSTM":
        # activation: the cell gate's (TANH unless given); cell_clip 0 = none.
        cell_act = getattr(tflite.ActivationFunctionType, str(o.get("activation", "TANH")).upper())
        M = UnidirectionalSequenceLSTMOptions
        M.UnidirectionalSequenceLSTMOptionsStart(b)
        M.UnidirectionalSequenceLSTMOptionsAddFusedActivationFunction(b, cell_act)
        M.UnidirectionalSequenceLSTMOptionsAddCellClip(b, float(o.get("cell_clip", 0.0)))
        M.UnidirectionalSequenceLSTMOptionsAddTimeMajor(b, bool(o.get("time_major", False)))
        return bo.UnidirectionalSequenceLSTMOptions, M.UnidirectionalSequenceLSTMOptionsEnd(b)
    if name == "SVDF":  # rank; activation (TFLM's integer SVDF ignores it)
        M = importlib.import_module("tflite.SVDFOptions")
        M.SVDFOptionsStart(b)
        M.SVDFOptionsAddRank(b, int(o.get("rank", 1)))
        M.SVDFOptionsAddFusedActivationFunction(b, act)
        if o.get("asymmetric_quantize_inputs"):  # hybrid SVDF (float input, int8 weights)
            M.SVDFOptionsAddAsymmetricQuantizeInputs(b, True)
        return bo.SVDFOptions, M.SVDFOptionsEnd(b)
    # Math/reduction ops (issue 12, tests/math_cells_cases.py).
    if name == "L2_POOL_2D":  # Pool2DOptions like the other pools
        return _options(b, "AVERAGE_POOL_2D", o)
    if name in (
        "MEAN",
        "SUM",
        "REDUCE_MAX",
        "REDUCE_MIN",
        "REDUCE_PROD",
        "REDUCE_ALL",
        "REDUCE_ANY",
    ):
        M = importlib.import_module("tflite.ReducerOptions")
        M.ReducerOptionsStart(b)
        M.ReducerOptionsAddKeepDims(b, bool(o.get("keep_dims", False)))
        return bo.ReducerOptions, M.ReducerOptionsEnd(b)
    if name in ("ARG_MAX", "ARG_MIN"):  # output_type "int32" / "int64"
        camel = "ArgMax" if name == "ARG_MAX" else "ArgMin"
        M = importlib.import_module(f"tflite.{camel}Options")
        getattr(M, f"{camel}OptionsStart")(b)
        out_type = TENSOR_TYPES[str(o.get("output_type", "int32"))]
        getattr(M, f"{camel}OptionsAddOutputType")(b, out_type)
        return getattr(bo, f"{camel}Options"), getattr(M, f"{camel}OptionsEnd")(b)
    if name == "L2_NORMALIZATION":
        M = importlib.import_module("tflite.L2NormOptions")
        M.L2NormOptionsStart(b)
        M.L2NormOptionsAddFusedActivationFunction(b, act)
        return bo.L2NormOptions, M.L2NormOptionsEnd(b)
    if name == "CUMSUM":
        M = importlib.import_module("tflite.CumsumOptions")
        M.CumsumOptionsStart(b)
        M.CumsumOptionsAddExclusive(b, bool(o.get("exclusive", False)))
        M.CumsumOptionsAddReverse(b, bool(o.get("reverse", False)))
        return bo.CumsumOptions, M.CumsumOptionsEnd(b)
    # Control flow and resource variables (lwai/frontend/control_flow.py's tests).
    if name == "VAR_HANDLE":  # container, shared_name
        container = b.CreateString(str(o.get("container", "")))
        shared = b.CreateString(str(o.get("shared_name", "")))
        M = importlib.import_module("tflite.VarHandleOptions")
        M.VarHandleOptionsStart(b)
        M.VarHandleOptionsAddContainer(b, container)
        M.VarHandleOptionsAddSharedName(b, shared)
        return bo.VarHandleOptions, M.VarHandleOptionsEnd(b)
    if name == "CALL_ONCE":
        M = importlib.import_module("tflite.CallOnceOptions")
        M.CallOnceOptionsStart(b)
        M.CallOnceOptionsAddInitSubgraphIndex(b, int(o.get("init_subgraph_index", 1)))
        return bo.CallOnceOptions, M.CallOnceOptionsEnd(b)
    if name == "IF":
        M = importlib.import_module("tflite.IfOptions")
        M.IfOptionsStart(b)
        M.IfOptionsAddThenSubgraphIndex(b, int(o.get("then_subgraph_index", 1)))
        M.IfOptionsAddElseSubgraphIndex(b, int(o.get("else_subgraph_index", 2)))
        return bo.IfOptions, M.IfOptionsEnd(b)
    if name == "WHILE":
        M = importlib.import_module("tflite.WhileOptions")
        M.WhileOptionsStart(b)
        M.WhileOptionsAddCondSubgraphIndex(b, int(o.get("cond_subgraph_index", 1)))
        M.WhileOptionsAddBodySubgraphIndex(b, int(o.get("body_subgraph_index", 2)))
        return bo.WhileOptions, M.WhileOptionsEnd(b)
    if name == "RESHAPE" and "new_shape" in o:
        shape = list(o["new_shape"])
        ReshapeOptions.ReshapeOptionsStartNewShapeVector(b, len(shape))
        for v in reversed(shape):
            b.PrependInt32(int(v))
        vec = b.EndVector()
        ReshapeOptions.ReshapeOptionsStart(b)
        ReshapeOptions.ReshapeOptionsAddNewShape(b, vec)
        return bo.ReshapeOptions, ReshapeOptions.ReshapeOptionsEnd(b)
    # Data-movement ops (tests/shape_cells_cases.py): axis/values_count, out_type,
    # align_corners/half_pixel_centers.
    if name == "MIRROR_PAD":  # mode "REFLECT" (default) or "SYMMETRIC"
        M = importlib.import_module("tflite.MirrorPadOptions")
        mode = getattr(tflite.MirrorPadMode, str(o.get("mode", "REFLECT")).upper())
        M.MirrorPadOptionsStart(b)
        M.MirrorPadOptionsAddMode(b, mode)
        return bo.MirrorPadOptions, M.MirrorPadOptionsEnd(b)
    # SPLIT / SPLIT_V num_splits, UNPACK num and axis (tests/data_movement_cases.py).
    if name in ("SPLIT", "SPLIT_V"):
        camel = "Split" if name == "SPLIT" else "SplitV"
        M = importlib.import_module(f"tflite.{camel}Options")
        getattr(M, f"{camel}OptionsStart")(b)
        getattr(M, f"{camel}OptionsAddNumSplits")(b, int(o.get("num_splits", 1)))
        return getattr(bo, f"{camel}Options"), getattr(M, f"{camel}OptionsEnd")(b)
    if name == "UNPACK":
        M = importlib.import_module("tflite.UnpackOptions")
        M.UnpackOptionsStart(b)
        M.UnpackOptionsAddNum(b, int(o.get("num", 1)))
        M.UnpackOptionsAddAxis(b, int(o.get("axis", 0)))
        return bo.UnpackOptions, M.UnpackOptionsEnd(b)
    if name == "PACK":
        M = importlib.import_module("tflite.PackOptions")
        M.PackOptionsStart(b)
        M.PackOptionsAddValuesCount(b, int(o.get("values_count", 1)))
        M.PackOptionsAddAxis(b, int(o.get("axis", 0)))
        return bo.PackOptions, M.PackOptionsEnd(b)
    if name == "SHAPE":
        M = importlib.import_module("tflite.ShapeOptions")
        M.ShapeOptionsStart(b)
        M.ShapeOptionsAddOutType(b, TENSOR_TYPES[str(o.get("out_type", "int32"))])
        return bo.ShapeOptions, M.ShapeOptionsEnd(b)
    if name in ("RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"):
        camel = "ResizeBilinear" if name == "RESIZE_BILINEAR" else "ResizeNearestNeighbor"
        M = importlib.import_module(f"tflite.{camel}Options")
        getattr(M, f"{camel}OptionsStart")(b)
        getattr(M, f"{camel}OptionsAddAlignCorners")(b, bool(o.get("align_corners", False)))
        half = bool(o.get("half_pixel_centers", False))
        getattr(M, f"{camel}OptionsAddHalfPixelCenters")(b, half)
        return getattr(bo, f"{camel}Options"), getattr(M, f"{camel}OptionsEnd")(b)
    # Reductions, L2_NORMALIZATION, LOG_SOFTMAX (tests/reduce_cases.py): keep_dims, activation.
    if name in ("MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD"):
        M = importlib.import_module("tflite.ReducerOptions")
        M.ReducerOptionsStart(b)
        M.ReducerOptionsAddKeepDims(b, bool(o.get("keep_dims", False)))
        return bo.ReducerOptions, M.ReducerOptionsEnd(b)
    if name == "L2_NORMALIZATION":
        M = importlib.import_module("tflite.L2NormOptions")
        M.L2NormOptionsStart(b)
        M.L2NormOptionsAddFusedActivationFunction(b, act)
        return bo.L2NormOptions, M.L2NormOptionsEnd(b)
    if name == "LOG_SOFTMAX":
        M = importlib.import_module("tflite.LogSoftmaxOptions")
        M.LogSoftmaxOptionsStart(b)
        return bo.LogSoftmaxOptions, M.LogSoftmaxOptionsEnd(b)
    return bo.NONE, None


# ---- conveniences for tests and the demo ---------------------------------------------------


def conv_output_size(in_size: int, filt: int, stride: int, dilation: int, padding: str) -> int:
    """TFLite's output size for SAME/VALID padding."""
    eff = (filt - 1) * dilation + 1
    if padding.upper() == "SAME":
        return (in_size + stride - 1) // stride
    return (in_size - eff + stride) // stride


def explicit_padding(
    in_size: int, filt: int, stride: int, dilation: int, padding: str
) -> tuple[int, int]:
    """(before, after) padding TFLite applies for SAME/VALID (ComputePaddingHeightWidth)."""
    out = conv_output_size(in_size, filt, stride, dilation, padding)
    eff = (filt - 1) * dilation + 1
    total = max((out - 1) * stride + eff - in_size, 0)
    return total // 2, total - total // 2
