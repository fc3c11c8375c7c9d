"""The demo county (汉中市汉台区): data modules and the functions that build it.

`build_demo(seed=...)` is what `bianmin seed-demo` runs; the data lives in readable modules:
`places` (regions and name lists), `departments`, `catalog_proxy` and `catalog_county` (item
templates, expanded into items by `builder.expanded_items`).
"""

from .builder import DEFAULT_SEED, DEMO_PASSWORD, DemoCounty, build_demo

__all__ = ["DEFAULT_SEED", "DEMO_PASSWORD", "DemoCounty", "build_demo"]
