"""Generated single-op UNIDIRECTIONAL_SEQUENCE_LSTM models and their tflite-micro references
(helpers of tests/test_lstm.py).

A case is one LSTM (odd sizes, batch/time-major layouts, edge quantization: asymmetric hidden
zero points, non-power-of-two cell scales, saturating and tiny gate scales, cell clipping;
int8, int16 16x8 and float32, some written out, the rest drawn by generated_int16 and
generated_float), written with lwai's TFLite writer and run ``invocations`` times in the
tflite-micro interpreter with the state carried, then once more after ``reset()``.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lwai.frontend import lstm
from lwai.tflite_writer import ModelBuilder

DTYPES = {
    "int8": ("int8", "int8", "int32"),
    "int16": ("int16", "int8", "int64"),
    "float32": ("float32", "float32", "float32"),
}


@dataclass
class LstmCase:
    name: str
    dtype: str = "int8"  # activations: int8 (8x8 -> 16) or int16 (16x8)
    batch: int = 1
    steps: int = 3
    n_in: int = 5
    n_cell: int = 4
    time_major: bool = False
    input_scale: float = 1.0 / 128
    input_zero_point: int = 0
    hidden_scale: float = 1.0 / 128
    hidden_zero_point: int = 0
    cell_scale: float = 2.0**-11
    cell_clip: float = 0.0
    # weight scales are drawn around gain / (sqrt(fan_in) * 127 * act_scale)
    gain: float = 1.5
    seed: int = 0
    weights: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    quant: lstm.LstmQuant | None = field(default=None, repr=False)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        if self.time_major:
            return (self.steps, self.batch, self.n_in)
        return (self.batch, self.steps, self.n_in)

    @property
    def output_shape(self) -> tuple[int, int, int]:
        if self.time_major:
            return (self.steps, self.batch, self.n_cell)
        return (self.batch, self.steps, self.n_cell)

    def params(self) -> dict[str, int | float]:
        return lstm.lstm_params(self.quant, time_major=self.time_major, cell_clip=self.cell_clip)


def build(case: LstmCase) -> bytes:
    """The case's single-op model; fills ``case.weights`` and ``case.quant``."""
    return build_batch([case])


def build_batch(cases: list[LstmCase]) -> bytes:
    """One model of independent LSTMs (input k -> output k), one per case."""
    mb = ModelBuilder()
    for k, case in enumerate(cases):
        x, y = add_lstm(mb, case, f"c{k}_")
        mb.inputs.append(x)
        mb.outputs.append(y)
    return mb.build()


def add_lstm(mb: ModelBuilder, case: LstmCase, pre: str) -> tuple[int, int]:
    rng = np.random.default_rng(case.seed)
    act, wdt, bdt = DTYPES[case.dtype]
    fl = act == "float32"  # float LSTM: the same draws, dequantized; no quantization

    def q(scale, zero_point=0) -> dict:
        return {} if fl else {"scale": scale, "zero_point": zero_point}

    x = mb.add_tensor(
        pre + "input", case.input_shape, act, **q(case.input_scale, case.input_zero_point)
    )
    ids: dict[int, int] = {lstm.INPUT: x}
    w_in_scales, w_rec_scales = [], []
    for gate, (i_in, i_rec, i_b) in zip(
        lstm.GATES, zip(lstm.INPUT_WEIGHTS, lstm.RECURRENT_WEIGHTS, lstm.BIASES, strict=True)
    ):
        # pre-activation std ~ gain: sqrt(fan_in) * std(w codes) * std(x codes) * s_w * s_x
        code_std = 18900.0 if act == "int16" else 74.0
        h_std = min(code_std, 0.5 / case.hidden_scale)
        s_in = case.gain / (np.sqrt(case.n_in) * 73 * code_std * case.input_scale)
        s_rec = case.gain / (np.sqrt(case.n_cell) * 73 * h_std * case.hidden_scale)
        s_in, s_rec = s_in * rng.uniform(0.5, 2), s_rec * rng.uniform(0.5, 2)
        w_in = rng.integers(-127, 128, (case.n_cell, case.n_in), dtype=np.int8)
        w_rec = rng.integers(-127, 128, (case.n_cell, case.n_cell), dtype=np.int8)
        # float32 scales as the file stores them
        s_in, s_rec = float(np.float32(s_in)), float(np.float32(s_rec))
        bias_scale = float(np.float32(case.input_scale) * np.float32(s_in))
        bias_real = rng.normal(1.0 if gate == "forget" else 0.0, 0.5, case.n_cell)
        bias_real *= min(1.0, case.gain)
        bias = np.round(bias_real / bias_scale).astype(np.int64)
        lim = 2**31 - 1 if bdt == "int32" else 2**40
        bias = np.clip(bias, -lim, lim).astype(np.int32 if fl else bdt)
        if fl:
            w_in = (w_in * np.float32(s_in * case.input_scale)).astype(np.float32)
            w_rec = (w_rec * np.float32(s_rec * case.hidden_scale)).astype(np.float32)
            bias = (bias * np.float32(bias_scale)).astype(np.float32)
        case.weights[f"input_to_{gate}"] = w_in
        case.weights[f"recurrent_to_{gate}"] = w_rec
        case.weights[f"{gate}_bias"] = bias
        ids[i_in] = mb.add_tensor(pre + f"w_in_{gate}", w_in.shape, wdt, data=w_in, **q(s_in))
        ids[i_rec] = mb.add_tensor(pre + f"w_rec_{gate}", w_rec.shape, wdt, data=w_rec, **q(s_rec))
        ids[i_b] = mb.add_tensor(pre + f"b_{gate}", bias.shape, bdt, data=bias, **q(bias_scale))
        w_in_scales.append(s_in)
        w_rec_scales.append(s_rec)
    ids[lstm.OUTPUT_STATE] = mb.add_tensor(
        pre + "hidden_state",
        (case.batch, case.n_cell),
        act,
        is_variable=True,
        **q(case.hidden_scale, case.hidden_zero_point),
    )
    ids[lstm.CELL_STATE] = mb.add_tensor(
        pre + "cell_state",
        (case.batch, case.n_cell),
        "float32" if fl else "int16",
        is_variable=True,
        **q(case.cell_scale),
    )
    y = mb.add_tensor(
        pre + "output", case.output_shape, act, **q(case.hidden_scale, case.hidden_zero_point)
    )
    inputs = [ids.get(i, -1) for i in range(lstm.NUM_INPUTS)]
    mb.add_op(
        "UNIDIRECTIONAL_SEQUENCE_LSTM",
        inputs,
        [y],
        {"cell_clip": case.cell_clip, "time_major": case.time_major},
    )
    if fl:
        return x, y
    case.quant = lstm.LstmQuant(
        input_scale=case.input_scale,
        input_zero_point=case.input_zero_point,
        input_weight_scales=w_in_scales,
        recurrent_weight_scales=w_rec_scales,
        hidden_scale=case.hidden_scale,
        hidden_zero_point=case.hidden_zero_point,
        cell_scale=case.cell_scale,
    )
    return x, y


def random_inputs(case: LstmCase, invocations: int, seed: int) -> np.ndarray:
    """[invocations, *input_shape] in the activation dtype, over the full code range (float:
    the int8 draws dequantized)."""
    rng = np.random.default_rng(seed)
    shape = (invocations, *case.input_shape)
    if case.dtype == "float32":
        codes = rng.integers(-128, 128, shape) - case.input_zero_point
        return (codes * case.input_scale).astype(np.float32)
    info = np.iinfo(DTYPES[case.dtype][0])
    return rng.integers(info.min, info.max + 1, shape).astype(DTYPES[case.dtype][0])


def tflm_run(model: bytes | Path, inputs: np.ndarray, arena: int = 256 * 1024) -> np.ndarray:
    """tflite-micro's outputs for inputs[k] over len(inputs) invocations (state carried), then
    the first invocation again after reset(): [len(inputs) + 1, *output_shape]."""
    return tflm_run_multi(model, [inputs], arena)[0]


def tflm_run_multi(
    model: bytes | Path, inputs: list[np.ndarray], arena: int = 256 * 1024
) -> list[np.ndarray]:
    """As tflm_run for a model of as many outputs as inputs: inputs[i] is [N, ...] for input
    i; returns per output [N + 1, ...] (the last after reset(), on invocation 0)."""
    from tflite_micro.python.tflite_micro import runtime

    n = len(inputs[0])
    with tempfile.TemporaryDirectory() as d:
        path = Path(model) if isinstance(model, Path) else Path(d) / "m.tflite"
        if not isinstance(model, Path):
            path.write_bytes(model)
        interp = runtime.Interpreter.from_file(str(path), arena_size=arena)
        outs: list[list[np.ndarray]] = []

        def invoke(k: int) -> None:
            for i, x in enumerate(inputs):
                interp.set_input(x[k], i)
            interp.invoke()
            # one output per input in every model here
            outs.append([np.array(interp.get_output(j)) for j in range(len(inputs))])

        for k in range(n):
            invoke(k)
        interp.reset()
        invoke(0)
    return [np.stack([o[j] for o in outs]) for j in range(len(outs[0]))]


def cases() -> list[LstmCase]:
    """The generated cases: odd sizes, both layouts, edge quantization."""
    c = [
        LstmCase("tiny", n_in=1, n_cell=1, steps=1),
        LstmCase("odd", n_in=7, n_cell=5, steps=3, seed=1),
        LstmCase("batch3", batch=3, n_in=3, n_cell=6, steps=2, seed=2),
        LstmCase("time_major", batch=2, n_in=5, n_cell=3, steps=4, time_major=True, seed=3),
        LstmCase("time_major_b1", batch=1, n_in=9, n_cell=7, steps=2, time_major=True, seed=4),
        LstmCase("hidden_zp", hidden_zero_point=-37, hidden_scale=0.011, seed=5),
        LstmCase("input_zp", input_zero_point=55, input_scale=0.0213, n_in=11, seed=6),
        LstmCase("cell_not_pot", cell_scale=0.000377, seed=7),
        LstmCase("cell_2e-15", cell_scale=2.0**-15, seed=8),
        LstmCase("cell_2e-8", cell_scale=2.0**-8, seed=9),
        LstmCase("clip", cell_clip=0.7, seed=10, gain=4.0),
        LstmCase("clip_wide", cell_clip=100.0, seed=11),
        LstmCase("saturate", gain=40.0, seed=12, n_cell=6),
        LstmCase("tiny_scales", gain=0.01, seed=13),
        LstmCase("wide", n_in=33, n_cell=17, steps=2, seed=14),
        LstmCase("long", n_in=4, n_cell=4, steps=12, seed=15),
        LstmCase("hidden_zp_max", hidden_zero_point=127, hidden_scale=0.004, seed=16),
        LstmCase("hidden_zp_min", hidden_zero_point=-128, hidden_scale=0.004, seed=17),
        LstmCase("big_hidden_scale", hidden_scale=0.05, hidden_zero_point=3, seed=18),
        LstmCase("batch_tm_clip", batch=3, time_major=True, cell_clip=2.0, steps=3, seed=19),
        LstmCase(
            "mnist_like", n_in=28, n_cell=20, steps=4, cell_clip=10.0, cell_scale=2.0**-12, seed=20
        ),
        # 16x8: int16 activations, int64 bias
        LstmCase("s16", dtype="int16", input_scale=2.0**-12, hidden_scale=2.0**-12, seed=21),
        LstmCase(
            "s16_odd",
            dtype="int16",
            n_in=7,
            n_cell=5,
            batch=2,
            input_scale=0.00011,
            hidden_scale=0.00007,
            seed=22,
        ),
        LstmCase(
            "s16_tm",
            dtype="int16",
            time_major=True,
            batch=2,
            steps=3,
            seed=23,
            input_scale=1 / 4096,
            hidden_scale=1 / 8192,
            cell_clip=1.5,
        ),
        LstmCase(
            "s16_sat",
            dtype="int16",
            gain=30.0,
            seed=24,
            input_scale=1 / 4096,
            hidden_scale=1 / 4096,
            cell_scale=2.0**-14,
        ),
        # gate FC rescales of 2^10..2^12 (left shifts: int32 wrap-around as TFLite's)
        LstmCase("huge_scale", gain=3000.0, input_scale=0.5, seed=50),
        # hidden scale 2^-15 (the gates' resolution): every LSB of o and tanh(cell) shows
        LstmCase("s8_fine", gain=0.02, hidden_scale=2.0**-15, seed=25),
        LstmCase("s8_fine_zp", gain=0.05, hidden_scale=2.0**-14, hidden_zero_point=-20, seed=26),
        LstmCase("s16_fine", dtype="int16", hidden_scale=2.0**-15, input_scale=1 / 4096, seed=27),
        LstmCase(
            "s16_fine_sat",
            dtype="int16",
            gain=6.0,
            hidden_scale=2.0**-15,
            seed=28,
            input_scale=1 / 2048,
            cell_scale=2.0**-12,
            steps=5,
        ),
        LstmCase(
            "s16_fine_cell",
            dtype="int16",
            hidden_scale=2.0**-15,
            input_scale=1 / 4096,
            cell_scale=0.0001,
            cell_clip=2.5,
            gain=3.0,
            seed=29,
        ),
    ]
    return c + generated_int16(14, 3000)


def _log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(2.0 ** rng.uniform(np.log2(lo), np.log2(hi)))


def _shape(rng: np.random.Generator, i: int) -> dict:
    """Odd sizes (every seventh one input feature), batches 1-3, 1-5 steps, both layouts
    (alternating)."""
    n_in = int(rng.choice([1, 2, 3, 5, 7, 9, 12, 17, 24]))
    return {
        "batch": int(rng.integers(1, 4)),
        "steps": int(rng.integers(1, 6)),
        "n_in": 1 if i % 7 == 0 else n_in,
        "n_cell": int(rng.choice([1, 2, 3, 4, 6, 7, 9, 11, 16])),
        "time_major": bool(i % 2),
    }


def generated_int16(n: int, seed: int) -> list[LstmCase]:
    """16x8 LSTMs drawn at random: input scales 2^-15..2^-8 (non-powers of two), hidden
    scales 2^-15..2^-10 (powers of two or not), cell scales 2^-15..2^-10 (every third not a
    power of two: TFLite rounds its log2), cell clip off or 0.3-4, gains from tiny (outputs
    of a few LSBs, every fifth) to saturating."""
    out = []
    for i in range(n):
        rng = np.random.default_rng(seed + i)
        cell = 2.0 ** -int(rng.integers(10, 16))
        if i % 3 == 2:
            cell = _log_uniform(rng, 2.0**-15, 2.0**-10)
        hidden = 2.0 ** -int(rng.integers(10, 16))
        if i % 2:
            hidden = _log_uniform(rng, 2.0**-15, 2.0**-10)
        out.append(
            LstmCase(
                f"s16_gen{i}",
                dtype="int16",
                input_scale=_log_uniform(rng, 2.0**-15, 2.0**-8),
                hidden_scale=hidden,
                cell_scale=cell,
                cell_clip=float(rng.choice([0.0, 0.0, round(float(rng.uniform(0.3, 4.0)), 3)])),
                gain=0.03 if i % 5 == 3 else _log_uniform(rng, 0.3, 30.0),
                seed=seed + i,
                **_shape(rng, i),
            )
        )
    return out


def generated_float(n: int, seed: int) -> list[LstmCase]:
    """float32 LSTMs drawn at random: input magnitudes 2^-9..2^-3 per code step (inputs up
    to +-16), gains 0.05-8 and, every fifth, 60 (gate pre-activations beyond TFLite's
    logistic cut-offs, > 16.6 and < -9), cell clip off or 0.1-5."""
    out = []
    for i in range(n):
        rng = np.random.default_rng(seed + i)
        out.append(
            LstmCase(
                f"f32_gen{i}",
                dtype="float32",
                input_scale=_log_uniform(rng, 2.0**-9, 2.0**-3),
                hidden_scale=1.0 / 128,
                cell_clip=float(rng.choice([0.0, 0.0, round(float(rng.uniform(0.1, 5.0)), 3)])),
                gain=60.0 if i % 5 == 4 else _log_uniform(rng, 0.05, 8.0),
                seed=seed + i,
                **_shape(rng, i),
            )
        )
    return out


def float_cases() -> list[LstmCase]:
    """float32 LSTMs (TFLM's float kernel)."""
    return generated_float(16, 4000) + [
        LstmCase("f32", dtype="float32", seed=40),
        LstmCase("f32_odd", dtype="float32", n_in=7, n_cell=5, batch=2, seed=41),
        LstmCase(
            "f32_tm_clip",
            dtype="float32",
            time_major=True,
            batch=3,
            cell_clip=0.8,
            gain=4.0,
            seed=42,
        ),
        LstmCase("f32_wide", dtype="float32", n_in=28, n_cell=20, steps=6, seed=43),
    ]


# ---- direct kernel harness: one C program running every case, on host or Cortex-M --------

REPO = Path(__file__).resolve().parent.parent
C_TYPE = {"int8": "int8_t", "int16": "int16_t", "int32": "int32_t", "int64": "int64_t"}
KERNEL = {"int8": "lwai_lstm_s8", "int16": "lwai_lstm_s16"}


def _c_array(name: str, arr: np.ndarray) -> str:
    ctype = C_TYPE[str(arr.dtype)]
    vals = arr.reshape(-1).tolist()
    suffix = "LL" if ctype == "int64_t" else ""
    body = ",".join(f"{v}{suffix}" for v in vals) or "0"
    return f"static const {ctype} {name}[{max(len(vals), 1)}] = {{{body}}};\n"


def harness_source(items: list[tuple[LstmCase, np.ndarray]]) -> str:
    """C99 program: for each (case, inputs[N, ...]) run N invocations with state carried,
    then reset the state and run inputs[0] again; prints 'case <i> inv <k>: v v ...' lines
    through the board console (lwai_board_puts), 'done' at the end."""
    out = [
        '#include <string.h>\n#include "lwai/board.h"\n#include "lwai/kernels.h"\n',
        "static char line[64];\n",
        (
            "static void put_int(long v) {\n"
            "    char tmp[24]; int n = 0, i = 0; unsigned long u = v < 0 ? 0UL - (unsigned long)v"
            " : (unsigned long)v;\n"
            "    do { tmp[n++] = (char)('0' + (int)(u % 10)); u /= 10; } while (u);\n"
            "    if (v < 0) line[i++] = '-';\n"
            "    while (n) line[i++] = tmp[--n];\n"
            "    line[i++] = ' '; line[i] = 0; lwai_board_puts(line);\n}\n"
        ),
    ]
    main = ["int main(void) {\n    int k; int32_t e;\n    lwai_board_init();\n"]
    main.append(_BAD_ARGS)
    for ci, (case, inputs) in enumerate(items):
        act = DTYPES[case.dtype][0]
        ct = C_TYPE[act]
        p = case.params()
        fields = ", ".join(
            f".{k} = {v!r}f" if isinstance(v, float) else f".{k} = {v}" for k, v in p.items()
        )
        out.append(f"static const lwai_lstm_params p{ci} = {{{fields}}};\n")
        out.append(_c_array(f"in{ci}", inputs))
        for k, v in case.weights.items():
            out.append(_c_array(f"c{ci}_{k}", v))
        nstate = case.batch * case.n_cell
        nout = int(np.prod(case.output_shape))
        per_in = int(np.prod(case.input_shape))
        out.append(f"static {ct} h{ci}[{nstate}]; static int16_t s{ci}[{nstate}];\n")
        out.append(f"static {ct} o{ci}[{nout}];\n")
        dims = (
            f"static const lwai_dims di{ci} = {{{case.batch}, {case.steps}, 1, {case.n_in}}};\n"
            f"static const lwai_dims do{ci} = {{{case.batch}, {case.steps}, 1, {case.n_cell}}};\n"
        )
        out.append(dims)
        w = [f"c{ci}_input_to_{g}" for g in lstm.GATES]
        w += [f"c{ci}_recurrent_to_{g}" for g in lstm.GATES]
        w += [f"c{ci}_{g}_bias" for g in lstm.GATES]
        fill = case.hidden_zero_point if act == "int8" else 0
        reset = f"    for (e = 0; e < {nstate}; ++e) {{ h{ci}[e] = ({ct}){fill}; s{ci}[e] = 0; }}\n"
        call = (
            f"        if ({KERNEL[case.dtype]}(&p{ci}, &di{ci}, in{ci} + {per_in} * k, "
            + ", ".join(w)
            + f', h{ci}, s{ci}, &do{ci}, o{ci}) != LWAI_OK) {{ lwai_board_puts("error\\n");'
            " return 1; }\n"
        )
        show = (
            f'        lwai_board_puts("case {ci} inv "); put_int(k); lwai_board_puts(": ");\n'
            f"        for (e = 0; e < {nout}; ++e) put_int(o{ci}[e]);\n"
            '        lwai_board_puts("\\n");\n'
        )
        n = len(inputs)
        size_fn = KERNEL[case.dtype] + "_get_state_size"
        main.append(
            f'    lwai_board_puts("state {ci}: "); put_int({size_fn}(&do{ci}, 0));'
            f" put_int({size_fn}(&do{ci}, 1));"
            f' put_int({size_fn}(&do{ci}, 2)); lwai_board_puts("\\n");\n'
        )
        main.append(reset)
        main.append(f"    for (k = 0; k < {n}; ++k) {{\n{call}{show}    }}\n")
        main.append(reset)
        main.append(f"    for (k = 0; k < 1; ++k) {{\n{call}")
        main.append(show.replace("put_int(k)", f"put_int({n})") + "    }\n")
    main.append('    lwai_board_puts("done\\n");\n    return 0;\n}\n')
    return "".join(out) + "".join(main)


# Argument checks: NULL operands, a bad layout flag and mismatched dims are refused with
# LWAI_ERR_INVALID_ARG before anything is read; prints "bad args: <count refused of 5>".
_BAD_ARGS = """    {
        static const int8_t w[4] = {1, 2, 3, 4};
        static const int32_t b[2] = {0, 0};
        static int8_t h[2], o[4];
        static int16_t c[2];
        static const lwai_dims di = {1, 2, 1, 2}, dout = {1, 2, 1, 2}, dbad = {1, 3, 1, 2};
        lwai_lstm_params p = {0};
        int refused = 0;
        refused += lwai_lstm_s8(&p, &di, NULL, w, w, w, w, w, w, w, w, b, b, b, b, h, c, &dout, o)
                   == LWAI_ERR_INVALID_ARG;
        refused += lwai_lstm_s8(&p, &di, (const int8_t *)w, w, w, w, w, w, w, w, w, b, b, b, b,
                                NULL, c, &dout, o) == LWAI_ERR_INVALID_ARG;
        refused += lwai_lstm_s8(&p, &di, (const int8_t *)w, w, w, w, w, w, w, w, w, b, b, b, b,
                                h, c, &dbad, o) == LWAI_ERR_INVALID_ARG;
        refused += lwai_lstm_s8(NULL, &di, (const int8_t *)w, w, w, w, w, w, w, w, w, b, b, b,
                                b, h, c, &dout, o) == LWAI_ERR_INVALID_ARG;
        p.time_major = 2;
        refused += lwai_lstm_s8(&p, &di, (const int8_t *)w, w, w, w, w, w, w, w, w, b, b, b, b,
                                h, c, &dout, o) == LWAI_ERR_INVALID_ARG;
        lwai_board_puts("bad args: "); put_int(refused); lwai_board_puts("\\n");
    }
"""


def parse_bad_args(text: str) -> int:
    for ln in text.splitlines():
        if ln.startswith("bad args:"):
            return int(ln.split(":")[1])
    raise AssertionError("no 'bad args' line")


def parse_state_sizes(text: str) -> dict[int, list[int]]:
    """Per case: lwai_lstm_*_get_state_size for which = 0 (hidden), 1 (cell), 2 (invalid)."""
    sizes = {}
    for ln in text.splitlines():
        if ln.startswith("state "):
            head, _, vals = ln.partition(":")
            sizes[int(head.split()[1])] = [int(v) for v in vals.split()]
    return sizes


def parse_harness(text: str, items: list[tuple[LstmCase, np.ndarray]]) -> list[np.ndarray]:
    """Outputs per case as [N + 1, *output_shape] (the last: after reset)."""
    if "done" not in text:
        raise AssertionError(f"harness did not finish:\n{text[-2000:]}")
    rows: dict[tuple[int, int], list[int]] = {}
    for ln in text.splitlines():
        if ln.startswith("case "):
            head, _, vals = ln.partition(":")
            _, ci, _, k = head.split()
            rows[(int(ci), int(k))] = [int(v) for v in vals.split()]
    res = []
    for ci, (case, inputs) in enumerate(items):
        act = DTYPES[case.dtype][0]
        arr = [np.array(rows[(ci, k)], dtype=act) for k in range(len(inputs) + 1)]
        res.append(np.stack(arr).reshape(len(inputs) + 1, *case.output_shape))
    return res


KERNEL_SOURCES = ["kernels/reference/lstm.c"]
INCLUDES = ["kernels/include", "kernels/reference", "runtime/include", "boards/include"]
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror"]
M4_CPU = ["-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"]


def build_harness(src: str, work: Path, target: str) -> Path:
    """Compiles the harness for ``host`` (gcc) or ``qemu-cortex-m4`` (arm-none-eabi-gcc,
    the mps2-an386 board files)."""
    import subprocess

    work.mkdir(parents=True, exist_ok=True)
    c = work / "lstm_harness.c"
    c.write_text(src)
    inc = [f"-I{REPO / i}" for i in INCLUDES]
    kern = [str(REPO / k) for k in KERNEL_SOURCES]
    if target == "host":
        exe = work / "lstm_harness"
        cmd = ["gcc", *CFLAGS, "-O2", *inc, str(c), *kern, str(REPO / "boards/posix/board.c")]
        cmd += ["-o", str(exe), "-lm"]
    elif target == "qemu-cortex-m4":
        exe = work / "lstm_harness.elf"
        cm = REPO / "boards" / "cortex-m"
        cmd = ["arm-none-eabi-gcc", *CFLAGS, *M4_CPU, "-Os", "-ffunction-sections"]
        cmd += ["-fdata-sections", f"-I{cm}", *inc, str(c), *kern]
        cmd += [str(cm / "startup.c"), str(cm / "board.c"), "-DLWAI_BOARD_CPU_HZ=25000000u"]
        cmd += ["-nostartfiles", "--specs=nano.specs", "-Wl,--gc-sections", f"-L{cm}"]
        cmd += [f"-T{REPO / 'boards/mps2-an386/link.ld'}", "-o", str(exe), "-lm", "-lgcc"]
    else:
        raise ValueError(target)
    r = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"harness build failed:\n{' '.join(cmd)}\n{r.stderr[-4000:]}")
    return exe


def run_harness(exe: Path, target: str, timeout: float = 300) -> str:
    import subprocess

    from lwai import targets

    cmd = targets.command(target, exe, [])
    r = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
    text = r.stdout + r.stderr
    if r.returncode != 0:
        raise AssertionError(f"harness failed ({r.returncode}):\n{text[-3000:]}")
    return text


def case_from_model(path: Path, op_index: int = 0) -> tuple[LstmCase, bytes]:
    """The LSTM layer of a .tflite file as a case (its weights and quantization) plus a
    single-op model of just that layer, for the direct kernel check."""
    import tflite

    buf = Path(path).read_bytes()
    m = tflite.Model.GetRootAsModel(buf, 0)
    sg = m.Subgraphs(0)
    op = sg.Operators(op_index)
    opt = tflite.UnidirectionalSequenceLSTMOptions()
    table = op.BuiltinOptions()
    opt.Init(table.Bytes, table.Pos)
    ins = op.InputsAsNumpy().tolist()
    np_types = {tflite.TensorType.INT8: np.int8, tflite.TensorType.INT16: np.int16}
    np_types.update({tflite.TensorType.INT32: np.int32, tflite.TensorType.INT64: np.int64})

    def tensor(i: int):
        t = sg.Tensors(ins[i])
        q = t.Quantization()
        scale = float(q.ScaleAsNumpy()[0]) if q is not None and q.ScaleLength() else None
        zp = int(q.ZeroPointAsNumpy()[0]) if q is not None and q.ZeroPointLength() else 0
        data = m.Buffers(t.Buffer()).DataAsNumpy()
        arr = None
        if not isinstance(data, int) and len(data):
            arr = np.frombuffer(data.tobytes(), np_types[t.Type()]).reshape(t.ShapeAsNumpy())
        return t, scale, zp, arr

    x, sx, zx, _ = tensor(lstm.INPUT)
    h, sh, zh, _ = tensor(lstm.OUTPUT_STATE)
    _, sc, _, _ = tensor(lstm.CELL_STATE)
    shape = x.ShapeAsNumpy().tolist()
    tm = bool(opt.TimeMajor())
    n_cell = int(h.ShapeAsNumpy()[-1])
    dtype = "int8" if x.Type() == tflite.TensorType.INT8 else "int16"
    case = LstmCase(
        Path(path).stem,
        dtype=dtype,
        batch=shape[1] if tm else shape[0],
        steps=shape[0] if tm else shape[1],
        n_in=shape[2],
        n_cell=n_cell,
        time_major=tm,
        input_scale=sx,
        input_zero_point=zx,
        hidden_scale=sh,
        hidden_zero_point=zh,
        cell_scale=sc,
        cell_clip=float(opt.CellClip()),
    )
    s_in, s_rec = [], []
    for g, i_in, i_rec, i_b in zip(
        lstm.GATES, lstm.INPUT_WEIGHTS, lstm.RECURRENT_WEIGHTS, lstm.BIASES, strict=True
    ):
        _, a, _, w_in = tensor(i_in)
        _, b, _, w_rec = tensor(i_rec)
        _, _, _, bias = tensor(i_b)
        case.weights[f"input_to_{g}"], case.weights[f"recurrent_to_{g}"] = w_in, w_rec
        case.weights[f"{g}_bias"] = bias
        s_in.append(a)
        s_rec.append(b)
    case.quant = lstm.LstmQuant(sx, zx, s_in, s_rec, sh, zh, sc)
    # single-op model of the layer
    act, wdt, bdt = DTYPES[dtype]
    mb = ModelBuilder()
    ids = {lstm.INPUT: mb.add_tensor("input", shape, act, scale=sx, zero_point=zx)}
    for g, i_in, i_rec, i_b, a, b in zip(
        lstm.GATES,
        lstm.INPUT_WEIGHTS,
        lstm.RECURRENT_WEIGHTS,
        lstm.BIASES,
        s_in,
        s_rec,
        strict=True,
    ):
        w_in, w_rec = case.weights[f"input_to_{g}"], case.weights[f"recurrent_to_{g}"]
        bias = case.weights[f"{g}_bias"]
        ids[i_in] = mb.add_tensor(f"w_in_{g}", w_in.shape, wdt, data=w_in, scale=a)
        ids[i_rec] = mb.add_tensor(f"w_rec_{g}", w_rec.shape, wdt, data=w_rec, scale=b)
        ids[i_b] = mb.add_tensor(f"b_{g}", bias.shape, bdt, data=bias, scale=float(sx * a))
    hshape = h.ShapeAsNumpy().tolist()
    ids[lstm.OUTPUT_STATE] = mb.add_tensor(
        "hidden_state", hshape, act, scale=sh, zero_point=zh, is_variable=True
    )
    ids[lstm.CELL_STATE] = mb.add_tensor("cell_state", hshape, "int16", scale=sc, is_variable=True)
    y = mb.add_tensor("output", case.output_shape, act, scale=sh, zero_point=zh)
    mb.add_op(
        "UNIDIRECTIONAL_SEQUENCE_LSTM",
        [ids.get(i, -1) for i in range(lstm.NUM_INPUTS)],
        [y],
        {"cell_clip": case.cell_clip, "time_major": tm},
    )
    mb.inputs, mb.outputs = [ids[lstm.INPUT]], [y]
    return case, mb.build()


def stroke_images(n: int, seed: int) -> np.ndarray:
    """[n, 1, 28, 28] int8 images of 2-4 random pen strokes (MNIST-like: ink on black, the
    MNIST LSTM's input quantization scale 1/255, zero point -128), so the classifier's
    outputs spread over several classes instead of saturating as on noise."""
    rng = np.random.default_rng(seed)
    out = np.zeros((n, 1, 28, 28))
    for img in out[:, 0]:
        for _ in range(rng.integers(2, 5)):
            (r0, c0), (r1, c1) = rng.uniform(4, 24, 2), rng.uniform(4, 24, 2)
            ink = rng.uniform(0.6, 1.0)
            for t in np.linspace(0, 1, 40):
                r, c = int(r0 + (r1 - r0) * t), int(c0 + (c1 - c0) * t)
                img[max(r - 1, 0) : r + 2, max(c - 1, 0) : c + 2] = ink
    return np.clip(np.round(out * 255) - 128, -128, 127).astype(np.int8)
