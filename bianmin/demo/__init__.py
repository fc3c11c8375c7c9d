"""The demo county (汉中市汉台区) and its bulk case history: `bianmin seed-demo`.

The top layer: it builds data through every app below it, and nothing but its own management
commands, the benchmarks and tests imports it. The data lives in readable modules: `places`
(regions and name lists), `departments`, `catalog_proxy` and `catalog_county` (item templates,
expanded into items by `catalog_build.expanded_items`); `builder.build_demo(seed=...)` loads
the county, `scale.build_cases` its case history.
"""
