"""`lwai convert MODEL -o OUT.lwfb|OUT.json`: a graph model file from another one, or from
a .tflite/.onnx model (compiled on the way)."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from lwai.cli import args as shared
from lwai.errors import LwaiError


def register(sub) -> None:
    p = shared.add_command(
        sub, "convert", "convert a model file: .lwfb <-> .json, or .tflite/.onnx -> either", run
    )
    shared.add_model(p, ".lwfb, .json, .tflite or .onnx")
    shared.add_output(p, "OUT.lwfb or OUT.json")
    shared.add_config(p)


def run(args: argparse.Namespace) -> int:
    from lwai import progress
    from lwai.codegen.graph import TVM_PREFIX, read_graph, write_graph

    src, dst = Path(args.model), Path(args.output)
    if dst.suffix not in (".lwfb", ".json"):
        raise LwaiError(dst, "unknown output format", "Name the output *.lwfb or *.json.")
    if src.suffix in (".lwfb", ".json"):
        if args.config or args.defconfig:
            raise LwaiError(src, "--config/--defconfig apply to .tflite/.onnx inputs only")
        graph = read_graph(src)
    else:
        from lwai.compiler import compile_model

        with tempfile.TemporaryDirectory(prefix="lwai-convert-") as tmp:
            with progress.step(f"compile {src.name}"):
                report = compile_model(src, tmp, config=args.config, defconfig=args.defconfig)
            if report.get("graph_refusal"):
                raise LwaiError(src, report["graph_refusal"])
            graph = read_graph(Path(tmp) / "model.lwfb")
    dst.parent.mkdir(parents=True, exist_ok=True)
    write_graph(graph, dst)
    tvm = [k for k in graph["kernels"] if k.startswith(TVM_PREFIX)]
    print(
        f"lwai: wrote {dst}: {len(graph['nodes'])} nodes, kernels {', '.join(graph['kernels'])}"
        f"; arena {graph['arena_bytes']} B, {dst.stat().st_size} B file"
    )
    if tvm:
        print(
            "lwai: note: the model uses TVM-generated functions; an image runs it only if it "
            "was built with this model's compiled sources (lwai run --executor graph does)"
        )
    return 0
