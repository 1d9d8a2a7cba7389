"""Helpers for tests of the built-in course: read an exercise file and run its reference.

The reference runs inside the grading sandbox, as it does in production: course code is
never imported or executed in the test process itself.
"""

from functools import cache
from pathlib import Path

import yaml

from exercises.content import CONTENT_ROOT


@cache
def _index() -> dict[str, Path]:
    index = {}
    for path in CONTENT_ROOT.glob("*/*.yaml"):
        if path.name != "module.yaml":
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            index[data["slug"]] = path
    return index


def exercise(slug: str) -> dict:
    """The exercise file's parsed YAML."""
    return yaml.safe_load(_index()[slug].read_text(encoding="utf-8"))


def run_reference(slug: str, *args, **kwargs):
    """Call the exercise's reference solution in the sandbox and return what it returns."""
    from grader import sandbox

    data = exercise(slug)
    return sandbox.call(data["reference"], data["entry_point"], *args, **kwargs)
