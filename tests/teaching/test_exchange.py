import io
import zipfile

import pytest

from exercises.content import ContentError
from exercises.models import Exercise, Module
from teaching import exchange

from .conftest import CODE_EXERCISE

OTHER_KINDS = [
    {
        "slug": "n",
        "title": "N",
        "kind": "numeric",
        "topics": ["t.means"],
        "statement": "Say $0.5$.",
        "answer": {"value": [0.5, 1], "rtol": 0.01},
    },
    {
        "slug": "s",
        "title": "S",
        "kind": "symbolic",
        "topics": ["t.means"],
        "statement": "d/dx",
        "answer": {"expected": "2*x", "variables": ["x"]},
        "params": {"a": [2, 9]},
    },
    {
        "slug": "c",
        "title": "C",
        "kind": "choice",
        "topics": ["t.means"],
        "statement": "Pick",
        "quiz": True,
        "multiple": True,
        "choices": [{"text": "A", "correct": True, "feedback": "yes"}, {"text": "B", "correct": True}, {"text": "C"}],
    },
]


PLOTTED = {**CODE_EXERCISE, "slug": "col-means-plotted", "plot": {"kind": "values"}}


@pytest.mark.parametrize("data", [CODE_EXERCISE, PLOTTED, *OTHER_KINDS], ids=lambda data: data["slug"])
def test_it_round_trips_an_exercise_through_the_course_reader(module, data, instructor):
    exercise, _, _ = exchange.save(exchange.read_data("in.yaml", data), module, by=instructor)
    again = exchange.read_text("out.yaml", exchange.export_exercise(exercise))
    assert (
        again.spec == exercise.spec
        and again.spec.get("plot") == data.get("plot")
        and again.statement == exercise.current_version.statement
    )
    assert (again.slug, again.kind, again.topics, again.in_quiz) == (
        exercise.slug,
        exercise.kind,
        ["t.means"],
        exercise.in_quiz,
    )
    _, version, changed = exchange.save(again, module, by=instructor)
    assert version.number == 1 and not changed  # an identical file is no new version


def test_it_exports_a_module_folder_that_imports_back(module, exercise, instructor):
    archive = exchange.export_module(module)
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert names == ["basics/module.yaml", "basics/lesson.md", "basics/01-col-means.yaml"]
    assert exchange.import_upload([("basics.zip", archive)], module, by=instructor) == ["col-means: unchanged"]
    Exercise.objects.all().delete()
    assert exchange.import_upload([("basics.zip", archive)], module, by=instructor) == ["col-means: version 1"]
    imported = Exercise.objects.get()
    assert imported.slug == "col-means" and not imported.published and imported.owner == instructor


def test_it_names_the_file_and_field_of_an_error(module, instructor):
    with pytest.raises(ContentError) as error:
        bad = exchange.dump_yaml({**CODE_EXERCISE, "entry_point": "not a name"}).encode()
        exchange.import_upload([("mine.yaml", bad)], module, by=instructor)
    assert str(error.value) == "mine.yaml: field 'entry_point' must be a Python function name"
    with pytest.raises(ContentError, match=r"mine\.zip: not a readable zip file"):
        exchange.import_upload([("mine.zip", b"nope")], module, by=instructor)


def test_it_asks_before_an_import_moves_an_exercise_to_another_module(module, exercise, instructor):
    elsewhere = Module.objects.create(slug="calculus", title="Calculus", order=2)
    file = (
        "col-means.yaml",
        exchange.export_exercise(exercise).replace("Return the mean", "Return the average").encode(),
    )
    with pytest.raises(exchange.NeedsConfirmation) as asked:
        exchange.import_upload([file], elsewhere, by=instructor)
    assert "col-means would move from Basics to Calculus" in asked.value.changes
    exercise.refresh_from_db()
    assert exercise.module == module and exercise.draft_version is None  # nothing changed
    assert exchange.import_upload([file], elsewhere, by=instructor, confirm=True) == ["col-means: draft version 2"]


def test_it_never_replaces_another_owners_exercise(module, exercise, other_instructor):
    file = ("col-means.yaml", exchange.export_exercise(exercise).replace("Return the mean", "Mine now").encode())
    with pytest.raises(ContentError, match="col-means belongs to prof"):
        exchange.import_upload([file], module, by=other_instructor, confirm=True)
    assert exercise.versions.count() == 1


def test_it_refuses_an_empty_import(module, instructor):
    with pytest.raises(ContentError, match="it holds no exercise"):
        exchange.import_upload([], module, by=instructor)


def test_it_exports_a_lessons_figures_with_it(db, instructor):
    from exercises.content import CONTENT_ROOT, sync_course

    sync_course(CONTENT_ROOT, only={"distances"})
    archive = zipfile.ZipFile(io.BytesIO(exchange.export_module(Module.objects.get(slug="distances"))))
    assert archive.read("distances/figures.py").decode() == (CONTENT_ROOT / "distances" / "figures.py").read_text()


def test_it_exports_a_folder_exercise_as_a_folder_that_imports_back(db, instructor, tmp_path):
    import shutil

    from django.core.management import call_command

    from exercises.content import sync_course
    from tests.conftest import FIXTURE_COURSE

    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    (course / "activations" / "_shared").mkdir()
    (course / "activations" / "_shared" / "inputs.py").write_text(
        "import numpy as np\n\n\ndef few():\n    return np.linspace(-3, 3, 7)\n"
    )
    path = course / "activations" / "01-sigmoid.yaml"
    path.write_text(
        path.read_text().replace(
            "cases: |\n  import numpy as np\n", "cases: |\n  import numpy as np\n  from _shared.inputs import few\n"
        )
    )
    call_command("split_exercise", str(path))
    sync_course(course)
    module = Module.objects.get(slug="activations")
    spec = Exercise.objects.get(slug="sigmoid").current_version.spec
    archive = exchange.export_module(module)
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    folder = "activations/01-sigmoid"
    assert {
        f"{folder}/exercise.yaml",
        f"{folder}/reference.py",
        f"{folder}/cases.py",
        f"{folder}/mutants/01-wrong-sign.py",
    } <= set(names)
    assert "activations/02-relu.yaml" in names  # exercises loaded from a single file stay one
    assert "def few():" in zipfile.ZipFile(io.BytesIO(archive)).read(f"{folder}/cases.py").decode()  # stands alone
    Exercise.objects.all().delete()
    outcomes = exchange.import_upload([("activations.zip", archive)], module, by=instructor)
    assert "sigmoid: version 1" in outcomes
    imported = Exercise.objects.get(slug="sigmoid")
    assert imported.current_version.spec == spec and imported.owner == instructor


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_it_imports_a_zip_whose_exercises_use_its_shared_helpers(module, instructor):
    data = {
        **CODE_EXERCISE,
        "cases": CODE_EXERCISE["cases"].replace(
            "import numpy as np\n", "import numpy as np\nfrom _shared.tables import table\n"
        ),
    }
    data["cases"] = data["cases"].replace("np.array([[1.0, 2.0], [3.0, 5.0], [5.0, 11.0]])", "table()")
    archive = zipped({
        "basics/01-col-means.yaml": exchange.dump_yaml(data),
        "basics/_shared/tables.py": "import numpy as np\n\n\ndef table():\n    return np.arange(6.0).reshape(3, 2)\n",
    })  # fmt: skip
    assert exchange.import_upload([("basics.zip", archive)], module, by=instructor) == ["col-means: version 1"]
    assert "def table():" in Exercise.objects.get().current_version.spec["cases"]
    with pytest.raises(ContentError, match=r"mine\.yaml: line 2: there is no _shared/tables\.py"):
        exchange.import_upload([("mine.yaml", exchange.dump_yaml(data).encode())], module, by=instructor)


@pytest.mark.parametrize("member", ["../evil.yaml", "/etc/evil.yaml", "basics\\..\\evil.yaml"])
def test_it_refuses_a_zip_with_a_path_that_leaves_its_folder(module, instructor, member):
    archive = zipped({member: exchange.dump_yaml(CODE_EXERCISE)})
    with pytest.raises(ContentError, match="not a plain path inside the zip"):
        exchange.import_upload([("basics.zip", archive)], module, by=instructor)
    assert not Exercise.objects.exists()


def test_it_names_the_file_inside_the_zip_that_is_wrong(module, instructor):
    archive = zipped({"basics/01-col-means/exercise.yaml": exchange.dump_yaml({k: v for k, v in CODE_EXERCISE.items() if k != "reference"}),
                      "basics/01-col-means/reference.py": "def col_means(X)\n"})  # fmt: skip
    with pytest.raises(
        ContentError, match=r"^basics\.zip/basics/01-col-means/reference\.py: Python syntax error on line 1"
    ):
        exchange.import_upload([("basics.zip", archive)], module, by=instructor)
