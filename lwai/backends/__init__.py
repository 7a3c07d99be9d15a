"""Kernel backends: which kernel library computes an op, under which C symbol, with how
much scratch. The op spec (lwai/spec/ops.yaml) lists the backends that provide each kernel;
the config orders them (LWAI_KERNEL_BACKENDS); the first that provides an op's kernel for
the target CPU takes it. Every backend computes exactly what the reference kernel computes,
so the reference support check (:func:`lwai.codegen.kernels.unsupported_reason`) decides
whether an op runs on lwai's kernels at all, and the backend only decides which ones.

Scratch sizes come from each backend's Python twin of its C ``*_get_buffer_size``
(``optimized_<arch>.py``, ``cmsis_nn.py``), tested equal to the C functions per CPU.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from lwai import opspec
from lwai.errors import LwaiError

# C header each backend's kernels are declared in.
HEADERS = {
    "reference": "lwai/kernels.h",
    "optimized": "lwai/kernels_optimized.h",
    "cmsis-nn": "lwai/kernels_cmsis_nn.h",
}


@dataclass(frozen=True)
class Target:
    """What backend choice depends on: the configured order and the CPU's architecture
    folder for optimized kernels ("" when the CPU has none)."""

    backends: tuple[str, ...] = ("reference",)
    arch: str = ""

    @classmethod
    def from_config(cls, cfg: dict | None) -> Target:
        if not cfg:
            return cls()
        order = tuple(str(cfg.get("LWAI_KERNEL_BACKENDS") or "reference").split())
        return cls(order, str(cfg.get("LWAI_KERNELS_OPTIMIZED_ARCH") or ""))


def provides(backend: str, kernel: str, arch: str) -> bool:
    """True when ``backend`` has ``kernel`` (e.g. "conv2d_s8") for the CPU ``arch``."""
    if backend == "reference":
        return True
    k = opspec.load().kernels.get(kernel)
    be = k.backends.get(backend) if k else None
    # optimized kernels always name their architectures; an empty arch matches none
    return be is not None and (be.arch is None or arch in be.arch)


def choose(kernel: str, target: Target) -> str:
    """The first backend of the target's order that provides ``kernel``."""
    for b in target.backends:
        if provides(b, kernel, target.arch):
            return b
    return "reference"


def has_scratch(backend: str, kernel: str) -> bool:
    if backend == "reference":
        return False
    return opspec.load().kernels[kernel].backends[backend].scratch


def buffer_size(
    backend: str,
    kernel: str,
    arch: str,
    fields: dict[str, int | float],
    dims: list[tuple[int, int, int, int]],
) -> int:
    """Scratch bytes ``kernel`` of ``backend`` needs (its C *_get_buffer_size), 0 when none.
    ``dims`` are the size function's dims arguments in order (every operand but the bias)."""
    if not has_scratch(backend, kernel):
        return 0
    if backend == "optimized":
        mod = _module(f"lwai.backends.optimized_{arch}", backend, arch)
        return int(mod.buffer_size(kernel, fields, dims))
    mod = _module("lwai.backends.cmsis_nn", backend, arch)
    return int(mod.buffer_size(arch, kernel, fields, dims))


def _module(name: str, backend: str, arch: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name:
            raise
        raise LwaiError(
            "kernels", f"the {backend} backend has no kernels for '{arch or 'this CPU'}'"
        ) from None
