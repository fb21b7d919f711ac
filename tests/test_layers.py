"""The layers, checked on the source: factdesk (shared parts) -> articles -> claims, the pure code at the bottom.

Every import counts, including those inside functions (hiding an import in a function hides a
dependency, it does not remove it). No database, no Django setup: only `ast` on the files.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("factdesk", "articles", "claims")
PURE = ("claims.pipeline", "articles.importers")
# What the pure code may import of the project besides itself: the pipeline reads files through the importers.
PURE_MAY_IMPORT = ("articles.importers",)
# Known exceptions, as (importer, imported) module pairs, each with why.
KNOWN_PURE_IMPORTS = {
    # The Article -> ArticleText builder (issue 12, point 5) takes the near-duplicate links from
    # articles/neardup.py, itself Django-free (numpy, datasketch and the importers' word lists).
    ("claims.pipeline.inputs", "articles.neardup"),
}
# Third-party packages that pull in Django or a worker: the pure code stays free of them.
FRAMEWORKS = {"django", "rest_framework", "drf_spectacular", "celery"}
# Cycles known and owned elsewhere, as the (importer, imported) edge that closes each; each with why.
KNOWN_CYCLES: set[tuple[str, str]] = set()


def _modules() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _imports(name: str) -> Iterator[str]:
    """Every absolute module name that `name` imports, anywhere in its source."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"), filename=str(MODULES[name]))
    package = name if _is_package(name) else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:  # `from claims import services` imports the module claims.services
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def _project_module(imported: str) -> str | None:
    """The project module an import names (its longest known prefix), or None for third-party code."""
    parts = imported.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in MODULES:
            return candidate
    return None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name in MODULES:
        targets = {_project_module(i) for i in _imports(name)}
        graph[name] = {t for t in targets if t is not None and t != name}
    return graph


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_articles_never_imports_claims() -> None:
    offenders = {
        f"{name} imports {imported}"
        for name in MODULES
        if _within(name, "articles")
        for imported in _imports(name)
        if _within(imported, "claims")
    }
    assert not offenders, sorted(offenders)


def test_factdesk_shared_parts_import_no_app() -> None:
    """factdesk/ is the foundation; only its URL roots (and the Celery app's discovery) see the apps."""
    roofs = {"factdesk.urls", "factdesk.api_urls"}
    offenders = {
        f"{name} imports {imported}"
        for name in MODULES
        if _within(name, "factdesk") and name not in roofs and not _within(name, "factdesk.management")
        for imported in _imports(name)
        if _within(imported, "articles") or _within(imported, "claims")
    }
    assert not offenders, sorted(offenders)


def test_the_pipeline_and_the_importers_are_pure_python() -> None:
    offenders = set()
    for name in MODULES:
        pure = next((p for p in PURE if _within(name, p)), None)
        if pure is None:
            continue
        allowed = (pure, *PURE_MAY_IMPORT)
        for imported in _imports(name):
            if imported.split(".")[0] in FRAMEWORKS:
                offenders.add(f"{name} imports {imported}")
            module = _project_module(imported)
            if module is None or any(_within(module, a) for a in allowed):
                continue
            if (name, module) in KNOWN_PURE_IMPORTS and _django_free(module):
                continue
            offenders.add(f"{name} imports {imported}")
    assert not offenders, sorted(offenders)


def _django_free(name: str) -> bool:
    return not any(i.split(".")[0] in FRAMEWORKS or _within(i, "claims") for i in _imports(name))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_there_is_no_import_cycle() -> None:
    graph = _graph()
    for importer, imported in KNOWN_CYCLES:
        graph[importer].discard(imported)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
