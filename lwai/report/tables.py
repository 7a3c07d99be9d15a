"""The tables of an analysis (lwai.report.analysis.analyze): built once as plain cells
(:class:`Table`), printed with rich on a terminal and written as HTML by lwai.report.html,
so both show the same text."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console


@dataclass
class Column:
    header: str
    justify: str = "left"


@dataclass
class Row:
    cells: list[str]
    style: str | None = None


@dataclass
class Table:
    title: str = ""
    show_header: bool = True
    columns: list[Column] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    def add_column(self, header: str, justify: str = "left") -> None:
        self.columns.append(Column(header, justify))

    def add_row(self, *cells: str, style: str | None = None) -> None:
        self.rows.append(Row([str(c) for c in cells], style))

    def to_rich(self):
        from rich.table import Table as RichTable

        t = RichTable(title=self.title, show_header=self.show_header)
        for c in self.columns:
            t.add_column(c.header, justify=c.justify)
        for r in self.rows:
            t.add_row(*r.cells, style=r.style)
        return t


def n(v) -> str:
    """A byte or count cell: thousands separated, '-' for none."""
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.3f}"
    return f"{int(v):,}"


def summary_table(data: dict) -> Table:
    mem = data["memory"]
    t = Table(title=f"{data['model']}: summary", show_header=False)
    t.add_column("what")
    t.add_column("value", justify="right")
    t.add_row("profile / target", f"{data.get('profile')} / {data.get('target')}")
    t.add_row("ops", n(len(data["ops"])))
    t.add_row("arena (peak) bytes", n(data["arena_bytes"]))
    t.add_row("op bound bytes", n(mem["op_bound_bytes"]))
    t.add_row("peak at op", str(mem["peak_step"]))
    t.add_row("weights bytes", n(data["weights_bytes"]))
    return t


def ops_table(data: dict) -> Table:
    t = Table(title="ops: backend, kernel and arena placement of each output")
    for col, just in (
        ("#", "right"),
        ("op", "left"),
        ("kind", "left"),
        ("backend", "left"),
        ("kernel", "left"),
        ("output", "left"),
        ("offset", "right"),
        ("bytes", "right"),
        ("scratch", "right"),
        ("weights", "right"),
    ):
        t.add_column(col, justify=just)
    peak = data["memory"]["peak_step"]
    for r in data["ops"]:
        t.add_row(
            str(r["index"]),
            r["name"],
            r["kind"],
            r["backend"],
            r["kernel"] or "-",
            r["output"] or "-",
            n(r["offset"]),
            n(r["bytes"]),
            n(r["scratch_bytes"]),
            n(r["weights_bytes"]),
            style="bold" if r["index"] == peak else None,
        )
    return t


def live_table(data: dict) -> Table:
    mem = data["memory"]
    bufs = {b["name"]: b for b in mem["buffers"]}
    t = Table(
        title=f"live at the peak (op {mem['peak_step']}): {mem['peak_live_bytes']:,} of "
        f"{mem['arena_bytes']:,} arena bytes"
    )
    for col, just in (
        ("buffer", "left"),
        ("holds", "left"),
        ("offset", "right"),
        ("bytes", "right"),
        ("end", "right"),
        ("ops", "right"),
    ):
        t.add_column(col, justify=just)
    for name in mem["peak_live"]:
        b = bufs[name]
        holds = ", ".join(b.get("tensors", [])) or (
            f"workspace of {b['op']}" if b.get("op") else ""
        )
        t.add_row(
            name,
            holds,
            n(b["offset"]),
            n(b["bytes"]),
            n(b["offset"] + b["bytes"]),
            f"{b['first']}-{b['last']}",
        )
    return t


def weights_table(data: dict) -> Table:
    t = Table(title=f"weights by layer ({data['weights_bytes']:,} bytes)")
    t.add_column("op")
    t.add_column("kind")
    t.add_column("bytes", justify="right")
    t.add_column("%", justify="right")
    for r in data["weights"]:
        if r["bytes"]:
            t.add_row(r["name"], r["kind"], n(r["bytes"]), f"{r['percent']:.1f}")
    return t


def size_tables(data: dict) -> list[Table]:
    size = data["size"]
    t = Table(title=f"image {size['image']}")
    t.add_column("total")
    t.add_column("bytes", justify="right")
    for k, v in size["totals"].items():
        t.add_row(k.removesuffix("_bytes"), n(v))
    tables = [t]
    if size.get("parts"):
        p = Table(title="flash and RAM by part")
        p.add_column("part")
        p.add_column("flash", justify="right")
        p.add_column("RAM", justify="right")
        for r in size["parts"]:
            p.add_row(r["part"], n(r["flash_bytes"]), n(r["ram_bytes"]))
        tables.append(p)
    return tables


def profile_table(data: dict) -> Table:
    prof = data["per_op"]
    unit = prof["unit"]
    t = Table(
        title=f"per-op profile ({unit}, {prof.get('target')}): sum {n(prof['sum'])}"
        + (f" of {n(prof['whole'])} for the whole inference" if prof.get("whole") else "")
    )
    for col, just in (
        ("op", "left"),
        ("kind", "left"),
        ("backend", "left"),
        ("kernel", "left"),
        (unit, "right"),
        ("%", "right"),
    ):
        t.add_column(col, justify=just)
    for r in prof["rows"]:
        t.add_row(
            r["name"], r["op"], r["backend"], r["kernel"] or "-", n(r[unit]), f"{r['percent']:.1f}"
        )
    return t


def all_tables(data: dict) -> list[Table]:
    tables = [summary_table(data), ops_table(data), live_table(data), weights_table(data)]
    if "size" in data:
        tables += size_tables(data)
    if "per_op" in data:
        tables.append(profile_table(data))
    return tables


def print_tables(data: dict, console: Console | None = None) -> None:
    console = console or Console()
    for t in all_tables(data):
        console.print(t.to_rich())
