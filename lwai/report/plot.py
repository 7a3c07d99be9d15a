"""Matplotlib pictures of an analysis: the arena plan, the image's flash/RAM by part and the
per-op profile. Figures are made with ``matplotlib.figure.Figure`` (the Agg canvas, no
pyplot state, no display needed)."""

from __future__ import annotations

import io
from pathlib import Path

from lwai.errors import LwaiError

FORMATS = (".png", ".svg")
DPI = 100
WIDTH_IN = 12.0

BACKEND_COLORS = {
    "reference": "#4c72b0",
    "optimized": "#dd8452",
    "cmsis-nn": "#55a868",
    "tvm": "#c44e52",
}


def _plan_axes(ax, data: dict) -> None:
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    mem = data["memory"]
    cmap = colormaps["tab20"]
    kinds = [r["kind"] for r in data["ops"]]
    for i, b in enumerate(sorted(mem["buffers"], key=lambda b: (b["first"], b["offset"]))):
        ws = b.get("kind") == "workspace" or b["name"].startswith("ws")
        state = b.get("kind") == "state"
        x0, width = b["first"] - 0.45, b["last"] - b["first"] + 0.9
        ax.add_patch(
            Rectangle(
                (x0, b["offset"]),
                width,
                b["bytes"],
                facecolor="#bbbbbb" if ws else "#f0e0a0" if state else cmap(i % 20),
                edgecolor="black",
                linewidth=0.6,
                hatch="//" if ws else "xx" if state else None,
                alpha=0.9,
            )
        )
        if b["bytes"] >= 0.06 * max(mem["arena_bytes"], 1) and width >= 0.9:
            ax.text(
                x0 + width / 2,
                b["offset"] + b["bytes"] / 2,
                b["name"],
                ha="center",
                va="center",
                fontsize=7,
            )
    steps = max(mem["steps"], 1)
    ax.axhline(mem["arena_bytes"], color="#c00000", linewidth=1.5)
    ax.text(
        steps - 0.5,
        mem["arena_bytes"],
        f" arena peak {mem['arena_bytes']:,} B",
        color="#c00000",
        va="bottom",
        ha="right",
        fontsize=8,
    )
    ax.axhline(mem["op_bound_bytes"], color="#202020", linestyle="--", linewidth=1.0)
    ax.text(
        -0.5,
        mem["op_bound_bytes"],
        f" op bound {mem['op_bound_bytes']:,} B (op {mem['op_bound_step']})",
        va="top",
        ha="left",
        fontsize=8,
    )
    ax.axvspan(mem["peak_step"] - 0.5, mem["peak_step"] + 0.5, color="#c00000", alpha=0.08)
    ax.plot(
        range(len(mem["live_bytes"])),
        mem["live_bytes"],
        color="#000080",
        linestyle=":",
        marker=".",
        linewidth=1.2,
        label="bytes live at each op",
    )
    ax.set_xlim(-0.6, steps - 0.4)
    ax.set_ylim(0, max(mem["arena_bytes"], mem["op_bound_bytes"], 1) * 1.16)
    ax.set_xticks(range(len(kinds)))
    ax.set_xticklabels([f"{i} {k}" for i, k in enumerate(kinds)], rotation=90, fontsize=7)
    ax.set_xlabel("op index")
    ax.set_ylabel("arena offset (bytes)")
    ax.set_title(
        f"{data['model']}: arena plan, each buffer over its lifetime "
        f"(peak at op {mem['peak_step']}; //: workspaces, xx: op state)"
    )
    ax.legend(loc="upper center", fontsize=8)


def _size_axes(ax, data: dict) -> None:
    size = data["size"]
    parts = size.get("parts")
    if not parts:
        t = size["totals"]
        parts = [
            {"part": k.removesuffix("_bytes"), "flash_bytes": v, "ram_bytes": 0}
            for k, v in t.items()
            if k in ("text_bytes", "rodata_bytes", "data_bytes")
        ]
    labels = [p["part"] for p in parts]
    y = range(len(parts))
    flash = [p["flash_bytes"] for p in parts]
    ram = [p["ram_bytes"] for p in parts]
    ax.barh([v - 0.2 for v in y], flash, height=0.4, color="#4c72b0", label="flash")
    ax.barh([v + 0.2 for v in y], ram, height=0.4, color="#dd8452", label="RAM")
    ax.set_yticks(list(y))
    ax.set_yticklabels(labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("symlog", linthresh=1024)
    ax.set_xlabel("bytes (log scale above 1 KiB)")
    t = size["totals"]
    ax.set_title(
        f"image: flash {t['flash_bytes']:,} B, RAM {t['ram_bytes']:,} B by part "
        f"({Path(size['image']).name})"
    )
    ax.legend(loc="lower right", fontsize=8)


def _profile_axes(ax, data: dict) -> None:
    prof = data["per_op"]
    unit = prof["unit"]
    rows = prof["rows"]
    colors = [BACKEND_COLORS.get(r["backend"], "#8172b3") for r in rows]
    ax.bar(range(len(rows)), [r[unit] for r in rows], color=colors)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([f"{i} {r['op']}" for i, r in enumerate(rows)], rotation=90, fontsize=7)
    ax.set_ylabel(unit)
    whole = f" of {prof['whole']:,}" if prof.get("whole") else ""
    ax.set_title(f"per-op profile on {prof.get('target')}: sum {prof['sum']:,}{whole} {unit}")
    from matplotlib.patches import Patch

    used = list(dict.fromkeys(r["backend"] for r in rows))
    ax.legend(
        handles=[Patch(color=BACKEND_COLORS.get(b, "#8172b3"), label=b) for b in used],
        fontsize=8,
        loc="upper right",
    )


def figure(data: dict, which: tuple[str, ...] | None = None):
    """One figure with a panel per part present: the arena plan, then the image sizes
    (with --size), then the per-op profile (with --profile)."""
    from matplotlib.figure import Figure

    panels = [("plan", _plan_axes, 5.5)]
    if "size" in data:
        panels.append(("size", _size_axes, 0.8 + 0.28 * len(data["size"].get("parts") or [0])))
    if "per_op" in data:
        panels.append(("profile", _profile_axes, 4.0))
    if which is not None:
        panels = [p for p in panels if p[0] in which]
    heights = [max(h, 2.5) for _, _, h in panels]
    fig = Figure(figsize=(WIDTH_IN, sum(heights) + 0.6 * len(panels)), dpi=DPI)
    axes = fig.subplots(len(panels), 1, gridspec_kw={"height_ratios": heights}, squeeze=False)
    for (_, draw, _), ax in zip(panels, axes[:, 0]):
        draw(ax, data)
    fig.tight_layout()
    return fig


def render(data: dict, fmt: str = "png", which: tuple[str, ...] | None = None) -> bytes:
    buf = io.BytesIO()
    figure(data, which).savefig(buf, format=fmt, dpi=DPI)
    return buf.getvalue()


def save(data: dict, path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise LwaiError(path, "unknown plot format", "Name the file *.png or *.svg.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(data, path.suffix.lower()[1:]))
    return path
