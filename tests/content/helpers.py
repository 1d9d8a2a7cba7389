"""Helpers for tests of the built-in course: read an exercise and run its reference.

The reference runs inside the grading sandbox, as it does in production: course code is
never imported or executed in the test process itself.
"""

from functools import cache
from pathlib import Path

from exercises.content import CONTENT_ROOT, exercise_data, exercise_paths, load_yaml


@cache
def _index() -> dict[str, Path]:
    """Slug -> the exercise's file: NN-slug.yaml, or NN-slug/exercise.yaml for a folder."""
    index = {}
    for module in sorted(
        path for path in CONTENT_ROOT.iterdir() if path.is_dir() and not path.name.startswith((".", "_"))
    ):
        for path in exercise_paths(module):
            index[load_yaml(path.read_text(encoding="utf-8"))["slug"]] = path
    return index


def exercise(slug: str) -> dict:
    """The exercise's fields as one mapping, whichever form it is written in: a folder's code
    files and `_shared` helpers come in as the loader reads them."""
    return exercise_data(_index()[slug])


def run_reference(slug: str, *args, **kwargs):
    """Call the exercise's reference solution in the sandbox and return what it returns."""
    from grader import sandbox

    data = exercise(slug)
    return sandbox.call(data["reference"], data["entry_point"], *args, **kwargs)
