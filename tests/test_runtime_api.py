"""Misuse of the C model API (issue 14): tests/runtime_safety/api.c calls every entry point
wrongly (NULL pointers, indices past the end, byte counts that differ from the tensor's, an
arena too small or misaligned, a model used before init or after release, released twice, a
desc compiled against another kernel ABI, a graph file needing a kernel the image lacks, TVM
workspace requests beyond their slot) under ASan + UBSan, and each call must return its
status; the model still runs correctly (output equal to TFLite Micro's) between the misuses.
"""

from __future__ import annotations

import numpy as np
import pytest
from safety_harness import (
    SAFETY_DIR,
    build,
    compiled,
    includes,
    kernel_sources,
    need_cjson,
    run,
    runtime_sources,
)

from conftest import shared_model, tflm_outputs

SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g", "-O1"]

OK, INVALID_ARG, ARENA_TOO_SMALL, KERNEL_MISSING, BAD_MODEL = 0, -1, -2, -4, -5
WORKSPACE, BACKEND, STATE, SIZE, ABI = -7, -8, -9, -10, -11

EXPECTED = {
    # lwai_model_init
    "init_null_model": INVALID_ARG,
    "init_null_desc": INVALID_ARG,
    "init_null_arena": INVALID_ARG,
    "init_misaligned_arena": INVALID_ARG,
    "init_arena_one_short": ARENA_TOO_SMALL,
    "init_arena_zero": ARENA_TOO_SMALL,
    "init_arena_exact": OK,
    "init_other_kernel_abi": ABI,
    "init_pre_abi_desc": ABI,
    "init_desc_output_outside_plan": INVALID_ARG,
    "init_desc_without_run": INVALID_ARG,
    # before init
    "run_zeroed_model": STATE,
    "input_zeroed_model": STATE,
    "run_garbage_model": STATE,
    "output_garbage_model": STATE,
    "run_null_model": INVALID_ARG,
    "reset_state_null_model": INVALID_ARG,
    "run_after_failed_init": STATE,
    "aot_init_ok": OK,
    "aot_reset_state": OK,
    "aot_reinit_ok": OK,
    "aot_reinit_run": OK,
    # graph loaders
    "load_null_file": INVALID_ARG,
    "load_null_model": INVALID_ARG,
    "load_null_arena": INVALID_ARG,
    "load_misaligned_arena": INVALID_ARG,
    "load_empty_file": BAD_MODEL,
    "load_truncated_file": BAD_MODEL,
    "load_arena_too_small": ARENA_TOO_SMALL,
    "load_arena_one_short": ARENA_TOO_SMALL,
    "run_after_failed_load": STATE,
    "load_arena_exact": OK,
    "load_kernel_missing": KERNEL_MISSING,
    "json_kernel_missing": KERNEL_MISSING,
    "lwfb_load_ok": OK,
    "json_load_ok": OK,
    # the TVM backend
    "tvm_null_func": INVALID_ARG,
    "tvm_too_many_args": INVALID_ARG,
    "tvm_negative_args": INVALID_ARG,
    "tvm_null_tensors": INVALID_ARG,
    "tvm_ok": OK,
    "tvm_workspace_overflow": WORKSPACE,
    "tvm_workspace_huge": WORKSPACE,
    "tvm_no_workspace_slot": WORKSPACE,
    "tvm_function_fails": BACKEND,
}
# the same for the AOT model and both graph loaders
IO_EXPECTED = {
    "input_ok": OK,
    "input_null_model": INVALID_ARG,
    "input_null_tensor": INVALID_ARG,
    "input_index_past_end": INVALID_ARG,
    "input_index_huge": INVALID_ARG,
    "output_ok": OK,
    "output_null_tensor": INVALID_ARG,
    "output_index_past_end": INVALID_ARG,
    "set_input_ok": OK,
    "set_input_short": SIZE,
    "set_input_long": SIZE,
    "set_input_zero": SIZE,
    "set_input_null_data": INVALID_ARG,
    "set_input_index": INVALID_ARG,
    "run_ok": OK,
    "get_output_ok": OK,
    "get_output_long": SIZE,
    "get_output_null_data": INVALID_ARG,
    "run_after_release": STATE,
    "input_after_release": STATE,
    "set_input_after_release": STATE,
    "reset_state_after_release": STATE,
}
for _prefix in ("aot", "lwfb", "json"):
    EXPECTED.update({f"{_prefix}_{k}": v for k, v in IO_EXPECTED.items()})


@pytest.fixture(scope="module")
def api_run(tmp_path_factory) -> dict[str, str]:
    need_cjson()
    hello, _ = compiled("hello_world_int8")
    other, other_report = compiled("micro_speech_quantized")
    assert "conv2d_s8" in other_report["graph_kernels"]  # not in this image's registry
    out = tmp_path_factory.mktemp("api")
    api = SAFETY_DIR / "api.c"
    sources = [*runtime_sources(), *kernel_sources(), *sorted((hello / "src").glob("*.c")), api]
    flags = [*SANITIZE, "-DLWAI_KERNEL_IN_IMAGE_FULLY_CONNECTED=1", *includes(hello / "include")]
    per_file = {api: ["-D_POSIX_C_SOURCE=200112L", "-include", "lwai_model_hello_world_int8.h"]}
    exe = build(out / "api", sources, flags, per_file=per_file, libs=("-lcjson", "-lm"))
    files = [hello / "model.lwfb", hello / "model.json", other / "model.lwfb", other / "model.json"]
    done = run([str(exe), *map(str, files)])
    assert done.returncode == 0 and "Sanitizer" not in done.stderr, done.stderr[-6000:]
    assert "runtime error" not in done.stderr, done.stderr[-6000:]
    lines: dict[str, str] = {}
    for line in done.stdout.splitlines():
        key, _, rest = line.partition(" ")
        if key == "status_str":
            num, _, name = rest.partition(" ")
            lines[f"status_str {num}"] = name
        else:
            lines[key] = rest
    return lines


def test_every_misuse_returns_its_status(api_run):
    wrong = []
    for check, want in EXPECTED.items():
        assert check in api_run, f"{check} not reported"
        got = int(api_run[check].split()[0])
        if got != want:
            wrong.append(f"{check}: got {api_run[check]}, want {want}")
    assert not wrong, "\n".join(wrong)


def test_refusals_name_the_problem(api_run):
    assert api_run["init_misaligned_all"] == "1"  # offsets 1..15 all refused
    assert api_run["init_misaligned_arena_detail"] == "arena not 16-byte aligned"
    assert api_run["init_null_arena_detail"] == "arena is NULL"
    assert api_run["init_other_kernel_abi_detail"] == "model compiled against another lwai ABI"
    assert api_run["init_arena_needed"] == "32"  # hello_world_int8's plan
    assert api_run["load_kernel_missing_detail"] == "conv2d_s8"
    assert api_run["json_kernel_missing_detail"] == "conv2d_s8"
    assert int(api_run["load_arena_needed"]) > 32  # the plan plus the loader's records
    assert api_run["tvm_alloc_outside_call"] == "1"
    assert api_run["init_misaligned_arena"].endswith("invalid argument")
    assert api_run["aot_set_input_short"].endswith("byte count differs from the tensor's")
    assert api_run["run_zeroed_model"].endswith("model not initialized or released")


def test_status_strings(api_run):
    names = [api_run[f"status_str {s}"] for s in range(1, -14, -1)]
    assert names[0] == "unknown status" and names[-1] == "unknown status"
    known = names[1:-1]
    assert known[0] == "ok" and len(set(known)) == len(known) == 13
    assert "unknown status" not in known


def test_model_runs_right_between_misuses(api_run):
    """Input 7 in all three executors (AOT, .lwfb, .json) gives TFLite Micro's output."""
    x = np.full((1, 1), 7, dtype=np.int8)
    ref = int(tflm_outputs(shared_model("hello_world_int8.tflite"), [x])[0].reshape(-1)[0])
    for prefix in ("aot", "lwfb", "json"):
        assert int(api_run[f"{prefix}_output_value"]) == ref, prefix


def test_abi_word_names_the_params_layout(api_run):
    """LWAI_MODEL_ABI: the 'L' tag, the API version, the params fingerprint of
    kernel_params.h (as scripts/gen_ops.py computed it)."""
    import re

    from conftest import REPO

    abi = int(api_run["abi"], 16)
    text = (REPO / "kernels" / "include" / "lwai" / "kernel_params.h").read_text()
    crc = int(re.search(r"#define LWAI_KERNEL_PARAMS_ABI 0x([0-9a-f]{8})u", text).group(1), 16)
    assert abi >> 24 == 0x4C and abi & 0xFFFF == (crc ^ (crc >> 16)) & 0xFFFF
