"""jinja2 templates of the C files the compiler writes (the model source and header); the
per-op C (kernel calls, constants) is rendered by lwai.codegen.kernels and passed in."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )


def render_template(template: str, **values) -> str:
    return _env().get_template(template).render(**values)
