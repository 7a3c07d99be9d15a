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


def _cmd_run(args: argparse.Namespace) -> int:
    from lwai.driver import run_cli

    return run_cli(args)


def _cmd_demo(args: argparse.Namespace) -> int:
    from lwai.demo import main as demo_main

    return demo_main(args)


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

    p = sub.add_parser("run", help="compile, build and run a model on a target")
    p.add_argument("model")
    p.add_argument("--input", action="append", default=[], help="input .npy, once per input")
    p.add_argument("-o", "--output", required=True, help="directory for output_<i>.npy")
    p.add_argument("--target", default="host")
    p.add_argument("--executor", default="aot", choices=["aot", "graph"])
    p.add_argument("--format", default="lwfb", choices=["lwfb", "json"])
    _add_config_args(p)
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
