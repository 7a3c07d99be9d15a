"""TFLM's TFLM_DECODE custom op (model compression), decoded by lwai at compile time into
plain constants (lwai/frontend/decode_ops.py), for every dtype TFLite Micro decodes (bool,
float32, int8, int16, int32, int64; lwai/spec/tflm_cells.json).

Cases (tests/decode_cases.py): per dtype 22 generated flat tensors of odd sizes (1..130
elements) -- LUT with index bit widths 1 to 7 in turn (tables in random order, some padded
past their entries, random bits in byte 5's ignored axis field), prune (keep masks from
none to all kept; int8 filled with its zero point) and, for int8 and int16, Huffman (int8 on
16- and 32-bit tables, int16 on 32-bit ones, first tables shorter than the longest code so
sub-tables are used; float32 tables hold -0.0, a denormal, inf, but no NaN: lwai's float
constants lose NaN payloads, any constant, not only DECODE's); three of every ten share one DECODE op with three outputs. Plus 22
int8 per-channel weights: FULLY_CONNECTED (channels on axis 0) and DEPTHWISE_CONV_2D
(channels on the last axis, which TFLM interleaves), LUT with per-channel tables and prune.
Each is compared with tflite-micro bit for bit (float32 as bits) on host and qemu-cortex-m4,
all cases of a target in one image; the decoder itself is also compared with TFLM's DECODE
outputs directly (with per-channel non-zero prune zero points, which TVM takes in no
weights). Hostile ancillary data is refused with the op, tensor and problem named (and 300
randomly damaged headers, tables and encodings never raise anything but LwaiError). Two
published models compressed by TFLM's own tool (tflite_micro's compression package) run on
host like tflite-micro.

About 38 s of CPU for the file (35.9 s user + 2.4 s sys, 85 s wall: host + qemu-cortex-m4
images, decode checks, refusals, the two compressed models), measured with /usr/bin/time.
"""

from __future__ import annotations

import decode_cases as dc
import numpy as np
import pytest
import tflite

from conftest import need_toolchain, tflm_outputs
from lwai import driver
from lwai.errors import LwaiError
from lwai.frontend import decode_ops
from lwai.tflite_writer import ModelBuilder

N_CASES = 22
TARGETS = ["host", "qemu-cortex-m4"]
# For scripts/gen_coverage.py: custom op -> decoded dtypes checked here (host and M4).
CELLS = dc.CELLS


def _cases() -> list[dc.Case]:
    return dc.all_cases(N_CASES)


def test_cases_cover_every_cell():
    cases = _cases()
    for dt in CELLS["TFLM_DECODE"]:
        mine = [c for c in cases if c.dtype == dt]
        assert len(mine) >= 20, dt
        lut_bits = {c.ancillary[5] & 7 for c in mine if c.kind == "lut" and c.use == "flat"}
        assert lut_bits == set(range(1, 8)), (dt, lut_bits)
        assert any(c.kind == "prune" for c in mine), dt
        if dt in ("int8", "int16"):
            assert any(c.kind == "huffman" for c in mine), dt
    huff8 = {c.ancillary[5] & 1 for c in cases if c.kind == "huffman" and c.dtype == "int8"}
    assert huff8 == {0, 1}  # 16- and 32-bit tables
    for dt in ("int8", "int16"):  # some codes longer than the first table: sub-tables read
        sub = [
            c
            for c in cases
            if c.kind == "huffman"
            and c.dtype == dt
            and (len(c.ancillary) - 16) // (4 if c.ancillary[5] & 1 else 2)
            > 1 << ((c.ancillary[5] >> 4) + 1)
        ]
        assert len(sub) >= 2, dt
    uses = {(c.use, c.kind) for c in cases}
    assert {("fc", "lut"), ("fc", "prune"), ("dw", "lut"), ("dw", "prune")} <= uses


def _bits(x: np.ndarray) -> np.ndarray:
    return x.view(np.uint32) if x.dtype == np.float32 else x


@pytest.mark.parametrize("target", TARGETS)
def test_matches_tflite_micro(target, tmp_path, monkeypatch):
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = _cases()
    model, feeds, layout = dc.build(cases)
    n_out = 1 + max(k for k, _, _ in layout.values())
    refs = tflm_outputs(model, feeds, n_out, arena=4_000_000)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    outs, _ = driver.run_model(path, feeds, tmp_path / "w", target)
    bad = [
        name
        for name, (k, off, n) in layout.items()
        if not np.array_equal(_bits(outs[k][off : off + n]), _bits(refs[k][off : off + n]))
    ]
    assert not bad, f"{target}: differ from tflite-micro: {bad}"
    for o, r in zip(outs, refs):
        assert np.array_equal(_bits(o), _bits(r))


def test_decoder_matches_tflite_micro_decode():
    """lwai's decoded constants against TFLM's DECODE outputs themselves (the decoded
    tensors are the graph's outputs, which TFLM allows), per-channel non-zero prune zero
    points included."""
    cases = _cases() + dc.generate_channels(12, 5, nonzero_zp=True)
    for k in range(0, len(cases), 15):
        group = cases[k : k + 15]
        mb = ModelBuilder()
        x = mb.add_tensor("x", (1,), "int8")
        mb.inputs.append(x)
        for c in group:
            enc = np.frombuffer(c.encoded, np.uint8)
            anc = np.frombuffer(c.ancillary, np.uint8)
            e = mb.add_tensor(f"{c.name}_e", enc.shape, "uint8", data=enc)
            a = mb.add_tensor(f"{c.name}_a", anc.shape, "uint8", data=anc)
            qq = {}
            if c.scales is not None:
                qq = {"scale": c.scales, "zero_point": c.zero_points, "quantized_dimension": c.axis}
            d = mb.add_tensor(c.name, c.values.shape, c.dtype, **qq)
            mb.add_custom_op(dc.NAME, [e, a], [d])
            mb.outputs.append(d)
        data = mb.build()
        refs = tflm_outputs(data, [np.zeros(1, np.int8)], len(group), arena=1_000_000)
        model = tflite.Model.GetRootAsModel(decode_ops.expand("m.tflite", data), 0)
        sg = model.Subgraphs(0)
        assert sg.OperatorsLength() == 0
        for j, (c, ref) in enumerate(zip(group, refs)):
            t = sg.Tensors(int(sg.Outputs(j)))
            raw = model.Buffers(t.Buffer()).DataAsNumpy().tobytes()
            assert raw == np.ascontiguousarray(ref).tobytes(), c.name
            assert raw == np.ascontiguousarray(c.values).tobytes(), c.name


# ---- refusals: hostile or unsupported ancillary data -------------------------------------------


def _lut_anc(bits=2, stride=4, table=(3, -1, 7, 2), dtype="int8", head=None) -> bytes:
    head = head if head is not None else bytes([0, 1, 0, 0, 1, bits, stride])
    return head + bytes(16 - len(head)) + np.asarray(table, dtype).tobytes()


def _model(tmp_path, anc: bytes, enc=b"\x1b\xe4", dtype="int8", shape=(8,), quant=None, **kw):
    mb = ModelBuilder()
    q = {"scale": 0.05, "zero_point": 0} if dtype in ("int8", "int16") else {}
    if quant is not None:
        q = quant
    x = mb.add_tensor("x", (2,) + tuple(shape[1:]), dtype, **q)
    if kw.get("runtime_encoded"):
        e = mb.add_tensor("enc", (len(enc),), "uint8")
        mb.inputs.append(e)
    else:
        e = mb.add_tensor("enc", (len(enc),), "uint8", data=np.frombuffer(enc, np.uint8))
    a = mb.add_tensor("anc", (len(anc),), "uint8", data=np.frombuffer(anc, np.uint8))
    d = mb.add_tensor("dec", shape, dtype, **q)
    ins = [e, a] + ([a] if kw.get("odd_inputs") else [])
    mb.add_custom_op(dc.NAME, ins, [d])
    y = mb.add_tensor("y", (2 + shape[0],) + tuple(shape[1:]), dtype, **q)
    mb.add_op("CONCATENATION", [x, d], [y], {"axis": 0})
    mb.inputs.append(x)
    mb.outputs.append(y)
    path = tmp_path / "m.tflite"
    path.write_bytes(mb.build())
    return path


_PRUNE = bytes([2, 1, 0, 0, 1]) + bytes(11)
_HUFF16 = bytes([1, 1, 0, 0, 1, 0x00]) + bytes(10)
HOSTILE = {
    "short header": (
        {"anc": b"\x00\x01\x00"},
        "the ancillary data is 3 bytes, shorter than the 16-byte DCM header",
    ),
    "dcm version": ({"anc": _lut_anc(head=bytes([0, 2]))}, "DCM version 2 (lwai reads version 1)"),
    "unknown type": (
        {"anc": _lut_anc(head=bytes([5, 1]))},
        "an unknown decode type 5 (lwai decodes LUT 0, Huffman 1 and prune 2)",
    ),
    "custom type": (
        {"anc": _lut_anc(head=bytes([200, 1]))},
        "a custom decode type 200 (lwai decodes LUT 0, Huffman 1 and prune 2)",
    ),
    "lut version": (
        {"anc": _lut_anc(head=bytes([0, 1, 0, 0, 3, 2, 4]))},
        "LUT version 3 (lwai reads version 1)",
    ),
    "lut width 0": ({"anc": _lut_anc(bits=0x80)}, "LUT index bit width 0 (valid: 1 to 7)"),
    "lut table cut": (
        {"anc": _lut_anc(table=(3, -1, 7))},
        "1 value table(s) of 4 int8 needs 20 bytes, the tensor has 19",
    ),
    "lut indices cut": (
        {"anc": _lut_anc(), "enc": b"\x1b"},
        "8 indices of 2 bits needs 2 bytes, the tensor has 1",
    ),
    "lut index past stride": (
        {"anc": _lut_anc(stride=3, table=(3, -1, 7, 2))},
        "a LUT index 3 is past the value table stride 3",
    ),
    "bool table": (
        {"anc": _lut_anc(table=(0, 1, 2, 1), dtype="uint8"), "dtype": "bool"},
        "a bool value table holds a byte other than 0 or 1",
    ),
    "lut channels": (
        {
            "anc": _lut_anc(),
            "shape": (8, 2, 2),
            "enc": bytes(8),
            "quant": {"scale": [0.1, 0.2], "zero_point": [0, 0], "quantized_dimension": 1},
        },
        (
            "the output's quantization axis 1 is neither 0 nor the last axis (TFLM decodes "
            "channels on those only)"
        ),
    ),
    "prune values cut": (
        {"anc": _PRUNE + b"\x01\x02", "enc": b"\xff"},
        "8 kept int8 values needs 24 bytes, the tensor has 18",
    ),
    "prune mask cut": (
        {"anc": _PRUNE, "enc": b"\x00\x00", "shape": (20,)},
        "the 20-bit keep mask needs 3 bytes, the tensor has 2",
    ),
    "prune zero point": (
        {"anc": _PRUNE, "enc": b"\x00", "dtype": "int16", "quant": {"scale": 0.1, "zero_point": 3}},
        "a pruned non-int8 output needs zero points of 0 (TFLM requires it)",
    ),
    "huffman 16-bit int16": (
        {"anc": _HUFF16 + bytes(8), "dtype": "int16"},
        "Huffman 16-bit tables decode int8 outputs only",
    ),
    "huffman stream cut": (
        {"anc": bytes([1, 1, 0, 0, 1, 0x00]) + bytes(10) + b"\x00\x80\x01\x80", "enc": b"\x00\x00"},
        "the Huffman bit string ends early (2 bytes)",
    ),
    "huffman table past end": (
        {"anc": bytes([1, 1, 0, 0, 1, 0x30]) + bytes(10) + b"\x00\x80", "enc": b"\xff\xff\xff\xff"},
        "a Huffman code reads table entry 15 of 1",
    ),
    "uint8 output": (
        {"anc": _lut_anc(dtype="uint8", table=(1, 2, 3, 4)), "dtype": "uint8"},
        "LUT decoding to uint8 (TFLM decodes bool, float32, int8, int16, int32, int64)",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_ancillary_is_refused(case, tmp_path):
    from lwai.frontend import import_model

    kw, what = HOSTILE[case]
    path = _model(tmp_path, **kw)
    with pytest.raises(LwaiError) as err:
        import_model(path)
    assert err.value.what == f"TFLM_DECODE (operator 0), output 'dec': {what}"


def test_non_constant_input_is_refused(tmp_path):
    from lwai.frontend import import_model

    path = _model(tmp_path, _lut_anc(), runtime_encoded=True)
    with pytest.raises(LwaiError) as err:
        import_model(path)
    assert err.value.what == (
        "TFLM_DECODE (operator 0): its encoded input 'enc' for output 'dec' is not a constant "
        "(TFLM decodes constants only)"
    )


def test_unpaired_inputs_are_refused(tmp_path):
    from lwai.frontend import import_model

    path = _model(tmp_path, _lut_anc(), odd_inputs=True)
    with pytest.raises(LwaiError) as err:
        import_model(path)
    assert err.value.what == (
        "TFLM_DECODE (operator 0) has 3 inputs and 1 outputs; it takes an (encoded, "
        "ancillary) input pair per output"
    )


def test_mutated_ancillary_never_crashes():
    """Random damage to real cases' headers, tables and encoded data: lwai decodes or
    refuses with an LwaiError naming TFLM_DECODE, never a traceback."""
    rng = np.random.default_rng(11)
    cases = _cases()
    refused = 0
    for i in range(300):
        c = cases[int(rng.integers(len(cases)))]
        enc, anc = bytearray(c.encoded), bytearray(c.ancillary)
        target = anc if rng.random() < 0.7 else enc
        how = i % 3
        if how == 0 and target:
            del target[int(rng.integers(len(target))) :]  # truncated
        elif how == 1 and target:
            for _ in range(int(rng.integers(1, 4))):
                target[int(rng.integers(min(len(target), 24)))] = int(rng.integers(256))
        elif target:
            target[int(rng.integers(len(target)))] ^= 1 << int(rng.integers(8))
        mb = ModelBuilder()
        x = mb.add_tensor("x", (1,), "int8")
        e = mb.add_tensor(
            "e", (max(len(enc), 1),), "uint8", data=np.frombuffer(bytes(enc) or b"\0", np.uint8)
        )
        a = mb.add_tensor(
            "a", (max(len(anc), 1),), "uint8", data=np.frombuffer(bytes(anc) or b"\0", np.uint8)
        )
        qq = {}
        if c.scales is not None:
            qq = {"scale": c.scales, "zero_point": c.zero_points, "quantized_dimension": c.axis}
        d = mb.add_tensor("dec", c.values.shape, c.dtype, **qq)
        mb.add_custom_op(dc.NAME, [e, a], [d])
        mb.inputs, mb.outputs = [x], [d]
        try:
            decode_ops.expand("m.tflite", mb.build())
        except LwaiError as err:
            assert err.what.startswith("TFLM_DECODE (operator 0), output 'dec': "), err.what
            refused += 1
    assert 30 < refused < 300


@pytest.mark.parametrize("name", ["hello_world_int8.tflite", "keyword_scrambled_8bit.tflite"])
def test_model_compressed_by_tflm_tool(name, tmp_path, monkeypatch):
    """A published model whose FULLY_CONNECTED / conv weights are binned to 2^bits values and
    compressed by TFLM's own tool (tflite_micro's compression.compress: LUT, per tensor or
    per channel, DECODE ops inserted), on host against tflite-micro."""
    from tflite_micro.tensorflow.lite.micro.compression import compress, spec, spec_builder

    from conftest import random_inputs, shared_model

    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    data = bytearray(shared_model(name).read_bytes())
    model = tflite.Model.GetRootAsModel(bytes(data), 0)
    sg = model.Subgraphs(0)
    rng = np.random.default_rng(3)
    sb = spec_builder.SpecBuilder()
    for o in range(sg.OperatorsLength()):
        op = sg.Operators(o)
        code = model.OperatorCodes(op.OpcodeIndex()).BuiltinCode()
        if code not in (3, 4, 9):  # CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED
            continue
        t = sg.Tensors(int(op.Inputs(1)))
        buf = model.Buffers(t.Buffer())
        start = buf._tab.Vector(buf._tab.Offset(4))
        shape = tuple(int(d) for d in t.ShapeAsNumpy())
        w = np.frombuffer(bytes(data), np.int8, int(np.prod(shape)), start).reshape(shape)
        bits = int(rng.integers(1, 8))
        axis = 3 if code == 4 else 0
        per_channel = t.Quantization() is not None and t.Quantization().ScaleLength() > 1

        def binned(x, bits=bits):
            cent = np.unique(np.quantile(x, np.linspace(0, 1, 1 << bits)).round().astype(np.int8))
            return cent[np.abs(x[..., None].astype(int) - cent.astype(int)).argmin(-1)]

        if per_channel:
            w = np.stack([binned(np.take(w, i, axis)) for i in range(shape[axis])], axis)
        else:
            w = binned(w)
        data[start : start + w.size] = w.astype(np.int8).tobytes()
        mode = spec.PerChannel(axis) if per_channel else spec.PerTensor()
        sb.add_tensor(0, int(op.Inputs(1))).with_lut(bits, mode)
    packed = bytes(compress(bytes(data), sb.build()))
    assert b"TFLM_DECODE" in packed
    m = tflite.Model.GetRootAsModel(packed, 0).Subgraphs(0)
    types = {tflite.TensorType.INT8: "int8", tflite.TensorType.INT16: "int16"}
    specs = [
        {"shape": tuple(m.Tensors(int(i)).ShapeAsNumpy()), "dtype": types[m.Tensors(int(i)).Type()]}
        for i in m.InputsAsNumpy()
    ]
    feeds = random_inputs(specs, 5)
    refs = tflm_outputs(packed, feeds, m.OutputsLength())
    assert all(np.array_equal(a, b) for a, b in zip(refs, tflm_outputs(bytes(data), feeds)))
    path = tmp_path / "compressed.tflite"
    path.write_bytes(packed)
    outs, _ = driver.run_model(path, feeds, tmp_path / "w", "host")
    assert all(np.array_equal(a, b) for a, b in zip(outs, refs))
