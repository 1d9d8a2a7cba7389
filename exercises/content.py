"""The course as files in git (docs/content-format.md) and their sync into the database.

`read_*` functions parse and validate files without touching the database and raise
ContentError naming the file and the field; `sync_course` writes what they read.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import math
import os
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from grader import kinds, svg
from grader.kinds import ContentError, Fields
from grader.kinds.code import shape_of
from grader.kinds.symbolic import SLUG
from grader.kinds.text import load_yaml

from .markdown import FigureError, MathError, render_markdown
from .models import AuditEvent, Exercise, ExerciseVersion, Lesson, Module, ModuleProgress, Topic

CONTENT_ROOT = Path(__file__).resolve().parent / "content"
DIFFICULTIES = {choice.value for choice in Exercise.Difficulty}
MAX_FILE_BYTES = 1_000_000
MAX_INTEGER = 2**63 - 1  # the largest integer kept in a spec (JSON readers agree up to here)
MAX_POINTS = 1000
MAX_QUIZ_ATTEMPTS = 100
MAX_ORDER = 1_000_000


@dataclass
class ExerciseFile:
    path: Path
    slug: str
    title: str
    kind: str
    topics: list[str]
    difficulty: str
    points: int
    published: bool
    in_quiz: bool
    statement: str
    spec: dict[str, Any]

    def metadata(self, module_slug: str) -> dict:
        """What a version records besides the statement and spec (Exercise.metadata)."""
        return {
            "title": self.title,
            "difficulty": self.difficulty,
            "points": self.points,
            "in_quiz": self.in_quiz,
            "module": module_slug,
            "topics": sorted(self.topics),
        }

    def version(self, module_slug: str) -> ExerciseVersion:
        """The (unsaved) version this file makes: its digest, and so its seed, as load_course has them."""
        metadata = self.metadata(module_slug)
        digest = ExerciseVersion.digest_for(self.statement, self.spec, metadata)
        return ExerciseVersion(statement=self.statement, spec=self.spec, metadata=metadata, digest=digest)


@dataclass
class ModuleFiles:
    path: Path
    slug: str
    title: str
    order: int
    summary: str
    quiz_title: str
    quiz_max_attempts: int
    quiz_feedback: str
    lesson_markdown: str
    lesson_html: str
    exercises: list[ExerciseFile] = field(default_factory=list)


def storable_problem(data: Any) -> str | None:
    """Why `data` cannot be stored as read (None if it can): PostgreSQL takes no NUL
    character in text or JSON, JSON has no infinity or NaN, and integers beyond 64 bits
    are refused by JSON readers. Names the top-level field at fault."""
    stack = [(None, data)]
    while stack:
        where, value = stack.pop()
        problem = None
        if isinstance(value, str) and "\x00" in value:
            problem = "contains a NUL character"
        elif isinstance(value, float) and not math.isfinite(value):
            problem = "holds a number that is not finite"
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
            problem = "holds an integer that is too large"
        elif isinstance(value, dict):
            for key, item in value.items():
                stack.append((where or key, key))
                stack.append((where or key, item))
        elif isinstance(value, list):
            stack.extend((where, item) for item in value)
        if problem:
            return f"field '{where}' {problem}" if isinstance(where, str) else f"the file {problem}"
    return None


def _field_of(problem: str) -> str | None:
    """The field a `storable_problem` names, if any."""
    return problem.split("'")[1] if problem.startswith("field '") else None


def _load_yaml(path: Path) -> Any:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ContentError(path, None, f"the file is larger than {MAX_FILE_BYTES // 1000} KB")
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ContentError(path, None, "the file is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise ContentError(path, None, f"invalid YAML: {exc}") from None
    problem = storable_problem(data)
    if problem:
        raise ContentError(path, _field_of(problem), problem)
    return data


def read_syllabus(root: Path = CONTENT_ROOT) -> dict[str, dict]:
    """Module id -> {title, topics: {topic id: {what, kinds}}}."""
    path = root / "syllabus.yaml"
    data = _load_yaml(path)
    modules = {}
    for module in data.get("modules", []):
        topics = {}
        for topic in module["topics"]:
            kinds = topic["kind"] if isinstance(topic["kind"], list) else [topic["kind"]]
            topics[topic["id"]] = {"what": topic["what"], "kinds": kinds}
        modules[module["id"]] = {"title": module["title"], "topics": topics}
    return modules


def _render(path: Path, field_name: str, text: str, figures: LessonFigures | None = None) -> str:
    try:
        return render_markdown(text, figures=figures)
    except (MathError, FigureError) as exc:
        raise ContentError(path, field_name, f"{field_name}: {exc}") from None


# Part of every figure's cache key: bump it when the drawing pipeline (grader/svg.py) changes.
FIGURE_RENDERER_VERSION = "2"
_drawn: dict[str, str] = {}  # cache key -> SVG, for this process


@functools.cache
def _matplotlib_version() -> str:
    return importlib.metadata.version("matplotlib")  # without importing it: a cached figure needs no matplotlib


class LessonFigures:
    """Draws the figures a lesson refers to with the functions of its module's `figures.py`.

    That file is the course's own code, reviewed in git like the lesson text: it runs here, at
    load time, on the trusted side (learners' code never does). Each function gets a fresh
    matplotlib Figure to draw on. A picture is cached by the digest of figures.py, the
    function's name and its text alternative, in this process and on disk
    (settings.FIGURE_CACHE_DIR), so loading an unchanged course draws nothing."""

    def __init__(self, module_path: Path):
        self.path = module_path / "figures.py"
        self._module = None
        self._source: bytes | None = None

    def __call__(self, function: str, alt: str) -> str:
        if self._source is None:
            if not self.path.exists():
                raise ContentError(self.path, None, f"missing: lesson.md has a figure drawn by {function}()")
            self._source = self.path.read_bytes()
        key = self._key(function, alt)
        if key not in _drawn:
            cached = self._cached(key)
            _drawn[key] = cached if cached is not None else self._draw(function, alt, key)
        return _drawn[key]

    def _key(self, function: str, alt: str) -> str:
        parts = [self._source, function.encode(), alt.encode(), FIGURE_RENDERER_VERSION.encode(), _matplotlib_version().encode()]
        return hashlib.sha256(b"\0".join(parts)).hexdigest()

    def _cached(self, key: str) -> str | None:
        try:
            text = (Path(settings.FIGURE_CACHE_DIR) / f"{key}.svg").read_text(encoding="utf-8")
        except OSError:
            return None
        return svg.sanitise(text)  # a file anyone with access to var/ could edit: cleaned again

    def _draw(self, function: str, alt: str, key: str) -> str:
        draw = getattr(self._load(), function, None)
        if not callable(draw):
            raise ContentError(self.path, None, f"figure {function!r}: there is no function {function}(figure) in this file")
        with svg.style():
            figure = svg.new_figure()
            try:
                returned = draw(figure)
                picture = svg.render(returned if returned is not None else figure, title=alt)
            except Exception as exc:
                raise ContentError(self.path, None, f"figure {function!r} failed{self._where(exc)}: {type(exc).__name__}: {exc}") from None
        self._store(key, picture)
        return picture

    def _load(self):
        if self._module is None:
            spec = importlib.util.spec_from_file_location(f"course_figures_{self.path.parent.name.replace('-', '_')}", self.path)
            module = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(module)
            except Exception as exc:
                raise ContentError(self.path, None, f"cannot be loaded{self._where(exc)}: {type(exc).__name__}: {exc}") from None
            self._module = module
        return self._module

    def _where(self, exc: BaseException) -> str:
        lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == str(self.path)]
        if isinstance(exc, SyntaxError) and exc.filename == str(self.path):
            lines.append(exc.lineno)
        return f" (line {lines[-1]})" if lines else ""

    @staticmethod
    def _store(key: str, picture: str) -> None:
        """Best effort: a read-only or missing var/ only means drawing again next time."""
        folder = Path(settings.FIGURE_CACHE_DIR)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False) as file:
                file.write(picture)
            os.replace(file.name, folder / f"{key}.svg")  # atomic: parallel loads never read half a file
        except OSError:
            pass


def _fields(path: Path, data: Any) -> Fields:
    return Fields(path, data, markdown=lambda name, text: _render(path, name, text))


def read_spec(path: Path | str, kind: str, data: dict) -> dict:
    """Only the kind's own fields of an exercise file, read and checked: the authoring form
    checks them even when a field every kind shares is wrong, so both errors show at once."""
    return kinds.get(kind).read(_fields(Path(path), data)).as_dict()


def read_exercise(path: Path, topic_ids: set[str]) -> ExerciseFile:
    fields = _fields(path, _load_yaml(path))
    slug = fields.get("slug", str)
    if not SLUG.match(slug):
        raise ContentError(path, "slug", f"field 'slug': {slug!r} must be lowercase letters, digits and dashes")
    kind = fields.get("kind", str)
    if kind not in kinds.names():
        raise ContentError(path, "kind", f"field 'kind': {kind!r} is not one of {', '.join(sorted(kinds.names()))}")
    topics = fields.get("topics", list)
    unknown = [topic for topic in topics if topic not in topic_ids]
    if unknown or not topics:
        raise ContentError(path, "topics", f"field 'topics': unknown topic id(s) {', '.join(map(str, unknown))}" if unknown else "field 'topics' is empty")
    difficulty = fields.get("difficulty", str, "core")
    if difficulty not in DIFFICULTIES:
        raise ContentError(path, "difficulty", f"field 'difficulty': {difficulty!r} is not one of {', '.join(sorted(DIFFICULTIES))}")
    statement = fields.get("statement", str)
    _render(path, "statement", statement)
    hints = fields.get("hints", list, [])
    for hint in hints:
        if not isinstance(hint, str):
            raise ContentError(path, "hints", "field 'hints' must be a list of strings")
        _render(path, "hints", hint)
    spec = {"hints": hints, **kinds.get(kind).read(fields).as_dict()}
    points = fields.get("points", int, 1)
    if not 0 <= points <= MAX_POINTS:
        raise ContentError(path, "points", f"field 'points' must lie between 0 and {MAX_POINTS}")
    return ExerciseFile(
        path=path,
        slug=slug,
        title=fields.get("title", str),
        kind=kind,
        topics=topics,
        difficulty=difficulty,
        points=points,
        published=fields.get("published", bool, True),
        in_quiz=fields.get("quiz", bool, False),
        statement=statement,
        spec=spec,
    )


def read_module(path: Path, syllabus: dict[str, dict]) -> ModuleFiles:
    slug = path.name
    if slug not in syllabus:
        raise ContentError(path, None, f"module folder {slug!r} is not a module id of the syllabus")
    meta_path = path / "module.yaml"
    if not meta_path.exists():
        raise ContentError(meta_path, None, "missing module.yaml")
    fields = Fields(meta_path, _load_yaml(meta_path))
    quiz = fields.get("quiz", dict, {})
    if not 1 <= fields.get("max_attempts", int, 3, where=quiz) <= MAX_QUIZ_ATTEMPTS:
        raise ContentError(meta_path, "quiz.max_attempts", f"field 'quiz.max_attempts' must lie between 1 and {MAX_QUIZ_ATTEMPTS}")
    if not 0 <= fields.get("order", int) <= MAX_ORDER:
        raise ContentError(meta_path, "order", f"field 'order' must lie between 0 and {MAX_ORDER}")
    lesson_path = path / "lesson.md"
    if not lesson_path.exists():
        raise ContentError(lesson_path, None, "missing lesson.md")
    lesson = lesson_path.read_text(encoding="utf-8")
    module = ModuleFiles(
        path=path,
        slug=slug,
        title=fields.get("title", str),
        order=fields.get("order", int),
        summary=fields.get("summary", str, ""),
        quiz_title=fields.get("title", str, "Quiz", where=quiz),
        quiz_max_attempts=fields.get("max_attempts", int, 3, where=quiz),
        quiz_feedback=fields.get("feedback", str, Module.QuizFeedback.AT_END, where=quiz),
        lesson_markdown=lesson,
        lesson_html=_render(lesson_path, "lesson", lesson, LessonFigures(path)),
    )
    if module.quiz_feedback not in Module.QuizFeedback.values:
        raise ContentError(meta_path, "quiz.feedback", f"field 'quiz.feedback' must be one of {', '.join(Module.QuizFeedback.values)}")
    topic_ids = {topic for data in syllabus.values() for topic in data["topics"]}
    for exercise_path in sorted(path.glob("*.yaml")):
        if exercise_path.name != "module.yaml":
            module.exercises.append(read_exercise(exercise_path, topic_ids))
    return module


def read_course(root: Path = CONTENT_ROOT, only: set[str] | None = None) -> tuple[dict, list[ModuleFiles]]:
    syllabus = read_syllabus(root)
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    modules = [read_module(folder, syllabus) for folder in folders if only is None or folder.name in only]
    seen: dict[str, ExerciseFile] = {}
    for module in modules:
        for exercise in module.exercises:
            if exercise.slug in seen:
                raise ContentError(exercise.path, None, f"slug {exercise.slug!r} is already used by {seen[exercise.slug].path}")
            seen[exercise.slug] = exercise
    if only is None:
        for exercise in seen.values():
            _check_derivation_link(exercise, seen)
    return syllabus, modules


def _check_derivation_link(exercise: ExerciseFile, exercises: dict[str, ExerciseFile]) -> None:
    """A code exercise linked to a derivation must agree with it on names and shapes, or the
    learner's expression could not be evaluated at the code's cases."""
    gradient = exercise.spec.get("gradient") or {}
    slug = gradient.get("derivation")
    if not slug:
        return
    where = "field 'gradient.derivation'"
    target = exercises.get(slug)
    answer = (target.spec.get("answer") or {}) if target else {}
    if target is None or target.kind != "symbolic" or not answer.get("gradient"):
        raise ContentError(exercise.path, "gradient.derivation", f"{where}: {slug!r} is not a symbolic exercise with a matrix gradient")
    if answer["gradient"]["wrt"] != gradient["wrt"]:
        raise ContentError(exercise.path, "gradient.derivation", f"{where}: the derivation is with respect to {answer['gradient']['wrt']!r}, the code {gradient['wrt']!r}")
    for name, value in gradient["matrices"].items():
        here, there = shape_of(value), shape_of(answer["matrices"].get(name))
        if here != there:
            raise ContentError(exercise.path, "gradient.derivation", f"{where}: {name!r} has shape {here!r} here but {there!r} in {slug!r}")
    if set(gradient.get("scalars") or []) != set(answer.get("scalars") or []):
        raise ContentError(exercise.path, "gradient.derivation", f"{where}: the scalars differ from those of {slug!r}")


@dataclass
class SyncReport:
    modules: int = 0
    exercises: int = 0
    new_versions: int = 0
    unpublished: list[str] = field(default_factory=list)


@transaction.atomic
def sync_course(root: Path = CONTENT_ROOT, only: set[str] | None = None) -> SyncReport:
    """Make the database match the files; idempotent. Versions are added, never rewritten."""
    syllabus, modules = read_course(root, only)
    report = SyncReport()
    for module_id, data in syllabus.items():
        order = list(syllabus).index(module_id) + 1
        module, _ = Module.objects.get_or_create(slug=module_id, defaults={"title": data["title"], "order": order})
        for topic_id, topic in data["topics"].items():
            Topic.objects.update_or_create(id=topic_id, defaults={"module": module, "what": topic["what"], "kinds": topic["kinds"]})
    for files in modules:
        report.modules += 1
        module = Module.objects.get(slug=files.slug)
        module.title, module.order, module.summary = files.title, files.order, files.summary
        module.quiz_title, module.quiz_max_attempts = files.quiz_title, files.quiz_max_attempts
        module.quiz_feedback = files.quiz_feedback
        module.save()
        Lesson.objects.update_or_create(module=module, defaults={"body_markdown": files.lesson_markdown, "body_html": files.lesson_html})
        loaded = set()
        for order, item in enumerate(files.exercises, start=1):
            report.new_versions += _sync_exercise(module, order, item)
            report.exercises += 1
            loaded.add(item.slug)
        gone = module.exercises.exclude(source_path="").exclude(slug__in=loaded).filter(published=True)
        report.unpublished += list(gone.values_list("slug", flat=True))
        gone.update(published=False)
        if report.new_versions or report.unpublished:
            ModuleProgress.rebuild(module.pk)  # what the module's totals count may have changed
    return report


def _sync_exercise(module: Module, order: int, item: ExerciseFile) -> int:
    exercise, _ = Exercise.objects.get_or_create(
        slug=item.slug, defaults={"module": module, "kind": item.kind, "title": item.title}
    )
    if exercise.kind != item.kind and exercise.submissions.exists():
        raise ContentError(item.path, "kind", f"field 'kind': cannot change {exercise.kind!r} to {item.kind!r} once submissions exist")
    previous = exercise.current_version_id
    root = CONTENT_ROOT.parent.parent
    exercise.kind, exercise.order, exercise.published = item.kind, order, item.published
    exercise.source_path = str(item.path.relative_to(root)) if item.path.is_relative_to(root) else str(item.path)
    exercise.save()
    version = exercise.add_version(
        item.statement, item.spec, item.metadata(module.slug), message=f"loaded from {exercise.source_path}", live=True
    )
    if version.pk != previous:
        AuditEvent.record(AuditEvent.Action.LOADED, exercise=exercise, version=version, detail=exercise.source_path)
    return int(version.pk != previous)
