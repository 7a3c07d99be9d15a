"""One self-contained HTML page of an analysis: the tables and the plots (PNG as data: URIs),
no external resource (no script, stylesheet, font or image fetched)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from lwai.report import plot
from lwai.report.tables import all_tables

STYLE = """
body { font-family: sans-serif; margin: 2em; color: #202020; }
table { border-collapse: collapse; margin: 1em 0 2em 0; font-size: 13px; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { border: 1px solid #c8c8c8; padding: 2px 8px; }
th { background: #eeeeee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.peak { background: #ffe8e8; }
img { max-width: 100%; }
"""


def _table_html(table) -> str:
    """A report table (lwai.report.tables.Table) as an HTML table: the terminal's cells."""
    out = ["<table>"]
    if table.title:
        out.append(f"<caption>{html.escape(table.title)}</caption>")
    if table.show_header:
        out.append(
            "<tr>" + "".join(f"<th>{html.escape(c.header)}</th>" for c in table.columns) + "</tr>"
        )
    for row in table.rows:
        cls = ' class="peak"' if row.style else ""
        cells = []
        for c, text in zip(table.columns, row.cells):
            num = ' class="num"' if c.justify == "right" else ""
            cells.append(f"<td{num}>{html.escape(text)}</td>")
        out.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _img(data: dict, which: str, alt: str) -> str:
    png = plot.render(data, "png", (which,))
    b64 = base64.b64encode(png).decode("ascii")
    return f'<p><img alt="{html.escape(alt)}" src="data:image/png;base64,{b64}"></p>'


def page(data: dict) -> str:
    title = f"lwai report: {data['model']}"
    body = [f"<h1>{html.escape(title)}</h1>"]
    tables = all_tables(data)
    body.append("<h2>Memory</h2>")
    body.append(_img(data, "plan", "arena plan"))
    for t in tables[:4]:
        body.append(_table_html(t))
    rest = tables[4:]
    if "size" in data:
        body.append("<h2>Image size</h2>")
        body.append(_img(data, "size", "flash and RAM by part"))
        n = 2 if data["size"].get("parts") else 1
        for t in rest[:n]:
            body.append(_table_html(t))
        rest = rest[n:]
    if "per_op" in data:
        body.append("<h2>Per-op profile</h2>")
        body.append(_img(data, "profile", "per-op profile"))
        for t in rest:
            body.append(_table_html(t))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def save(data: dict, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page(data))
    return path
