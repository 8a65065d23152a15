"""The house rules of DESIGN.md section 2, read from the code itself: data flows one way, views are thin,
each public name has one home."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = sorted(
    p
    for folder in ("analytics", "ui", "views")
    for p in (ROOT / folder).rglob("*.py")
    if "__pycache__" not in p.parts
) + [ROOT / "app.py"]
VIEWS = sorted((ROOT / "views").glob("*.py"))
# A view is widgets, one or two analytics calls and rendering (DESIGN.md: "no page over about 150 lines").
MAX_VIEW_LINES = 160
# What the write side may use: errors, the item bank, the store, and the scorer of comments at import.
INGEST_MAY_IMPORT = (
    "analytics.errors",
    "analytics.instruments",
    "analytics.store",
    "analytics.text.sentiment",
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every `from X import ...` and `import X` in the file, nested ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names)
    return found


def _is_product(module: str) -> bool:
    return module.split(".")[0] in ("analytics", "ui", "views")


def test_rules_see_the_whole_product():
    names = {_module_name(p) for p in PRODUCT}
    assert {
        "analytics.privacy",
        "analytics.store.db",
        "analytics.text.comments",
        "analytics.report.writer",
    } <= names
    assert {"analytics.sample.programme", "analytics.change", "analytics.comparison", "ui.figures"} <= names
    assert len(VIEWS) >= 10


def test_analytics_and_the_shared_ui_helpers_never_import_streamlit():
    pure = [p for p in PRODUCT if _module_name(p).startswith("analytics")]
    pure += [ROOT / "ui" / "figures.py", ROOT / "ui" / "format.py"]
    offenders = [
        str(p.relative_to(ROOT)) for p in pure if any(m.startswith("streamlit") for m, _ in _imports(p))
    ]
    assert not offenders


def test_ingest_never_imports_the_read_side():
    offenders = []
    for path in (ROOT / "analytics" / "ingest").rglob("*.py"):
        for module, _ in _imports(path):
            if _is_product(module) and not module.startswith(("analytics.ingest", *INGEST_MAY_IMPORT)):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offenders


def test_no_private_name_is_imported_across_modules():
    offenders = [
        f"{p.relative_to(ROOT)}: from {module} import {name}"
        for p in PRODUCT
        for module, names in _imports(p)
        if _is_product(module)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not offenders


@pytest.mark.parametrize(
    "path", [p for p in PRODUCT if p.parent.name != "views" and p.name != "app.py"], ids=str
)
def test_a_module_exports_only_what_it_defines(path):
    """No re-exports: every name in __all__ is defined in the module, not imported into it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported, exported = set(), []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom | ast.Import):
            imported |= {a.asname or a.name.split(".")[0] for a in node.names}
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            exported = [e.value for e in node.value.elts]
    assert not [name for name in exported if name in imported]


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.name)
def test_a_view_is_thin_and_holds_no_sql(path):
    source = path.read_text(encoding="utf-8")
    lines = len(source.splitlines())
    assert lines <= MAX_VIEW_LINES, f"{path.name} has {lines} lines"
    assert not any(m in ("duckdb",) for m, _ in _imports(path)), (
        "a view reaches the database only through ui.state"
    )
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = node.value.upper().split()
            assert not ("SELECT" in words and "FROM" in words), f"SQL in {path.name}: {node.value[:60]!r}"


def test_the_rules_catch_what_they_forbid(tmp_path):
    """Each check above, fed a file that breaks it, fails."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import streamlit as st\nfrom analytics.ingest.inspection import _hidden\n"
        "from analytics.metrics import group_scores\n__all__ = ['group_scores']\n"
        "Q = 'SELECT n FROM t'\n"
    )
    found = _imports(bad)
    assert ("streamlit", []) in found
    assert ("analytics.ingest.inspection", ["_hidden"]) in found
    with pytest.raises(AssertionError):
        test_a_module_exports_only_what_it_defines(bad)
    with pytest.raises(AssertionError):
        test_a_view_is_thin_and_holds_no_sql(bad)
