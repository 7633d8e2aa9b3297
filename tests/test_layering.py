"""The shape of the code (docs/DESIGN.md §2): no import circles inside an app, and the events app
imports no feature app above it.

Every import counts, also those inside functions: a function-level import hides a circle from
Python's loader but not from a reader, who still has to hold both modules in mind at once.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "accounts",
    "api",
    "challenges",
    "checkin",
    "competitions",
    "events",
    "fairs",
    "matchmaking",
    "notifications",
    "operations",
    "programme",
    "projects",
]
FEATURE_APPS = {"challenges", "checkin", "competitions", "fairs", "matchmaking", "programme", "projects", "api"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports (`from . import x` counts x when x is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                base = ".".join(base + ([node.module] if node.module else []))
            else:
                base = node.module
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    resolved = set()
    for target in targets:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            resolved.add(target)
    return resolved


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def circles_inside_apps(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module, within one app. A package's __init__
    re-exporting its submodules is not a circle (the submodules do not import the package)."""

    def app(module):
        return module.split(".")[0]

    index, low, stack, on_stack, groups = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if app(nxt) != app(node):
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def without_package_reexports(edges):
    """Drop the edges from a package to its own submodules (its __init__ gathering them)."""
    return {name: {t for t in targets if not t.startswith(name + ".")} for name, targets in edges.items()}


def test_no_import_circles_inside_an_app():
    circles = circles_inside_apps(without_package_reexports(graph()))
    assert circles == [], "import circles: " + "; ".join(" ↔ ".join(group) for group in circles)


def test_the_detector_sees_a_circle():
    """The negative control: a circle made up here is found."""
    edges = {"events.a": {"events.b"}, "events.b": {"events.c"}, "events.c": {"events.a"}, "events.d": {"events.a"}}
    assert circles_inside_apps(edges) == [["events.a", "events.b", "events.c"]]


def test_events_imports_no_feature_app():
    """events is below the feature apps: load_demo takes their demo steps from a registry."""
    above = {
        name: sorted(t for t in targets if t.split(".")[0] in FEATURE_APPS)
        for name, targets in graph().items()
        if name.split(".")[0] == "events"
    }
    assert {name: found for name, found in above.items() if found} == {}
