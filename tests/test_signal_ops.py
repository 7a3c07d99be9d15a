"""TFLite Micro's signal library custom ops (audio front end) vs TFLM's own interpreter.

- 20 generated single-op cases per op and dtype (tests/signal_cases.py, CELLS below), packed
  into five images, 4 invocations each with a reset before the 4th (SpectralSubtraction's
  noise estimate, Delay's, OverlapAdd's, Framer's and Stacker's buffers are state; the
  frames of an invocation TFLM flags invalid are not compared: TFLM leaves them unwritten),
  bit-exact with TFLM (float32 RFFT/IRFFT/OverlapAdd: within 1e-5 relative) on the host
  and qemu-cortex-m4.
- The micro_speech front-end chain (Window -> FftAutoScale -> Rfft -> Energy -> FilterBank ->
  SquareRoot -> SpectralSubtraction -> PCAN -> Log) as one model, 5 invocations and a reset
  (AOT on host and qemu-cortex-m4; the graph executor on the host).
- An unknown custom op stops the compile naming it; an FFT length TFLM cannot run too.
The reference is TFLM's binary (its wheel's interpreter resolves the Signal* ops by name).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from signal_cases import build, generate

from conftest import tflm_invocations
from lwai import driver
from lwai.tflite_writer import ModelBuilder

CELLS: dict[str, list[str]] = {
    "SignalWindow": ["int16"],
    "SignalFftAutoScale": ["int16"],
    "SignalRfft": ["int16", "int32", "float32"],
    "SignalEnergy": ["int16->uint32"],
    "SignalFilterBank": ["uint32->uint64"],
    "SignalFilterBankSquareRoot": ["uint64->uint32"],
    "SignalFilterBankSpectralSubtraction": ["uint32"],
    "SignalFilterBankLog": ["uint32->int16"],
    "SignalPCAN": ["uint32"],
    "SignalDelay": ["int16"],
    "SignalOverlapAdd": ["int16", "float32"],
    "SignalIrfft": ["int16", "int32", "float32"],
    "SignalFramer": ["int16"],
    "SignalStacker": ["int16"],
}
N = 20
INVOCATIONS, RESET = 4, 3
FB = ("SignalFilterBank", "uint32->uint64")  # uint64 outputs: one model output each
# Images: <= 16 model files each (the Cortex-M boards' command line: 40 arguments).
IMAGES = [
    [
        ("SignalWindow", "int16"),
        ("SignalFftAutoScale", "int16"),
        ("SignalRfft", "int16"),
        ("SignalEnergy", "int16->uint32"),
        (*FB, 0, 4),
    ],
    [
        ("SignalRfft", "int32"),
        ("SignalRfft", "float32"),
        ("SignalFilterBankLog", "uint32->int16"),
        ("SignalPCAN", "uint32"),
        (*FB, 4, 10),
    ],
    [
        ("SignalFilterBankSpectralSubtraction", "uint32"),
        ("SignalFilterBankSquareRoot", "uint64->uint32"),
        ("SignalDelay", "int16"),
        ("SignalOverlapAdd", "int16"),
        ("SignalOverlapAdd", "float32"),
    ],
    [("SignalIrfft", "int16"), ("SignalIrfft", "int32"), (*FB, 10, 20)],
    [("SignalIrfft", "float32"), ("SignalFramer", "int16"), ("SignalStacker", "int16")],
]


def _cases(image: list[tuple]) -> list:
    out = []
    for entry in image:
        key, lo, hi = entry[:2], *(entry[2:] or (0, N))
        seed = 1000 + sorted(CELLS).index(key[0]) * 10 + CELLS[key[0]].index(key[1])
        out += generate(key, N, seed)[lo:hi]
    return out


def _skip_without_qemu(target: str) -> None:
    if target != "host" and shutil.which("qemu-system-arm") is None:
        pytest.skip("qemu-system-arm is not installed")


def _close(got: np.ndarray, want: np.ndarray) -> bool:
    if got.dtype == np.float32:
        scale = max(1.0, float(np.max(np.abs(want))))
        return bool(np.allclose(got, want, rtol=1e-5, atol=1e-5 * scale))
    return bool(np.array_equal(got, want))


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
def test_generated_signal_cases(target, tmp_path):
    """20 cases per op x dtype cell, 4 invocations and a reset, against TFLM."""
    _skip_without_qemu(target)
    counts: dict[tuple[str, str], int] = {}
    bad = []
    with_frames = 0  # Framer/Stacker cases with a valid invocation
    for i, image in enumerate(IMAGES):
        cases = _cases(image)
        b = build(cases, INVOCATIONS, seed=77 + i)
        path = tmp_path / f"signal_{i}.tflite"
        path.write_bytes(b.model)
        ref = tflm_invocations(b.model, b.feeds, RESET)
        got, info = driver.run_model(
            path,
            b.feeds,
            tmp_path / f"w{i}",
            target=target,
            invocations=INVOCATIONS,
            reset_every=RESET,
        )
        kernels = {o["kernel"] for o in info["report"]["ops"]}
        assert any("lwai_signal_" in k or k.startswith("signal_") for k in kernels), kernels
        for c, _, parts in b.layout:
            if c.op in ("SignalFramer", "SignalStacker"):
                # frames, then the valid flag; TFLM leaves an invalid invocation's frames
                # unwritten, so those are compared where TFLM says valid only
                (kf, of, nf), (kv, ov, _) = parts
                valid = ref[kv][:, ov]
                ok = np.array_equal(got[kv][:, ov], valid)
                with_frames += int(valid.any())
                ok = ok and _close(got[kf][valid, of : of + nf], ref[kf][valid, of : of + nf])
            else:
                ok = all(
                    _close(got[k][:, off : off + n], ref[k][:, off : off + n])
                    for k, off, n in parts
                )
            if id(c) in b.direct:
                k = b.direct[id(c)]
                ok = got[k].dtype == np.uint64 and np.array_equal(got[k], ref[k])
            if not ok:
                bad.append(f"{c.op} {c.cell} {c.options}")
            counts[(c.op, c.cell)] = counts.get((c.op, c.cell), 0) + int(ok)
    assert not bad, "\n".join(bad[:10])
    assert with_frames >= 30, with_frames  # of the 40 Framer and Stacker cases
    for op, labels in CELLS.items():
        for label in labels:
            assert counts.get((op, label), 0) >= N, (op, label, counts.get((op, label)))


def _chain_model(rng) -> tuple[bytes, int]:
    """micro_speech's front end on one 30 ms frame of 16 kHz audio (480 samples, FFT 512,
    40 mel channels), every intermediate a model output."""
    from signal_cases import _filter_bank

    frame, fft, ch = 480, 512, 40
    bins = fft // 2 + 1
    mb = ModelBuilder("lwai signal chain")
    x = mb.add_tensor("audio", (frame,), "int16")
    hann = (np.sin(np.pi * (np.arange(frame) + 0.5) / frame) ** 2 * 16384).astype(np.int16)
    w = mb.add_tensor("hann", (frame,), "int16", hann)
    win = mb.add_tensor("windowed", (frame,), "int16")
    mb.add_custom_op("SignalWindow", [x, w], [win], {"shift": 14})
    scaled = mb.add_tensor("scaled", (frame,), "int16")
    bits = mb.add_tensor("scale_bits", (), "int32")
    mb.add_custom_op("SignalFftAutoScale", [win], [scaled, bits], {})
    spec = mb.add_tensor("spectrum", (2 * bins,), "int16")
    mb.add_custom_op("SignalRfft", [scaled], [spec], {"T": 7, "fft_length": fft})
    energy = mb.add_tensor("energy", (bins,), "uint32")
    mb.add_custom_op("SignalEnergy", [spec], [energy], {"start_index": 0, "end_index": bins})
    # mel-like bands: consecutive triangles over bins 4..236
    edges = np.linspace(4, 236, ch + 2).astype(int)
    widths = np.diff(edges)[: ch + 1]
    fstarts, wstarts = edges[: ch + 1], np.concatenate([[0], np.cumsum(widths)[:-1]])
    nw = int(widths.sum())
    weights = rng.integers(0, 4096, nw).astype(np.int16)
    del _filter_bank
    tabs = [
        mb.add_tensor("fb_w", (nw,), "int16", weights),
        mb.add_tensor("fb_uw", (nw,), "int16", (4096 - weights).astype(np.int16)),
        mb.add_tensor("fb_fs", (ch + 1,), "int16", fstarts.astype(np.int16)),
        mb.add_tensor("fb_ws", (ch + 1,), "int16", wstarts.astype(np.int16)),
        mb.add_tensor("fb_wd", (ch + 1,), "int16", widths.astype(np.int16)),
    ]
    fbo = mb.add_tensor("filter_bank", (ch,), "uint64")
    mb.add_custom_op("SignalFilterBank", [energy, *tabs], [fbo], {"num_channels": ch})
    root = mb.add_tensor("sqrt", (ch,), "uint32")
    mb.add_custom_op("SignalFilterBankSquareRoot", [fbo, bits], [root], {})
    sub = mb.add_tensor("subtracted", (ch,), "uint32")
    noise = mb.add_tensor("noise", (ch,), "uint32")
    opts = {
        "num_channels": ch,
        "smoothing": 655,
        "one_minus_smoothing": 16384 - 655,
        "alternate_smoothing": 655,
        "alternate_one_minus_smoothing": 16384 - 655,
        "min_signal_remaining": 819,
        "smoothing_bits": 10,
        "spectral_subtraction_bits": 14,
        "clamping": False,
    }
    mb.add_custom_op("SignalFilterBankSpectralSubtraction", [root], [sub, noise], opts)
    lut = mb.add_tensor("gain_lut", (125,), "int16", rng.integers(-4000, 4000, 125))
    pcan = mb.add_tensor("pcan", (ch,), "uint32")
    mb.add_custom_op("SignalPCAN", [sub, noise, lut], [pcan], {"snr_shift": 6})
    logs = mb.add_tensor("log", (ch,), "int16")
    mb.add_custom_op(
        "SignalFilterBankLog", [pcan], [logs], {"input_correction_bits": 3, "output_scale": 1600}
    )
    mb.inputs = [x]
    mb.outputs = [logs, spec, energy, fbo, root, sub, noise, pcan, bits]
    return mb.build(), frame


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
def test_front_end_chain(target, tmp_path):
    """The whole chain as one model: 5 frames, a reset, the same 5 again, vs TFLM."""
    _skip_without_qemu(target)
    rng = np.random.default_rng(5)
    model, frame = _chain_model(rng)
    path = tmp_path / "chain.tflite"
    path.write_bytes(model)
    t = np.arange(5 * frame).reshape(5, frame)
    audio = (3000 * np.sin(t * 0.07) + rng.normal(0, 800, t.shape)).astype(np.int16)
    feeds = [np.concatenate([audio, audio])]
    ref = tflm_invocations(model, feeds, reset_every=5)
    got, _ = driver.run_model(
        path, feeds, tmp_path / "w", target=target, invocations=10, reset_every=5
    )
    for j, (g, r) in enumerate(zip(got, ref)):
        assert np.array_equal(g, r), f"output {j}: {np.argwhere(g != r)[:5]}"
    noise = got[6]
    assert len({noise[k].tobytes() for k in range(5)}) > 1  # the estimate evolves
    assert np.array_equal(got[0][:5], got[0][5:])  # and the reset restarts it
    assert np.any(got[0] > 0)


@pytest.mark.parametrize("fmt", ["lwfb"])
def test_front_end_chain_graph_executor(fmt, tmp_path):
    """The chain through the graph executor (host): kernels from the registry, the noise
    estimate an arena tensor of the model file, reset by lwai_model_reset_state."""
    rng = np.random.default_rng(5)
    model, frame = _chain_model(rng)
    path = tmp_path / "chain.tflite"
    path.write_bytes(model)
    audio = rng.integers(-8000, 8000, (3, frame)).astype(np.int16)
    feeds = [np.concatenate([audio, audio])]
    ref = tflm_invocations(model, feeds, reset_every=3)
    got, _ = driver.run_model(
        path, feeds, tmp_path / "w", executor="graph", fmt=fmt, invocations=6, reset_every=3
    )
    for j, (g, r) in enumerate(zip(got, ref)):
        assert np.array_equal(g, r), f"output {j}: {np.argwhere(g != r)[:5]}"


def test_unknown_custom_op_is_named(tmp_path):
    from lwai.compiler import compile_model
    from lwai.errors import LwaiError

    mb = ModelBuilder()
    x = mb.add_tensor("x", (4,), "int16")
    y = mb.add_tensor("y", (4,), "int16")
    mb.add_custom_op("SignalNoSuchOp", [x], [y], {"k": 1})
    mb.inputs, mb.outputs = [x], [y]
    path = tmp_path / "bad.tflite"
    path.write_bytes(mb.build())
    with pytest.raises(LwaiError, match=r"CUSTOM\(SignalNoSuchOp\)"):
        compile_model(path, tmp_path / "out")


def test_bad_fft_length_is_refused(tmp_path):
    from lwai.compiler import compile_model
    from lwai.errors import LwaiError

    mb = ModelBuilder()
    x = mb.add_tensor("x", (14,), "int16")
    y = mb.add_tensor("y", (16,), "int16")
    mb.add_custom_op("SignalRfft", [x], [y], {"T": 7, "fft_length": 14})  # half is 7
    mb.inputs, mb.outputs = [x], [y]
    path = tmp_path / "fft14.tflite"
    path.write_bytes(mb.build())
    with pytest.raises(LwaiError, match=r"fft_length 14"):
        compile_model(path, tmp_path / "out")


def test_chain_reference_is_tflm(tmp_path):
    """The reference really is TFLM's binary: its RFFT differs from numpy's float FFT by
    kissfft's fixed-point scaling (1/N overall), which a numpy re-implementation would
    have to reproduce; the signal custom ops resolve by name."""
    x = np.zeros(16, np.int16)
    x[1] = 16384
    mb = ModelBuilder()
    a = mb.add_tensor("a", (16,), "int16")
    b = mb.add_tensor("b", (18,), "int16")
    mb.add_custom_op("SignalRfft", [a], [b], {"T": 7, "fft_length": 16})
    mb.inputs, mb.outputs = [a], [b]
    (out,) = tflm_invocations(mb.build(), [x[None]])
    want = np.fft.rfft(x.astype(np.float64)) / 16
    got = out[0].reshape(-1, 2) @ np.array([1, 1j])
    assert np.allclose(got, want, atol=2)
    assert Path(tmp_path).exists()


STATE_C = r"""
#include <stdio.h>
#include "lwai/kernels.h"
int main(void) {
    lwai_signal_params p = {0};
    lwai_dims in = {1, 1, 3, 40}, ola = {2, 1, 3, 16};
    p.delay_length = 7; p.frame_size = 25; p.frame_step = 10;
    p.num_channels = 5; p.stacker_left_context = 2; p.stacker_right_context = 1;
    printf("%ld %ld %ld %ld %ld %ld\n",
           (long)lwai_signal_spectral_subtraction_u32_get_state_size(&in),
           (long)lwai_signal_delay_s16_get_state_size(&p, &in),
           (long)lwai_signal_overlap_add_s16_get_state_size(&ola),
           (long)lwai_signal_overlap_add_f32_get_state_size(&ola),
           (long)lwai_signal_framer_s16_get_state_size(&p, &in),
           (long)lwai_signal_stacker_s16_get_state_size(&p));
    /* inconsistent calls: each must return LWAI_ERR_INVALID_ARG */
    {
        static int16_t x[64], w[64], y[64], tw[64];
        static uint32_t e[64];
        static const int16_t starts[3] = {0, 60, 0}, widths[3] = {2, 8, 2};
        static uint64_t fb[2];
        lwai_dims d8 = {1, 1, 1, 8}, d7 = {1, 1, 1, 7}, d18 = {1, 1, 1, 18}, d4 = {1, 1, 1, 4};
        lwai_dims d3 = {1, 1, 1, 3}, d2 = {1, 1, 1, 2}, d64 = {1, 1, 1, 64}, d24 = {1, 1, 1, 24};
        lwai_signal_params q = {0};
        q.shift = 3;
        printf("%d ", lwai_signal_window_s16(&q, &d8, x, &d7, w, &d8, y)); /* 8 % 7 */
        q.fft_length = 14; /* half 7: kissfft's generic radix */
        printf("%d ", lwai_signal_rfft_s16(&q, &d8, x, &d24, tw, &d18, y));
        q.fft_length = 16;
        printf("%d ", lwai_signal_rfft_s16(&q, &d18, x, &d24, tw, &d18, y)); /* input > fft */
        q.start_index = 0; q.end_index = 5;
        printf("%d ", lwai_signal_energy_s16(&q, &d8, x, &d4, e)); /* end > 4 bins */
        q.num_channels = 2;
        printf("%d\n", lwai_signal_filter_bank_u32(&q, &d64, e, &d64, w, &d64, w, &d3, starts,
                                                   &d3, starts, &d3, widths, &d2, fb));
    }
    return 0;
}
"""


def test_state_sizes_and_bad_arguments(tmp_path):
    """The C *_get_state_size functions equal the compiler's Python twins, and inconsistent
    kernel calls return LWAI_ERR_INVALID_ARG (band outside the spectrum, bad FFT length...)."""
    import re
    import subprocess

    from lwai.codegen.kernels import KernelPlan, Operand, state_size

    repo = Path(__file__).resolve().parents[1]
    src = tmp_path / "s.c"
    src.write_text(STATE_C)
    exe = tmp_path / "s"
    files = [
        str(repo / "kernels" / "reference" / f"signal_{k}.c")
        for k in (
            "window",
            "rfft",
            "energy",
            "filter_bank",
            "spectral_subtraction",
            "delay",
            "overlap_add",
            "framer",
            "stacker",
        )
    ]
    subprocess.run(
        [
            "gcc",
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Werror",
            f"-I{repo / 'kernels' / 'include'}",
            f"-I{repo / 'runtime' / 'include'}",
            str(src),
            *files,
            "-o",
            str(exe),
        ],
        check=True,
    )
    lines = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    sizes, codes = [[int(v) for v in line.split()] for line in lines.splitlines()]
    fields = {
        "delay_length": 7,
        "frame_size": 25,
        "frame_step": 10,
        "num_channels": 5,
        "stacker_left_context": 2,
        "stacker_right_context": 1,
    }

    def plan(kernel, dims):
        return KernelPlan(kernel, "lwai_signal_params", fields, [Operand("in", 0, "int16", dims)])

    want = [
        state_size(plan("signal_spectral_subtraction_u32", (1, 1, 3, 40))),
        state_size(plan("signal_delay_s16", (1, 1, 3, 40))),
        state_size(plan("signal_overlap_add_s16", (2, 1, 3, 16))),
        state_size(plan("signal_overlap_add_f32", (2, 1, 3, 16))),
        state_size(plan("signal_framer_s16", (1, 1, 3, 40))),
        state_size(plan("signal_stacker_s16", (1, 1, 1, 5))),
    ]
    assert sizes == want
    assert want == [480, 42, 64, 128, 3 * 31 * 2, (5 * 4 + 2) * 2]
    hdr = (repo / "runtime" / "include" / "lwai" / "status.h").read_text()
    invalid = int(re.search(r"LWAI_ERR_INVALID_ARG\s*=\s*(-?\d+)", hdr).group(1))
    assert codes == [invalid] * 5
