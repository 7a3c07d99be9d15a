"""Issue 2, acceptance 4: bad models fail `lwai compile` with one line and exit 2."""

from __future__ import annotations

import subprocess

import pytest

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


@pytest.mark.parametrize("name", ["keyword_scrambled.tflite", "keyword_scrambled_8bit.tflite"])
def test_unsupported_op_names_op_and_model(name, tmp_path):
    proc = run_compile(shared_model(name), tmp_path)
    assert_one_line_error(proc, "SVDF", name)


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
