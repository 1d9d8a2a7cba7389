"""Every numeric item of the course states the precision it wants, and the grader agrees with
the statement: the key rounded to that precision passes through the real grading engine, and
an answer one unit off in the last stated place fails."""

import json
import math
import re

import numpy as np
import pytest

from exercises.content import CONTENT_ROOT, read_course
from grader import engine

_, MODULES = read_course(CONTENT_ROOT)
NUMERIC = [exercise for module in MODULES for exercise in module.exercises if exercise.kind == "numeric"]

WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
COUNT = r"(\d+|" + "|".join(WORDS) + r")"
PHRASES = {
    "decimals": re.compile(COUNT + r"\s+decimal\s+places?\b", re.I),
    "sig_figs": re.compile(COUNT + r"\s+significant\s+figures?\b", re.I),
    "exact": re.compile(r"\bexact\s+value\b", re.I),
}


def stated_precision(statement: str) -> tuple[str, int | None]:
    found = set()
    for kind, pattern in PHRASES.items():
        for match in pattern.finditer(statement):
            count = match.group(1).lower() if kind != "exact" else None
            found.add((kind, None if count is None else int(WORDS.get(count, count))))
    assert len(found) == 1, (
        f"the statement must state one precision (n decimal places, n significant figures or the exact value); found {sorted(found, key=str) or 'none'}"
    )
    return found.pop()


def rounded(value: float, kind: str, places: int) -> float:
    if kind == "decimals":
        return round(value, places)
    if value == 0:
        return 0.0
    return round(value, places - 1 - math.floor(math.log10(abs(value))))


def unit(value: float, kind: str, places: int) -> float:
    if kind == "decimals":
        return 10.0**-places
    return 10.0 ** (math.floor(math.log10(abs(value))) - places + 1) if value else 10.0**-places


def text(values) -> str:
    return json.dumps(values.tolist()) if values.ndim else repr(float(values))


def grade(exercise, values) -> bool:
    return engine.grade("numeric", exercise.spec, text(np.asarray(values, dtype=float))).correct


@pytest.mark.parametrize("exercise", NUMERIC, ids=lambda exercise: exercise.slug)
def test_it_accepts_the_key_rounded_to_the_stated_precision(exercise):
    kind, places = stated_precision(exercise.statement)
    answer = exercise.spec["answer"]
    key = np.asarray(answer["value"], dtype=float)
    if kind == "exact":
        assert answer.get("decimals") is None and answer.get("sig_figs") is None, (
            "an exact answer has no rounding precision"
        )
        assert grade(exercise, key)
        assert not grade(exercise, key + 1e-3 * np.maximum(1.0, np.abs(key))), "the tolerance is looser than 'exact'"
        return
    assert answer.get(kind) == places, f"the statement asks for {places} {kind}, the answer block says {answer}"
    flat = key.ravel()
    correct = np.array([rounded(v, kind, places) for v in flat]).reshape(key.shape)
    steps = np.array([unit(v, kind, places) for v in flat]).reshape(key.shape)
    assert grade(exercise, correct), f"the correctly rounded answer {text(correct)} is rejected"
    assert not grade(exercise, correct + steps), "one unit too high in the last stated place passes"
    assert not grade(exercise, correct - steps), "one unit too low in the last stated place passes"


@pytest.mark.parametrize(
    "statement, expected",
    [
        ("Give three decimal places.", ("decimals", 3)),
        ("to at least 4 decimal places", ("decimals", 4)),
        ("Give six significant figures.", ("sig_figs", 6)),
        ("Give the exact value.", ("exact", None)),
    ],
)
def test_it_reads_the_precision_a_statement_states(statement, expected):
    assert stated_precision(statement) == expected


def test_it_notices_a_statement_without_precision():
    with pytest.raises(AssertionError, match="must state one precision"):
        stated_precision("What is the probability that exactly two fail?")
