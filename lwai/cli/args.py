"""The command-line options shared by several `lwai` commands, each defined once here.

A command module calls the groups it takes (``args.add_config(p)``, ...); tests/test_cli.py
checks that no option string is written in two ``add_argument`` calls. Imports stay inside
the functions: the Kconfig commands load this module with nothing but kconfiglib (the
Makefile's offline targets, the Yocto recipe).
"""

from __future__ import annotations

import argparse


def formatter_class() -> type[argparse.HelpFormatter]:
    """rich-argparse's help formatter when it is installed (the Kconfig-only setups of the
    Makefile and Yocto have just kconfiglib), else argparse's own."""
    try:
        from rich_argparse import RichHelpFormatter
    except ImportError:
        return argparse.HelpFormatter
    return RichHelpFormatter


def add_command(
    sub, name: str, help: str, func, quiet: bool = True, **kwargs
) -> argparse.ArgumentParser:
    """A subcommand parser with the shared help formatter, running ``func(args)``; ``quiet``
    adds ``-q/--quiet`` (commands that report progress)."""
    kwargs.setdefault("description", help)
    p = sub.add_parser(name, help=help, formatter_class=formatter_class(), **kwargs)
    p.set_defaults(func=func)
    if quiet:
        add_quiet(p)
    return p


def add_quiet(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")


def add_model(p: argparse.ArgumentParser, help: str = "a .tflite or .onnx model") -> None:
    p.add_argument("model", help=help)


def add_output(
    p: argparse.ArgumentParser, help: str, required: bool = True, default: str | None = None
) -> None:
    p.add_argument("-o", "--output", required=required, default=default, help=help)


def add_config(p: argparse.ArgumentParser, config_help: str = "a Kconfig .config file") -> None:
    """``--config FILE | --defconfig NAME``, one of them."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--config", help=config_help)
    g.add_argument("--defconfig", help="a defconfig name from configs/ (e.g. l0_mps2_an386)")


def add_target(
    p: argparse.ArgumentParser,
    default: str | None = "host",
    checked: bool = True,
    help: str | None = None,
) -> None:
    """``--target``; ``checked=False`` leaves the check to the command (`lwai run` names the
    targets in its own error)."""
    from lwai.targets import TARGETS

    p.add_argument(
        "--target",
        default=default,
        choices=TARGETS if checked else None,
        help=help or f"one of {', '.join(TARGETS)} (default {default})",
    )


def add_executor(p: argparse.ArgumentParser) -> None:
    """``--executor aot|graph`` and ``--format lwfb|json`` (the graph executor's model file)."""
    p.add_argument(
        "--executor",
        default="aot",
        choices=["aot", "graph"],
        help="aot: the compiled C call sequence; graph: an image that loads OUT/model.<format>",
    )
    p.add_argument("--format", default="lwfb", choices=["lwfb", "json"], help="graph model file")


def add_kernels(p: argparse.ArgumentParser) -> None:
    from lwai.opspec import BACKENDS

    p.add_argument(
        "--kernels",
        choices=BACKENDS,
        help="kernel backend to prefer over the config's order (the reference takes the rest)",
    )


def add_inputs(p: argparse.ArgumentParser, help: str = "input .npy, once per input") -> None:
    p.add_argument("--input", action="append", default=[], help=help)


def load_inputs(paths: list[str]) -> list:
    """The arrays of ``--input`` files; a file numpy cannot read is a clear error."""
    import numpy as np

    from lwai.errors import LwaiError

    inputs = []
    for p in paths:
        try:
            inputs.append(np.load(p, allow_pickle=False))
        except (OSError, ValueError, EOFError) as err:
            raise LwaiError(p, f"cannot read input .npy ({err or 'empty file'})") from None
    return inputs
