"""Thin entry point for `lwai genconfig`, for build systems that run scripts (a GN action).

    python3 scripts/genconfig.py [--config F | --defconfig NAME] -o DIR [--depfile FILE]

Works without installing lwai (the repository root is put on sys.path). With --depfile it
also writes a Makefile-style depfile naming every Kconfig file and the config read, so
ninja re-runs it when any of them changes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from lwai import config as lwcfg
    from lwai.cli import args as shared  # the options `lwai genconfig` takes
    from lwai.errors import LwaiError

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared.add_config(parser)
    shared.add_output(parser, "output directory")
    parser.add_argument("--depfile", help="write a depfile for ninja/make here")
    args = parser.parse_args(argv)
    try:
        lwcfg.genconfig(args.config, args.defconfig, out_dir=args.output)
        source = (
            Path(args.config)
            if args.config
            else lwcfg.defconfig_path(args.defconfig or lwcfg.DEFAULT_DEFCONFIG)
        )
    except LwaiError as err:
        print(f"genconfig: {err}", file=sys.stderr)
        return 2
    if args.depfile:
        kconf = lwcfg.parse_kconfig()
        deps = [*kconf.kconfig_filenames, str(source)]
        deps = [str(Path(d) if Path(d).is_absolute() else lwcfg.REPO_ROOT / d) for d in deps]
        target = Path(args.output) / lwcfg.OUTPUT_FILES[0]
        escaped = " ".join(d.replace(" ", "\\ ") for d in deps)
        Path(args.depfile).write_text(f"{target}: {escaped}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
