"""Every status changes through the one engine (issue 16, "Done means"): no product code outside
`bianmin/common/workflow.py` assigns a status field, and every registered machine's table names
only states of its own enum.

Creating a record in its first state (`Model(state=...)`, `objects.create(status=...)`) is not a
change and is allowed. The demo generator writes histories in bulk on purpose and is left out.
"""

import ast
import re
from pathlib import Path

from bianmin.common import workflow

ROOT = Path(workflow.__file__).resolve().parents[1]  # the bianmin package
ENGINE = Path("bianmin/common/workflow.py")
SKIPPED_DIRS = ("migrations", "tests", "demo")


# A case material's checklist mark (provided / missing / deferred / pledged) is not a workflow of
# its own: it moves only inside the case's transitions (here the one-time notice's effect).
MARKS = frozenset({("bianmin/cases/effects/intake.py", "update(status=MaterialStatus.MISSING)")})


def _product_files():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent)
        parts = rel.parts[1:-1]
        if any(p in SKIPPED_DIRS or p.startswith("tests_") for p in parts):
            continue
        if rel == ENGINE or rel.name.startswith("test"):
            continue
        yield rel, path


def _targets(node):
    if isinstance(node, ast.Tuple | ast.List):
        for item in node.elts:
            yield from _targets(item)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)
    else:
        yield node


def _queryset(node) -> bool:
    """Whether `node.update(...)` reads as a queryset's update (`...filter(...).update`,
    `Model.objects.update`, `qs.update`), not a dict's (`doc.update(state=...)`)."""
    if isinstance(node, ast.Call):
        return True
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return name == "objects" or name.endswith(("qs", "queryset"))


def status_writes(tree: ast.AST, names: frozenset[str]) -> list[tuple[int, str]]:
    """(line, what) for each assignment of an attribute in `names`, `setattr` with such a literal
    name, and queryset `.update(<name>=...)` / `.bulk_update(..., [<name>])` in `tree`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for t in _targets(target):
                    if isinstance(t, ast.Attribute) and t.attr in names:
                        found.append((node.lineno, f".{t.attr} ="))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "setattr" and len(node.args) >= 2:
                arg = node.args[1]
                if isinstance(arg, ast.Constant) and arg.value in names:
                    found.append((node.lineno, f"setattr(..., {arg.value!r})"))
            elif name == "update" and _queryset(func.value):
                found += [
                    (node.lineno, f".update({k.arg}=)") for k in node.keywords if k.arg in names
                ]
            elif name == "bulk_update":
                fields = node.args[1] if len(node.args) > 1 else None
                for k in node.keywords:
                    fields = k.value if k.arg == "fields" else fields
                for item in getattr(fields, "elts", []):
                    if isinstance(item, ast.Constant) and item.value in names:
                        found.append((node.lineno, f".bulk_update([{item.value!r}])"))
    return found


def _forbidden() -> frozenset[str]:
    return frozenset({"state", "status"} | {m.state_field for m in workflow.autodiscover()})


def _may_write(names: frozenset[str]) -> re.Pattern:
    """A cheap test a file must pass to be parsed at all: a name of `names` as an attribute on
    the left of `=` or in a (possibly wrapped) tuple, as a keyword, or any setattr/bulk_update."""
    n = "|".join(sorted(names))
    return re.compile(
        rf"\.(?:{n})\b[^\n]*(?<![=!<>])=(?!=)|\.(?:{n}),|\b(?:{n})\s*=(?!=)|setattr|bulk_update"
    )


def test_no_status_written_outside_the_engine():
    names = _forbidden()
    may_write = _may_write(names)
    offences = []
    for rel, path in _product_files():
        source = path.read_text(encoding="utf-8")
        if not may_write.search(source):
            continue
        lines = source.splitlines()
        for line, what in status_writes(ast.parse(source, filename=str(rel)), names):
            if not any(str(rel) == f and s in lines[line - 1] for f, s in MARKS):
                offences.append(f"{rel}:{line}: {what}")
    assert not offences, "status written outside common/workflow.py:\n" + "\n".join(offences)


def test_the_detector_sees_every_form():
    source = """
a.state = 1
a.b.status, c = 2, 3
[x.state, *rest] = y
setattr(obj, "status", 4)
Model.objects.filter(pk=1).update(status="done", n=2)
Model.objects.bulk_update(rows, ["state"])
qs.update(state="x")
doc.update(state="shown")
Model(state="new")
Model.objects.create(status="new")
a.statue = 5
"""
    names = frozenset({"state", "status"})
    lines = [line for line, _ in status_writes(ast.parse(source), names)]
    wrapped = "(\n    a.x,\n    b.state,\n) = f()"
    may_write = _may_write(names)
    assert all(may_write.search(part) for part in (*source.split("\n")[2:9], wrapped))
    assert not may_write.search("if a.state == b.status:")
    assert sorted(lines) == [2, 3, 4, 5, 6, 7, 8]


def test_every_machine_names_only_its_own_states():
    machines = workflow.autodiscover()
    assert {m.__name__ for m in machines} >= {
        "CaseMachine",
        "RectificationMachine",
        "ComplaintMachine",
        "ItemVersionMachine",
    }
    for machine in machines:
        known = set(machine.states.values)
        for row in machine.table:
            assert row.sources, (machine.__name__, row.action)
            assert set(row.sources) <= known, (machine.__name__, row.action, row.sources)
            assert row.target in known or row.target.startswith("="), (machine.__name__, row)
        for state in (*machine.pausing, machine.default_resume):
            assert not state or state in known, (machine.__name__, state)
        assert set(machine.labels) >= machine.actions(), machine.__name__
