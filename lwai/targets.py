"""Run a built lwai image on its target: the host, qemu-arm (L1) or a QEMU board (L0).

Every image is the generic app (``boards/app/lwai_app.c``) and speaks one protocol::

    lwai_app [-n REPEAT] -i IN0.bin ... -o OUT0.bin ...
    -> "lwai: ok ticks=<total> runs=<REPEAT> tick_hz=<rate>"  (exit 0)
    -> "lwai: error: ..."                                     (exit != 0)

On the Cortex-M boards the arguments travel over semihosting (QEMU's ``arg=`` list) and the
files are read and written by QEMU on the build machine, so paths must be absolute and free
of spaces. QEMU runs with ``-icount shift=0``: one virtual nanosecond per executed
instruction, so the board's SysTick count is deterministic and converts to instructions.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lwai.errors import LwaiError

TARGETS = ("host", "qemu-arm", "qemu-cortex-m4", "qemu-cortex-m55")

# target -> the board its image is built for (boards/SConscript)
BOARD_OF_TARGET = {
    "host": "host",
    "qemu-arm": "linux-armv7a",
    "qemu-cortex-m4": "mps2-an386",
    "qemu-cortex-m55": "mps3-an547",
}

# QEMU machine per L0 target.
QEMU_MACHINE = {"qemu-cortex-m4": "mps2-an386", "qemu-cortex-m55": "mps3-an547"}

_OK_LINE = re.compile(
    r"^lwai: ok ticks=(\d+) runs=(\d+)(?: tick_hz=(\d+))?(?: arena_needed=(\d+))?\s*$", re.MULTILINE
)
_ERR_LINE = re.compile(r"^lwai: error: .*$", re.MULTILINE)
_NODE_LINE = re.compile(r"^lwai: node (\d+) (\S+) ticks=(\d+)\s*$", re.MULTILINE)
_EXECUTOR_LINE = re.compile(r"^lwai: executor ticks=(\d+)\s*$", re.MULTILINE)


@dataclass
class RunResult:
    """What one run of an image printed.

    ticks: per inference, in ``unit``: instructions on the QEMU boards (icount), nanoseconds
    on host and qemu-arm; None if the image printed no ok line.
    stdout: everything the image printed (QEMU sends semihosting output to its stderr, so
    this is stdout followed by stderr).
    """

    ticks: int | None
    stdout: str
    runs: int = 1
    unit: str = "ns"
    total_ticks: int | None = None
    tick_hz: int | None = None
    arena_needed: int | None = None  # graph executor: arena bytes the loaded model used
    # graph executor with LWAI_PROFILING: (node, kernel, ticks over all runs) per node
    profile: list[tuple[int, str, int]] | None = None
    # ...and the executor's own ticks outside every node (lwai_model_run's entry and exit)
    executor_ticks: int | None = None


def board_of(target: str) -> str:
    if target not in BOARD_OF_TARGET:
        raise LwaiError(target, f"unknown target '{target}'", f"Use one of: {', '.join(TARGETS)}.")
    return BOARD_OF_TARGET[target]


def is_qemu_board(target: str) -> bool:
    return target in QEMU_MACHINE


# boards/cortex-m/startup.c: LWAI_MAX_ARGS, LWAI_CMDLINE_BYTES - 1
SEMIHOST_MAX_ARGS = 72
SEMIHOST_CMDLINE_BYTES = 2047


def command(target: str, exe: Path, app_args: list[str]) -> list[str]:
    """The command line that runs `exe` with `app_args` on `target`."""
    exe = Path(exe)
    board_of(target)
    if target == "host":
        return [str(exe), *app_args]
    if target == "qemu-arm":
        return ["qemu-arm", str(exe), *app_args]
    for a in app_args:
        if " " in a:
            raise LwaiError(
                a,
                "semihosting arguments cannot contain spaces",
                "Use a build/work directory whose path has none.",
            )
    # QEMU's option syntax escapes a comma inside a value by doubling it.
    args = ["lwai_app", *app_args]
    if len(args) > SEMIHOST_MAX_ARGS or len(" ".join(args)) > SEMIHOST_CMDLINE_BYTES:
        raise LwaiError(
            target,
            f"{len(args)} arguments of {len(' '.join(args))} bytes; the Cortex-M boards take "
            f"at most {SEMIHOST_MAX_ARGS} of {SEMIHOST_CMDLINE_BYTES} bytes "
            "(boards/cortex-m/startup.c)",
            "Use a shorter work directory or fewer input/output files.",
        )
    sh = ",".join(["enable=on", "target=native"] + [f"arg={a.replace(',', ',,')}" for a in args])
    return [
        "qemu-system-arm",
        "-M",
        QEMU_MACHINE[target],
        "-nographic",
        "-monitor",
        "none",
        "-serial",
        "null",
        "-semihosting-config",
        sh,
        "-icount",
        "shift=0",
        "-kernel",
        str(exe),
    ]


def run_image(
    target: str,
    exe: Path,
    input_files: list[Path],
    output_files: list[Path],
    repeat: int = 1,
    timeout: float = 120,
    model_file: Path | None = None,
    reset_every: int = 0,
    invocations: int = 1,
) -> RunResult:
    """Runs the image once (REPEAT inferences), leaving the raw outputs in output_files.
    ``model_file`` is the .lwfb/.json a graph-executor image loads. ``invocations=N``: each
    input file holds N inputs back to back, run in turn with the model's state carried,
    each output file receives the N outputs; ``reset_every=K`` resets the model's state
    before invocations K, 2K, ..."""
    if repeat < 1:
        raise LwaiError("--repeat", f"repeat must be at least 1, got {repeat}")
    app_args = ["-n", str(repeat)]
    if invocations != 1:
        app_args += ["-k", str(invocations)]
    if reset_every:
        app_args += ["-r", str(reset_every)]
    if model_file is not None:
        app_args += ["-m", str(Path(model_file).resolve())]
    for p in input_files:
        app_args += ["-i", str(Path(p).resolve())]
    for p in output_files:
        app_args += ["-o", str(Path(p).resolve())]
    cmd = command(target, exe, app_args)
    try:
        proc = subprocess.run(
            cmd,
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as err:
        raise LwaiError(
            exe,
            f"{target} run timed out after {timeout:g} s",
            "The image may hang; a larger timeout helps only for slow models.",
        ) from err
    except FileNotFoundError as err:
        raise LwaiError(cmd[0], "not found", "Install QEMU (qemu-system-arm, qemu-user).") from err
    text = proc.stdout + proc.stderr
    m = _OK_LINE.search(text)
    if proc.returncode != 0 or m is None:
        err = _ERR_LINE.search(text)
        what = (
            err.group(0)[len("lwai: error: ") :]
            if err
            else (text.strip().splitlines()[-1] if text.strip() else "no output")
        )
        raise LwaiError(exe, f"{target} run failed (exit {proc.returncode}): {what}")
    total, runs = int(m.group(1)), int(m.group(2))
    hz = int(m.group(3)) if m.group(3) else 1_000_000_000
    arena = int(m.group(4)) if m.group(4) else None
    profile = [(int(n), k, int(t)) for n, k, t in _NODE_LINE.findall(text)] or None
    m_exec = _EXECUTOR_LINE.search(text)
    executor = int(m_exec.group(1)) if m_exec else None
    if is_qemu_board(target):
        per_run_ns = total * 1_000_000_000 // hz // runs  # icount shift=0: 1 ns = 1 instruction
        return RunResult(
            per_run_ns, text, runs, "instructions", total, hz, arena, profile, executor
        )
    return RunResult(
        total * 1_000_000_000 // hz // runs, text, runs, "ns", total, hz, arena, profile, executor
    )


def target_from_config(config: dict | None) -> str | None:
    """The run target a config's board/CPU/profile implies (None if it does not say)."""
    if not config:
        return None
    cfg = {(k if k.startswith("LWAI_") else "LWAI_" + k): v for k, v in config.items()}
    board = cfg.get("LWAI_BOARD")
    for target, b in BOARD_OF_TARGET.items():
        if board == b or board == target:
            return target
    if cfg.get("LWAI_CPU_CORTEX_M55"):
        return "qemu-cortex-m55"
    if cfg.get("LWAI_CPU_CORTEX_M4"):
        return "qemu-cortex-m4"
    if cfg.get("LWAI_PROFILE_L1") or cfg.get("LWAI_PROFILE") == "L1":
        return "qemu-arm"
    if cfg.get("LWAI_PROFILE_L2") or cfg.get("LWAI_PROFILE") == "L2":
        return "host"
    if cfg.get("LWAI_PROFILE_L0") or cfg.get("LWAI_PROFILE") == "L0":
        return "qemu-cortex-m4"
    return None
