"""Images on the real toolchains and emulators (issue 4 acceptance).

- hello_world_int8, micro_speech_quantized, person_detect on qemu-cortex-m4, qemu-cortex-m55
  and qemu-arm: outputs bit-exact with tflite-micro for 3 seeds (one image per pair).
- `lwai bench --target qemu-cortex-m4` gives the same instruction count twice.
- L0 images link no malloc; the runtime core is <= 4 KiB of text on Cortex-M4 at -Os.
- An L0 image whose RAM (arena + data + bss + stack) exceeds the board fails to build.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from lwai.build import REPO, build_image
from lwai.elfsize import size_report, symbols
from lwai.errors import LwaiError
from lwai.targets import TARGETS, run_image

MODELS = REPO.parent / "shared" / "models"
if not MODELS.is_dir():
    MODELS = Path("/work/shared/models")
TINY = REPO / "boards" / "testdata" / "tiny_model"
SEEDS = (0, 1, 2)
QEMU_TARGETS = ("qemu-cortex-m4", "qemu-cortex-m55", "qemu-arm")
L0_TARGETS = ("qemu-cortex-m4", "qemu-cortex-m55")
TOOLS = {
    "host": ["gcc"],
    "qemu-arm": ["arm-linux-gnueabihf-gcc", "qemu-arm"],
    "qemu-cortex-m4": ["arm-none-eabi-gcc", "qemu-system-arm"],
    "qemu-cortex-m55": ["arm-none-eabi-gcc", "qemu-system-arm"],
}
# Symbols an L0 image must not contain: the heap.
HEAP_SYMBOLS = ("malloc", "_malloc_r", "free", "_free_r", "calloc", "realloc", "_sbrk", "sbrk")

needs_compiler = pytest.mark.skipif(
    importlib.util.find_spec("lwai.compiler") is None, reason="lwai.compiler not written yet"
)


def needs_tools(target: str):
    missing = [t for t in TOOLS[target] if shutil.which(t) is None]
    return pytest.mark.skipif(bool(missing), reason=f"missing {', '.join(missing)}")


def _target_params(targets):
    return [pytest.param(t, marks=needs_tools(t)) for t in targets]


def compile_for(model: Path, target: str, out: Path) -> tuple[Path, dict]:
    """Compiles with the target's default defconfig; returns (model_dir, config)."""
    from lwai.compiler import compile_model
    from lwai.config import load_config
    from lwai.driver import TARGET_DEFCONFIG

    defconfig = TARGET_DEFCONFIG[target]
    compile_model(model, out, defconfig=defconfig)
    return out, load_config(defconfig=defconfig)


def random_input(rng: np.random.Generator, detail: dict) -> np.ndarray:
    dtype = np.dtype(detail["dtype"])
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max + 1, size=detail["shape"], dtype=dtype)
    return rng.uniform(-1, 1, size=detail["shape"]).astype(dtype)


@needs_compiler
@pytest.mark.parametrize("target", _target_params(QEMU_TARGETS))
@pytest.mark.parametrize("model", ["hello_world_int8", "micro_speech_quantized", "person_detect"])
def test_bit_exact_with_tflite_micro(model, target, tmp_path):
    from tflite_micro.python.tflite_micro import runtime

    path = MODELS / f"{model}.tflite"
    model_dir, config = compile_for(path, target, tmp_path / "gen")
    exe = build_image(model_dir, target, tmp_path / "build", config=config)
    if target in L0_TARGETS:
        assert not set(HEAP_SYMBOLS) & set(symbols(exe)), "L0 image links the heap"

    report = json.loads((model_dir / "report.json").read_text())
    interp = runtime.Interpreter.from_file(str(path), arena_size=4 << 20)
    n_in, n_out = len(report["inputs"]), len(report["outputs"])
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        inputs = [random_input(rng, interp.get_input_details(i)) for i in range(n_in)]
        in_files, out_files = [], []
        for i, x in enumerate(inputs):
            interp.set_input(x, i)
            in_files.append(tmp_path / f"in{seed}_{i}.bin")
            x.tofile(in_files[-1])
        out_files = [tmp_path / f"out{seed}_{i}.bin" for i in range(n_out)]
        interp.invoke()
        res = run_image(target, exe, in_files, out_files)
        assert res.ticks is not None
        for i in range(n_out):
            ref = interp.get_output(i)
            got = np.fromfile(out_files[i], dtype=ref.dtype).reshape(ref.shape)
            np.testing.assert_array_equal(got, ref, err_msg=f"{model} {target} seed {seed}")


@needs_compiler
@needs_tools("qemu-cortex-m4")
def test_bench_instruction_count_is_deterministic(tmp_path, monkeypatch):
    from lwai.bench import bench

    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    model = MODELS / "hello_world_int8.tflite"
    first = bench(model, "qemu-cortex-m4")
    second = bench(model, "qemu-cortex-m4")
    assert first["instructions"] > 0
    assert first["instructions"] == second["instructions"]
    for key in ("arena_bytes", "flash_bytes", "ram_bytes", "breakdown"):
        assert key in first
    assert first["ram_bytes"] >= first["arena_bytes"]
    b = first["breakdown"]
    assert b["kernels_text"] > 0 and b["weights"] > 0


def _tiny(dest: Path, **report_changes) -> Path:
    shutil.copytree(TINY, dest)
    report = json.loads((dest / "report.json").read_text())
    report.update(report_changes)
    (dest / "report.json").write_text(json.dumps(report))
    return dest


@pytest.mark.parametrize("target", _target_params(TARGETS))
def test_tiny_model_on_every_target(target, tmp_path):
    exe = build_image(_tiny(tmp_path / "m"), target, tmp_path / "b")
    x = np.array([3, -9, 42, 30], dtype=np.int8)
    x.tofile(tmp_path / "x.bin")
    runs = [
        run_image(target, exe, [tmp_path / "x.bin"], [tmp_path / "y.bin"], repeat=2)
        for _ in range(2 if target in L0_TARGETS else 1)
    ]
    want = (x.astype(np.int32) * np.array([1, 2, 3, -4]) + 1).astype(np.int8)
    assert np.array_equal(np.fromfile(tmp_path / "y.bin", dtype=np.int8), want)
    if target in L0_TARGETS:
        assert runs[0].unit == "instructions"
        assert runs[0].ticks == runs[1].ticks  # -icount shift=0: same count every run
        assert not set(HEAP_SYMBOLS) & set(symbols(exe)), "L0 image links the heap"


@pytest.mark.parametrize("target", _target_params(L0_TARGETS))
def test_image_larger_than_board_ram_fails_at_build_time(target, tmp_path):
    # 4 MiB on mps2-an386, 512 KiB on mps3-an547: an arena of 4 MiB exceeds both.
    model = _tiny(tmp_path / "m", arena_bytes=4 << 20)
    with pytest.raises(LwaiError, match=r"needs \d+ bytes more RAM than board"):
        build_image(model, target, tmp_path / "b")


@needs_tools("qemu-cortex-m4")
def test_runtime_core_fits_4k_on_cortex_m4(tmp_path):
    exe = build_image(_tiny(tmp_path / "m"), "qemu-cortex-m4", tmp_path / "b")
    r = size_report(exe)
    runtime = r["breakdown"]["parts"]["runtime"]
    assert 0 < runtime["text"] <= 4096, runtime
    assert r["flash_bytes"] == r["text_bytes"] + r["rodata_bytes"] + r["data_bytes"]
    assert r["ram_bytes"] == r["data_bytes"] + r["bss_bytes"] + r["arena_bytes"] + r["stack_bytes"]
    assert r["arena_bytes"] >= 32 and r["stack_bytes"] > 0


@needs_tools("qemu-cortex-m4")
def test_semihosting_limits_are_errors_never_dropped_arguments(tmp_path):
    """An argument the board never sees would be an output file never written: the driver
    refuses a command line over the board's limits, and the board itself stops on one
    (QEMU returns an error instead of a command line longer than its buffer)."""
    import subprocess

    from lwai.targets import command

    exe = build_image(_tiny(tmp_path / "m"), "qemu-cortex-m4", tmp_path / "b")
    with pytest.raises(LwaiError, match=r"73 arguments of \d+ bytes; the Cortex-M boards take"):
        command("qemu-cortex-m4", exe, ["-i", "x"] * 36)
    with pytest.raises(LwaiError, match=r"2 arguments of 2107 bytes; .* at most 72 of 2047"):
        command("qemu-cortex-m4", exe, ["-Z" + "a" * 2096])
    argv = command("qemu-cortex-m4", exe, ["-Z" + "a" * 1900])
    sh = argv.index("-semihosting-config") + 1
    argv[sh] += ",arg=" + "b" * 200  # past the driver's check: the board must refuse it
    run = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode != 0
    assert "lwai: error: semihosting command line longer than 2047 bytes" in run.stderr
    argv = command("qemu-cortex-m4", exe, ["-Z"] * 71)
    argv[argv.index("-semihosting-config") + 1] += ",arg=-Z"
    run = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode != 0 and "lwai: error: more than 72 semihosting arguments" in run.stderr
