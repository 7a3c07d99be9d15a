"""`lwai report` (issue 15): tables, plots, JSON and HTML of report.json, an image's sizes
and a per-op profile.

- The arena-plan plot of person_detect is a real picture: read back from the PNG, its size
  is the figure's and it is far from blank.
- The numbers in the tables equal report.json's, and the image totals equal the ELF's own
  section sizes as binutils' readelf lists them.
- The HTML page holds everything and fetches nothing.
- Bad input gives one clear error line and exit 2.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import shared_model
from lwai.cli import main

M4 = "qemu-cortex-m4"

needs_m4 = pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
    reason="needs arm-none-eabi-gcc and qemu-system-arm",
)


@pytest.fixture(scope="module")
def person_detect():
    """person_detect compiled and built for Cortex-M4 (the driver's cache): (report.json
    path, the report, the image)."""
    if shutil.which("arm-none-eabi-gcc") is None:
        pytest.skip("needs arm-none-eabi-gcc")
    from lwai.driver import build_cached, compile_cached

    out, report, cfg = compile_cached(shared_model("person_detect.tflite"), M4)
    exe = build_cached(out, M4, cfg)
    return out / "gen" / "report.json", report, exe


def _report(args: list[str], capsys) -> tuple[int, str, str]:
    rc = main(["report", *map(str, args)])
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def _readelf_totals(elf: Path) -> dict:
    """Allocated section bytes by kind, from `arm-none-eabi-readelf -S -W` (binutils, not
    pyelftools), classified as lwai.elfsize documents: X -> text, W+NOBITS -> bss,
    W -> data, other A -> rodata; .lwai_arena and .stack on their own."""
    text = subprocess.run(
        ["arm-none-eabi-readelf", "-S", "-W", str(elf)], capture_output=True, text=True, check=True
    ).stdout
    totals = dict.fromkeys(("text", "rodata", "data", "bss", "arena", "stack"), 0)
    row = re.compile(
        r"^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(\S*)"
    )
    for line in text.splitlines():
        m = row.match(line)
        if not m:
            continue
        name, kind, size, flags = m.group(1), m.group(2), int(m.group(3), 16), m.group(4)
        if "A" not in flags or not size:
            continue
        if name == ".lwai_arena":
            totals["arena"] += size
        elif name == ".stack":
            totals["stack"] += size
        elif kind == "NOBITS":
            totals["bss"] += size
        elif "X" in flags:
            totals["text"] += size
        elif "W" in flags:
            totals["data"] += size
        else:
            totals["rodata"] += size
    return totals


@needs_m4
def test_plot_of_person_detect_is_a_real_picture(person_detect, tmp_path, capsys):
    from matplotlib.image import imread

    report_path, _, exe = person_detect
    png = tmp_path / "plan.png"
    rc, _, _ = _report([report_path, "--plot", png], capsys)
    assert rc == 0
    img = imread(png)
    height, width = img.shape[:2]
    assert width == 1200  # 12 in at 100 dpi
    assert 500 <= height <= 1000
    rgb = img[..., :3]
    non_white = np.mean(np.any(rgb < 0.95, axis=-1))
    assert non_white > 0.15, non_white
    # flat areas of many colours: the 46 buffers' rectangles (tab20 colours, grey hatched
    # workspaces). A plan of one buffer has 12 colours over 500 pixels, this one 33.
    _, counts = np.unique((rgb * 255).astype(np.uint8).reshape(-1, 3), axis=0, return_counts=True)
    assert (counts > 500).sum() >= 25, (counts > 500).sum()
    # with the image sizes the figure gets a second panel: taller, same width
    both = tmp_path / "both.png"
    rc, _, _ = _report([report_path, "--size", exe, "--plot", both], capsys)
    assert rc == 0
    img2 = imread(both)
    assert img2.shape[1] == 1200 and img2.shape[0] > height + 200
    svg = tmp_path / "plan.svg"
    assert _report([report_path, "--plot", svg], capsys)[0] == 0
    assert "<svg" in svg.read_text()[:2000]


@needs_m4
def test_tables_equal_report_json_and_the_elf(person_detect, capsys):
    report_path, report, exe = person_detect
    rc, out, _ = _report([report_path, "--size", exe], capsys)
    assert rc == 0
    assert "\x1b" not in out  # piped: no control characters
    lines = out.splitlines()
    plan = {b["name"]: b for b in report["memory_plan"]}

    def cells(line: str) -> list[str]:
        return [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]

    # the ops table: one row per op with its backend, kernel, output offset and bytes
    rows = {}
    for line in lines:
        c = cells(line)
        if len(c) == 10 and c[0].isdigit():
            rows[int(c[0])] = c
    assert sorted(rows) == list(range(len(report["ops"])))
    for i, op in enumerate(report["ops"]):
        c = rows[i]
        assert c[1:5] == [op["name"], op["kind"], op["backend"], op["kernel"]]
        out_buf = plan[op["output"]]
        assert c[6] == f"{out_buf['offset']:,}" and c[7] == f"{out_buf['bytes']:,}"
        assert c[8] == f"{op.get('scratch_bytes', 0):,}"
        assert c[9] == f"{op['weights_bytes']:,}"
    # summary: arena and weights as report.json says
    summary = {c[0]: c[1] for c in map(cells, lines) if len(c) == 2}
    assert summary["arena (peak) bytes"] == f"{report['arena_bytes']:,}"
    assert summary["weights bytes"] == f"{report['weights_bytes']:,}"
    assert summary["op bound bytes"] == f"{report['arena_lower_bound']:,}"
    # image totals: the ELF's own sections (readelf), flash = text + rodata + data
    elf = _readelf_totals(exe)
    for kind, value in elf.items():
        assert summary[kind] == f"{value:,}", kind
    assert summary["flash"] == f"{elf['text'] + elf['rodata'] + elf['data']:,}"
    ram = elf["data"] + elf["bss"] + elf["arena"] + elf["stack"]
    assert summary["ram"] == f"{ram:,}"
    assert elf["arena"] >= report["arena_bytes"]


@needs_m4
def test_json_holds_the_same_numbers(person_detect, capsys):
    report_path, report, exe = person_detect
    rc, out, _ = _report([report_path, "--size", exe, "--json"], capsys)
    assert rc == 0
    data = json.loads(out)
    mem = data["memory"]
    assert data["arena_bytes"] == report["arena_bytes"] == mem["arena_bytes"]
    assert mem["op_bound_bytes"] == report["arena_lower_bound"]
    # what is live at the peak reaches the arena's top, and fits below it
    live = [b for b in report["memory_plan"] if b["name"] in mem["peak_live"]]
    assert max(b["offset"] + b["bytes"] for b in live) == report["arena_bytes"]
    assert sum(b["bytes"] for b in live) == mem["peak_live_bytes"] <= report["arena_bytes"]
    assert sum(w["bytes"] for w in data["weights"]) == report["weights_bytes"]
    parts = data["size"]["parts"]
    flash = data["size"]["totals"]["flash_bytes"]
    groups = {p["group"] for p in parts}
    assert {"runtime", "kernels", "model", "weights", "board", "libc"} <= groups
    kernel_rows = [p["part"] for p in parts if p["group"] == "kernels"]
    for kind in report["kernels"]:
        assert any(kind in k for k in kernel_rows), (kind, kernel_rows)
    # every flash byte but the linker's padding belongs to a part
    assert 0.97 * flash <= sum(p["flash_bytes"] for p in parts) <= flash
    weights = next(p for p in parts if p["part"] == "weights")["flash_bytes"]
    assert weights >= report["weights_bytes"]


@needs_m4
def test_profile_and_html_page(person_detect, tmp_path, capsys):
    from lwai.bench import bench

    report_path, report, exe = person_detect
    result = bench(shared_model("person_detect.tflite"), M4, per_op=True)
    bench_json = tmp_path / "bench.json"
    bench_json.write_text(json.dumps(result))
    rc, out, _ = _report([report_path, "--profile", bench_json], capsys)
    assert rc == 0
    assert "per-op profile (instructions" in out
    for row in result["per_op"]:
        assert f"{row['instructions']:,}" in out
    page = tmp_path / "report.html"
    png = tmp_path / "all.png"
    args = [report_path, "--size", exe, "--profile", bench_json, "--html", page, "--plot", png]
    assert _report(args, capsys)[0] == 0
    html = page.read_text()
    assert html.count('src="data:image/png;base64,') == 3  # plan, sizes, profile
    assert not re.search(r"(src|href)=\"(?!data:)", html)  # nothing fetched
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    assert "<script" not in text and "<link" not in text and "http" not in text
    assert html.count("<table>") == 7
    assert f"{report['arena_bytes']:,}" in html
    from matplotlib.image import imread

    assert imread(png).shape[0] > 1400  # three panels


def test_bad_input_gives_one_clear_error(tmp_path, capsys):
    not_json = tmp_path / "x.json"
    not_json.write_text("{nope")
    rc, _, err = _report([not_json], capsys)
    assert rc == 2 and "cannot read report.json" in err
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"model": "m"}))
    rc, _, err = _report([other], capsys)
    assert rc == 2 and "not an lwai report.json" in err
    rc, _, err = _report([tmp_path / "missing.json"], capsys)
    assert rc == 2 and "no such report.json" in err
    report = {
        "model": "m",
        "arena_bytes": 16,
        "weights_bytes": 0,
        "ops": [{"name": "op0", "kind": "add", "backend": "reference"}],
        "memory_plan": [{"name": "t0", "offset": 0, "bytes": 16, "first": 0, "last": 1}],
    }
    good = tmp_path / "report.json"
    good.write_text(json.dumps(report))
    assert _report([good], capsys)[0] == 0
    rc, _, err = _report([good, "--plot", tmp_path / "p.jpg"], capsys)
    assert rc == 2 and "unknown plot format" in err
    rc, _, err = _report([good, "--size", not_json], capsys)
    assert rc == 2 and "not an ELF image" in err
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps({"model": "other", "per_op": [{"name": "op0", "us": 1.0}]}))
    rc, _, err = _report([good, "--profile", bench], capsys)
    assert rc == 2 and "the profile is of model 'other'" in err
    bench.write_text(json.dumps({"model": "m"}))
    rc, _, err = _report([good, "--profile", bench], capsys)
    assert rc == 2 and "no per_op rows" in err
