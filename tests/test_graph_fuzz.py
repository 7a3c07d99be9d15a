"""Damaged model files against the graph loaders and executor under ASan + UBSan.

From model.lwfb files (hand-built, and those `lwai compile` writes for three shared models)
this makes hundreds of damaged files and feeds them, in one run, to tests/graph_fuzz/harness.c
built with -fsanitize=address,undefined together with the whole runtime and the reference
kernels. Each file sits in a heap block of exactly its size, so any read past it is a report.

- truncations and bit flips must all be refused as LWAI_ERR_BAD_MODEL (the CRC-32 sees them);
- "resealed" mutations (offsets, lengths, vtables, indices, arena offsets, shapes, params
  changed, then the CRC recomputed) reach the structural checks: they may load and run, or be
  refused, but never trip a sanitizer;
- "targeted" resealed files each defeat one of the loader's own checks were it missing
  (unterminated strings at the end of the file, a vtable past it, shortened vectors, no
  checksum field, ...): all must be refused;
- graphs made inconsistent with the Python writer (out-of-range arena offsets and tensor
  indices, unknown kernels, a version bump, ...) must be refused with the right status.
The JSON loader (runtime/src/loaders/json.c) gets the same treatment for model.json texts.

A second program, tests/graph_fuzz/verifier.c, runs the .lwfb files through the loader alone
with a stub lwai_graph_bind that checks every pointer the loader hands out against the file,
so the executor's later checks cannot hide a gap in the loader's.
"""

from __future__ import annotations

import os
import random
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from lwfb_cases import (
    COMPILED_MODELS,
    compiled_lwfb,
    field_values,
    resealed_mutants,
    structure_positions,
    tiny_graph,
)

from conftest import REPO
from lwai.codegen import lwfb
from lwai.codegen.lwfb import from_lwfb, seal, to_lwfb
from lwai.errors import LwaiError
from lwai.ops import OP_KINDS

OK, ARENA_TOO_SMALL, KERNEL_MISSING, BAD_MODEL, VERSION = 0, -2, -4, -5, -6
# A resealed file may load (and run) or be refused, for any of these reasons.
RESEALED_OK = {OK, ARENA_TOO_SMALL, KERNEL_MISSING, BAD_MODEL, VERSION}

SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g", "-O1"]
FUZZ_DIR = REPO / "tests" / "graph_fuzz"
JSON_LOADER = REPO / "runtime" / "src" / "loaders" / "json.c"
CJSON_HEADER = Path("/usr/include/cjson/cJSON.h")


# ---- the harness -----------------------------------------------------------------------------


def _have_json_loader() -> bool:
    if not JSON_LOADER.is_file():
        return False
    if not CJSON_HEADER.is_file():
        pytest.fail(f"{CJSON_HEADER} is missing: scripts/setup_system.sh installs libcjson-dev")
    return True


def _build(out: Path, name: str, sources: list[Path], defines: list[str], libs: list[str]) -> Path:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.fail("gcc is missing (scripts/setup_system.sh installs it)")
    includes = [
        f"-I{REPO / d}" for d in ("runtime/include", "kernels/include", "runtime/src/graph")
    ]
    exe = out / name
    cmd = [gcc, "-std=c99", "-Wall", "-Wextra", *SANITIZE, *defines, *includes]
    cmd += [*map(str, sources), *libs, "-o", str(exe)]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True)
    assert done.returncode == 0, f"{name} build failed:\n{done.stderr[-4000:]}"
    return exe


def build_harness(out: Path) -> Path:
    """The harness with the runtime (executor, loaders), the registry with every kernel kind
    and the reference kernels, all under ASan + UBSan."""
    sources = sorted((REPO / "runtime" / "src").rglob("*.c"))
    sources += sorted((REPO / "kernels" / "reference").glob("*.c"))
    sources.append(FUZZ_DIR / "harness.c")
    defines = [f"-DLWAI_KERNEL_IN_IMAGE_{k.upper()}=1" for k in OP_KINDS]
    libs = ["-lm"]
    if _have_json_loader():
        defines.append("-DHARNESS_JSON=1")
        libs.insert(0, "-lcjson")
    else:
        sources = [s for s in sources if s != JSON_LOADER]
    return _build(out, "harness", sources, defines, libs)


def build_verifier(out: Path) -> Path:
    """The .lwfb loader alone with the contract-checking stub of lwai_graph_bind."""
    sources = [REPO / "runtime" / "src" / "loaders" / "flatbuffer.c", FUZZ_DIR / "verifier.c"]
    return _build(out, "verifier", sources, [], [])


def run_sanitized(exe: Path, args: list[str], files: list[Path]) -> list[str]:
    """stdout lines of one run over all files; fails on a sanitizer report or exit status."""
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "abort_on_error=0:halt_on_error=1:exitcode=23:detect_leaks=1"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:exitcode=24"
    done = subprocess.run(
        [str(exe), *args, *map(str, files)],
        check=False,
        capture_output=True,
        text=True,
        errors="replace",  # model.detail may be a damaged file's kernel name
        env=env,
        timeout=300,
    )
    lines = done.stdout.splitlines()
    sanitizer = "Sanitizer" in done.stderr or "runtime error" in done.stderr
    if done.returncode != 0 or sanitizer:
        printed = len([x for x in lines if not x.startswith(("api ", "CONTRACT "))])
        crashed = files[printed] if printed < len(files) else "?"
        pytest.fail(f"{exe.name} exit {done.returncode}, on {crashed}:\n{done.stderr[-6000:]}")
    return lines


def run_harness(
    exe: Path, files: list[Path]
) -> tuple[bool, dict[Path, tuple[int, int | None, str]]]:
    """Runs all files in one process: (api checks passed, {file: (load, run, detail)})."""
    lines = run_sanitized(exe, ["--api"], files)
    api_ok = lines[0] == "api ok"
    results = {}
    for line in lines[1:]:
        head, _, detail = line.partition("\t")
        load, run, _needed, path = head.split(" ", 3)
        results[Path(path)] = (int(load), None if run == "-" else int(run), detail)
    assert len(results) == len(files), "the harness skipped files"
    return api_ok, results


# ---- damaged files ---------------------------------------------------------------------------


def random_resealed(data: bytes, rng: random.Random, count: int) -> list[bytes]:
    """Files with 1 to 4 random bytes changed anywhere (strings, padding, data too) and, every
    other one, several structural fields at once; each resealed when the CRC can be found."""
    positions = structure_positions(data)
    out = []
    for i in range(count):
        m = bytearray(data)
        if i % 2 == 0:
            for _ in range(rng.randint(1, 4)):
                m[rng.randrange(len(m))] = rng.randrange(256)
        else:
            for kind, pos, size in rng.sample(positions, 3):
                v = int.from_bytes(data[pos : pos + size], "little")
                x = rng.choice(field_values(kind, v, pos, size, len(data), rng))
                m[pos : pos + size] = (x & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
        try:
            out.append(seal(bytes(m)))
        except LwaiError:
            out.append(bytes(m))
    return out


def targeted_mutants(data: bytes) -> list[tuple[str, bytes]]:
    """Resealed files that each defeat exactly one of the loader's checks, when that check is
    missing, in a way the sanitizers or the verifier stub see: all must be refused."""
    r = lwfb._Reader(data, "seed")
    model = r.table(r.deref(0), "Model")
    out = []

    def patched(pos: int, fmt: str, value: int, tail: bytes = b"") -> bytes:
        m = bytearray(data + tail)
        struct.pack_into(fmt, m, pos, value)
        return seal(bytes(m))

    # A vtable claiming a 64 KiB table whose first field lies past the end of a small file.
    if len(data) < 0xFFF0:
        vtables = set()
        for kind, pos, _size in structure_positions(data):
            if kind == "soffset":
                vtables.add(pos - struct.unpack_from("<i", data, pos)[0])
        for vt in sorted(vtables):
            vsize = struct.unpack_from("<H", data, vt)[0]
            slots = [k for k in range(4, vsize, 2) if struct.unpack_from("<H", data, vt + k)[0]]
            if slots:
                m = bytearray(data)
                struct.pack_into("<HH", m, vt + 2, 0xFFFF, 0)
                struct.pack_into("<H", m, vt + slots[0], 0xFFF0)
                try:
                    out.append((f"table_size@{vt}", seal(bytes(m))))
                except LwaiError:
                    pass  # the root's vtable: the CRC cannot be found, refused anyway
    # Strings without a terminator at the very end of the file.
    unterminated = struct.pack("<I", 4) + b"ABCD"
    name_off = model.Offset(4 + 2 * lwfb.M_NAME)
    if name_off:
        at = model.Pos + name_off
        out.append(("name_unterminated", patched(at, "<I", len(data) - at, unterminated)))
    kernels_at, num_kernels = r.vector(model, lwfb.M_KERNELS, 4)
    if num_kernels:
        out.append(
            (
                "kernel_unterminated",
                patched(kernels_at, "<I", len(data) - kernels_at, unterminated),
            )
        )
    # No checksum field at all (root vtable entry cleared), and a field overlapping the
    # table's own vtable offset.
    root_vt = model.Pos - struct.unpack_from("<i", data, model.Pos)[0]
    m = bytearray(data)
    struct.pack_into("<H", m, root_vt + 4 + 2 * lwfb.M_CRC32, 0)
    out.append(("no_crc", bytes(m)))
    m = bytearray(data)
    struct.pack_into("<H", m, root_vt + 4 + 2 * lwfb.M_VERSION, 2)
    crc_at = lwfb._crc_position(data, "seed")  # unchanged; lwfb.seal would refuse the table
    m[crc_at : crc_at + 4] = bytes(4)
    struct.pack_into("<I", m, crc_at, zlib.crc32(m))
    out.append(("field_in_soffset", bytes(m)))
    # A vtable at the very end of the file, claiming more entries than the file holds.
    tensor0 = r.deref(r.vector(model, lwfb.M_TENSORS, 4)[0])
    out.append(
        ("vtable_at_end", patched(tensor0, "<i", tensor0 - len(data), struct.pack("<HH", 32, 8)))
    )
    # Vectors one item shorter than the indices into them need (the last kernel and buffer
    # are always used).
    for field in (lwfb.M_KERNELS, lwfb.M_BUFFERS):
        first, count = r.vector(model, field, 4)
        if count:
            out.append((f"vector{field}_short", patched(first - 4, "<I", count - 1)))
    # Indices one past the end of the vector they index.
    for i, node in enumerate(r.tables(model, lwfb.M_NODES, "Node")):
        off = node.Offset(4 + 2 * lwfb.N_KERNEL)
        if off:
            out.append((f"node{i}_kernel_past_end", patched(node.Pos + off, "<I", num_kernels)))
            out.append((f"node{i}_kernel_max", patched(node.Pos + off, "<I", 0xFFFFFFFF)))
            break
    _, num_buffers = r.vector(model, lwfb.M_BUFFERS, 4)
    for i, tensor in enumerate(r.tables(model, lwfb.M_TENSORS, "Tensor")):
        off = tensor.Offset(4 + 2 * lwfb.T_BUFFER)
        if off:
            at = tensor.Pos + off
            out.append((f"tensor{i}_buffer_past_end", patched(at, "<i", num_buffers)))
            out.append((f"tensor{i}_buffer_max", patched(at, "<i", 0x7FFFFFFF)))
            out.append((f"tensor{i}_buffer_minus2", patched(at, "<i", -2)))
            break
    return out


def shortened_vectors(data: bytes) -> list[tuple[str, bytes]]:
    """The root's tensors and nodes vectors one item shorter: may load (a node dropped) or be
    refused, and the loader must then refuse the item past the new end."""
    r = lwfb._Reader(data, "seed")
    model = r.table(r.deref(0), "Model")
    out = []
    for field in (lwfb.M_TENSORS, lwfb.M_NODES):
        first, count = r.vector(model, field, 4)
        m = bytearray(data)
        struct.pack_into("<I", m, first - 4, count - 1)
        out.append((f"vector{field}_short", seal(bytes(m))))
    return out


def truncations(data: bytes, rng: random.Random, count: int) -> list[bytes]:
    n = len(data)
    lengths = set(range(min(n, 40))) | {n - 1, n - 4, n - 15, n - 16, n - 17, n // 2}
    lengths |= {rng.randrange(n) for _ in range(count)}
    return [data[:k] for k in sorted(lengths) if 0 <= k < n]


def bit_flips(data: bytes, rng: random.Random, count: int) -> list[bytes]:
    out = []
    for i in range(count):
        m = bytearray(data)
        for _ in range(1 if i % 2 == 0 else rng.randint(2, 8)):
            bit = rng.randrange(8 * len(m))
            m[bit // 8] ^= 1 << (bit % 8)
        out.append(bytes(m))
    return out


def _activation(g: dict) -> int:
    """Index of the first graph input (an activation)."""
    return g["inputs"][0]


def _constant(g: dict) -> int:
    return next(i for i, t in enumerate(g["tensors"]) if "data" in t)


def writer_mutations(g: dict):
    """(name, mutated graph, expected load status, JSON keeps the change) per inconsistency
    the executor or loader must refuse."""
    import copy

    def mutated(fn):
        m = copy.deepcopy(g)
        fn(m)
        return m

    a = _activation(g)
    sizes = {"int8": 1, "uint8": 1, "int16": 2, "int32": 4, "float32": 4}
    a_bytes = sizes[g["tensors"][a]["dtype"]] * int(np.prod(g["tensors"][a]["shape"]))
    c = _constant(g)
    n_tensors = len(g["tensors"])
    big = 0x7FFFFFFF

    def set_tensor(i, **kv):
        return lambda m: m["tensors"][i].update(kv)

    def set_node(j, key, value):
        return lambda m: m["nodes"][j].__setitem__(key, value)

    first = g["nodes"][0]
    cases = [
        ("arena_offset_at_end", set_tensor(a, arena_offset=g["arena_bytes"]), BAD_MODEL, True),
        ("arena_offset_straddles", set_tensor(a, arena_offset=g["arena_bytes"] - a_bytes + 1), BAD_MODEL, True),
        ("arena_offset_huge", set_tensor(a, arena_offset=big), BAD_MODEL, True),
        ("arena_offset_minus2", set_tensor(a, arena_offset=-2), BAD_MODEL, True),
        ("input_index_past_end", set_node(0, "inputs", [n_tensors] + first["inputs"][1:]), BAD_MODEL, True),
        ("input_index_minus2", set_node(0, "inputs", [-2] + first["inputs"][1:]), BAD_MODEL, True),
        ("output_index_huge", set_node(0, "outputs", [big]), BAD_MODEL, True),
        ("output_into_constant", set_node(0, "outputs", [c]), BAD_MODEL, True),
        ("too_many_operands", set_node(0, "inputs", first["inputs"] * 4), BAD_MODEL, True),
        ("graph_input_past_end", lambda m: m.__setitem__("inputs", [n_tensors]), BAD_MODEL, True),
        ("graph_input_minus1", lambda m: m.__setitem__("inputs", [-1]), BAD_MODEL, True),
        ("graph_output_constant", lambda m: m.__setitem__("outputs", [c]), BAD_MODEL, True),
        ("no_graph_inputs", lambda m: m.__setitem__("inputs", []), BAD_MODEL, True),
        ("shape_7_dims", set_tensor(a, shape=[1] * 7), BAD_MODEL, True),
        ("shape_zero_dim", set_tensor(a, shape=[1, 0]), BAD_MODEL, True),
        ("shape_negative", set_tensor(a, shape=[-1, 4]), BAD_MODEL, True),
        ("shape_overflow", set_tensor(a, shape=[65536, 65536, 65536]), BAD_MODEL, True),
        ("constant_short", set_tensor(c, data=g["tensors"][c]["data"][:-1]), BAD_MODEL, True),
        ("dtype_mismatch", set_tensor(a, dtype="int16"), BAD_MODEL, True),
        ("dims_mismatch", set_node(0, "dims", [7] + first["dims"][1:]), BAD_MODEL, True),
        ("dims_missing", set_node(0, "dims", []), BAD_MODEL, False),
        ("params_extra", set_node(0, "params", first["params"] + [0]), BAD_MODEL, False),
        ("unknown_kernel", lambda m: m["kernels"].append("conv9d_s8") or m["nodes"][0].update(kernel="conv9d_s8"), KERNEL_MISSING, False),
        ("missing_tvm_kernel", lambda m: m["kernels"].append("tvm:absent") or m["nodes"][0].update(kernel="tvm:absent", dims=[], params=[-1, 0], fparams=[]), KERNEL_MISSING, True),
        ("version_2", lambda m: m.__setitem__("version", 2), VERSION, True),
        ("arena_bytes_2g", lambda m: m.__setitem__("arena_bytes", 0x80000000), BAD_MODEL, False),
        ("arena_bytes_huge", lambda m: m.__setitem__("arena_bytes", big), ARENA_TOO_SMALL, True),
    ]  # fmt: skip
    for name, fn, expected, in_json in cases:
        yield name, mutated(fn), expected, in_json


# ---- the tests -------------------------------------------------------------------------------


def _seeds() -> dict[str, bytes]:
    seeds = {"tiny": to_lwfb(tiny_graph())}
    for model in COMPILED_MODELS:
        seeds[model.split(".")[0]] = compiled_lwfb(model).read_bytes()
    return seeds


# Files per seed: resealed mutants, random truncations, bit flips (person_detect is 270 KB).
BUDGET = {"person_detect": (60, 20, 20)}
DEFAULT_BUDGET = (220, 40, 60)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory) -> dict[Path, tuple[str, object]]:
    """The damaged files: {file: (category, expected load status or set of statuses)}."""
    rng = random.Random(20261124)
    files_dir = tmp_path_factory.mktemp("damaged")
    expect: dict[Path, tuple[str, object]] = {}

    def add(name: str, data: bytes | str, category: str, expected) -> None:
        path = files_dir / name
        if isinstance(data, str):
            path.write_text(data)
        else:
            path.write_bytes(data)
        expect[path] = (category, expected)

    json_loader = _have_json_loader()
    if json_loader:
        from lwai.codegen.graph import to_json
    for seed, data in _seeds().items():
        graph = from_lwfb(data)
        resealed, truncated, flipped = BUDGET.get(seed, DEFAULT_BUDGET)
        add(f"{seed}.lwfb", data, "baseline", OK)
        for i, m in enumerate(truncations(data, rng, truncated)):
            add(f"{seed}.trunc{i}.lwfb", m, "truncated", BAD_MODEL)
        for i, m in enumerate(bit_flips(data, rng, flipped)):
            add(f"{seed}.flip{i}.lwfb", m, "bit flip", BAD_MODEL)
        for i, (what, m) in enumerate(resealed_mutants(data, resealed, rng)):
            add(f"{seed}.reseal{i}.{what}.lwfb", m, "resealed", RESEALED_OK)
        for i, m in enumerate(random_resealed(data, rng, flipped)):
            add(f"{seed}.random{i}.lwfb", m, "resealed random", RESEALED_OK)
        for name, m in shortened_vectors(data):
            add(f"{seed}.{name}.lwfb", m, "resealed", RESEALED_OK)
        for name, m in targeted_mutants(data):
            add(f"{seed}.{name}.lwfb", m, "targeted", BAD_MODEL)
        for name, g, expected, in_json in writer_mutations(graph):
            add(f"{seed}.{name}.lwfb", to_lwfb(g), "writer", expected)
            if json_loader and in_json:
                add(f"{seed}.{name}.json", to_json(g), "writer", expected)
        if json_loader:
            text = to_json(graph)
            add(f"{seed}.json", text, "baseline", OK)
            for i, k in enumerate(sorted({rng.randrange(len(text)) for _ in range(20)})):
                add(f"{seed}.trunc{i}.json", text[:k], "truncated", BAD_MODEL)
            raw = text.encode()
            for i in range(30):
                m = bytearray(raw)
                m[rng.randrange(len(m))] = rng.choice(b'0123456789-.,:[]{}"e ')
                add(f"{seed}.mangled{i}.json", bytes(m), "mangled json", RESEALED_OK)
    assert len(expect) >= 500, len(expect)
    return expect


def test_damaged_models_under_sanitizers(damaged, tmp_path):
    """Every file through the real loaders and executor (and a run when it loads)."""
    exe = build_harness(tmp_path)
    files = list(damaged)
    api_ok, results = run_harness(exe, files)
    assert api_ok, "argument checks failed (see harness --api)"

    failures = []
    counts: dict[str, dict[int, int]] = {}
    for path, (category, expected) in damaged.items():
        load, run, detail = results[path]
        counts.setdefault(category, {}).setdefault(load, 0)
        counts[category][load] += 1
        good = load in expected if isinstance(expected, set) else load == expected
        if category == "baseline":
            good = good and run == OK
        if category == "resealed" and "unsealable" not in path.name:
            good = good and detail != "lwfb: checksum"  # resealing must reach the structure
        if not good:
            failures.append(f"{path.name}: {category}, load {load} run {run} ({detail})")
    assert not failures, f"{len(failures)} of {len(files)} files:\n" + "\n".join(failures[:40])
    # The resealed files must exercise both outcomes: refused by a check, and loaded.
    assert counts["resealed"].get(BAD_MODEL, 0) > 0 and counts["resealed"].get(OK, 0) > 0, counts


def test_lwfb_verifier_contract(damaged, tmp_path):
    """The .lwfb files through the loader alone: what it hands out stays inside the file,
    aligned and terminated, whatever the executor would have checked after it."""
    exe = build_verifier(tmp_path)
    files = [p for p in damaged if p.suffix == ".lwfb"]
    lines = run_sanitized(exe, [], files)
    contract = [x for x in lines if x.startswith("CONTRACT ")]
    assert not contract, "\n".join(contract[:40])
    statuses = {Path(x.split(" ", 1)[1]): int(x.split(" ", 1)[0]) for x in lines}
    assert len(statuses) == len(files)
    failures = []
    for path in files:
        category = damaged[path][0]
        refused = ("truncated", "bit flip", "targeted")
        allowed = {BAD_MODEL} if category in refused else {OK, BAD_MODEL, VERSION}
        if category == "baseline":
            allowed = {OK}
        if path.name.endswith(".version_2.lwfb"):
            allowed = {VERSION}
        if statuses[path] not in allowed:
            failures.append(f"{path.name}: {category}, {statuses[path]}")
    assert not failures, "\n".join(failures[:40])
