"""meta-lwai, the Yocto layer: lint, the Kconfig targets offline, and a staging build.

No package registry ships OpenEmbedded-Core, so most of this runs without BitBake:

- oelint-adv (the `test` extra) reports nothing on every recipe, class and append, for
  each series in LAYERSERIES_COMPAT_lwai (its network-only homepage check suppressed);
- `make oldconfig` / `savedefconfig` / `menuconfig` need only python3 + kconfiglib: no
  `make setup`, no .venv, no pip, no network;
- the staging build runs the lwai recipe's own do_configure body (extracted from the .bb)
  and the scons class's compile/install command lines with the recipe's EXTRA_OESCONS, with
  the L1 cross toolchain as CC, into a DESTDIR-style staging folder; the files installed
  are exactly what the recipe's packages hold, and the installed library linked with a
  compiled shared model (lwai_model.bbclass's do_compile body) runs under qemu-arm
  bit-exact with TFLite Micro.

The BitBake tests need a real BitBake and OpenEmbedded-Core checkout: BITBAKEDIR and
LWAI_OE_CORE name them, and the tests skip when either is unset.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import numpy as np
import pytest

from conftest import LWAI, REPO, random_inputs, shared_model, tflm_outputs

LAYER = REPO / "meta-lwai"
RECIPE = next((LAYER / "recipes-ai" / "lwai").glob("lwai_*.bb"))
MODEL_CLASS = LAYER / "classes" / "lwai_model.bbclass"
OELINT = Path(sys.executable).parent / "oelint-adv"
CROSS = "arm-linux-gnueabihf"
CROSS_SYSROOT = Path("/usr/arm-linux-gnueabihf")
# What a Yocto Armv7-A hard-float machine (qemuarm-like) exports for the target.
YOCTO_ENV = {
    "CC": f"{CROSS}-gcc -march=armv7-a -mfpu=neon -mfloat-abi=hard",
    "AR": f"{CROSS}-ar",
    "CFLAGS": "-O2 -pipe -g -feliminate-unused-debug-types",
    "LDFLAGS": "-Wl,-O1 -Wl,--hash-style=gnu -Wl,--as-needed",
}
# OE-core's defaults (meta/conf/bitbake.conf) for the paths and packages the recipe uses.
OE_VARS = {
    "prefix": "/usr",
    "libdir": "/usr/lib",
    "includedir": "/usr/include",
    "datadir": "/usr/share",
    "bindir": "/usr/bin",
    "SOLIBS": ".so.*",
    "SOLIBSDEV": ".so",
    "HOST_SYS": CROSS,
    "PN": "lwai",
}
OE_FILES = {  # PACKAGES order: the first package whose FILES matches a file gets it
    "lwai-staticdev": "${libdir}/*.a",
    "lwai-dev": "${includedir} ${libdir}/lib*${SOLIBSDEV} ${libdir}/*.la ${libdir}/pkgconfig "
    "${datadir}/pkgconfig",
    "lwai-doc": "${datadir}/doc ${datadir}/man",
    "lwai": "${bindir}/* ${libdir}/lib*${SOLIBS} ${datadir}/${PN}",
}


# --- reading the recipe ----------------------------------------------------------------------


def _assignments(text: str) -> dict[str, tuple[str, str]]:
    """VAR -> (operator, value) for the recipe's top-level assignments (last one wins)."""
    text = text.replace("\\\n", " ")
    out: dict[str, tuple[str, str]] = {}
    pattern = r'^([A-Za-z0-9_:${}\[\]\-]+)\s*(\?\?=|\?=|\+=|=|:=)\s*"(.*)"\s*$'
    for m in re.finditer(pattern, text, re.MULTILINE):
        out[m.group(1)] = (m.group(2), " ".join(m.group(3).split()))
    return out


def _expand(value: str, variables: dict[str, str]) -> str:
    for _ in range(8):
        new = re.sub(r"\$\{([A-Za-z0-9_]+)\}", lambda m: variables.get(m[1], m[0]), value)
        if new == value:
            break
        value = new
    assert "${" not in value, f"unexpanded variable in {value!r}"
    return value


def _shell_function(text: str, name: str) -> str:
    m = re.search(rf"^{re.escape(name)}\(\) \{{\n(.*?)\n\}}$", text, re.MULTILINE | re.DOTALL)
    assert m, f"no shell function {name} in the recipe/class"
    return m.group(1)


RECIPE_TEXT = RECIPE.read_text()
RECIPE_VARS = _assignments(RECIPE_TEXT)


def _packageconfig() -> tuple[list[str], dict[str, list[str]]]:
    default = RECIPE_VARS["PACKAGECONFIG"][1].split()
    flags = {
        m[1]: m[2].split(",")
        for m in re.finditer(r'^PACKAGECONFIG\[([\w-]+)\] = "([^"]*)"', RECIPE_TEXT, re.MULTILINE)
    }
    return default, flags


def _confargs(enabled: list[str]) -> list[str]:
    """PACKAGECONFIG_CONFARGS as OE's packageconfig handling makes it: the enable field of
    each enabled option, the disable field of each other one."""
    _, flags = _packageconfig()
    args = [f[0] if name in enabled else f[1] for name, f in flags.items()]
    return [a for a in args if a]


def _layer_files() -> list[Path]:
    files = []
    for root, _dirs, names in os.walk(LAYER):  # not following files/ (a link to the sources)
        files += [Path(root) / n for n in names if n.endswith((".bb", ".bbappend", ".bbclass"))]
    return sorted(files)


def _series() -> list[str]:
    text = (LAYER / "conf" / "layer.conf").read_text()
    return re.search(r'^LAYERSERIES_COMPAT_lwai = "([^"]+)"', text, re.MULTILINE)[1].split()


# --- lint ------------------------------------------------------------------------------------


def _oelint(release: str, files: list[Path]) -> subprocess.CompletedProcess:
    if not OELINT.exists():
        pytest.fail(f"{OELINT} missing: install the test extra (pip install -e '.[test]')")
    cmd = [str(OELINT), "--quiet", "--release", release, "--suppress", "oelint.vars.homepageping"]
    return subprocess.run(
        cmd + [str(f) for f in files],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_layer_conf_names_the_current_series():
    assert _series() == ["wrynose", "blacksail"]


@pytest.mark.parametrize("release", ["wrynose", "blacksail"])
def test_oelint_reports_nothing(release):
    files = _layer_files()
    names = {f.name for f in files}
    assert {RECIPE.name, MODEL_CLASS.name, "lwai-demo_0.1.0.bb"} <= names, names
    p = _oelint(release, files)
    assert p.returncode == 0 and not (p.stdout + p.stderr).strip(), p.stdout + p.stderr


def test_oelint_flags_a_broken_recipe(tmp_path):
    """The lint run above can fail: a recipe without LICENSE and with a tab is reported."""
    bad = tmp_path / "broken_1.0.bb"
    bad.write_text('SUMMARY = "broken"\nSRC_URI = "file://x.c"\n\ndo_install() {\n\ttrue\n}\n')
    p = _oelint("blacksail", [bad])
    out = p.stdout + p.stderr
    assert p.returncode != 0 and "oelint.var.mandatoryvar.LICENSE" in out, out


def test_packageconfig_and_defconfigs_exist_in_the_kconfig_tree():
    from lwai.config import parse_kconfig

    kconf = parse_kconfig()
    _, flags = _packageconfig()
    assert len(flags) >= 10
    for name, fields in flags.items():
        for field in fields[:2]:
            sym = re.fullmatch(r"CONFIG_(\w+)=[yn]", field)
            assert sym and sym[1] in kconf.syms, f"PACKAGECONFIG[{name}]: {field}"
    for defconfig in re.findall(r"'(l\d_\w+)'", RECIPE_VARS["LWAI_DEFCONFIG"][1]):
        assert (REPO / "configs" / f"{defconfig}_defconfig").is_file(), defconfig


def test_kas_file_builds_the_layer():
    import yaml

    kas = yaml.safe_load((LAYER / "kas" / "lwai-qemuarm.yml").read_text())
    assert kas["header"]["version"] >= 14 and kas["machine"] == "qemuarm"
    layers = {
        f"{name}/{layer}" for name, repo in kas["repos"].items() for layer in repo.get("layers", {})
    }
    assert {"lwai/meta-lwai", "openembedded-core/meta"} <= layers
    assert (REPO / "meta-lwai" / "conf" / "layer.conf").is_file()
    conf = "\n".join(kas["local_conf_header"].values())
    assert "LWAI_DEMO_MODEL_DIR" in conf and "lwai-demo" in conf


# --- the Kconfig targets offline -------------------------------------------------------------


def _kconfiglib_dir(tmp_path: Path) -> Path:
    """A directory holding only kconfiglib, as a distribution package installs it (Debian's
    python3-kconfiglib, OE's python3-kconfiglib-native)."""
    import kconfiglib
    import menuconfig

    d = tmp_path / "kconfiglib"
    d.mkdir()
    for mod in (kconfiglib, menuconfig):
        shutil.copy(mod.__file__, d)
    return d


def _offline_env(tmp_path: Path, kconfiglib_dir: Path | None) -> tuple[dict, Path]:
    """PATH without the venv, tripwires for pip/apt-get (they record being called), proxies
    on a closed port and pip told not to use an index."""
    trip = tmp_path / "tripwire"
    trip.mkdir()
    log = tmp_path / "tripwire.log"
    for tool in ("pip", "pip3", "apt-get", "apt", "sudo", "curl", "wget"):
        script = trip / tool
        script.write_text(f'#!/bin/sh\necho "{tool} $*" >> {log}\nexit 1\n')
        script.chmod(0o755)
    env = {
        "PATH": f"{trip}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "http_proxy": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
        "PIP_NO_INDEX": "1",
    }
    if kconfiglib_dir is not None:
        env["PYTHONPATH"] = str(kconfiglib_dir)
    return env, log


def _no_network_prefix() -> list[str]:
    """`unshare -rn` (a network namespace with nothing in it) where the kernel allows it."""
    if shutil.which("unshare"):
        ok = subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False)
        if ok.returncode == 0:
            return ["unshare", "-rn"]
    return []


def _make(args: list[str], cwd: Path, env: dict, **kw) -> subprocess.CompletedProcess:
    cmd = [*_no_network_prefix(), "make", "--no-print-directory", "-f", str(REPO / "Makefile")]
    return subprocess.run(
        cmd + args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        **kw,
    )


def test_make_kconfig_targets_offline_without_venv(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    env, log = _offline_env(tmp_path, _kconfiglib_dir(tmp_path))
    novenv = ["VENV=" + str(tmp_path / "no-venv")]
    dry = _make([*novenv, "-n", "oldconfig"], work, env)
    assert 'python3 -c "$KCONFIG_MAIN" lwai olddefconfig' in dry.stdout
    assert ".venv" not in dry.stdout
    for target in ("l1_armv7a_linux_defconfig", "oldconfig", "savedefconfig"):
        p = _make([*novenv, target], work, env)
        assert p.returncode == 0, f"make {target}:\n{p.stdout}{p.stderr}"
    config = (work / ".config").read_text()
    assert "CONFIG_LWAI_PROFILE_L1=y" in config
    want = [
        ln
        for ln in (REPO / "configs" / "l1_armv7a_linux_defconfig").read_text().splitlines()
        if ln and not ln.startswith("#")
    ]
    got = [ln for ln in (work / "defconfig").read_text().splitlines() if not ln.startswith("#")]
    assert got == want
    # menuconfig takes the same path; without a terminal it says so instead of setting up.
    p = _make([*novenv, "menuconfig"], work, env, stdin=subprocess.DEVNULL)
    assert p.returncode != 0 and "needs an interactive terminal" in p.stderr, p.stderr
    assert not log.exists(), log.read_text()
    assert not (tmp_path / "no-venv").exists() and not (work / ".venv").exists()


def test_make_kconfig_targets_say_when_kconfiglib_is_missing(tmp_path):
    env, log = _offline_env(tmp_path, None)
    p = _make(["VENV=/nonexistent", "KCONFIG_PYTHON=python3 -S", "oldconfig"], tmp_path, env)
    assert p.returncode != 0 and "cannot import kconfiglib" in p.stderr, p.stdout + p.stderr
    assert not (tmp_path / ".config").exists() and not log.exists()


# --- the staging build -----------------------------------------------------------------------


def _unpack_sources(bp_dir: Path) -> None:
    """do_unpack: each file://PATH;subdir=${BP} entry of SRC_URI copied to S keeping PATH."""
    entries = RECIPE_VARS["SRC_URI"][1].split()
    assert entries, "empty SRC_URI"
    for entry in entries:
        url, *params = entry.split(";")
        assert url.startswith("file://") and "subdir=${BP}" in params, entry
        rel = url[len("file://") :].rstrip("/")
        src = RECIPE.parent / "files" / rel  # FILESPATH: files/ links to the repository's parts
        assert src.exists(), f"SRC_URI names {rel}, which {RECIPE.parent / 'files'} lacks"
        dst = bp_dir / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dst)


def _package_of(path: str, files: dict[str, str]) -> str | None:
    """The package that gets path: the first whose FILES has a glob matching it or one of
    its directories (package.bbclass takes directories whole)."""
    candidates = [PurePosixPath(path), *PurePosixPath(path).parents]
    for pkg, patterns in files.items():
        for pat in _expand(patterns, OE_VARS).split():
            if any(c.match(pat) for c in candidates if str(c) != "/"):
                return pkg
    return None


def _configure(
    top: Path, enabled: list[str], fragments: list[Path] = (), defconfig: str | None = None
) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """do_unpack, then do_configure as the recipe writes it (for TARGET_ARCH arm), with the
    OE shell functions it calls as the plain tools and python3-kconfiglib-native as a
    directory holding only kconfiglib."""
    unpackdir = top / "work" / "sources"
    s = b = unpackdir / "lwai-0.1.0"
    _unpack_sources(s)
    kdir = _kconfiglib_dir(top)
    if defconfig is None:  # the recipe's choice for TARGET_ARCH arm
        defconfig = re.search(r"'arm': '(\w+)'", RECIPE_VARS["LWAI_DEFCONFIG"][1])[1]
    task_vars = {
        **OE_VARS,
        "S": str(s),
        "B": str(b),
        "UNPACKDIR": str(unpackdir),
        "LWAI_DEFCONFIG": defconfig,
        "PACKAGECONFIG_CONFARGS": " ".join(_confargs(enabled)),
    }
    task_vars["LWAI_CONFIG_DIR"] = _expand(RECIPE_VARS["LWAI_CONFIG_DIR"][1], task_vars)
    body = _shell_function(RECIPE_TEXT, "do_configure")
    # cml1's find_cfgs(d): the .cfg files in SRC_URI, in order
    body = body.replace('${@" ".join(find_cfgs(d))}', " ".join(str(f) for f in fragments))
    script = (
        "set -e\n"
        'bbfatal() { echo "ERROR: $*" >&2; exit 1; }\n'
        'bbwarn() { echo "WARNING: $*" >&2; }\n'
        'oe_runmake() { make "$@"; }\n'
        "scons_do_configure() { :; }\n"  # only a stamp when S = B
        f"cd {b}\n" + _expand(body, task_vars)
    )
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",  # python3 + kconfiglib, no venv
        "PYTHONPATH": str(kdir),
        "HOME": str(top),
        **YOCTO_ENV,
    }
    p = subprocess.run(
        ["bash", "-c", script], env=env, check=False, capture_output=True, text=True, timeout=300
    )
    return p, task_vars


def test_configure_merges_fragments_and_warns_about_dropped_switches(tmp_path):
    frag = tmp_path / "l0.cfg"
    frag.write_text(
        "CONFIG_LWAI_PROFILE_L0=y\nCONFIG_LWAI_ARENA_SIZE=1048576\nCONFIG_LWAI_PROFILING=y\n"
    )
    enabled = [*_packageconfig()[0], "json"]  # the JSON loader is refused on L0
    p, task_vars = _configure(tmp_path, enabled, [frag])
    assert p.returncode == 0, p.stdout + p.stderr
    config = (Path(task_vars["B"]) / ".config").read_text().splitlines()
    assert "CONFIG_LWAI_PROFILE_L0=y" in config  # the fragment wins over the defconfig
    assert "CONFIG_LWAI_ARENA_SIZE=1048576" in config
    assert "CONFIG_LWAI_PROFILING=y" not in config  # PACKAGECONFIG (no profiling) comes last
    assert "CONFIG_LWAI_LOADER_JSON=y" not in config
    assert "WARNING: PACKAGECONFIG: CONFIG_LWAI_LOADER_JSON=y does not hold" in p.stderr
    generated = json.loads((Path(task_vars["LWAI_CONFIG_DIR"]) / "lwai_config.json").read_text())
    assert generated["LWAI_ARENA_SIZE"] == 1048576 and generated["LWAI_PROFILE"] == "L0"


def test_configure_names_an_unknown_defconfig(tmp_path):
    p, _ = _configure(tmp_path, _packageconfig()[0], defconfig="l9_nonesuch")
    assert p.returncode != 0
    assert "LWAI_DEFCONFIG = 'l9_nonesuch'" in p.stderr and "l1_armv7a_linux" in p.stderr


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """Runs the lwai recipe's configure/compile/install for an Armv7-A machine."""
    if not shutil.which(f"{CROSS}-gcc"):
        pytest.skip(f"{CROSS}-gcc not installed")
    top = tmp_path_factory.mktemp("yocto")
    p, task_vars = _configure(top, _packageconfig()[0])
    assert p.returncode == 0 and "WARNING" not in p.stderr, p.stdout + p.stderr
    s, b, d = Path(task_vars["S"]), Path(task_vars["B"]), top / "work" / "image"
    config = (b / ".config").read_text()

    # do_compile: the recipe's prepend, then the scons class's command line; do_install: the
    # class's command line. Both with EXTRA_OESCONS, as the class passes it.
    prepend = _expand(_shell_function(RECIPE_TEXT, "do_compile:prepend"), task_vars)
    p = subprocess.run(
        ["bash", "-c", 'set -e\noe_runmake() { make "$@"; }\n' + f"cd {b}\n" + prepend],
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "PYTHONPATH": str(top / "kconfiglib")},
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0 and "lwai_config.json" in p.stdout, p.stdout + p.stderr
    extra = _expand(RECIPE_VARS["EXTRA_OESCONS"][1], task_vars).split() + [
        "MAXLINELENGTH=2097152"  # SCONS_MAXLINELENGTH, appended by scons.bbclass
    ]
    scons = [sys.executable, "-m", "SCons", f"--directory={s}"]
    build_env = dict(os.environ, **YOCTO_ENV)
    compile_cmd = [*scons, "-j2", "PREFIX=/usr", "prefix=/usr", *extra]
    install_cmd = [*scons, f"install_root={d}/usr", "PREFIX=/usr", "prefix=/usr", *extra, "install"]
    for cmd in (compile_cmd, install_cmd):
        p = subprocess.run(
            cmd, env=build_env, check=False, capture_output=True, text=True, timeout=600
        )
        assert p.returncode == 0, " ".join(cmd) + "\n" + p.stdout + p.stderr
    return {"top": top, "s": s, "b": b, "d": d, "config": config, "env": build_env}


def test_staging_configuration_is_the_recipes(staged):
    config = staged["config"]
    assert "CONFIG_LWAI_PROFILE_L1=y" in config  # LWAI_DEFCONFIG for TARGET_ARCH arm
    enabled, _ = _packageconfig()
    for line in _confargs(enabled):
        if line.endswith("=y"):
            assert line in config.splitlines(), line
        else:
            assert f"{line[:-2]}=y" not in config.splitlines(), line
    assert "# CONFIG_LWAI_LOADER_JSON is not set" in config  # json is not in the default


def test_staging_install_is_exactly_the_packages(staged):
    d = staged["d"]
    installed = sorted(
        "/" + str(p.relative_to(d)) for p in d.rglob("*") if p.is_file() or p.is_symlink()
    )
    recipe_files = {
        m[1].replace("${PN}", "lwai"): m[2]
        for m in re.finditer(r'^FILES:(\$\{PN\}[\w-]*) \+= "([^"]*)"', RECIPE_TEXT, re.MULTILINE)
    }
    files = dict(OE_FILES)
    for pkg, extra in recipe_files.items():
        files[pkg] = files.get(pkg, "") + " " + extra
    order = ["lwai-staticdev", "lwai-dev", "lwai-doc", "lwai"]  # PACKAGES order
    files = {pkg: files[pkg] for pkg in order}
    got: dict[str, list[str]] = {}
    for path in installed:
        pkg = _package_of(path, files)
        assert pkg is not None, f"{path} is installed but in no package (installed-vs-shipped)"
        got.setdefault(pkg, []).append(path)
    headers = sorted(
        "/usr/include/lwai/" + p.name
        for part in ("runtime", "kernels", "boards")
        for p in (REPO / part / "include" / "lwai").glob("*.h")
    )
    assert got == {
        "lwai": ["/usr/lib/liblwai.so.0", "/usr/lib/liblwai.so.0.1.0"],
        "lwai-dev": headers
        + [
            "/usr/lib/liblwai.so",
            "/usr/lib/pkgconfig/lwai.pc",
            "/usr/share/lwai/app/board.c",
            "/usr/share/lwai/app/lwai_app.c",
            "/usr/share/lwai/lwai_config.json",
        ],
        "lwai-staticdev": ["/usr/lib/liblwai.a"],
    }
    so = d / "usr/lib/liblwai.so.0.1.0"
    dyn = subprocess.run(
        ["readelf", "-hd", str(so)], check=False, capture_output=True, text=True
    ).stdout
    assert "Machine:                           ARM" in dyn and "[liblwai.so.0]" in dyn
    pc = (d / "usr/lib/pkgconfig/lwai.pc").read_text()
    assert "prefix=/usr\n" in pc and str(d) not in pc and "Libs: -L${libdir} -llwai" in pc


def _compile_model(tmp: Path, name: str, config: Path) -> Path:
    out = tmp / name
    p = subprocess.run(
        [
            str(LWAI),
            "compile",
            str(shared_model(f"{name}.tflite")),
            "--config",
            str(config),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert p.returncode == 0, p.stdout + p.stderr
    return out


@pytest.mark.parametrize(
    ("name", "link"),
    [
        ("hello_world_int8", "shared"),
        ("hello_world_int8", "static"),
        ("micro_speech_quantized", "shared"),
    ],
)
def test_staged_library_runs_a_shared_model_bit_exact(staged, name, link, tmp_path):
    """lwai_model.bbclass's do_compile against the staged library, run under qemu-arm."""
    if not shutil.which("qemu-arm"):
        pytest.skip("qemu-arm not installed")
    model = _compile_model(tmp_path, name, staged["b"] / ".config")
    report = json.loads((model / "report.json").read_text())
    assert report["profile"] == "L1"
    d = staged["d"]
    b = tmp_path / "build"
    b.mkdir()
    listing = b / "lwai-models.list"
    listing.write_text(f"{name} {report['c_symbol']} {report['arena_bytes']} {model}\n")
    class_text = MODEL_CLASS.read_text()
    ldflags = YOCTO_ENV["LDFLAGS"] + f" -L{d}/usr/lib" + (" -static" if link == "static" else "")
    task_vars = {
        "CC": YOCTO_ENV["CC"],
        "CFLAGS": YOCTO_ENV["CFLAGS"] + f" -I{d}/usr/include",  # the sysroot's headers
        "LDFLAGS": ldflags,
        "LWAI_MODEL_CFLAGS": "",
        "B": str(b),
        "STAGING_DATADIR": f"{d}/usr/share",
        "LWAI_MODEL_LIST": str(listing),
    }
    script = 'set -e\nbbfatal() { echo "ERROR: $*" >&2; exit 1; }\n' + _expand(
        _shell_function(class_text, "lwai_model_do_compile"), task_vars
    )
    p = subprocess.run(
        ["bash", "-c", script], check=False, capture_output=True, text=True, timeout=300
    )
    assert p.returncode == 0, p.stdout + p.stderr
    exe = b / f"lwai_{name}"
    dyn = subprocess.run(
        ["readelf", "-d", str(exe)], check=False, capture_output=True, text=True
    ).stdout
    assert ("liblwai.so.0" in dyn) == (link == "shared"), dyn
    qemu = ["qemu-arm", "-L", str(CROSS_SYSROOT), "-E", f"LD_LIBRARY_PATH={d}/usr/lib"]
    specs = report["inputs"]
    for seed in range(4):
        xs = random_inputs(specs, seed)
        args = []
        for i, x in enumerate(xs):
            path = tmp_path / f"in{seed}_{i}.bin"
            path.write_bytes(np.ascontiguousarray(x).tobytes())
            args += ["-i", str(path)]
        out = tmp_path / f"out{seed}.bin"
        run = subprocess.run(
            [*qemu, str(exe), *args, "-o", str(out)],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0 and "lwai: ok" in run.stdout, run.stdout + run.stderr
        want = tflm_outputs(shared_model(f"{name}.tflite"), xs)[0]
        got = np.frombuffer(out.read_bytes(), dtype=want.dtype).reshape(want.shape)
        np.testing.assert_array_equal(got, want)


# --- real BitBake (BITBAKEDIR, LWAI_OE_CORE) ------------------------------------------------


@pytest.fixture(scope="module")
def bitbake_build(tmp_path_factory):
    bbdir, oe_core = os.environ.get("BITBAKEDIR"), os.environ.get("LWAI_OE_CORE")
    if not bbdir or not oe_core:
        pytest.skip(
            "BITBAKEDIR and LWAI_OE_CORE (a BitBake and an OpenEmbedded-Core checkout) unset"
        )
    if os.geteuid() == 0:
        pytest.skip("BitBake refuses to run as root; run these tests as a normal user")
    build = tmp_path_factory.mktemp("oe-build")
    (build / "conf").mkdir()
    (build / "conf" / "bblayers.conf").write_text(
        f'BBPATH = "${{TOPDIR}}"\nBBFILES ?= ""\nBBLAYERS = "{oe_core}/meta {LAYER}"\n'
    )
    (build / "conf" / "local.conf").write_text(
        'MACHINE = "qemuarm"\nDISTRO = "nodistro"\nBB_NO_NETWORK = "1"\n'
        'CONF_VERSION = "2"\nTMPDIR = "${TOPDIR}/tmp"\n'
    )
    env = dict(
        os.environ,
        BBPATH=str(build),
        BUILDDIR=str(build),
        PATH=f"{bbdir}/bin:{oe_core}/scripts:" + os.environ["PATH"],
    )
    return build, env


def _bitbake(build_env, *args: str) -> subprocess.CompletedProcess:
    build, env = build_env
    return subprocess.run(
        ["bitbake", *args],
        cwd=build,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=1800,
    )


def test_bitbake_parses_and_shows_the_recipe(bitbake_build):
    p = _bitbake(bitbake_build, "-e", "lwai")
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    env = dict(re.findall(r'^([A-Za-z0-9_:\-${}]+)="(.*)"$', p.stdout, re.MULTILINE))
    assert env["LWAI_DEFCONFIG"] == "l1_armv7a_linux"
    assert "CONFIG_LWAI_EXECUTOR_AOT=y" in env["PACKAGECONFIG_CONFARGS"]
    assert "CONFIG_LWAI_LOADER_JSON=n" in env["PACKAGECONFIG_CONFARGS"]
    assert "BOARD=host" in env["EXTRA_OESCONS"]


def test_bitbake_unpacks_the_sources(bitbake_build):
    p = _bitbake(bitbake_build, "lwai", "-c", "unpack")
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    build, _ = bitbake_build
    sconstructs = list((build / "tmp" / "work").glob("*/lwai/*/sources/lwai-*/SConstruct"))
    assert sconstructs, "do_unpack left no SConstruct in S"
