"""TVM's "c" target as lwai uses it (lwai/codegen/tvm_c.py): its printer writes float32
constants with 7 significant digits (24.2913041 as `2.429130e+01f`, 2 ULPs off), so lwai
puts every constant back as an exact hexadecimal literal, and a float model multiplying by a
scalar gives tflite-micro's bits, not merely values within a tolerance."""

from __future__ import annotations

import shutil

import int_io_cases as ic
import numpy as np
import pytest
from tvm.script import tirx as T

from lwai import driver
from lwai.codegen.tvm_c import build_c_source
from lwai.errors import LwaiError
from lwai.tflite_writer import ModelBuilder

SCALAR = np.float32(24.2913041)


def _scaled_model() -> bytes:
    mb = ModelBuilder("scalar multiply")
    x = mb.add_tensor("x", (5,), "float32")
    c = mb.add_tensor("c", (), "float32", data=np.array(SCALAR))
    y = mb.add_tensor("y", (5,), "float32")
    mb.add_op("MUL", [x, c], [y])
    z = mb.add_tensor("z", (5,), "float32")
    mb.add_op("RELU", [y], [z])
    mb.inputs, mb.outputs = [x], [z]
    return mb.build()


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
def test_scalar_constant_is_exact(target, tmp_path, monkeypatch):
    if target != "host" and shutil.which("qemu-system-arm") is None:
        pytest.skip("qemu-system-arm not installed")
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    model = _scaled_model()
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    x = np.array([0.1, 0.7, 1.3, 2.9, 3.3], np.float32)
    (ref,) = ic.tflm_outputs(model, [x])
    # 7 digits would be off: the test can tell the two apart
    assert not np.array_equal(ref, np.maximum(x * np.float32(24.29130), 0))
    outs, info = driver.run_model(path, [x], tmp_path / "w", target)
    assert outs[0].tobytes() == ref.tobytes()
    src = "".join(p.read_text() for p in (info["out"] / "gen" / "src").glob("*_tvm.c"))
    assert f"{float(SCALAR).hex()}f" in src and "2.429130e+01f" not in src


def _func(a_value: float, b_value: float):
    @T.prim_func
    def f(a: T.Buffer((4,), "float32"), b: T.Buffer((4,), "float32")):
        for i in range(4):
            b[i] = a[i] * T.float32(a_value) + T.float32(b_value) + T.float32(-3.0)

    return f


def test_constants_that_print_alike_stop_the_compile():
    src, _ = build_c_source({"f": _func(24.2913041, 0.1)}, "t_")
    assert f"{float(SCALAR).hex()}f" in src and "2.429130e+01f" not in src
    # exact as printed (float32(0.1) is float32(1.000000e-01)): left alone
    assert "1.000000e-01f" in src and "-3.000000e+00f" in src
    with pytest.raises(LwaiError, match=r"print alike in TVM's C code \(2\.429130e\+01f\)"):
        build_c_source({"f": _func(24.2913041, 24.2913046)}, "t_")
