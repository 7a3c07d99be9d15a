"""SVDF int8 and float32 cells: 60 generated single-op SVDF models (tests/svdf_cases.py: 20
int8 with int16 state on lwai_svdf_s8, 20 int8 with int8 state on lwai_svdf_state8_s8, 20
float32 on lwai_svdf_f32; random weights, odd sizes, ranks 1-4, memories 1-16, batches 1-4,
edge quantization, fused activations), against tflite-micro on the host and
qemu-cortex-m4: INVOCATIONS invocations with the state carried, lwai_model_reset_state(),
the same invocations again, every output compared at every invocation.

int8 is bit-exact. float32 is bit-exact too, on both targets: lwai_svdf_f32 keeps TFLM's operation order (per
filter dot products accumulated from 0, then bias + the rank sums) and plain float
multiplies and adds, so there is no tolerance.

The cases share compiled images: 12 SVDFs per image (3 shared inputs + 12 outputs fit the
Cortex-M semihosting command line), 5 images per target. With the CMSIS-NN checkout of
LWAI_CMSIS_NN_PATH, the 20 int16-state cases also run on lwai_svdf_cmsis_s8 (qemu-cortex-m4,
2 images).

Cost (`/usr/bin/time .venv/bin/python -m pytest -q tests/test_svdf.py`, empty LWAI_CACHE_DIR,
2 shared cores): about 40 s CPU; with LWAI_CMSIS_NN_PATH set, about 45 s more for the two
CMSIS-NN images.
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
import svdf_cases as sc

from conftest import need_toolchain, tflm_invocations
from lwai import driver

INVOCATIONS = 3
TARGETS = ["host", "qemu-cortex-m4"]
KERNEL = {"s8": "lwai_svdf_s8", "state8": "lwai_svdf_state8_s8", "f32": "lwai_svdf_f32"}
LABEL = {"s8": "int8", "state8": "int8", "f32": "float32"}
GROUPS = sc.groups(INVOCATIONS)
IMAGES = sc.images(GROUPS)
# For scripts/gen_coverage.py: 40 int8 (20 per integer kernel) and 20 float32 generated
# single-op SVDF models, bit-exact with tflite-micro on the host and qemu-cortex-m4.
CELLS: dict[str, list[str]] = {"SVDF": ["int8", "float32"]}


def test_case_counts():
    """>= 20 cases per kernel and per cell; they use the ranks, sizes and edge quantization
    the docstring names; the images fit the Cortex-M command line."""
    cases = sc.cases_of(GROUPS)
    per_kind = {k: sum(c.kind == k for _, c in cases) for k in KERNEL}
    assert all(n >= 20 for n in per_kind.values()), per_kind
    for label in CELLS["SVDF"]:
        assert sum(LABEL[c.kind] == label for _, c in cases) >= 20, label
    assert {c.rank for _, c in cases} == {1, 2, 3, 4}
    assert {g.batch for g in GROUPS} >= {1, 2, 3, 4}
    assert 1 in {c.memory for _, c in cases} and max(c.memory for _, c in cases) >= 13
    ints = [(g, c) for g, c in cases if c.kind != "f32"]
    assert {-128, 127} <= {g.in_q[1] for g, _ in ints}
    assert {-128, 127} <= {c.state_q[1] for _, c in ints if c.kind == "state8"}
    assert any(c.state_q[1] != 0 for _, c in ints if c.kind == "s8")
    assert {-128, 127} <= {c.out_q[1] for _, c in ints}
    assert any(c.wf.min() == -128 for _, c in ints)
    assert {c.activation for _, c in cases if c.kind == "f32"} == set(sc.FLOAT_ACTS)
    for img in IMAGES:
        assert len(img) + sum(len(g.cases) for g in img) <= 16


@pytest.fixture(scope="module")
def references() -> list[list[np.ndarray]]:
    """TFLM's outputs per image: [2 * INVOCATIONS, batch, units] per case (reset between)."""
    refs = []
    for img in IMAGES:
        refs.append(tflm_invocations(sc.build(img), sc.feeds(img, INVOCATIONS), INVOCATIONS))
    return refs


def test_references_carry_state(references):
    """The state matters: most cases' outputs change from invocation to invocation (the
    input changes too), and the second pass after reset() repeats the first."""
    varying = total = 0
    for refs in references:
        for r in refs:
            assert np.array_equal(r[:INVOCATIONS], r[INVOCATIONS:])
            varying += len({r[k].tobytes() for k in range(INVOCATIONS)}) > 1
            total += 1
    assert varying >= total * 9 // 10, (varying, total)
    # a case fed the same input twice still changes: its memory holds the first
    img = IMAGES[0]
    x = [np.concatenate([g.x[:1], g.x[:1]]) for g in img]
    same = tflm_invocations(sc.build(img), x)
    assert sum(not np.array_equal(r[0], r[1]) for r in same) >= len(same) // 2


def _check(img, got, refs) -> list[str]:
    bad = []
    for (g, c), out, ref in zip(sc.cases_of(img), got, refs, strict=True):
        if out.dtype != ref.dtype or not np.array_equal(out, ref):
            diff = np.argwhere(out != ref)[:3].tolist()
            bad.append(
                f"{c.name} ({c.kind}, batch {g.batch}, rank {c.rank}, memory "
                f"{c.memory}): first differences at {diff}"
            )
    return bad


@pytest.mark.parametrize("image", range(len(IMAGES)))
@pytest.mark.parametrize("target", TARGETS)
def test_matches_tflite_micro(target, image, references, tmp_path, monkeypatch):
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    img = IMAGES[image]
    path = tmp_path / "svdf.tflite"
    path.write_bytes(sc.build(img))
    got, info = driver.run_model(
        path,
        sc.feeds(img, INVOCATIONS),
        tmp_path / "w",
        target=target,
        invocations=2 * INVOCATIONS,
        reset_every=INVOCATIONS,
    )
    used = {o["kernel"] for o in info["report"]["ops"]}
    assert used == {KERNEL[c.kind] for _, c in sc.cases_of(img)}, used
    bad = _check(img, got, references[image])
    assert not bad, f"{target}: differ from tflite-micro:\n" + "\n".join(bad)


CMSIS_ENV = os.environ.get("LWAI_CMSIS_NN_PATH")
# the 20 int16-state cases in 2 images of 5 groups (5 inputs + 10 outputs each)
CMSIS_IMAGES = sc.images(sc.only(GROUPS, "s8"), 5)


@pytest.mark.skipif(
    not CMSIS_ENV or shutil.which("qemu-system-arm") is None,
    reason="LWAI_CMSIS_NN_PATH is unset (or no qemu-system-arm): point it at a CMSIS-NN "
    "checkout to test lwai_svdf_cmsis_s8 (docs/cmsis-nn.md)",
)
@pytest.mark.parametrize("image", range(len(CMSIS_IMAGES)))
def test_cmsis_nn_matches_tflite_micro(image, tmp_path, monkeypatch):
    """The 20 int16-state cases with kernels=cmsis-nn on qemu-cortex-m4: CMSIS-NN's
    arm_svdf_state_s16_s8 (with a non-zero state zero point: lwai's reference kernel)."""
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    img = CMSIS_IMAGES[image]
    assert sum(len(g.cases) for g in CMSIS_IMAGES[0] + CMSIS_IMAGES[-1]) == 20
    model = sc.build(img)
    path = tmp_path / "svdf.tflite"
    path.write_bytes(model)
    feeds = sc.feeds(img, INVOCATIONS)
    got, info = driver.run_model(
        path,
        feeds,
        tmp_path / "w",
        target="qemu-cortex-m4",
        kernels="cmsis-nn",
        invocations=2 * INVOCATIONS,
        reset_every=INVOCATIONS,
    )
    assert "lwai_svdf_cmsis_s8" in {o["kernel"] for o in info["report"]["ops"]}
    bad = _check(img, got, tflm_invocations(model, feeds, INVOCATIONS))
    assert not bad, "cmsis-nn: differ from tflite-micro:\n" + "\n".join(bad)
