"""docs/metrics.md and docs/privacy.md name real code: every test they cite exists, and every function
they name can be imported, so a newcomer following a row finds what it promises."""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "docs" / "metrics.md", ROOT / "docs" / "privacy.md"]
TEXT = "\n".join(p.read_text(encoding="utf-8") for p in DOCS)
CITED_TESTS = sorted(set(re.findall(r"(tests/test_\w+\.py)::(test_\w+)", TEXT)))
# `module.name` in backticks; coded_answers.* are the view's columns, scipy.* the library's own
NAMED = sorted(
    {
        name
        for name in re.findall(r"`((?:analytics\.)?[a-z_]+(?:\.[a-z_]\w*)+)`", TEXT)
        if not name.startswith(("coded_answers.", "scipy.")) and not name.endswith((".py", ".md", ".json"))
    }
)
PACKAGES = ("analytics.", "analytics.store.", "analytics.text.", "analytics.report.", "analytics.sample.")


def _resolve(dotted: str) -> object:
    """The object `dotted` names: a module path within analytics' packages, then attributes."""
    parts = dotted.removeprefix("analytics.").split(".")
    packages = ("",) if parts[0] == "ui" else PACKAGES
    for cut in range(len(parts) - 1, 0, -1):
        for package in packages:
            try:
                found = importlib.import_module(package + ".".join(parts[:cut]))
            except ModuleNotFoundError:
                continue
            for attribute in parts[cut:]:
                found = getattr(found, attribute)
            return found
    raise LookupError(dotted)


def test_the_docs_cite_tests_and_name_functions():
    assert len(CITED_TESTS) > 50 and len(NAMED) > 40


@pytest.mark.parametrize(("path", "name"), CITED_TESTS, ids=lambda v: str(v))
def test_every_cited_test_exists(path, name):
    source = (ROOT / path).read_text(encoding="utf-8")
    assert re.search(rf"^def {name}\(", source, re.M), f"{path}::{name} is cited in docs but not defined"


@pytest.mark.parametrize("dotted", NAMED)
def test_every_named_function_exists(dotted):
    assert _resolve(dotted) is not None


def test_a_wrong_name_is_caught():
    with pytest.raises((LookupError, AttributeError)):
        _resolve("metrics.no_such_function")
    with pytest.raises((LookupError, AttributeError)):
        _resolve("compare.wave_change")  # the module's old name
