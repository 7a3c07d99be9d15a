"""Issue 2/4 acceptance: `lwai demo` (what `make demo` runs) boots the default L0 board
and prints the demo model's outputs beside the TFLite Micro reference."""

from __future__ import annotations

import re
import subprocess

from conftest import LWAI


def test_demo_prints_outputs_beside_reference():
    proc = subprocess.run(
        [str(LWAI), "demo"], capture_output=True, check=False, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "on qemu-cortex-m4" in out
    rows = re.findall(
        r"^\s*(\d+\.\d+)\s+(-?\d+\.\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+\.\d+)\s+yes$",
        out,
        re.MULTILINE,
    )
    assert len(rows) == 8, out
    for x, sine, lwai_q, tflm_q, y in rows:
        assert lwai_q == tflm_q
        assert abs(float(y) - float(sine)) < 0.15  # the model learned the sine
    assert "equals the TFLite Micro reference bit for bit" in out
