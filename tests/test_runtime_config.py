"""What the configuration compiles into the runtime (issue 3, acceptance 5).

liblwai is built with SCons from `lwai genconfig` output for the graph executor with the JSON
loader off and on, and its symbols read back with nm: without the JSON loader the library
holds no JSON code (no lwai_model_load_json, no cJSON, not even the registry's parameter
names); with it, it does, and the shared library needs libcjson. The FlatBuffer loader
(lwai_model_load) follows LWAI_LOADER_FLATBUFFER the same way. cJSON comes from the system
on the host, or from a source tree (LWAI_CJSON_PATH) compiled into the runtime, which is
also how the Armv7-A Linux board gets it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from lwai.build import scons_command
from lwai.config import defconfig_path, genconfig, load_config
from lwai.driver import TARGET_DEFCONFIG

CJSON_SOURCE = REPO / "build" / "third_party" / "cJSON-1.7.19"


def _config(tmp_path: Path, name: str, defconfig: str, **symbols: bool | str) -> Path:
    """genconfig's lwai_config.json for `defconfig` with `symbols` changed."""
    lines = []
    for key, value in symbols.items():
        if value is False:
            lines.append(f"# CONFIG_{key} is not set")
        elif value is True:
            lines.append(f"CONFIG_{key}=y")
        else:
            lines.append(f'CONFIG_{key}="{value}"')
    path = tmp_path / f"{name}.config"
    path.write_text(defconfig_path(defconfig).read_text() + "\n".join(lines) + "\n")
    values = load_config(config=path)
    for key, value in symbols.items():
        assert values[key] == value, f"Kconfig did not take {key}={value}"
    out = tmp_path / f"{name}_cfg"
    genconfig(values, out_dir=out)
    return out / "lwai_config.json"


def _build_libs(tmp_path: Path, name: str, board: str, config: Path) -> Path:
    build = tmp_path / f"{name}_build"
    done = subprocess.run(
        scons_command(None, board, build, config, ["libs"]),
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return build


def _symbols(nm: str, lib: Path) -> dict[str, set[str]]:
    """Symbol names of a library by nm type: "defined" (T, D, R, B, ...) and "undefined"."""
    out = subprocess.run([nm, str(lib)], check=True, capture_output=True, text=True).stdout
    table: dict[str, set[str]] = {"defined": set(), "undefined": set()}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 2 and len(fields[-2]) == 1:
            kind = "undefined" if fields[-2] in "Uw" else "defined"
            table[kind].add(fields[-1])
    return table


def _has_json(syms: dict[str, set[str]]) -> tuple[bool, bool]:
    every = syms["defined"] | syms["undefined"]
    return (
        "lwai_model_load_json" in syms["defined"],
        any(s.startswith("cJSON_") for s in every),
    )


def _needs(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing (scripts/setup_system.sh installs them)")


HOST = TARGET_DEFCONFIG["host"]


@pytest.mark.parametrize(
    "name, json_on, flatbuffer_on",
    [("graph_lwfb", False, True), ("graph_json", True, False), ("graph_both", True, True)],
)
def test_host_library_holds_exactly_the_configured_loaders(tmp_path, name, json_on, flatbuffer_on):
    _needs("gcc", "nm")
    config = _config(
        tmp_path,
        name,
        HOST,
        LWAI_EXECUTOR_GRAPH=True,
        LWAI_LOADER_JSON=json_on,
        LWAI_LOADER_FLATBUFFER=flatbuffer_on,
    )
    build = _build_libs(tmp_path, name, "host", config)
    syms = _symbols("nm", build / "liblwai.a")
    assert "lwai_graph_bind" in syms["defined"]
    assert _has_json(syms) == (json_on, json_on)
    assert ("lwai_model_load" in syms["defined"]) == flatbuffer_on
    # The registry's parameter names only serve the JSON loader.
    assert (b"input1_multiplier" in (build / "liblwai.a").read_bytes()) == json_on
    needed = subprocess.run(
        ["readelf", "-d", str(build / "liblwai.so")], check=True, capture_output=True, text=True
    ).stdout
    assert ("libcjson" in needed) == json_on


def test_host_cjson_from_a_source_tree(tmp_path):
    """LWAI_CJSON_PATH compiles cJSON into the runtime: no libcjson dependency left."""
    _needs("gcc", "nm")
    if not (CJSON_SOURCE / "cJSON.c").is_file():
        pytest.skip("no cJSON sources: scripts/fetch_cjson.sh fetches them")
    config = _config(
        tmp_path, "src", HOST, LWAI_LOADER_JSON=True, LWAI_CJSON_PATH=str(CJSON_SOURCE)
    )
    build = _build_libs(tmp_path, "src", "host", config)
    syms = _symbols("nm", build / "liblwai.a")
    assert "lwai_model_load_json" in syms["defined"]
    assert "cJSON_ParseWithLengthOpts" in syms["defined"] and "cJSON_Delete" in syms["defined"]
    assert (build / "obj" / "runtime" / "third_party" / "cJSON.os").is_file()
    needed = subprocess.run(
        ["readelf", "-d", str(build / "liblwai.so")], check=True, capture_output=True, text=True
    ).stdout
    assert "libcjson" not in needed


@pytest.mark.parametrize("json_on", [False, True])
def test_armv7a_library_and_its_cjson(tmp_path, json_on):
    """The L1 board has no system libcjson: cJSON is compiled in from the fetched sources."""
    _needs("arm-linux-gnueabihf-gcc", "arm-linux-gnueabihf-nm")
    if json_on and not (CJSON_SOURCE / "cJSON.c").is_file():
        pytest.skip("no cJSON sources: scripts/fetch_cjson.sh fetches them")
    name = f"l1_json_{json_on}"
    config = _config(
        tmp_path, name, "l1_armv7a_linux", LWAI_EXECUTOR_GRAPH=True, LWAI_LOADER_JSON=json_on
    )
    build = _build_libs(tmp_path, name, "linux-armv7a", config)
    syms = _symbols("arm-linux-gnueabihf-nm", build / "liblwai.a")
    assert _has_json(syms) == (json_on, json_on)
    if json_on:
        assert "cJSON_ParseWithLengthOpts" in syms["defined"]


def test_bad_cjson_path_is_a_clear_build_error(tmp_path):
    config = _config(
        tmp_path, "bad", HOST, LWAI_LOADER_JSON=True, LWAI_CJSON_PATH=str(tmp_path / "nowhere")
    )
    done = subprocess.run(
        scons_command(None, "host", tmp_path / "b", config, ["libs"]),
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "holds no cJSON.c" in done.stdout + done.stderr
