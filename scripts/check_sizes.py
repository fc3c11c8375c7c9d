#!/usr/bin/env python3
"""No product module over 400 lines (STYLE.md: a file that passes about 400 lines becomes a package).

A module a person can read in one sitting; past that it is split by responsibility. Product code is
every `bianmin/**/*.py` except migrations (generated), tests and test configuration.

Prints each offender with its line count and exits 1 when there is one.
Usage: .venv/bin/python scripts/check_sizes.py [--limit 400]
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_PRODUCT = {"migrations", "tests", "tests_browser", "tests_security", "tests_factories", "tests_ha"}


def product_modules(root: Path):
    for path in sorted((root / "bianmin").rglob("*.py")):
        parts = path.relative_to(root).parts
        if NOT_PRODUCT.intersection(parts) or path.name == "conftest.py":
            continue
        yield path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=400)
    limit = parser.parse_args().limit
    failed = False
    for path in product_modules(ROOT):
        with path.open(encoding="utf-8") as f:
            lines = sum(1 for _ in f)
        if lines <= limit:
            continue
        print(f"{path.relative_to(ROOT).as_posix()}: {lines} lines, over {limit}")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
