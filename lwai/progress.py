"""Progress on the steps that take seconds (import, TVM build, image build, QEMU run, sweeps).

    from lwai import progress

    with progress.step("compile person_detect.tflite"):
        ...
    with progress.step("bench sweep", total=len(jobs)) as s:
        for job in jobs:
            ...
            s.advance()

Off until a front end turns it on (``progress.configure(True)``: the `lwai` CLI does unless
``--quiet``; scripts/bench.py does), so library callers and tests print nothing. When on:
on a terminal (stderr is a tty) a rich live display of every step, nested steps indented,
with a spinner, a bar for steps with a total and the elapsed time (inside a step with a
total, a sweep, the finished steps of each item leave the screen); otherwise one plain
line per finished outermost step on stderr (no escape sequences, no carriage returns), so
logs stay readable and an error stays the only line of a failed command.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

_enabled = False
_depth = 0
_live = None  # the rich Progress while a step runs on a terminal
_totals: list[int | None] = []  # the totals of the steps running, outermost first


def configure(enabled: bool) -> None:
    """Turns progress reporting on or off (off by default)."""
    global _enabled
    _enabled = bool(enabled)


def enabled() -> bool:
    return _enabled


def _on_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # closed or replaced stderr
        return False


class Step:
    """The handle `step()` yields: ``advance()`` moves a step that has a total."""

    def __init__(self, description: str, total: int | None, task=None):
        self.description = description
        self.total = total
        self.completed = 0
        self._task = task

    def advance(self, n: int = 1) -> None:
        self.completed += n
        if self._task is not None and _live is not None:
            _live.update(self._task, completed=self.completed)
        elif _enabled and _depth == 1 and self.total and not _on_terminal():
            _plain(f"{self.description}: {self.completed}/{self.total}")

    def update(self, description: str) -> None:
        """Renames the step (e.g. to name the item a sweep is on)."""
        self.description = description
        if self._task is not None and _live is not None:
            _live.update(self._task, description=_indent(description))


def _indent(description: str) -> str:
    from rich.markup import escape

    return "  " * max(_depth - 1, 0) + escape(description)


def _plain(text: str) -> None:
    print(f"lwai: {text}", file=sys.stderr, flush=True)


def _new_live():
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
    )
    from rich.table import Column
    from rich.text import Text

    class IfTotal(ProgressColumn):
        """A column shown only for steps that have a total (the rest are open-ended)."""

        def __init__(self, column: ProgressColumn):
            super().__init__()
            self.column = column

        def render(self, task):
            return Text("") if task.fields.get("open_ended") else self.column.render(task)

    class Status(SpinnerColumn):
        """The spinner; a check mark when the step is done, a red cross when it failed."""

        def render(self, task):
            return Text("✗", style="red") if task.fields.get("failed") else super().render(task)

    class Seconds(ProgressColumn):
        """Elapsed seconds with a tenth (steps take from a second to minutes)."""

        def render(self, task):
            secs = task.finished_time if task.finished else task.elapsed
            return Text(f"{secs or 0:.1f} s", style="progress.elapsed")

    return Progress(
        Status(finished_text="[green]✓[/]"),
        # a steady width, so that bars do not jump as shorter or longer steps come and go
        TextColumn("{task.description}", table_column=Column(min_width=44)),
        IfTotal(BarColumn(bar_width=16)),
        IfTotal(MofNCompleteColumn()),
        Seconds(),
        console=Console(stderr=True),
        redirect_stdout=False,
        redirect_stderr=True,
    )


@contextmanager
def step(description: str, total: int | None = None) -> Iterator[Step]:
    """Reports the step while it runs (see the module doc); yields its `Step` handle."""
    global _depth, _live
    if not _enabled:
        yield Step(description, total)
        return
    _depth += 1
    _totals.append(total)
    t0 = time.perf_counter()
    try:
        if _on_terminal():
            if _live is None:
                _live = _new_live()
                _live.start()
            task = _live.add_task(_indent(description), total=total, open_ended=total is None)
            handle = Step(description, total, task)
            ok = False
            try:
                yield handle
                ok = True
            finally:
                if any(t is not None for t in _totals[:-1]):
                    # inside a sweep: only the running steps of the current item stay on screen
                    _live.remove_task(task)
                elif ok:
                    # open-ended steps: total 1, done, so the spinner turns into a check mark
                    _live.update(task, total=total or 1, completed=total or 1)
                else:
                    _live.update(task, failed=True)
                    _live.stop_task(task)
                if _depth == 1:
                    _live.stop()
                    _live = None
        else:
            handle = Step(description, total)
            yield handle
            if _depth == 1:
                _plain(f"{handle.description} ({time.perf_counter() - t0:.1f} s)")
    finally:
        _depth -= 1
        _totals.pop()


def track(items, description: str):
    """Iterates ``items`` (a sized iterable) as a step with a total."""
    items = list(items)
    with step(description, total=len(items)) as s:
        for item in items:
            yield item
            s.advance()
