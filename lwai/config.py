"""The Kconfig configuration every lwai build and the compiler read.

The menu lives in the repository's ``Kconfig`` tree (found next to this package, not in
the working directory). A configuration is a Kconfig ``.config`` file, a defconfig from
``configs/``, or, when neither is given, the default profile (``l0_mps2_an386``).

Stable API:

- ``load_config(config=None, defconfig=None) -> dict``: every symbol's value, by symbol
  name without ``CONFIG_``: bools as ``True``/``False``, ints as ``int``, strings as ``str``.
  Assignments that do not stick (a JSON loader on L0, an arena outside the profile's
  range, a mistyped ``LWAI_`` symbol) raise ``LwaiError`` instead of being dropped quietly.
- ``genconfig(config=None, defconfig=None, out_dir=...)``: writes ``lwai_config.h``,
  ``lwai_config.gni`` and ``lwai_config.json``, byte-identical for the same configuration.
- ``kernel_enabled(cfg, op_kind, dtype=None)``: may the compiler use lwai's kernel for an
  ``lwai.ops.OP_KINDS`` entry (and, if given, that data type)?
- ``check_arena(model_name, needed, cfg)``: raises ``LwaiError`` when a model's arena plan
  exceeds ``LWAI_ARENA_SIZE``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import kconfiglib

from lwai import opspec
from lwai.errors import LwaiError

REPO_ROOT = Path(__file__).resolve().parent.parent
KCONFIG = REPO_ROOT / "Kconfig"
CONFIGS_DIR = REPO_ROOT / "configs"
DEFAULT_DEFCONFIG = "l0_mps2_an386"
OUTPUT_FILES = ("lwai_config.h", "lwai_config.gni", "lwai_config.json")

# Written at the top of every .config and savedefconfig output lwai writes.
CONFIG_HEADER = (
    "# lwai configuration: edit with `lwai menuconfig`, generate with `lwai genconfig`\n"
)

# lwai.ops.OP_KINDS -> the Kconfig symbol that enables lwai's kernel for it.
# The Kconfig symbol of each op kind, from kernels/ops.json (generated from the op spec): plain
# JSON, so `make oldconfig` and friends need kconfiglib only (as in a Yocto build).
OP_KERNEL_SYMBOLS = {
    kind: op["kconfig"]
    for kind, op in json.loads(
        (Path(__file__).resolve().parent.parent / "kernels" / "ops.json").read_text()
    )["ops"].items()
}

# Tensor dtype names (as in lwai.ops.TensorDesc.dtype) -> the Kconfig data-type symbol.
# int32 only appears as bias and is covered by the int8/int16 kernels.
DTYPE_SYMBOLS = {
    "int8": "LWAI_DTYPE_INT8",
    "int16": "LWAI_DTYPE_INT16",
    "float32": "LWAI_DTYPE_FLOAT32",
}

ConfigValue = bool | int | str
PathLike = str | os.PathLike


# --- Loading ------------------------------------------------------------------------------


def parse_kconfig() -> kconfiglib.Kconfig:
    """Parses lwai's Kconfig tree; symbols hold their defaults (the default profile)."""
    kconf = kconfiglib.Kconfig(str(KCONFIG), warn_to_stderr=False)
    if kconf.warnings:  # a broken tree is lwai's bug, not the user's
        raise RuntimeError(f"{KCONFIG}: Kconfig warnings:\n" + "\n".join(kconf.warnings))
    kconf.config_header = CONFIG_HEADER
    return kconf


def list_defconfigs() -> list[str]:
    """Names of the bundled defconfigs, without the ``_defconfig`` suffix."""
    return sorted(p.name[: -len("_defconfig")] for p in CONFIGS_DIR.glob("*_defconfig"))


def defconfig_path(name: PathLike) -> Path:
    """Resolves ``l0_mps2_an386``, ``l0_mps2_an386_defconfig`` or a path to a defconfig file."""
    text = os.fspath(name)
    path = Path(text)
    if path.is_file():
        return path
    stem = path.name.removesuffix("_defconfig")
    if os.sep not in text and "/" not in text:
        bundled = CONFIGS_DIR / f"{stem}_defconfig"
        if bundled.is_file():
            return bundled
    raise LwaiError(
        text,
        f"no such defconfig: '{text}'",
        f"Use a file path or one of: {', '.join(list_defconfigs())}.",
    )


def load_kconfig(
    config: PathLike | None = None, defconfig: PathLike | None = None, strict: bool = True
) -> kconfiglib.Kconfig:
    """Parses the tree and loads a .config, a defconfig or the default profile.

    With ``strict`` (the default) an assignment that does not stick raises ``LwaiError``
    listing each one and why; without it kconfiglib's usual leniency applies (the value
    falls back, as ``olddefconfig`` wants).
    """
    if config is not None and defconfig is not None:
        raise LwaiError("config", "both a config file and a defconfig were given", "Pass one.")
    if config is not None:
        source = Path(config)
        if not source.is_file():
            raise LwaiError(
                source,
                f"no such config file: '{source}'",
                "Create one with `lwai defconfig NAME` or `lwai menuconfig`.",
            )
    else:
        source = defconfig_path(defconfig if defconfig is not None else DEFAULT_DEFCONFIG)
    kconf = parse_kconfig()
    kconf.load_config(str(source))
    if strict:
        problems = _assignment_problems(kconf)
        if problems:
            raise LwaiError(
                source,
                "invalid configuration: " + "; ".join(problems),
                "Fix these lines, or let `lwai olddefconfig` drop them.",
            )
        if kconf.syms["LWAI"].tri_value != 2:
            raise LwaiError(
                source, "LightWeightAI is disabled (CONFIG_LWAI is not set)", "Set CONFIG_LWAI=y."
            )
    return kconf


def config_values(kconf: kconfiglib.Kconfig) -> dict[str, ConfigValue]:
    """Every defined symbol's value, in Kconfig order (bools False when not set)."""
    values: dict[str, ConfigValue] = {}
    for sym in kconf.unique_defined_syms:
        if sym.orig_type in (kconfiglib.BOOL, kconfiglib.TRISTATE):
            values[sym.name] = sym.tri_value == 2
        elif sym.orig_type in (kconfiglib.INT, kconfiglib.HEX):
            base = 10 if sym.orig_type == kconfiglib.INT else 16
            values[sym.name] = int(sym.str_value, base) if sym.str_value else 0
        else:
            values[sym.name] = sym.str_value
    return values


def load_config(
    config: PathLike | None = None, defconfig: PathLike | None = None
) -> dict[str, ConfigValue]:
    """The configuration as ``{symbol: value}``; the default profile when neither is given.

    Raises ``LwaiError`` for a missing file, an unknown defconfig, or assignments that
    Kconfig would not accept (see ``load_kconfig``).
    """
    values = config_values(load_kconfig(config, defconfig))
    if values["LWAI_CMSIS_NN"] and not values["LWAI_CMSIS_NN_PATH"]:
        # Kconfig cannot require a non-empty string, and a build without the path fails late.
        raise LwaiError(
            config if config is not None else defconfig_path(defconfig or DEFAULT_DEFCONFIG),
            "CONFIG_LWAI_CMSIS_NN=y but CONFIG_LWAI_CMSIS_NN_PATH is empty",
            "Set it to your CMSIS-NN checkout (lwai menuconfig: Kernels > CMSIS-NN path).",
        )
    check_kernel_backends(
        values, config if config is not None else defconfig_path(defconfig or DEFAULT_DEFCONFIG)
    )
    return values


# The Kconfig switch each non-reference kernel backend needs.
BACKEND_SWITCHES = {"optimized": "LWAI_KERNELS_OPTIMIZED", "cmsis-nn": "LWAI_CMSIS_NN"}


def kernel_backends(cfg: dict[str, ConfigValue]) -> list[str]:
    """LWAI_KERNEL_BACKENDS as a list, in order of preference (["reference"] without one)."""
    return str(cfg.get("LWAI_KERNEL_BACKENDS") or "reference").split()


def check_kernel_backends(cfg: dict[str, ConfigValue], where: PathLike | str) -> None:
    """Raises ``LwaiError`` when LWAI_KERNEL_BACKENDS names an unknown backend, one whose
    switch is off (so it could not be built), repeats one, or lacks ``reference``."""
    names = kernel_backends(cfg)
    for name in names:
        if name not in opspec.BACKENDS:
            raise LwaiError(
                where,
                f"CONFIG_LWAI_KERNEL_BACKENDS names an unknown kernel backend: '{name}'",
                f"Use some of: {', '.join(opspec.BACKENDS)}.",
            )
        switch = BACKEND_SWITCHES.get(name)
        if switch and not cfg.get(switch):
            raise LwaiError(
                where,
                f"CONFIG_LWAI_KERNEL_BACKENDS lists '{name}' but CONFIG_{switch} is not set",
                f"Enable {switch} (lwai menuconfig: Kernels), which this CPU must support, "
                f"or remove '{name}' from the list.",
            )
    if len(set(names)) != len(names):
        raise LwaiError(
            where, f"CONFIG_LWAI_KERNEL_BACKENDS repeats a backend: '{' '.join(names)}'"
        )
    if "reference" not in names:
        raise LwaiError(
            where,
            "CONFIG_LWAI_KERNEL_BACKENDS must include 'reference'",
            "The reference kernels hold the float kernels and the other backends' fallbacks.",
        )


def _drop_true_terms(expr):
    """``expr`` without the terms that always hold here (``LWAI``, a choice, ``y``); None if
    nothing is left (the expression is always true)."""
    if isinstance(expr, tuple) and expr[0] in (kconfiglib.AND, kconfiglib.OR):
        left, right = _drop_true_terms(expr[1]), _drop_true_terms(expr[2])
        if expr[0] == kconfiglib.OR:
            return None if left is None or right is None else (kconfiglib.OR, left, right)
        if left is None or right is None:
            return right if left is None else left
        return (kconfiglib.AND, left, right)
    if isinstance(expr, kconfiglib.Choice):
        return None
    if isinstance(expr, kconfiglib.Symbol) and (expr.name == "LWAI" or expr is expr.kconfig.y):
        return None
    return expr


def describe_expr(expr) -> str:
    """A Kconfig expression as text, without the terms that always hold (``y`` if none)."""
    simplified = _drop_true_terms(expr)
    return "y" if simplified is None else kconfiglib.expr_str(simplified)


def _condition(sym: kconfiglib.Symbol) -> str:
    """The condition under which a symbol's prompt shows, as text."""
    for node in sym.nodes:
        if node.prompt:
            return describe_expr(node.prompt[1])
    return "n"


def _assignment_problems(kconf: kconfiglib.Kconfig) -> list[str]:
    """Assignments in the loaded file that did not take effect, each with the reason."""
    for sym in kconf.unique_defined_syms:
        _ = sym.str_value  # evaluating a value is what emits kconfiglib's range warnings
    problems = [
        f"CONFIG_{name} is not an lwai symbol"
        for name, _ in kconf.missing_syms
        if name.startswith("LWAI")
    ]
    problems += [
        w.removeprefix("warning: ") for w in kconf.warnings if "outside the active range" not in w
    ]  # reported below, with the range
    for sym in kconf.unique_defined_syms:
        if sym.user_value is None or sym.choice or not any(n.prompt for n in sym.nodes):
            continue  # unassigned, decided by its choice, or derived (user values ignored)
        if sym.orig_type in (kconfiglib.BOOL, kconfiglib.TRISTATE):
            wanted, got = kconfiglib.TRI_TO_STR[sym.user_value], sym.str_value
        else:
            wanted, got = sym.user_value, sym.str_value
        if wanted == got:
            continue
        shown = f'"{wanted}"' if sym.orig_type == kconfiglib.STRING else wanted
        if not sym.visibility:
            why = f"it requires {_condition(sym)}"
        elif kconfiglib.expr_value(sym.rev_dep):
            why = f"it is selected by {describe_expr(sym.rev_dep)}"
        elif sym.orig_type in (kconfiglib.INT, kconfiglib.HEX):
            why = f"it is outside the allowed range{_range_text(sym)}"
        else:
            why = f"the value is {got}"
        problems.append(f"CONFIG_{sym.name}={shown} cannot be set: {why}")
    for choice in kconf.unique_choices:
        wanted = choice.user_selection
        if wanted is not None and choice.selection is not wanted:
            problems.append(
                f"CONFIG_{wanted.name}=y cannot be set: it requires {_condition(wanted)}"
            )
    return problems


def _range_text(sym: kconfiglib.Symbol) -> str:
    for low, high, cond in sym.ranges:
        if kconfiglib.expr_value(cond):
            return f" [{low.str_value}, {high.str_value}]"
    return ""


# --- Consumers ----------------------------------------------------------------------------


def kernel_enabled(cfg: dict[str, ConfigValue], op_kind: str, dtype: str | None = None) -> bool:
    """May the compiler use lwai's kernel for ``op_kind`` (an ``lwai.ops.OP_KINDS`` entry)?

    False sends the operator to TVM's generated C. With ``dtype`` ("int8", "int16",
    "float32"; "int32" is always allowed) the data type must be enabled too. An unknown
    ``op_kind`` is a bug and raises ``ValueError``.
    """
    try:
        symbol = OP_KERNEL_SYMBOLS[op_kind]
    except KeyError:
        raise ValueError(f"no Kconfig symbol for op kind {op_kind!r}") from None
    if not cfg.get(symbol, False):
        return False
    if dtype is None or dtype not in DTYPE_SYMBOLS:
        return True
    return bool(cfg.get(DTYPE_SYMBOLS[dtype], False))


def enabled_kernels(cfg: dict[str, ConfigValue]) -> list[str]:
    """The op kinds whose lwai kernel is enabled, in ``OP_KERNEL_SYMBOLS`` order."""
    return [op for op, symbol in OP_KERNEL_SYMBOLS.items() if cfg.get(symbol, False)]


def check_arena(model_name: str, needed: int, cfg: dict[str, ConfigValue]) -> None:
    """Raises ``LwaiError`` when the arena plan (``needed`` bytes) exceeds LWAI_ARENA_SIZE."""
    configured = int(cfg["LWAI_ARENA_SIZE"])
    if needed > configured:
        raise LwaiError(
            model_name,
            f"the arena needs {needed} bytes but CONFIG_LWAI_ARENA_SIZE is {configured} bytes",
            f"Set CONFIG_LWAI_ARENA_SIZE to at least {needed} "
            "(lwai menuconfig: Runtime > Arena size) or use a smaller model",
        )


# The AOT code's stack per tensor of a TVM call on a 32-bit core (a DLTensor, 40 bytes, and
# its packed argument, 16), and what the app, runtime and kernels keep for themselves.
TVM_CALL_STACK_PER_TENSOR = 56
STACK_RESERVE = 4096


def check_stack(model_name: str, calls: dict[str, int], cfg: dict[str, ConfigValue]) -> None:
    """Raises ``LwaiError`` when a TVM call's tensors (``calls``: function -> tensor count)
    would take more of an L0 board's stack than CONFIG_LWAI_STACK_SIZE leaves: Cortex-M4 has
    no stack limit, so an overflow would corrupt memory silently rather than fail."""
    if not cfg.get("LWAI_PROFILE_L0") or not calls:
        return
    stack = int(cfg.get("LWAI_STACK_SIZE") or 16384)
    name, count = max(calls.items(), key=lambda kv: kv[1])
    need = count * TVM_CALL_STACK_PER_TENSOR + STACK_RESERVE
    if need > stack:
        raise LwaiError(
            model_name,
            f"TVM function {name} takes {count} tensors: its call needs about {need} bytes of "
            f"stack with the runtime's, but CONFIG_LWAI_STACK_SIZE is {stack} bytes",
            f"Set CONFIG_LWAI_STACK_SIZE to at least {need} (menuconfig: Target > Main stack)",
        )


# --- Generated files ----------------------------------------------------------------------

_GENERATED = "generated by `lwai genconfig` from the Kconfig configuration; do not edit"


def _c_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _gn_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def render_header(values: dict[str, ConfigValue]) -> str:
    """lwai_config.h: ``CONFIG_<symbol>`` macros, as Kconfig's autoconf.h has them.

    The ``CONFIG_`` prefix keeps them apart from the runtime's own names (``lwai_dtype``'s
    ``LWAI_DTYPE_INT8`` enumerator, for one). Enabled bools are ``1``; disabled ones are left
    undefined, so ``#if CONFIG_X`` and ``#ifdef CONFIG_X`` agree.
    """
    lines = [
        f"/* lwai_config.h: {_GENERATED}. */",
        "#ifndef LWAI_CONFIG_H_",
        "#define LWAI_CONFIG_H_",
        "",
    ]
    for name, value in values.items():
        if value is True:
            lines.append(f"#define CONFIG_{name} 1")
        elif value is False:
            lines.append(f"/* CONFIG_{name} is not set */")
        elif isinstance(value, int):
            lines.append(f"#define CONFIG_{name} {value}")
        else:
            lines.append(f"#define CONFIG_{name} {_c_string(value)}")
    lines += ["", "#endif /* LWAI_CONFIG_H_ */", ""]
    return "\n".join(lines)


def render_gni(values: dict[str, ConfigValue]) -> str:
    """lwai_config.gni: every symbol defined (bools true/false), so GN can test any of them."""
    lines = [f"# lwai_config.gni: {_GENERATED}.", ""]
    for name, value in values.items():
        if isinstance(value, bool):
            lines.append(f"{name} = {'true' if value else 'false'}")
        elif isinstance(value, int):
            lines.append(f"{name} = {value}")
        else:
            lines.append(f"{name} = {_gn_string(value)}")
    lines.append("")
    return "\n".join(lines)


def render_json(values: dict[str, ConfigValue]) -> str:
    """lwai_config.json: the ``load_config`` dict, in Kconfig order."""
    return json.dumps(values, indent=2) + "\n"


def genconfig(
    config: PathLike | dict[str, ConfigValue] | None = None,
    defconfig: PathLike | None = None,
    out_dir: PathLike | None = None,
) -> None:
    """Writes lwai_config.h, lwai_config.gni and lwai_config.json into ``out_dir``.

    ``config`` may also be a dict from ``load_config``. Files whose contents would not
    change are left untouched, so builds keyed on timestamps do not rebuild.
    """
    if out_dir is None:
        raise TypeError("genconfig() needs out_dir")
    values = config if isinstance(config, dict) else load_config(config, defconfig)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, render in zip(OUTPUT_FILES, (render_header, render_gni, render_json)):
        _write_if_changed(out / name, render(values))


def _write_if_changed(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return
    path.write_bytes(data)
