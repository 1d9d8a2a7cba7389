"""The layers of the code base, as ARCHITECTURE.md draws them: `grader` is a library that knows
nothing of the apps; `exercises` (the learners' side) knows nothing of `teaching`, the API or
the LMS integration, which all build on it. Read from every module's imports, however written."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = {
    "grader": {"exercises", "teaching", "api", "lti", "mlcourse"},
    "exercises": {"teaching", "api", "lti"},
    "teaching": {"api", "lti"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(RULES))
def test_it_keeps_each_layer_from_importing_the_ones_above(package):
    breaches = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
        for name in sorted(imported_packages(path) & RULES[package])
    ]
    assert not breaches, "\n".join(breaches)


def test_it_keeps_the_learners_templates_free_of_the_teaching_tags():
    for path in (ROOT / "templates").glob("*.html"):
        assert "load teaching" not in path.read_text(), path.name
    for path in (ROOT / "templates" / "exercises").glob("*.html"):
        assert "load teaching" not in path.read_text(), path.name
