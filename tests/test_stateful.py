"""Stateful models: SVDF state carried across invocations, bit-exact with TFLite Micro.

- The two keyword-spotting models (QUANTIZE int16 -> int8, 7 SVDF, FC, SOFTMAX int8 ->
  int16, QUANTIZE int16 -> int32), 5 invocations with state carried, on host and
  qemu-cortex-m4, AOT and graph executor, then lwai_model_reset_state and the same 5 again.
  Their final outputs hardly depend on the input (scrambled weights), so the models are
  rewritten with every SVDF and FULLY_CONNECTED output as an extra graph output: every
  layer's activations are compared, the state of each SVDF included through its effect.
- 24 generated single-op SVDF models (int8 with int16 state, int8 with int8 state,
  float32) on the graph executor and, with CMSIS-NN, on lwai_svdf_cmsis_s8 (the SVDF cells'
  generated cases on host and qemu-cortex-m4: tests/test_svdf.py).
- The C ``*_get_state_size`` functions against their Python twin, and the memory plan
  (state in a persistent region at the end of the arena, counted in arena_bytes).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import tflite
from tflite.BuiltinOperator import BuiltinOperator

from conftest import shared_model, tflm_invocations
from lwai import driver
from lwai.codegen.kernels import plan_kernel, size_dims, state_size
from lwai.ops import OpDesc, TensorDesc
from lwai.tflite_writer import ModelBuilder

REPO = Path(__file__).resolve().parents[1]
MODELS = ("keyword_scrambled.tflite", "keyword_scrambled_8bit.tflite")
INVOCATIONS = 5
_OP_NAMES = {v: k for k, v in vars(BuiltinOperator).items() if not k.startswith("_")}
# For scripts/gen_coverage.py: test_generated_int16_ops (25, 25 and 20 single ops, host and
# qemu-cortex-m4). SVDF: tests/test_svdf.py.
CELLS: dict[str, list[str]] = {
    "QUANTIZE": ["int16->int8", "int16->int32"],
    "SOFTMAX": ["int8->int16"],
}
_DTYPES = {
    tflite.TensorType.INT8: "int8",
    tflite.TensorType.INT16: "int16",
    tflite.TensorType.INT32: "int32",
    tflite.TensorType.FLOAT32: "float32",
}
_ACTS = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6"}


def _with_layer_outputs(path: Path) -> bytes:
    """The model rewritten by lwai's writer with every SVDF / FULLY_CONNECTED output added
    to the graph outputs (after the original ones)."""
    m = tflite.Model.GetRootAsModel(path.read_bytes(), 0)
    sg = m.Subgraphs(0)
    mb = ModelBuilder("lwai test: layer outputs")
    for i in range(sg.TensorsLength()):
        t = sg.Tensors(i)
        dtype = _DTYPES[t.Type()]
        buf = m.Buffers(t.Buffer())
        data = None
        if buf.DataLength():
            data = np.frombuffer(buf.DataAsNumpy().tobytes(), dtype=dtype)
        q = t.Quantization()
        scale = zp = None
        if q is not None and q.ScaleLength():
            scale = [float(s) for s in q.ScaleAsNumpy()]
            zp = [int(z) for z in q.ZeroPointAsNumpy()]
        name = (t.Name() or f"t{i}".encode()).decode()
        mb.add_tensor(name, t.ShapeAsNumpy(), dtype, data, scale, zp, is_variable=t.IsVariable())
    layer_outputs = []
    for i in range(sg.OperatorsLength()):
        op = sg.Operators(i)
        code = m.OperatorCodes(op.OpcodeIndex())
        name = _OP_NAMES[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())]
        opts: dict = {}
        raw = op.BuiltinOptions()
        if name == "SVDF":
            from tflite.SVDFOptions import SVDFOptions

            o = SVDFOptions()
            o.Init(raw.Bytes, raw.Pos)
            opts = {"rank": o.Rank(), "activation": _ACTS[o.FusedActivationFunction()]}
        elif name == "FULLY_CONNECTED":
            from tflite.FullyConnectedOptions import FullyConnectedOptions

            o = FullyConnectedOptions()
            o.Init(raw.Bytes, raw.Pos)
            opts = {"activation": _ACTS[o.FusedActivationFunction()]}
        elif name == "SOFTMAX":
            from tflite.SoftmaxOptions import SoftmaxOptions

            o = SoftmaxOptions()
            o.Init(raw.Bytes, raw.Pos)
            opts = {"beta": o.Beta()}
        outs = [int(v) for v in op.OutputsAsNumpy()]
        mb.add_op(name, [int(v) for v in op.InputsAsNumpy()], outs, opts)
        if name in ("SVDF", "FULLY_CONNECTED"):
            layer_outputs += outs
    mb.inputs = [int(v) for v in sg.InputsAsNumpy()]
    mb.outputs = [int(v) for v in sg.OutputsAsNumpy()] + layer_outputs
    return mb.build()


@pytest.fixture(scope="module")
def layer_models(tmp_path_factory) -> dict[str, Path]:
    out = {}
    d = tmp_path_factory.mktemp("layers")
    for name in MODELS:
        p = d / name.replace(".tflite", "_layers.tflite")
        p.write_bytes(_with_layer_outputs(shared_model(name)))
        out[name] = p
    return out


def _speech_like(n: int, seed: int) -> np.ndarray:
    """int16 features [n, 1, 96] around the input scale's range (0.000625 per step)."""
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(0, 2500, size=(n, 1, 96)), -32768, 32767).astype(np.int16)


def test_layer_rewrite_keeps_the_model(layer_models):
    """The rewritten model computes what the original does (TFLM on both)."""
    x = _speech_like(INVOCATIONS, 7)
    for name, p in layer_models.items():
        ref = tflm_invocations(shared_model(name).read_bytes(), [x])
        got = tflm_invocations(p.read_bytes(), [x])
        assert np.array_equal(ref[0], got[0]), name
        assert len(got) == 1 + 7 + 5  # 7 SVDF + 5 FULLY_CONNECTED layer outputs


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
@pytest.mark.parametrize("executor", ["aot", "graph"])
@pytest.mark.parametrize("name", MODELS)
def test_keyword_models_carry_state(name, executor, target, layer_models, tmp_path):
    """5 invocations bit-exact with TFLM (every layer), then reset and the same 5 again."""
    if target != "host" and shutil.which("qemu-system-arm") is None:
        pytest.skip("qemu-system-arm is not installed")
    model = layer_models[name]
    x = _speech_like(INVOCATIONS, 11)
    ref = tflm_invocations(model.read_bytes(), [np.concatenate([x, x])], reset_every=INVOCATIONS)
    outs, info = driver.run_model(
        model,
        [np.concatenate([x, x])],
        tmp_path,
        target=target,
        executor=executor,
        invocations=2 * INVOCATIONS,
        reset_every=INVOCATIONS,
    )
    assert info["report"]["state_bytes"] > 0
    for j, (got, want) in enumerate(zip(outs, ref)):
        assert got.shape == want.shape, j
        assert np.array_equal(got, want), f"output {j}: {np.argwhere(got != want)[:5]}"
        # after the reset the sequence repeats exactly
        assert np.array_equal(got[:INVOCATIONS], got[INVOCATIONS:]), j
    if name == "keyword_scrambled.tflite":
        # The state matters: an SVDF layer's outputs differ from invocation to invocation,
        # and without the reset invocation 5 would not equal invocation 0. (The 8-bit
        # model's scrambled layers saturate at -128/127 whatever the input; its int8-state
        # kernel is exercised by the generated cases below.)
        svdf_out = outs[1]
        assert any(not np.array_equal(svdf_out[0], svdf_out[k]) for k in range(1, INVOCATIONS))
        no_reset = tflm_invocations(model.read_bytes(), [np.concatenate([x, x])])
        assert not np.array_equal(no_reset[1][INVOCATIONS:], ref[1][INVOCATIONS:])


def test_lwai_run_invocations_cli(tmp_path):
    """`lwai run --invocations N`: N slices in, N stacked outputs out, equal to TFLM's."""
    x = _speech_like(3, 5)
    np.save(tmp_path / "x.npy", x)
    model = shared_model("keyword_scrambled_8bit.tflite")
    lwai = REPO / ".venv" / "bin" / "lwai"
    cmd = [str(lwai), "run", str(model), "--input", str(tmp_path / "x.npy"), "-o"]
    proc = subprocess.run(
        [*cmd, str(tmp_path / "out"), "--invocations", "3"],
        check=False,
        text=True,
        capture_output=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    got = np.load(tmp_path / "out" / "output_0.npy")
    assert got.shape == (3, 1, 2) and got.dtype == np.int32
    assert np.array_equal(got, tflm_invocations(model.read_bytes(), [x])[0])
    # a wrong leading axis is a clear error naming the expected shape
    proc = subprocess.run(
        [*cmd, str(tmp_path / "bad"), "--invocations", "4"],
        check=False,
        text=True,
        capture_output=True,
        timeout=600,
    )
    assert proc.returncode != 0 and "(4, 1, 96)" in proc.stderr


# ---- generated single-op SVDF models ---------------------------------------------------------


@dataclass
class SvdfCase:
    kind: str  # "s8" (int16 state), "state8" (int8 state), "f32"
    batch: int
    depth: int
    filters: int
    memory: int
    rank: int
    bias: bool
    activation: str
    q: dict  # scales and zero points (integer kinds)
    wf: np.ndarray
    wt: np.ndarray
    b: np.ndarray | None
    x: np.ndarray  # [INVOCATIONS, batch, depth]


def _svdf_case(rng: np.random.Generator, k: int) -> SvdfCase:
    kind = ("s8", "state8", "f32")[k % 3] if k < 21 else ("s8", "state8")[k % 2]
    rank = int(rng.integers(1, 4))
    units = int(rng.integers(1, 9))
    filters = units * rank
    batch = int(rng.choice([1, 1, 2, 3]))
    depth = int(rng.integers(1, 40))
    memory = int(rng.choice([1, 2, 3, 5, 8, 10, 13]))
    extreme = k % 4 == 3  # large multipliers / zero points at the edges
    if kind == "f32":
        wf = rng.normal(0, 0.5, (filters, depth)).astype(np.float32)
        wt = rng.normal(0, 0.5, (filters, memory)).astype(np.float32)
        # always a bias: TFLM's SVDF dereferences it (its TODO #1751), even for float
        b = rng.normal(0, 0.5, units).astype(np.float32)
        x = rng.normal(0, 1.0, (INVOCATIONS, batch, depth)).astype(np.float32)
        act = str(rng.choice(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]))
        return SvdfCase(
            kind, batch, depth, filters, memory, rank, b is not None, act, {}, wf, wt, b, x
        )
    st_dtype = "int16" if kind == "s8" else "int8"
    in_zp = int(rng.choice([-128, 127, 0])) if extreme else int(rng.integers(-128, 128))
    q = {
        "in": (float(rng.uniform(0.002, 0.1)), in_zp),
        "wf": float(rng.uniform(0.001, 0.05) * (20 if extreme else 1)),
        "wt": float(rng.uniform(0.0005, 0.02) * (30 if extreme else 1)),
        "state": (
            float(rng.uniform(0.0005, 0.01) if kind == "s8" else rng.uniform(0.01, 0.5)),
            0
            if kind == "s8"
            else int(rng.choice([-128, 127]) if extreme else rng.integers(-60, 60)),
        ),
        "out": (
            float(rng.uniform(0.005, 0.2) / (8 if extreme else 1)),
            int(rng.integers(-128, 128)),
        ),
    }
    tmax = 32767 if kind == "s8" else 127
    wf = rng.integers(-127, 128, (filters, depth)).astype(np.int8)
    wt = rng.integers(-tmax, tmax + 1, (filters, memory)).astype(st_dtype)
    b = rng.integers(-30000, 30000, units).astype(np.int32)
    x = rng.integers(-128, 128, (INVOCATIONS, batch, depth)).astype(np.int8)
    return SvdfCase(kind, batch, depth, filters, memory, rank, True, "NONE", q, wf, wt, b, x)


SVDF_CASES = [_svdf_case(np.random.default_rng(900 + k), k) for k in range(24)]


def _svdf_batch_model(cases: list[SvdfCase]) -> bytes:
    """Several independent SVDF ops in one model: input i -> SVDF i -> output i."""
    mb = ModelBuilder("lwai test: svdf batch")
    for i, c in enumerate(cases):
        units = c.filters // c.rank
        if c.kind == "f32":
            x = mb.add_tensor(f"x{i}", (c.batch, c.depth), "float32")
            wf = mb.add_tensor(f"wf{i}", c.wf.shape, "float32", c.wf)
            wt = mb.add_tensor(f"wt{i}", c.wt.shape, "float32", c.wt)
            b = mb.add_tensor(f"b{i}", (units,), "float32", c.b) if c.bias else -1
            st = mb.add_tensor(
                f"s{i}", (c.batch, c.filters * c.memory), "float32", is_variable=True
            )
            y = mb.add_tensor(f"y{i}", (c.batch, units), "float32")
        else:
            sd = "int16" if c.kind == "s8" else "int8"
            s_scale, s_zp = c.q["state"]
            x = mb.add_tensor(f"x{i}", (c.batch, c.depth), "int8", None, *c.q["in"])
            wf = mb.add_tensor(f"wf{i}", c.wf.shape, "int8", c.wf, c.q["wf"], 0)
            wt = mb.add_tensor(f"wt{i}", c.wt.shape, sd, c.wt, c.q["wt"], 0)
            b = mb.add_tensor(f"b{i}", (units,), "int32", c.b, s_scale * c.q["wt"], 0)
            st = mb.add_tensor(
                f"s{i}", (c.batch, c.filters * c.memory), sd, None, s_scale, s_zp, is_variable=True
            )
            y = mb.add_tensor(f"y{i}", (c.batch, units), "int8", None, *c.q["out"])
        mb.add_op("SVDF", [x, wf, wt, b, st], [y], {"rank": c.rank, "activation": c.activation})
        mb.inputs.append(x)
        mb.outputs.append(y)
    return mb.build()


def _check_outputs(cases, got, ref) -> list[str]:
    bad = []
    for i, (c, g, r) in enumerate(zip(cases, got, ref)):
        if c.kind == "f32":
            ok = np.allclose(g, r, rtol=1e-5, atol=1e-5)
        else:
            ok = np.array_equal(g, r)
        if not ok:
            bad.append(
                f"case {i} ({c.kind}, rank {c.rank}, memory {c.memory}): {g.ravel()[:6]} "
                f"!= {r.ravel()[:6]}"
            )
    return bad


def test_generated_svdf_graph_executor(tmp_path):
    """The first 8 generated cases through the graph executor (host): state tensors in the
    model file."""
    cases = SVDF_CASES[:8]
    path = tmp_path / "svdf_g.tflite"
    path.write_bytes(_svdf_batch_model(cases))
    xs = [c.x for c in cases]
    ref = tflm_invocations(path.read_bytes(), xs, reset_every=2)
    got, _ = driver.run_model(
        path,
        xs,
        tmp_path / "w",
        target="host",
        executor="graph",
        invocations=INVOCATIONS,
        reset_every=2,
    )
    assert not _check_outputs(cases, got, ref)


# ---- state planning and the size functions ---------------------------------------------------


def test_state_in_persistent_region(tmp_path):
    from lwai.compiler import compile_model

    r = compile_model(shared_model("keyword_scrambled.tflite"), tmp_path)
    # 4 SVDF of [1, 64 * 8] int16 state and 3 of [1, 32 * 32]: 4 * 1024 + 3 * 2048 bytes
    assert r["state_bytes"] == 4 * 1024 + 3 * 2048
    assert r["state_offset"] + r["state_bytes"] == r["arena_bytes"]
    spans = sorted((s["offset"], s["offset"] + s["bytes"]) for s in r["state"])
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    for b in r["memory_plan"]:  # no transient buffer reaches into the state region
        if not any(b["offset"] == s[0] for s in spans):
            assert b["offset"] + b["bytes"] <= r["state_offset"]
    r8 = compile_model(shared_model("keyword_scrambled_8bit.tflite"), tmp_path / "8")
    assert r8["state_bytes"] == 4 * 512 + 3 * 1024
    # int8 state resets to its zero point (TFLM's ResetVariableTensors): -50 -> 0xce
    assert r8["state"][0]["fill"] == (-50) & 0xFF
    src = (tmp_path / "8" / "src" / "keyword_scrambled_8bit_model.c").read_text()
    assert f"memset(arena + {r8['state'][0]['offset']}, 206, 512u);" in src


def _svdf_desc(kind: str, batch: int, depth: int, filters: int, memory: int, rank: int) -> OpDesc:
    dt, st = {"s8": ("int8", "int16"), "state8": ("int8", "int8"), "f32": ("float32",) * 2}[kind]
    q = {} if dt == "float32" else {"scale": [0.05], "zero_point": [0]}
    units = filters // rank
    ins = [
        TensorDesc((batch, depth), dt, **q),
        TensorDesc((filters, depth), dt, data=np.zeros((filters, depth), dt), **q),
        TensorDesc((filters, memory), st, data=np.zeros((filters, memory), st), **q),
        TensorDesc((batch, filters * memory), st, state=True, **q),
    ]
    out = TensorDesc((batch, units), dt, **q)
    return OpDesc("svdf", ins, out, {"rank": rank, "activation": "NONE"})


def test_state_size_matches_c(tmp_path):
    """lwai_<svdf kernel>_get_state_size in C equals the compiler's Python twin."""
    shapes = [(1, 1, 1, 1, 1), (3, 17, 6, 13, 2), (2, 96, 64, 8, 1), (1, 5, 9, 32, 3)]
    fn = {"s8": "lwai_svdf_s8", "state8": "lwai_svdf_state8_s8", "f32": "lwai_svdf_f32"}
    lines, want = [], []
    for kind, symbol in fn.items():
        for b, d, f, m, r in shapes:
            plan = plan_kernel(_svdf_desc(kind, b, d, f, m, r))
            want.append(state_size(plan))
            lines.append(
                f"    {{ lwai_dims i = {{{b}, 1, 1, {d}}}, w = {{{f}, 1, 1, {d}}}, "
                f't = {{{f}, 1, 1, {m}}}; printf("%ld\\n", '
                f"(long){symbol}_get_state_size(&i, &w, &t)); }}"
            )
    src = tmp_path / "sizes.c"
    src.write_text(
        '#include <stdio.h>\n#include "lwai/kernels.h"\nint main(void) {\n'
        + "\n".join(lines)
        + "\n    return 0;\n}\n"
    )
    exe = tmp_path / "sizes"
    subprocess.run(
        [
            "gcc",
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Werror",
            f"-I{REPO / 'kernels' / 'include'}",
            f"-I{REPO / 'runtime' / 'include'}",
            str(src),
            str(REPO / "kernels/reference/svdf.c"),
            "-o",
            str(exe),
        ],
        check=True,
    )
    got = [
        int(v)
        for v in subprocess.run(
            [str(exe)], capture_output=True, text=True, check=True
        ).stdout.split()
    ]
    assert got == want
    assert want[:4] == [2, 3 * 6 * 13 * 2, 2 * 64 * 8 * 2, 9 * 32 * 2]


def test_disabled_svdf_kernel_is_a_clear_error(tmp_path):
    """SVDF has no TVM fallback: a config without its kernel stops the compile naming it."""
    from lwai.compiler import compile_model
    from lwai.errors import LwaiError

    cfg = tmp_path / "no_svdf.config"
    cfg.write_text(
        "CONFIG_LWAI_PROFILE_L2=y\nCONFIG_LWAI_KERNELS_LIST=y\n# CONFIG_LWAI_KERNEL_SVDF is not set\n"
    )
    with pytest.raises(LwaiError, match=r"SVDF .*\(int8\): the svdf int8 kernel is disabled"):
        compile_model(shared_model("keyword_scrambled.tflite"), tmp_path / "out", config=cfg)


def test_graph_file_with_constant_state_is_refused(tmp_path):
    """A model file whose SVDF state is a constant (read-only) tensor fails to load."""
    import base64
    import json

    from lwai.errors import LwaiError
    from lwai.targets import run_image

    model = shared_model("keyword_scrambled_8bit.tflite")
    x = _speech_like(1, 3)
    _, info = driver.run_model(model, [x[0]], tmp_path / "ok", executor="graph", fmt="json")
    exe = Path(info["image"])
    doc = json.loads((exe.parent.parent / "gen" / "model.json").read_text())
    state = next(t for t in doc["tensors"] if t["name"].endswith("_state4"))
    state.pop("arena_offset")
    state["data"] = base64.b64encode(bytes(int(np.prod(state["shape"])))).decode()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    x[0].tofile(tmp_path / "x.bin")
    with pytest.raises(LwaiError, match=r"bad model file .*node"):
        run_image("host", exe, [tmp_path / "x.bin"], [tmp_path / "y.bin"], model_file=bad)


BAD_ARGS_C = r"""
#include <stdio.h>
#include "lwai/kernels.h"
/* Each call below is inconsistent in one way; every one must return INVALID_ARG. */
int main(void) {
    static int8_t x[6], wf[24], out[4];
    static int16_t wt[16], st[32];
    static int32_t bias[4];
    lwai_svdf_params p = {2, 0, 0, 0, 1 << 30, 0, 1 << 30, 0, 0.0f, 0.0f};
    lwai_dims in = {1, 1, 1, 6}, f = {4, 1, 1, 6}, t = {4, 1, 1, 4}, b = {1, 1, 1, 2};
    lwai_dims s = {1, 1, 1, 16}, o = {1, 1, 1, 2}, s_bad = {1, 1, 1, 15}, o_bad = {1, 1, 1, 4};
    lwai_svdf_params rank3 = p, shift_bad = p;
    rank3.rank = 3;
    shift_bad.shift1 = 40;
    printf("%d\n", lwai_svdf_s8(&p, &in, x, &f, wf, &t, wt, &b, bias, &s, st, &o, out));
    printf("%d\n", lwai_svdf_s8(&p, &in, x, &f, wf, &t, wt, &b, bias, &s_bad, st, &o, out));
    printf("%d\n", lwai_svdf_s8(&p, &in, x, &f, wf, &t, wt, &b, bias, &s, st, &o_bad, out));
    printf("%d\n", lwai_svdf_s8(&rank3, &in, x, &f, wf, &t, wt, &b, bias, &s, st, &o, out));
    printf("%d\n", lwai_svdf_s8(&shift_bad, &in, x, &f, wf, &t, wt, &b, bias, &s, st, &o, out));
    printf("%d\n", lwai_svdf_s8(&p, &in, x, &f, wf, &t, wt, &o_bad, bias, &s, st, &o, out));
    printf("%d\n", lwai_svdf_s8(&p, &in, x, &f, wf, &t, wt, &b, bias, &s, NULL, &o, out));
    return 0;
}
"""


def test_svdf_kernels_reject_bad_arguments(tmp_path):
    src = tmp_path / "bad.c"
    src.write_text(BAD_ARGS_C)
    exe = tmp_path / "bad"
    inc = [f"-I{REPO / 'kernels' / 'include'}", f"-I{REPO / 'runtime' / 'include'}"]
    subprocess.run(
        ["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", *inc, str(src)]
        + [str(REPO / "kernels/reference/svdf.c"), "-o", str(exe)],
        check=True,
    )
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()
    hdr = (REPO / "runtime" / "include" / "lwai" / "status.h").read_text()
    invalid = re.search(r"LWAI_ERR_INVALID_ARG\s*=\s*(-?\d+)", hdr).group(1)
    assert out[0] == "0"  # the consistent call runs
    assert out[1:] == [invalid] * 6


# ---- the 16-bit ops of the keyword models: generated single-op cases --------------------------


def _int16_model(rng: np.random.Generator) -> tuple[bytes, list[np.ndarray], list[str]]:
    """One int16 input feeding 5 QUANTIZE int16 -> int8 and 5 int16 -> int32 (each its own
    output scale and zero point), one int8 input feeding 4 SOFTMAX int8 -> int16 (each its
    own beta): 14 single ops, 16 files (within the QEMU boards' command line)."""
    mb = ModelBuilder("lwai test: 16-bit ops")
    n = int(rng.integers(1, 200))
    in_scale = float(10 ** rng.uniform(-5, -1))
    in_zp = int(rng.choice([0, 0, -32768, 32767, int(rng.integers(-3000, 3000))]))
    a = mb.add_tensor("a", (1, n), "int16", None, in_scale, in_zp)
    rows, depth = int(rng.integers(1, 4)), int(rng.integers(1, 300))
    b = mb.add_tensor(
        "b",
        (rows, depth),
        "int8",
        None,
        float(10 ** rng.uniform(-2.5, 0)),
        int(rng.integers(-128, 128)),
    )
    kinds = []
    for k in range(5):
        # output/input scale ratios from 1e-3 to 1e3: multipliers with both shift signs
        y = mb.add_tensor(
            f"q8_{k}",
            (1, n),
            "int8",
            None,
            in_scale * 10 ** rng.uniform(-1, 3),
            int(rng.integers(-128, 128)),
        )
        mb.add_op("QUANTIZE", [a], [y])
        z = mb.add_tensor(
            f"q32_{k}",
            (1, n),
            "int32",
            None,
            in_scale * 10 ** rng.uniform(-3, 1),
            int(rng.integers(-32768, 32768)),
        )
        mb.add_op("QUANTIZE", [a], [z])
        mb.outputs += [y, z]
        kinds += ["quantize_s16_s8", "quantize_s16_s32"]
    for k in range(4):
        scale = 1 / 65536 if k % 2 == 0 else 1 / 65535  # TFLM takes either (within 0.1%)
        y = mb.add_tensor(f"sm{k}", (rows, depth), "int16", None, scale, -32768)
        mb.add_op("SOFTMAX", [b], [y], {"beta": float(rng.uniform(0.2, 4.0))})
        mb.outputs.append(y)
        kinds.append("softmax_s8_s16")
    mb.inputs = [a, b]
    xa = rng.integers(-32768, 32768, (1, n)).astype(np.int16)
    xb = rng.integers(-128, 128, (rows, depth)).astype(np.int8)
    return mb.build(), [xa, xb], kinds


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
def test_generated_int16_ops(target, tmp_path):
    """25 QUANTIZE int16 -> int8, 25 int16 -> int32 and 20 SOFTMAX int8 -> int16 single ops
    (odd sizes, edge zero points, wide scale ratios) bit-exact with TFLM."""
    if target != "host" and shutil.which("qemu-system-arm") is None:
        pytest.skip("qemu-system-arm is not installed")
    counts: dict[str, int] = {}
    for m in range(5):
        model, xs, kinds = _int16_model(np.random.default_rng(1300 + m))
        path = tmp_path / f"i16_{m}.tflite"
        path.write_bytes(model)
        ref = tflm_invocations(model, [x[None] for x in xs])
        got, info = driver.run_model(path, xs, tmp_path / f"w{m}", target=target)
        used = {o["kernel"] for o in info["report"]["ops"]}
        for kind, g, r in zip(kinds, got, ref):
            assert f"lwai_{kind}" in used, (kind, used)
            assert np.array_equal(g, r[0]), (
                f"model {m} {kind}: {g.ravel()[:6]} != {r[0].ravel()[:6]}"
            )
            counts[kind] = counts.get(kind, 0) + 1
    assert counts == {"quantize_s16_s8": 25, "quantize_s16_s32": 25, "softmax_s8_s16": 20}


def test_planner_puts_persistent_buffers_after_the_peak():
    from lwai.passes.plan_memory import MemoryPlanner

    p = MemoryPlanner()
    a = p.add("a", 100, 0, 1)
    b = p.add("b", 40, 1, 2)
    s1 = p.add("s1", 30, 0, 3, persistent=True)
    c = p.add("c", 100, 2, 3)  # may reuse a's bytes, never a state's
    s2 = p.add("s2", 7, 0, 3, persistent=True)
    total = p.plan()
    peak = max(x.offset + x.size for x in (a, b, c))
    assert (s1.offset, s2.offset) == (peak, peak + 32)  # 16-aligned sizes, back to back
    assert total == peak + 32 + 16 == p.state_offset + p.state_bytes
    assert p.state_offset == peak and p.state_bytes == 48
    assert c.offset == a.offset  # the transient plan is unchanged by the state


# ---- CMSIS-NN's SVDF (arm_svdf_state_s16_s8) behind lwai_svdf_cmsis_s8 ------------------------

CMSIS_ENV = os.environ.get("LWAI_CMSIS_NN_PATH")
needs_cmsis = pytest.mark.skipif(
    not CMSIS_ENV or shutil.which("qemu-system-arm") is None,
    reason="LWAI_CMSIS_NN_PATH is unset (or no qemu-system-arm): point it at a CMSIS-NN "
    "checkout to test the cmsis-nn SVDF (docs/cmsis-nn.md)",
)


@needs_cmsis
def test_cmsis_svdf_buffer_size_matches_python(tmp_path):
    """lwai_svdf_cmsis_s8_get_buffer_size (host build of the adapter) == its Python twin."""
    from lwai.backends import cmsis_nn

    root = cmsis_nn.check_path(CMSIS_ENV)
    shapes = [(1, 96, 64, 8, 1, 0), (3, 17, 6, 13, 2, 0), (2, 5, 9, 1, 3, 0), (1, 4, 8, 2, 1, 5)]
    lines, want = [], []
    for b, d, f, m, r, zp in shapes:
        plan = plan_kernel(_svdf_desc("s8", b, d, f, m, r))
        fields = dict(plan.fields, state_zero_point=zp)
        want.append(cmsis_nn.buffer_size("armv7em", "svdf_s8", fields, size_dims(plan)))
        lines.append(
            f"    {{ lwai_svdf_params p = {{{r}, 0, {zp}, 0, 1 << 30, 0, 1 << 30, 0, 0.0f, 0.0f}};"
            f" lwai_dims i = {{{b}, 1, 1, {d}}}, w = {{{f}, 1, 1, {d}}}, t = {{{f}, 1, 1, {m}}},"
            f" s = {{{b}, 1, 1, {f * m}}}, o = {{{b}, 1, 1, {f // r}}};"
            ' printf("%ld\\n", (long)lwai_svdf_cmsis_s8_get_buffer_size(&p, &i, &w, &t, &s, &o)); }'
        )
    src = tmp_path / "sizes.c"
    src.write_text(
        '#include <stdio.h>\n#include "lwai/kernels_cmsis_nn.h"\nint main(void) {\n'
        + "\n".join(lines)
        + "\n    return 0;\n}\n"
    )
    inc = [REPO / "kernels" / "include", REPO / "runtime" / "include", root / "Include"]
    inc.append(REPO / "kernels" / "thirdparty" / "cmsis_nn")
    srcs = [src, REPO / "kernels/thirdparty/cmsis_nn/svdf.c", REPO / "kernels/reference/svdf.c"]
    srcs += [
        root / "Source" / "SVDFunctions" / "arm_svdf_state_s16_s8.c",
        root / "Source" / "NNSupportFunctions" / "arm_nn_vec_mat_mult_t_svdf_s8.c",
    ]
    exe = tmp_path / "sizes"
    subprocess.run(
        ["gcc", "-std=c99", *(f"-I{p}" for p in inc), *map(str, srcs), "-o", str(exe)],
        check=True,
    )
    got = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()
    assert [int(v) for v in got] == want
    assert want[0] == 4 * 64 + 4 * 64 and want[-1] == 0  # state zero point != 0: reference


@needs_cmsis
@pytest.mark.parametrize("target", ["qemu-cortex-m4", "qemu-cortex-m55"])
def test_cmsis_svdf_bit_exact(target, layer_models, tmp_path):
    """The generated int16-state SVDF cases and keyword_scrambled (AOT and graph executor,
    state carried, reset) on CMSIS-NN's DSP (M4) and MVE (M55) paths, against TFLM."""
    cases = [c for c in SVDF_CASES if c.kind == "s8"]
    path = tmp_path / "svdf_cmsis.tflite"
    path.write_bytes(_svdf_batch_model(cases))
    xs = [c.x for c in cases]
    ref = tflm_invocations(path.read_bytes(), xs)
    got, info = driver.run_model(
        path, xs, tmp_path / "w", target=target, kernels="cmsis-nn", invocations=INVOCATIONS
    )
    assert {o["kernel"] for o in info["report"]["ops"]} == {"lwai_svdf_cmsis_s8"}
    assert not _check_outputs(cases, got, ref)
    model = layer_models["keyword_scrambled.tflite"]
    x = np.concatenate([_speech_like(INVOCATIONS, 11)] * 2)
    ref = tflm_invocations(model.read_bytes(), [x], reset_every=INVOCATIONS)
    for executor in ("aot", "graph"):
        outs, info = driver.run_model(
            model,
            [x],
            tmp_path / executor,
            target=target,
            executor=executor,
            kernels="cmsis-nn",
            invocations=2 * INVOCATIONS,
            reset_every=INVOCATIONS,
        )
        kernels = {o["kernel"] for o in info["report"]["ops"] if o["kind"] == "svdf"}
        assert kernels == {"lwai_svdf_cmsis_s8"}
        for j, (g, r) in enumerate(zip(outs, ref)):
            assert np.array_equal(g, r), f"{executor} output {j}"
