"""Per-op profile on the device (issue 15): CONFIG_LWAI_PROFILING, the per-node hook
(runtime/include/lwai/node_hook.h) in the AOT code and the graph executor, and
`lwai bench --per-op`.

- On qemu-cortex-m4 the per-op counts (instructions, the unit of `lwai bench`) of the
  shared int8 models sum to within 2% of the whole inference the same image measures, and
  each row names its op's backend; the big models' per-op sums are also within 2% of the
  unprofiled image's count (the profile's own cost is small).
- The graph executor gives the same kind of profile.
- With profiling off (the default), the hook adds no byte: an AOT image built from the
  generated source equals one built from that source with the hook lines deleted, and no
  hook symbol is linked into AOT or graph images.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import LWAI, shared_model
from lwai.elfsize import section_sizes, symbols

M4 = "qemu-cortex-m4"
BACKENDS = {"reference", "optimized", "cmsis-nn", "tvm"}
HOOK_SYMBOLS = {
    "lwai_node_begin",
    "lwai_node_end",
    "lwai_run_begin",
    "lwai_run_end",
    "lwai_profile_count",
    "lwai_profile_ticks",
}
# model -> inferences per run: the counter ticks every 40 instructions on mps2-an386, so
# small models average over several runs.
MODELS = {
    "hello_world_int8": 20,
    "simple_add_model": 2,
    "micro_speech_quantized": 2,
    "person_detect": 1,
}

needs_m4 = pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
    reason="needs arm-none-eabi-gcc and qemu-system-arm",
)


def _check_rows(result: dict, unit: str) -> list[dict]:
    rows = result["per_op"]
    ops = result["ops"]
    assert result["per_op_unit"] == unit
    assert len(rows) == len(ops) + 1, "one row per op, then the executor's"
    for row, op in zip(rows, ops):
        assert row["name"] == op["name"]
        assert row["op"] == op["kind"]
        assert row["backend"] == op["backend"] and row["backend"] in BACKENDS
        assert row[unit] > 0, row
    last = rows[-1]
    assert (last["name"], last["backend"], last["kernel"]) == (
        "(executor)",
        "runtime",
        "lwai_model_run",
    )
    return rows


@needs_m4
@pytest.mark.parametrize("name", list(MODELS))
def test_per_op_counts_sum_to_the_inference_on_cortex_m4(name):
    from lwai.bench import bench

    model = shared_model(f"{name}.tflite")
    result = bench(model, M4, repeat=MODELS[name], per_op=True)
    rows = _check_rows(result, "instructions")
    total = sum(r["instructions"] for r in rows)
    whole = result["instructions"]
    # The image's own count around lwai_model_run; only its two counter reads are outside
    # every row (about 60 instructions on Cortex-M4).
    assert abs(total - whole) <= 0.02 * whole, (name, total, whole, rows)
    assert total <= whole + len(rows)  # rows are rounded one by one


@needs_m4
@pytest.mark.parametrize("name", ["micro_speech_quantized", "person_detect"])
def test_profile_cost_is_small_against_the_unprofiled_image(name):
    from lwai.bench import bench

    model = shared_model(f"{name}.tflite")
    plain = bench(model, M4)
    profiled = bench(model, M4, per_op=True)
    assert "per_op" not in plain
    total = sum(r["instructions"] for r in profiled["per_op"])
    assert abs(total - plain["instructions"]) <= 0.02 * plain["instructions"]
    assert profiled["flash_bytes"] > plain["flash_bytes"]  # the hook is really in it


@needs_m4
def test_graph_executor_profile_on_cortex_m4():
    from lwai.bench import bench

    model = shared_model("micro_speech_quantized.tflite")
    result = bench(model, M4, executor="graph", per_op=True)
    rows = _check_rows(result, "instructions")
    total = sum(r["instructions"] for r in rows)
    assert abs(total - result["instructions"]) <= 0.02 * result["instructions"]


def test_per_op_on_host_is_in_microseconds():
    from lwai.bench import bench

    model = shared_model("micro_speech_quantized.tflite")
    result = bench(model, "host", repeat=20, per_op=True)
    rows = _check_rows(result, "us")
    total = sum(r["us"] for r in rows)
    # wall time: clock_gettime around each op; the sum cannot exceed the whole by much
    assert 0.5 * result["us"] <= total <= 1.05 * result["us"]


def test_cli_bench_per_op_prints_per_op():
    model = shared_model("hello_world_int8.tflite")
    out = subprocess.run(
        [str(LWAI), "bench", str(model), "--target", "host", "--per-op", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert [r["backend"] for r in result["per_op"]] == [op["backend"] for op in result["ops"]] + [
        "runtime"
    ]


def _strip_hooks(src: Path, dst: Path) -> int:
    """Copies a compiled model dir, deleting the hook lines from its C; returns how many."""
    shutil.copytree(src, dst)
    removed = 0
    for c in (dst / "src").glob("*.c"):
        lines = c.read_text().splitlines(keepends=True)
        keep = [ln for ln in lines if "LWAI_NODE_" not in ln and "lwai/node_hook.h" not in ln]
        removed += len(lines) - len(keep)
        c.write_text("".join(keep))
    return removed


@needs_m4
def test_profiling_off_adds_no_bytes(tmp_path):
    from lwai.build import build_image
    from lwai.driver import compile_cached

    model = shared_model("person_detect.tflite")
    out, report, cfg = compile_cached(model, M4)
    assert not cfg.get("LWAI_PROFILING"), "the default L0 config profiles nothing"
    stripped = tmp_path / "stripped"
    assert _strip_hooks(out / "gen", stripped) == 2 * len(report["ops"]) + 1
    with_hooks = build_image(out / "gen", M4, tmp_path / "a", config=cfg)
    without = build_image(stripped, M4, tmp_path / "b", config=cfg)
    assert section_sizes(with_hooks) == section_sizes(without)
    assert not HOOK_SYMBOLS & set(symbols(with_hooks))
    # the hook's own object is empty when off
    obj = tmp_path / "a" / "obj" / "runtime" / "src" / "node_hook.o"
    sizes = subprocess.run(
        ["arm-none-eabi-size", "-A", str(obj)], capture_output=True, text=True, check=True
    ).stdout
    assert all(int(ln.split()[1]) == 0 for ln in sizes.splitlines() if ln.startswith(".text"))
    assert all(
        int(ln.split()[1]) == 0
        for ln in sizes.splitlines()
        if ln.startswith((".data", ".bss", ".rodata"))
    )


@needs_m4
def test_graph_image_without_profiling_has_no_hook():
    from lwai.bench import measure

    model = shared_model("hello_world_int8.tflite")
    _, _, details = measure(model, M4, executor="graph")
    assert not HOOK_SYMBOLS & set(symbols(details["image"]))
    _, _, details = measure(model, M4, executor="graph", per_op=True)
    assert HOOK_SYMBOLS <= set(symbols(details["image"]))
