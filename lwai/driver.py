"""``lwai run``: compile (cached), build for a target, run, return the outputs."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from lwai import progress
from lwai.errors import LwaiError

REPO = Path(__file__).resolve().parent.parent

# The board config a target runs when the user gives none.
TARGET_DEFCONFIG = {
    "host": "l2_aarch64" if platform.machine() in ("aarch64", "arm64") else "l2_x86_64",
    "qemu-arm": "l1_armv7a_linux",
    "qemu-cortex-m4": "l0_mps2_an386",
    "qemu-cortex-m55": "l0_mps3_an547",
}


@contextmanager
def _locked(path: Path):
    """Serializes work on one cache entry across processes (pytest-xdist, parallel makes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def cache_root() -> Path:
    return Path(os.environ.get("LWAI_CACHE_DIR", REPO / "build" / "cache"))


@lru_cache(maxsize=1)
def _toolchain_digest() -> str:
    """Digest of everything that shapes generated code: the compiler's own sources and the
    op spec with its templates."""
    h = hashlib.sha256()
    files = [p for p in (REPO / "lwai").rglob("*") if p.suffix in (".py", ".yaml", ".j2")]
    for p in sorted(files):
        h.update(p.relative_to(REPO).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def with_kernels(
    kernels: str | None, target: str, config: str | None, defconfig: str | None
) -> str | None:
    """The config file to use for ``--kernels KERNELS`` (None: ``config`` unchanged): the
    given config (or the defconfig, or the target's) with that kernel backend first and
    the reference after it. A backend the CPU cannot have fails when the file is loaded,
    with Kconfig's reason; CMSIS-NN takes its path from LWAI_CMSIS_NN_PATH when the config
    has none."""
    if kernels is None:
        return config
    from lwai.opspec import BACKENDS

    if kernels not in BACKENDS:
        raise LwaiError(
            "--kernels", f"unknown kernel set '{kernels}'", f"Use one of {', '.join(BACKENDS)}."
        )
    from lwai.config import defconfig_path

    name = defconfig or TARGET_DEFCONFIG.get(target)
    text = Path(config).read_text() if config else defconfig_path(name).read_text()
    extra = {
        "CONFIG_LWAI_KERNELS_OPTIMIZED": "y" if kernels == "optimized" else None,
        "CONFIG_LWAI_CMSIS_NN": "y" if kernels == "cmsis-nn" else None,
        "CONFIG_LWAI_KERNEL_BACKENDS": json.dumps(
            "reference" if kernels == "reference" else f"{kernels} reference"
        ),
    }
    if kernels == "cmsis-nn" and "CONFIG_LWAI_CMSIS_NN_PATH=" not in text:
        extra["CONFIG_LWAI_CMSIS_NN_PATH"] = json.dumps(os.environ.get("LWAI_CMSIS_NN_PATH", ""))
    keep = [
        ln
        for ln in text.splitlines()
        if ln.split("=")[0] not in extra and ln.removeprefix("# ").split(" ")[0] not in extra
    ]
    lines = [f"{k}={v}" if v is not None else f"# {k} is not set" for k, v in extra.items()]
    body = "\n".join(keep + lines) + "\n"
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    path = cache_root() / "configs" / f"{kernels}-{digest}.config"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(body)
        tmp.replace(path)
    return str(path)


def _config_for(target: str, config: str | None, defconfig: str | None) -> tuple[dict, str]:
    """The loaded config and a text that identifies it for the cache key."""
    try:
        from lwai.config import load_config
    except ImportError:
        return {}, "none"
    if config:
        return load_config(config=config), Path(config).read_text()
    name = defconfig or TARGET_DEFCONFIG.get(target)
    cfg = load_config(defconfig=name)
    return cfg, json.dumps(cfg, sort_keys=True, default=str)


def compile_cached(
    model: Path, target: str = "host", config: str | None = None, defconfig: str | None = None
) -> tuple[Path, dict, dict]:
    """Compiles once per (model bytes, config, compiler sources); returns (dir, report, cfg)."""
    if not model.is_file():
        raise LwaiError(model, "no such model file")
    cfg, cfg_id = _config_for(target, config, defconfig)
    key = hashlib.sha256(
        model.read_bytes() + cfg_id.encode() + _toolchain_digest().encode()
    ).hexdigest()[:20]
    out = cache_root() / key
    with _locked(cache_root() / f"{key}.lock"):
        return out, _compile_into(out, model, target, config, defconfig, cfg), cfg


def _compile_into(out: Path, model: Path, target, config, defconfig, cfg: dict) -> dict:
    from lwai.compiler import compile_model

    report_path = out / "gen" / "report.json"
    if report_path.is_file():
        return json.loads(report_path.read_text())
    tmp = out / "gen.tmp"
    if not config and cfg:
        defconfig = defconfig or TARGET_DEFCONFIG.get(target)
    with progress.step(f"compile {model.name}"):
        report = compile_model(model, tmp, config=config, defconfig=None if config else defconfig)
    if (out / "gen").exists():
        import shutil

        shutil.rmtree(out / "gen")
    tmp.rename(out / "gen")
    return report


def build_cached(out: Path, target: str, cfg: dict, executor: str = "aot", fmt: str = "") -> Path:
    """Builds the cached model for target (once across processes); returns the image.
    A graph-executor build (``executor="graph"``) holds the loader of ``fmt``."""
    from lwai.build import build_image

    tag = target if executor == "aot" else f"{target}-graph-{fmt}"
    what = "" if executor == "aot" else f" ({executor} executor, {fmt})"
    with _locked(out / f"build-{tag}.lock"), progress.step(f"build the {target} image{what}"):
        return build_image(
            out / "gen", target, out / f"build-{tag}", config=cfg or None, executor=executor
        )


def graph_config(base: dict, fmt: str, work: Path, config: str | None, defconfig: str) -> dict:
    """The config (a file, else a defconfig; ``base`` is it loaded) with the graph executor
    and the loader of ``fmt`` on, as Kconfig accepts it (JSON on L0 also needs
    LWAI_ALLOW_JSON_ON_L0)."""
    from lwai.config import defconfig_path, load_config

    text = Path(config).read_text() if config else defconfig_path(defconfig).read_text()
    extra = ["CONFIG_LWAI_EXECUTOR_GRAPH=y"]
    if fmt == "json":
        if base.get("LWAI_PROFILE_L0"):
            extra.append("CONFIG_LWAI_ALLOW_JSON_ON_L0=y")
        extra.append("CONFIG_LWAI_LOADER_JSON=y")
    else:
        extra.append("CONFIG_LWAI_LOADER_FLATBUFFER=y")
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"graph-{fmt}.config"
    body = "\n".join(
        ln for ln in text.splitlines() if ln.split("=")[0] not in {e.split("=")[0] for e in extra}
    )
    new = body + "\n" + "\n".join(extra) + "\n"
    if not path.exists() or path.read_text() != new:
        path.write_text(new)
    return load_config(config=path)


def _check_inputs(report: dict, inputs: list[np.ndarray], model: Path) -> list[np.ndarray]:
    specs = report["inputs"]
    if len(inputs) != len(specs):
        raise LwaiError(model, f"the model takes {len(specs)} input(s), {len(inputs)} given")
    checked = []
    for i, (x, spec) in enumerate(zip(inputs, specs)):
        x = np.asarray(x)
        if x.dtype != np.dtype(spec["dtype"]):
            raise LwaiError(
                model, f"input {i} ('{spec['name']}') must be {spec['dtype']}, got {x.dtype}"
            )
        if x.size != int(np.prod(spec["shape"])):
            raise LwaiError(
                model,
                f"input {i} ('{spec['name']}') must have shape {tuple(spec['shape'])}, "
                f"got {x.shape}",
            )
        checked.append(np.ascontiguousarray(x).reshape(spec["shape"]))
    return checked


def run_model(
    model: str | Path,
    inputs: list[np.ndarray],
    workdir: str | Path,
    target: str = "host",
    config: str | None = None,
    defconfig: str | None = None,
    repeat: int = 1,
    executor: str = "aot",
    fmt: str = "lwfb",
    kernels: str | None = None,
    invocations: int | None = None,
    reset_every: int = 0,
) -> tuple[list[np.ndarray], dict]:
    """Runs the model on target; returns (outputs, info with report, ticks, image path).
    ``executor="graph"`` runs OUT/model.<fmt> (lwfb or json) on a graph-executor image.
    ``invocations=N`` runs N invocations in one process (a stateful model's state carried):
    each input has N slices along a new leading axis, each output comes back stacked so;
    ``reset_every=K`` calls lwai_model_reset_state before invocations K, 2K, ..."""
    from lwai.targets import TARGETS, run_image

    if target not in TARGETS:
        raise LwaiError(
            "--target", f"unknown target '{target}'", f"Use one of {', '.join(TARGETS)}"
        )
    model = Path(model)
    config = with_kernels(kernels, target, config, defconfig)
    out, report, cfg = compile_cached(model, target, config, defconfig)
    if invocations is not None:
        if invocations < 1:
            raise LwaiError("--invocations", f"must be at least 1, got {invocations}")
        slices = _split_invocations(report, inputs, model, invocations)
        checked = [_check_inputs(report, inv, model) for inv in slices]
        inputs = [np.stack([inv[i] for inv in checked]) for i in range(len(checked[0]))]
    else:
        inputs = _check_inputs(report, inputs, model)
    model_file = None
    if executor == "graph":
        if fmt not in ("lwfb", "json"):
            raise LwaiError("--format", f"unknown model file format '{fmt}'", "Use lwfb or json.")
        if fmt not in report.get("graph_files", {}):
            raise LwaiError(model, report.get("graph_refusal") or "no graph file was written")
        name = defconfig or TARGET_DEFCONFIG[target]
        cfg = graph_config(cfg, fmt, out, config, name) if cfg else cfg
        model_file = out / "gen" / f"model.{fmt}"
        exe = build_cached(out, target, cfg, "graph", fmt)
    elif executor == "aot":
        exe = build_cached(out, target, cfg)
    else:
        raise LwaiError("--executor", f"unknown executor '{executor}'", "Use aot or graph.")
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    in_files, out_files = [], []
    for i, x in enumerate(inputs):
        p = work / f"input_{i}.bin"
        x.tofile(p)
        in_files.append(p)
    for i in range(len(report["outputs"])):
        out_files.append(work / f"output_{i}.bin")
    runs = f", {repeat} inferences" if repeat > 1 else ""
    with progress.step(f"run {model.name} on {target}{runs}"):
        result = run_image(
            target,
            exe,
            in_files,
            out_files,
            repeat=repeat,
            model_file=model_file,
            reset_every=reset_every,
            invocations=invocations or 1,
        )
    outputs = []
    lead = [] if invocations is None else [invocations]  # stacked along a new leading axis
    for p, spec in zip(out_files, report["outputs"]):
        data = np.fromfile(p, dtype=spec["dtype"])
        outputs.append(data.reshape(lead + list(spec["shape"])))
    info = {"report": report, "ticks": result.ticks, "image": exe, "result": result}
    return outputs, {**info, "out": out}  # out: the compile's cache folder (gen/ holds it)


def _split_invocations(
    report: dict, inputs: list[np.ndarray], model: Path, n: int
) -> list[list[np.ndarray]]:
    """Per invocation, the model's inputs: slice k of each input's leading axis."""
    specs = report["inputs"]
    if len(inputs) != len(specs):
        raise LwaiError(model, f"the model takes {len(specs)} input(s), {len(inputs)} given")
    for i, x in enumerate(inputs):
        if np.ndim(x) < 1 or np.shape(x)[0] != n:
            raise LwaiError(
                model,
                f"input {i} ('{specs[i]['name']}') must hold {n} invocations along a new "
                f"leading axis: shape ({n}, {', '.join(map(str, specs[i]['shape']))}), "
                f"got {np.shape(x)}",
            )
    return [[np.asarray(x)[k] for x in inputs] for k in range(n)]


def run_host(model_path: Path, inputs: list[np.ndarray], workdir: Path) -> list[np.ndarray]:
    """Compile, build with the host compiler and run: the product path tests compare."""
    return run_model(model_path, inputs, workdir, target="host")[0]
