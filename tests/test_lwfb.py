"""model.lwfb in Python (lwai.codegen.lwfb): round trips, the official flatc reading our files
against the schema, and the errors a damaged file gives."""

from __future__ import annotations

import json
import random
import shutil
import struct
import subprocess
import zlib

import flatbuffers
import pytest
from lwfb_cases import COMPILED_MODELS, compiled_lwfb, f32_rounded, resealed_mutants, tiny_graph

from conftest import REPO
from lwai.codegen import lwfb
from lwai.codegen.lwfb import from_lwfb, seal, to_lwfb
from lwai.errors import LwaiError

SCHEMA = REPO / "runtime" / "schema" / "lwai.fbs"


def _crc_at(data: bytes) -> int:
    return lwfb._crc_position(data, "test")


# ---- round trips -----------------------------------------------------------------------------


def test_round_trip_tiny():
    g = tiny_graph()
    data = to_lwfb(g)
    assert from_lwfb(data) == f32_rounded(g)
    assert to_lwfb(from_lwfb(data)) == data  # the writer is deterministic


def test_file_layout_tiny():
    data = to_lwfb(tiny_graph())
    assert data[4:8] == b"LWFB"
    assert len(data) % 16 == 0
    crc_at = _crc_at(data)
    stored = struct.unpack_from("<I", data, crc_at)[0]
    assert stored == zlib.crc32(data[:crc_at] + bytes(4) + data[crc_at + 4 :])
    # Every constant's bytes sit 16-aligned in the file.
    r = lwfb._Reader(data, "test")
    model = r.table(r.deref(0), "Model")
    buffers = r.tables(model, lwfb.M_BUFFERS, "Buffer")
    consts = [t["data"] for t in tiny_graph()["tensors"] if "data" in t]
    assert len(buffers) == len(consts)
    for buf, want in zip(buffers, consts):
        at, count = r.vector(buf, lwfb.B_DATA, 1)
        assert at % 16 == 0 and data[at : at + count] == want


def test_round_trip_edge_values():
    g = tiny_graph()
    g["name"] = "ünïcode / name"
    g["arena_bytes"] = 0x7FFFFFFF
    g["tensors"][0]["name"] = ""
    g["tensors"][1]["data"] = b""  # an empty constant still gets its buffer
    g["nodes"][1]["fparams"] = [3.4028235e38, -3.4028235e38, 1e-45, 0.0, 0.1]
    g["nodes"][0]["params"] = [-(2**31), 2**31 - 1, 0, -1, 1]
    data = to_lwfb(g)
    assert len(data) % 16 == 0
    assert from_lwfb(data) == f32_rounded(g)


def test_crc_field_present_when_zero():
    """A checksum of 0 is still written (not dropped as a default value)."""
    g = tiny_graph()
    data = to_lwfb(g)
    # Whatever the value, the field is there: the reader finds it in every file.
    assert _crc_at(data) > 0
    zeroed = bytearray(data)
    zeroed[_crc_at(data) : _crc_at(data) + 4] = bytes(4)
    assert seal(bytes(zeroed)) == data


@pytest.mark.parametrize("model", COMPILED_MODELS)
def test_round_trip_compiled(model):
    path = compiled_lwfb(model)
    data = path.read_bytes()
    g = from_lwfb(data, str(path))
    assert g["version"] == 1 and g["nodes"] and g["inputs"] and g["outputs"]
    assert to_lwfb(g) == data
    assert from_lwfb(to_lwfb(g)) == g
    assert len(data) % 16 == 0


@pytest.mark.parametrize("model", COMPILED_MODELS)
def test_compiled_lwfb_matches_json(model):
    """model.lwfb and model.json of one compile describe the same graph."""
    from lwai.codegen.graph import read_graph

    path = compiled_lwfb(model)
    assert read_graph(path) == read_graph(path.with_name("model.json"))


def test_writer_refuses_inconsistent_graphs():
    g = tiny_graph()
    g["nodes"][0]["kernel"] = "conv2d_s8"
    with pytest.raises(ValueError, match="conv2d_s8"):
        to_lwfb(g)
    g = tiny_graph()
    g["tensors"][0]["data"] = b"\0\0\0\0"
    with pytest.raises(ValueError, match="exactly one"):
        to_lwfb(g)
    g = tiny_graph()
    g["tensors"][0]["dtype"] = "float64"
    with pytest.raises(ValueError, match="float64"):
        to_lwfb(g)


# ---- flatc, the official tool, reads our files against the schema ----------------------------


def _flatc_json(data: bytes, tmp_path) -> dict:
    flatc = shutil.which("flatc")
    if flatc is None:
        pytest.fail("flatc is missing: scripts/setup_system.sh installs flatbuffers-compiler")
    path = tmp_path / "model.lwfb"
    path.write_bytes(data)
    subprocess.run(
        [flatc, "--json", "--strict-json", "--defaults-json", "--raw-binary", "-o",
         str(tmp_path), str(SCHEMA), "--", str(path)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads((tmp_path / "model.json").read_text())


def _close(a: list[float], b: list[float]) -> bool:
    """flatc prints floats with 6 decimals."""
    return len(a) == len(b) and all(abs(x - y) <= 5e-7 + 1e-6 * abs(y) for x, y in zip(a, b))


def _assert_flatc_matches(doc: dict, g: dict) -> None:
    assert doc["version"] == g["version"]
    assert doc["name"] == g["name"]
    assert doc["arena_bytes"] == g["arena_bytes"]
    assert doc["kernels"] == g["kernels"]
    assert doc["inputs"] == g["inputs"] and doc["outputs"] == g["outputs"]
    assert doc["crc32"] == struct.unpack_from("<I", to_lwfb(g), _crc_at(to_lwfb(g)))[0]
    assert len(doc["tensors"]) == len(g["tensors"])
    for t, want in zip(doc["tensors"], g["tensors"]):
        assert t["name"] == want["name"]
        assert t["dtype"] == want["dtype"].upper()
        assert t["shape"] == want["shape"]
        q = want["quantization"]
        if q is None:
            assert "quantization" not in t
        else:
            assert _close(t["quantization"]["scale"], q["scale"])
            assert t["quantization"]["zero_point"] == q["zero_point"]
            assert t["quantization"]["axis"] == q["axis"]
        if "data" in want:
            assert t["arena_offset"] == -1
            assert bytes(doc["buffers"][t["buffer"]]["data"]) == want["data"]
        else:
            assert t["arena_offset"] == want["arena_offset"] and t["buffer"] == -1
    assert len(doc["nodes"]) == len(g["nodes"])
    for n, want in zip(doc["nodes"], g["nodes"]):
        assert doc["kernels"][n["kernel"]] == want["kernel"]
        for key in ("inputs", "outputs", "dims", "params"):
            assert n.get(key, []) == want[key], key
        assert _close(n.get("fparams", []), want["fparams"])


def test_flatc_reads_tiny(tmp_path):
    g = tiny_graph()
    _assert_flatc_matches(_flatc_json(to_lwfb(g), tmp_path), g)


@pytest.mark.parametrize("model", COMPILED_MODELS)
def test_flatc_reads_compiled(model, tmp_path):
    data = compiled_lwfb(model).read_bytes()
    _assert_flatc_matches(_flatc_json(data, tmp_path), from_lwfb(data))


# ---- damaged files ---------------------------------------------------------------------------


def _error(data: bytes) -> str:
    with pytest.raises(LwaiError) as e:
        from_lwfb(data, "bad.lwfb")
    assert e.value.where == "bad.lwfb"
    return e.value.what


def test_truncated_files():
    data = to_lwfb(tiny_graph())
    for n in (0, 3, 8, 15):
        assert "too short" in _error(data[:n])
    for n in list(range(16, len(data), 7)) + [len(data) - 1]:
        assert "truncated or corrupted" in _error(data[:n]), n


def test_bit_flips():
    data = to_lwfb(tiny_graph())
    for bit in range(0, 8 * len(data), 13):
        flipped = bytearray(data)
        flipped[bit // 8] ^= 1 << (bit % 8)
        what = _error(bytes(flipped))
        assert "truncated or corrupted" in what or "not an lwai model file" in what, bit


def test_wrong_identifier():
    data = bytearray(to_lwfb(tiny_graph()))
    data[4:8] = b"TFL3"
    assert "not an lwai model file" in _error(bytes(data))


def test_version_bump():
    g = tiny_graph()
    g["version"] = 2
    assert _error(to_lwfb(g)) == "format version 2; this lwai reads version 1"


def test_missing_checksum():
    b = flatbuffers.Builder(64)
    b.StartObject(10)
    b.PrependUint32Slot(lwfb.M_VERSION, 1, 0)
    b.Prep(16, 0)
    b.Finish(b.EndObject(), file_identifier=b"LWFB")
    assert "no CRC-32" in _error(bytes(b.Output()))


def test_resealed_structural_damage():
    """With a valid checksum the reader's own checks speak."""
    g = tiny_graph()
    g["nodes"][0]["kernel"] = "dequantize_s8_f32"
    data = bytearray(to_lwfb(g))
    # Node.kernel 1 -> 7: out of range of the two kernels.
    off = from_lwfb_node_kernel_offset(bytes(data), 0)
    struct.pack_into("<I", data, off, 7)
    assert "kernel index 7 out of range" in _error(seal(bytes(data)))

    data = bytearray(to_lwfb(tiny_graph()))
    # The root offset pointing past the end.
    struct.pack_into("<I", data, 0, len(data) + 100)
    assert "outside the file" in _error(bytes(data))


def from_lwfb_node_kernel_offset(data: bytes, node: int) -> int:
    """Position of Node.kernel of node `node` (written because it is not the default 0)."""
    r = lwfb._Reader(data, "test")
    model = r.table(r.deref(0), "Model")
    nodes = r.tables(model, lwfb.M_NODES, "Node")
    return nodes[node].Pos + nodes[node].Offset(4 + 2 * lwfb.N_KERNEL)


def test_bad_tensor_references():
    g = tiny_graph()
    data = bytearray(to_lwfb(g))
    r = lwfb._Reader(bytes(data), "test")
    model = r.table(r.deref(0), "Model")
    tensor = r.tables(model, lwfb.M_TENSORS, "Tensor")[1]  # a constant: buffer 0
    struct.pack_into("<i", data, tensor.Pos + tensor.Offset(4 + 2 * lwfb.T_BUFFER), 9)
    assert "buffer 9 of 4" in _error(seal(bytes(data)))


@pytest.mark.parametrize("seed", ["tiny", "hello_world_int8.tflite"])
def test_reader_survives_resealed_damage(seed):
    """Structurally damaged files with a valid checksum: a graph or an LwaiError, never
    another exception."""
    data = to_lwfb(tiny_graph()) if seed == "tiny" else compiled_lwfb(seed).read_bytes()
    outcomes = {"read": 0, "refused": 0}
    for what, m in resealed_mutants(data, 300, random.Random(7)):
        try:
            from_lwfb(m, what)
            outcomes["read"] += 1
        except LwaiError as e:
            assert e.where == what
            outcomes["refused"] += 1
    assert outcomes["read"] and outcomes["refused"], outcomes
