"""The JSON model loader (runtime/src/loaders/json.c) in C, under ASan + UBSan with leak checks.

tests/graph_json/harness.c is built with the whole runtime, the reference kernels (every
kernel kind in the registry) and cJSON, and fed:

- a hand-written model.json (fully_connected_f32, quantize_f32_s8, reshape), whose outputs
  are checked, and the same model broken in one way per case: each must be refused with the
  right status and a detail naming what is wrong (LWAI_ERR_KERNEL_MISSING naming the kernel,
  LWAI_ERR_VERSION for version 2, LWAI_ERR_BAD_MODEL otherwise);
- a hand-written TVM node, served by a fake function the harness registers;
- model.json files `lwai compile` writes, which must give the outputs of their model.lwfb;
- hundreds of damaged copies (truncations, byte changes, cut and repeated ranges, numbers
  swapped for extreme values): any status is fine, a sanitizer report or a leak is not.

Texts sit in heap blocks of exactly their size with no NUL, so a read past the end is a
report. When scripts/fetch_cjson.sh has run, the damaged files also go to a harness with
cJSON compiled from source under the sanitizers (the system libcjson is not instrumented).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import REPO, shared_model
from lwai.ops import OP_KINDS

OK, KERNEL_MISSING, BAD_MODEL, VERSION = 0, -4, -5, -6
SANITIZE = [
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=all",
    "-fno-omit-frame-pointer",
    "-g",
    "-O1",
]
SAN_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:halt_on_error=1:abort_on_error=0",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
}
HARNESS = REPO / "tests" / "graph_json" / "harness.c"
CJSON_SOURCE = REPO / "build" / "third_party" / "cJSON-1.7.19"
COMPILED = ("hello_world_int8", "micro_speech_quantized", "person_detect", "simple_add_model")


# ---- the harness -----------------------------------------------------------------------------


def build_harness(out: Path, cjson_tree: Path | None = None) -> Path:
    """The harness with every runtime/src file, the reference kernels and cJSON (the system
    library, or `cjson_tree`'s cJSON.c compiled in), all under the sanitizers."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.fail("gcc is missing (scripts/setup_system.sh installs it)")
    if cjson_tree is None and not Path("/usr/include/cjson/cJSON.h").is_file():
        pytest.fail("cjson/cJSON.h is missing (scripts/setup_system.sh installs libcjson-dev)")
    sources = sorted((REPO / "runtime" / "src").rglob("*.c"))
    sources += sorted((REPO / "kernels" / "reference").glob("*.c"))
    sources.append(HARNESS)
    flags = ["-std=c99", "-Wall", "-Wextra", *SANITIZE]
    flags += [f"-DLWAI_KERNEL_IN_IMAGE_{k.upper()}=1" for k in OP_KINDS]
    flags += [f"-I{REPO / d}" for d in ("runtime/include", "kernels/include", "runtime/src/graph")]
    libs = ["-lcjson", "-lm"]
    if cjson_tree is not None:
        flags += ["-DLWAI_CJSON_FROM_SOURCE", f"-I{cjson_tree}"]
        sources.append(cjson_tree / "cJSON.c")
        libs = ["-lm"]
    exe = out / ("harness_cjson_src" if cjson_tree else "harness")
    cmd = [gcc, *flags, *map(str, sources), *libs, "-o", str(exe)]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True)
    assert done.returncode == 0, f"harness build failed:\n{done.stderr[-4000:]}"
    return exe


@pytest.fixture(scope="module")
def harness(tmp_path_factory) -> Path:
    return build_harness(tmp_path_factory.mktemp("graph_json"))


def run(exe: Path, *args: str | Path) -> str:
    """Runs the harness; fails on any sanitizer report, leak or failed harness check."""
    done = subprocess.run(
        [str(exe), *map(str, args)],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, **SAN_ENV},
    )
    report = done.stderr
    assert "Sanitizer" not in report and "runtime error" not in report, report[-6000:]
    assert done.returncode == 0, f"harness exit {done.returncode}\n{done.stdout}\n{report}"
    assert "FAIL" not in done.stdout, done.stdout
    return done.stdout


def check(exe: Path, files: list[Path]) -> list[tuple[int, str, str]]:
    """(load status, "<run status> <outputs hash>" or "-", detail) per file."""
    rows = []
    for line in run(exe, "check", *files).splitlines():
        fields, detail = line.split("\t", 1)
        load, run_status, _needed, digest = fields.split(" ")
        rows.append((int(load), f"{run_status} {digest}" if run_status != "-" else "-", detail))
    assert len(rows) == len(files)
    return rows


# ---- the hand-written model --------------------------------------------------------------

W = np.array([[1, 2, 3, 4], [-1, 0.5, 0, 2]], np.float32)
B = np.array([0.25, -1], np.float32)
FLT_MAX = 3.4028235e38


def b64(a: np.ndarray) -> str:
    return base64.b64encode(a.astype(a.dtype.newbyteorder("<")).tobytes()).decode("ascii")


def tiny_doc() -> dict[str, Any]:
    """x (float32 [1, 4]) -> fully_connected_f32 -> quantize_f32_s8 -> reshape -> z (int8 [2])."""
    q = {"scale": [0.5], "zero_point": [3], "axis": -1}
    dims2 = [[1, 1, 1, 2], [1, 1, 1, 2]]
    return {
        "format": "lwai-graph",
        "version": 1,
        "name": "tiny",
        "arena_bytes": 64,
        "kernels": ["fully_connected_f32", "quantize_f32_s8", "reshape"],
        "tensors": [
            {"name": "x", "dtype": "float32", "shape": [1, 4], "arena_offset": 0},
            {"name": "w", "dtype": "float32", "shape": [2, 4], "data": b64(W)},
            {"name": "b", "dtype": "float32", "shape": [2], "data": b64(B)},
            {"name": "y", "dtype": "float32", "shape": [1, 2], "arena_offset": 16},
            {"name": "yq", "dtype": "int8", "shape": [1, 2], "quantization": q, "arena_offset": 32},
            {"name": "z", "dtype": "int8", "shape": [2], "quantization": q, "arena_offset": 48},
        ],
        "nodes": [
            {
                "kernel": "fully_connected_f32",
                "inputs": [0, 1, 2],
                "outputs": [3],
                "dims": [[1, 1, 1, 4], [2, 1, 1, 4], [1, 1, 1, 2], [1, 1, 1, 2]],
                "params": {},
                "fparams": {"act_min_f": -FLT_MAX, "act_max_f": FLT_MAX},
            },
            {
                "kernel": "quantize_f32_s8",
                "inputs": [3],
                "outputs": [4],
                "dims": dims2,
                "params": {"zero_point": 3},
                "fparams": {"scale": 0.5},
            },
            {
                "kernel": "reshape",
                "inputs": [4],
                "outputs": [5],
                "dims": dims2,
                "params": {"bytes": 2},
            },
        ],
        "inputs": [0],
        "outputs": [5],
    }


def tvm_doc() -> dict[str, Any]:
    """One TVM node: the harness's fake "lwai_test_copy4" copies 4 bytes, with a workspace."""
    return {
        "format": "lwai-graph",
        "version": 1,
        "name": "tvm_copy",
        "arena_bytes": 64,
        "kernels": ["tvm:lwai_test_copy4"],
        "tensors": [
            {"name": "a", "dtype": "int32", "shape": [1], "arena_offset": 0},
            {"name": "b", "dtype": "int32", "shape": [1], "arena_offset": 16},
        ],
        "nodes": [
            {"kernel": "tvm:lwai_test_copy4", "inputs": [0], "outputs": [1], "params": [32, 32]}
        ],
        "inputs": [0],
        "outputs": [1],
    }


def tiny_expected(x: np.ndarray) -> np.ndarray:
    y = W @ x + B
    return np.clip(np.round(y / 0.5) + 3, -128, 127).astype(np.int8)


def output_bytes(stdout: str) -> list[bytes]:
    lines = stdout.splitlines()
    assert lines[0] == "run 0", stdout
    return [bytes(int(v, 16) for v in ln.split()[2:]) for ln in lines[1:]]


def test_hand_written_model_runs(harness, tmp_path):
    (tmp_path / "tiny.json").write_text(json.dumps(tiny_doc(), indent=1))
    x = np.array([1, -2, 0.5, 3], np.float32)
    x.tofile(tmp_path / "x.bin")
    out = output_bytes(run(harness, "run", tmp_path / "tiny.json", tmp_path / "x.bin"))
    assert out == [tiny_expected(x).tobytes()]


def test_tvm_node_runs_through_the_registry(harness, tmp_path):
    (tmp_path / "tvm.json").write_text(json.dumps(tvm_doc()))
    np.array([-123456789], np.int32).tofile(tmp_path / "a.bin")
    out = output_bytes(run(harness, "run", tmp_path / "tvm.json", tmp_path / "a.bin"))
    assert out == [np.array([-123456789], np.int32).tobytes()]


def test_api_argument_checks_and_release(harness):
    assert run(harness, "api").strip() == "api ok"


# ---- one thing wrong at a time ---------------------------------------------------------------

Edit = Callable[[dict[str, Any]], Any]


def _set(path: str, value: Any) -> Edit:
    """An edit setting doc[path] (dotted, with list indices) to value; value DELETE removes it."""

    def edit(doc: dict[str, Any]) -> None:
        keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split(".")]
        obj: Any = doc
        for k in keys[:-1]:
            obj = obj[k]
        if value is DELETE:
            del obj[keys[-1]]
        else:
            obj[keys[-1]] = value

    return edit


DELETE = object()
TEXT = json.dumps(tiny_doc())
W64 = b64(W)  # 32 bytes: 44 characters, ending in one "="
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _noncanonical(text: str) -> str:
    """The same bytes with a stray bit set where the last group's padding bits are."""
    return text[:-2] + ALPHABET[ALPHABET.index(text[-2]) | 1] + "="


def _unknown_kernel(doc: dict[str, Any]) -> None:
    doc["kernels"].append("gelu_s8")
    doc["nodes"][2]["kernel"] = "gelu_s8"


def _missing_tvm(doc: dict[str, Any]) -> None:
    doc["kernels"].append("tvm:lwai_no_such_function")
    doc["nodes"][2] = {
        "kernel": "tvm:lwai_no_such_function",
        "inputs": [4],
        "outputs": [5],
        "params": [-1, 0],
    }


def _tvm_params_object(doc: dict[str, Any]) -> None:
    _missing_tvm(doc)
    doc["nodes"][2]["params"] = {"workspace_offset": -1, "workspace_bytes": 0}


# (case, edit of the doc or a text, status, detail must contain)
CASES: list[tuple[str, Any, int, str]] = [
    ("valid", None, OK, "-"),
    ("trailing_whitespace_and_nul", TEXT + " \n\t\0", OK, "-"),
    ("quantization_null", _set("tensors.4.quantization", None), OK, "-"),
    ("quantization_axis_absent", _set("tensors.4.quantization.axis", DELETE), OK, "-"),
    ("fparams_empty_for_reshape", _set("nodes.2.fparams", {}), OK, "-"),
    ("not_json", "model", BAD_MODEL, "not valid JSON"),
    ("empty_object", "{}", BAD_MODEL, "format"),
    ("array_at_top", "[1, 2]", BAD_MODEL, "not a JSON object"),
    ("truncated", TEXT[: len(TEXT) // 2], BAD_MODEL, "not valid JSON"),
    ("truncated_last_brace", TEXT[:-1], BAD_MODEL, "not valid JSON"),
    ("text_after_the_object", TEXT + " {}", BAD_MODEL, "not valid JSON"),
    ("format_other", _set("format", "lwai-grap"), BAD_MODEL, "format"),
    ("format_missing", _set("format", DELETE), BAD_MODEL, "format"),
    ("version_2", _set("version", 2), VERSION, "version"),
    ("version_0", _set("version", 0), VERSION, "version"),
    ("version_string", _set("version", "1"), BAD_MODEL, "version"),
    ("version_fraction", _set("version", 1.5), BAD_MODEL, "version"),
    (
        "version_twice",
        TEXT.replace('"version": 1', '"version": 1, "version": 1'),
        BAD_MODEL,
        "version",
    ),
    ("version_missing", _set("version", DELETE), BAD_MODEL, "version"),
    ("name_missing", _set("name", DELETE), BAD_MODEL, "name"),
    ("name_number", _set("name", 7), BAD_MODEL, "name"),
    ("arena_bytes_negative", _set("arena_bytes", -1), BAD_MODEL, "arena_bytes"),
    ("arena_bytes_2_pow_31", _set("arena_bytes", 2**31), BAD_MODEL, "arena_bytes"),
    ("arena_bytes_fraction", _set("arena_bytes", 64.5), BAD_MODEL, "arena_bytes"),
    ("arena_bytes_string", _set("arena_bytes", "64"), BAD_MODEL, "arena_bytes"),
    (
        "arena_bytes_1e400",
        TEXT.replace('"arena_bytes": 64', '"arena_bytes": 1e400'),
        BAD_MODEL,
        "arena_bytes",
    ),
    ("kernels_missing", _set("kernels", DELETE), BAD_MODEL, "kernels"),
    ("kernels_not_names", _set("kernels.1", 5), BAD_MODEL, "kernels"),
    ("tensors_object", _set("tensors", {}), BAD_MODEL, "tensors"),
    ("tensor_number", _set("tensors.3", 5), BAD_MODEL, "tensors[3]"),
    ("tensor_name_missing", _set("tensors.0.name", DELETE), BAD_MODEL, "tensors[0].name"),
    ("dtype_float64", _set("tensors.0.dtype", "float64"), BAD_MODEL, "tensors[0].dtype"),
    ("dtype_missing", _set("tensors.0.dtype", DELETE), BAD_MODEL, "tensors[0].dtype"),
    ("shape_empty", _set("tensors.0.shape", []), BAD_MODEL, "tensors[0].shape"),
    ("shape_7_dims", _set("tensors.0.shape", [1] * 7), BAD_MODEL, "tensors[0].shape"),
    ("shape_zero", _set("tensors.0.shape", [0, 4]), BAD_MODEL, "tensors[0].shape"),
    ("shape_fraction", _set("tensors.0.shape", [1, 4.5]), BAD_MODEL, "tensors[0].shape"),
    ("shape_2_pow_31", _set("tensors.0.shape", [2**31]), BAD_MODEL, "tensors[0].shape"),
    ("shape_over_2_GiB", _set("tensors.0.shape", [65536, 65536]), BAD_MODEL, "tensors[0].shape"),
    ("shape_string", _set("tensors.0.shape", "1, 4"), BAD_MODEL, "tensors[0].shape"),
    ("offset_and_data", _set("tensors.0.data", W64[:24]), BAD_MODEL, "arena_offset and data"),
    (
        "neither_offset_nor_data",
        _set("tensors.0.arena_offset", DELETE),
        BAD_MODEL,
        "arena_offset and data",
    ),
    ("offset_negative", _set("tensors.0.arena_offset", -1), BAD_MODEL, "tensors[0].arena_offset"),
    ("offset_fraction", _set("tensors.0.arena_offset", 0.5), BAD_MODEL, "tensors[0].arena_offset"),
    ("offset_null", _set("tensors.0.arena_offset", None), BAD_MODEL, "tensors[0].arena_offset"),
    ("data_bad_character", _set("tensors.1.data", "*" + W64[1:]), BAD_MODEL, "tensors[1].data"),
    (
        "data_url_alphabet",
        _set("tensors.1.data", W64[:5] + "-" + W64[6:]),
        BAD_MODEL,
        "tensors[1].data",
    ),
    ("data_no_padding", _set("tensors.1.data", W64[:-1]), BAD_MODEL, "tensors[1].data"),
    ("data_extra_padding", _set("tensors.1.data", W64 + "===="), BAD_MODEL, "tensors[1].data"),
    (
        "data_padding_inside",
        _set("tensors.1.data", W64[:3] + "=" + W64[4:]),
        BAD_MODEL,
        "tensors[1].data",
    ),
    ("data_short", _set("tensors.1.data", b64(W.ravel()[:7])), BAD_MODEL, "tensors[1].data"),
    (
        "data_long",
        _set("tensors.1.data", b64(np.zeros(9, np.float32))),
        BAD_MODEL,
        "tensors[1].data",
    ),
    (
        "data_newline",
        _set("tensors.1.data", W64[:20] + "\n" + W64[20:]),
        BAD_MODEL,
        "tensors[1].data",
    ),
    ("data_stray_bits", _set("tensors.1.data", _noncanonical(W64)), BAD_MODEL, "tensors[1].data"),
    ("data_empty", _set("tensors.1.data", ""), BAD_MODEL, "tensors[1].data"),
    ("data_number", _set("tensors.1.data", 5), BAD_MODEL, "tensors[1].data"),
    (
        "quantization_number",
        _set("tensors.4.quantization", 5),
        BAD_MODEL,
        "tensors[4].quantization",
    ),
    (
        "quantization_counts_differ",
        _set("tensors.4.quantization.zero_point", [3, 3]),
        BAD_MODEL,
        "quantization",
    ),
    (
        "quantization_axis_past_dims",
        _set("tensors.4.quantization.axis", 2),
        BAD_MODEL,
        "quantization.axis",
    ),
    ("quantization_scale_1e39", _set("tensors.4.quantization.scale", [1e39]), BAD_MODEL, "scale"),
    (
        "quantization_zero_point_fraction",
        _set("tensors.4.quantization.zero_point", [0.5]),
        BAD_MODEL,
        "zero_point",
    ),
    (
        "quantization_scale_missing",
        _set("tensors.4.quantization.scale", DELETE),
        BAD_MODEL,
        "quantization",
    ),
    ("nodes_object", _set("nodes", {}), BAD_MODEL, "nodes"),
    ("node_kernel_not_in_kernels", _set("nodes.0.kernel", "add_f32"), BAD_MODEL, "nodes[0].kernel"),
    ("node_kernel_number", _set("nodes.0.kernel", 3), BAD_MODEL, "nodes[0].kernel"),
    ("node_inputs_missing", _set("nodes.0.inputs", DELETE), BAD_MODEL, "nodes[0].inputs"),
    ("node_input_past_tensors", _set("nodes.0.inputs", [0, 1, 6]), BAD_MODEL, "nodes[0].inputs"),
    ("node_input_minus_2", _set("nodes.0.inputs", [0, 1, -2]), BAD_MODEL, "nodes[0].inputs"),
    ("node_input_fraction", _set("nodes.0.inputs", [0, 1, 2.5]), BAD_MODEL, "nodes[0].inputs"),
    ("node_outputs_empty", _set("nodes.0.outputs", []), BAD_MODEL, "nodes[0].outputs"),
    ("node_output_minus_1", _set("nodes.0.outputs", [-1]), BAD_MODEL, "nodes[0].outputs"),
    ("node_17_operands", _set("nodes.0.inputs", [0] * 16), BAD_MODEL, "operands"),
    ("dims_of_three", _set("nodes.1.dims", [[1, 1, 2], [1, 1, 1, 2]]), BAD_MODEL, "nodes[1].dims"),
    (
        "dims_fraction",
        _set("nodes.1.dims", [[1, 1, 1, 2.5], [1, 1, 1, 2]]),
        BAD_MODEL,
        "nodes[1].dims",
    ),
    ("dims_flat", _set("nodes.1.dims", [1, 1, 1, 2, 1, 1, 1, 2]), BAD_MODEL, "nodes[1].dims"),
    (
        "dims_disagree_with_tensor",
        _set("nodes.1.dims", [[1, 1, 1, 3], [1, 1, 1, 3]]),
        BAD_MODEL,
        "node",
    ),
    ("params_missing_key", _set("nodes.1.params", {}), BAD_MODEL, "nodes[1].params"),
    ("params_missing", _set("nodes.1.params", DELETE), BAD_MODEL, "nodes[1].params"),
    (
        "params_extra_key",
        _set("nodes.2.params", {"bytes": 2, "more": 1}),
        BAD_MODEL,
        "nodes[2].params",
    ),
    ("params_misspelt_key", _set("nodes.2.params", {"byte": 2}), BAD_MODEL, "nodes[2].params"),
    (
        "params_key_twice",
        TEXT.replace('{"bytes": 2}', '{"bytes": 2, "bytes": 2}'),
        BAD_MODEL,
        "nodes[2].params",
    ),
    ("params_fraction", _set("nodes.2.params.bytes", 2.5), BAD_MODEL, "nodes[2].params"),
    ("params_2_pow_31", _set("nodes.2.params.bytes", 2**31), BAD_MODEL, "nodes[2].params"),
    ("params_list", _set("nodes.2.params", [2]), BAD_MODEL, "nodes[2].params"),
    ("params_value_wrong", _set("nodes.2.params.bytes", 3), BAD_MODEL, "node"),
    ("fparams_missing", _set("nodes.0.fparams", DELETE), BAD_MODEL, "nodes[0].fparams"),
    ("fparams_1e39", _set("nodes.0.fparams.act_max_f", 1e39), BAD_MODEL, "nodes[0].fparams"),
    ("fparams_string", _set("nodes.1.fparams.scale", "0.5"), BAD_MODEL, "nodes[1].fparams"),
    (
        "fparams_int_key_in_floats",
        _set("nodes.1.fparams", {"zero_point": 0.5}),
        BAD_MODEL,
        "nodes[1].fparams",
    ),
    ("fparams_for_reshape", _set("nodes.2.fparams", {"x": 1.0}), BAD_MODEL, "nodes[2].fparams"),
    ("unknown_kernel", _unknown_kernel, KERNEL_MISSING, "gelu_s8"),
    ("missing_tvm_function", _missing_tvm, KERNEL_MISSING, "tvm:lwai_no_such_function"),
    ("tvm_params_object", _tvm_params_object, BAD_MODEL, "workspace_offset"),
    ("inputs_empty", _set("inputs", []), BAD_MODEL, "inputs"),
    ("inputs_17", _set("inputs", [0] * 17), BAD_MODEL, "inputs"),
    ("input_past_tensors", _set("inputs", [6]), BAD_MODEL, "inputs"),
    ("input_is_constant", _set("inputs", [1]), BAD_MODEL, "graph inputs/outputs"),
    ("outputs_missing", _set("outputs", DELETE), BAD_MODEL, "outputs"),
]


@pytest.fixture(scope="module")
def case_results(harness, tmp_path_factory) -> dict[str, tuple[int, str, str]]:
    """Every case checked in one harness run."""
    d = tmp_path_factory.mktemp("json_cases")
    files = []
    for name, edit, _, _ in CASES:
        if isinstance(edit, str):
            text = edit
        else:
            doc = tiny_doc()
            if edit is not None:
                edit(doc)
            text = json.dumps(doc)
        path = d / f"{name}.json"
        path.write_text(text)
        files.append(path)
    return dict(zip((c[0] for c in CASES), check(harness, files)))


@pytest.mark.parametrize("name, status, detail", [(c[0], c[2], c[3]) for c in CASES])
def test_case(case_results, name, status, detail):
    load, ran, got_detail = case_results[name]
    assert (load, detail in got_detail) == (status, True), (load, got_detail)
    if status == OK:
        assert ran.startswith("0 ")


def test_every_case_has_its_own_name():
    assert len({c[0] for c in CASES}) == len(CASES)


# ---- compiled models ---------------------------------------------------------------------


@pytest.mark.parametrize("model", COMPILED)
def test_compiled_model_json_matches_lwfb(harness, model):
    from lwai.driver import compile_cached

    out, _, _ = compile_cached(shared_model(f"{model}.tflite"), "host")
    gen = out / "gen"
    (j_load, j_run, _), (f_load, f_run, _) = check(
        harness, [gen / "model.json", gen / "model.lwfb"]
    )
    assert (j_load, f_load) == (OK, OK)
    assert j_run.startswith("0 ") and j_run == f_run  # same outputs for the same inputs


def test_tvm_model_without_its_functions_names_one(harness):
    from lwai.driver import compile_cached

    out, _, _ = compile_cached(shared_model("hello_world_float.tflite"), "host")
    model = json.loads((out / "gen" / "model.json").read_text())
    assert any(k.startswith("tvm:") for k in model["kernels"])
    [(load, _, detail)] = check(harness, [out / "gen" / "model.json"])
    assert load == KERNEL_MISSING and detail in model["kernels"] and detail.startswith("tvm:")


# ---- damaged files ---------------------------------------------------------------------------


def _fuzz_sources(tmp_path: Path) -> list[Path]:
    (tmp_path / "tiny.json").write_text(json.dumps(tiny_doc(), indent=1))
    (tmp_path / "tvm.json").write_text(json.dumps(tvm_doc()))
    files = [tmp_path / "tiny.json", tmp_path / "tvm.json"]
    try:
        from lwai.driver import compile_cached

        out, _, _ = compile_cached(shared_model("hello_world_int8.tflite"), "host")
        files.append(out / "gen" / "model.json")
    except pytest.skip.Exception:
        pass
    return files


def _fuzz(exe: Path, files: list[Path], count: int) -> None:
    for seed, path in enumerate(files, 1):
        line = run(exe, "fuzz", seed, count, path).split()
        counts = dict(kv.split("=") for kv in line[2:])
        assert int(counts["ran"]) > 0, line  # some survive and run
        assert int(counts["-5"]) > count // 2, line  # most are refused


def test_damaged_files(harness, tmp_path):
    _fuzz(harness, _fuzz_sources(tmp_path), 600)


def test_damaged_files_cjson_instrumented(tmp_path):
    if not (CJSON_SOURCE / "cJSON.c").is_file():
        pytest.skip("no cJSON sources: scripts/fetch_cjson.sh fetches them")
    exe = build_harness(tmp_path, CJSON_SOURCE)
    _fuzz(exe, _fuzz_sources(tmp_path), 600)
