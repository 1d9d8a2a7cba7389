import io
import zipfile

import pytest

from exercises.content import ContentError
from exercises.models import Exercise
from teaching import exchange

from .conftest import CODE_EXERCISE

OTHER_KINDS = [
    {"slug": "n", "title": "N", "kind": "numeric", "topics": ["t.means"], "statement": "Say $0.5$.", "answer": {"value": [0.5, 1], "rtol": 0.01}},
    {"slug": "s", "title": "S", "kind": "symbolic", "topics": ["t.means"], "statement": "d/dx", "answer": {"expected": "2*x", "variables": ["x"]}, "params": {"a": [2, 9]}},
    {"slug": "c", "title": "C", "kind": "choice", "topics": ["t.means"], "statement": "Pick", "quiz": True, "multiple": True,
     "choices": [{"text": "A", "correct": True, "feedback": "yes"}, {"text": "B", "correct": True}, {"text": "C"}]},
]


@pytest.mark.parametrize("data", [CODE_EXERCISE, *OTHER_KINDS], ids=lambda data: data["kind"])
def test_it_round_trips_an_exercise_through_the_course_reader(module, data):
    exercise = exchange.save(exchange.read_data("in.yaml", data), module)
    again = exchange.read_text("out.yaml", exchange.export_exercise(exercise))
    assert again.spec == exercise.spec and again.statement == exercise.current_version.statement
    assert (again.slug, again.kind, again.topics, again.in_quiz) == (exercise.slug, exercise.kind, ["t.means"], exercise.in_quiz)
    assert exchange.save(again, module).current_version.number == 1  # an identical file is no new version


def test_it_exports_a_module_folder_that_imports_back(module, exercise):
    archive = exchange.export_module(module)
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert names == ["basics/module.yaml", "basics/lesson.md", "basics/01-col-means.yaml"]
    Exercise.objects.all().delete()
    (imported,) = exchange.import_upload("basics.zip", archive, module)
    assert imported.slug == "col-means" and not imported.published


def test_it_names_the_file_and_field_of_an_error(module):
    with pytest.raises(ContentError) as error:
        exchange.import_upload("mine.yaml", exchange.dump_yaml({**CODE_EXERCISE, "entry_point": "not a name"}).encode(), module)
    assert str(error.value) == "mine.yaml: field 'entry_point' must be a Python function name"
    with pytest.raises(ContentError, match=r"mine\.zip: not a readable zip file"):
        exchange.import_upload("mine.zip", b"nope", module)
