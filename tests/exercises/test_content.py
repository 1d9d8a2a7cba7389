import re
import shutil
from pathlib import Path

import pytest

from exercises import content
from exercises.content import ContentError, sync_course
from exercises.markdown import render_markdown
from exercises.models import Exercise, Lesson, Module, Topic
from grader import svg
from tests.conftest import FIXTURE_COURSE

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_copy(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    return root


def test_it_loads_modules_lessons_topics_and_exercises(course_copy):
    report = sync_course(course_copy)
    assert report.modules == 2 and report.exercises == 7
    assert list(Module.objects.values_list("slug", flat=True)) == ["linear-algebra", "activations"]
    assert "<math" in Lesson.objects.get(module__slug="activations").body_html
    sigmoid = Exercise.objects.get(slug="sigmoid")
    assert sigmoid.kind == "code" and sigmoid.difficulty == "warm-up"
    assert [topic.id for topic in sigmoid.topics.all()] == ["act.sigmoid"]
    assert Topic.objects.get(id="la.determinant").kinds == ["code", "numeric"]
    assert Exercise.objects.get(slug="relu-choice").in_quiz


def test_it_is_idempotent(course_copy):
    sync_course(course_copy)
    again = sync_course(course_copy)
    assert again.new_versions == 0
    assert Exercise.objects.get(slug="sigmoid").versions.count() == 1


def test_it_adds_a_version_when_a_file_changes(course_copy):
    sync_course(course_copy)
    path = course_copy / "activations" / "01-sigmoid.yaml"
    path.write_text(path.read_text().replace("element-wise", "entry by entry"))
    assert sync_course(course_copy).new_versions == 1
    assert Exercise.objects.get(slug="sigmoid").current_version.number == 2


def test_it_unpublishes_an_exercise_whose_file_is_gone(course_copy):
    sync_course(course_copy)
    (course_copy / "activations" / "02-relu.yaml").unlink()
    assert sync_course(course_copy).unpublished == ["relu"]
    assert not Exercise.objects.get(slug="relu").published


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda text: text.replace("topics: [act.sigmoid]", "topics: [act.nope]"),
            "field 'topics': unknown topic id(s) act.nope",
        ),
        (lambda text: text.replace("kind: code", "kind: essay"), "field 'kind': 'essay' is not one of"),
        (lambda text: text.replace("entry_point: sigmoid\n", ""), "missing required field 'entry_point'"),
        (
            lambda text: text.replace("def sigmoid(z):\n      z =", "def sigmoid(z)\n      z ="),
            "field 'reference': Python syntax error",
        ),
        (lambda text: text.replace(r"\frac{1}{1 + e^{-z}}", r"\frac{1}{"), "statement: cannot render the formula"),
        (lambda text: text.replace("method: allclose", "method: vibes"), "field 'compare': unknown method 'vibes'"),
        (lambda text: text + "plot: pie\n", "field 'plot': unknown kind 'pie'"),
        (lambda text: text + "plot: {kind: curve, x: q}\n", "field 'plot': 'x': 'q' is not a parameter of sigmoid(z)"),
        (
            lambda text: text + "contract: {dtype: decimal}\n",
            "field 'contract': dtype 'decimal' is not one of integer, bool, float",
        ),
        (
            lambda text: text + "contract: {fp_errors: [overflows]}\n",
            "field 'contract': fp_errors must be a list of overflow",
        ),
        (
            lambda text: text + "contract: {inputs_unchanged: yes please}\n",
            "field 'contract': inputs_unchanged must be true or false",
        ),
        (lambda text: text + "contract: {pure: true}\n", "field 'contract': unknown key(s) ['pure']"),
        (
            lambda text: text.replace("method: allclose,", "method: allclose, sign_rule: positive_diagonal,"),
            "sign_rule applies to sign_per_column",
        ),
        (
            lambda text: text.replace("method: allclose,", "method: sign_per_column, sign_rule: upwards,"),
            "unknown sign_rule 'upwards'",
        ),
        (
            lambda text: text.replace("method: allclose,", "method: sign_per_column, same_signs_as: 2,"),
            "same_signs_as 2 must name another value",
        ),
        (lambda text: text + "\n  : not yaml [", "invalid YAML"),
        (lambda text: "- just\n- a list\n", "must be a YAML mapping"),
    ],
)
def test_it_rejects_a_bad_file_naming_the_file_and_field(course_copy, edit, message):
    path = course_copy / "activations" / "01-sigmoid.yaml"
    path.write_text(edit(path.read_text()))
    with pytest.raises(ContentError) as error:
        sync_course(course_copy)
    assert "01-sigmoid.yaml" in str(error.value)
    assert message in str(error.value)
    assert not Exercise.objects.exists()  # nothing half-loaded


def test_it_keeps_a_declared_contract_in_the_spec(course_copy):
    path = course_copy / "activations" / "01-sigmoid.yaml"
    path.write_text(path.read_text() + "contract:\n  dtype: float\n  inputs_unchanged: true\n  fp_errors: [overflow]\n")
    sync_course(course_copy)
    spec = Exercise.objects.get(slug="sigmoid").current_version.spec
    assert spec["contract"] == {"dtype": "float", "inputs_unchanged": True, "fp_errors": ["overflow"]}
    assert "contract" not in Exercise.objects.get(slug="relu").current_version.spec


def test_it_rejects_a_duplicate_slug(course_copy):
    shutil.copy(course_copy / "activations" / "02-relu.yaml", course_copy / "activations" / "03-relu-again.yaml")
    with pytest.raises(ContentError, match="slug 'relu' is already used"):
        sync_course(course_copy)


def test_it_rejects_a_choice_question_without_a_right_answer(course_copy):
    path = course_copy / "activations" / "q01-relu-choice.yaml"
    path.write_text(path.read_text().replace("correct: true, ", ""))
    with pytest.raises(ContentError, match="mark exactly one correct choice"):
        sync_course(course_copy)


def test_it_rejects_a_module_folder_missing_from_the_syllabus(course_copy):
    shutil.copytree(course_copy / "activations", course_copy / "astrology")
    with pytest.raises(ContentError, match="'astrology' is not a module id of the syllabus"):
        sync_course(course_copy)


# --- lesson figures -----------------------------------------------------------------------

FIGURE_ALT = "An S-shaped curve over z from -6 to 6"


def test_it_draws_a_lesson_figure_with_a_caption_and_a_text_alternative(course_copy):
    sync_course(course_copy)
    html = Lesson.objects.get(module__slug="activations").body_html
    assert html.count('<figure class="lesson-figure"><svg role="img"') == 1
    title = re.search(r'<svg role="img" aria-labelledby="([^"]+)"', html)[1]
    assert f'<title id="{title}">{FIGURE_ALT}' in html
    assert re.search(r"<figcaption>The sigmoid rises .*<math", html)
    assert "<script" not in html and "figure-" not in html  # no placeholder left behind


def test_it_reuses_a_figure_drawn_before_instead_of_drawing_it_again(course_copy, settings, tmp_path, monkeypatch):
    settings.FIGURE_CACHE_DIR = tmp_path / "figures"
    monkeypatch.setattr(content, "_drawn", {})
    drawn = []
    render = svg.render
    monkeypatch.setattr(svg, "render", lambda *args, **kwargs: drawn.append(1) or render(*args, **kwargs))
    sync_course(course_copy)
    content._drawn.clear()  # a new process: only the files under FIGURE_CACHE_DIR remain
    sync_course(course_copy)
    assert len(drawn) == 1 and len(list((tmp_path / "figures").glob("*.svg"))) == 1
    path = course_copy / "activations" / "figures.py"
    path.write_text(path.read_text().replace("25)", "30)"))  # the function changed: drawn again
    sync_course(course_copy)
    assert len(drawn) == 2


@pytest.mark.parametrize(
    ("edit_figures", "edit_lesson", "where", "message"),
    [
        (
            lambda text: text.replace("ax.plot(", "1 / 0\n    ax.plot("),
            None,
            "figures.py",
            "figure 'sigmoid_curve' failed (line 9): ZeroDivisionError",
        ),
        (
            lambda text: text.replace("def sigmoid_curve", "def sigmoid_curb"),
            None,
            "figures.py",
            "figure 'sigmoid_curve': there is no function sigmoid_curve(figure)",
        ),
        (
            lambda text: text.replace("import numpy", "import nump"),
            None,
            "figures.py",
            "cannot be loaded (line 3): ModuleNotFoundError",
        ),
        (
            lambda text: text.replace("ax = figure.subplots()", "ax = figure.subplots("),
            None,
            "figures.py",
            "cannot be loaded (line 7): SyntaxError",
        ),
        (lambda text: text.replace("ax = figure.subplots()\n", "return\n"), None, "figures.py", "the figure is empty"),
        (None, lambda text: re.sub(r"alt: .*\n", "", text), "lesson.md", "figure 1: missing 'alt'"),
        (
            None,
            lambda text: text.replace("function: sigmoid_curve", "function: sigmoid curve"),
            "lesson.md",
            "figure 1: 'function' must be the name",
        ),
        (
            None,
            lambda text: text.replace("caption:", "colour: red\ncaption:"),
            "lesson.md",
            "figure 1: unknown field(s) colour",
        ),
    ],
)
def test_it_rejects_a_broken_figure_naming_the_file_and_the_figure(
    course_copy, edit_figures, edit_lesson, where, message
):
    folder = course_copy / "activations"
    for name, edit in (("figures.py", edit_figures), ("lesson.md", edit_lesson)):
        if edit:
            (folder / name).write_text(edit((folder / name).read_text()))
    with pytest.raises(ContentError) as error:
        sync_course(course_copy)
    assert error.value.path.endswith(where)
    assert message in str(error.value)
    assert not Exercise.objects.exists()


def test_it_rejects_a_figure_when_the_module_has_no_figures_file(course_copy):
    (course_copy / "activations" / "figures.py").unlink()
    with pytest.raises(ContentError, match=r"figures.py: missing: lesson.md has a figure drawn by sigmoid_curve\(\)"):
        sync_course(course_copy)


def test_it_shows_a_figure_block_outside_a_lesson_as_code():
    html = render_markdown("```figure\nfunction: f\ncaption: c\nalt: a\n```")
    assert html.startswith("<pre") and 'class="language-figure"' in html and "<svg" not in html


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("{value: 0.25, decimals: 2.5}", "'answer.decimals' must be a whole number of places"),
        ("{value: 0.25, sig_figs: 0}", "'answer.sig_figs' must be a whole number of places"),
        ("{value: 0.25, decimals: 2, sig_figs: 2}", "either 'decimals' or 'sig_figs', not both"),
        ("{value: 0.25, decimals: 2, atol: 0.01}", "'decimals' sets the tolerance; remove 'rtol' and 'atol'"),
    ],
)
def test_it_rejects_a_numeric_answer_with_an_unclear_precision(course_copy, answer, message):
    path = course_copy / "linear-algebra" / "02-det.yaml"
    path.write_text(path.read_text().replace("{value: 5, atol: 1.0e-9}", answer))
    with pytest.raises(ContentError, match=message):
        sync_course(course_copy)


GRADIENT = """
gradient:
  arguments: [z]
  wrt: z
  loss: |
    import numpy as np

    def loss(z):
        return float(np.sum(np.logaddexp(0, z)))
"""


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (GRADIENT.replace("wrt: z", "wrt: x"), "'wrt' must be one of the arguments (z)"),
        (GRADIENT.replace("def loss(z)", "def cost(z)"), "'loss' must be Python source defining loss(...)"),
        (GRADIENT + "  output: -1\n", "'output' must be the index of the gradient"),
        (
            GRADIENT + "  derivation: nowhere\n  matrices: {z: [n, 1]}\n",
            "'gradient.derivation': 'nowhere' is not a symbolic exercise with a matrix gradient",
        ),
        (
            GRADIENT + "  derivation: sigmoid-derivative\n  matrices: {z: [n]}\n",
            "the shape of 'z' must be two dimension names or sizes",
        ),
    ],
)
def test_it_rejects_a_gradient_block_that_cannot_be_checked(course_copy, block, message):
    path = course_copy / "activations" / "01-sigmoid.yaml"
    path.write_text(path.read_text() + block)
    with pytest.raises(ContentError, match=re.escape(message)):
        sync_course(course_copy)


def test_it_accepts_a_gradient_block_and_keeps_it_in_the_spec(course_copy):
    path = course_copy / "activations" / "01-sigmoid.yaml"
    path.write_text(path.read_text() + GRADIENT)
    sync_course(course_copy)
    assert Exercise.objects.get(slug="sigmoid").spec["gradient"]["wrt"] == "z"


def test_it_rejects_a_matrix_answer_with_a_reserved_name(course_copy):
    path = course_copy / "activations" / "03-sigmoid-derivative.yaml"
    text = path.read_text()
    path.write_text(text.replace("answer:\n", "answer:\n  matrices: {T: [n, 1]}\n", 1))
    with pytest.raises(ContentError, match="T and I mean transpose and identity"):
        sync_course(course_copy)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        # Each of these once ended in a RecursionError or a database error (a 500 on import).
        (lambda text: text + "extra: " + "[" * 5000 + "]" * 5000 + "\n", "nest deeper than 20 levels"),
        (lambda text: text + "extra: &big [1, 2]\nmore: *big\n", "aliases (*name) are not supported"),
        (lambda text: text.replace("title: Sigmoid", 'title: "Sig\\0moid"'), "field 'title' contains a NUL character"),
        (
            lambda text: text.replace("difficulty: warm-up", "difficulty: warm-up\npoints: 99999999999999999999"),
            "field 'points' holds an integer that is too large",
        ),
        (
            lambda text: text.replace("difficulty: warm-up", "difficulty: warm-up\npoints: 5000"),
            "field 'points' must lie between 0 and 1000",
        ),
        (
            lambda text: text + "compare: {method: allclose, rtol: .inf}\n",
            "field 'compare' holds a number that is not finite",
        ),
    ],
)
def test_it_rejects_hostile_files_before_reading_them_into_the_database(course_copy, edit, message):
    path = course_copy / "activations" / "01-sigmoid.yaml"
    path.write_text(edit(path.read_text()))
    with pytest.raises(ContentError, match=re.escape(message)):
        sync_course(course_copy)
    assert not Exercise.objects.exists()


def split_sigmoid(course: Path) -> Path:
    """The fixture's sigmoid exercise rewritten as a folder (what split_exercise writes)."""
    path = course / "activations" / "01-sigmoid.yaml"
    rest, files = content.folder_files(content.load_yaml(path.read_text()))
    folder = course / "activations" / "01-sigmoid"
    (folder / "mutants").mkdir(parents=True)
    (folder / "exercise.yaml").write_text(content.yaml.safe_dump(rest))
    for name, text in files.items():
        (folder / name).write_text(text)
    path.unlink()
    return folder


def test_it_reads_an_exercise_folder_as_the_file_it_was_split_from(course_copy):
    sync_course(course_copy)
    version = Exercise.objects.get(slug="sigmoid").current_version
    folder = split_sigmoid(course_copy)
    assert sorted(p.name for p in (folder / "mutants").iterdir()) == ["01-wrong-sign.py"]
    assert sync_course(course_copy).new_versions == 0  # the same statement, spec and metadata
    sigmoid = Exercise.objects.get(slug="sigmoid")
    assert sigmoid.current_version == version and sigmoid.order == 1
    assert sigmoid.source_path.endswith("activations/01-sigmoid/exercise.yaml")


def test_it_names_a_mutant_by_its_docstring_or_else_its_file_name(course_copy):
    folder = split_sigmoid(course_copy)
    (folder / "mutants" / "02-off_by_one.py").write_text("def sigmoid(z):\n    return z + 1\n")
    (folder / "mutants" / "03-x.py").write_text(
        '"""Forgets the minus sign.\n\nMore words here."""\n\nimport numpy as np\n'
    )
    mutants = content.exercise_data(folder / "exercise.yaml")["mutants"]
    assert [m["name"] for m in mutants] == ["wrong sign", "off by one", "Forgets the minus sign."]
    assert mutants[0]["code"].startswith("import numpy as np\n") and mutants[2]["code"] == "import numpy as np\n"


SHARED_CASES = """import numpy as np
from _shared.grids import grid as points, steps


def cases(rng):
    yield {"name": "grid", "args": [points(steps)]}
    yield {"name": "wide", "args": [points(9) * 100]}
    yield {"name": "random", "args": [rng.normal(size=5)], "hidden": True}
"""


def test_it_inlines_shared_helpers_into_what_the_sandbox_gets(course_copy):
    folder = split_sigmoid(course_copy)
    (course_copy / "_shared").mkdir()
    (course_copy / "_shared" / "grids.py").write_text(
        "import numpy as np\n\nsteps = 3\n\n\ndef grid(n):\n    return np.zeros(n)\n"
    )
    (course_copy / "activations" / "_shared").mkdir()  # the module's own helper of that name wins
    (course_copy / "activations" / "_shared" / "grids.py").write_text(
        "import numpy as np\n\nfrom _shared.sizes import steps\n\n\ndef grid(n):\n    return np.linspace(-3, 3, n)\n"
    )
    (course_copy / "_shared" / "sizes.py").write_text("steps = 7\n")
    (folder / "cases.py").write_text(SHARED_CASES)
    sync_course(course_copy)
    cases = Exercise.objects.get(slug="sigmoid").current_version.spec["cases"]
    assert "_shared." not in cases and "np.linspace(-3, 3, n)" in cases and "steps = 7" in cases
    assert "points = grid\n" in cases and cases.count("# --- end of _shared/") == 2
    checks = Exercise.objects.get(slug="sigmoid").current_version.validate()  # in the sandbox, as published
    assert [(check.name, check.ok) for check in checks] == [
        ("reference", True),
        ("starter", True),
        ("mutant: wrong sign", True),
    ]


@pytest.mark.parametrize(
    ("where", "text", "message"),
    [
        ("reference.py", "def sigmoid(z)\n    return z\n", "01-sigmoid/reference.py: Python syntax error on line 1"),
        (
            "cases.py",
            "from _shared.nope import f\n",
            "01-sigmoid/cases.py: line 1: there is no _shared/nope.py in the module or the course",
        ),
        ("cases.py", "from _shared.helpers import g\n", "01-sigmoid/cases.py: line 1: _shared/helpers.py defines no g"),
        (
            "cases.py",
            "def cases(rng):\n    from _shared.helpers import f\n",
            "line 2: a _shared import must be at the top level",
        ),
        ("cases.py", "import _shared.helpers\n", "`import _shared` is not supported"),
        ("mutants/01-wrong-sign.py", "def sigmoid(z) return\n", "mutants/01-wrong-sign.py: Python syntax error"),
        ("starter.py", "x = '\x00'\n", "starter.py: the file contains a NUL character"),
    ],
)
def test_it_rejects_a_bad_exercise_folder_naming_the_file(course_copy, where, text, message):
    folder = split_sigmoid(course_copy)
    (course_copy / "activations" / "_shared").mkdir()
    (course_copy / "activations" / "_shared" / "helpers.py").write_text("def f():\n    return 1\n")
    (folder / where).write_text(text)
    with pytest.raises(ContentError) as error:
        sync_course(course_copy)
    assert message in str(error.value)
    assert not Exercise.objects.exists()


def test_it_rejects_code_given_twice_and_a_folder_without_its_fields(course_copy):
    folder = split_sigmoid(course_copy)
    (folder / "exercise.yaml").write_text((folder / "exercise.yaml").read_text() + "reference: x = 1\n")
    with pytest.raises(ContentError, match=r"exercise\.yaml: field 'reference' is also in reference\.py"):
        sync_course(course_copy)
    (folder / "exercise.yaml").unlink()
    with pytest.raises(ContentError, match=r"01-sigmoid: an exercise folder needs an exercise\.yaml"):
        sync_course(course_copy)
