#!/usr/bin/env python3
"""What lwai's GN files run at `gn gen` time (exec_script), under lwai's own Python.

    python3 scripts/gn_exec.py [--python PY] genconfig GENCONFIG_ARGS...
    python3 scripts/gn_exec.py [--python PY] sources CONFIG_JSON

GN's exec_script always uses the build's script_executable; --python re-executes this
script under an interpreter that has lwai's dependencies (kconfiglib, ...), as OpenHarmony's
prebuilt python has not.

genconfig: scripts/genconfig.py (lwai_config.h/.gni/.json), for lwai.gni.

sources: the C sources of lwai's GN libraries as a GN scope, for BUILD.gn. Mirrors the
SConscripts, so GN and SCons build the same files from the same configuration
(genconfig's lwai_config.json):
  memory   runtime/src files of the memory manager (workspace stack, TVM backend symbols)
  runtime  the other runtime/src files
  graph    runtime/src/graph files (the graph executor), when LWAI_EXECUTOR_GRAPH is on
  loaders  [[name, [files]], ...]: runtime/src/loaders/<name>*.c whose LWAI_LOADER_<NAME>
           is on (or not a Kconfig symbol at all), when the graph executor is on
  kernel_kinds  the op kinds whose kernels are built (the graph registry's
           LWAI_KERNEL_IN_IMAGE_<KIND> defines)
  kernels  per op kind whose Kconfig symbol is on, the reference file and the file of each
           backend of LWAI_KERNEL_BACKENDS providing it (kernels/ops.json), and every
           helper file of kernels/reference not named after an op
Paths are relative to the repository root (where BUILD.gn is). A backend GN cannot build
(CMSIS-NN) is an error, never a silent fallback. GN has no glob: rerun `gn gen` after adding files.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MEMORY_FILES = ("tvm_backend.c",)


def _gn_list(items: list) -> str:
    return (
        "[" + ", ".join(_gn_list(i) if isinstance(i, list) else json.dumps(i) for i in items) + "]"
    )


def rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


# Set in the environment of a re-executed script: it never re-executes a second time.
REEXEC_MARK = "LWAI_GN_REEXEC"


def same_interpreter(python: str) -> bool:
    """Whether `python` is the running interpreter. Paths are compared as given, never
    resolved: a venv's bin/python is a symlink to its base interpreter, so two venvs of one
    Python resolve to the same file while only one of them has lwai's packages."""
    if os.path.abspath(python) == os.path.abspath(sys.executable):
        return True
    # bin/python and bin/python3 of one venv: the same sys.prefix (pyvenv.cfg's folder).
    prefix = Path(os.path.abspath(python)).parent.parent
    return (prefix / "pyvenv.cfg").is_file() and prefix == Path(sys.prefix)


def run_under(python: str | None, script: str, argv: list[str], modules: tuple[str, ...]) -> None:
    """Re-executes `script argv` under `python` unless it is the running interpreter;
    then checks that the interpreter imports `modules` (lwai's dependencies and the lwai
    modules the script uses: an old Python fails there too), exiting with an error that
    names the interpreter and the module otherwise."""
    if python and not same_interpreter(python) and not os.environ.get(REEXEC_MARK):
        if not os.access(python, os.X_OK):
            sys.exit(f"lwai: lwai_use_python = {python}: no such executable")
        os.environ[REEXEC_MARK] = python
        os.execv(python, [python, script, *argv])
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    for module in modules:
        try:
            __import__(module)
        except Exception as err:  # noqa: BLE001 - any failure means: not lwai's Python
            sys.exit(
                f"lwai: the Python running {Path(script).name} ({sys.executable}) cannot import "
                f"{module} ({type(err).__name__}: {err}). Set the GN arg lwai_use_python to "
                "lwai's interpreter "
                "(hb build ... --gn-args lwai_use_python=/path/to/lwai/.venv/bin/python; "
                "`make setup` makes that venv)."
            )


def main(argv: list[str]) -> int:
    python = None
    if len(argv) >= 2 and argv[0] == "--python":
        python = argv[1]
    rest = argv[2:] if python is not None else argv
    # genconfig needs kconfiglib and lwai.config (Python >= 3.10); sources reads
    # kernels/ops.json only.
    needs = ("kconfiglib", "lwai.config") if rest[:1] == ["genconfig"] else ()
    run_under(python, __file__, argv, needs)
    argv = rest
    sys.path.insert(0, str(REPO))
    if argv[:1] == ["genconfig"]:
        sys.path.insert(0, str(REPO / "scripts"))
        import genconfig

        return genconfig.main(argv[1:])
    if argv[:1] != ["sources"] or len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    argv = argv[1:]
    data = json.loads(Path(argv[0]).read_text())
    config = data.get("symbols", data) if isinstance(data.get("symbols"), dict) else data
    src = REPO / "runtime" / "src"

    memory, runtime, graph, loaders = [], [], [], {}
    graph_on = config.get("LWAI_EXECUTOR_GRAPH", True)
    for f in sorted(src.rglob("*.c")):
        if f.parent.name in ("graph", "loaders") and not graph_on:
            continue
        if f.parent.name == "graph":
            graph.append(rel(f))
        elif f.parent.name == "loaders":
            name = f.stem.split("_")[0]
            key = f"LWAI_LOADER_{name.upper()}"
            if config.get(key, True):
                loaders.setdefault(name, []).append(rel(f))
        elif f.name in MEMORY_FILES:
            memory.append(rel(f))
        else:
            runtime.append(rel(f))

    # Kernels: per enabled op kind the reference file, plus the file of each backend of
    # LWAI_KERNEL_BACKENDS that provides the kind (kernels/ops.json, from the op spec).
    spec = json.loads((REPO / "kernels" / "ops.json").read_text())["ops"]
    backends = str(config.get("LWAI_KERNEL_BACKENDS") or "reference").split()
    arch = str(config.get("LWAI_KERNELS_OPTIMIZED_ARCH") or "")
    ref = REPO / "kernels" / "reference"
    dirs = {"reference": ref, "optimized": REPO / "kernels" / "optimized" / arch}
    kernels, kinds = [], []
    for op, entry in spec.items():
        if not config.get(entry["kconfig"], True):
            continue
        kinds.append(op)
        kernels.append(rel(ref / f"{op}.c"))
        for b in backends:
            if b == "reference":
                continue
            if b not in dirs:
                print(
                    f"gn_exec: kernel backend '{b}' is not available in GN builds", file=sys.stderr
                )
                return 2
            has = any(
                b in k["backends"] and arch in k["backends"][b].get("arch", [arch])
                for k in entry["kernels"].values()
            )
            if has:
                kernels.append(rel(dirs[b] / f"{op}.c"))
    kernels += [rel(f) for f in sorted(ref.glob("*.c")) if f.stem not in spec]

    print(f"memory = {_gn_list(memory)}")
    print(f"runtime = {_gn_list(runtime)}")
    print(f"graph = {_gn_list(graph)}")
    print(f"kernel_kinds = {_gn_list(kinds)}")
    print(f"loaders = {_gn_list([[n, fs] for n, fs in sorted(loaders.items())])}")
    print(f"kernels = {_gn_list(kernels)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
