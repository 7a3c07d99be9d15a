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
  kernels  per op kind whose Kconfig symbol is on, the backend's file (else the reference
           one), and every helper file of kernels/reference not named after an op
Paths are relative to the repository root (where BUILD.gn is). An unknown kernel backend
is an error, never a silent fallback. GN has no glob: rerun `gn gen` after adding files.
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


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "--python":
        python, argv = argv[1], argv[2:]
        if Path(python).resolve() != Path(sys.executable).resolve():
            os.execv(python, [python, __file__, *argv])
    sys.path.insert(0, str(REPO))
    if argv[:1] == ["genconfig"]:
        sys.path.insert(0, str(REPO / "scripts"))
        import genconfig

        return genconfig.main(argv[1:])
    if argv[:1] != ["sources"] or len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    argv = argv[1:]
    from lwai.config import OP_KERNEL_SYMBOLS
    from lwai.ops import OP_KINDS

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

    backend = str(config.get("LWAI_KERNELS_BACKEND") or "reference")
    ref = REPO / "kernels" / "reference"
    backend_dir = ref if backend == "reference" else REPO / "kernels" / "optimized" / backend
    if not backend_dir.is_dir():
        print(
            f"gn_exec: unknown kernel backend '{backend}' (no folder {backend_dir})",
            file=sys.stderr,
        )
        return 2
    kernels, kinds = [], []
    for op in OP_KINDS:
        if not config.get(OP_KERNEL_SYMBOLS.get(op, f"LWAI_KERNEL_{op.upper()}"), True):
            continue
        for d in (backend_dir, ref):
            if (d / f"{op}.c").is_file():
                kernels.append(rel(d / f"{op}.c"))
                kinds.append(op.upper())
                break
    kernels += [rel(f) for f in sorted(ref.glob("*.c")) if f.stem not in OP_KINDS]

    print(f"memory = {_gn_list(memory)}")
    print(f"runtime = {_gn_list(runtime)}")
    print(f"graph = {_gn_list(graph)}")
    print(f"kernel_kinds = {_gn_list(kinds)}")
    print(f"loaders = {_gn_list([[n, fs] for n, fs in sorted(loaders.items())])}")
    print(f"kernels = {_gn_list(kernels)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
