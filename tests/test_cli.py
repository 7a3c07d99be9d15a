"""Issue 15: one CLI package (lwai/cli), progress on a terminal, plain output when piped.

Acceptance 3: `lwai run` and `lwai bench` show progress on a terminal (run under a pty);
piped, their output has no control characters. Acceptance 4: no command-line option is
defined in two places (an ast walk of lwai/). And every command's --help works.
"""

from __future__ import annotations

import ast
import fcntl
import json
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import LWAI, REPO, shared_model

MODEL = "hello_world_int8.tflite"
QEMU_M4 = shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# the Cortex-M4 image builds in about a second, the host one (every kernel) in ten
TARGET = "qemu-cortex-m4" if QEMU_M4 else "host"


def _env(tmp_path: Path, cache: Path | None = None) -> dict:
    """The environment of a command: a cache of its own (so that it compiles and builds,
    showing those steps), or ``cache``."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    env.update(LWAI_CACHE_DIR=str(cache or tmp_path / "cache"), TERM="xterm-256color")
    return env


@pytest.fixture
def shared_cache(tmp_path_factory) -> Path:
    """One cache for the tests that need no fresh compile (shared by xdist workers; the
    driver locks its entries)."""
    return tmp_path_factory.getbasetemp().parent / "cli-cache"


def _on_pty(cmd: list[str], env: dict, timeout: float = 300) -> tuple[int, str]:
    """Runs cmd with stdin, stdout and stderr on a pseudo-terminal (120x40); returns the
    exit status and everything it wrote."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        rc = proc.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return rc, b"".join(chunks).decode(errors="replace")


def _piped(cmd: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=300)


def _npy(tmp_path: Path) -> Path:
    import numpy as np

    x = tmp_path / "x.npy"
    np.save(x, np.array([[42]], dtype=np.int8))
    return x


def _run_cmd(tmp_path: Path) -> list[str]:
    model = shared_model(MODEL)
    x = str(_npy(tmp_path))
    return [str(LWAI), "run", str(model), "--input", x, "-o", str(tmp_path), "--target", TARGET]


def _bench_cmd(target: str) -> list[str]:
    return [str(LWAI), "bench", str(shared_model(MODEL)), "--target", target]


# --- acceptance 3: progress on a terminal, none of it when piped ------------------------------


def test_run_shows_progress_on_a_terminal(tmp_path):
    rc, text = _on_pty(_run_cmd(tmp_path), _env(tmp_path))
    assert rc == 0, text
    plain = ANSI.sub("", text)
    # the rich live display: the steps with their check marks, drawn with escape sequences
    for step in (
        f"compile {MODEL}",
        f"import {MODEL}",
        f"build the {TARGET} image",
        f"run {MODEL}",
    ):
        assert step in plain, plain
    assert "✓" in plain and "\x1b[" in text
    assert "output_0: shape (1, 1) int8" in plain
    # the plain-line form is for pipes only
    assert f"lwai: compile {MODEL} (" not in plain


def test_bench_shows_progress_on_a_terminal(tmp_path):
    rc, text = _on_pty(_bench_cmd(TARGET), _env(tmp_path))
    assert rc == 0, text
    plain = ANSI.sub("", text)
    assert f"compile {MODEL}" in plain and f"build the {TARGET} image" in plain, plain
    assert f"run {MODEL} on {TARGET}" in plain and "✓" in plain, plain
    result = json.loads(plain[plain.index('{"model"') :].splitlines()[0].strip())
    assert result["model"] == "hello_world_int8" and result["target"] == TARGET


def test_quiet_shows_no_progress_on_a_terminal(tmp_path, shared_cache):
    rc, text = _on_pty([*_bench_cmd(TARGET), "--quiet"], _env(tmp_path, shared_cache))
    assert rc == 0, text
    assert "compile" not in text and "✓" not in text and "\x1b" not in text
    assert json.loads(text.strip())["model"] == "hello_world_int8"


@pytest.mark.parametrize("command", ["run", "bench"])
def test_piped_output_has_no_control_characters(tmp_path, command):
    cmd = _run_cmd(tmp_path) if command == "run" else _bench_cmd(TARGET)
    proc = _piped(cmd, _env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    both = proc.stdout + proc.stderr
    assert "\x1b" not in both and "\r" not in both, repr(both)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", both), repr(both)
    # one plain line per outermost step, in order, on stderr; results alone on stdout
    steps = [re.sub(r" \(\d+\.\d s\)$", "", ln) for ln in proc.stderr.splitlines()]
    runs = ", 20 inferences" if command == "bench" and TARGET == "host" else ""
    assert steps == [
        f"lwai: compile {MODEL}",
        f"lwai: build the {TARGET} image",
        f"lwai: run {MODEL} on {TARGET}{runs}",
    ], proc.stderr
    if command == "bench":
        assert json.loads(proc.stdout)["target"] == TARGET
    else:
        assert proc.stdout.startswith("output_0: shape (1, 1) int8")


def test_quiet_piped_prints_results_only(tmp_path, shared_cache):
    proc = _piped([*_run_cmd(tmp_path), "-q"], _env(tmp_path, shared_cache))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.startswith("output_0:")


def test_an_error_stays_one_line_after_finished_steps(tmp_path):
    """A failed step prints no progress line: `lwai run` with a float input for an int8 model
    fails after the compile step; stderr holds that step's line and the one error line, no traceback."""
    import numpy as np

    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((2, 3), np.float32))
    model = str(shared_model(MODEL))
    cmd = [str(LWAI), "run", model, "--input", str(bad), "-o", str(tmp_path), "--target", TARGET]
    proc = _piped(cmd, _env(tmp_path))
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert [ln.split(" (")[0] for ln in lines[:-1]] == [f"lwai: compile {MODEL}"], proc.stderr
    assert lines[-1].startswith("lwai: ") and "must be int8, got float32" in lines[-1], lines


# --- acceptance 4: each option defined once ---------------------------------------------------


def option_definitions(paths: list[Path]) -> Counter:
    """How many ``add_argument`` calls define each option string ('-o', '--config', ...)."""
    count: Counter = Counter()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_argument"
            ):
                for arg in node.args:
                    if (
                        isinstance(arg, ast.Constant)
                        and isinstance(arg.value, str)
                        and arg.value.startswith("-")
                    ):
                        count[arg.value] += 1
    return count


def test_the_checker_sees_a_duplicate(tmp_path):
    src = tmp_path / "dup.py"
    src.write_text(
        "def a(p):\n    p.add_argument('--config', help='x')\n"
        "def b(p):\n    g = p.add_mutually_exclusive_group()\n    g.add_argument('--config')\n"
    )
    assert option_definitions([src])["--config"] == 2


def test_no_option_is_defined_twice():
    lwai_sources = sorted((REPO / "lwai").rglob("*.py"))
    defs = option_definitions(lwai_sources)
    twice = {opt: n for opt, n in defs.items() if n > 1}
    assert not twice, f"options defined in more than one add_argument call: {twice}"
    shared = ["--config", "--defconfig", "--target", "--kernels", "--executor", "--format"]
    for opt in [*shared, "-o", "--output", "--input", "--quiet", "--repeat"]:
        assert defs[opt] == 1, opt
    # outside lwai/cli (and lwai/report, whose options `lwai report` takes) nothing parses
    # lwai's options
    elsewhere = [
        p
        for p in lwai_sources
        if not p.is_relative_to(REPO / "lwai" / "cli")
        and not p.is_relative_to(REPO / "lwai" / "report")
    ]
    assert not option_definitions(elsewhere)
    # scripts/ define none of lwai's options: make bench calls lwai's functions, the GN actions
    # take `lwai genconfig`/`compile`'s options from lwai/cli/args.py
    scripts = option_definitions(sorted((REPO / "scripts").glob("*.py")))
    cli = option_definitions(sorted((REPO / "lwai" / "cli").rglob("*.py")))
    assert {*shared, "-o", "--output", "--input", "--repeat"} <= set(cli)
    assert not set(scripts) & set(cli), set(scripts) & set(cli)


def test_commands_keep_their_shared_options():
    from lwai.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    opts = {name: set(p._option_string_actions) for name, p in sub.choices.items()}
    for name in ("compile", "convert", "run", "bench", "image", "genconfig"):
        assert {"--config", "--defconfig"} <= opts[name], name
    for name in ("run", "bench", "image"):
        assert {"--kernels", "--target"} <= opts[name], name
    assert {"--executor", "--format", "--input", "-o"} <= opts["run"]
    assert {"--repeat", "--executor", "--input"} <= opts["bench"]


# --- help ----------------------------------------------------------------------------------------


def test_help_of_every_command():
    from rich_argparse import RichHelpFormatter

    from lwai.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert {"compile", "convert", "run", "bench", "image", "report", "demo", "menuconfig"} <= set(
        sub.choices
    )
    assert issubclass(parser.formatter_class, RichHelpFormatter)
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR",)}
    for name, p in [("", parser), *sub.choices.items()]:
        assert issubclass(p.formatter_class, RichHelpFormatter), name
        cmd = [sys.executable, "-m", "lwai.cli", *([name] if name else []), "--help"]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        assert proc.returncode == 0, (name, proc.stderr)
        assert proc.stdout.startswith("Usage: lwai"), proc.stdout  # rich-argparse's heading
        for opt in p._option_string_actions:
            if opt.startswith("--"):
                assert opt in proc.stdout, (name, opt)


def test_usage_errors_exit_2_without_traceback(tmp_path):
    cases = [
        (["bench", "m.tflite", "--target", "nowhere"], "invalid choice: 'nowhere'"),
        (["compile", "m.tflite"], "the following arguments are required: -o/--output"),
        (["run", "m.tflite", "-o", "o", "--config", "a", "--defconfig", "b"], "not allowed"),
        (["nosuch"], "invalid choice: 'nosuch'"),
    ]
    for args, message in cases:
        proc = _piped([str(LWAI), *args], _env(tmp_path))
        assert proc.returncode == 2 and message in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
