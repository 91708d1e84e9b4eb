"""Imports point one way, from the CLI towards the model; each library lives in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "briefing_site"

# What each module may import from the package. A new module must be placed here on purpose.
ALLOWED = {
    "__init__": set(),
    "__main__": {"cli"},
    "errors": set(),
    "chars": {"errors"},
    "limits": {"errors"},
    "model": {"errors"},
    "options": set(),
    "dates": {"model"},
    "slugs": set(),
    "yamlsource": {"chars", "errors"},
    "fields": {"chars", "dates", "errors", "limits", "model", "yamlsource"},
    "load": {"chars", "errors", "fields", "limits", "model", "scholarly", "slugs", "walk",
             "yamlsource"},
    "scholarly": {"fields", "model", "yamlsource"},
    "validate": {"errors", "model"},
    "markdown_ext": set(),
    "markdown_cite": {"markdown_ext"},
    "markup": {"markdown_cite", "markdown_ext", "sanitize"},
    "sanitize": {"chars", "markdown_ext"},
    "cite": {"model"},
    "exports": {"chars", "cite", "model"},
    "shared_documents": set(),
    "csl": {"shared_documents"},
    "references": {"csl", "errors", "yamlsource"},
    "bibliography": {"csl", "errors", "markup", "model", "references"},
    "listings": {"model", "slugs"},
    "convert": {"errors", "markdown_ext", "markup", "model", "workers"},
    "views": {"bibliography", "cite", "errors", "exports", "listings", "markup", "model"},
    "enrich": {"bibliography", "errors", "listings", "markdown_ext", "markup", "model",
               "views"},
    "chart": {"model"},
    "walk": set(),
    "workers": set(),
    "search": {"markup", "views", "workers"},
    "stamps": {"listings", "model", "search", "views"},
    "track": {"bibliography", "chart", "cite", "markup", "model", "search", "stamps", "views"},
    "render": {"__init__", "chart", "convert", "dates", "exports", "errors", "listings", "search",
               "track", "views", "walk", "workers"},
    "write": {"errors"},
    "incremental": {"__init__", "walk"},
    "pipeline": {"__init__", "bibliography", "chars", "convert", "enrich", "errors",
                 "incremental", "load", "markup", "options", "render", "search", "stamps",
                 "track", "validate"},
    "project": {"convert", "errors", "incremental", "options", "pipeline", "write"},
    "scaffold": {"slugs"},
    "hosts": set(),
    "serve": {"errors", "hosts", "incremental", "options", "pipeline", "render"},
    "publish": {"write"},
    "cli": {"__init__", "chars", "errors", "options", "pipeline", "project", "publish", "scaffold",
            "serve", "write"},
}
LIBRARIES = {"yaml": {"yamlsource"}, "frontmatter": {"load"},
             "markdown": {"markdown_cite", "markdown_ext", "markup"}, "jinja2": {"render"},
             "markupsafe": {"track"}, "pypandoc": {"csl"},
             "nh3": {"sanitize"}, "watchfiles": {"serve"},
             "license_expression": {"scholarly"}}
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py"))


def imports(module: str) -> tuple[set[str], set[str]]:
    """(package modules, top-level third-party or stdlib names) imported by ``module``."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    internal, external = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            if node.module:
                internal.add(node.module)
            else:  # "from . import x": a module, or a name defined in __init__
                internal.update(a.name if a.name in MODULES else "__init__" for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            external.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            external.update(a.name.split(".")[0] for a in node.names)
    return internal, external


def test_every_module_has_a_place_in_the_map():
    assert set(MODULES) == set(ALLOWED)


@pytest.mark.parametrize("module", MODULES)
def test_imports_point_towards_the_model(module):
    internal, _ = imports(module)
    assert internal <= ALLOWED[module], f"{module} imports {internal - ALLOWED[module]}"


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_each_library_is_used_by_its_own_module_only(library):
    users = {m for m in MODULES if library in imports(m)[1]}
    assert users <= LIBRARIES[library]


@pytest.mark.parametrize("module", [m for m in MODULES if m not in ("cli", "__main__")])
def test_only_the_cli_prints_or_exits(module):
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            assert name not in ("print", "sys.exit", "exit", "quit"), f"{module}: {name}"
        if isinstance(node, ast.Raise) and node.exc is not None:
            assert "SystemExit" not in ast.unparse(node.exc), module


@pytest.mark.parametrize("module", MODULES)
def test_modules_stay_small(module):
    assert len((PACKAGE / f"{module}.py").read_text().splitlines()) <= 400
