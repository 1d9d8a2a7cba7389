"""The course as files in git (docs/content-format.md) and their sync into the database.

`read_*` functions parse and validate files without touching the database and raise
ContentError naming the file and the field; `sync_course` writes what they read.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import importlib.util
import math
import os
import re
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
        parts = [
            self._source,
            function.encode(),
            alt.encode(),
            FIGURE_RENDERER_VERSION.encode(),
            _matplotlib_version().encode(),
        ]
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
            raise ContentError(
                self.path, None, f"figure {function!r}: there is no function {function}(figure) in this file"
            )
        with svg.style():
            figure = svg.new_figure()
            try:
                returned = draw(figure)
                picture = svg.render(returned if returned is not None else figure, title=alt)
            except Exception as exc:
                raise ContentError(
                    self.path, None, f"figure {function!r} failed{self._where(exc)}: {type(exc).__name__}: {exc}"
                ) from None
        self._store(key, picture)
        return picture

    def _load(self):
        if self._module is None:
            spec = importlib.util.spec_from_file_location(
                f"course_figures_{self.path.parent.name.replace('-', '_')}", self.path
            )
            module = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(module)
            except Exception as exc:
                raise ContentError(
                    self.path, None, f"cannot be loaded{self._where(exc)}: {type(exc).__name__}: {exc}"
                ) from None
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


EXERCISE_YAML = "exercise.yaml"  # an exercise folder's fields; its code sits beside it
CODE_FILES = ("starter", "reference", "cases")  # fields an exercise folder may hold as NAME.py
SHARED = "_shared"  # helpers of a module, or of the whole course, inlined where course code imports them


def exercise_paths(module_path: Path) -> list[Path]:
    """A module's exercises in course order: each `NN-slug.yaml`, and each `NN-slug/` folder by
    its exercise.yaml. A folder sorts as the file it was split from would, so splitting an
    exercise never moves it."""
    entries = []
    for entry in module_path.iterdir():
        if entry.name.startswith((".", "_")) or entry.name == "module.yaml":
            continue
        if entry.is_dir():
            entries.append((f"{entry.name}.yaml", entry / EXERCISE_YAML))
        elif entry.name == EXERCISE_YAML:
            raise ContentError(
                entry,
                None,
                f"{EXERCISE_YAML} holds the fields of an exercise folder; a single-file exercise is NN-slug.yaml",
            )
        elif entry.suffix == ".yaml":
            entries.append((entry.name, entry))
    for _, path in entries:
        if path.name == EXERCISE_YAML and not path.is_file():
            raise ContentError(path.parent, None, f"an exercise folder needs an {EXERCISE_YAML}")
    return [path for _, path in sorted(entries)]


def exercise_data(path: Path) -> dict:
    """An exercise's fields as one mapping, as the single-file form holds them: for a folder
    (`path` is its exercise.yaml) the code comes from reference.py, starter.py, cases.py and
    mutants/*.py; in both forms `from _shared.NAME import ...` lines are replaced by the helper's
    source, so the sandbox receives self-contained code. Nothing here runs the code."""
    data = _load_yaml(path)
    if not isinstance(data, dict):
        return data  # refused by the reader, which names the file
    origins = {name: path for name in (*CODE_FILES, "mutants")}  # where a helper import was written
    module_path = path.parent
    if path.name == EXERCISE_YAML:
        folder, module_path = path.parent, path.parent.parent
        for name in CODE_FILES:
            file = folder / f"{name}.py"
            if file.is_file():
                if name in data:
                    raise ContentError(path, name, f"field '{name}' is also in {name}.py: keep one of the two")
                data[name], origins[name] = _read_python(file), file
        mutants = folder / "mutants"
        if mutants.is_dir():
            if "mutants" in data:
                raise ContentError(path, "mutants", "field 'mutants' is also a mutants/ folder: keep one of the two")
            data["mutants"] = [_read_mutant(file) for file in sorted(mutants.glob("*.py"))]
            origins["mutants"] = mutants
    shared = _SharedHelpers(module_path)
    for name in CODE_FILES:
        if isinstance(data.get(name), str):
            data[name] = shared.inline(data[name], origins[name])
    for mutant in data.get("mutants") or []:
        if isinstance(mutant, dict) and isinstance(mutant.get("code"), str):
            mutant["code"] = shared.inline(mutant["code"], origins["mutants"])
    return data


def folder_files(data: dict) -> tuple[dict, dict[str, str]]:
    """A single-file code exercise's fields in the folder form: (the fields left for
    exercise.yaml, {path in the folder: text} of its Python files). The folder reads back as
    `data`; raises ValueError for what the form cannot hold (a mutant with more than a name
    and code, or a name that cannot be a one-line docstring)."""
    rest = dict(data)
    files = {f"{name}.py": rest.pop(name) for name in CODE_FILES if isinstance(data.get(name), str)}
    mutants = rest.pop("mutants", None) or []
    for index, mutant in enumerate(mutants, start=1):
        if not (isinstance(mutant, dict) and set(mutant) <= {"name", "code"} and isinstance(mutant.get("code"), str)):
            raise ValueError(f"mutant {index} is not just a name and code")
        name = str(mutant.get("name") or f"mutant {index}")
        if '"""' in name or "\\" in name or "\n" in name or name.endswith('"') or name != name.strip():
            raise ValueError(f"the name of mutant {index} cannot be written as a docstring")
        stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].rstrip("-") or "mutant"
        files[f"mutants/{index:02d}-{stem}.py"] = f'"""{name}"""\n\n{mutant["code"]}'
    if "mutants" in data and not mutants:
        rest["mutants"] = data["mutants"]  # an empty list stays a field: a folder without mutants/ reads as none
    return rest, files


def _read_python(path: Path) -> str:
    """A course Python file's text, checked for syntax (it only ever runs in the sandbox)."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ContentError(path, None, f"the file is larger than {MAX_FILE_BYTES // 1000} KB")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError(path, None, "the file is not UTF-8 text") from None
    if "\x00" in text:
        raise ContentError(path, None, "the file contains a NUL character")
    try:
        compile(text, str(path), "exec")
    except SyntaxError as exc:
        raise ContentError(path, None, f"Python syntax error on line {exc.lineno}: {exc.msg}") from None
    return text


def _read_mutant(path: Path) -> dict:
    """A mutant file: its name is the module docstring's first line (the docstring is not part
    of the code), or else the file name without its NN- prefix."""
    text = _read_python(path)
    body = ast.parse(text).body
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        name = first.value.value.strip().split("\n")[0].strip()
        code = "".join(text.splitlines(keepends=True)[first.end_lineno :]).lstrip("\n")
    else:
        name, code = re.sub(r"^\d+[a-z]?[-_]", "", path.stem).replace("_", " ").replace("-", " "), text
    return {"name": name or path.stem, "code": code}


class _SharedHelpers:
    """Course helpers under `_shared/`: the module's own first, then the course's. A top-level
    `from _shared.NAME import a, b` in course code is replaced by NAME.py's source (once per
    piece of code, helpers importing helpers included), so that what the sandbox runs needs
    no file of the course."""

    def __init__(self, module_path: Path):
        self.folders = [module_path / SHARED, module_path.parent / SHARED]

    def inline(self, source: str, where: Path) -> str:
        return self._inline(source, where, set())

    def _inline(self, source: str, where: Path, included: set[str]) -> str:
        if SHARED not in source:
            return source  # the common case: code without helpers is kept exactly, digest and all
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return source  # reported with its line by the field's own syntax check
        lines = source.splitlines(keepends=True)
        for node in reversed(list(ast.walk(tree))):  # bottom-up, so earlier line numbers stay valid
            if not self._is_shared_import(node, where, tree):
                continue
            name = node.module.split(".")[1]
            path, text = self._helper(name, node, where)
            defined = self._names(text)
            missing = [alias.name for alias in node.names if alias.name not in defined]
            if missing:
                raise ContentError(
                    where, None, f"line {node.lineno}: {SHARED}/{name}.py defines no {', '.join(missing)}"
                )
            block = ""
            if name not in included:
                included.add(name)
                text = self._inline(text, path, included)
                block = f"# --- {SHARED}/{name}.py, inlined by the course loader ---\n{text.rstrip()}\n# --- end of {SHARED}/{name}.py ---\n"
            block += "".join(f"{alias.asname} = {alias.name}\n" for alias in node.names if alias.asname)
            lines[node.lineno - 1 : node.end_lineno] = [block]
        return "".join(lines)

    @staticmethod
    def _is_shared_import(node: ast.AST, where: Path, tree: ast.Module) -> bool:
        if isinstance(node, ast.Import) and any(alias.name.split(".")[0] == SHARED for alias in node.names):
            raise ContentError(
                where,
                None,
                f"line {node.lineno}: write `from {SHARED}.NAME import ...`; `import {SHARED}` is not supported",
            )
        if not (isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == SHARED):
            return False
        parts = node.module.split(".")
        if len(parts) != 2 or any(alias.name == "*" for alias in node.names):
            raise ContentError(
                where,
                None,
                f"line {node.lineno}: write `from {SHARED}.NAME import a, b` (one helper file, names listed)",
            )
        if node not in tree.body:
            raise ContentError(
                where, None, f"line {node.lineno}: a {SHARED} import must be at the top level, not inside a block"
            )
        if any(
            other is not node and other.lineno <= node.end_lineno and other.end_lineno >= node.lineno
            for other in tree.body
        ):
            raise ContentError(where, None, f"line {node.lineno}: put the {SHARED} import on a line of its own")
        return True

    def _helper(self, name: str, node: ast.ImportFrom, where: Path) -> tuple[Path, str]:
        for folder in self.folders:
            path = folder / f"{name}.py"
            if path.is_file():
                return path, _read_python(path)
        raise ContentError(
            where, None, f"line {node.lineno}: there is no {SHARED}/{name}.py in the module or the course"
        )

    @staticmethod
    def _names(text: str) -> set[str]:
        names = set()
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(target.id for target in targets if isinstance(target, ast.Name))
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        return names


def read_exercise(path: Path, topic_ids: set[str]) -> ExerciseFile:
    fields = _fields(path, exercise_data(path))
    slug = fields.get("slug", str)
    if not SLUG.match(slug):
        raise ContentError(path, "slug", f"field 'slug': {slug!r} must be lowercase letters, digits and dashes")
    kind = fields.get("kind", str)
    if kind not in kinds.names():
        raise ContentError(path, "kind", f"field 'kind': {kind!r} is not one of {', '.join(sorted(kinds.names()))}")
    topics = fields.get("topics", list)
    unknown = [topic for topic in topics if topic not in topic_ids]
    if unknown or not topics:
        raise ContentError(
            path,
            "topics",
            f"field 'topics': unknown topic id(s) {', '.join(map(str, unknown))}"
            if unknown
            else "field 'topics' is empty",
        )
    difficulty = fields.get("difficulty", str, "core")
    if difficulty not in DIFFICULTIES:
        raise ContentError(
            path, "difficulty", f"field 'difficulty': {difficulty!r} is not one of {', '.join(sorted(DIFFICULTIES))}"
        )
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
        raise ContentError(
            meta_path, "quiz.max_attempts", f"field 'quiz.max_attempts' must lie between 1 and {MAX_QUIZ_ATTEMPTS}"
        )
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
        raise ContentError(
            meta_path, "quiz.feedback", f"field 'quiz.feedback' must be one of {', '.join(Module.QuizFeedback.values)}"
        )
    topic_ids = {topic for data in syllabus.values() for topic in data["topics"]}
    for exercise_path in exercise_paths(path):
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
                raise ContentError(
                    exercise.path, None, f"slug {exercise.slug!r} is already used by {seen[exercise.slug].path}"
                )
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
        raise ContentError(
            exercise.path, "gradient.derivation", f"{where}: {slug!r} is not a symbolic exercise with a matrix gradient"
        )
    if answer["gradient"]["wrt"] != gradient["wrt"]:
        raise ContentError(
            exercise.path,
            "gradient.derivation",
            f"{where}: the derivation is with respect to {answer['gradient']['wrt']!r}, the code {gradient['wrt']!r}",
        )
    for name, value in gradient["matrices"].items():
        here, there = shape_of(value), shape_of(answer["matrices"].get(name))
        if here != there:
            raise ContentError(
                exercise.path,
                "gradient.derivation",
                f"{where}: {name!r} has shape {here!r} here but {there!r} in {slug!r}",
            )
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
            Topic.objects.update_or_create(
                id=topic_id, defaults={"module": module, "what": topic["what"], "kinds": topic["kinds"]}
            )
    for files in modules:
        report.modules += 1
        module = Module.objects.get(slug=files.slug)
        module.title, module.order, module.summary = files.title, files.order, files.summary
        module.quiz_title, module.quiz_max_attempts = files.quiz_title, files.quiz_max_attempts
        module.quiz_feedback = files.quiz_feedback
        module.save()
        Lesson.objects.update_or_create(
            module=module, defaults={"body_markdown": files.lesson_markdown, "body_html": files.lesson_html}
        )
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
        raise ContentError(
            item.path, "kind", f"field 'kind': cannot change {exercise.kind!r} to {item.kind!r} once submissions exist"
        )
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
