#!/usr/bin/env python3
"""Builds and runs the libFuzzer targets of tests/fuzz/ (`make fuzz FUZZ_SECONDS=N`).

Each target is built with clang -fsanitize=fuzzer,address,undefined (UBSan fatal) from the
runtime, the reference kernels and tests/fuzz/<target>.c, then run for N seconds on a fresh
working corpus seeded from tests/fuzz/corpus/<target>/ and tests/fuzz/regressions/<target>/
(the regression files run first, every time). Any crash, sanitizer report, leak, timeout or
out-of-memory fails the run; libFuzzer leaves the input in build/fuzz/<target>/artifacts/.
Prints one line per target: executions, coverage (libFuzzer's cov: edges, ft: features),
corpus size and the result; exits 1 when a target failed.

    scripts/fuzz.py --seconds 600 --parallel 2       # the long campaign (docs/RELIABILITY.md)
    scripts/fuzz.py --replay                         # every corpus and regression file once
    scripts/fuzz.py --targets params --seconds 60
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FUZZ = REPO / "tests" / "fuzz"
sys.path.insert(0, str(REPO))
from lwai.ops import OP_KINDS

SANITIZE = "-fsanitize={},address,undefined"
CFLAGS = [
    "-std=c99",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-g",
    "-O1",
    "-fno-omit-frame-pointer",
    "-fno-sanitize-recover=all",  # a UBSan report is a crash, not a line of output
]
INCLUDES = ["runtime/include", "kernels/include", "runtime/src/graph", "tests/fuzz"]
RUNTIME = sorted(
    str(p.relative_to(REPO))
    for p in [
        *(REPO / "runtime" / "src").rglob("*.c"),
        *(REPO / "kernels" / "reference").glob("*.c"),
    ]
)
JSON_LOADER = "runtime/src/loaders/json.c"
LWFB_LOADER = "runtime/src/loaders/flatbuffer.c"
COMMON = "tests/fuzz/fuzz_common.c"

# target -> (its sources besides its own .c, libraries, extra libFuzzer flags)
TARGETS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "lwfb": ([LWFB_LOADER, "runtime/src/model.c", COMMON], [], ["-dict=tests/fuzz/lwfb.dict"]),
    "json": (RUNTIME + [COMMON], ["-lcjson", "-lm"], ["-dict=tests/fuzz/json.dict"]),
    "run": ([s for s in RUNTIME if s != JSON_LOADER] + [COMMON], ["-lm"], []),
    "params": ([s for s in RUNTIME if s != JSON_LOADER] + [COMMON], ["-lm"], ["-mutate_depth=1"]),
}


@dataclass
class Result:
    target: str
    ok: bool
    execs: int = 0
    seconds: float = 0.0
    cov: int = 0
    ft: int = 0
    corpus: int = 0
    edges: int = 0  # instrumented edges of the binary (libFuzzer's inline 8-bit counters)
    loads: int = 0  # with --stats: inputs the loader saw, and how many loaded and ran
    loads_ok: int = 0
    detail: str = ""
    log: str = ""


def clang() -> str | None:
    for name in ("clang", "clang-14"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _newest_header() -> float:
    dirs = [REPO / d for d in INCLUDES] + [REPO / "kernels" / "reference"]
    return max((h.stat().st_mtime for d in dirs for h in d.rglob("*.h")), default=0.0)


def _compile(cc: str, src: str, obj: Path, headers_mtime: float) -> None:
    source = REPO / src
    if obj.exists() and obj.stat().st_mtime >= max(source.stat().st_mtime, headers_mtime):
        return
    obj.parent.mkdir(parents=True, exist_ok=True)
    defines = [f"-DLWAI_KERNEL_IN_IMAGE_{k.upper()}=1" for k in OP_KINDS]
    cmd = [cc, *CFLAGS, SANITIZE.format("fuzzer-no-link"), *defines]
    cmd += [f"-I{REPO / d}" for d in INCLUDES]
    cmd += ["-c", str(source), "-o", str(obj)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"fuzz: compiling {src} failed:\n{done.stderr[-4000:]}")


def build(out: Path, targets: list[str], jobs: int) -> dict[str, Path]:
    """Compiles every source once into out/obj, links one binary per target."""
    cc = clang()
    if cc is None:
        raise SystemExit("fuzz: clang is missing (scripts/setup_system.sh installs it)")
    sources: set[str] = set()
    for t in targets:
        extra, _libs, _flags = TARGETS[t]
        sources |= {*extra, f"tests/fuzz/fuzz_{t}.c"}
    headers = _newest_header()
    obj = {s: out / "obj" / (s.replace("/", "__") + ".o") for s in sources}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for f in [pool.submit(_compile, cc, s, obj[s], headers) for s in sorted(sources)]:
            f.result()
    bins = {}
    for t in targets:
        extra, libs, _flags = TARGETS[t]
        srcs = [f"tests/fuzz/fuzz_{t}.c", *extra]
        exe = out / t / f"fuzz_{t}"
        exe.parent.mkdir(parents=True, exist_ok=True)
        newest = max(obj[s].stat().st_mtime for s in srcs)
        if not exe.exists() or exe.stat().st_mtime < newest:
            cmd = [cc, SANITIZE.format("fuzzer"), *[str(obj[s]) for s in srcs], *libs]
            done = subprocess.run(
                [*cmd, "-o", str(exe)], check=False, capture_output=True, text=True
            )
            if done.returncode != 0:
                raise SystemExit(f"fuzz: linking {exe.name} failed:\n{done.stderr[-4000:]}")
        bins[t] = exe
    return bins


def _files(d: Path) -> list[Path]:
    return sorted(p for p in d.iterdir() if p.is_file()) if d.is_dir() else []


FINAL = re.compile(r"^#(\d+)\s+DONE\s+cov: (\d+) ft: (\d+) corp: (\d+)", re.MULTILINE)
STAT = re.compile(r"^stat::(\w+):\s+(\d+)", re.MULTILINE)
ERRORS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "ERROR: libFuzzer")


def _env(stats: bool = False) -> dict[str, str]:
    env = dict(os.environ)
    if stats:
        env["LWAI_FUZZ_STATS"] = "1"  # tests/fuzz/fuzz_common.c prints load counts at exit
    env["ASAN_OPTIONS"] = "abort_on_error=1:detect_leaks=1:allocator_may_return_null=1"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    return env


def run(target: str, exe: Path, seconds: int, args: argparse.Namespace) -> Result:
    """One fuzzing session of `seconds` on a fresh working corpus."""
    timeout = args.timeout
    work = exe.parent / "corpus"
    artifacts = exe.parent / "artifacts"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    artifacts.mkdir(exist_ok=True)
    seeds = FUZZ / "corpus" / target
    regressions = args.regressions / target
    cmd = [
        str(exe),
        f"-max_total_time={seconds}",
        f"-timeout={timeout}",
        f"-rss_limit_mb={args.rss_limit_mb}",
        f"-artifact_prefix={artifacts}/",
        "-print_final_stats=1",
        *TARGETS[target][2],
        str(work),
        str(seeds),
    ]
    if regressions.is_dir():
        cmd.append(str(regressions))
    start = time.monotonic()
    log_path = exe.parent / "fuzz.log"
    with open(log_path, "w") as log:
        done = subprocess.run(
            cmd,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_env(args.stats),
            check=False,
            timeout=seconds + 10 * timeout + 600,
        )
    text = log_path.read_text(errors="replace")
    res = Result(target, ok=done.returncode == 0, seconds=round(time.monotonic() - start, 1))
    res.log = str(log_path)
    final = FINAL.findall(text)
    if final:
        execs, cov, ft, corp = map(int, final[-1])
        res.execs, res.cov, res.ft, res.corpus = execs, cov, ft, corp
    edges = re.search(r"Loaded 1 modules\s+\((\d+) inline 8-bit counters\)", text)
    res.edges = int(edges.group(1)) if edges else 0
    stats = dict(STAT.findall(text))
    res.execs = int(stats.get("number_of_executed_units", res.execs))
    if not final:
        res.ok = False
    loads = re.findall(r"^lwai fuzz stats: loads((?: -?\d+:\d+)*)", text, re.MULTILINE)
    if loads:
        counts = dict(map(int, kv.split(":")) for kv in loads[-1].split())
        res.loads, res.loads_ok = sum(counts.values()), counts.get(0, 0)
    errors = [e for e in ERRORS if e in text]
    if errors or done.returncode != 0:
        res.ok = False
        crash = re.findall(r"Test unit written to (\S+)", text)
        res.detail = f"exit {done.returncode}; {', '.join(errors) or 'no DONE line'}"
        if crash:
            res.detail += f"; input {crash[-1]}"
            if args.keep_crashes:
                dest = regressions / Path(crash[-1]).name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(crash[-1], dest)
                res.detail += f" (copied to {dest})"
    return res


def replay(target: str, exe: Path, regressions: Path) -> Result:
    """Every seed and regression file through the target once; all must exit cleanly."""
    files = _files(FUZZ / "corpus" / target) + _files(regressions / target)
    done = subprocess.run(
        [str(exe), *map(str, files)],
        cwd=REPO,
        capture_output=True,
        text=True,
        errors="replace",
        env=_env(),
        check=False,
        timeout=600,
    )
    text = done.stdout + done.stderr
    errors = [e for e in ERRORS if e in text]
    ok = done.returncode == 0 and not errors and text.count("Running: ") == len(files)
    detail = "" if ok else f"exit {done.returncode}; {', '.join(errors)}\n{text[-3000:]}"
    return Result(target, ok=ok, execs=len(files), detail=detail)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=60, help="per target (-max_total_time)")
    ap.add_argument("--targets", default=",".join(TARGETS), help="comma-separated")
    ap.add_argument("--timeout", type=int, default=10, help="seconds per input (-timeout)")
    ap.add_argument("--rss-limit-mb", type=int, default=2048)
    ap.add_argument("--parallel", type=int, default=1, help="targets fuzzed at once")
    ap.add_argument("--jobs", type=int, default=2, help="compiler processes")
    ap.add_argument("--out", type=Path, default=REPO / "build" / "fuzz")
    ap.add_argument("--replay", action="store_true", help="run each corpus file once, no fuzzing")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument(
        "--keep-crashes",
        action="store_true",
        help="copy crashing inputs into tests/fuzz/regressions/<target>/",
    )
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument(
        "--regressions",
        type=Path,
        default=FUZZ / "regressions",
        help="crash files, one folder per target, run before fuzzing",
    )
    ap.add_argument("--stats", action="store_true", help="count load results (slower)")
    args = ap.parse_args(argv)
    targets = [t for t in args.targets.split(",") if t]
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        ap.error(f"unknown targets {unknown}; known: {', '.join(TARGETS)}")
    bins = build(args.out.resolve(), targets, args.jobs)
    if args.build_only:
        return 0
    if args.replay:
        results = [replay(t, bins[t], args.regressions) for t in targets]
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.parallel)) as pool:
            futures = [pool.submit(run, t, bins[t], args.seconds, args) for t in targets]
            results = [f.result() for f in futures]
    for r in results:
        if args.replay:
            line = f"fuzz {r.target}: {'ok' if r.ok else 'FAILED'} replayed {r.execs} files"
        else:
            rate = r.execs / r.seconds if r.seconds else 0.0
            line = (
                f"fuzz {r.target}: {'ok' if r.ok else 'FAILED'} execs={r.execs} "
                f"({rate:.0f}/s) cov={r.cov}/{r.edges} ft={r.ft} corpus={r.corpus} seconds={r.seconds}"
            )
            if r.loads:
                line += f" loaded={r.loads_ok}/{r.loads}"
        print(
            line
            + (f"\n  {r.detail}" if r.detail else "")
            + (f"\n  log: {r.log}" if r.log and not r.ok else "")
        )
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
