"""Generated cases of TFLite Micro's signal library custom ops (lwai/frontend/signal_ops.py).

Many single-op cases share one model: each case's activation inputs are SLICEd from one flat
model input per dtype (uint32 operands: an int32 slice CAST to uint32; TFLM slices no
uint32), its outputs RESHAPEd flat, CAST to int32 when uint32 (Energy: only its written
bins, TFLM leaves the others unset), and CONCATENATEd, up to FANIN per model output.
FilterBank's uint64 outputs are model outputs of their own (nothing in TFLM moves uint64);
each FilterBankSquareRoot case has a FilterBank of its own feeding it. The reference is
TFLM's own interpreter (its Python wheel resolves the Signal* custom ops by name), invoked
once per slice of the leading axis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lwai.frontend.signal_ops import _factors
from lwai.tflite_writer import ModelBuilder

FANIN = 10  # TFLM's CONCATENATION takes <= 10 inputs; + 1 output <= 16 TVM arguments
T_CODES = {"int16": 7, "int32": 2, "float32": 0}  # TFLite TensorType, Rfft's "T" option


@dataclass
class In:
    dtype: str  # "int16", "int32", "float32", "uint32"
    shape: tuple[int, ...]
    data: np.ndarray | None = None  # constant; None: sliced from the model input


@dataclass
class Case:
    op: str  # custom op name, e.g. "SignalWindow"
    cell: str  # dtype label of the CELLS entry
    inputs: list[In]
    outputs: list[tuple[str, tuple[int, ...]]]  # (dtype, shape) per op output
    options: dict
    keep: list[tuple[int, int] | None] = field(default_factory=list)  # per output: [lo, hi)
    fb: Case | None = None  # SquareRoot: the FilterBank case producing its uint64 input
    scale_bits: int = 0  # SquareRoot: its (constant) scale bits


def _window(rng) -> Case:
    w = int(rng.choice([1, 3, 8, 16, 25, 40, 64]))
    rows = int(rng.integers(1, 4))
    shape = (rows, w) if rng.random() < 0.7 else (w,)
    weights = rng.integers(-32768, 32768, w) if rng.random() < 0.5 else rng.integers(0, 16384, w)
    return Case(
        "SignalWindow",
        "int16",
        [In("int16", shape), In("int16", (w,), weights.astype(np.int16))],
        [("int16", shape)],
        {"shift": int(rng.choice([0, 1, 5, 12, 14, 15, 20, 31]))},
    )


def _fft_auto_scale(rng) -> Case:
    n = int(rng.integers(1, 50))
    return Case(
        "SignalFftAutoScale",
        "int16",
        [In("int16", (n,))],
        [("int16", (n,)), ("int32", ())],
        {},
    )


def _fft_length(rng) -> int:
    while True:
        n = int(rng.choice([4, 6, 8, 10, 12, 16, 20, 24, 30, 32, 40, 48, 50, 60, 64, 96, 128]))
        if _factors(n) is not None:
            return n


def _rfft(rng, dtype: str) -> Case:
    fft = _fft_length(rng)
    length = int(rng.integers(1, fft + 1)) if rng.random() < 0.5 else fft
    rows = int(rng.integers(1, 3))
    shape = (rows, length) if rows > 1 else (length,)
    out = (rows, fft + 2) if rows > 1 else (fft + 2,)
    return Case(
        "SignalRfft",
        dtype,
        [In(dtype, shape)],
        [(dtype, out)],
        {"T": T_CODES[dtype], "fft_length": fft},
    )


def _irfft(rng, dtype: str) -> Case:
    fft = _fft_length(rng)
    rows = int(rng.integers(1, 3))
    shape = (rows, fft + 2) if rows > 1 else (fft + 2,)
    out = (rows, fft) if rows > 1 else (fft,)
    return Case(
        "SignalIrfft",
        dtype,
        [In(dtype, shape)],
        [(dtype, out)],
        {"T": T_CODES[dtype], "fft_length": fft},
    )


def _energy(rng) -> Case:
    bins = int(rng.integers(1, 40))
    start = int(rng.integers(0, bins))
    end = int(rng.integers(start + 1, bins + 1))
    return Case(
        "SignalEnergy",
        "int16->uint32",
        [In("int16", (2 * bins,))],
        [("uint32", (bins,))],
        {"start_index": start, "end_index": end},
        keep=[(start, end)],
    )


def _filter_bank(rng) -> Case:
    n = int(rng.integers(6, 70))
    c = int(rng.integers(1, 12))
    widths = rng.integers(0, 6, c + 1)
    nw = int(widths.sum()) + int(rng.integers(0, 4))
    wstarts, acc = [], 0
    for wd in widths:
        wstarts.append(acc)
        acc += int(wd)
    fstarts = [int(rng.integers(0, n - int(wd) + 1)) for wd in widths]
    big = rng.random() < 0.5  # weights to 2^15 and energies to 2^32: sums above 2^32
    hi = 32768 if big else 4097
    return Case(
        "SignalFilterBank",
        "uint32->uint64",
        [
            In("uint32", (n,)),
            In("int16", (nw,), rng.integers(-hi // 8, hi, nw).astype(np.int16)),
            In("int16", (nw,), rng.integers(0, hi, nw).astype(np.int16)),
            In("int16", (c + 1,), np.asarray(fstarts, np.int16)),
            In("int16", (c + 1,), np.asarray(wstarts, np.int16)),
            In("int16", (c + 1,), widths.astype(np.int16)),
        ],
        [("uint64", (c,))],
        {"num_channels": c},
    )


def _sqrt(rng) -> Case:
    fb = _filter_bank(rng)
    c = fb.outputs[0][1][0]
    bits = int(rng.choice([0, 0, 1, 3, 7, 12, 15, 31]))
    return Case(
        "SignalFilterBankSquareRoot", "uint64->uint32", [], [("uint32", (c,))], {}, [], fb, bits
    )


def _spectral_subtraction(rng) -> Case:
    c = int(rng.integers(1, 33))
    bits = int(rng.choice([12, 14, 16]))
    s = int(rng.integers(0, 1 << bits))
    alt = int(rng.integers(0, 1 << bits)) if rng.random() < 0.5 else s
    opts = {
        "num_channels": c,
        "smoothing": s,
        "one_minus_smoothing": (1 << bits) - s,
        "alternate_smoothing": alt,
        "alternate_one_minus_smoothing": (1 << bits) - alt,
        "min_signal_remaining": int(rng.integers(0, 1 << bits)),
        "smoothing_bits": int(rng.choice([0, 5, 10])),
        "spectral_subtraction_bits": bits,
        "clamping": bool(rng.random() < 0.5),
    }
    return Case(
        "SignalFilterBankSpectralSubtraction",
        "uint32",
        [In("uint32", (c,))],
        [("uint32", (c,)), ("uint32", (c,))],
        opts,
    )


def _log(rng) -> Case:
    c = int(rng.integers(1, 40))
    return Case(
        "SignalFilterBankLog",
        "uint32->int16",
        [In("uint32", (c,))],
        [("int16", (c,))],
        {
            "input_correction_bits": int(rng.choice([0, 1, 3, 8])),
            "output_scale": int(rng.choice([1, 64, 1600, 32768, 65536])),
        },
    )


def _pcan(rng) -> Case:
    c = int(rng.integers(1, 40))
    lut = rng.integers(-16000, 16000, 125).astype(np.int16)
    return Case(
        "SignalPCAN",
        "uint32",
        [In("uint32", (c,)), In("uint32", (c,)), In("int16", (125,), lut)],
        [("uint32", (c,))],
        {"snr_shift": int(rng.choice([0, 6, 6, 10, 20]))},
    )


def _delay(rng) -> Case:
    frame = int(rng.integers(1, 20))
    shape = (int(rng.integers(1, 4)), frame) if rng.random() < 0.6 else (frame,)
    delay = int(rng.choice([0, 1, 3, frame, frame + 2, 2 * frame + 1, 25]))
    return Case(
        "SignalDelay", "int16", [In("int16", shape)], [("int16", shape)], {"delay_length": delay}
    )


def _overlap_add(rng, dtype: str) -> Case:
    size = int(rng.integers(1, 20))
    step = int(rng.integers(1, size + 1))
    frames = int(rng.integers(1, 4))
    lead = (int(rng.integers(1, 3)),) if rng.random() < 0.5 else ()
    out = (*lead, frames * step)
    return Case(
        "SignalOverlapAdd",
        dtype,
        [In(dtype, (*lead, frames, size))],
        [(dtype, out)],
        {"T": T_CODES[dtype], "frame_step": step},
    )


def _framer(rng) -> Case:
    step = int(rng.integers(1, 9))
    size = int(rng.choice([step, step + 1, 2 * step, 3 * step + 1, int(rng.integers(1, 20))]))
    frames = int(rng.integers(1, 4))
    lead = (int(rng.integers(1, 3)),) if rng.random() < 0.5 else ()
    prefill = bool(rng.random() < 0.5) and size >= step
    return Case(
        "SignalFramer",
        "int16",
        [In("int16", (*lead, frames * step))],
        [("int16", (*lead, frames, size)), ("bool", ())],
        {"frame_size": size, "frame_step": step, "prefill": prefill},
    )


def _stacker(rng) -> Case:
    c = int(rng.integers(1, 12))
    left, right = int(rng.integers(0, 4)), int(rng.integers(0, 3))
    step = int(rng.integers(1, left + right + 2))
    opts = {
        "num_channels": c,
        "stacker_left_context": left,
        "stacker_right_context": right,
        "stacker_step": step,
    }
    out = c * (left + right + 1)
    return Case(
        "SignalStacker", "int16", [In("int16", (c,))], [("int16", (out,)), ("bool", ())], opts
    )


GENERATORS = {
    ("SignalWindow", "int16"): _window,
    ("SignalFftAutoScale", "int16"): _fft_auto_scale,
    ("SignalRfft", "int16"): lambda r: _rfft(r, "int16"),
    ("SignalRfft", "int32"): lambda r: _rfft(r, "int32"),
    ("SignalRfft", "float32"): lambda r: _rfft(r, "float32"),
    ("SignalEnergy", "int16->uint32"): _energy,
    ("SignalFilterBank", "uint32->uint64"): _filter_bank,
    ("SignalFilterBankSquareRoot", "uint64->uint32"): _sqrt,
    ("SignalFilterBankSpectralSubtraction", "uint32"): _spectral_subtraction,
    ("SignalFilterBankLog", "uint32->int16"): _log,
    ("SignalPCAN", "uint32"): _pcan,
    ("SignalIrfft", "int16"): lambda r: _irfft(r, "int16"),
    ("SignalIrfft", "int32"): lambda r: _irfft(r, "int32"),
    ("SignalIrfft", "float32"): lambda r: _irfft(r, "float32"),
    ("SignalFramer", "int16"): _framer,
    ("SignalStacker", "int16"): _stacker,
    ("SignalDelay", "int16"): _delay,
    ("SignalOverlapAdd", "int16"): lambda r: _overlap_add(r, "int16"),
    ("SignalOverlapAdd", "float32"): lambda r: _overlap_add(r, "float32"),
}


def generate(key: tuple[str, str], n: int, seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    return [GENERATORS[key](rng) for _ in range(n)]


def values(dtype: str, shape: tuple[int, ...], rng) -> np.ndarray:
    """Inputs over the whole range, with runs of small values (the FFT and log paths)."""
    n = int(np.prod(shape))
    small = rng.random() < 0.3
    if dtype == "int16":
        hi = 300 if small else 32768
        return rng.integers(-hi, hi, n).astype(np.int16)
    if dtype == "int32":
        hi = 5000 if small else 2**31
        return rng.integers(-hi, hi, n).astype(np.int32)
    if dtype == "float32":
        return rng.normal(0, 1000.0, n).astype(np.float32)
    hi = 2**16 if small else 2**32
    return rng.integers(0, hi, n, dtype=np.uint64).astype(np.uint32)  # uint32


@dataclass
class Built:
    model: bytes
    feeds: list[np.ndarray]  # [K, n] per model input
    layout: list[tuple[Case, int, list[tuple[int, int, int]]]]  # case, k, (output, off, n)
    direct: dict[int, int]  # id(FilterBank case) -> its model output (uint64)


def build(cases: list[Case], invocations: int, seed: int) -> Built:
    """One model holding ``cases``, fed ``invocations`` random slices."""
    rng = np.random.default_rng(seed)
    mb = ModelBuilder("lwai signal cases")
    flat_dt = {"int16": "int16", "int32": "int32", "float32": "float32", "uint32": "int32"}
    pieces: dict[str, list[np.ndarray]] = {}
    acts: list[tuple[int, In, int]] = []  # (case index, operand, offset) of sliced inputs
    for j, c in enumerate(cases):
        for op_in in [*(c.fb.inputs if c.fb else []), *c.inputs]:
            if op_in.data is None:
                d = flat_dt[op_in.dtype]
                off = sum(p.shape[1] for p in pieces.get(d, []))
                v = np.stack([values(op_in.dtype, op_in.shape, rng) for _ in range(invocations)])
                pieces.setdefault(d, []).append(v.view(np.int32) if d != op_in.dtype else v)
                acts.append((j, op_in, off))
    inputs = {
        d: mb.add_tensor(f"in_{d}", (sum(p.shape[1] for p in ps),), d) for d, ps in pieces.items()
    }
    act_iter = iter(acts)
    results: dict[str, list[int]] = {}
    where: list[tuple[Case, str, int, int]] = []  # case, dtype, result index, size
    fb_direct: list[tuple[Case, int]] = []

    def operand(j: int, k: int, o: In) -> int:
        if o.data is not None:
            return mb.add_tensor(f"c{j}_k{k}", o.shape, o.dtype, o.data)
        jj, oo, off = next(act_iter)
        assert jj == j and oo is o
        n = int(np.prod(o.shape))
        d = flat_dt[o.dtype]
        begin = mb.add_tensor(f"c{j}_b{k}", (1,), "int32", [off])
        size = mb.add_tensor(f"c{j}_s{k}", (1,), "int32", [n])
        flat = mb.add_tensor(f"c{j}_f{k}", (n,), d)
        mb.add_op("SLICE", [inputs[d], begin, size], [flat])
        if o.dtype == "uint32":
            u = mb.add_tensor(f"c{j}_u{k}", (n,), "uint32")
            mb.add_op("CAST", [flat], [u])
            flat = u
        if o.shape == (n,):
            return flat
        shaped = mb.add_tensor(f"c{j}_x{k}", o.shape, o.dtype)
        mb.add_op("RESHAPE", [flat], [shaped], {"new_shape": list(o.shape)})
        return shaped

    def result(j: int, k: int, c: Case, t: int, dt: str, shape, keep) -> None:
        n = int(np.prod(shape)) if shape else 1
        if dt == "uint64":  # FilterBank: a model output of its own
            fb_direct.append((c, t))
            return
        flat = t
        if tuple(shape) != (n,):
            flat = mb.add_tensor(f"c{j}_r{k}", (n,), dt)
            mb.add_op("RESHAPE", [t], [flat], {"new_shape": [n]})
        if dt == "uint32":
            i32 = mb.add_tensor(f"c{j}_i{k}", (n,), "int32")
            mb.add_op("CAST", [flat], [i32])
            flat, dt = i32, "int32"
        if keep is not None:
            lo, hi = keep
            b = mb.add_tensor(f"c{j}_kb{k}", (1,), "int32", [lo])
            s = mb.add_tensor(f"c{j}_ks{k}", (1,), "int32", [hi - lo])
            part = mb.add_tensor(f"c{j}_kp{k}", (hi - lo,), dt)
            mb.add_op("SLICE", [flat, b, s], [part])
            flat, n = part, hi - lo
        results.setdefault(dt, []).append(flat)
        where.append((c, dt, len(results[dt]) - 1, n))

    for j, c in enumerate(cases):
        if c.fb is not None:  # SquareRoot: FilterBank -> SquareRoot
            fb = c.fb
            args = [operand(j, k, o) for k, o in enumerate(fb.inputs)]
            y = mb.add_tensor(f"c{j}_fb", fb.outputs[0][1], "uint64")
            mb.add_custom_op(fb.op, args, [y], fb.options)
            bits = mb.add_tensor(f"c{j}_bits", (), "int32", np.int32(c.scale_bits))
            z = mb.add_tensor(f"c{j}_y0", c.outputs[0][1], "uint32")
            mb.add_custom_op(c.op, [y, bits], [z], {})
            result(j, 0, c, z, "uint32", c.outputs[0][1], None)
            continue
        args = [operand(j, k, o) for k, o in enumerate(c.inputs)]
        outs = [mb.add_tensor(f"c{j}_y{k}", s, d) for k, (d, s) in enumerate(c.outputs)]
        mb.add_custom_op(c.op, args, outs, c.options)
        for k, ((d, s), t) in enumerate(zip(c.outputs, outs)):
            keep = c.keep[k] if c.keep else None
            result(j, k, c, t, d, s, keep)
    outputs, index = [], {}
    for d, ts in results.items():
        for g in range(0, len(ts), FANIN):
            group = ts[g : g + FANIN]
            n = sum(mb.tensors[t].shape[0] for t in group)
            t = mb.add_tensor(f"out_{d}_{g}", (n,), d)
            mb.add_op("CONCATENATION", group, [t], {"axis": 0})
            off = 0
            for i, r in enumerate(group):
                index[(d, g + i)] = (len(outputs), off)
                off += mb.tensors[r].shape[0]
            outputs.append(t)
    layout: dict[int, tuple[Case, list]] = {}
    for c, d, i, n in where:
        k, off = index[(d, i)]
        layout.setdefault(id(c), (c, []))[1].append((k, off, n))
    direct = {}
    for fb, y in fb_direct:
        direct[id(fb)] = len(outputs)
        outputs.append(y)
    mb.inputs = list(inputs.values())
    mb.outputs = outputs
    feeds = [np.concatenate(ps, axis=1) for ps in pieces.values()]
    layout.update({id(c): (c, []) for c, _ in fb_direct})
    return Built(mb.build(), feeds, [(c, 0, s) for c, s in layout.values()], direct)
