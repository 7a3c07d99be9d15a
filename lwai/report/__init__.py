"""`lwai report OUT/report.json`: what a compiled model costs, as tables and pictures.

    lwai report OUT/report.json                       # rich tables on the terminal
    lwai report OUT/report.json --size IMAGE.elf      # + flash/RAM by part (pyelftools)
    lwai report OUT/report.json --profile BENCH.json  # + per-op profile (lwai bench --per-op)
    lwai report OUT/report.json --plot plan.png       # arena plan (+ size and profile charts)
    lwai report OUT/report.json --html report.html    # one self-contained page of it all
    lwai report OUT/report.json --json                # the same numbers for machines

Modules: ``analysis`` (the numbers), ``tables`` (rich), ``plot`` (matplotlib), ``html``,
``profile`` (building and running a profiling image for ``lwai bench --per-op``).
The CLI wiring is lwai/cli/report.py, which calls :func:`add_arguments` and :func:`run`.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "report", metavar="REPORT", help="OUT/report.json from `lwai compile` (or OUT itself)"
    )
    parser.add_argument(
        "--size", metavar="IMAGE.elf", help="add the image's flash/RAM breakdown (by part)"
    )
    parser.add_argument(
        "--profile",
        metavar="BENCH.json",
        help="add a per-op profile: the JSON of `lwai bench MODEL --per-op`",
    )
    parser.add_argument(
        "--plot", metavar="FILE", help="draw the arena plan (and size/profile charts): .png or .svg"
    )
    parser.add_argument(
        "--html", metavar="FILE", help="write one self-contained HTML page with everything"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the report's numbers as JSON, no tables"
    )


def build(args: argparse.Namespace) -> dict:
    from lwai.report.analysis import analyze, load_json, load_report

    report = load_report(args.report)
    bench = load_json(args.profile, "bench JSON") if args.profile else None
    return analyze(report, elf=args.size, bench=bench, bench_path=args.profile or "profile")


def run(args: argparse.Namespace) -> int:
    data = build(args)
    written = []
    if args.plot:
        from lwai.report import plot

        written.append(plot.save(data, args.plot))
    if args.html:
        from lwai.report import html

        written.append(html.save(data, args.html))
    if args.json:
        data = dict(data)
        data["written"] = [str(p) for p in written]
        print(json.dumps(data, indent=1))
        return 0
    from rich.console import Console

    from lwai.report.tables import print_tables

    console = Console()
    if not console.is_terminal:  # piped: whole cells, no wrapping at 80 columns
        console = Console(width=max(console.width, 200))
    print_tables(data, console)
    for p in written:
        print(f"lwai: wrote {p}", file=sys.stderr if not console.is_terminal else sys.stdout)
    return 0
