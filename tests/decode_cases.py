"""Generated TFLM_DECODE cases (tests/test_decode_cells.py): encoders for TFLM's LUT, prune and
Huffman formats, written from the format description in lwai/frontend/decode_ops.py, and
one model packing many cases.

A case is one DECODE op whose output is either
- "flat": a 1-D tensor of the cell's dtype, CONCATENATEd (with a graph input, so the result
  is computed) into one of the model's outputs, 9 decoded tensors per concatenation (TFLM's
  limit is 10 inputs); int8/int16 share one per-tensor quantization there;
- "fc": the int8 per-channel weights [units, k] of a FULLY_CONNECTED (channels on axis 0);
- "dw": the int8 per-channel weights [1, kh, kw, c] of a DEPTHWISE_CONV_2D (channels on the
  last axis: TFLM interleaves them).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from lwai.tflite_writer import ModelBuilder

DTYPES = ("bool", "float32", "int8", "int16", "int32", "int64")
CELLS = {"TFLM_DECODE": list(DTYPES)}
QUANT = {"int8": (0.05, 3), "int16": (0.002, 0)}
NAME = "TFLM_DECODE"


@dataclass
class Case:
    name: str
    dtype: str  # the decoded tensor's
    kind: str  # "lut", "prune", "huffman"
    use: str  # "flat", "fc", "dw"
    values: np.ndarray  # the decoded tensor, shaped
    encoded: bytes
    ancillary: bytes
    scales: list[float] | None = None
    zero_points: list[int] | None = None
    axis: int = 0
    extra: dict = field(default_factory=dict)


def dcm(kind: int, user: bytes) -> bytes:
    return bytes([kind, 1, 0, 0]) + user + bytes(12 - len(user))


def pack_bits(indices: np.ndarray, bits: int) -> bytes:
    """Indices of ``bits`` bits each, most significant bit first."""
    idx = np.asarray(indices, np.int64).ravel()
    b = (idx[:, None] >> np.arange(bits - 1, -1, -1)) & 1
    return np.packbits(b.ravel().astype(np.uint8)).tobytes()


def lut(values: np.ndarray, dtype: str, bits: int, channels: int, interleaved: bool, rng):
    """(encoded, ancillary) of ``values`` as TFLM's LUT: one table per channel."""
    flat = values.ravel()
    n = flat.size
    ch = np.arange(n) % channels if interleaved else np.arange(n) // (n // channels)
    tables, idx = [], np.zeros(n, np.int64)
    for c in range(channels):
        sel = ch == c
        uniq, inv = np.unique(flat[sel].view(_bits_dtype(dtype)), return_inverse=True)
        order = rng.permutation(len(uniq))  # tables in no particular order
        tables.append(uniq[order])
        idx[sel] = np.argsort(order)[inv]
    stride = max(len(t) for t in tables)
    stride = min(1 << bits, stride + int(rng.integers(0, 3)))  # sometimes padded
    body = b"".join(
        np.pad(t, (0, stride - len(t))).astype(_bits_dtype(dtype)).tobytes() for t in tables
    )
    axis_nibble = int(rng.integers(0, 16))  # TFLM ignores bits 7-4 of byte 5
    anc = dcm(0, bytes([1, (axis_nibble << 4) | bits, stride])) + body
    return pack_bits(idx, bits), anc


def prune(values: np.ndarray, keep: np.ndarray, dtype: str) -> tuple[bytes, bytes]:
    enc = np.packbits(keep.ravel().astype(np.uint8)).tobytes()
    kept = values.ravel()[keep.ravel()].view(_bits_dtype(dtype))
    return enc, dcm(2, bytes([1])) + kept.tobytes()


def huffman(values: np.ndarray, dtype: str, wide: bool, rng) -> tuple[bytes, bytes]:
    """A canonical Huffman code of ``values`` in TFLM's table format: a first table of
    2^first entries and, for longer codes, one sub-table per first-level prefix."""
    flat = values.ravel().astype(np.int64)
    syms, counts = np.unique(flat, return_counts=True)
    lengths = _code_lengths(counts)
    order = sorted(range(len(syms)), key=lambda i: (lengths[i], syms[i]))
    codes, code, prev = {}, 0, lengths[order[0]]
    for j, i in enumerate(order):
        if j:
            code = (code + 1) << (lengths[i] - prev)
        prev = lengths[i]
        codes[int(syms[i])] = (code, lengths[i])
    longest = max(lengths)
    first = int(rng.integers(1, longest + 1)) if rng.random() < 0.3 else max(1, longest - 2)
    cshift, found = (27, 1 << 31) if wide else (11, 1 << 15)
    vmask = (1 << cshift) - 1
    table = [0] * (1 << first)
    subs: dict[int, list[tuple[int, int, int]]] = {}
    for s, (c, n) in codes.items():
        v = s & (0xFFFF if dtype == "int16" else 0xFF)
        if n <= first:
            base = c << (first - n)
            for k in range(1 << (first - n)):
                table[base + k] = found | (n << cshift) | v
        else:
            subs.setdefault(c >> (n - first), []).append(
                (c & ((1 << (n - first)) - 1), n - first, v)
            )
    for prefix, entries in sorted(subs.items()):
        m = max(n for _, n, _ in entries)
        start = len(table)
        table += [0] * (1 << m)
        for c, n, v in entries:
            base = c << (m - n)
            for k in range(1 << (m - n)):
                table[start + base + k] = found | (n << cshift) | v
        assert start - prefix <= vmask
        table[prefix] = ((m - 1) << cshift) | (start - prefix)
    bits = "".join(format(codes[int(v)][0], f"0{codes[int(v)][1]}b") for v in flat)
    bits += "0" * ((-len(bits)) % 32 + 32)  # whole words, one more for the last lookahead
    enc = int(bits, 2).to_bytes(len(bits) // 8, "big")
    tab = np.asarray(table, "<u4" if wide else "<u2").tobytes()
    return enc, dcm(1, bytes([1, ((first - 1) << 4) | int(wide)])) + tab


def _code_lengths(counts) -> list[int]:
    if len(counts) == 1:
        return [1]
    heap = [(int(c), i, [i]) for i, c in enumerate(counts)]
    heapq.heapify(heap)
    lengths = [0] * len(counts)
    k = len(counts)
    while len(heap) > 1:
        c1, _, a = heapq.heappop(heap)
        c2, _, b = heapq.heappop(heap)
        for i in a + b:
            lengths[i] += 1
        heapq.heappush(heap, (c1 + c2, k, a + b))
        k += 1
    return lengths


def _bits_dtype(dtype: str) -> str:
    return {"bool": "u1", "float32": "<u4"}.get(dtype, np.dtype(dtype).newbyteorder("<").str)


def _palette(dtype: str, k: int, rng) -> np.ndarray:
    if dtype == "bool":
        return np.array([False, True][: max(1, min(k, 2))])
    if dtype == "float32":
        # no NaN: lwai's float constants lose NaN payloads (any constant, not DECODE's)
        special = np.array([0.0, -0.0, 1e-40, -3.0e38, 1.0, np.inf], np.float32)
        vals = np.concatenate([special, rng.normal(0, 10, k).astype(np.float32)])
        return rng.permutation(vals)[:k]
    info = np.iinfo(dtype)
    edges = np.array([info.min, info.max, 0, -1], dtype)
    vals = np.concatenate([edges, rng.integers(info.min, info.max, k, dtype=dtype, endpoint=True)])
    return np.unique(rng.permutation(vals)[:k]).astype(dtype)


def generate(dtype: str, n: int, seed: int) -> list[Case]:
    """``n`` flat cases of ``dtype``: LUT with bit widths 1..7 in turn, prune, Huffman (int8,
    int16), odd sizes; per-channel LUTs on the quantized dtypes (the flat tensor's single
    axis is its last: TFLM interleaves the channels)."""
    rng = np.random.default_rng(seed)
    out = []
    kinds = ["lut", "lut", "lut", "prune"]
    if dtype in ("int8", "int16"):
        kinds = ["lut", "huffman", "lut", "prune", "huffman"]
    n_lut = 0
    for i in range(n):
        kind = kinds[i % len(kinds)]
        size = int(rng.choice([1, 2, 3, 7, 16, 17, 31, 32, 33, 50, 64, 97, 130]))
        scales = zps = None
        if dtype in QUANT:
            scales, zps = [QUANT[dtype][0]], [QUANT[dtype][1]]
        if kind == "lut":
            bits = 1 + n_lut % 7
            n_lut += 1
            pal = _palette(dtype, min(1 << bits, 2 + int(rng.integers(0, 1 << bits))), rng)
            values = rng.choice(pal, size)
            enc, anc = lut(values, dtype, bits, 1, False, rng)
        elif kind == "prune":
            pal = _palette(dtype, 12, rng)
            values = rng.choice(pal, size)
            keep = rng.random(size) < rng.choice([0.0, 0.3, 0.7, 1.0])
            zero = QUANT.get(dtype, (0, 0))[1] if dtype == "int8" else 0
            values = np.where(keep, values, np.asarray(zero).astype(values.dtype))
            enc, anc = prune(values, keep, dtype)
        else:
            wide = dtype == "int16" or bool(i % 2)
            pal = _palette(
                dtype, int(rng.integers(1, 5) if i % 3 == 0 else rng.integers(5, 30)), rng
            )
            probs = rng.dirichlet(np.ones(len(pal)) * 0.3)
            values = rng.choice(pal, size, p=probs)
            enc, anc = huffman(values, dtype, wide, rng)
        values = np.asarray(values).astype(dtype)
        out.append(Case(f"{dtype}_{kind}_{i}", dtype, kind, "flat", values, enc, anc, scales, zps))
    return out


def generate_channels(n: int, seed: int, nonzero_zp: bool = False) -> list[Case]:
    """int8 per-channel weights: FULLY_CONNECTED (axis 0 blocks) and DEPTHWISE_CONV_2D (last
    axis, interleaved), as LUT (per-channel tables) and prune. ``nonzero_zp``: pruned, with
    per-channel zero points (TVM takes no such weights: decode-level checks only)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        use = "fc" if i % 2 == 0 else "dw"
        kind = "prune" if i % 4 >= 2 or nonzero_zp else "lut"
        if use == "fc":
            units, k = int(rng.integers(1, 9)), int(rng.integers(1, 20))
            shape, axis, ch = (units, k), 0, units
        else:
            kh, kw, c = int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(2, 9))
            shape, axis, ch = (1, kh, kw, c), 3, c
        scales = [float(s) for s in rng.uniform(0.002, 0.02, ch)]
        zps = [0] * ch
        count = int(np.prod(shape))
        chan = np.arange(count) % ch if use == "dw" else np.arange(count) // (count // ch)
        if kind == "lut":
            bits = 1 + i % 7
            values = np.empty(count, np.int8)
            for c in range(ch):
                pal = _palette("int8", min(1 << bits, int(rng.integers(1, 1 << bits)) + 1), rng)
                values[chan == c] = rng.choice(pal, int((chan == c).sum()))
            values[values == -128] = -127  # symmetric weights
            enc, anc = lut(values, "int8", bits, ch, use == "dw", rng)
        else:
            if nonzero_zp:
                zps = [int(z) for z in rng.integers(-5, 6, ch)]  # TFLM fills these per channel
            keep = rng.random(count) < 0.5
            values = rng.integers(-127, 128, count).astype(np.int8)
            values = np.where(keep, values, np.asarray(zps)[chan]).astype(np.int8)
            enc, anc = prune(values, keep, "int8")
        out.append(
            Case(
                f"{use}_{kind}_{i}",
                "int8",
                kind,
                use,
                values.reshape(shape),
                enc,
                anc,
                scales,
                zps,
                axis,
            )
        )
    return out


def build(cases: list[Case], seed: int = 0) -> tuple[bytes, list[np.ndarray], dict]:
    """One model for ``cases``: (model, feeds, layout). Every output is a chain of
    10-input CONCATENATIONs (TFLM's limit) -- one per flat dtype, starting with that dtype's
    graph input, and one each for the FULLY_CONNECTED and DEPTHWISE_CONV_2D results (their
    inputs SLICEd from one int8 graph input each) -- so inputs and outputs stay within the
    test app's 16. Three flat cases in every ten share one DECODE op (three outputs).
    ``layout[case name] = (output index, offset, length)``."""
    rng = np.random.default_rng(seed)
    mb = ModelBuilder("lwai decode cases")
    feeds: list[np.ndarray] = []
    layout: dict[str, tuple[int, int, int]] = {}

    def q(dtype):
        s = QUANT.get(dtype)
        return {} if s is None else {"scale": s[0], "zero_point": s[1]}

    def decode(group: list[Case]) -> list[int]:
        ins, outs = [], []
        for c in group:
            enc = np.frombuffer(c.encoded, np.uint8)
            anc = np.frombuffer(c.ancillary, np.uint8)
            ins.append(mb.add_tensor(f"{c.name}_enc", enc.shape, "uint8", data=enc))
            ins.append(mb.add_tensor(f"{c.name}_anc", anc.shape, "uint8", data=anc))
            qq = {}
            if c.scales is not None:
                qq = {"scale": c.scales, "zero_point": c.zero_points, "quantized_dimension": c.axis}
            outs.append(mb.add_tensor(c.name, c.values.shape, c.dtype, **qq))
        mb.add_custom_op(NAME, ins, outs)
        return outs

    def chain(first: int, first_len: int, pieces: list[tuple[str, int, int]], dtype: str, qq):
        """CONCATENATE ``first`` and the 1-D ``pieces`` (name, tensor, length), 9 at a time;
        the last concatenation is a graph output."""
        out_index = len(mb.outputs)
        acc, n = first, first_len
        for j in range(0, len(pieces), 9):
            part = pieces[j : j + 9]
            for name, _, length in part:
                layout[name] = (out_index, n, length)
                n += length
            o = mb.add_tensor(f"cat_{dtype}_{out_index}_{j}", (n,), dtype, **qq)
            mb.add_op("CONCATENATION", [acc, *(t for _, t, _ in part)], [o], {"axis": 0})
            acc = o
        mb.outputs.append(acc)

    def flat_of(t: int, shape, name: str, dtype: str) -> int:
        r = mb.add_tensor(f"{name}_flat", (int(np.prod(shape)),), dtype, **q(dtype))
        mb.add_op("RESHAPE", [t], [r], {"new_shape": [int(np.prod(shape))]})
        return r

    flat: dict[str, list[Case]] = {}
    for c in cases:
        if c.use == "flat":
            flat.setdefault(c.dtype, []).append(c)
    for dtype, group in flat.items():
        x = mb.add_tensor(f"x_{dtype}", (2,), dtype, **q(dtype))
        mb.inputs.append(x)
        feeds.append(
            np.array([1, 0], dtype) if dtype != "float32" else np.array([0.5, -2], np.float32)
        )
        ts: list[int] = []
        for j in range(0, len(group), 10):
            ts += decode(group[j : j + 3]) + [t for c in group[j + 3 : j + 10] for t in decode([c])]
        chain(x, 2, [(c.name, t, c.values.size) for c, t in zip(group, ts)], dtype, q(dtype))
    for use in ("fc", "dw"):
        group = [c for c in cases if c.use == use]
        if not group:
            continue
        oq = {"scale": 0.1, "zero_point": 1}
        sizes = []
        for c in group:
            shape = c.values.shape
            if use == "fc":
                xs = (1, shape[1])
            else:
                xs = (
                    1,
                    shape[1] + int(rng.integers(0, 3)),
                    shape[2] + int(rng.integers(0, 3)),
                    shape[3],
                )
            c.extra["x_shape"] = xs
            sizes.append(int(np.prod(xs)))
        total = sum(sizes)
        xin = mb.add_tensor(f"x_{use}", (total,), "int8", scale=0.05, zero_point=-2)
        mb.inputs.append(xin)
        feeds.append(rng.integers(-128, 128, total).astype(np.int8))
        pieces = []
        start = 0
        for c, size in zip(group, sizes):
            (w,) = decode([c])
            xs = c.extra["x_shape"]
            begin = mb.add_tensor(f"{c.name}_b0", (1,), "int32", data=np.array([start], np.int32))
            length = mb.add_tensor(f"{c.name}_n", (1,), "int32", data=np.array([size], np.int32))
            sl = mb.add_tensor(f"{c.name}_sl", (size,), "int8", scale=0.05, zero_point=-2)
            mb.add_op("SLICE", [xin, begin, length], [sl])
            x = mb.add_tensor(f"{c.name}_x", xs, "int8", scale=0.05, zero_point=-2)
            mb.add_op("RESHAPE", [sl], [x], {"new_shape": list(xs)})
            start += size
            ch = c.values.shape[0] if use == "fc" else c.values.shape[3]
            bias = mb.add_tensor(
                f"{c.name}_bias",
                (ch,),
                "int32",
                data=rng.integers(-500, 500, ch).astype(np.int32),
                scale=[0.05 * s for s in c.scales],
                zero_point=[0] * ch,
            )
            if use == "fc":
                ys = (1, ch)
                y = mb.add_tensor(f"{c.name}_y", ys, "int8", **oq)
                mb.add_op("FULLY_CONNECTED", [x, w, bias], [y])
            else:
                kh, kw = c.values.shape[1:3]
                ys = (1, xs[1] - kh + 1, xs[2] - kw + 1, ch)
                y = mb.add_tensor(f"{c.name}_y", ys, "int8", **oq)
                opts = {"padding": "VALID", "depth_multiplier": 1}
                mb.add_op("DEPTHWISE_CONV_2D", [x, w, bias], [y], opts)
            n = int(np.prod(ys))
            yf = mb.add_tensor(f"{c.name}_yf", (n,), "int8", **oq)
            mb.add_op("RESHAPE", [y], [yf], {"new_shape": [n]})
            pieces.append((c.name, yf, n))
        x0 = mb.add_tensor(f"x0_{use}", (1,), "int8", **oq)
        b0 = mb.add_tensor(f"{use}_b", (1,), "int32", data=np.array([0], np.int32))
        n0 = mb.add_tensor(f"{use}_n", (1,), "int32", data=np.array([1], np.int32))
        s0 = mb.add_tensor(f"{use}_s0", (1,), "int8", scale=0.05, zero_point=-2)
        mb.add_op("SLICE", [xin, b0, n0], [s0])
        mb.add_op("QUANTIZE", [s0], [x0])  # to the outputs' quantization
        chain(x0, 1, pieces, "int8", oq)
    return mb.build(), feeds, layout


def all_cases(n: int, seed: int = 700) -> list[Case]:
    cases = []
    for k, d in enumerate(DTYPES):
        cases += generate(d, n, seed + k)
    return cases + generate_channels(n, seed + 99)
