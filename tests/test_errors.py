"""Issue 2, acceptance 4: bad models fail `lwai compile` with one line and exit 2."""

from __future__ import annotations

import subprocess

from conftest import LWAI, shared_model


def run_compile(model, tmp_path):
    return subprocess.run(
        [str(LWAI), "compile", str(model), "-o", str(tmp_path / "out")],
        capture_output=True,
        check=False,
        text=True,
        timeout=300,
    )


def assert_one_line_error(proc, *needles):
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for n in needles:
        assert n in lines[0], lines[0]


# A quantized op lwai lacks (named with its dtype): tests/test_op_coverage.py.


def test_truncated_model(tmp_path):
    data = shared_model("person_detect.tflite").read_bytes()
    bad = tmp_path / "truncated.tflite"
    bad.write_bytes(data[: len(data) // 3])
    proc = run_compile(bad, tmp_path)
    assert_one_line_error(proc, "truncated.tflite", "error")


def test_not_a_model(tmp_path):
    bad = tmp_path / "notes.tflite"
    bad.write_text("this is not a flatbuffer at all\n")
    proc = run_compile(bad, tmp_path)
    assert_one_line_error(proc, "notes.tflite", "not a TFLite flatbuffer")


def test_missing_file(tmp_path):
    proc = run_compile(tmp_path / "nope.onnx", tmp_path)
    assert_one_line_error(proc, "nope.onnx", "no such model file")


def _onnx_model(tmp_path, node, inputs, outputs, name):
    import onnx
    from onnx import helper

    graph = helper.make_graph([node], name, inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    path = tmp_path / f"{name}.onnx"
    onnx.save(model, path)
    return path


def test_float64_graph_output_is_a_clear_error(tmp_path):
    # int64 and bool graph outputs are carried (tests/test_int_io.py); float64 is not.
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [6])
    y = helper.make_tensor_value_info("y", TensorProto.DOUBLE, [6])
    node = helper.make_node("Cast", ["x"], ["y"], to=TensorProto.DOUBLE)
    proc = run_compile(_onnx_model(tmp_path, node, [x], [y], "castd"), tmp_path)
    assert_one_line_error(proc, "castd.onnx", "float64")


def test_multi_output_op_is_a_clear_error(tmp_path):
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [6])
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [3])
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, [3])
    node = helper.make_node("Split", ["x"], ["a", "b"], axis=0, num_outputs=2)
    proc = run_compile(_onnx_model(tmp_path, node, [x], [a, b], "split"), tmp_path)
    assert_one_line_error(proc, "split.onnx", "several outputs")
