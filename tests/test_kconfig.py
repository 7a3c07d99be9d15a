"""Kconfig profiles, defconfigs, the config commands and the generated files (issue 3).

Everything runs the real kconfiglib and the real `lwai` CLI; the menuconfig test drives the
curses menu in a tmux terminal.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import kconfiglib
import pytest

from lwai import config as lwcfg
from lwai.errors import LwaiError
from lwai.ops import OP_KINDS

ROOT = lwcfg.REPO_ROOT
LWAI = [sys.executable, "-m", "lwai.cli"]

# defconfig -> (profile, CPU, board)
DEFCONFIGS = {
    "l0_mps2_an386": ("L0", "cortex-m4", "mps2-an386"),
    "l0_mps3_an547": ("L0", "cortex-m55", "mps3-an547"),
    "l1_armv7a_linux": ("L1", "cortex-a7", "linux-armv7a"),
    "l2_x86_64": ("L2", "x86_64", "host"),
    "l2_aarch64": ("L2", "aarch64", "host"),
}


def _kconfig_loaded(path: Path) -> kconfiglib.Kconfig:
    """Plain kconfiglib, as any Kconfig tool would load the file."""
    kconf = kconfiglib.Kconfig(str(lwcfg.KCONFIG), warn_to_stderr=False)
    kconf.load_config(str(path))
    for sym in kconf.unique_defined_syms:
        _ = sym.str_value  # evaluation is when range warnings appear
    return kconf


def _fragment(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fragment.config"
    path.write_text(text)
    return path


def _assignments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _lwai(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    environ.pop("KCONFIG_CONFIG", None)
    environ.update(env)
    return subprocess.run(
        LWAI + args, cwd=cwd, env=environ, check=False, capture_output=True, text=True
    )


# --- The tree -------------------------------------------------------------------------------


def test_tree_parses_without_warnings_and_follows_the_rules():
    kconf = kconfiglib.Kconfig(str(lwcfg.KCONFIG), warn_to_stderr=False)
    assert kconf.warnings == []
    assert kconf.top_node.list.item.name == "LWAI"  # one `menuconfig LWAI` at the top
    for sym in kconf.unique_defined_syms:
        assert sym.name.startswith("LWAI"), sym.name
        assert sym.orig_type != kconfiglib.TRISTATE, f"{sym.name}: no tristates"
        assert any(node.help for node in sym.nodes), f"{sym.name} has no help text"
        if sym.orig_type == kconfiglib.INT:
            assert sym.defaults and sym.ranges, f"{sym.name}: every int has a default and range"
    for choice in kconf.unique_choices:
        assert any(node.help for node in choice.nodes), f"choice {choice.name_and_loc}"


def test_the_symbols_the_rest_of_lwai_reads_exist():
    cfg = lwcfg.load_config()
    names = [
        "LWAI_PROFILE_L0",
        "LWAI_PROFILE_L1",
        "LWAI_PROFILE_L2",
        "LWAI_CPU_CORTEX_M0PLUS",
        "LWAI_CPU_CORTEX_M4",
        "LWAI_CPU_CORTEX_M7",
        "LWAI_CPU_CORTEX_M33",
        "LWAI_CPU_CORTEX_M55",
        "LWAI_CPU_CORTEX_A7",
        "LWAI_CPU_X86_64",
        "LWAI_CPU_AARCH64",
        "LWAI_CPU_HAS_FPU",
        "LWAI_CPU_HAS_DSP",
        "LWAI_CPU_HAS_MVE",
        "LWAI_EXECUTOR_AOT",
        "LWAI_EXECUTOR_GRAPH",
        "LWAI_LOADER_FLATBUFFER",
        "LWAI_LOADER_JSON",
        "LWAI_ALLOW_JSON_ON_L0",
        "LWAI_ARENA_SIZE",
        "LWAI_DTYPE_INT8",
        "LWAI_DTYPE_INT16",
        "LWAI_DTYPE_FLOAT32",
        "LWAI_KERNELS_OPTIMIZED",
        "LWAI_KERNELS_OPTIMIZED_ARCH",
        "LWAI_CMSIS_NN",
        "LWAI_CMSIS_NN_PATH",
        "LWAI_KERNEL_BACKENDS",
        "LWAI_KERNELS_MODEL_ONLY",
        "LWAI_LOG_LEVEL",
        "LWAI_PROFILING",
        "LWAI_ASSERTS",
        "LWAI_BOARD",
    ]
    assert [n for n in names if n not in cfg] == []
    assert sorted(lwcfg.OP_KERNEL_SYMBOLS) == sorted(OP_KINDS)
    assert all(symbol in cfg for symbol in lwcfg.OP_KERNEL_SYMBOLS.values())
    assert isinstance(cfg["LWAI_ARENA_SIZE"], int) and cfg["LWAI_ARENA_SIZE"] >= 65536
    assert cfg["LWAI_CMSIS_NN_PATH"] == "" and cfg["LWAI_LOADER_JSON"] is False
    assert all(type(v) in (bool, int, str) for v in cfg.values())


# --- Acceptance 1: defconfigs ---------------------------------------------------------------


def test_one_defconfig_per_supported_board():
    assert lwcfg.list_defconfigs() == sorted(DEFCONFIGS)


@pytest.mark.parametrize("name", sorted(DEFCONFIGS))
def test_defconfig_loads_without_warnings_and_selects_its_profile(name):
    path = lwcfg.defconfig_path(name)
    kconf = _kconfig_loaded(path)
    assert kconf.warnings == [] and kconf.missing_syms == []
    profile, cpu, board = DEFCONFIGS[name]
    cfg = lwcfg.load_config(defconfig=name)  # strict: raises on anything that does not stick
    assert cfg[f"LWAI_PROFILE_{profile}"] is True
    assert [p for p in ("L0", "L1", "L2") if cfg[f"LWAI_PROFILE_{p}"]] == [profile]
    assert (cfg["LWAI_PROFILE"], cfg["LWAI_CPU"], cfg["LWAI_BOARD"]) == (profile, cpu, board)
    assert cfg["LWAI_LOADER_JSON"] is (profile != "L0")


@pytest.mark.parametrize("name", sorted(DEFCONFIGS))
def test_defconfig_round_trips_through_savedefconfig_and_olddefconfig(name, tmp_path):
    path = lwcfg.defconfig_path(name)
    kconf = _kconfig_loaded(path)
    kconf.write_min_config(str(tmp_path / "defconfig"))
    # savedefconfig gives back exactly the defconfig's assignments (comments aside)...
    saved = (tmp_path / "defconfig").read_text()
    assert _assignments(saved) == _assignments(path.read_text())
    # ...and the full .config survives olddefconfig byte for byte.
    kconf.write_config(str(tmp_path / "full.config"))
    again = _kconfig_loaded(tmp_path / "defconfig")
    again.write_config(str(tmp_path / "again.config"))
    assert (tmp_path / "again.config").read_bytes() == (tmp_path / "full.config").read_bytes()
    assert lwcfg.load_config(tmp_path / "full.config") == lwcfg.load_config(defconfig=name)


def test_cli_defconfig_savedefconfig_olddefconfig(tmp_path):
    result = _lwai(["defconfig", "l0_mps3_an547_defconfig"], tmp_path)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / ".config").read_bytes()
    assert b"CONFIG_LWAI_CPU_CORTEX_M55=y" in written
    result = _lwai(["olddefconfig"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".config").read_bytes() == written
    result = _lwai(["savedefconfig", "-o", "mine_defconfig"], tmp_path)
    assert result.returncode == 0, result.stderr
    saved = (tmp_path / "mine_defconfig").read_text()
    assert _assignments(saved) == ["CONFIG_LWAI_CPU_CORTEX_M55=y"]
    # KCONFIG_CONFIG names another file, as for every Kconfig tool.
    result = _lwai(
        ["defconfig", str(lwcfg.defconfig_path("l2_x86_64"))],
        tmp_path,
        KCONFIG_CONFIG="other.config",
    )
    assert result.returncode == 0, result.stderr
    assert "CONFIG_LWAI_PROFILE_L2=y" in (tmp_path / "other.config").read_text()


def test_default_is_the_l0_mps2_an386_profile():
    bare_defaults = lwcfg.config_values(lwcfg.parse_kconfig())
    default = lwcfg.load_config()
    assert default == lwcfg.load_config(defconfig="l0_mps2_an386") == bare_defaults
    assert default["LWAI_PROFILE_L0"] and default["LWAI_BOARD"] == "mps2-an386"
    assert _assignments(lwcfg.defconfig_path("l0_mps2_an386").read_text()) == []


def test_defconfig_names_and_errors(tmp_path):
    by_name = lwcfg.load_config(defconfig="l1_armv7a_linux")
    assert lwcfg.load_config(defconfig="l1_armv7a_linux_defconfig") == by_name
    assert lwcfg.load_config(defconfig=str(lwcfg.defconfig_path("l1_armv7a_linux"))) == by_name
    with pytest.raises(LwaiError, match="no such defconfig.*l0_mps2_an386"):
        lwcfg.load_config(defconfig="l9_nothing")
    with pytest.raises(LwaiError, match="no such config file"):
        lwcfg.load_config(tmp_path / "missing.config")
    result = _lwai(["defconfig", "l9_nothing"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("lwai: ") and result.stderr.count("\n") == 1
    assert "error: no such defconfig: 'l9_nothing'" in result.stderr
    assert not (tmp_path / ".config").exists()


# --- genconfig ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DEFCONFIGS))
def test_genconfig_is_byte_for_byte_deterministic(name, tmp_path):
    lwcfg.genconfig(defconfig=name, out_dir=tmp_path / "a")
    full = tmp_path / "full.config"
    _kconfig_loaded(lwcfg.defconfig_path(name)).write_config(str(full))
    lwcfg.genconfig(full, out_dir=tmp_path / "b")  # same config, from a full .config
    lwcfg.genconfig(lwcfg.load_config(defconfig=name), out_dir=tmp_path / "c")  # from a dict
    for file in lwcfg.OUTPUT_FILES:
        data = (tmp_path / "a" / file).read_bytes()
        assert data == (tmp_path / "b" / file).read_bytes() == (tmp_path / "c" / file).read_bytes()
    assert json.loads((tmp_path / "a/lwai_config.json").read_text()) == lwcfg.load_config(
        defconfig=name
    )


def test_genconfig_contents(tmp_path):
    lwcfg.genconfig(defconfig="l0_mps2_an386", out_dir=tmp_path)
    header = (tmp_path / "lwai_config.h").read_text()
    assert "#define CONFIG_LWAI_ARENA_SIZE 98304\n" in header
    assert "#define CONFIG_LWAI_PROFILE_L0 1\n" in header
    assert '#define CONFIG_LWAI_BOARD "mps2-an386"\n' in header
    assert "#define CONFIG_LWAI_LOADER_JSON " not in header  # disabled: undefined, so #ifdef works
    assert "/* CONFIG_LWAI_LOADER_JSON is not set */" in header
    gni = (tmp_path / "lwai_config.gni").read_text()
    assert "LWAI_LOADER_JSON = false\n" in gni and "LWAI_ARENA_SIZE = 98304\n" in gni
    assert 'LWAI_CPU = "cortex-m4"\n' in gni
    # Unchanged files are not rewritten (builds keyed on mtime do not rebuild).
    before = (tmp_path / "lwai_config.h").stat().st_mtime_ns
    time.sleep(0.01)
    lwcfg.genconfig(defconfig="l0_mps2_an386", out_dir=tmp_path)
    assert (tmp_path / "lwai_config.h").stat().st_mtime_ns == before


def test_header_compiles_and_gates_code(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    for name, json_on in (("l0_mps2_an386", 0), ("l2_x86_64", 1)):
        out = tmp_path / name
        lwcfg.genconfig(defconfig=name, out_dir=out)
        (out / "t.c").write_text(
            '#include "lwai_config.h"\n#include "lwai/tensor.h"\n#include "lwai/model.h"\n'
            "#if CONFIG_LWAI_LOADER_JSON\nint json_on = 1;\n#else\nint json_on = 0;\n#endif\n"
            "char arena[CONFIG_LWAI_ARENA_SIZE]; const char *board = CONFIG_LWAI_BOARD;\n"
            "int main(void) { return json_on; }\n"
        )
        subprocess.run(
            [cc, "-std=c99", "-Wall", "-Werror", f"-I{ROOT / 'runtime' / 'include'}"]
            + ["-o", str(out / "t"), str(out / "t.c")],
            check=True,
        )
        assert subprocess.run([str(out / "t")], check=False).returncode == json_on


def test_cli_genconfig(tmp_path):
    result = _lwai(["genconfig", "--defconfig", "l2_aarch64", "-o", "gen"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "gen/lwai_config.json").read_text())["LWAI_CPU_AARCH64"]
    # Without --config/--defconfig it reads .config when there is one, like Kconfig tools.
    assert _lwai(["defconfig", "l1_armv7a_linux"], tmp_path).returncode == 0
    assert _lwai(["genconfig", "-o", "gen2"], tmp_path).returncode == 0
    assert json.loads((tmp_path / "gen2/lwai_config.json").read_text())["LWAI_PROFILE"] == "L1"


# --- Acceptance 3: impossible combinations --------------------------------------------------

REFUSED = [
    # (fragment, symbol that must not stick)
    ("CONFIG_LWAI_LOADER_JSON=y\n", "LWAI_LOADER_JSON"),  # JSON loader on L0
    ("CONFIG_LWAI_PROFILE_L2=y\nCONFIG_LWAI_CMSIS_NN=y\n", "LWAI_CMSIS_NN"),  # CMSIS-NN, x86_64
    ("CONFIG_LWAI_PROFILE_L2=y\nCONFIG_LWAI_KERNELS_OPTIMIZED=y\n", "LWAI_KERNELS_OPTIMIZED"),
    ("CONFIG_LWAI_CPU_X86_64=y\n", "LWAI_CPU_X86_64"),  # an L2 CPU on L0
    ("CONFIG_LWAI_PROFILE_L1=y\nCONFIG_LWAI_CPU_HAS_MVE=y\n", "LWAI_CPU_HAS_MVE"),
]


@pytest.mark.parametrize("text,symbol", REFUSED)
def test_kconfiglib_refuses_impossible_combinations(text, symbol, tmp_path):
    kconf = _kconfig_loaded(_fragment(tmp_path, text))
    assert kconf.syms[symbol].str_value == "n"  # the assignment does not stick
    assert kconf.syms[symbol].visibility == 0  # and menuconfig does not offer it
    with pytest.raises(LwaiError, match=f"CONFIG_{symbol}=y cannot be set"):
        lwcfg.load_config(_fragment(tmp_path, text))
    # Setting it the way menuconfig would does not stick either.
    kconf = lwcfg.parse_kconfig()
    for line in _assignments(text)[:-1]:
        kconf.syms[line.split("=")[0][len("CONFIG_") :]].set_value("y")
    kconf.syms[symbol].set_value("y")
    assert kconf.syms[symbol].str_value == "n"


@pytest.mark.parametrize(
    "text,symbol",
    [
        ("CONFIG_LWAI_ALLOW_JSON_ON_L0=y\nCONFIG_LWAI_LOADER_JSON=y\n", "LWAI_LOADER_JSON"),
        ('CONFIG_LWAI_CMSIS_NN=y\nCONFIG_LWAI_CMSIS_NN_PATH="cmsis"\n', "LWAI_CMSIS_NN"),
        ("CONFIG_LWAI_KERNELS_OPTIMIZED=y\n", "LWAI_KERNELS_OPTIMIZED"),
    ],
)
def test_the_same_options_where_they_are_allowed(text, symbol, tmp_path):
    kconf = _kconfig_loaded(_fragment(tmp_path, text))
    assert kconf.warnings == [] and kconf.syms[symbol].str_value == "y"
    assert lwcfg.load_config(_fragment(tmp_path, text))[symbol] is True


def test_arena_range_per_profile(tmp_path):
    # 32768 is a legal L0 arena (acceptance 4 compiles person_detect against it and fails).
    cfg = lwcfg.load_config(_fragment(tmp_path, "CONFIG_LWAI_ARENA_SIZE=32768\n"))
    assert cfg["LWAI_ARENA_SIZE"] == 32768 and cfg["LWAI_PROFILE_L0"]
    kconf = _kconfig_loaded(_fragment(tmp_path, "CONFIG_LWAI_ARENA_SIZE=100\n"))
    assert kconf.syms["LWAI_ARENA_SIZE"].str_value == "98304"
    assert any("outside the active range" in w for w in kconf.warnings)
    with pytest.raises(LwaiError, match=r"ARENA_SIZE=100 cannot be set.*\[4096, 4194304\]"):
        lwcfg.load_config(_fragment(tmp_path, "CONFIG_LWAI_ARENA_SIZE=100\n"))
    l2 = "CONFIG_LWAI_PROFILE_L2=y\nCONFIG_LWAI_ARENA_SIZE=536870912\n"
    assert lwcfg.load_config(_fragment(tmp_path, l2))["LWAI_ARENA_SIZE"] == 536870912


def test_strict_loading_reports_typos_and_empty_cmsis_path(tmp_path):
    with pytest.raises(LwaiError, match="CONFIG_LWAI_ARENA_SZIE is not an lwai symbol"):
        lwcfg.load_config(_fragment(tmp_path, "CONFIG_LWAI_ARENA_SZIE=65536\n"))
    with pytest.raises(LwaiError, match="CMSIS_NN_PATH is empty"):
        lwcfg.load_config(_fragment(tmp_path, "CONFIG_LWAI_CMSIS_NN=y\n"))
    # Symbols of a larger tree (OpenHarmony's LOSCFG_*) are not lwai's business.
    assert lwcfg.load_config(_fragment(tmp_path, "CONFIG_LOSCFG_KERNEL_SMP=y\n"))


def test_at_least_one_executor_and_dtype(tmp_path):
    text = "# CONFIG_LWAI_EXECUTOR_AOT is not set\n# CONFIG_LWAI_EXECUTOR_GRAPH is not set\n"
    kconf = _kconfig_loaded(_fragment(tmp_path, text))
    assert kconf.syms["LWAI_EXECUTOR_AOT"].str_value == "y"
    text = "# CONFIG_LWAI_DTYPE_INT16 is not set\n# CONFIG_LWAI_DTYPE_FLOAT32 is not set\n"
    kconf = _kconfig_loaded(_fragment(tmp_path, text + "# CONFIG_LWAI_DTYPE_INT8 is not set\n"))
    assert kconf.syms["LWAI_DTYPE_INT8"].str_value == "y"
    cfg = lwcfg.load_config(_fragment(tmp_path, text))
    assert cfg["LWAI_DTYPE_INT8"] and not cfg["LWAI_DTYPE_INT16"]
    cfg = lwcfg.load_config(
        _fragment(
            tmp_path, "CONFIG_LWAI_PROFILE_L1=y\n# CONFIG_LWAI_LOADER_FLATBUFFER is not set\n"
        )
    )
    assert cfg["LWAI_EXECUTOR_GRAPH"] and cfg["LWAI_LOADER_JSON"]
    assert not cfg["LWAI_LOADER_FLATBUFFER"]


def test_cpu_features_follow_the_cpu():
    an386 = lwcfg.load_config(defconfig="l0_mps2_an386")
    assert an386["LWAI_CPU_HAS_FPU"] and an386["LWAI_CPU_HAS_DSP"]
    assert not an386["LWAI_CPU_HAS_MVE"] and an386["LWAI_CPU_ARCH"] == "armv7em"
    an547 = lwcfg.load_config(defconfig="l0_mps3_an547")
    assert an547["LWAI_CPU_HAS_MVE"] and an547["LWAI_CPU_HAS_FPU"]
    x86 = lwcfg.load_config(defconfig="l2_x86_64")
    assert x86["LWAI_CPU_HAS_FPU"] and not x86["LWAI_CPU_HAS_DSP"] and not x86["LWAI_CPU_ARM_M"]
    kconf = lwcfg.parse_kconfig()
    kconf.syms["LWAI_CPU_CORTEX_M0PLUS"].set_value("y")
    assert kconf.syms["LWAI_CPU_HAS_FPU"].str_value == "n"
    assert kconf.syms["LWAI_BOARD"].str_value == "custom"


# --- What the compiler uses -----------------------------------------------------------------


def test_kernel_enabled(tmp_path):
    cfg = lwcfg.load_config()
    assert all(lwcfg.kernel_enabled(cfg, op) for op in OP_KINDS)  # model-only: all available
    listed = lwcfg.load_config(
        _fragment(
            tmp_path,
            "CONFIG_LWAI_KERNELS_LIST=y\n"
            "# CONFIG_LWAI_KERNEL_SOFTMAX is not set\n"
            "# CONFIG_LWAI_DTYPE_INT16 is not set\n",
        )
    )
    assert not lwcfg.kernel_enabled(listed, "softmax")
    assert lwcfg.kernel_enabled(listed, "conv2d", "int8")
    assert not lwcfg.kernel_enabled(listed, "conv2d", "int16")
    assert lwcfg.kernel_enabled(listed, "conv2d", "int32")
    assert "softmax" not in lwcfg.enabled_kernels(listed)
    with pytest.raises(ValueError):
        lwcfg.kernel_enabled(cfg, "gelu")
    with pytest.raises(LwaiError, match="KERNEL_SOFTMAX=n cannot be set.*KERNELS_LIST"):
        lwcfg.load_config(_fragment(tmp_path, "# CONFIG_LWAI_KERNEL_SOFTMAX is not set\n"))


def test_check_arena(tmp_path):
    small = lwcfg.load_config(_fragment(tmp_path, "CONFIG_LWAI_ARENA_SIZE=32768\n"))
    with pytest.raises(LwaiError) as err:
        lwcfg.check_arena("person_detect.tflite", 57344, small)
    message = str(err.value)
    assert "arena" in message and "57344" in message and "32768" in message
    assert message.startswith("person_detect.tflite: error: ")
    lwcfg.check_arena("person_detect.tflite", 57344, lwcfg.load_config())  # the L0 default


# --- Make wrappers --------------------------------------------------------------------------


def test_make_targets_wrap_the_cli():
    result = subprocess.run(
        [
            "make",
            "-n",
            "-C",
            str(ROOT),
            "l0_mps3_an547_defconfig",
            "menuconfig",
            "oldconfig",
            "savedefconfig",
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    for cmd in (
        "lwai defconfig l0_mps3_an547_defconfig",
        "lwai menuconfig",
        "lwai olddefconfig",
        "lwai savedefconfig",
    ):
        assert cmd in result.stdout


# --- Acceptance 2: menuconfig in a real terminal --------------------------------------------


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_menuconfig_switches_profile_l0_to_l2(tmp_path):
    socket = f"lwai-test-{uuid.uuid4().hex[:12]}"
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    command = (
        f"env TERM=xterm-256color PYTHONPATH={ROOT} {sys.executable} -m lwai.cli "
        f"menuconfig; echo $? > {tmp_path}/exit_status; sleep 60"
    )

    def screen() -> str:
        return subprocess.run(
            tmux + ["capture-pane", "-p", "-t", "m"], check=False, capture_output=True, text=True
        ).stdout

    def wait_for(text: str) -> None:
        deadline = time.monotonic() + 15
        while text not in screen():
            assert time.monotonic() < deadline, f"{text!r} never appeared:\n{screen()}"
            time.sleep(0.05)

    def keys(*names: str) -> None:
        subprocess.run(tmux + ["send-keys", "-t", "m", *names], check=True)

    subprocess.run(
        tmux
        + ["new-session", "-d", "-s", "m", "-x", "120", "-y", "40", "-c", str(tmp_path), command],
        check=True,
    )
    try:
        wait_for("LightWeightAI (NEW)  --->")
        keys("Enter")
        wait_for("Device profile (L0: mini system")
        keys("Enter")
        wait_for("( ) L2: standard system")
        keys("Down", "Down")
        time.sleep(0.2)
        keys("Enter")  # selects L2 and returns to the menu
        wait_for("Device profile (L2: standard system")
        keys("S")
        wait_for("Filename to save configuration to")
        keys("Enter")
        wait_for("Configuration saved to '.config'")
        keys("Enter")
        time.sleep(0.2)
        keys("Q")
        deadline = time.monotonic() + 15
        while not (tmp_path / "exit_status").exists():
            assert time.monotonic() < deadline, screen()
            time.sleep(0.05)
    finally:
        subprocess.run(tmux + ["kill-server"], check=False, capture_output=True)
    assert (tmp_path / "exit_status").read_text().strip() == "0"
    text = (tmp_path / ".config").read_text()
    assert "CONFIG_LWAI_PROFILE_L2=y\n" in text and "# CONFIG_LWAI_PROFILE_L0 is not set\n" in text
    cfg = lwcfg.load_config(tmp_path / ".config")
    assert cfg["LWAI_PROFILE_L2"] and cfg["LWAI_CPU_X86_64"] and cfg["LWAI_BOARD"] == "host"


# --- docs/configuration.md ------------------------------------------------------------------


def test_configuration_doc_is_up_to_date():
    spec = importlib.util.spec_from_file_location(
        "gen_config_doc", ROOT / "scripts" / "gen_config_doc.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc = ROOT / "docs" / "configuration.md"
    assert doc.read_text(encoding="utf-8") == module.render(), (
        "docs/configuration.md is stale: run .venv/bin/python scripts/gen_config_doc.py"
    )
    for sym in lwcfg.parse_kconfig().unique_defined_syms:
        assert f"`{sym.name}`" in doc.read_text(encoding="utf-8")


def test_genconfig_script_for_gn_actions(tmp_path):
    script = ROOT / "scripts" / "genconfig.py"
    cmd = [sys.executable, str(script), "--defconfig", "l2_x86_64", "-o", "gen", "--depfile", "d"]
    result = subprocess.run(cmd, cwd=tmp_path, check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lwcfg.genconfig(defconfig="l2_x86_64", out_dir=tmp_path / "ref")
    for file in lwcfg.OUTPUT_FILES:
        assert (tmp_path / "gen" / file).read_bytes() == (tmp_path / "ref" / file).read_bytes()
    target, deps = (tmp_path / "d").read_text().split(": ")
    assert target == "gen/lwai_config.h"
    assert str(ROOT / "kernels" / "Kconfig") in deps and "l2_x86_64_defconfig" in deps
