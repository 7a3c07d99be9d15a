"""Where an image's bytes go: flash and RAM totals from the ELF (pyelftools), per part
(runtime, kernels, model code, weights, board, app, C library) from the link map.

Sections are classified by their ELF flags: executable -> text, other read-only allocated
-> rodata, writable with contents -> data, writable without contents -> bss, except the
model's arena (section ``.lwai_arena`` on L0, symbol ``lwai_app_arena`` elsewhere) and the
L0 stack (section ``.stack``), counted on their own.

- ``flash_bytes`` = text + rodata + data (``.data``'s initial values are stored in flash)
- ``ram_bytes``   = data + bss + arena + stack

Per part, the link map (``-Wl,-Map``, written by SConstruct beside the image) gives every
input section's object; SConstruct puts objects under ``obj/<part>/``, so the path names the
part. Model objects' text is "model code", their read-only data and data are "weights".
"""

from __future__ import annotations

import re
from pathlib import Path

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

PARTS = ("runtime", "kernels", "model", "boards", "app", "libc")
KINDS = ("text", "rodata", "data", "bss")
ARENA_SYMBOL = "lwai_app_arena"


def _section_kind(sec) -> str | None:
    flags = sec["sh_flags"]
    if not flags & SH_FLAGS.SHF_ALLOC:
        return None
    if sec.name == ".lwai_arena":
        return "arena"
    if sec.name == ".stack":
        return "stack"
    if sec["sh_type"] == "SHT_NOBITS" or sec.name.startswith(".tbss"):
        return "bss"
    if flags & SH_FLAGS.SHF_EXECINSTR:
        return "text"
    if flags & SH_FLAGS.SHF_WRITE:
        return "data"
    return "rodata"


def symbols(elf: Path) -> dict[str, int]:
    """Defined symbol name -> size, from .symtab (and .dynsym)."""
    out: dict[str, int] = {}
    with open(elf, "rb") as f:
        ef = ELFFile(f)
        for sec in ef.iter_sections():
            if isinstance(sec, SymbolTableSection):
                for sym in sec.iter_symbols():
                    if sym.name and sym["st_shndx"] != "SHN_UNDEF":
                        out[sym.name] = max(out.get(sym.name, 0), sym["st_size"])
    return out


def undefined_symbols(elf: Path) -> set[str]:
    out: set[str] = set()
    with open(elf, "rb") as f:
        for sec in ELFFile(f).iter_sections():
            if isinstance(sec, SymbolTableSection):
                out |= {
                    s.name for s in sec.iter_symbols() if s.name and s["st_shndx"] == "SHN_UNDEF"
                }
    return out


def section_sizes(elf: Path) -> dict[str, dict]:
    """Allocated section name -> {"kind", "size"}."""
    out = {}
    with open(elf, "rb") as f:
        for sec in ELFFile(f).iter_sections():
            kind = _section_kind(sec)
            if kind is not None and sec["sh_size"]:
                out[sec.name] = {"kind": kind, "size": sec["sh_size"]}
    return out


def part_of(obj: str) -> str:
    m = re.search(r"/obj/(runtime|kernels|model|boards|app)/", obj.replace("\\", "/"))
    return m.group(1) if m else "libc"


_OUT_SEC = re.compile(r"^(\S+)")
_IN_SEC = re.compile(r"^ (\S+)?\s*0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")


def parse_map(map_file: Path, kinds: dict[str, str]) -> list[dict]:
    """Input sections placed in the image: [{"object", "section", "kind", "size"}].

    kinds maps output section name -> kind (from section_sizes); sections of other output
    sections (debug info, discarded) are skipped."""
    text = Path(map_file).read_text(errors="replace")
    start = text.find("Linker script and memory map")
    lines = text[start:].splitlines() if start >= 0 else []
    out: list[dict] = []
    current_kind = None
    pending_name = None
    for line in lines:
        if not line.strip():
            continue
        if not line.startswith(" "):
            m = _OUT_SEC.match(line)
            current_kind = kinds.get(m.group(1)) if m else None
            pending_name = None
            continue
        if current_kind is None:
            continue
        m = _IN_SEC.match(line)
        if m:
            name = m.group(1) or pending_name
            pending_name = None
            size = int(m.group(3), 16)
            obj = m.group(4).strip()
            if not size or obj.startswith("*") or name is None or "=" in obj:
                continue
            if name.startswith("*"):
                continue
            out.append({"object": obj, "section": name, "kind": current_kind, "size": size})
            continue
        stripped = line.strip()
        if stripped.startswith((".", "COMMON")):
            pending_name = stripped.split()[0]
    return out


def size_report(elf: Path, map_file: Path | None = None) -> dict:
    """Flash/RAM totals and the per-part breakdown of a linked image (see module doc)."""
    elf = Path(elf)
    secs = section_sizes(elf)
    totals = dict.fromkeys(("text", "rodata", "data", "bss", "arena", "stack"), 0)
    for info in secs.values():
        totals[info["kind"]] += info["size"]
    syms = symbols(elf)
    if totals["arena"] == 0 and ARENA_SYMBOL in syms:  # host/Linux: the arena sits in .bss
        totals["arena"] = syms[ARENA_SYMBOL]
        totals["bss"] -= syms[ARENA_SYMBOL]
    report = {
        "flash_bytes": totals["text"] + totals["rodata"] + totals["data"],
        "ram_bytes": totals["data"] + totals["bss"] + totals["arena"] + totals["stack"],
        "text_bytes": totals["text"],
        "rodata_bytes": totals["rodata"],
        "data_bytes": totals["data"],
        "bss_bytes": totals["bss"],
        "arena_bytes": totals["arena"],
        "stack_bytes": totals["stack"],
    }
    map_file = Path(map_file) if map_file else elf.with_suffix(".map")
    if not map_file.exists():
        map_file = elf.parent / (elf.stem + ".map")
    if map_file.exists():
        kinds = {name: info["kind"] for name, info in secs.items()}
        parts = {p: dict.fromkeys(KINDS, 0) for p in PARTS}
        objects: dict[str, dict] = {}
        for e in parse_map(map_file, kinds):
            kind = e["kind"]
            if kind not in KINDS:
                continue
            part = part_of(e["object"])
            if part == "app" and e["section"].endswith("lwai_arena"):
                continue
            parts[part][kind] += e["size"]
            o = objects.setdefault(e["object"], {"part": part, **dict.fromkeys(KINDS, 0)})
            o[kind] += e["size"]
        for p in parts.values():
            p["flash"] = p["text"] + p["rodata"] + p["data"]
            p["ram"] = p["data"] + p["bss"]
        report["breakdown"] = {
            "runtime_text": parts["runtime"]["text"],
            "kernels_text": parts["kernels"]["text"],
            "model_code": parts["model"]["text"],
            "weights": parts["model"]["rodata"] + parts["model"]["data"],
            "parts": parts,
        }
        report["objects"] = objects
    return report
