"""A TVM function with more than 16 tensors: a CONCATENATION of ten inputs that TVM fuses
with the ADD and MUL producing each of them takes 22 (ten constants twice, the input, the
output). The AOT code passes each function its own argument array, so it runs, equal to
tflite-micro on the host and qemu-cortex-m4; the graph executor keeps its operands on the
stack (LWAI_GRAPH_MAX_OPERANDS = 16), so `lwai run --executor graph` and `lwai convert`
refuse the model naming the node and the limit."""

from __future__ import annotations

import shutil

import int_io_cases as ic
import numpy as np
import pytest

from lwai import driver
from lwai.errors import LwaiError
from lwai.tflite_writer import ModelBuilder

N, SIZE = 10, 7  # TFLM's CONCATENATION takes at most 10 inputs


def _model() -> bytes:
    rng = np.random.default_rng(5)
    mb = ModelBuilder("wide concatenation")
    x = mb.add_tensor("x", (SIZE,), "float32")
    ys = []
    for k in range(N):
        c = mb.add_tensor(f"c{k}", (SIZE,), "float32", data=rng.normal(size=SIZE))
        d = mb.add_tensor(f"d{k}", (SIZE,), "float32", data=rng.normal(size=SIZE))
        a = mb.add_tensor(f"a{k}", (SIZE,), "float32")
        y = mb.add_tensor(f"y{k}", (SIZE,), "float32")
        mb.add_op("ADD", [x, c], [a])
        mb.add_op("MUL", [a, d], [y])
        ys.append(y)
    out = mb.add_tensor("out", (N * SIZE,), "float32")
    mb.add_op("CONCATENATION", ys, [out], {"axis": 0})
    mb.inputs, mb.outputs = [x], [out]
    return mb.build()


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
def test_aot_runs_a_function_of_22_tensors(target, tmp_path, monkeypatch):
    if target != "host" and shutil.which("qemu-system-arm") is None:
        pytest.skip("qemu-system-arm not installed")
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    model = _model()
    path = tmp_path / "wide.tflite"
    path.write_bytes(model)
    x = np.linspace(-3, 3, SIZE, dtype=np.float32)
    (ref,) = ic.tflm_outputs(model, [x])
    outs, info = driver.run_model(path, [x], tmp_path / "w", target)
    np.testing.assert_allclose(outs[0], ref, rtol=1e-6, atol=1e-6)
    report = info["report"]
    assert [op["backend"] for op in report["ops"]] == ["tvm"]  # one fused function
    assert "has 22 operands" in report["graph_refusal"]
    assert report["graph_files"] == {}


def test_graph_executor_refuses_it_by_name(tmp_path, monkeypatch):
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "wide.tflite"
    path.write_bytes(_model())
    x = np.zeros(SIZE, np.float32)
    with pytest.raises(LwaiError) as err:
        driver.run_model(path, [x], tmp_path / "w", "host", executor="graph")
    text = str(err.value)
    assert text.startswith(f"{path}: error: node 0 (tvm:")
    assert "concatenate) has 22 operands; the graph executor takes at most 16 per node" in text


def test_l0_stack_too_small_for_a_wide_call_is_a_compile_error(tmp_path):
    """Cortex-M4 has no stack limit register: a TVM call whose tensors overflow the main
    stack would corrupt memory silently, so the compile refuses it against the config's
    CONFIG_LWAI_STACK_SIZE and names the function, its need and the option. The board's
    own stack size comes from the same option (boards/SConscript)."""
    from lwai.compiler import compile_model
    from lwai.config import defconfig_path

    path = tmp_path / "wide.tflite"
    path.write_bytes(_model())
    small = tmp_path / "small_stack.config"
    small.write_text(defconfig_path("l0_mps2_an386").read_text() + "CONFIG_LWAI_STACK_SIZE=4096\n")
    with pytest.raises(LwaiError) as err:
        compile_model(path, tmp_path / "out", config=small)
    text = str(err.value)
    assert "concatenate takes 22 tensors: its call needs about 5328 bytes of stack" in text
    assert text.endswith(
        "CONFIG_LWAI_STACK_SIZE is 4096 bytes. Set CONFIG_LWAI_STACK_SIZE to "
        "at least 5328 (menuconfig: Target > Main stack)"
    )
    big = tmp_path / "big_stack.config"
    big.write_text(defconfig_path("l0_mps2_an386").read_text() + "CONFIG_LWAI_STACK_SIZE=8192\n")
    assert compile_model(path, tmp_path / "out2", config=big)["graph_refusal"]
