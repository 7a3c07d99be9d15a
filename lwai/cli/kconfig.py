"""The Kconfig commands of the `lwai` CLI, on kconfiglib (the Makefile's targets wrap them).

Like the Kconfig tools they follow, they read and write ``.config`` in the current
directory, or the file named by ``KCONFIG_CONFIG``; the Kconfig tree itself is found next
to the lwai package, so they work from any directory. This module needs only kconfiglib and
lwai's config code (lwai/__init__, config, errors, opspec, cli/__init__, cli/args): the
Makefile's Kconfig targets and the Yocto recipe run it without the rest of lwai.

- ``lwai menuconfig``: the terminal menu; starts from the existing .config, else the
  default profile (l0_mps2_an386).
- ``lwai defconfig NAME``: writes .config from configs/NAME_defconfig (or a path).
- ``lwai savedefconfig [-o FILE]``: writes the minimal config (``defconfig``) for .config.
- ``lwai olddefconfig``: brings .config up to date with the Kconfig tree, dropping
  values that no longer apply (the one command that does not refuse such values).
- ``lwai genconfig [--config F | --defconfig NAME] -o DIR``: lwai_config.h/.gni/.json,
  from .config when it exists, else from the default profile.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import kconfiglib

from lwai import config as lwcfg
from lwai.cli import args as shared
from lwai.errors import LwaiError


def _config_file() -> Path:
    return Path(kconfiglib.standard_config_filename())


def _existing_config_file() -> Path:
    path = _config_file()
    if not path.is_file():
        raise LwaiError(
            path,
            f"no such config file: '{path}'",
            "Create one with `lwai defconfig NAME` or `lwai menuconfig`.",
        )
    return path


def _cmd_menuconfig(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise LwaiError(
            "menuconfig",
            "needs an interactive terminal",
            "Run it in a terminal, or use `lwai defconfig NAME` / `lwai olddefconfig`.",
        )
    import menuconfig  # kconfiglib's curses menu (same distribution as kconfiglib)

    # Without a .config this starts from the Kconfig defaults, which are the default
    # profile: configs/l0_mps2_an386_defconfig assigns nothing (tests/test_kconfig.py
    # checks the two agree).
    menuconfig.menuconfig(lwcfg.parse_kconfig())
    return 0


def _cmd_defconfig(args: argparse.Namespace) -> int:
    kconf = lwcfg.load_kconfig(defconfig=args.name)
    print(kconf.write_config(str(_config_file())))
    return 0


def _cmd_savedefconfig(args: argparse.Namespace) -> int:
    kconf = lwcfg.load_kconfig(config=_existing_config_file())
    print(kconf.write_min_config(args.output))
    return 0


def _cmd_olddefconfig(args: argparse.Namespace) -> int:
    path = _config_file()
    if path.is_file():
        kconf = lwcfg.parse_kconfig()
        kconf.warn_to_stderr = True  # say what gets dropped, like kconfiglib's olddefconfig
        kconf.load_config(str(path))
    else:
        kconf = lwcfg.load_kconfig()  # no .config yet: the default profile
    print(kconf.write_config(str(path)))
    return 0


def _cmd_genconfig(args: argparse.Namespace) -> int:
    config = args.config
    if config is None and args.defconfig is None and _config_file().is_file():
        config = _config_file()
    lwcfg.genconfig(config, args.defconfig, out_dir=args.output)
    source = config or args.defconfig or f"default profile ({lwcfg.DEFAULT_DEFCONFIG})"
    names = ", ".join(lwcfg.OUTPUT_FILES)
    print(f"lwai: wrote {names} to {args.output} from {source}")
    return 0


def register(sub) -> None:
    """Adds the Kconfig commands to the `lwai` CLI's subparsers (the Makefile's Kconfig
    targets call this on a parser of their own)."""
    shared.add_command(
        sub, "menuconfig", "edit .config in the terminal menu", _cmd_menuconfig, quiet=False
    )

    p = shared.add_command(
        sub, "defconfig", "write .config from a defconfig in configs/", _cmd_defconfig, quiet=False
    )
    p.add_argument("name", help="l0_mps2_an386, l0_mps2_an386_defconfig or a path")

    p = shared.add_command(
        sub,
        "savedefconfig",
        "write the minimal config for .config",
        _cmd_savedefconfig,
        quiet=False,
    )
    shared.add_output(p, "output file (defconfig)", required=False, default="defconfig")

    shared.add_command(
        sub, "olddefconfig", "update .config to the Kconfig tree", _cmd_olddefconfig, quiet=False
    )

    p = shared.add_command(
        sub, "genconfig", "write lwai_config.h/.gni/.json for builds", _cmd_genconfig, quiet=False
    )
    shared.add_config(p, config_help="a Kconfig .config file (default: .config if present)")
    shared.add_output(p, "output directory")
