"""`lwai demo [--target T]`: the bundled demo model beside the reference."""

from __future__ import annotations

import argparse

from lwai.cli import args as shared


def register(sub) -> None:
    p = shared.add_command(sub, "demo", "run the bundled demo model beside the reference", run)
    shared.add_target(p, default="qemu-cortex-m4", checked=False)


def run(args: argparse.Namespace) -> int:
    from lwai.demo import main as demo_main

    return demo_main(args)
