# The README's commands. Every target sets itself up first, so each works on a fresh clone.
VENV ?= .venv
PY := $(VENV)/bin/python
LWAI := $(VENV)/bin/lwai
STAMP := $(VENV)/.lwai-setup
JOBS ?= 2

.PHONY: setup demo test bench lint menuconfig oldconfig olddefconfig savedefconfig genconfig

setup: $(STAMP)
	@bash scripts/setup_system.sh

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -e ".[test]"
	touch $@

demo: setup
	$(LWAI) demo

test: setup
	$(PY) -m pytest -q -n $(JOBS) tests

# `lwai bench` (lwai.bench.measure) over the shared models, boards, executors and kernel sets,
# beside TFLite Micro and LiteRT; writes docs/BENCHMARKS.md
bench: setup
	$(PY) scripts/bench.py --out docs/BENCHMARKS.md

# docs/report/: person_detect's arena plan, image sizes and per-op profile on Cortex-M4
# (`lwai report`), as a picture and one self-contained HTML page.
DOCS_MODEL ?= $(or $(LWAI_SHARED_MODELS),$(LWAI_ROOT)/../shared/models)/person_detect.tflite
DOCS_BUILD := build/docs/person_detect
.PHONY: docs
docs: setup
	$(LWAI) image $(DOCS_MODEL) --defconfig l0_mps2_an386 -o $(DOCS_BUILD) -q
	$(LWAI) bench $(DOCS_MODEL) --target qemu-cortex-m4 --per-op -q > $(DOCS_BUILD)/bench.json
	mkdir -p docs/report
	$(LWAI) report $(DOCS_BUILD)/gen/report.json --size $(DOCS_BUILD)/build/lwai_app.elf \
		--profile $(DOCS_BUILD)/bench.json --plot docs/report/person_detect.png \
		--html docs/report/person_detect.html

# libFuzzer targets of tests/fuzz/ (clang -fsanitize=fuzzer,address,undefined), each run for
# FUZZ_SECONDS; fails on a crash, leak or timeout; prints executions and coverage per target.
# FUZZ_ARGS passes more options (scripts/fuzz.py --help), e.g. "--stats --keep-crashes".
FUZZ_SECONDS ?= 60
FUZZ_PARALLEL ?= 1
FUZZ_ARGS ?=
.PHONY: fuzz
fuzz: setup
	$(PY) scripts/fuzz.py --seconds $(FUZZ_SECONDS) --parallel $(FUZZ_PARALLEL) $(FUZZ_ARGS)

lint: setup
	$(VENV)/bin/ruff check lwai tests scripts
	$(VENV)/bin/ruff format --check lwai tests scripts

# --- Kconfig workflow (thin wrappers over `lwai`, as Yocto's cml1 and LiteOS-M expect) ---
# These need only a python3 that imports kconfiglib, never `make setup` (apt-get, pip) nor the
# network: the venv's python once it exists, else python3 on PATH (Debian's python3-kconfiglib,
# `pip install kconfiglib`, or OE's python3-kconfiglib-native inside a Yocto build, where
# cml1.bbclass runs `make oldconfig` in the unpacked sources). KCONFIG_PYTHON=... picks another.
LWAI_ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
KCONFIG_PYTHON ?= $(firstword $(wildcard $(PY) $(LWAI_ROOT)/$(PY)) python3)
# `lwai CMD` with only the Kconfig commands (lwai/cli/kconfig.py), not the whole CLI, so that
# they need no more of lwai than its config code (the Yocto recipe unpacks just that part).
define KCONFIG_MAIN
import argparse, sys
from lwai.cli import kconfig
from lwai.errors import LwaiError
parser = argparse.ArgumentParser(prog=sys.argv[1])
kconfig.register(parser.add_subparsers(required=True))
args = parser.parse_args(sys.argv[2:])
try:
    sys.exit(args.func(args))
except LwaiError as err:
    sys.exit(f"lwai: {err}")
endef
export KCONFIG_MAIN
KCONFIG_LWAI = PYTHONPATH="$(LWAI_ROOT)$${PYTHONPATH:+:$$PYTHONPATH}" $(KCONFIG_PYTHON) -c "$$KCONFIG_MAIN" lwai
KCONFIG_CHECK = @$(KCONFIG_PYTHON) -c 'import kconfiglib' 2>/dev/null || { \
	echo "make: $(KCONFIG_PYTHON) cannot import kconfiglib: install it (apt-get install python3-kconfiglib, pip install kconfiglib), run 'make setup', or set KCONFIG_PYTHON" >&2; exit 2; }

menuconfig:
	$(KCONFIG_CHECK)
	$(KCONFIG_LWAI) menuconfig

oldconfig olddefconfig:
	$(KCONFIG_CHECK)
	$(KCONFIG_LWAI) olddefconfig

savedefconfig:
	$(KCONFIG_CHECK)
	$(KCONFIG_LWAI) savedefconfig

genconfig:
	$(KCONFIG_CHECK)
	$(KCONFIG_LWAI) genconfig -o build/config

%_defconfig:
	$(KCONFIG_CHECK)
	$(KCONFIG_LWAI) defconfig $@
