import numpy as np

from exercises.models import ExerciseVersion
from teaching import variants
from teaching.models import ValidationRun

from .conftest import REFERENCE


def test_it_applies_value_variants_only_where_they_change_an_output():
    assert variants.applicable([np.ones((2, 3))]) == [
        "transposed output",
        "output scaled by a constant",
        "sign flipped",
    ]
    assert variants.applicable([np.ones(3)]) == ["output scaled by a constant", "sign flipped"]
    assert variants.applicable([np.zeros(3), "label", True]) == []
    assert variants.applicable([(np.ones((3, 3)), 2.0)])[0] == "transposed output"


def test_it_moves_reductions_to_another_axis():
    assert variants.other_axis_source("x.sum(axis=0) + np.max(z, axis=-1)") == "x.sum(axis=1) + np.max(z, axis=0)"
    assert variants.other_axis_source("np.dot(a, b)") is None


def test_it_wraps_the_reference_without_changing_its_text():
    spec = {"reference": REFERENCE, "entry_point": "col_means"}

    class Case:
        expected = np.ones(2)

    found = variants.wrong_variants(spec, [Case()])
    assert [variant.name for variant in found] == [
        "output scaled by a constant",
        "sign flipped",
        "reduced over another axis",
    ]
    assert REFERENCE in found[0].source and "def col_means(*args, **kwargs)" in found[0].source


def test_it_counts_the_variants_the_cases_catch_in_the_sandbox(exercise):
    run = ValidationRun.objects.create(version=exercise.current_version)
    run.perform()
    automatic = {check["name"]: check["ok"] for check in run.checks if check["automatic"]}
    assert automatic == {
        "wrong variant: output scaled by a constant": True,
        "wrong variant: sign flipped": True,
        "wrong variant: reduced over another axis": True,
    }
    assert (run.variants_caught, run.variants_total, run.reference_ok) == (3, 3, True)


def test_it_reports_weak_cases(exercise):
    # Only a zero input: scaling and flipping the sign of zeros changes nothing.
    spec = {
        **exercise.spec,
        "cases": "import numpy as np\ndef cases(rng):\n    yield {'name': 'zeros', 'args': [np.zeros((2, 2))]}\n",
    }
    version = ExerciseVersion.objects.create(exercise=exercise, number=9, statement="s", spec=spec, digest="a" * 64)
    run = ValidationRun.objects.create(version=version)
    run.perform()
    assert run.reference_ok and run.variants_total == 1  # only the other-axis variant applies
    assert run.variants_caught == 0  # ... and all-zero input cannot tell the axes apart


def test_it_turns_a_broken_generator_into_a_failed_reference(exercise):
    spec = {**exercise.spec, "cases": "def cases(rng):\n    raise RuntimeError('no')\n"}
    version = ExerciseVersion.objects.create(exercise=exercise, number=9, statement="s", spec=spec, digest="b" * 64)
    run = ValidationRun.objects.create(version=version)
    run.perform()
    assert not run.reference_ok and run.status == "done" and "no" in run.message


# --- named hazards --------------------------------------------------------------------------

SOFTMAX = {
    "entry_point": "softmax",
    "reference": "import numpy as np\ndef softmax(Z):\n    E = np.exp(Z - Z.max(axis=-1, keepdims=True))\n    return E / E.sum(axis=-1, keepdims=True)\n",
}
SOFTMAX_STATEMENT = "Compute a row-wise softmax without overflow: logits like 1000 overflow exp."


def _softmax_cases(*inputs):
    from grader import engine

    body = "".join(
        f"    yield {{'name': 'case {i}', 'args': [np.array({value!r})]}}\n" for i, value in enumerate(inputs)
    )
    spec = {**SOFTMAX, "cases": "import numpy as np\ndef cases(rng):\n" + body}
    return spec, engine.prepare_code_cases(spec, seed=1)


def test_it_finds_the_hazards_a_statement_names():
    names = [hazard.name for hazard in variants.named_hazards(SOFTMAX_STATEMENT)]
    assert names[0].startswith("logits beyond ±709") and names[1].startswith("a batch mixing")
    convex = "Q is a square matrix; is the quadratic convex?"
    assert variants.named_hazards(convex)[0].name.startswith("an even number of negative eigenvalues")

    class Returns:
        expected, args, kwargs = 2.5, [], {}

    assert variants.named_hazards(convex, [Returns()]) == []  # a determinant shortcut only matters for a yes/no answer
    assert variants.named_hazards("The weights are non-negative (not all zero).") == []
    assert variants.named_hazards("A zero vector has length 0.")[0].name.startswith("a zero vector")


def test_it_reports_the_hazard_no_case_crosses_and_not_the_one_a_case_crosses():
    from grader import engine

    spec, cases = _softmax_cases([[1.0, 2.0], [3.0, -1.0]], [[800.0, -800.0], [1.0, 2.0]])
    caught = {
        variant.name: not engine.grade("code", spec, variant.source, cases=cases).correct
        for variant in variants.wrong_variants(spec, cases, SOFTMAX_STATEMENT)
        if variant.name.startswith("hazard:")
    }
    assert caught == {
        "hazard: logits beyond ±709, where exp overflows (both signs, in one case)": True,
        "hazard: a batch mixing a row beyond +709 with a row below -709": False,  # no such batch
    }
