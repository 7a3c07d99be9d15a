"""The OpenHarmony component built by real gn + ninja (issue 6 acceptance; `pytest -k gn`).

A module fixture assembles a GN root in a temporary directory: tests/gn (dotfile,
BUILDCONFIG, toolchains, shims at OpenHarmony's import paths, a root BUILD.gn), a copy of the
component at //foundation/ai/lwai (a copy, so touching its compiler sources is safe), the
shared models at //models and the L0 defconfig as //m4.config; then `gn gen` + `ninja` once.

- the host runner (L2) and Cortex-M4 image (L0) of hello_world_int8 and person_detect give
  the outputs of the SCons-built images and of tflite-micro;
- a second ninja has no work; touching the model, the .config or a compiler source makes the
  compile action dirty again;
- `gn format --dry-run` is clean and `gn check` passes (also with plain GN templates);
- bundle.json has the fields and rules OpenHarmony's tools check.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO, SHARED_MODELS, random_inputs

MODELS = ("hello_world_int8", "person_detect")
TARGETS = ("host", "qemu-cortex-m4")
ARM_TC = "//build/toolchain:arm_none_eabi"
TOOLS = ("gn", "ninja", "gcc", "arm-none-eabi-gcc", "qemu-system-arm")
GN_FILES = sorted(
    [REPO / "BUILD.gn", REPO / "lwai.gni", REPO / "tests" / "gn" / ".gn"]
    + list((REPO / "tests" / "gn").rglob("*.gn"))
    + list((REPO / "tests" / "gn").rglob("*.gni"))
)
_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "build", "out", "tests", "__pycache__", "*.egg-info", ".pytest_cache"
)


def _missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


pytestmark = pytest.mark.skipif(bool(_missing_tools()), reason=f"missing {_missing_tools()}")


def _env() -> dict:
    env = dict(os.environ)
    env["PATH"] = str(REPO / ".venv" / "bin") + os.pathsep + env.get("PATH", "")
    return env


def _run(cmd: list[str], cwd: Path) -> str:
    proc = subprocess.run(
        cmd,
        check=False,
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{out[-4000:]}"
    return out


def _host_defconfig() -> str:
    from lwai.driver import TARGET_DEFCONFIG

    return TARGET_DEFCONFIG["host"]


@pytest.fixture(scope="module")
def gn_root(tmp_path_factory) -> Path:
    """The assembled GN root, built once with gn gen + ninja."""
    for m in MODELS:
        if not (SHARED_MODELS / f"{m}.tflite").is_file():
            pytest.skip(f"{SHARED_MODELS} lacks {m}.tflite")
    root = tmp_path_factory.mktemp("gnroot")
    # OpenHarmony's //build/ paths are kept as tests/gn/ohos_build (a tracked folder named
    # build/ would read as build output), and placed at //build here.
    shutil.copytree(
        REPO / "tests" / "gn", root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("ohos_build")
    )
    shutil.copytree(REPO / "tests" / "gn" / "ohos_build", root / "build", dirs_exist_ok=True)
    shutil.copytree(REPO, root / "foundation" / "ai" / "lwai", ignore=_IGNORE)
    (root / "models").mkdir()
    for m in MODELS:
        shutil.copy(SHARED_MODELS / f"{m}.tflite", root / "models")
    shutil.copy(REPO / "configs" / "l0_mps2_an386_defconfig", root / "m4.config")
    _run(["gn", "gen", "out", f'--args=lwai_feature_defconfig="{_host_defconfig()}"'], root)
    _run(["ninja", "-C", "out"], root)
    return root


def _image(root: Path, model: str, target: str) -> Path:
    if target == "host":
        return root / "out" / f"{model}_app"
    return root / "out" / "arm_none_eabi" / f"{model}_app.elf"


@pytest.fixture(scope="module")
def scons_image(tmp_path_factory):
    """The SCons-built image of (model, target), built on first use."""
    from lwai.build import build_image
    from lwai.compiler import compile_model
    from lwai.config import load_config
    from lwai.driver import TARGET_DEFCONFIG

    base = tmp_path_factory.mktemp("scons")
    built = {}

    def get(model: str, target: str) -> Path:
        if (model, target) not in built:
            out = base / f"{model}_{target}"
            defconfig = TARGET_DEFCONFIG[target]
            compile_model(SHARED_MODELS / f"{model}.tflite", out / "gen", defconfig=defconfig)
            cfg = load_config(defconfig=defconfig)
            built[model, target] = build_image(out / "gen", target, out / "build", config=cfg)
        return built[model, target]

    return get


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("model", MODELS)
def test_gn_image_matches_scons_and_tflite_micro(gn_root, scons_image, model, target, tmp_path):
    from tflite_micro.python.tflite_micro import runtime

    from lwai.targets import run_image

    gen = gn_root / "out" / ("" if target == "host" else "arm_none_eabi") / "gen" / model
    report = json.loads((gen / "report.json").read_text())
    xs = random_inputs(report["inputs"], seed=7)
    in_files = []
    interp = runtime.Interpreter.from_file(
        str(SHARED_MODELS / f"{model}.tflite"), arena_size=300000
    )
    for i, x in enumerate(xs):
        in_files.append(tmp_path / f"in{i}.bin")
        x.tofile(in_files[-1])
        interp.set_input(x, i)
    interp.invoke()
    outputs = {}
    for kind, exe in (
        ("gn", _image(gn_root, model, target)),
        ("scons", scons_image(model, target)),
    ):
        files = [tmp_path / f"{kind}_out{i}.bin" for i in range(len(report["outputs"]))]
        run_image(target, exe, in_files, files)
        outputs[kind] = [f.read_bytes() for f in files]
    assert outputs["gn"] == outputs["scons"], f"{model} on {target}: GN and SCons images differ"
    for i, raw in enumerate(outputs["gn"]):
        ref = np.array(interp.get_output(i))
        got = np.frombuffer(raw, dtype=ref.dtype).reshape(ref.shape)
        np.testing.assert_array_equal(got, ref, err_msg=f"{model} on {target} vs tflite-micro")


def _ninja_dry(root: Path) -> str:
    return _run(["ninja", "-C", "out", "-n", "-d", "explain"], root)


def test_gn_second_ninja_does_no_work(gn_root):
    assert "no work to do" in _run(["ninja", "-C", "out"], gn_root)
    assert "no work to do" in _ninja_dry(gn_root)


def test_gn_touching_the_model_reruns_its_action(gn_root):
    model = gn_root / "models" / "hello_world_int8.tflite"
    os.utime(model)  # now: newer than the outputs, older than the rebuilt ones
    out = _run(["ninja", "-C", "out"], gn_root)
    assert "ACTION //:hello_world_int8__compile(//build/toolchain:host)" in out
    assert f"ACTION //:hello_world_int8__compile({ARM_TC})" in out
    assert "person_detect__compile" not in out
    assert "no work to do" in _run(["ninja", "-C", "out"], gn_root)


def _dirty_actions(root: Path, path: Path) -> set[str]:
    """Compile actions ninja would run after `path` gets a newer mtime (restored after).
    A dry run stops after regenerating build.ninja, so that step runs for real first."""
    st = path.stat()
    os.utime(path)
    try:
        _run(["ninja", "-C", "out", "build.ninja"], root)
        out = _ninja_dry(root)
    finally:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    return set(re.findall(r"ACTION //:(\w+__compile\([^)]*\))", out))


def test_gn_touching_the_config_reruns_actions(gn_root):
    dirty = _dirty_actions(gn_root, gn_root / "m4.config")
    assert dirty == {f"{m}__compile({ARM_TC})" for m in MODELS}
    assert "no work to do" in _ninja_dry(gn_root)


def test_gn_touching_a_compiler_source_reruns_actions(gn_root):
    dirty = _dirty_actions(gn_root, gn_root / "foundation" / "ai" / "lwai" / "lwai" / "compiler.py")
    assert dirty == {
        f"{m}__compile({tc})" for m in MODELS for tc in ("//build/toolchain:host", ARM_TC)
    }
    assert "no work to do" in _ninja_dry(gn_root)


def test_gn_depfile_names_the_compiler_sources(gn_root):
    dep = (gn_root / "out" / "gen" / "hello_world_int8" / "compile.d").read_text()
    lwai = gn_root / "foundation" / "ai" / "lwai"
    assert dep.startswith("gen/hello_world_int8/src/hello_world_int8_model.c:")
    for f in (
        "lwai/compiler.py",
        "lwai/config.py",
        "Kconfig",
        f"configs/{_host_defconfig()}_defconfig",
    ):
        assert str((lwai / f).resolve()) in dep, f
    assert ".venv" not in dep


@pytest.mark.parametrize("path", GN_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_gn_format_is_clean(path):
    _run(["gn", "format", "--dry-run", str(path)], REPO)


def test_gn_check_passes(gn_root):
    assert "Header dependency check OK" in _run(["gn", "check", "out"], gn_root)


def test_gn_plain_templates_outside_openharmony(gn_root):
    args = f'lwai_use_ohos_templates=false lwai_feature_defconfig="{_host_defconfig()}"'
    _run(["gn", "gen", "out_plain", f"--args={args}"], gn_root)
    _run(["gn", "check", "out_plain"], gn_root)
    _run(["ninja", "-C", "out_plain", "-n"], gn_root)


def test_gn_use_python_runs_the_compiler_without_the_venv_on_path(gn_root):
    """OpenHarmony's python lacks TVM: lwai_use_python names lwai's interpreter."""
    env = dict(os.environ, PATH=os.pathsep.join(p for p in ("/usr/bin", "/bin")))
    args = (
        f'lwai_use_python="{REPO / ".venv" / "bin" / "python"}" '
        f'lwai_feature_defconfig="{_host_defconfig()}"'
    )
    for cmd in (
        ["gn", "gen", "out_py", f"--args={args}"],
        ["ninja", "-C", "out_py", "hello_world_int8_app"],
        ["out_py/hello_world_int8_app"],
    ):
        proc = subprocess.run(
            cmd, check=False, cwd=gn_root, env=env, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def _gn_sources(gn_root, libs: tuple[str, ...], toolchain: str) -> set[str]:
    built = set()
    for lib in libs:
        out = _run(
            ["gn", "desc", "out", f"//foundation/ai/lwai:{lib}({toolchain})", "sources"], gn_root
        )
        built |= {ln.strip().removeprefix("//foundation/ai/lwai/") for ln in out.splitlines()}
    return built


def test_gn_libraries_build_every_runtime_and_kernel_source(gn_root):
    """With every kernel on (the L0 defconfig), GN builds what SCons builds: all of it but the
    graph executor and its loaders, which the L0 profile leaves out (and the host's L2 one
    puts in, each in its own library)."""
    built = _gn_sources(gn_root, ("lwai_memory", "lwai_runtime", "lwai_kernels"), ARM_TC)
    graph_parts = ("graph", "loaders")
    for f in [f for d in ("runtime/src", "kernels/reference") for f in (REPO / d).rglob("*.c")]:
        rel = f.relative_to(REPO).as_posix()
        if f.parent.name in graph_parts:
            assert rel not in built, f"the L0 build has graph-executor file {rel}"
        else:
            assert rel in built, f"GN does not build {f}"
    host = _gn_sources(
        gn_root,
        ("lwai_graph", "lwai_loader_flatbuffer", "lwai_loader_json"),
        "//build/toolchain:host",
    )
    for d in graph_parts:
        for f in (REPO / "runtime" / "src" / d).glob("*.c"):
            assert f.relative_to(REPO).as_posix() in host, f"host GN does not build {f}"


# --- bundle.json ----------------------------------------------------------------------------
SIZE = re.compile(r"^\d+(\.\d+)?(KB|MB)$")


def test_gn_bundle_json_fields():
    b = json.loads((REPO / "bundle.json").read_text())
    assert re.fullmatch(r"@[a-z0-9_-]+/[a-z0-9_]+", b["name"]) and b["name"] == "@ohos/lwai"
    for key in ("version", "description", "license", "publishAs", "dirs", "scripts"):
        assert key in b, key
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?", b["version"])
    assert b["segment"]["destPath"] == "foundation/ai/lwai"
    c = b["component"]
    assert c["name"] == b["name"].split("/", 1)[1] == "lwai"
    assert c["subsystem"] == "ai"
    assert c["syscap"] == ["SystemCapability.Ai.Lwai"]
    assert set(c["adapted_system_type"]) == {"mini", "small", "standard"}
    assert SIZE.match(c["rom"]) and SIZE.match(c["ram"]), (c["rom"], c["ram"])
    assert set(c["deps"]) >= {"components", "third_party"}
    args = set(re.findall(r"^\s*(lwai_\w+)\s*=", (REPO / "lwai.gni").read_text(), re.MULTILINE))
    assert c["features"], "features"
    for feature in c["features"]:
        assert feature.startswith("lwai_feature_"), feature
        assert feature in args, f"{feature} is not declared in lwai.gni's declare_args"
    build = c["build"]
    labels = build["sub_component"] + [k["name"] for k in build["inner_kits"]] + build["test"]
    gn_targets = set(re.findall(r'^\w+\("(\w+)"\)', (REPO / "BUILD.gn").read_text(), re.MULTILINE))
    for label in labels:
        assert label.startswith("//foundation/ai/lwai:"), label
        assert label.split(":", 1)[1] in gn_targets, f"{label}: no such target in BUILD.gn"
    for kit in build["inner_kits"]:
        hdr = kit["header"]
        base = REPO / hdr["header_base"].removeprefix("//foundation/ai/lwai/")
        for h in hdr["header_files"]:
            assert (base / h).is_file(), f"inner_kits header {base / h} missing"
