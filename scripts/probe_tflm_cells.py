#!/usr/bin/env python3
"""Which op x dtype cells TFLite Micro supports: probed, not typed in (issue 12).

For every builtin TFLM's all-ops resolver registers (scripts/gen_coverage.py finds them) and
every candidate dtype (float32, int8, int16 -- 16x8 where weights are involved --, int32,
int64, bool, uint8, and the type-changing pairs of QUANTIZE, DEQUANTIZE, CAST, SOFTMAX,
ARG_MAX/MIN, SHAPE, EMBEDDING_LOOKUP, comparisons), a minimal valid single-op model is written
with lwai/tflite_writer.py::ModelBuilder and run by the installed ``tflite_micro`` Python
interpreter. A cell exists when TFLM prepares and invokes it. Probes run in child processes
(a TFLM kernel may crash on a dtype it does not check: that cell does not exist).

Cell labels (the ``CELLS`` convention of the test files): the dtype of the op's data input,
"A->B" when the output dtype differs (QUANTIZE int8 -> int16 is "int8->int16"; LESS on int32
is "int32->bool"; a same-type QUANTIZE/CAST is just "int8"; SHAPE, which reads only its
input's shape, is labelled by its output dtype); int16 CONV_2D etc. are 16x8.

IF and WHILE are probed with RESHAPE / counting subgraphs (the cell: the dtype of the data
they carry); CALL_ONCE, VAR_HANDLE and READ_VARIABLE with one model (an init subgraph assigns
a constant, the main graph reads it), ASSIGN_VARIABLE with another (the main graph assigns
its input and reads it back); their cell: the variable's dtype. LOGICAL_AND/OR are probed on bool only (TFLM does not check their dtype). A builtin no
probe can exercise would go into HAND with the reason. Of the custom ops, the signal
library's simple ops (SIGNAL_OPS: window, FFTs, energy, delay, framer, overlap-add, stacker)
are probed on int16, int32 and float32 data with their custom options, TFLite_Detection_PostProcess
and CIRCULAR_BUFFER on the candidate dtypes (OTHER_CUSTOM; CUSTOM_LIMITS: what lwai takes of a
cell, shown in its row); the filter-bank family and PCAN (CUSTOM_HAND, with the reason) and the
other registrations are not. TFLM_DECODE
(model compression) is probed per decoded dtype with a LUT-encoded constant.

    .venv/bin/python scripts/probe_tflm_cells.py            # rewrite lwai/spec/tflm_cells.json
    .venv/bin/python scripts/probe_tflm_cells.py --check    # exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
for p in (REPO, REPO / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from lwai.tflite_writer import ModelBuilder

DATA = REPO / "lwai" / "spec" / "tflm_cells.json"
COMMAND = ".venv/bin/python scripts/probe_tflm_cells.py"
DTYPES = ("float32", "int8", "int16", "int32", "int64", "bool", "uint8")
QUANT = {"int8": (0.05, 0), "int16": (0.001, 0), "uint8": (0.05, 128)}


def label(d_in: str, d_out: str) -> str:
    return d_in if d_in == d_out else f"{d_in}->{d_out}"


def canonical(lab: str) -> str:
    """ "int8->int8" -> "int8" (both spellings name the same cell)."""
    a, sep, b = lab.partition("->")
    return a if sep and a == b else lab


# ---- a ModelBuilder that writes the options the probes need --------------------------------

# op -> options table; option dict keys are the table's field names (CamelCase).
_EXTRA_OPTIONS = {
    "PACK": "PackOptions",
    "UNPACK": "UnpackOptions",
    "SPLIT": "SplitOptions",
    "SPLIT_V": "SplitVOptions",
    "MIRROR_PAD": "MirrorPadOptions",
    "ARG_MAX": "ArgMaxOptions",
    "ARG_MIN": "ArgMinOptions",
    "MEAN": "ReducerOptions",
    "SUM": "ReducerOptions",
    "REDUCE_MAX": "ReducerOptions",
    "REDUCE_MIN": "ReducerOptions",
    "REDUCE_ALL": "ReducerOptions",
    "SHAPE": "ShapeOptions",
    "CAST": "CastOptions",
    "DIV": "DivOptions",
    "L2_POOL_2D": "Pool2DOptions",
    "CUMSUM": "CumsumOptions",
}


class _Builder(ModelBuilder):
    @staticmethod
    def _operator(b, op, code_index):  # type: ignore[override]
        from lwai import tflite_writer as tw

        name = tw._code_name(op.code)
        table = _EXTRA_OPTIONS.get(name)
        if table is None or not op.options:
            return ModelBuilder._operator(b, op, code_index)
        import tflite

        m = importlib.import_module(f"tflite.{table}")
        getattr(m, f"{table}Start")(b)
        for field, value in op.options.items():
            getattr(m, f"{table}Add{field}")(b, value)
        opt = getattr(m, f"{table}End")(b)
        inputs = tw._int32_vector(b, op.inputs)
        outputs = tw._int32_vector(b, op.outputs)
        tw.Operator.OperatorStart(b)
        tw.Operator.OperatorAddOpcodeIndex(b, code_index)
        tw.Operator.OperatorAddInputs(b, inputs)
        tw.Operator.OperatorAddOutputs(b, outputs)
        tw.Operator.OperatorAddBuiltinOptionsType(b, getattr(tflite.BuiltinOptions, table))
        tw.Operator.OperatorAddBuiltinOptions(b, opt)
        return tw.Operator.OperatorEnd(b)


class P:
    """One probe model: graph inputs get feeds, constants their data."""

    def __init__(self):
        self.mb = _Builder("tflm cell probe")
        self.feeds: list[np.ndarray] = []
        self.rng = np.random.default_rng(0)

    def _q(self, dtype, q):
        if q == ():  # no quantization (the signal ops' raw integers)
            return {}
        if q is None:
            q = QUANT.get(dtype)
        return {} if q is None else {"scale": q[0], "zero_point": q[1]}

    def inp(self, shape, dtype, q=None) -> int:
        t = self.mb.add_tensor(f"in{len(self.feeds)}", shape, dtype, **self._q(dtype, q))
        self.mb.inputs.append(t)
        if dtype == "bool":
            v = self.rng.integers(0, 2, shape).astype(bool)
        elif dtype == "float32":
            v = self.rng.uniform(0.5, 2.0, shape).astype(np.float32)
        else:
            v = self.rng.integers(1, 6, shape).astype(dtype)
        self.feeds.append(v)
        return t

    def const(self, values, dtype, shape=None, q=None) -> int:
        arr = np.asarray(values, dtype=dtype)
        shape = arr.shape if shape is None else shape
        name = f"c{len(self.mb.tensors)}"
        return self.mb.add_tensor(name, shape, dtype, data=arr.reshape(shape), **self._q(dtype, q))

    def out(self, shape, dtype, q=None) -> int:
        t = self.mb.add_tensor(f"out{len(self.mb.outputs)}", shape, dtype, **self._q(dtype, q))
        self.mb.outputs.append(t)
        return t

    def op(self, name, ins, outs, options=None):
        self.mb.add_op(name, ins, outs, options)


Build = Callable[[P], None]


def _shape_op(name, in_shape, consts, out_shape, options=None) -> Callable[[str], Build]:
    def make(d: str) -> Build:
        def f(p: P):
            x = p.inp(in_shape, d)
            cs = [p.const(v, "int32") for v in consts]
            p.op(name, [x, *cs], [p.out(out_shape, d)], options)

        return f

    return make


# Fixed output quantization TFLM checks for int8/int16 results.
_FIXED_OUT = {
    "LOGISTIC": {"int8": (1 / 256, -128), "int16": (1 / 32768, 0)},
    "TANH": {"int8": (1 / 128, 0), "int16": (1 / 32768, 0)},
    "SOFTMAX": {"int8": (1 / 256, -128), "int16": (1 / 32768, 0)},
    "LOG_SOFTMAX": {"int8": (16 / 256, 127)},
    "L2_NORMALIZATION": {"int8": (1 / 128, 0), "int16": (1 / 32768, 0)},
}

UNARY = [
    "ABS",
    "NEG",
    "FLOOR",
    "CEIL",
    "ROUND",
    "EXP",
    "LOG",
    "SQRT",
    "RSQRT",
    "SIN",
    "COS",
    "SQUARE",
    "LOGISTIC",
    "TANH",
    "RELU",
    "RELU6",
    "LEAKY_RELU",
    "HARD_SWISH",
    "ELU",
    "ZEROS_LIKE",
    "LOGICAL_NOT",
    "SOFTMAX",
    "LOG_SOFTMAX",
]
BINARY = [
    "ADD",
    "SUB",
    "MUL",
    "DIV",
    "MAXIMUM",
    "MINIMUM",
    "SQUARED_DIFFERENCE",
    "FLOOR_DIV",
    "FLOOR_MOD",
    "LOGICAL_AND",
    "LOGICAL_OR",
    "ADD_N",
]
COMPARE = ["LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL", "EQUAL", "NOT_EQUAL"]
REDUCE = ["MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_ALL"]


def _unary(name):
    def make(d: str) -> Build:
        def f(p: P):
            shape = (1, 1, 1, 4) if name == "L2_NORMALIZATION" else (1, 3, 4)
            x = p.inp(shape, d)
            q = _FIXED_OUT.get(name, {}).get(d)
            p.op(name, [x], [p.out(shape, d, q)])

        return f

    return make


def _binary(name, out=None):
    def make(d: str) -> Build:
        def f(p: P):
            a, b = p.inp((1, 3, 4), d), p.inp((1, 3, 4), d)
            p.op(name, [a, b], [p.out((1, 3, 4), out or d)])

        return f

    return make


def _weights(d: str):
    """(weight dtype, bias dtype) of a weighted op with activations ``d``: 16x8 for int16."""
    return {"float32": ("float32", "float32"), "int8": ("int8", "int32")}.get(d, ("int8", "int64"))


def _wq(d, n):
    return None if d == "float32" else ([0.01] * n, [0] * n)


def _weighted(name) -> Callable[[str], Build]:
    def make(d: str) -> Build:
        def f(p: P):
            wd, bd = _weights(d)
            if name == "FULLY_CONNECTED":
                x, wshape, bn, oshape, opt = p.inp((1, 4), d), (3, 4), 3, (1, 3), {}
            elif name == "CONV_2D":
                x, wshape, bn, oshape, opt = (
                    p.inp((1, 4, 4, 2), d),
                    (3, 2, 2, 2),
                    3,
                    (1, 3, 3, 3),
                    {},
                )
            else:
                x, wshape, bn = p.inp((1, 4, 4, 2), d), (1, 2, 2, 2), 2
                oshape, opt = (1, 3, 3, 2), {"depth_multiplier": 1}
            qd = 3 if name == "DEPTHWISE_CONV_2D" else 0
            wq = _wq(d, bn)
            w = p.mb.add_tensor(
                "w",
                wshape,
                wd,
                data=np.ones(wshape, wd),
                **({} if wq is None else {"scale": wq[0], "zero_point": wq[1]}),
                quantized_dimension=qd,
            )
            bq = None if d not in QUANT else ([QUANT[d][0] * 0.01] * bn, [0] * bn)
            b = p.mb.add_tensor(
                "b",
                (bn,),
                bd,
                data=np.zeros(bn, bd),
                **({} if bq is None else {"scale": bq[0], "zero_point": bq[1]}),
            )
            p.op(name, [x, w, b], [p.out(oshape, d)], opt)

        return f

    return make


def _transpose_conv(d: str) -> Build:
    def f(p: P):
        wd, bd = _weights(d)
        shape = p.const([1, 4, 4, 3], "int32")
        wq = _wq(d, 3)
        w = p.mb.add_tensor(
            "w",
            (3, 2, 2, 2),
            wd,
            data=np.ones((3, 2, 2, 2), wd),
            **({} if wq is None else {"scale": wq[0], "zero_point": wq[1]}),
        )
        x = p.inp((1, 2, 2, 2), d)
        bq = None if d not in QUANT else ([QUANT[d][0] * 0.01] * 3, [0] * 3)
        b = p.mb.add_tensor(
            "b",
            (3,),
            bd,
            data=np.zeros(3, bd),
            **({} if bq is None else {"scale": bq[0], "zero_point": bq[1]}),
        )
        p.op("TRANSPOSE_CONV", [shape, w, x, b], [p.out((1, 4, 4, 3), d)], {"stride": 2})

    return f


def _svdf(d: str) -> Build:
    def f(p: P):
        x = p.inp((1, 4), d)
        if d == "float32":
            wf = p.const(np.ones((2, 4)), "float32")
            wt = p.const(np.ones((2, 3)), "float32")
            b = p.const(np.zeros(2), "float32")
            st = p.mb.add_tensor("state", (1, 6), "float32", is_variable=True)
        else:
            wf = p.const(np.ones((2, 4)), "int8", q=(0.01, 0))
            wt = p.const(np.ones((2, 3)), "int16", q=(0.001, 0))
            st = p.mb.add_tensor(
                "state", (1, 6), "int16", scale=[0.001], zero_point=[0], is_variable=True
            )
            # TFLM checks bias scale == state scale * weights_time scale
            b = p.const(np.zeros(2), "int32", q=(0.001 * 0.001, 0))
        p.op("SVDF", [x, wf, wt, b, st], [p.out((1, 2), d)], {"rank": 1})

    return f


def _lstm(d: str) -> Build:
    def f(p: P):
        import lstm_cases

        case = lstm_cases.LstmCase("probe", dtype=d, n_in=3, n_cell=2, steps=2)
        if d == "int16":
            case.input_scale = case.hidden_scale = 2.0**-12
        x, y = lstm_cases.add_lstm(p.mb, case, "")
        p.mb.inputs.append(x)
        p.mb.outputs.append(y)
        p.feeds.append(np.ones(case.input_shape, d))

    return f


def _pool(name):
    def make(d: str) -> Build:
        def f(p: P):
            x = p.inp((1, 4, 4, 2), d)
            opt = {"filter": 2, "stride": 2}
            if name == "L2_POOL_2D":
                opt = {"FilterHeight": 2, "FilterWidth": 2, "StrideH": 2, "StrideW": 2}
            p.op(name, [x], [p.out((1, 2, 2, 2), d)], opt)

        return f

    return make


def _resize(name):
    def make(d: str) -> Build:
        def f(p: P):
            x = p.inp((1, 2, 2, 1), d)
            p.op(name, [x, p.const([4, 4], "int32")], [p.out((1, 4, 4, 1), d)])

        return f

    return make


def _reduce(name):
    def make(d: str) -> Build:
        def f(p: P):
            x = p.inp((2, 3, 4), d)
            p.op(name, [x, p.const([1], "int32")], [p.out((2, 4), d)], {"KeepDims": False})

        return f

    return make


def _compare(name):
    def make(pair) -> Build:
        return _binary(name, out="bool")(pair)

    return make


def _tensor_type(d: str) -> int:
    from lwai.tflite_writer import TENSOR_TYPES

    return int(TENSOR_TYPES[d])


def _arg(name):
    def make(d: str, o: str) -> Build:
        def f(p: P):
            x = p.inp((2, 5), d)
            p.op(
                name, [x, p.const([1], "int32")], [p.out((2,), o)], {"OutputType": _tensor_type(o)}
            )

        return f

    return make


def _convert(name):
    def make(d: str, o: str) -> Build:
        def f(p: P):
            q = {"int8": (0.02, 1), "uint8": (0.02, 1), "int32": (0.0005, 0)}.get(d)
            x = p.inp((1, 4), d, q=q)
            opts = None
            if name == "CAST":
                opts = {"InDataType": _tensor_type(d), "OutDataType": _tensor_type(o)}
            q = (0.001, 0) if name == "QUANTIZE" and o == "int32" else None
            p.op(name, [x], [p.out((1, 4), o, q)], opts)

        return f

    return make


def _softmax_change(d: str, o: str) -> Build:
    def f(p: P):
        x = p.inp((1, 6), d)
        q = (1 / 65536, -32768) if o == "int16" else None
        p.op("SOFTMAX", [x], [p.out((1, 6), o, q)], {"beta": 1.0})

    return f


def _shape(d: str, o: str) -> Build:
    def f(p: P):
        x = p.inp((2, 3), d)
        p.op("SHAPE", [x], [p.out((2,), o)], {"OutType": _tensor_type(o)})

    return f


def _embedding(d: str, o: str) -> Build:
    def f(p: P):
        ids = p.inp((2,), "int32")
        p.feeds[-1] = np.array([0, 3], np.int32)
        vq = (0.05, 0) if d in QUANT else None
        vals = p.const(np.ones((4, 3)), d, q=vq)
        p.op("EMBEDDING_LOOKUP", [ids, vals], [p.out((2, 3), o)])

    return f


def _misc() -> dict[str, Callable[[str], Build]]:
    m: dict[str, Callable[[str], Build]] = {}

    def two_in(name, shapes, out_shape, options=None):
        def make(d):
            def f(p: P):
                xs = [p.inp(s, d) for s in shapes]
                p.op(name, xs, [p.out(out_shape, d)], options)

            return f

        return make

    m["CONCATENATION"] = two_in("CONCATENATION", [(2, 3), (2, 2)], (2, 5), {"axis": 1})
    m["PACK"] = two_in("PACK", [(3, 4), (3, 4)], (2, 3, 4), {"ValuesCount": 2, "Axis": 0})

    def unpack(d):
        def f(p: P):
            x = p.inp((2, 3), d)
            p.op("UNPACK", [x], [p.out((3,), d), p.out((3,), d)], {"Num": 2, "Axis": 0})

        return f

    m["UNPACK"] = unpack

    def split(d):
        def f(p: P):
            axis = p.const(np.array(1), "int32", shape=())
            x = p.inp((2, 4), d)
            p.op("SPLIT", [axis, x], [p.out((2, 2), d), p.out((2, 2), d)], {"NumSplits": 2})

        return f

    m["SPLIT"] = split

    def split_v(d):
        def f(p: P):
            x = p.inp((2, 4), d)
            sizes = p.const([1, 3], "int32")
            axis = p.const(np.array(1), "int32", shape=())
            p.op(
                "SPLIT_V", [x, sizes, axis], [p.out((2, 1), d), p.out((2, 3), d)], {"NumSplits": 2}
            )

        return f

    m["SPLIT_V"] = split_v

    def gather(d):
        def f(p: P):
            x = p.inp((4, 3), d)
            p.op("GATHER", [x, p.const([2, 0], "int32")], [p.out((2, 3), d)], {"axis": 0})

        return f

    m["GATHER"] = gather

    def gather_nd(d):
        def f(p: P):
            x = p.inp((3, 2), d)
            idx = p.const([[2], [0]], "int32")
            p.op("GATHER_ND", [x, idx], [p.out((2, 2), d)])

        return f

    m["GATHER_ND"] = gather_nd
    m["TRANSPOSE"] = _shape_op("TRANSPOSE", (2, 3), [[1, 0]], (3, 2))
    m["SLICE"] = _shape_op("SLICE", (3, 4), [[1, 0], [2, 3]], (2, 3))
    m["STRIDED_SLICE"] = _shape_op("STRIDED_SLICE", (3, 4), [[0, 1], [3, 4], [2, 1]], (2, 3))
    m["PAD"] = _shape_op("PAD", (2, 3), [[[1, 0], [0, 2]]], (3, 5))
    m["MIRROR_PAD"] = _shape_op("MIRROR_PAD", (2, 3), [[[1, 0], [0, 2]]], (3, 5), {"Mode": 0})
    m["RESHAPE"] = _shape_op("RESHAPE", (2, 3), [[3, 2]], (3, 2))
    m["EXPAND_DIMS"] = _shape_op("EXPAND_DIMS", (3, 2), [[0]], (1, 3, 2))
    m["REVERSE_V2"] = _shape_op("REVERSE_V2", (2, 3), [[1]], (2, 3))
    m["BROADCAST_TO"] = _shape_op("BROADCAST_TO", (1, 4), [[3, 4]], (3, 4))
    m["SPACE_TO_BATCH_ND"] = _shape_op(
        "SPACE_TO_BATCH_ND", (1, 4, 4, 1), [[2, 2], [[0, 0], [0, 0]]], (4, 2, 2, 1)
    )
    m["BATCH_TO_SPACE_ND"] = _shape_op(
        "BATCH_TO_SPACE_ND", (4, 2, 2, 1), [[2, 2], [[0, 0], [0, 0]]], (1, 4, 4, 1)
    )
    m["DEPTH_TO_SPACE"] = _shape_op(
        "DEPTH_TO_SPACE", (1, 1, 1, 4), [], (1, 2, 2, 1), {"block_size": 2}
    )
    m["SPACE_TO_DEPTH"] = _shape_op(
        "SPACE_TO_DEPTH", (1, 2, 2, 1), [], (1, 1, 1, 4), {"block_size": 2}
    )
    m["SQUEEZE"] = _shape_op("SQUEEZE", (1, 3, 1, 2), [], (3, 2), {"squeeze_dims": [0, 2]})

    def cumsum(d):
        def f(p: P):
            x = p.inp((2, 3), d)
            axis = p.const(np.array(1), "int32", shape=())
            p.op("CUMSUM", [x, axis], [p.out((2, 3), d)], {"Exclusive": False, "Reverse": False})

        return f

    m["CUMSUM"] = cumsum

    def padv2(d):
        def f(p: P):
            x = p.inp((2, 3), d)
            pads = p.const([[1, 0], [0, 2]], "int32")
            value = p.const(np.array([1]), d, shape=(1,))
            p.op("PADV2", [x, pads, value], [p.out((3, 5), d)])

        return f

    m["PADV2"] = padv2

    def prelu(d):
        def f(p: P):
            x = p.inp((1, 2, 2, 3), d)
            # int16 PRELU takes int8 alphas (TFLM's prelu_common.cc)
            alpha = p.const(np.ones(3), "int8" if d == "int16" else d)
            p.op("PRELU", [x, alpha], [p.out((1, 2, 2, 3), d)])

        return f

    m["PRELU"] = prelu

    def fill(d):
        def f(p: P):
            dims = p.const([2, 3], "int32")
            value = p.inp((), d)
            p.op("FILL", [dims, value], [p.out((2, 3), d)])

        return f

    m["FILL"] = fill

    def select_v2(d):
        def f(p: P):
            c = p.inp((2, 3), "bool")
            a, b = p.inp((2, 3), d), p.inp((2, 3), d)
            p.op("SELECT_V2", [c, a, b], [p.out((2, 3), d)])

        return f

    m["SELECT_V2"] = select_v2

    def dus(d):
        def f(p: P):
            x = p.inp((4, 4), d)
            u = p.inp((2, 2), d)
            idx = p.const([1, 2], "int32")
            p.op("DYNAMIC_UPDATE_SLICE", [x, u, idx], [p.out((4, 4), d)])

        return f

    m["DYNAMIC_UPDATE_SLICE"] = dus

    def broadcast_args(d):
        def f(p: P):
            a = p.inp((2,), d)
            p.feeds[-1] = np.array([3, 1], d)
            b = p.const([1, 4], d)
            p.op("BROADCAST_ARGS", [a, b], [p.out((2,), d)])

        return f

    m["BROADCAST_ARGS"] = broadcast_args
    return m


# TFLM runs these on any dtype without a check (it reads the bytes as bool); TFLite defines
# them on bool only, so only bool is probed.
BOOL_ONLY = ("LOGICAL_AND", "LOGICAL_OR")

# Builtins no probe can exercise, with the reason (none at present: control flow and
# resource variables are probed with subgraphs below).
HAND: dict[str, str] = {}


def _sub(dtype: str, names: list[str], shape=(2, 3)) -> tuple[ModelBuilder, list[int]]:
    g = ModelBuilder()
    q = QUANT.get(dtype)
    qq = {} if q is None else {"scale": q[0], "zero_point": q[1]}
    return g, [g.add_tensor(n, shape, dtype, **qq) for n in names]


def _if(d: str) -> Build:
    """IF(cond, x) with RESHAPE branches (TFLM's RESHAPE takes every dtype): the cell is the
    dtype of the data the branches carry."""

    def f(p: P):
        c = p.inp((), "bool")
        x = p.inp((2, 3), d)
        opts = {"then_subgraph_index": 1, "else_subgraph_index": 2}
        p.op("IF", [c, x], [p.out((2, 3), d)], opts)
        for _ in range(2):
            g, (a, r) = _sub(d, ["a", "r"])
            shape = g.add_tensor("s", (2,), "int32", data=np.array([2, 3], np.int32))
            g.add_op("RESHAPE", [a, shape], [r])
            g.inputs, g.outputs = [a], [r]
            p.mb.subgraphs.append(g)

    return f


def _while(d: str) -> Build:
    """WHILE(i < 3) { i += 1 } carrying x of the cell's dtype through unchanged."""

    def f(p: P):
        i0 = p.const(np.array(0), "int32", shape=())
        x = p.inp((2, 3), d)
        i1 = p.mb.add_tensor("i_out", (), "int32")
        opts = {"cond_subgraph_index": 1, "body_subgraph_index": 2}
        p.op("WHILE", [i0, x], [i1, p.out((2, 3), d)], opts)
        cond, (cx,) = _sub(d, ["x"])
        ci = cond.add_tensor("i", (), "int32")
        three = cond.add_tensor("three", (), "int32", data=np.array(3, np.int32))
        b = cond.add_tensor("b", (), "bool")
        cond.add_op("LESS", [ci, three], [b])
        cond.inputs, cond.outputs = [ci, cx], [b]
        body, (bx,) = _sub(d, ["x"])
        bi = body.add_tensor("i", (), "int32")
        one = body.add_tensor("one", (), "int32", data=np.array(1, np.int32))
        bi2 = body.add_tensor("i2", (), "int32")
        body.add_op("ADD", [bi, one], [bi2])
        body.inputs, body.outputs = [bi, bx], [bi2, bx]
        p.mb.subgraphs += [cond, body]

    return f


def _read_variable(d: str) -> Build:
    """CALL_ONCE's init subgraph ASSIGN_VARIABLEs a constant; the main graph VAR_HANDLEs and
    READ_VARIABLEs it (and has an input, which it does not use): the cell of CALL_ONCE,
    VAR_HANDLE and READ_VARIABLE is the variable's dtype."""

    def f(p: P):
        p.inp((4,), d)
        h = p.mb.add_tensor("h", (), "resource")
        p.op("CALL_ONCE", [], [], {"init_subgraph_index": 1})
        p.op("VAR_HANDLE", [], [h], {"shared_name": "v"})
        p.op("READ_VARIABLE", [h], [p.out((4,), d)])
        init = ModelBuilder()
        q = QUANT.get(d)
        qq = {} if q is None else {"scale": q[0], "zero_point": q[1]}
        c = init.add_tensor("c", (4,), d, data=np.ones(4, d), **qq)
        h1 = init.add_tensor("h1", (), "resource")
        init.add_op("VAR_HANDLE", [], [h1], {"shared_name": "v"})
        init.add_op("ASSIGN_VARIABLE", [h1, c], [])
        p.mb.subgraphs.append(init)

    return f


def _assign_variable(d: str) -> Build:
    """VAR_HANDLE, ASSIGN_VARIABLE(the input), READ_VARIABLE: a variable written at run time."""

    def f(p: P):
        x = p.inp((4,), d)
        h = p.mb.add_tensor("h", (), "resource")
        p.op("VAR_HANDLE", [], [h], {"shared_name": "v"})
        p.op("ASSIGN_VARIABLE", [h, x], [])
        p.op("READ_VARIABLE", [h], [p.out((4,), d)])

    return f


VARIABLE_OPS = ("CALL_ONCE", "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE")


# ---- custom ops: the signal library (TFLM's Python interpreter resolves them) ---------------

SIGNAL_DTYPES = ("int16", "int32", "float32")
# Custom ops of the wheel not probed, with the reason (their rows show it).
CUSTOM_HAND = {
    "SignalFilterBank": "needs consistent filter-bank tables (channel starts, weights)",
    "SignalFilterBankSquareRoot": "takes FilterBank's uint64 output and its scale bits",
    "SignalFilterBankSpectralSubtraction": "needs the noise-estimate state and its options",
    "SignalFilterBankLog": "takes FilterBank's uint32 output and its scale options",
    "SignalPCAN": "needs the noise estimate and a gain table",
    "BASIC_CLASSIFIER": 'the wheel registers it (custom code "BasicClassifier": its Prepare '
    "checks a rank-1/2 input and a target_posteriors input) but no published tflite-micro "
    "revision has its source (the tensorflow/tflite-micro repository up to 2026-08-20 has no "
    "basic_classifier.cc), so what it computes is unknown and lwai has no kernel for it",
}
# Custom-op registrations of the wheel no model can reach, with why (no cells; checked by
# tests/test_op_coverage.py: the interpreter finds no op under the name).
CUSTOM_NOT_OPS = {
    "ETHOSU": "this build's Register_ETHOSU() returns no kernel (TFLM without the Ethos-U NPU "
    'driver), so AddEthosU() registers nothing: a model\'s "ethos-u" op is not found',
    "L2NORM_REF": "the kernel TFLM's L2_NORMALIZATION registration returns "
    "(Register_L2_NORMALIZATION() is Register_L2NORM_REF()), under no custom name of its own: "
    "see L2_NORMALIZATION's rows",
}
# the custom code a model would use for each, for that check (None: there is none)
CUSTOM_NOT_OPS_CODE = {"ETHOSU": "ethos-u", "L2NORM_REF": None}


def _signal(name: str, d: str) -> Build:
    """One signal op on ``d`` data (options as TFLM's signal/micro/kernels read them)."""

    def f(p: P):
        t = _tensor_type(d)
        if name == "SignalWindow":
            x = p.inp((2, 8), d, q=())
            w = p.const(np.ones(8), d, q=())
            p.mb.add_custom_op(name, [x, w], [p.out((2, 8), d, q=())], {"shift": 1})
        elif name == "SignalFftAutoScale":
            x = p.inp((8,), d, q=())
            ys = [p.out((8,), d, q=()), p.out((), "int32")]
            p.mb.add_custom_op(name, [x], ys)
        elif name in ("SignalRfft", "SignalIrfft"):
            n_in, n_out = (8, 10) if name == "SignalRfft" else (10, 8)
            x = p.inp((n_in,), d, q=())
            p.mb.add_custom_op(name, [x], [p.out((n_out,), d, q=())], {"T": t, "fft_length": 8})
        elif name == "SignalEnergy":
            x = p.inp((8,), d, q=())
            opts = {"start_index": 0, "end_index": 4}
            p.mb.add_custom_op(name, [x], [p.out((4,), "uint32")], opts)
        elif name == "SignalDelay":
            x = p.inp((2, 8), d, q=())
            p.mb.add_custom_op(name, [x], [p.out((2, 8), d, q=())], {"delay_length": 3})
        elif name == "SignalFramer":
            x = p.inp((4,), d, q=())
            ys = [p.out((1, 8), d, q=()), p.out((), "bool")]
            opts = {"frame_size": 8, "frame_step": 4, "prefill": False}
            p.mb.add_custom_op(name, [x], ys, opts)
        elif name == "SignalOverlapAdd":
            x = p.inp((1, 8), d, q=())
            p.mb.add_custom_op(name, [x], [p.out((4,), d, q=())], {"T": t, "frame_step": 4})
        elif name == "SignalStacker":
            x = p.inp((4,), d, q=())
            ys = [p.out((8,), d, q=()), p.out((), "bool")]
            opts = {
                "num_channels": 4,
                "stacker_left_context": 1,
                "stacker_right_context": 0,
                "stacker_step": 1,
            }
            p.mb.add_custom_op(name, [x], ys, opts)
        else:
            raise ValueError(name)

    return f


SIGNAL_OPS = (
    "SignalWindow",
    "SignalFftAutoScale",
    "SignalRfft",
    "SignalIrfft",
    "SignalEnergy",
    "SignalDelay",
    "SignalFramer",
    "SignalOverlapAdd",
    "SignalStacker",
)


# ---- custom ops: detection post-processing and the circular buffer --------------------------

DETECTION = "TFLite_Detection_PostProcess"
CIRCULAR = "CIRCULAR_BUFFER"
# dtypes tried for each (TFLM's kernels name float32 / int8; the others show its refusal)
OTHER_CUSTOM = {DETECTION: ("float32", "int8", "uint8", "int16"), CIRCULAR: DTYPES}
# What lwai takes of a probed custom op's cells, where that is less than the whole cell
# (gen_coverage appends it to the cell's status).
CUSTOM_LIMITS = {
    CIRCULAR: "cycles_max > 1 only as the graph's last operator: TFLM's kTfLiteAbort "
    "skips the operators after it, lwai cannot end a run early",
    DETECTION: "fast NMS with one class per detection only: with more, TFLM's kernel "
    "writes past its outputs",
}


def _detection(d: str) -> Build:
    """One TFLite_Detection_PostProcess on ``d`` inputs: 6 boxes, 3 classes + background,
    constant anchors, 3 detections (regular NMS); four float32 outputs."""

    def f(p: P):
        n, c, det = 6, 3, 3
        p.inp((1, n, 4), d)
        p.inp((1, n, c + 1), d)
        boxes, scores = p.mb.inputs
        if d == "float32":
            p.feeds[0] = p.rng.normal(0, 1, (1, n, 4)).astype(np.float32)
            p.feeds[1] = p.rng.uniform(0, 1, (1, n, c + 1)).astype(np.float32)
        centers = p.rng.uniform(0.2, 0.8, (n, 2))
        sizes = p.rng.uniform(0.1, 0.3, (n, 2))
        anchors = np.concatenate([centers, sizes], 1)
        if d != "float32":
            anchors = np.clip(np.round(anchors / QUANT[d][0]) + QUANT[d][1], 0, 127)
        a = p.const(anchors, d)
        outs = [p.out((1, det, 4), "float32"), p.out((1, det), "float32")]
        outs += [p.out((1, det), "float32"), p.out((1,), "float32")]
        opts = {
            "max_detections": det,
            "max_classes_per_detection": 1,
            "detections_per_class": 2,
            "use_regular_nms": True,
            "nms_score_threshold": 0.3,
            "nms_iou_threshold": 0.5,
            "num_classes": c,
            "y_scale": 10.0,
            "x_scale": 10.0,
            "h_scale": 5.0,
            "w_scale": 5.0,
        }
        p.mb.add_custom_op(DETECTION, [boxes, scores, a], outs, opts)

    return f


def _circular(d: str) -> Build:
    """One CIRCULAR_BUFFER: [1, 1, 2, 3] frames into a [1, 4, 2, 3] variable output,
    cycles_max 1 (TFLM runs the rest of the graph every invocation)."""

    def f(p: P):
        x = p.inp((1, 1, 2, 3), d)
        y = p.mb.add_tensor("out0", (1, 4, 2, 3), d, is_variable=True, **p._q(d, None))
        p.mb.outputs.append(y)
        p.mb.add_custom_op(CIRCULAR, [x], [y], {"cycles_max": 1})

    return f


# TFLM's model-compression decoder (kernels/decode.cc): an encoded constant and its
# ancillary data (DCM header + value table) in, the decoded tensor out. Its cells are the
# decoded tensor's dtypes (the encoded data is raw bytes), probed with a LUT of 2-bit indices
# feeding a CONCATENATION with the graph input (lwai/frontend/decode_ops.py decodes it).
DECODE = "TFLM_DECODE"
OTHER_CUSTOM[DECODE] = DTYPES


def _decode(d: str) -> Build:
    def f(p: P):
        table = np.array([0, 1, 1, 0] if d == "bool" else [3, -1, 7, 2]).astype(d)
        anc = np.frombuffer(bytes([0, 1, 0, 0, 1, 2, 4]) + bytes(9) + table.tobytes(), np.uint8)
        enc = p.const(np.array([0b00011011, 0b11100100], np.uint8), "uint8")
        a = p.const(anc, "uint8")
        x = p.inp((2,), d)
        if d == "uint8":  # no TFLM op concatenates uint8: the decoded tensor is the output
            p.mb.add_custom_op(DECODE, [enc, a], [p.out((8,), d)])
            return
        y = p.mb.add_tensor("decoded", (8,), d, **p._q(d, None))
        p.mb.add_custom_op(DECODE, [enc, a], [y])
        p.op("CONCATENATION", [x, y], [p.out((10,), d)], {"axis": 0})

    return f


def custom_probes() -> list[tuple[str, str, Build]]:
    """(custom op name, cell label, model builder) for the signal ops TFLM's Python
    interpreter resolves (SignalEnergy's output is uint32: label "A->uint32"), detection
    post-processing (float32 outputs: label "A->float32") and the circular buffer."""
    out = []
    for name in SIGNAL_OPS:
        for d in SIGNAL_DTYPES:
            lab = label(d, "uint32") if name == "SignalEnergy" else d
            out.append((name, lab, _signal(name, d)))
    for d in OTHER_CUSTOM[DETECTION]:
        out.append((DETECTION, label(d, "float32"), _detection(d)))
    for d in OTHER_CUSTOM[CIRCULAR]:
        out.append((CIRCULAR, d, _circular(d)))
    for d in OTHER_CUSTOM[DECODE]:  # label: the decoded dtype
        out.append((DECODE, d, _decode(d)))
    return out


def probes() -> list[tuple[str, str, Build]]:
    """(builtin, cell label, model builder) for every candidate cell."""
    out: list[tuple[str, str, Build]] = []
    per_dtype: dict[str, Callable[[str], Build]] = {}
    for n in UNARY:
        per_dtype[n] = _unary(n)
    for n in BINARY:
        per_dtype[n] = _binary(n)
    for n in REDUCE:
        per_dtype[n] = _reduce(n)
    for n in ("AVERAGE_POOL_2D", "MAX_POOL_2D", "L2_POOL_2D"):
        per_dtype[n] = _pool(n)
    for n in ("RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"):
        per_dtype[n] = _resize(n)
    for n in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
        per_dtype[n] = _weighted(n)
    per_dtype["L2_NORMALIZATION"] = _unary("L2_NORMALIZATION")
    per_dtype["TRANSPOSE_CONV"] = _transpose_conv
    per_dtype["SVDF"] = _svdf
    per_dtype.update(_misc())

    def bmm(d):
        def f(p: P):
            a, b = p.inp((1, 2, 3), d), p.inp((1, 3, 4), d)
            p.op("BATCH_MATMUL", [a, b], [p.out((1, 2, 4), d)])

        return f

    per_dtype["BATCH_MATMUL"] = bmm
    for name, make in per_dtype.items():
        for d in ("bool",) if name in BOOL_ONLY else DTYPES:
            out.append((name, d, make(d)))
    for d in ("float32", "int8", "int16"):
        out.append(("UNIDIRECTIONAL_SEQUENCE_LSTM", d, _lstm(d)))
    for d in DTYPES:
        out.append(("IF", d, _if(d)))
        out.append(("WHILE", d, _while(d)))
        out += [(op, d, _read_variable(d)) for op in VARIABLE_OPS[:3]]
        out.append(("ASSIGN_VARIABLE", d, _assign_variable(d)))
    for n in COMPARE:
        for d in DTYPES:
            out.append((n, label(d, "bool"), _compare(n)(d)))
    for n in ("ARG_MAX", "ARG_MIN"):
        for d in DTYPES:
            for o in ("int32", "int64"):
                out.append((n, label(d, o), _arg(n)(d, o)))
    # SHAPE reads only the input's shape: its cells are the output dtypes (any input dtype).
    for o in ("int32", "int64"):
        out.append(("SHAPE", o, _shape("float32", o)))
    for d in DTYPES:
        for o in DTYPES:
            out.append(("CAST", label(d, o), _convert("CAST")(d, o)))
    for d in ("float32", "int8", "int16", "int32", "uint8"):
        for o in ("int8", "int16", "int32", "uint8"):
            out.append(("QUANTIZE", label(d, o), _convert("QUANTIZE")(d, o)))
    for d in ("int8", "int16", "uint8"):
        out.append(("DEQUANTIZE", label(d, "float32"), _convert("DEQUANTIZE")(d, "float32")))
    for d, o in (("int8", "int16"), ("int16", "int8"), ("int8", "int32")):
        out.append(("SOFTMAX", label(d, o), _softmax_change(d, o)))
    for d in DTYPES:
        for o in {d, "float32"}:
            out.append(("EMBEDDING_LOOKUP", label(d, o), _embedding(d, o)))
    return out


# ---- the child: run probes, report each ---------------------------------------------------


def _child(indices: list[int]) -> None:
    """Prints "start i" then "i ok" / "i fail <reason>" per probe; TFLM's log goes to fd 2,
    read back as the reason."""
    from tflite_micro.python.tflite_micro import runtime

    all_probes = probes() + custom_probes()
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        for i in indices:
            print(f"start {i}", flush=True)
            log.seek(0)
            log.truncate()
            try:
                p = P()
                all_probes[i][2](p)
                interp = runtime.Interpreter.from_bytes(p.mb.build(), arena_size=65536)
                for k, x in enumerate(p.feeds):
                    interp.set_input(x, k)
                interp.invoke()
                ok, why = True, ""
            except Exception as e:  # noqa: BLE001 - any refusal means "no such cell"
                ok, why = False, str(e).splitlines()[0] if str(e) else type(e).__name__
            log.seek(0)
            text = log.read().decode(errors="replace").strip().splitlines()
            if not ok and text:
                why = text[0]
            print(f"{i} {'ok' if ok else 'fail'} {why}"[:300], flush=True)


def run_probes() -> dict[tuple[str, str], tuple[bool, str]]:
    all_probes = probes() + custom_probes()
    todo = list(range(len(all_probes)))
    res: dict[int, tuple[bool, str]] = {}
    while todo:
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", *map(str, todo)],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        started = None
        for line in proc.stdout.splitlines():
            word, _, rest = line.partition(" ")
            if word == "start":
                started = int(rest)
                continue
            status, _, why = rest.partition(" ")
            res[int(word)] = (status == "ok", why)
            started = None
        if started is not None:
            res[started] = (False, "TFLM crashed (the child process died)")
        elif proc.returncode != 0:
            raise RuntimeError(f"probe child failed: {proc.stderr[-2000:]}")
        todo = [i for i in todo if i not in res]
    return {(all_probes[i][0], all_probes[i][1]): res[i] for i in res}


def tflm_version() -> str:
    from tflite_micro.python.tflite_micro import _version

    return str(_version.__version__).strip()


def generate() -> dict:
    """The data file's content."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gen_coverage", REPO / "scripts" / "gen_coverage.py"
    )
    gc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gc)
    builtins = list(gc.tflm_builtins())
    results = run_probes()
    cells: dict[str, list[str]] = {}
    refused: dict[str, dict[str, str]] = {}

    def order(item):
        (op, lab), _ = item
        return op, [DTYPES.index(d) if d in DTYPES else 99 for d in lab.split("->")]

    custom_cells: dict[str, list[str]] = {name: [] for name in (*SIGNAL_OPS, *OTHER_CUSTOM)}
    for (op, lab), (ok, why) in sorted(results.items(), key=order):
        if op in custom_cells:
            if ok:
                custom_cells[op].append(lab)
            else:
                refused.setdefault(op, {})[lab] = why
            continue
        if op not in builtins:
            continue
        if ok:
            cells.setdefault(op, []).append(lab)
        else:
            # TFLM's FILL prints an uninitialised type number: keep the file deterministic
            refused.setdefault(op, {})[lab] = re.sub(r"-?\d{6,}", "<n>", why)
    unprobed = [b for b in builtins if b not in {op for op, _ in results} and b not in HAND]
    if unprobed:
        raise RuntimeError(f"builtins without a probe or a hand note: {unprobed}")
    for op in builtins:
        if op in results and op not in cells and op not in HAND:
            cells[op] = []
    return {
        "tflite_micro": tflm_version(),
        "command": COMMAND,
        "candidates": list(DTYPES),
        "builtins": builtins,
        "cells": {op: cells[op] for op in builtins if op in cells},
        "hand": {op: HAND[op] for op in builtins if op in HAND},
        "custom_cells": custom_cells,
        "custom_hand": CUSTOM_HAND,
        "custom_not_ops": CUSTOM_NOT_OPS,
        "custom_limits": CUSTOM_LIMITS,
        "refused": {
            op: refused[op] for op in [*builtins, *SIGNAL_OPS, *OTHER_CUSTOM] if op in refused
        },
    }


def dump(data: dict) -> str:
    """JSON with each list of names on one line (readable diffs per op)."""
    text = json.dumps(data, indent=1)
    return re.sub(r"\[\n\s*([^\[\]{}]*?)\n\s*\]", _one_line, text) + "\n"


def _one_line(m: re.Match) -> str:
    return "[" + ", ".join(x.strip() for x in m.group(1).split(",\n")) + "]"


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child([int(i) for i in sys.argv[2:]])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help=f"exit 1 if {DATA} is stale")
    ap.add_argument("--print", action="store_true", help="print the cells, write nothing")
    args = ap.parse_args()
    data = generate()
    text = dump(data)
    if args.print:
        for op, labs in data["cells"].items():
            print(f"{op}: {', '.join(labs)}")
        return 0
    if args.check:
        if not DATA.is_file() or DATA.read_text() != text:
            print(f"{DATA} is stale: run {COMMAND}")
            return 1
        return 0
    DATA.write_text(text)
    print(f"wrote {DATA}: {sum(map(len, data['cells'].values()))} cells")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        raise SystemExit(main())
