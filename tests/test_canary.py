"""Arena canaries (CONFIG_LWAI_ARENA_CANARIES, issue 14): a guard after the arena plan,
checked after every node through the node hook. tests/runtime_safety/canary.c runs
hello_world_int8 (AOT, and its .lwfb on the graph executor) with a test build define that
routes the fully-connected kernel through a wrapper which, on the chosen node, writes past the
node's output: the run fails with LWAI_ERR_CANARY naming the node and its kernel, the same
model without the defect gives TFLite Micro's output, and without the option the defect goes
unseen while the runtime carries no canary byte (objects for Cortex-M4 compared)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from safety_harness import (
    REPO,
    SAFETY_DIR,
    build,
    compiled,
    includes,
    kernel_sources,
    need,
    run,
    runtime_sources,
)

from conftest import shared_model, tflm_outputs

SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g", "-O1"]
CANARY_ON = "-DCONFIG_LWAI_ARENA_CANARIES=1"
SWAP = "-Dlwai_fully_connected_s8=overflowing_fc"  # the test build define
OK, ARENA_TOO_SMALL, CANARY = 0, -2, -12
APP = "arena overrun outside lwai_model_run (by the application)"


def _build_and_run(out: Path, canaries: bool) -> dict[str, list[str]]:
    hello, _ = compiled("hello_world_int8")
    model_sources = sorted((hello / "src").glob("*.c"))
    registry = REPO / "runtime" / "src" / "graph" / "registry.c"
    sources = [
        *runtime_sources(json_loader=False),
        *kernel_sources(),
        *model_sources,
        SAFETY_DIR / "canary.c",
    ]
    flags = [*SANITIZE, "-DLWAI_KERNEL_IN_IMAGE_FULLY_CONNECTED=1", *includes(hello / "include")]
    flags += [CANARY_ON] if canaries else []
    per_file = {src: [SWAP] for src in [*model_sources, registry]}
    exe = build(out / "canary", sources, flags, per_file=per_file)
    done = run([str(exe), str(hello / "model.lwfb"), "1" if canaries else "0"])
    assert done.returncode == 0, done.stdout + done.stderr[-6000:]
    assert "Sanitizer" not in done.stderr and "runtime error" not in done.stderr, done.stderr
    return {ln.split(" ")[0]: ln.split(" ", 3)[1:] for ln in done.stdout.splitlines()}


@pytest.fixture(scope="module")
def tflm_value() -> int:
    x = np.full((1, 1), 7, dtype=np.int8)
    return int(tflm_outputs(shared_model("hello_world_int8.tflite"), [x])[0].reshape(-1)[0])


@pytest.fixture(scope="module")
def with_canaries(tmp_path_factory):
    return _build_and_run(tmp_path_factory.mktemp("canary_on"), canaries=True)


@pytest.fixture(scope="module")
def without_canaries(tmp_path_factory):
    return _build_and_run(tmp_path_factory.mktemp("canary_off"), canaries=False)


@pytest.mark.parametrize(
    "executor,kernel", [("aot", "lwai_fully_connected_s8"), ("graph", "fully_connected_s8")]
)
def test_overflowing_node_is_caught_and_named(with_canaries, tflm_value, executor, kernel):
    r = with_canaries
    st = {k[len(executor) + 1 :]: v for k, v in r.items() if k.startswith(executor + "_")}
    assert st["clean"] == [str(OK), "-", "-"]
    assert int(st["clean_output"][0]) == tflm_value  # the model without the defect is right
    assert st["node2_overflow"] == [str(CANARY), "2", kernel]
    assert st["after_overflow"] == [str(OK), "-", "-"]  # guard re-armed
    assert st["node0_overflow"] == [str(CANARY), "0", kernel]
    # one byte past node 2's output stays inside the plan: the end guard cannot see it
    assert st["inside_plan"] == [str(OK), "-", "-"]
    assert st["app_overrun"][:2] == [str(CANARY), "-"]
    assert " ".join(st["app_overrun"][2:]) == APP
    assert st["after_app_overrun"] == [str(OK), "-", "-"]


def test_canaries_take_16_arena_bytes(with_canaries, without_canaries):
    assert with_canaries["guard_bytes"] == ["16"] and without_canaries["guard_bytes"] == ["0"]
    # AOT: the plan alone is too small with canaries, enough without
    assert with_canaries["aot_init_plan_only"] == [str(ARENA_TOO_SMALL)]
    assert without_canaries["aot_init_plan_only"] == [str(OK)]
    # graph: the loader's records move 16 bytes up
    on, off = with_canaries["graph_load"], without_canaries["graph_load"]
    assert on[0] == off[0] == str(OK) and int(on[1]) == int(off[1]) + 16


def test_without_canaries_the_defect_goes_unseen(without_canaries, tflm_value):
    r = without_canaries
    assert int(r["aot_clean_output"][0]) == tflm_value
    assert int(r["graph_clean_output"][0]) == tflm_value
    for scenario in ("node2_overflow", "node0_overflow", "app_overrun"):
        assert r[f"aot_{scenario}"][0] == str(OK), scenario


def _m4_sizes(out: Path, defines: list[str]) -> dict[str, int]:
    """text+data+bss of each runtime object built for Cortex-M4 at -Os; symbols too."""
    cc = need("arm-none-eabi-gcc")
    sizes = {}
    for src in runtime_sources(json_loader=False):
        obj = out / f"{src.stem}.o"
        cmd = [cc, "-std=c99", "-Wall", "-Wextra", "-Werror", "-mcpu=cortex-m4", "-mthumb"]
        cmd += ["-Os", "-DLWAI_KERNEL_IN_IMAGE_FULLY_CONNECTED=1", *defines, *includes()]
        subprocess.run([*cmd, "-c", str(src), "-o", str(obj)], check=True)
        text = (
            subprocess.run(
                ["arm-none-eabi-size", str(obj)], capture_output=True, text=True, check=True
            )
            .stdout.splitlines()[1]
            .split()
        )
        syms = subprocess.run(
            ["arm-none-eabi-nm", str(obj)], capture_output=True, text=True, check=True
        ).stdout
        sizes[src.stem] = sum(int(v) for v in text[:3])
        sizes[f"{src.stem}:canary_symbols"] = syms.count("canary")
    return sizes


def test_canaries_off_add_no_byte(tmp_path):
    (tmp_path / "off").mkdir()
    (tmp_path / "on").mkdir()
    off = _m4_sizes(tmp_path / "off", [])
    on = _m4_sizes(tmp_path / "on", [CANARY_ON])
    assert off["canary"] == 0 and off["node_hook"] == 0
    assert all(v == 0 for k, v in off.items() if k.endswith(":canary_symbols"))
    assert on["canary"] > 0 and on["node_hook"] > 0  # the same sources do build them
    cost = sum(on[k] - off[k] for k in off if ":" not in k)
    print(f"canaries on: +{cost} bytes of runtime code/data on Cortex-M4 -Os")
    assert 0 < cost < 1024


TOOLS = {"host": ["gcc"], "qemu-cortex-m4": ["arm-none-eabi-gcc", "qemu-system-arm"]}


@pytest.mark.parametrize(
    "target,defconfig,executor",
    [("qemu-cortex-m4", "l0_mps2_an386", "aot"), ("host", "l2_x86_64", "graph")],
)
def test_canary_image_runs_right(target, defconfig, executor, tmp_path):
    """The real build with CONFIG_LWAI_ARENA_CANARIES=y (Kconfig -> lwai_config.h -> the node
    hook in the generated code / executor, the app's arena grown by the guard): person_detect
    still gives TFLite Micro's output, and the image holds the canary check."""
    from conftest import random_inputs
    from lwai.config import defconfig_path
    from lwai.driver import run_model

    for tool in TOOLS[target]:
        need(tool)
    config = tmp_path / "canary.config"
    config.write_text(defconfig_path(defconfig).read_text() + "CONFIG_LWAI_ARENA_CANARIES=y\n")
    model = shared_model("person_detect.tflite")
    x = random_inputs([{"shape": [1, 96, 96, 1], "dtype": "int8"}], 3)
    out, info = run_model(model, x, tmp_path / "run", target, config=str(config), executor=executor)
    np.testing.assert_array_equal(out[0], tflm_outputs(model, x)[0])
    nm = "arm-none-eabi-nm" if target != "host" else "nm"
    syms = subprocess.run([nm, str(info["image"])], capture_output=True, text=True, check=True)
    assert "lwai_canary_after_node" in syms.stdout
