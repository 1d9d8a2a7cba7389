"""The course's self-check: every code exercise judges independent solutions rightly.

For each code exercise, ``selfcheck/<slug>.yaml`` holds correct alternatives a good learner
could write, in another style than the reference (loops instead of vectorised code, a
different but sound algorithm, Python or NumPy scalars where the statement allows them), and
``wrong`` variants: the realistic mistakes the statement warns about. Every one runs through
the real grading path, in the sandbox, against the exercise's own cases.
"""

from pathlib import Path

import pytest
import yaml

from exercises.content import CONTENT_ROOT, read_course
from grader import engine

SELFCHECK_ROOT = Path(__file__).parent / "selfcheck"
SYLLABUS, MODULES = read_course(CONTENT_ROOT)
CODE_EXERCISES = [
    (module.slug, exercise) for module in MODULES for exercise in module.exercises if exercise.kind == "code"
]


def _selfcheck(slug: str) -> dict:
    path = SELFCHECK_ROOT / f"{slug}.yaml"
    assert path.exists(), f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path} is missing"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_it_has_no_self_check_for_an_exercise_that_does_not_exist():
    slugs = {exercise.slug for _, exercise in CODE_EXERCISES}
    strays = sorted(path.stem for path in SELFCHECK_ROOT.glob("*.yaml") if path.stem not in slugs)
    assert not strays, f"self-checks of no code exercise: {strays}"


@pytest.mark.parametrize(("module_slug", "exercise"), CODE_EXERCISES, ids=lambda value: getattr(value, "slug", ""))
def test_it_accepts_every_correct_alternative_and_rejects_every_wrong_one(module_slug, exercise):
    check = _selfcheck(exercise.slug)
    correct, wrong = check.get("correct", []), check.get("wrong", [])
    assert len(correct) >= 2, f"{exercise.slug}: needs at least two correct alternatives"
    assert all(item["code"].strip() != exercise.spec["reference"].strip() for item in correct)

    cases = engine.prepare_code_cases(exercise.spec, exercise.version(module_slug).seed)
    misjudged = []
    for should_pass, items in ((True, correct), (False, wrong)):
        for item in items:
            result = engine.grade("code", exercise.spec, item["code"], cases=cases)
            if result.correct != should_pass:
                failing = "".join(f"\n    {case.name}: {case.message}" for case in result.cases if not case.passed)
                verdict = "rejected" if should_pass else "accepted"
                misjudged.append(f"{item['name']!r} was {verdict}: {result.status} {result.message}{failing}")
    assert not misjudged, f"{exercise.slug}:\n" + "\n".join(misjudged)
