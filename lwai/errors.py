"""Expected errors: the CLI prints them as one line and exits with status 2."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import tempfile


class LwaiError(Exception):
    """An error in the user's input (model, config, arguments), not a bug in lwai.

    The message reads ``path: error: what went wrong`` plus, when given, one sentence
    on what to change.
    """

    def __init__(self, where: str, what: str, hint: str = ""):
        self.where = str(where)
        self.what = what
        self.hint = hint
        super().__init__(self.format())

    def format(self) -> str:
        text = f"{self.where}: error: {self.what}"
        return f"{text}. {self.hint}" if self.hint else text


def _last_line(err: BaseException) -> str:
    """The line of an exception's text that says what failed (TVM puts it last, after its
    C++ stack), or the exception's type."""
    lines = [ln.strip() for ln in str(err).strip().splitlines() if ln.strip()]
    return lines[-1] if lines else type(err).__name__


@contextlib.contextmanager
def _native_stderr_to(sink):
    """Points file descriptor 2 (where TVM's C++ logging writes) at ``sink`` for a while."""
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(sink.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def call_tvm(where, what: str, fn, *args, on_failure=None, **kwargs):
    """``fn(*args, **kwargs)`` (a TVM entry point) with TVM's own failures turned into one
    LwaiError line: ``where: error: WHAT: <the last line of TVM's message>``.

    TVM writes C++ log lines to stderr by itself (``BlockBuilder destroyed with remaining
    blocks!`` when a failed import's builder is freed). They are captured while ``fn`` runs
    and while its failed state is freed; replayed when ``fn`` succeeds, dropped when it fails
    (the LwaiError says what went wrong). LwaiErrors raised inside pass through unchanged.
    ``on_failure()`` runs first on failure: it drops the caller's references to TVM objects.
    Set LWAI_DEBUG=1 to let TVM's exceptions through with their tracebacks.
    """
    if os.environ.get("LWAI_DEBUG"):
        return fn(*args, **kwargs)
    failure = passthrough = None
    with tempfile.TemporaryFile() as sink:
        with _native_stderr_to(sink):
            try:
                result = fn(*args, **kwargs)
            except LwaiError as err:
                passthrough = err
            except Exception as err:  # noqa: BLE001 - TVM raises any error type on bad input
                failure = _last_line(err)
            if failure is not None or passthrough is not None:
                # Free the failed converter (its frames hang off the traceback) while the
                # noise it prints on destruction still goes to the sink.
                if on_failure is not None:
                    on_failure()
                gc.collect()
        if failure is None and passthrough is None:
            sink.seek(0)
            noise = sink.read()
            if noise:
                sys.stderr.flush()
                os.write(2, noise)
    if passthrough is not None:
        passthrough.__traceback__ = None
        raise passthrough
    if failure is not None:
        raise LwaiError(where, f"{what}: {failure}")
    return result
