"""The `lwai` command line. Expected errors print one line and exit 2; bugs keep tracebacks."""

from __future__ import annotations

import argparse
import sys

from lwai.errors import LwaiError


def _cmd_compile(args: argparse.Namespace) -> int:
    from lwai.compiler import compile_model

    report = compile_model(args.model, args.output, config=args.config, defconfig=args.defconfig)
    print(
        f"lwai: compiled {report['model']}: arena {report['arena_bytes']} B, "
        f"weights {report['weights_bytes']} B -> {args.output}"
    )
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    import tempfile
    from pathlib import Path

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
            compile_model(src, tmp, config=args.config, defconfig=args.defconfig)
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


def _cmd_run(args: argparse.Namespace) -> int:
    from lwai.driver import run_cli

    return run_cli(args)


def _cmd_demo(args: argparse.Namespace) -> int:
    from lwai.demo import main as demo_main

    return demo_main(args)


def add_kernels_arg(p: argparse.ArgumentParser) -> None:
    """The --kernels option of `lwai run`, `bench` and `image`."""
    from lwai.opspec import BACKENDS

    p.add_argument(
        "--kernels",
        choices=BACKENDS,
        help="kernel backend to prefer over the config's order (the reference takes the rest)",
    )


def _add_config_args(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--config", help="a Kconfig .config file")
    g.add_argument("--defconfig", help="a defconfig name from configs/ (e.g. l0_mps2_an386)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lwai", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("compile", help="compile a model to C sources")
    p.add_argument("model")
    p.add_argument("-o", "--output", required=True, help="output directory")
    _add_config_args(p)
    p.set_defaults(func=_cmd_compile)

    p = sub.add_parser(
        "convert", help="convert a model file: .lwfb <-> .json, or .tflite/.onnx -> either"
    )
    p.add_argument("model", help=".lwfb, .json, .tflite or .onnx")
    p.add_argument("-o", "--output", required=True, help="OUT.lwfb or OUT.json")
    _add_config_args(p)
    p.set_defaults(func=_cmd_convert)

    p = sub.add_parser("run", help="compile, build and run a model on a target")
    p.add_argument("model")
    p.add_argument("--input", action="append", default=[], help="input .npy, once per input")
    p.add_argument("-o", "--output", required=True, help="directory for output_<i>.npy")
    p.add_argument("--target", default="host")
    p.add_argument(
        "--executor",
        default="aot",
        choices=["aot", "graph"],
        help="aot: the compiled C call sequence; graph: an image that loads OUT/model.<format>",
    )
    p.add_argument("--format", default="lwfb", choices=["lwfb", "json"], help="graph model file")
    _add_config_args(p)
    add_kernels_arg(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("demo", help="run the bundled demo model beside the reference")
    p.add_argument("--target", default="qemu-cortex-m4")
    p.set_defaults(func=_cmd_demo)

    try:  # Kconfig commands (menuconfig, genconfig, ...) live with the config code.
        from lwai.kconfig_cli import register
    except ImportError:
        pass
    else:
        register(sub)
    from lwai.image_cli import register as register_image  # lwai bench, lwai image

    register_image(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except LwaiError as err:
        print(f"lwai: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
