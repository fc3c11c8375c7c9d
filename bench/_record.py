"""Figures a benchmark prints, kept for bench/scales.py to set side by side across data sets.

Each script calls `record(label, value, unit)` as it prints a figure; when BENCH_RECORD names a
file the figures are written there as JSON when the script exits. No Django here: the HTTP bench
imports it without setting Django up.
"""

import atexit
import json
import os
from pathlib import Path

_FIGURES: list[dict] = []
_SECTION = [""]


def section(name: str) -> None:
    """Prefix the labels recorded from now on (who is looking, say), so rows that repeat for
    several viewers stay apart in the side-by-side table."""
    _SECTION[0] = f"{name}: " if name else ""


def record(label: str, value: float, unit: str = "ms") -> None:
    _FIGURES.append({"label": _SECTION[0] + label.strip(), "value": float(value), "unit": unit})


def _dump() -> None:
    target = os.environ.get("BENCH_RECORD")
    if target and _FIGURES:
        Path(target).write_text(json.dumps(_FIGURES, ensure_ascii=False, indent=1))


atexit.register(_dump)
