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

from conftest import REPO, SHARED_MODELS, random_inputs, shared_model

MODELS = ("hello_world_int8", "person_detect")
TARGETS = ("host", "qemu-cortex-m4")
ARM_TC = "//build/toolchain:arm_none_eabi"
TOOLS = ("gn", "ninja", "gcc", "arm-none-eabi-gcc", "qemu-system-arm")
GN_FILES = sorted(
    [
        REPO / "BUILD.gn",
        REPO / "lwai.gni",
        REPO / "boards" / "liteos-m" / "BUILD.gn",
        REPO / "tests" / "gn" / ".gn",
    ]
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
    # symlinks=True: links stay links (a layer folder may link back to the repository).
    shutil.copytree(REPO, root / "foundation" / "ai" / "lwai", ignore=_IGNORE, symlinks=True)
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
    # The lite toolchain's layout: executables in bin/, libraries in libs/.
    return root / "out" / "arm_none_eabi" / "bin" / f"{model}_app"


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


# --- what a real OpenHarmony lite build does to lwai (issue 10) -----------------------------
# The shims (tests/gn/ohos_build) model //build/lite: the board's CPU and optimisation flags
# come only through set_defaults, lite targets forward every variable, static libraries share
# one flat libs/ folder, exec_script is allowlisted, and /usr/bin/env runs the scripts.
TAG_CPU_ARCH_V7EM = 13  # ARM EABI attributes: Tag_CPU_arch value of ARMv7E-M (Cortex-M4)
TAG_THUMB2 = 2  # Tag_THUMB_ISA_use: Thumb-2
# What LiteOS-M's musl (the kernel's C library; it has no separate libm) lacks of libm.
LITEOS_M_MISSING_LIBM = {"expf", "roundf", "exp", "logf", "tanhf", "sqrtf", "lroundf"}


def _arm_objects(root: Path) -> list[Path]:
    objs = sorted((root / "out" / "arm_none_eabi" / "obj").rglob("*.o"))
    assert len(objs) >= 20, objs  # runtime, kernels, board, app, three models
    return objs


def _elf_facts(path: Path) -> tuple[dict, list[tuple[str, int]], set[str]]:
    """(ARM attributes by tag, defined functions with their values, undefined symbols)."""
    from elftools.elf.elffile import ELFFile

    with open(path, "rb") as f:
        elf = ELFFile(f)
        attrs = {}
        sec = elf.get_section_by_name(".ARM.attributes")
        if sec is not None:
            for sub in sec.iter_subsections():
                for subsub in sub.iter_subsubsections():
                    attrs.update({a.tag: a.value for a in subsub.iter_attributes()})
        funcs, undefined = [], set()
        for sym in elf.get_section_by_name(".symtab").iter_symbols():
            if sym["st_shndx"] == "SHN_UNDEF" and sym.name:
                undefined.add(sym.name)
            elif sym["st_info"]["type"] == "STT_FUNC":
                funcs.append((sym.name, sym["st_value"]))
    return attrs, funcs, undefined


def test_gn_lite_objects_are_thumb_code_for_the_board_cpu(gn_root):
    """Every object of the L0 build (lwai's libraries, the models, the board) is Thumb-2 code
    for the ARMv7E-M of the board's Cortex-M4: the board's default configs reached it. With
    lwai's configs replacing them (lite_library forwarding `configs`) gcc built ARMv4T ARM
    code a Cortex-M4 cannot run."""
    bad = []
    for obj in _arm_objects(gn_root):
        attrs, funcs, _ = _elf_facts(obj)
        rel = obj.relative_to(gn_root / "out")
        if attrs.get("TAG_CPU_ARCH") != TAG_CPU_ARCH_V7EM:
            bad.append(f"{rel}: Tag_CPU_arch {attrs.get('TAG_CPU_ARCH')}, not v7E-M")
        if attrs.get("TAG_THUMB_ISA_USE") != TAG_THUMB2 or attrs.get("TAG_ARM_ISA_USE"):
            bad.append(f"{rel}: not Thumb-2 only ({attrs})")
        arm_mode = [name for name, value in funcs if value % 2 == 0]
        if arm_mode:
            bad.append(f"{rel}: ARM-mode functions {arm_mode[:3]}")
    assert not bad, "\n".join(bad)


def test_gn_lite_image_links_without_libm(gn_root):
    """The L0 images link without -lm (LiteOS-M has no separate libm), -ffunction-sections
    and --gc-sections from the board's defaults drop what no call reaches, and no lwai
    object calls a libm function LiteOS-M's musl lacks (expf, roundf: lwai_math.h)."""
    for m in MODELS:
        image = _image(gn_root, m, "qemu-cortex-m4")
        cmd = (
            _run(
                ["ninja", "-C", "out", "-t", "commands", str(image.relative_to(gn_root / "out"))],
                gn_root,
            )
            .strip()
            .splitlines()[-1]
        )
        assert "-lm" not in cmd.split() and "--gc-sections" in cmd, cmd
        assert image.is_file()
    for obj in _arm_objects(gn_root):
        _, _, undefined = _elf_facts(obj)
        assert not undefined & LITEOS_M_MISSING_LIBM, (obj, undefined & LITEOS_M_MISSING_LIBM)


def test_gn_same_model_name_in_two_folders_gets_two_libraries(gn_root):
    """//:hello_world_int8 and //dup:hello_world_int8 in the flat libs/ folder."""
    libs = gn_root / "out" / "arm_none_eabi" / "libs"
    a, b = libs / "liblwai_hello_world_int8.a", libs / "liblwai_dup_hello_world_int8.a"
    assert a.is_file() and b.is_file(), sorted(p.name for p in libs.iterdir())
    names = {ln.split("/")[-1] for ln in _run(["arm-none-eabi-ar", "t", str(b)], gn_root).split()}
    assert names == {
        "liblwai_dup_hello_world_int8.hello_world_int8_model.o",
        "liblwai_dup_hello_world_int8.hello_world_int8_tvm.o",
    }, names


def test_gn_scripts_run_under_usr_bin_env():
    """OpenHarmony's .gn runs `/usr/bin/env SCRIPT`: a shebang and the exec bit."""
    for name in ("gn_exec.py", "gn_compile_model.py"):
        script = REPO / "scripts" / name
        assert script.read_text().startswith("#!/usr/bin/env python3\n"), name
        assert os.access(script, os.X_OK), f"{name} is not executable"
    assert 'script_executable = "/usr/bin/env"' in (REPO / "tests" / "gn" / ".gn").read_text()


@pytest.fixture(scope="module")
def bare_venv(tmp_path_factory) -> Path:
    """A venv without lwai's packages, of the same base interpreter as lwai's .venv: both
    bin/python symlinks resolve to one file (hb's venv and lwai's, in OpenHarmony)."""
    import sys

    base = Path(sys.base_prefix) / "bin" / "python3"
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True)
    lwai_python = REPO / ".venv" / "bin" / "python"
    assert (venv / "bin" / "python").resolve() == lwai_python.resolve()
    proc = subprocess.run([str(venv / "bin" / "python"), "-c", "import numpy"], check=False)
    assert proc.returncode != 0, "the bare venv must lack numpy"
    return venv


def test_gn_compile_model_switches_to_lwai_python_from_a_sibling_venv(bare_venv, tmp_path):
    """Run by another venv's python with --python lwai's: the compile re-executes under lwai's
    interpreter (paths compared unresolved) instead of failing on `No module named numpy`."""
    out = tmp_path / "gen"
    cmd = [
        str(bare_venv / "bin" / "python"),
        str(REPO / "scripts" / "gn_compile_model.py"),
        "--model",
        str(shared_model("hello_world_int8.tflite")),
        "--name",
        "hello_world_int8",
        "-o",
        str(out),
        "--depfile",
        str(tmp_path / "compile.d"),
        "--defconfig",
        "l0_mps2_an386",
        "--entry",
        "hello",
        "--python",
        str(REPO / ".venv" / "bin" / "python"),
    ]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    entry = (out / "include" / "lwai_entry_hello.h").read_text()
    assert "#define LWAI_ENTRY_hello_DESC lwai_model_hello_world_int8" in entry
    assert re.search(r"#define LWAI_ENTRY_hello_ARENA_BYTES [1-9]\d*u", entry)


def test_gn_exec_without_lwai_python_names_the_fix(bare_venv, tmp_path):
    """Without --python, a python lacking lwai's packages (kconfiglib for genconfig) fails
    with an error naming the interpreter, the module and lwai_use_python; with --python
    lwai's, the same command works."""
    script = str(REPO / "scripts" / "gn_exec.py")
    py = str(bare_venv / "bin" / "python")
    lwai_py = str(REPO / ".venv" / "bin" / "python")
    args = ["genconfig", "--defconfig", "l0_mps2_an386", "-o", str(tmp_path / "cfg")]
    proc = subprocess.run([py, script, *args], check=False, capture_output=True, text=True)
    assert proc.returncode != 0
    for part in ("lwai_use_python", py, "kconfiglib"):
        assert part in proc.stderr, proc.stderr
    _run([py, script, "--python", lwai_py, *args], tmp_path)
    assert (tmp_path / "cfg" / "lwai_config.json").is_file()


MATH_CHECK_C = r"""
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#define LWAI_OWN_EXPF
#include "lwai_math.h"
int main(void)
{
    unsigned long n_round = 0, bad_round = 0, n_exp = 0, bad_exp = 0, n_exp64 = 0, bad_exp64 = 0;
    uint64_t u;
    /* Every 257th bit pattern (16.7 million), plus the edges below. */
    for (u = 0; u <= 0xffffffffull; u += 257u) {
        uint32_t b = (uint32_t)u, rb, lb;
        float x, r, l;
        memcpy(&x, &b, 4);
        r = roundf(x);
        l = lwai_roundf(x);
        memcpy(&rb, &r, 4);
        memcpy(&lb, &l, 4);
        ++n_round;
        bad_round += rb != lb && !(isnan(r) && isnan(l));
        if (x >= -110.0f && x <= 89.0f) {
            ++n_exp;
            bad_exp += lwai_expf(x) != (float)expl((long double)x);
        }
    }
    {
        const float edge[] = {0.5f, -0.5f, 1.5f, -2.5f, 0.49999997f, -0.0f, 8388607.5f,
                              88.7228317f, 88.7228394f, -103.972076f, -87.3365479f, 0.0f};
        unsigned i;
        for (i = 0; i < sizeof edge / sizeof edge[0]; ++i) {
            float r = roundf(edge[i]), l = lwai_roundf(edge[i]);
            bad_round += memcmp(&r, &l, 4) != 0;
            bad_exp += lwai_expf(edge[i]) != (float)expl((long double)edge[i]);
        }
    }
    {
        /* lwai_exp (double) against libm's exp over [-700, 700]: at most 1 ulp apart. */
        unsigned long i;
        for (i = 0; i <= 2000000ul; ++i) {
            double x = -699.9 + 1399.8 * (double)i / 2000000.0 + 1e-7 * (double)(i % 7);
            double l = lwai_exp(x), e = exp(x);
            ++n_exp64;
            bad_exp64 += !(fabs(l - e) <= ldexp(1.0, ilogb(e) - 52));
        }
        bad_exp64 += !isnan(lwai_exp(NAN)) || lwai_exp(701.0) != INFINITY || lwai_exp(-701.0) != 0.0;
    }
    printf("%lu %lu %lu %lu %lu %lu\n", n_round, bad_round, n_exp, bad_exp, n_exp64, bad_exp64);
    return 0;
}
"""


def test_lwai_math_matches_libm(tmp_path):
    """LiteOS-M's musl has no roundf/expf: lwai_roundf must equal roundf bit for bit, and
    lwai's own expf (LWAI_OWN_EXPF) must be the correctly rounded exp (expl rounded to
    float), on every 257th float bit pattern (exhaustively checked once: 0 of 2^32 and
    0 of 2,240,675,842 inputs in [-110, 89] differ)."""
    src = tmp_path / "math_check.c"
    src.write_text(MATH_CHECK_C)
    exe = tmp_path / "math_check"
    _run(
        [
            "gcc",
            "-O2",
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-I",
            str(REPO / "kernels" / "reference"),
            str(src),
            "-o",
            str(exe),
            "-lm",
        ],
        tmp_path,
    )
    counts = map(int, _run([str(exe)], tmp_path).split())
    n_round, bad_round, n_exp, bad_exp, n_exp64, bad_exp64 = counts
    assert n_round > 16_000_000 and n_exp > 8_000_000 and n_exp64 > 2_000_000
    assert bad_round == 0 and bad_exp == 0 and bad_exp64 == 0, (bad_round, bad_exp, bad_exp64)


# The console of the LiteOS-M entry sample (boards/liteos-m) in OpenHarmony-v5.0.3-Release's
# QEMU arm_mps2_an386 image (docs/openharmony.md; checked by hand, no registry ships
# OpenHarmony): the board's xorshift inputs recreated in Python gave these outputs in TFLM.
BOARD_CONSOLE = """\
OHOS # lwai: model micro_speech run=0 inputs=1 outputs=1 arena=6688
lwai: output 0 int8 4: -128 102 -107 -123
lwai: ok ticks=76036 runs=1 tick_hz=25000000
lwai: model micro_speech run=1 inputs=1 outputs=1 arena=6688
lwai: output 0 int8 4: -128 -38 -9 -81
lwai: ok ticks=41277 runs=1 tick_hz=25000000
lwai: model person_detect run=0 inputs=1 outputs=1 arena=55360
lwai: output 0 int8 2: 109 -109
lwai: ok ticks=1587120 runs=1 tick_hz=25000000
"""


def test_liteos_console_check_against_tflite_micro(tmp_path):
    """boards/liteos-m/check_console.py recreates the board's inputs and finds the recorded
    outputs equal to tflite-micro's; one changed value makes it fail."""
    script = REPO / "boards" / "liteos-m" / "check_console.py"
    models = [
        f"micro_speech={shared_model('micro_speech_quantized.tflite')}",
        f"person_detect={shared_model('person_detect.tflite')}",
    ]
    console = tmp_path / "console.txt"
    console.write_text(BOARD_CONSOLE)
    py = str(REPO / ".venv" / "bin" / "python")
    out = _run([py, str(script), str(console), *models], tmp_path)
    assert out.count("equal to tflite-micro") == 3, out
    console.write_text(BOARD_CONSOLE.replace("-38 -9 -81", "-38 -9 -80"))
    proc = subprocess.run(
        [py, str(script), str(console), *models], check=False, capture_output=True, text=True
    )
    assert proc.returncode == 1 and "micro_speech run 1: -128 -38 -9 -80: DIFFERS" in proc.stdout


# --- bundle.json ----------------------------------------------------------------------------
# OpenHarmony's bundle checker (build/tools/component_tools/static_check/bundle_check) takes
# whole numbers with KB, KByte, MB or MByte only.
SIZE = re.compile(r"^[1-9]\d*(KB|KByte|MB|MByte)$")


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
    for label in labels:
        assert label.startswith("//foundation/ai/lwai"), label
        folder, target = label.removeprefix("//foundation/ai/lwai").split(":", 1)
        build_gn = REPO / folder.lstrip("/") / "BUILD.gn"
        targets = set(re.findall(r'^\w+\("(\w+)"\)', build_gn.read_text(), re.MULTILINE))
        assert target in targets, f"{label}: no such target in {build_gn}"
    # The app module: what a LiteOS-M product reaches through the lwai_feature_app feature.
    assert "//foundation/ai/lwai/boards/liteos-m:lwai_app" in build["sub_component"]
    assert {"lwai_feature_python", "lwai_feature_app"} <= set(c["features"])
    for kit in build["inner_kits"]:
        hdr = kit["header"]
        base = REPO / hdr["header_base"].removeprefix("//foundation/ai/lwai/")
        for h in hdr["header_files"]:
            assert (base / h).is_file(), f"inner_kits header {base / h} missing"
