"""`lwai report OUT/report.json ...`: tables and plots of a compiled model, its image and its
per-op profile. The options and the work live in lwai/report (``add_arguments(parser)``,
``run(args) -> int``); this module only wires them in."""

from __future__ import annotations

import argparse

from lwai.cli import args as shared
from lwai.errors import LwaiError


def _report_module():
    try:
        from lwai import report
    except ImportError:
        return None
    if not (hasattr(report, "add_arguments") and hasattr(report, "run")):
        return None
    return report


def register(sub) -> None:
    p = shared.add_command(
        sub, "report", "tables and plots of report.json, image sizes and per-op profiles", run
    )
    mod = _report_module()
    if mod is not None:
        mod.add_arguments(p)
    else:  # lwai/report not there yet: take anything, say so when run
        p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    mod = _report_module()
    if mod is None:
        raise LwaiError("report", "this lwai has no report module (lwai/report)")
    return int(mod.run(args) or 0)
