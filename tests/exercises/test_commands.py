import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from exercises.models import Exercise
from tests.conftest import FIXTURE_COURSE, SIGMOID_RIGHT, SIGMOID_WRONG

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_grades_a_correct_answer_file_as_json(course, tmp_path):
    answer = tmp_path / "answer.py"
    answer.write_text(SIGMOID_RIGHT)
    data = json.loads(run("grade", "sigmoid", str(answer), "--json"))
    assert data["status"] == "graded" and data["score"] == 1.0 and data["correct"] is True
    assert [case["name"] for case in data["feedback"]] == ["zero", "a few values", "large logits"]
    assert all({"name", "passed", "message"} <= case.keys() for case in data["feedback"])


def test_it_grades_a_wrong_answer_file_without_failing(course, tmp_path):
    answer = tmp_path / "answer.py"
    answer.write_text(SIGMOID_WRONG)
    data = json.loads(run("grade", "sigmoid", str(answer), "--json"))
    assert data["status"] == "graded" and data["correct"] is False and 0 < data["score"] < 1


def test_it_grades_numeric_and_choice_answers(course, tmp_path):
    answer = tmp_path / "answer.txt"
    answer.write_text("5.0")
    assert json.loads(run("grade", "det-value", str(answer), "--json"))["correct"] is True
    answer.write_text("[1]")
    assert json.loads(run("grade", "relu-choice", str(answer), "--json"))["correct"] is False


def test_it_explains_an_unknown_slug(course, tmp_path):
    answer = tmp_path / "answer.py"
    answer.write_text("x")
    with pytest.raises(CommandError, match="No exercise with slug 'nope'"):
        run("grade", "nope", str(answer), "--json")


def test_it_explains_a_missing_answer_file(course):
    with pytest.raises(CommandError, match="no such file"):
        run("grade", "sigmoid", "/nonexistent/answer.py")


def test_it_lists_exercises_as_json(course):
    rows = json.loads(run("list_exercises", "--json"))
    by_slug = {row["slug"]: row for row in rows}
    assert by_slug["sigmoid"]["entry_point"] == "sigmoid"
    assert by_slug["sigmoid"]["module"] == "activations" and by_slug["sigmoid"]["topics"] == ["act.sigmoid"]
    assert by_slug["relu-choice"]["kind"] == "choice" and "entry_point" not in by_slug["relu-choice"]


def test_it_loads_a_course_folder_from_the_command_line():
    assert "Loaded 2 modules and 7 exercises" in run("load_course", str(FIXTURE_COURSE))
    assert Exercise.objects.count() == 7


def test_it_reports_a_malformed_content_file_as_a_command_error(tmp_path):
    import shutil

    shutil.copytree(FIXTURE_COURSE, tmp_path / "course")
    (tmp_path / "course" / "activations" / "02-relu.yaml").write_text("slug: [")
    with pytest.raises(CommandError, match=r"02-relu\.yaml: invalid YAML"):
        run("load_course", str(tmp_path / "course"))


def test_it_validates_references_starters_and_mutants(course):
    output = run("validate_course", "sigmoid", "relu", "dot", "det-value", "relu-choice")
    assert "ok   sigmoid (3 checks)" in output and "ok   relu-choice (2 checks)" in output


def test_it_fails_validation_when_a_mutant_survives(course):
    exercise = Exercise.objects.get(slug="sigmoid")
    spec = dict(exercise.spec, mutants=[{"name": "actually right", "code": SIGMOID_RIGHT}])
    exercise.add_version(exercise.current_version.statement, spec, live=True)
    with pytest.raises(CommandError, match="1 problem"):
        run("validate_course", "sigmoid")


def test_it_creates_the_demo_accounts():
    output = run("create_demo_users")
    assert "learner / learner-demo-pass" in output and "instructor / instructor-demo-pass" in output


def test_it_grades_the_variant_of_a_learner_or_of_given_parameters(course, learner, tmp_path):
    exercise = Exercise.objects.get(slug="sigmoid-derivative")
    spec = {**exercise.spec, "params": {"a": [2, 9]}, "answer": {"expected": "{{a}}*exp(-{{a}}*x)", "variables": ["x"]}}
    exercise.add_version("Differentiate $-e^{-{{a}} x}$.", spec, live=True)
    answer = tmp_path / "answer.txt"
    answer.write_text("3*exp(-3*x)")
    data = json.loads(run("grade", "sigmoid-derivative", str(answer), "--param", "a=3", "--json"))
    assert data["correct"] is True and data["params"] == {"a": 3}
    learners_a = exercise.context_for(learner)["params"]["a"]
    answer.write_text(f"{learners_a}*exp(-{learners_a}*x)")
    data = json.loads(run("grade", "sigmoid-derivative", str(answer), "--learner", learner.username, "--json"))
    assert data["correct"] is True and data["params"] == {"a": learners_a}
    with pytest.raises(CommandError, match="has no parameter 'b'"):
        run("grade", "sigmoid-derivative", str(answer), "--param", "b=1")


def test_it_splits_an_exercise_file_into_a_folder_that_loads_as_the_same_version(tmp_path):
    import shutil

    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    run("load_course", str(course))
    version = Exercise.objects.get(slug="sigmoid").current_version
    original = (course / "activations" / "01-sigmoid.yaml").read_text()
    output = run("split_exercise", str(course / "activations" / "01-sigmoid.yaml"))
    folder = course / "activations" / "01-sigmoid"
    assert "cases.py, exercise.yaml, mutants/01-wrong-sign.py, reference.py, starter.py" in output
    assert not (course / "activations" / "01-sigmoid.yaml").exists()
    assert (folder / "exercise.yaml").read_text() == original.split("entry_point: sigmoid\n")[
        0
    ] + "entry_point: sigmoid\n" + (
        "compare: {method: allclose, rtol: 1.0e-6, atol: 1.0e-12}\n"
    )  # the fields left behind keep their layout, byte for byte
    assert (folder / "mutants" / "01-wrong-sign.py").read_text().startswith('"""wrong sign"""\n\nimport numpy as np\n')
    run("load_course", str(course))
    assert Exercise.objects.get(slug="sigmoid").current_version == version


def test_it_refuses_to_split_what_it_cannot_and_changes_nothing(tmp_path):
    import shutil

    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    with pytest.raises(CommandError, match="only a code exercise has code"):
        run("split_exercise", str(course / "activations" / "q01-relu-choice.yaml"))
    with pytest.raises(CommandError, match="not an exercise file"):
        run("split_exercise", str(course / "activations" / "module.yaml"))
    (course / "activations" / "02-relu").mkdir()
    with pytest.raises(CommandError, match="02-relu already exists"):
        run("split_exercise", str(course / "activations" / "02-relu.yaml"))
    path = course / "activations" / "01-sigmoid.yaml"
    path.write_text(path.read_text().replace("name: wrong sign", 'name: says "wrong"'))
    with pytest.raises(CommandError, match="cannot be written as a docstring"):
        run("split_exercise", str(path))
    assert path.exists() and not (course / "activations" / "01-sigmoid").exists()


def test_it_explains_split_exercise_in_its_help():
    from exercises.management.commands.split_exercise import Command

    assert "exercise.yaml" in Command.help and "mutants/*.py" in Command.help


def test_it_replaces_copies_of_a_shared_helper_with_an_import_when_asked(tmp_path):
    import shutil

    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    (course / "_shared").mkdir()
    (course / "_shared" / "inputs.py").write_text(
        "import numpy as np\n\n\ndef few():\n    return np.linspace(-3, 3, 7)\n"
    )
    path = course / "activations" / "01-sigmoid.yaml"
    copy = "  def few():\n      return np.linspace(-3, 3, 7)\n\n"
    path.write_text(path.read_text().replace("  def cases(rng):\n", copy + "  def cases(rng):\n"))
    output = run("split_exercise", "--use-shared", str(path))
    assert "now imported: cases.py: from _shared.inputs import few" in output
    cases = (course / "activations" / "01-sigmoid" / "cases.py").read_text()
    assert cases.startswith("import numpy as np\nfrom _shared.inputs import few\n") and "def few" not in cases
    run("load_course", str(course))
    assert "def few():" in Exercise.objects.get(slug="sigmoid").current_version.spec["cases"]  # inlined again
