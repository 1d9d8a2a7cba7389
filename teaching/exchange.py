"""Exercises and modules to and from the course's file format (docs/content-format.md).

Export writes what `exercises.content.read_exercise` reads; import goes through that same
reader, so a file authored in the browser, exported, and loaded with `load_course` is the
same exercise, and an uploaded file is checked exactly like one in git.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import Max

from exercises.content import MAX_FILE_BYTES, ContentError, ExerciseFile, read_exercise
from exercises.models import Exercise, Module, Topic

SPEC_FIELDS = {
    "code": ["entry_point", "starter", "reference", "cases", "compare", "mutants", "limits", "gradient"],
    "symbolic": ["answer", "params"],
    "numeric": ["answer"],
    "choice": ["multiple", "choices"],
}


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, text: str):
    # Code and statements read best as literal blocks, exactly as the built-in course writes them.
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def file_data(exercise: Exercise) -> dict:
    """The exercise's current version as the mapping an exercise file holds."""
    version = exercise.current_version
    spec = version.spec
    data = {
        "slug": exercise.slug,
        "title": exercise.title,
        "kind": exercise.kind,
        "topics": sorted(exercise.topics.values_list("id", flat=True)),
        "difficulty": exercise.difficulty,
        "points": exercise.points,
        "published": exercise.published,
        "quiz": exercise.in_quiz,
        "statement": version.statement,
    }
    for name in SPEC_FIELDS[exercise.kind]:
        if name in spec:
            data[name] = spec[name]
    if spec.get("hints"):
        data["hints"] = spec["hints"]
    return data


def export_exercise(exercise: Exercise) -> str:
    return dump_yaml(file_data(exercise))


def file_name(exercise: Exercise, position: int) -> str:
    return f"{'q' if exercise.in_quiz else ''}{position:02d}-{exercise.slug}.yaml"


def export_module(module: Module) -> bytes:
    """A zip of the module's folder: module.yaml, lesson.md and one file per exercise."""
    buffer = io.BytesIO()
    meta = {
        "title": module.title,
        "order": module.order,
        "summary": module.summary,
        "quiz": {"title": module.quiz_title or "Quiz", "max_attempts": module.quiz_max_attempts},
    }
    lesson = getattr(module, "lesson", None)
    exercises = module.exercises.filter(current_version__isnull=False).select_related("current_version").prefetch_related("topics")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{module.slug}/module.yaml", dump_yaml(meta))
        archive.writestr(f"{module.slug}/lesson.md", lesson.body_markdown if lesson else f"# {module.title}\n")
        counters = {False: 0, True: 0}
        for exercise in exercises:
            counters[exercise.in_quiz] += 1
            archive.writestr(f"{module.slug}/{file_name(exercise, counters[exercise.in_quiz])}", export_exercise(exercise))
    return buffer.getvalue()


def read_text(name: str, text: str) -> ExerciseFile:
    """Parse exercise-file text with the course's own reader; errors name `name` and the field."""
    topic_ids = set(Topic.objects.values_list("id", flat=True))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_text(text, encoding="utf-8")
        try:
            item = read_exercise(path, topic_ids)
        except ContentError as exc:
            raise ContentError(name, exc.message) from None
    item.path = Path(name)
    return item


def read_data(name: str, data: dict) -> ExerciseFile:
    return read_text(name, dump_yaml(data))


@transaction.atomic
def save(item: ExerciseFile, module: Module, exercise: Exercise | None = None) -> Exercise:
    """Create or update an exercise from a file's content; a changed content is a new version.

    A new exercise starts unpublished: it is published from the validation page, once its
    reference passes its own cases.
    """
    if exercise is None:
        exercise = Exercise.objects.filter(slug=item.slug).first()
    if exercise is None:
        order = (module.exercises.aggregate(n=Max("order"))["n"] or 0) + 1
        exercise = Exercise(slug=item.slug, module=module, order=order, published=False)
    elif exercise.kind != item.kind and exercise.submissions.exists():
        raise ContentError(item.path, f"field 'kind': cannot change {exercise.kind!r} to {item.kind!r} once submissions exist")
    exercise.slug, exercise.module, exercise.title, exercise.kind = item.slug, module, item.title, item.kind
    exercise.difficulty, exercise.points, exercise.in_quiz = item.difficulty, item.points, item.in_quiz
    exercise.save()
    exercise.topics.set(item.topics)
    exercise.add_version(item.statement, item.spec)
    return exercise


def import_upload(name: str, content: bytes, module: Module) -> list[Exercise]:
    """An uploaded exercise file, or a zip of them (an exported module folder)."""
    if name.endswith(".zip"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
        except zipfile.BadZipFile:
            raise ContentError(name, "not a readable zip file") from None
        members = sorted(
            info for info in archive.namelist() if info.endswith(".yaml") and not info.endswith("module.yaml")
        )
        if not members:
            raise ContentError(name, "the zip holds no exercise files (*.yaml)")
        for member in members:
            if archive.getinfo(member).file_size > MAX_FILE_BYTES:
                raise ContentError(f"{name}/{member}", f"the file is larger than {MAX_FILE_BYTES // 1000} KB")
        items = [read_text(f"{name}/{member}", _decode(f"{name}/{member}", archive.read(member))) for member in members]
    else:
        items = [read_text(name, _decode(name, content))]
    with transaction.atomic():
        return [save(item, module) for item in items]


def _decode(name: str, content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError(name, "the file is not UTF-8 text") from None
