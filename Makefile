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

bench: setup
	$(PY) scripts/bench.py --out docs/BENCHMARKS.md

lint: setup
	$(VENV)/bin/ruff check lwai tests scripts
	$(VENV)/bin/ruff format --check lwai tests scripts

# --- Kconfig workflow (thin wrappers over `lwai`, as Yocto's cml1 and LiteOS-M expect) ---
menuconfig: setup
	$(LWAI) menuconfig

oldconfig olddefconfig: setup
	$(LWAI) olddefconfig

savedefconfig: setup
	$(LWAI) savedefconfig

genconfig: setup
	$(LWAI) genconfig -o build/config

%_defconfig: setup
	$(LWAI) defconfig $@
