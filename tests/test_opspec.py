"""The operator spec (lwai/spec/ops.yaml) is the one definition of ops, kernels, params
and backends: the generated files match it, every consumer agrees with it, and backend
choices the target cannot have fail at configuration with a clear message."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import kernel_cases as kc
import pytest

from conftest import LWAI, shared_model
from lwai import backends, opspec
from lwai.codegen.kernels import KERNEL_PARAMS, plan_kernel
from lwai.config import OP_KERNEL_SYMBOLS, load_config
from lwai.errors import LwaiError
from lwai.ops import OP_KINDS

REPO = Path(__file__).resolve().parents[1]
SPEC = opspec.load()


def test_generated_files_are_current():
    """Acceptance 1: regenerating from the spec changes nothing (`gen_ops.py --check`)."""
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen_ops.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def test_check_mode_names_a_stale_file(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_ops", REPO / "scripts" / "gen_ops.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    stale = tmp_path / "ops.json"
    stale.write_text("{}\n")
    monkeypatch.setattr(gen, "OPS_JSON", stale)
    assert gen.main(["--check"]) == 1
    assert gen.main([]) == 0 and '"conv2d"' in stale.read_text()


def test_build_scripts_import_nothing_from_lwai():
    for path in ("SConstruct", "kernels/SConscript", "scripts/gn_exec.py"):
        text = (REPO / path).read_text()
        assert not re.search(r"^\s*(from lwai\b|import lwai\b)", text, re.MULTILINE), path


def test_python_consumers_follow_the_spec():
    assert OP_KINDS == tuple(SPEC.ops)
    assert OP_KERNEL_SYMBOLS == {k: op.kconfig for k, op in SPEC.ops.items()}
    assert KERNEL_PARAMS == {n: (list(k.ints), list(k.floats)) for n, k in SPEC.kernels.items()}
    kconfig = (REPO / "kernels" / "Kconfig").read_text()
    assert all(f"config {op.kconfig}\n" in kconfig for op in SPEC.ops.values())


def _declared(header: str) -> set[str]:
    text = (REPO / "kernels" / "include" / "lwai" / header).read_text()
    return set(re.findall(r"\b(lwai_\w+)\s*\(", text))


def test_every_kernel_symbol_is_declared_and_every_backend_file_exists():
    ref = _declared("kernels.h")
    for k in SPEC.kernels.values():
        assert k.symbol() in ref, k.name
        assert (REPO / "kernels" / "reference" / f"{k.kind}.c").is_file()
        for b, be in k.backends.items():
            header = backends.HEADERS[b].split("/")[1]
            assert k.symbol(b) in _declared(header), (b, k.name)
            if be.scratch:
                assert f"{k.symbol(b)}_get_buffer_size" in _declared(header), (b, k.name)
            if b == "optimized":
                for arch in be.arch:
                    path = REPO / "kernels" / "optimized" / arch / f"{k.kind}.c"
                    assert path.is_file(), path
                    assert k.symbol(b) in path.read_text(), path
            else:
                assert (REPO / "kernels" / "thirdparty" / "cmsis_nn" / f"{k.kind}.c").is_file()


@pytest.mark.parametrize(
    "group", ["conv2d_int8", "depthwise_conv2d_int8", "add_int8", "softmax_int8", "convert"]
)
def test_planned_params_lie_in_the_spec_ranges(group):
    """The compiler never emits a value the graph executor would refuse as out of range."""
    for case in kc.generate(group, 20, 700, extreme=group != "convert"):
        plan = plan_kernel(case.op_desc())
        k = SPEC.kernels[plan.kernel]
        for name in k.ints:
            lo, hi = SPEC.param(k.ctype, name).range
            assert lo <= plan.fields.get(name, 0) <= hi, (case.name, name, plan.fields[name])


def test_backend_choice_follows_the_configured_order():
    t = backends.Target(("cmsis-nn", "optimized", "reference"), "armv7em")
    assert backends.choose("conv2d_s8", t) == "cmsis-nn"
    assert backends.choose("conv2d_f32", t) == "reference"
    t = backends.Target(("optimized", "reference"), "armv7em")
    assert backends.choose("conv2d_s8", t) == "optimized"
    assert backends.choose("quantize_f32_s8", t) == "reference"
    # No optimized kernels for an architecture the spec does not list.
    assert backends.choose("conv2d_s8", backends.Target(("optimized", "reference"), "")) == (
        "reference"
    )


def _fragment(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "frag.config"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "text,message",
    [
        (
            (
                "# CONFIG_LWAI_KERNELS_OPTIMIZED is not set\n"
                'CONFIG_LWAI_KERNEL_BACKENDS="optimized reference"\n'
            ),
            "CONFIG_LWAI_KERNELS_OPTIMIZED is not set",
        ),
        ('CONFIG_LWAI_KERNEL_BACKENDS="fast reference"\n', "unknown kernel backend: 'fast'"),
        (
            'CONFIG_LWAI_KERNELS_OPTIMIZED=y\nCONFIG_LWAI_KERNEL_BACKENDS="optimized"\n',
            "must include 'reference'",
        ),
        (
            "CONFIG_LWAI_PROFILE_L2=y\nCONFIG_LWAI_KERNELS_OPTIMIZED=y\n",
            "KERNELS_OPTIMIZED=y cannot be set",
        ),
        ("CONFIG_LWAI_CMSIS_NN=y\n", "CMSIS_NN_PATH is empty"),
    ],
)
def test_impossible_backend_configs_fail_with_a_reason(tmp_path, text, message):
    with pytest.raises(LwaiError, match=re.escape(message)):
        load_config(_fragment(tmp_path, text))


def test_backend_order_default_follows_the_switches(tmp_path):
    cfg = load_config(_fragment(tmp_path, "CONFIG_LWAI_KERNELS_OPTIMIZED=y\n"))
    assert cfg["LWAI_KERNEL_BACKENDS"] == "optimized reference"
    assert cfg["LWAI_KERNELS_OPTIMIZED_ARCH"] == "armv7em"
    m55 = "CONFIG_LWAI_CPU_CORTEX_M55=y\nCONFIG_LWAI_KERNELS_OPTIMIZED=y\n"
    assert load_config(_fragment(tmp_path, m55))["LWAI_KERNELS_OPTIMIZED_ARCH"] == "armv81m"


@pytest.mark.parametrize(
    "kernels,target,message",
    [
        ("cmsis-nn", "host", "CONFIG_LWAI_CMSIS_NN=y cannot be set"),
        ("optimized", "host", "CONFIG_LWAI_KERNELS_OPTIMIZED=y cannot be set"),
        ("fast", "qemu-cortex-m4", "invalid choice: 'fast'"),
    ],
)
def test_cli_kernels_the_target_cannot_have(tmp_path, kernels, target, message):
    """Acceptance 4: `--kernels` a target cannot have stops at configuration, exit 2."""
    import numpy as np

    x = tmp_path / "x.npy"
    np.save(x, np.zeros((1, 1), np.int8))
    model = shared_model("hello_world_int8.tflite")
    cmd = [str(LWAI), "run", str(model), "--input", str(x), "-o", str(tmp_path / "o")]
    proc = subprocess.run(
        cmd + ["--target", target, "--kernels", kernels],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "LWAI_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_cmsis_nn_without_a_path(tmp_path):
    import numpy as np

    x = tmp_path / "x.npy"
    np.save(x, np.zeros((1, 1), np.int8))
    model = shared_model("hello_world_int8.tflite")
    cmd = [str(LWAI), "bench", str(model), "--target", "qemu-cortex-m4", "--kernels", "cmsis-nn"]
    env = {"PATH": "/usr/bin:/bin", "LWAI_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 2 and "CMSIS_NN_PATH is empty" in proc.stderr, proc.stderr
