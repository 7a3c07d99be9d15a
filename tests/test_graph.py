"""The graph executor end to end (issue 5).

- hello_world_int8, micro_speech_quantized, person_detect: the AOT image, the graph image
  loading model.lwfb and the graph image loading model.json give identical outputs, equal to
  tflite-micro's, on host, qemu-cortex-m4 and qemu-arm (`lwai run --executor graph` path).
- One Cortex-M4 graph image built for a kernel set runs two different .lwfb models without
  being rebuilt; a third model that needs another kernel fails to load, naming the kernel.
- A model whose ops went to TVM runs on the graph executor through the registry of the
  model's TVM functions; an image without them names the missing function.
- `lwai convert` round-trips byte for byte between .lwfb and .json.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import LWAI, random_inputs, shared_model, tflm_outputs
from lwai.build import build_image
from lwai.driver import compile_cached, run_model
from lwai.errors import LwaiError
from lwai.targets import run_image

TARGETS = ("host", "qemu-cortex-m4", "qemu-arm")
MODELS = ("hello_world_int8", "micro_speech_quantized", "person_detect")
TOOLS = {
    "host": ["gcc"],
    "qemu-arm": ["arm-linux-gnueabihf-gcc", "qemu-arm"],
    "qemu-cortex-m4": ["arm-none-eabi-gcc", "qemu-system-arm"],
}


def _needs(target: str):
    missing = [t for t in TOOLS[target] if shutil.which(t) is None]
    return pytest.mark.skipif(bool(missing), reason=f"missing {', '.join(missing)}")


@pytest.mark.parametrize("target", [pytest.param(t, marks=_needs(t)) for t in TARGETS])
@pytest.mark.parametrize("model", MODELS)
def test_aot_lwfb_json_and_tflm_agree(model, target, tmp_path):
    path = shared_model(f"{model}.tflite")
    _, report, _ = compile_cached(path, target)
    inputs = random_inputs(report["inputs"], seed=5)
    expected = tflm_outputs(path, inputs, len(report["outputs"]))
    runs = {
        "aot": run_model(path, inputs, tmp_path / "aot", target=target),
        "lwfb": run_model(path, inputs, tmp_path / "g1", target, executor="graph", fmt="lwfb"),
        "json": run_model(path, inputs, tmp_path / "g2", target, executor="graph", fmt="json"),
    }
    for how, (outputs, info) in runs.items():
        assert len(outputs) == len(expected)
        for got, ref in zip(outputs, expected):
            np.testing.assert_array_equal(got, ref, err_msg=f"{model} {target} {how}")
    # The graph images are other programs than the AOT one, and load the model at run time.
    assert runs["lwfb"][1]["image"] != runs["aot"][1]["image"]
    assert runs["lwfb"][1]["result"].arena_needed >= report["arena_bytes"]


def _kernel_set_config(tmp_path: Path) -> dict:
    """L0 (Cortex-M4) config: graph executor, flatbuffer loader, every kernel built (not just
    one model's), but no depthwise convolution and no average pooling."""
    from lwai.config import defconfig_path, load_config

    lines = [
        "CONFIG_LWAI_EXECUTOR_GRAPH=y",
        "CONFIG_LWAI_LOADER_FLATBUFFER=y",
        "CONFIG_LWAI_KERNELS_LIST=y",
        "# CONFIG_LWAI_KERNEL_DEPTHWISE_CONV_2D is not set",
        "# CONFIG_LWAI_KERNEL_AVERAGE_POOL_2D is not set",
    ]
    text = defconfig_path("l0_mps2_an386").read_text() + "".join(f"{ln}\n" for ln in lines)
    (tmp_path / "kernels.config").write_text(text)
    return load_config(config=tmp_path / "kernels.config")


def _run_file(exe: Path, model_file: Path, report: dict, inputs, work: Path, target: str):
    work.mkdir(parents=True, exist_ok=True)
    in_files = []
    for i, x in enumerate(inputs):
        in_files.append(work / f"in{i}.bin")
        x.tofile(in_files[-1])
    out_files = [work / f"out{i}.bin" for i in range(len(report["outputs"]))]
    run_image(target, exe, in_files, out_files, model_file=model_file)
    return [
        np.fromfile(p, dtype=o["dtype"]).reshape(o["shape"])
        for p, o in zip(out_files, report["outputs"])
    ]


@_needs("qemu-cortex-m4")
def test_one_l0_image_runs_several_models_and_names_a_missing_kernel(tmp_path):
    target = "qemu-cortex-m4"
    cfg = _kernel_set_config(tmp_path)
    exe = build_image(None, target, tmp_path / "image", config=cfg, executor="graph")
    digest = hashlib.sha256(exe.read_bytes()).hexdigest()

    for name in ("hello_world_int8", "micro_speech_quantized"):
        path = shared_model(f"{name}.tflite")
        out, report, _ = compile_cached(path, target)
        assert not any(k.startswith("tvm:") for k in report["graph_kernels"])
        inputs = random_inputs(report["inputs"], seed=11)
        got = _run_file(exe, out / "gen" / "model.lwfb", report, inputs, tmp_path / name, target)
        for g, ref in zip(got, tflm_outputs(path, inputs, len(report["outputs"]))):
            np.testing.assert_array_equal(g, ref, err_msg=name)

    path = shared_model("person_detect.tflite")
    out, report, _ = compile_cached(path, target)
    inputs = random_inputs(report["inputs"], seed=11)
    with pytest.raises(LwaiError) as err:
        _run_file(exe, out / "gen" / "model.lwfb", report, inputs, tmp_path / "pd", target)
    assert "kernel missing" in str(err.value)
    assert "depthwise_conv2d_s8" in str(err.value)
    assert hashlib.sha256(exe.read_bytes()).hexdigest() == digest  # never rebuilt


def _tvm_config(tmp_path: Path, defconfig: str) -> str:
    """A config whose fully-connected kernel is off: hello_world_int8's layers go to TVM."""
    from lwai.config import defconfig_path

    path = tmp_path / "tvm.config"
    path.write_text(
        defconfig_path(defconfig).read_text()
        + "CONFIG_LWAI_KERNELS_LIST=y\n# CONFIG_LWAI_KERNEL_FULLY_CONNECTED is not set\n"
    )
    return str(path)


@_needs("host")
def test_tvm_nodes_run_from_the_models_registry(tmp_path):
    # The float model: a quantized op without its lwai kernel stops the compile (issue 12),
    # float layers outside lwai's patterns are TVM's.
    path = shared_model("hello_world_float.tflite")
    config = _tvm_config(tmp_path, "l2_x86_64")
    out, report, _ = compile_cached(path, "host", config=config)
    assert any(k.startswith("tvm:") for k in report["graph_kernels"])
    inputs = random_inputs(report["inputs"], seed=3)
    aot, _ = run_model(path, inputs, tmp_path / "aot", "host", config=config)
    graph, _ = run_model(path, inputs, tmp_path / "g", "host", config=config, executor="graph")
    for a, g in zip(aot, graph):
        np.testing.assert_array_equal(a, g)

    # An image without this model's TVM functions refuses the file, naming the function.
    from lwai.config import load_config

    exe = build_image(
        None, "host", tmp_path / "bare", config=load_config(config=config), executor="graph"
    )
    with pytest.raises(LwaiError) as err:
        _run_file(exe, out / "gen" / "model.lwfb", report, inputs, tmp_path / "bare_run", "host")
    first_tvm = next(k for k in report["graph_kernels"] if k.startswith("tvm:"))
    assert "kernel missing" in str(err.value) and first_tvm in str(err.value)


def test_convert_round_trips_byte_for_byte(tmp_path):
    path = shared_model("micro_speech_quantized.tflite")
    out, _, _ = compile_cached(path, "host")
    lwfb = out / "gen" / "model.lwfb"
    subprocess.run([LWAI, "convert", str(lwfb), "-o", str(tmp_path / "m.json")], check=True)
    subprocess.run(
        [LWAI, "convert", str(tmp_path / "m.json"), "-o", str(tmp_path / "m.lwfb")], check=True
    )
    assert (tmp_path / "m.lwfb").read_bytes() == lwfb.read_bytes()
    assert (tmp_path / "m.json").read_text() == (out / "gen" / "model.json").read_text()
    subprocess.run(
        [LWAI, "convert", str(path), "-o", str(tmp_path / "d.lwfb"), "--defconfig", "l2_x86_64"],
        check=True,
    )
    assert (tmp_path / "d.lwfb").read_bytes() == lwfb.read_bytes()


def test_convert_refuses_bad_input(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "lwai-graph", "version": 2}')
    proc = subprocess.run(
        [LWAI, "convert", str(bad), "-o", str(tmp_path / "x.lwfb")],
        check=False,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "format version 2" in proc.stderr
    proc = subprocess.run(
        [LWAI, "convert", str(bad), "-o", str(tmp_path / "x.txt")],
        check=False,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "*.lwfb or *.json" in proc.stderr


@_needs("qemu-cortex-m4")
def test_per_node_profiling_when_configured(tmp_path):
    """LWAI_PROFILING: the graph app times every node through the executor's callback."""
    from lwai.codegen.graph import read_graph
    from lwai.config import defconfig_path, load_config

    target = "qemu-cortex-m4"
    (tmp_path / "p.config").write_text(
        defconfig_path("l0_mps2_an386").read_text()
        + "CONFIG_LWAI_EXECUTOR_GRAPH=y\nCONFIG_LWAI_PROFILING=y\n"
    )
    path = shared_model("micro_speech_quantized.tflite")
    out, report, _ = compile_cached(path, target)
    exe = build_image(
        out / "gen",
        target,
        tmp_path / "img",
        config=load_config(config=tmp_path / "p.config"),
        executor="graph",
    )
    graph = read_graph(out / "gen" / "model.lwfb")
    inputs = random_inputs(report["inputs"], seed=2)
    (tmp_path / "x.bin").write_bytes(inputs[0].tobytes())
    res = run_image(
        target,
        exe,
        [tmp_path / "x.bin"],
        [tmp_path / "y.bin"],
        repeat=2,
        model_file=out / "gen" / "model.lwfb",
    )
    assert res.profile is not None
    assert [k for _, k, _ in res.profile] == [n["kernel"] for n in graph["nodes"]]
    node_total = sum(t for _, _, t in res.profile)
    assert all(t > 0 for _, _, t in res.profile)
    assert 0.9 * res.total_ticks <= node_total <= res.total_ticks
