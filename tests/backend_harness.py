"""Differential harness for lwai's optimized kernel backends on the QEMU Cortex-M boards.

A backend is a set of C files defining ``lwai_<op>_<suffix>_<dtype>`` kernels with the
prototypes of ``kernels/include/lwai/kernels_optimized.h`` (suffix "opt" for lwai's own
kernels, "cmsis" for the CMSIS-NN adapter). For a batch of generated cases
(``tests/kernel_cases.py``) the harness emits one C program that, per case, runs the
reference kernel and the backend kernel on the same data and records both statuses, both
outputs, the backend's ``*_get_buffer_size`` and the instructions each call took; builds it
with arm-none-eabi-gcc for the target's board (the boards/cortex-m startup and semihosting
hooks, the board's linker script), runs it under ``qemu-system-arm -icount shift=0`` and
reads the record file back. :func:`check_cases` then asserts backend == reference ==
TFLite Micro bit for bit, and the Python twin of the buffer size == C.

:func:`benchmark_model` runs every kernel call of a compiled model (``lwai compile``'s
generated C) with both implementations in the model's own arena and reports instructions
per layer. ``python tests/backend_harness.py [--target ...] MODEL.tflite ...`` prints it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import kernel_cases as kc

from lwai.codegen.kernels import KernelPlan, c_array, emit_kernel_call, plan_kernel
from lwai.targets import command

REF_DIR = ROOT / "kernels" / "reference"
OPT_DIR = ROOT / "kernels" / "optimized"
BOARDS = ROOT / "boards"

# target -> (board, CPU flags, SysTick clock in Hz: boards/SConscript)
TARGET_BOARD = {
    "qemu-cortex-m4": (
        "mps2-an386",
        ["-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"],
        25_000_000,
    ),
    "qemu-cortex-m55": (
        "mps3-an547",
        ["-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard"],
        32_000_000,
    ),
}
# "host": the build machine's gcc and boards/posix (no DSP extension: the portable C
# fallbacks of the armv7em files; ticks are nanoseconds, not instructions).
HOST = "host"
# The optimized folder each CPU builds. A kernel file missing there is taken from
# FALLBACK_ARCH (the Cortex-M55 has the DSP extension too), so the M55 runs the armv7em
# kernels until kernels/optimized/armv81m/<op>.c exists.
ARCH_OF_TARGET = {"qemu-cortex-m4": "armv7em", "qemu-cortex-m55": "armv81m", HOST: "armv7em"}
FALLBACK_ARCH = {"armv81m": "armv7em"}

# Kernels taking a lwai_context (CMSIS-NN's lifecycle) and the operand indexes (into
# KernelPlan.operands) of the dims their *_get_buffer_size takes after params.
CTX_KERNELS: dict[str, tuple[int, ...]] = {
    "conv2d_s8": (0, 1, 3),
    "depthwise_conv2d_s8": (0, 1, 3),
    "fully_connected_s8": (0, 1, 3),
    "avg_pool2d_s8": (0, 1),
    # 16x8 kernels of the cmsis-nn backend (tests/test_cmsis_nn.py)
    "conv2d_s16": (0, 1, 3),
    "depthwise_conv2d_s16": (0, 1, 3),
    "avg_pool2d_s16": (0, 1),
}
# op kind (= reference/backend file stem) -> int8 kernel name
KIND_KERNEL = {
    "conv2d": "conv2d_s8",
    "depthwise_conv2d": "depthwise_conv2d_s8",
    "fully_connected": "fully_connected_s8",
    "avg_pool2d": "avg_pool2d_s8",
    "max_pool2d": "max_pool2d_s8",
    "add": "add_s8",
    "mul": "mul_s8",
    "softmax": "softmax_s8",
}

SizeFn = Callable[[str, dict, list], int]


def symbol(kernel: str, suffix: str) -> str:
    """lwai_conv2d_opt_s8 for ("conv2d_s8", "opt")."""
    head, _, dtype = kernel.rpartition("_")
    return f"lwai_{head}_{suffix}_{dtype}"


@dataclass
class Backend:
    """What to build and call: ``sources`` define ``symbol(kernel, suffix)`` for ``kernels``."""

    suffix: str
    sources: list[Path]
    kernels: set[str]
    includes: list[Path] = field(default_factory=list)
    defines: list[str] = field(default_factory=list)
    size_fn: SizeFn | None = None  # Python twin of the *_get_buffer_size functions
    cflags: list[str] = field(default_factory=lambda: ["-O2"])
    header: str = "lwai/kernels_optimized.h"  # declares the backend's kernels
    objects: list[Path] = field(default_factory=list)  # prebuilt objects/archives to link


def optimized_backend(target: str) -> Backend:
    """lwai's optimized kernels for ``target``'s CPU: kernels/optimized/<arch>/ (each op file
    missing there taken from the fallback arch folder)."""
    arch = ARCH_OF_TARGET[target]
    files: dict[str, Path] = {}
    for a in (FALLBACK_ARCH.get(arch), arch):
        if a and (OPT_DIR / a).is_dir():
            files.update({p.stem: p for p in sorted((OPT_DIR / a).glob("*.c"))})
    kernels = {KIND_KERNEL[s] for s in files if s in KIND_KERNEL}
    size_fn = None
    try:
        from lwai.backends import optimized_armv7em

        if arch == "armv7em" or not any((OPT_DIR / arch).glob("*.c")):
            size_fn = optimized_armv7em.buffer_size
    except ImportError:
        pass
    if arch == "armv81m" and any((OPT_DIR / arch).glob("*.c")):
        try:
            from lwai.backends import optimized_armv81m  # type: ignore[attr-defined]

            size_fn = optimized_armv81m.buffer_size
        except ImportError:
            size_fn = None
    return Backend("opt", list(files.values()), kernels, size_fn=size_fn)


# ---- build and run --------------------------------------------------------------------------


def _cc(target: str) -> list[str]:
    _board, cpu, hz = TARGET_BOARD[target] if target != HOST else ("host", [], 1_000_000_000)
    return [
        "arm-none-eabi-gcc" if target != HOST else "gcc",
        *cpu,
        "-std=c99",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-ffunction-sections",
        "-fdata-sections",
        f"-DLWAI_BOARD_CPU_HZ={hz}u",
        f"-I{ROOT / 'kernels' / 'include'}",
        f"-I{ROOT / 'runtime' / 'include'}",
        f"-I{BOARDS / 'include'}",
        f"-I{BOARDS / 'cortex-m'}",
    ]


_OBJ_CACHE: dict[tuple, Path] = {}


def build_image(
    target: str, main_c: Path, backend: Backend | None, workdir: Path, ref_flags: str = "-Os"
) -> Path:
    """Links main_c + reference kernels (``ref_flags``, the product's -Os) + backend sources
    (its cflags) + board startup into an ELF for ``target``."""
    cc = _cc(target)
    objs = []
    jobs: list[tuple[Path, list[str]]] = [(main_c, ["-O2"])]
    jobs += [(s, [ref_flags]) for s in sorted(REF_DIR.glob("*.c"))]
    if target == HOST:
        jobs += [(BOARDS / "posix" / "board.c", ["-O2"])]
    else:
        jobs += [(BOARDS / "cortex-m" / f, ["-Os"]) for f in ("startup.c", "board.c")]
    if backend is not None:
        extra = [f"-I{p}" for p in backend.includes] + [f"-D{d}" for d in backend.defines]
        jobs += [(s, backend.cflags + extra) for s in backend.sources]
    for k, (src, flags) in enumerate(jobs):
        # library files (not the generated main) compile once per session and flags
        key = (tuple(cc + flags), str(src), src.stat().st_mtime_ns)
        if src != main_c and key in _OBJ_CACHE and _OBJ_CACHE[key].exists():
            objs.append(_OBJ_CACHE[key])
            continue
        obj = workdir / f"{k:03d}_{src.stem}.o"
        subprocess.run(
            [*cc, *flags, "-c", str(src), "-o", str(obj)],
            check=True,
            capture_output=True,
            text=True,
        )
        _OBJ_CACHE[key] = obj
        objs.append(obj)
    if backend is not None:
        objs += list(backend.objects)
    elf = workdir / f"{main_c.stem}.elf"
    if target == HOST:
        link = ["gcc", *[str(o) for o in objs], "-lm", "-o", str(elf)]
        subprocess.run(link, check=True, capture_output=True, text=True)
        return elf
    board, cpu, _ = TARGET_BOARD[target]
    link = [
        "arm-none-eabi-gcc",
        *cpu,
        "-nostartfiles",
        "--specs=nano.specs",
        "-Wl,--gc-sections",
        f"-L{BOARDS / 'cortex-m'}",
        f"-T{BOARDS / board / 'link.ld'}",
        *[str(o) for o in objs],
        "-lm",
        "-lgcc",
        "-o",
        str(elf),
    ]
    subprocess.run(link, check=True, capture_output=True, text=True)
    return elf


def run_image(target: str, elf: Path, out_file: Path, timeout: float = 300) -> None:
    if target == HOST:
        cmd = [str(elf), str(out_file.resolve())]
    else:
        cmd = command(target, elf, [str(out_file.resolve())])
    proc = subprocess.run(
        cmd, check=False, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    if proc.returncode != 0 or not out_file.exists():
        raise RuntimeError(
            f"{elf.name} on {target} failed ({proc.returncode}): {proc.stdout}{proc.stderr}"
        )


def ticks_to_instructions(target: str, ticks: int) -> int:
    """Instructions on the QEMU boards (-icount shift=0); nanoseconds on the host."""
    hz = TARGET_BOARD[target][2] if target != HOST else 1_000_000_000
    return ticks * 1_000_000_000 // hz


_MAIN_HEAD = """#include <stdint.h>
#include <string.h>
#include "lwai/board.h"
#include "lwai/kernels.h"
#include "lwai/kernels_optimized.h"
"""


def _main_head(backend: Backend) -> str:
    extra = f'#include "{backend.header}"\n'
    return _MAIN_HEAD if extra in _MAIN_HEAD else _MAIN_HEAD + extra


_MAIN_TAIL = """
int main(int argc, char **argv)
{
    lwai_board_init();
    if (argc < 2) {
        lwai_board_eputs("usage: harness OUT.bin\\n");
        return 2;
    }
    run_all();
    return lwai_board_write_file(argv[1], rec, rec_len) == 0 ? 0 : 1;
}
"""

# one record per case: st_ref, st_backend, buffer size, st with ctx 1 byte too small,
# ticks_ref, ticks_backend (int32), then the two outputs, each padded to 4 bytes
_HDR_WORDS = 6


def _pad4(n: int) -> int:
    return (n + 3) // 4 * 4


@dataclass
class CaseResult:
    st_ref: int
    st_backend: int
    c_size: int
    st_small_ctx: int
    ticks_ref: int
    ticks_backend: int
    ref: np.ndarray
    got: np.ndarray


def python_size(backend: Backend, plan: KernelPlan) -> int:
    """The backend's Python twin of *_get_buffer_size for one kernel call (0 without one)."""
    if backend.size_fn is None or plan.kernel not in CTX_KERNELS:
        return 0
    dims = [plan.operands[j].dims for j in CTX_KERNELS[plan.kernel]]
    return backend.size_fn(plan.kernel, plan.fields, dims)


def _emit_case_program(cases: list[kc.Case], backend: Backend) -> tuple[str, list[int], int]:
    defs: list[str] = []
    body: list[str] = []
    out_sizes: list[int] = []
    max_out = 1
    for k, case in enumerate(cases):
        p = f"c{k}"
        op = case.op_desc()
        plan = plan_kernel(op)
        if plan.kernel not in backend.kernels:
            raise ValueError(f"{case.name}: backend has no {plan.kernel}")
        exprs: list[str | None] = []
        feed = iter(case.feeds)
        for i, t in enumerate(case.inputs):
            if t.data is not None:
                exprs.append(None)
            else:
                name = f"{p}_x{i}"
                defs.append(c_array(name, next(feed), t.dtype))
                exprs.append(f"(const uint8_t *){name}")
        n_out = max(int(np.prod(case.output.shape)), 1)
        nbytes = n_out * np.dtype(case.output.dtype).itemsize
        max_out = max(max_out, nbytes)
        call = emit_kernel_call(op, p, exprs, "(uint8_t *)yr")
        defs.append(call.definitions)
        ref_call = call.call
        ref_name = f"lwai_{plan.kernel}"
        opt_call = ref_call.replace(f"{ref_name}(", f"{symbol(plan.kernel, backend.suffix)}(", 1)
        opt_call = opt_call.replace("(uint8_t *)yr", "(uint8_t *)yo")
        size_expr = "0"
        small_call = "0"
        if plan.kernel in CTX_KERNELS:
            dnames = []
            for j in CTX_KERNELS[plan.kernel]:
                d = plan.operands[j].dims
                defs.append(
                    f"static const lwai_dims {p}_sd{j} = {{{d[0]}, {d[1]}, {d[2]}, {d[3]}}};\n"
                )
                dnames.append(f"&{p}_sd{j}")
            size_expr = f"{symbol(plan.kernel, backend.suffix)}_get_buffer_size(&{p}_params, {', '.join(dnames)})"
            head, _, rest = opt_call.partition("(")
            small_call = f"{head}(&small, {rest}"
            opt_call = f"{head}(&ctx, {rest}"
        body.append(
            f"    /* {case.name} */\n"
            f"    size = {size_expr};\n"
            f"    ctx.buf = size > 0 ? (void *)scratch : NULL;\n"
            f"    ctx.size = size;\n"
            f"    small.buf = (void *)scratch;\n"
            f"    small.size = size - 1;\n"
            f"    memset(yr, 0x5A, sizeof yr);\n"
            f"    memset(yo, 0xA5, sizeof yo);\n"
            f"    t0 = lwai_board_ticks();\n"
            f"    st_ref = {ref_call};\n"
            f"    t1 = lwai_board_ticks();\n"
            f"    if (size > (int32_t)sizeof scratch) {{\n"
            f"        st_opt = -100;\n"
            f"    }} else {{\n"
            f"        st_opt = {opt_call};\n"
            f"    }}\n"
            f"    t2 = lwai_board_ticks();\n"
            f"    st_small = size > 0 && size <= (int32_t)sizeof scratch ? {small_call} : 0;\n"
            f"    put(st_ref, st_opt, size, st_small, (int32_t)(t1 - t0), (int32_t)(t2 - t1), {nbytes});\n"
        )
        out_sizes.append(nbytes)
    total = sum(_HDR_WORDS * 4 + 2 * _pad4(n) for n in out_sizes)
    # room for twice the Python twin's size: a C size above it is reported, not overrun
    sizes = [python_size(backend, plan_kernel(c.op_desc())) for c in cases]
    scratch = max([4096, *[2 * s + 64 for s in sizes]])
    src = (
        _main_head(backend)
        + f"static uint8_t rec[{total}] __attribute__((aligned(4)));\n"
        + "static uint32_t rec_len;\n"
        + f"static uint8_t scratch[{scratch}] __attribute__((aligned(16)));\n"
        + f"static int8_t yr[{_pad4(max_out)}] __attribute__((aligned(4)));\n"
        + f"static int8_t yo[{_pad4(max_out)}] __attribute__((aligned(4)));\n"
        + "static void put(int32_t a, int32_t b, int32_t c, int32_t d, int32_t e, int32_t f,\n"
        + "                uint32_t n)\n{\n"
        + "    const int32_t h[6] = {a, b, c, d, e, f};\n"
        + "    memcpy(rec + rec_len, h, sizeof h);\n    rec_len += sizeof h;\n"
        + "    memcpy(rec + rec_len, yr, n);\n    rec_len += (n + 3u) & ~3u;\n"
        + "    memcpy(rec + rec_len, yo, n);\n    rec_len += (n + 3u) & ~3u;\n}\n\n"
        + "".join(defs)
        + "\nstatic void run_all(void)\n{\n"
        + "    lwai_context ctx, small;\n    int32_t size, st_ref, st_opt, st_small;\n"
        + "    uint64_t t0, t1, t2;\n"
        + "    (void)ctx;\n    (void)small;\n"
        + "".join(body)
        + "}\n"
        + _MAIN_TAIL
    )
    return src, out_sizes, total


def _case_bytes(case: kc.Case) -> int:
    n = sum(int(np.prod(t.shape)) * np.dtype(t.dtype).itemsize for t in case.inputs)
    return n + int(np.prod(case.output.shape)) * np.dtype(case.output.dtype).itemsize


def run_cases(
    cases: list[kc.Case],
    backend: Backend,
    target: str,
    workdir: Path,
    max_bytes: int = 96 << 10,
) -> list[CaseResult]:
    """Runs every case on ``target`` (as few images as the board's flash allows)."""
    workdir.mkdir(parents=True, exist_ok=True)
    batches: list[list[kc.Case]] = []
    cur: list[kc.Case] = []
    size = 0
    for c in cases:
        b = _case_bytes(c)
        if cur and size + b > max_bytes:
            batches.append(cur)
            cur, size = [], 0
        cur.append(c)
        size += b
    if cur:
        batches.append(cur)
    results: list[CaseResult] = []
    for i, batch in enumerate(batches):
        src, out_sizes, total = _emit_case_program(batch, backend)
        main_c = workdir / f"harness_{i}.c"
        main_c.write_text(src)
        elf = build_image(target, main_c, backend, workdir)
        out_file = workdir / f"harness_{i}.bin"
        run_image(target, elf, out_file)
        raw = out_file.read_bytes()
        if len(raw) != total:
            raise RuntimeError(f"{out_file}: {len(raw)} bytes, expected {total}")
        pos = 0
        for case, n in zip(batch, out_sizes):
            h = np.frombuffer(raw[pos : pos + 4 * _HDR_WORDS], dtype="<i4")
            pos += 4 * _HDR_WORDS
            ref = np.frombuffer(raw[pos : pos + n], dtype=case.output.dtype).copy()
            pos += _pad4(n)
            got = np.frombuffer(raw[pos : pos + n], dtype=case.output.dtype).copy()
            pos += _pad4(n)
            results.append(CaseResult(*(int(v) for v in h), ref, got))  # type: ignore[arg-type]
    return results


_TFLM_CACHE: dict[str, np.ndarray] = {}


def tflm_output(case: kc.Case) -> np.ndarray:
    """TFLite Micro's output of a case (cached by case name + data: runs once per session)."""
    key = case.name + ":" + str(hash(case.model()))
    if key not in _TFLM_CACHE:
        _TFLM_CACHE[key] = kc.tflm_reference(case)
    return _TFLM_CACHE[key]


def check_cases(cases: list[kc.Case], results: list[CaseResult], backend: Backend) -> list[str]:
    """Mismatch messages (empty when backend == reference == TFLM and the sizes agree)."""
    failures = []
    for case, r in zip(cases, results):
        plan = plan_kernel(case.op_desc())
        if r.st_ref != 0 or r.st_backend != 0:
            failures.append(f"{case.name}: status reference {r.st_ref}, backend {r.st_backend}")
            continue
        if not np.array_equal(r.ref, r.got):
            bad = np.flatnonzero(r.ref != r.got)
            failures.append(
                f"{case.name}: backend differs from reference at {bad.size}/{r.ref.size}, first "
                f"[{bad[0]}] {r.got[bad[0]]} != {r.ref[bad[0]]}"
            )
        msg = kc.compare(case, r.got, tflm_output(case))
        if msg:
            failures.append(f"vs TFLM: {msg}")
        if plan.kernel in CTX_KERNELS:
            if r.c_size > 0 and r.st_small_ctx != -1:
                failures.append(f"{case.name}: ctx one byte short gave status {r.st_small_ctx}")
            if backend.size_fn is not None:
                py = python_size(backend, plan)
                if py != r.c_size:
                    failures.append(f"{case.name}: buffer size Python {py} != C {r.c_size}")
    return failures


# ---- model benchmark -----------------------------------------------------------------------

# The per-node hook line (runtime/include/lwai/node_hook.h) may sit between them.
_CALL = re.compile(
    r"/\* (\d+): (\w+) -> (lwai_\w+) \*/\s*\n(?:\s*LWAI_NODE_BEGIN\(.*\);\s*\n)?"
    r"\s*st = (lwai_\w+)\((.*)\);"
)


def _reference_kernel(fn: str) -> str:
    """conv2d_s8 for lwai_conv2d_s8, lwai_conv2d_opt_s8 and lwai_conv2d_cmsis_s8."""
    head, _, dtype = fn[len("lwai_") :].rpartition("_")
    for tag in ("_opt", "_cmsis"):
        head = head.removesuffix(tag)
    return f"{head}_{dtype}"


def _split_args(s: str) -> list[str]:
    out, depth, cur = [], 0, []
    for ch in s:
        if ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        depth += ch in "({"
        depth -= ch in ")}"
        cur.append(ch)
    out.append("".join(cur).strip())
    return out


@dataclass
class LayerTime:
    index: int
    kind: str
    kernel: str
    ref: int  # instructions
    backend: int | None  # None: the backend lacks the kernel (the reference ran)
    mismatches: int
    status: int
    c_size: int = 0  # the backend's *_get_buffer_size for this call
    planned: int | None = None  # scratch the compiler planned, when the model calls it


def benchmark_model(
    model_dir: Path, backend: Backend, target: str, workdir: Path
) -> list[LayerTime]:
    """Each kernel call of the compiled model (``lwai compile -o model_dir``): reference, then
    backend, on the model's own arena (filled with pseudo-random bytes, then each layer's
    reference output feeding the next). Reports instructions per call and output mismatches."""
    workdir.mkdir(parents=True, exist_ok=True)
    report = json.loads((model_dir / "report.json").read_text())
    (c_file,) = sorted((model_dir / "src").glob("*_model.c"))
    text = c_file.read_text()
    start = text.index("static const")
    end = text.index("static lwai_status run(")
    defs = text[start:end]
    calls = _CALL.findall(text[end:])
    if not calls:
        raise ValueError(f"{c_file}: no kernel calls found")
    body = []
    kernels = []
    planned: list[int | None] = []
    for idx, kind, _, fn, args in calls:
        a = _split_args(args)
        kernel = _reference_kernel(fn)
        kernels.append(kernel)
        m = re.fullmatch(r"&\(lwai_context\)\{.*, (\d+)\}", a[0])
        planned.append(int(m.group(1)) if m and fn == symbol(kernel, backend.suffix) else None)
        if a[0].startswith("&(lwai_context)"):
            # the model calls a backend kernel: bench the reference and this backend instead
            a = a[1:]
            args = ", ".join(a)
        fn = f"lwai_{kernel}"
        out_ptr, out_dims = a[-1], a[-2]
        if not re.fullmatch(r"&op\d+_d\d+", out_dims):  # no dims (reshape): nothing to compare
            out_dims = "NULL"
        has = kernel in backend.kernels
        opt = "0"
        size = "0"
        if has:
            sym = symbol(kernel, backend.suffix)
            if kernel in CTX_KERNELS:
                dims = [a[2], a[4], a[8]] if len(CTX_KERNELS[kernel]) == 3 else [a[1], a[3]]
                size = f"{sym}_get_buffer_size({a[0]}, {', '.join(dims)})"
                opt = f"{sym}(&ctx, {args})"
            else:
                opt = f"{sym}({args})"
        body.append(
            f"    n = cnt({out_dims});\n"
            f"    t0 = lwai_board_ticks();\n"
            f"    st = {fn}({args});\n"
            f"    t1 = lwai_board_ticks();\n"
            f"    memcpy(saved, {out_ptr}, (size_t)n);\n"
            f"    size = {size};\n"
            f"    ctx.buf = scratch;\n    ctx.size = size;\n"
            f"    if (size > (int32_t)sizeof scratch) {{\n        st = -100;\n    }}\n"
            f"    t2 = lwai_board_ticks();\n"
            f"    if ({int(has)} && st == 0) {{\n        st = {opt};\n    }}\n"
            f"    t3 = lwai_board_ticks();\n"
            f"    bad = 0;\n"
            f"    for (i = 0; i < n; ++i) {{\n"
            f"        bad += ((const int8_t *)({out_ptr}))[i] != saved[i];\n    }}\n"
            f"    memcpy({out_ptr}, saved, (size_t)n);\n"
            f"    put({idx}, (int32_t)(t1 - t0), (int32_t)(t3 - t2), bad, st, size);\n"
        )
    arena = int(report["arena_bytes"])
    src = (
        _main_head(backend)
        + "#include <stddef.h>\n#include <math.h>\n"
        + f"static uint8_t arena_buf[{max(arena, 16)}] __attribute__((aligned(16)));\n"
        + "static uint8_t *const arena = arena_buf;\n"
        + "static uint8_t scratch[64 * 1024] __attribute__((aligned(16)));\n"
        + "static int8_t saved[64 * 1024];\n"
        + f"static int32_t rec[{6 * len(calls)}];\n"
        + "static uint32_t rec_len;\n"
        + "static int32_t cnt(const lwai_dims *d)\n{\n"
        + "    return d == NULL ? 0 : d->n * d->h * d->w * d->c;\n}\n"
        + "static void put(int32_t a, int32_t b, int32_t c, int32_t d, int32_t e, int32_t f)\n"
        + "{\n    rec[rec_len++] = a;\n    rec[rec_len++] = b;\n    rec[rec_len++] = c;\n"
        + "    rec[rec_len++] = d;\n    rec[rec_len++] = e;\n    rec[rec_len++] = f;\n}\n"
        + defs.replace("lwai_model_", "lwai_bench_")
        + "\nstatic void run_all(void)\n{\n"
        + "    lwai_context ctx;\n    int32_t n, i, bad, size;\n    int st;\n"
        + "    uint64_t t0, t1, t2, t3;\n    uint32_t x = 12345u;\n"
        + f"    for (i = 0; i < {arena}; ++i) {{\n"
        + "        x = x * 1664525u + 1013904223u;\n        arena_buf[i] = (uint8_t)(x >> 24);\n    }\n"
        + "".join(body)
        + "    rec_len *= 4u;\n}\n"
        + _MAIN_TAIL
    )
    main_c = workdir / "bench.c"
    main_c.write_text(src)
    elf = build_image(target, main_c, backend, workdir)
    out = workdir / "bench.bin"
    run_image(target, elf, out, timeout=600)
    rec = np.frombuffer(out.read_bytes(), dtype="<i4").reshape(-1, 6)
    layers = []
    for (idx, kind, _, _, _), kernel, plan, row in zip(calls, kernels, planned, rec):
        has = kernel in backend.kernels
        layers.append(
            LayerTime(
                int(idx),
                kind,
                kernel,
                ticks_to_instructions(target, int(row[1])),
                ticks_to_instructions(target, int(row[2])) if has else None,
                int(row[3]),
                int(row[4]),
                int(row[5]),
                plan,
            )
        )
    return layers


def format_benchmark(name: str, layers: list[LayerTime]) -> str:
    lines = [f"{name}: instructions per layer (reference -> backend)"]
    tot_ref = tot_opt = 0
    for lt in layers:
        opt = lt.backend if lt.backend is not None else lt.ref
        tot_ref += lt.ref
        tot_opt += opt
        tag = "" if lt.backend is not None else "  (reference)"
        bad = f"  MISMATCH {lt.mismatches}" if lt.mismatches else ""
        st = f"  status {lt.status}" if lt.status else ""
        lines.append(
            f"  {lt.index:3d} {lt.kernel:22s} {lt.ref:11,d} -> {opt:11,d}"
            f"  x{lt.ref / max(opt, 1):5.1f}{tag}{bad}{st}"
        )
    lines.append(
        f"  sum {'':22s} {tot_ref:11,d} -> {tot_opt:11,d}  x{tot_ref / max(tot_opt, 1):5.1f}"
    )
    return "\n".join(lines)


# The board config a target's model is compiled with (scratch sizes planned for its CPU).
TARGET_DEFCONFIG = {
    "qemu-cortex-m4": "l0_mps2_an386_defconfig",
    "qemu-cortex-m55": "l0_mps3_an547_defconfig",
}


def compile_model(model: Path, out_dir: Path, target: str | None = None) -> Path:
    """``lwai compile``; with ``target``, for that target's board config (default: the
    default config)."""
    lwai = ROOT / ".venv" / "bin" / "lwai"
    cmd = [str(lwai), "compile", str(model), "-o", str(out_dir)]
    if target in TARGET_DEFCONFIG:
        cmd += ["--defconfig", TARGET_DEFCONFIG[target]]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return out_dir


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("models", nargs="+", type=Path)
    ap.add_argument("--target", default="qemu-cortex-m4", choices=sorted(TARGET_BOARD))
    args = ap.parse_args(argv)
    backend = optimized_backend(args.target)
    with tempfile.TemporaryDirectory(prefix="lwai_bench_") as tmp:
        for m in args.models:
            d = compile_model(m, Path(tmp) / m.stem, args.target)
            layers = benchmark_model(d, backend, args.target, Path(tmp) / (m.stem + "_bench"))
            print(format_benchmark(f"{m.stem} on {args.target}", layers))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main(sys.argv[1:]))
