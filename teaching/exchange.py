"""Exercises and modules to and from the course's file format (docs/content-format.md).

Export writes what `exercises.content.read_exercise` reads; import goes through that same
reader, so a file authored in the browser, exported, and loaded with `load_course` is the
same exercise, and an uploaded file is checked exactly like one in git.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from zlib import error as zlib_error

from django.db import transaction
from django.db.models import Max

from exercises.content import (
    CONTENT_ROOT,
    EXERCISE_YAML,
    MAX_FILE_BYTES,
    ContentError,
    ExerciseFile,
    folder_files,
    read_exercise,
)
from exercises.models import AuditEvent, Exercise, ExerciseVersion, Module, Topic
from grader import kinds
from grader.kinds.text import dump_yaml


def file_data(exercise: Exercise, version: ExerciseVersion | None = None) -> dict:
    """A version (by default the latest: the draft if there is one) as an exercise file holds it."""
    version = version or exercise.latest_version
    spec = version.spec
    metadata = version.metadata or exercise.metadata()
    data = {
        "slug": exercise.slug,
        "title": metadata["title"],
        "kind": exercise.kind,
        "topics": sorted(metadata["topics"]),
        "difficulty": metadata["difficulty"],
        "points": metadata["points"],
        "published": exercise.published,
        "quiz": metadata["in_quiz"],
        "statement": version.statement,
    }
    data.update(kinds.get(exercise.kind).file_fields(spec))
    if spec.get("hints"):
        data["hints"] = spec["hints"]
    return data


def export_exercise(exercise: Exercise, version: ExerciseVersion | None = None) -> str:
    return dump_yaml(file_data(exercise, version))


def version_diff(exercise: Exercise, old: ExerciseVersion, new: ExerciseVersion) -> list[tuple[str, str]]:
    """The two versions as exercise files, compared line by line: (kind, line) with kind one of
    "add", "remove", "context" or "hunk"."""
    import difflib

    before = export_exercise(exercise, old).splitlines()
    after = export_exercise(exercise, new).splitlines()
    lines = []
    for line in difflib.unified_diff(before, after, f"version {old.number}", f"version {new.number}", n=3, lineterm=""):
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "+": "add", "-": "remove"}.get(line[:1], "context")
        lines.append((kind, line))
    return lines


def file_name(exercise: Exercise, position: int) -> str:
    return f"{'q' if exercise.in_quiz else ''}{position:02d}-{exercise.slug}.yaml"


def export_module(module: Module) -> bytes:
    """A zip of the module's folder: module.yaml, lesson.md (with figures.py when the lesson has
    figures) and one file per exercise, or one folder for a code exercise loaded from a folder
    (its code as the sandbox gets it: `_shared` helpers inlined, so the folder stands alone)."""
    buffer = io.BytesIO()
    meta = {
        "title": module.title,
        "order": module.order,
        "summary": module.summary,
        "quiz": {"title": module.quiz_title or "Quiz", "max_attempts": module.quiz_max_attempts},
    }
    lesson = getattr(module, "lesson", None)
    exercises = (
        module.exercises.filter(current_version__isnull=False)
        .select_related("current_version")
        .prefetch_related("topics")
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{module.slug}/module.yaml", dump_yaml(meta))
        archive.writestr(f"{module.slug}/lesson.md", lesson.body_markdown if lesson else f"# {module.title}\n")
        figures = CONTENT_ROOT / module.slug / "figures.py"  # what draws the lesson's figures, if it has any
        if lesson and figures.exists() and "```figure" in lesson.body_markdown:
            archive.writestr(f"{module.slug}/figures.py", figures.read_text(encoding="utf-8"))
        counters = {False: 0, True: 0}
        for exercise in exercises:
            counters[exercise.in_quiz] += 1
            name = f"{module.slug}/{file_name(exercise, counters[exercise.in_quiz])}"
            for path, text in _exercise_files(exercise, name).items():
                archive.writestr(path, text)
    return buffer.getvalue()


def _exercise_files(exercise: Exercise, name: str) -> dict[str, str]:
    """{path in the zip: text} of one exercise: NN-slug.yaml, or the folder NN-slug/ when the
    course has it as a folder."""
    data = file_data(exercise)
    if exercise.kind == Exercise.Kind.CODE and exercise.source_path.endswith(f"/{EXERCISE_YAML}"):
        try:
            rest, files = folder_files(data)
        except ValueError:
            pass  # what the folder cannot hold: the single file can
        else:
            folder = name.removesuffix(".yaml")
            return {f"{folder}/{EXERCISE_YAML}": dump_yaml(rest)} | {
                f"{folder}/{path}": text for path, text in files.items()
            }
    return {name: dump_yaml(data)}


def read_text(name: str, text: str) -> ExerciseFile:
    """Parse exercise-file text with the course's own reader; errors name `name` and the field."""
    topic_ids = set(Topic.objects.values_list("id", flat=True))
    with tempfile.TemporaryDirectory() as folder:
        module = Path(folder) / "upload"  # a `_shared` import finds nothing: an uploaded file stands alone
        module.mkdir()
        path = module / "upload.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            item = read_exercise(path, topic_ids)
        except ContentError as exc:
            raise ContentError(name, exc.field, exc.message) from None
    item.path = Path(name)
    return item


def read_data(name: str, data: dict) -> ExerciseFile:
    return read_text(name, dump_yaml(data))


@transaction.atomic
def save(
    item: ExerciseFile, module: Module, exercise: Exercise | None = None, *, by, how: str = "edited"
) -> tuple[Exercise, ExerciseVersion, bool]:
    """Create or update an exercise from a file's content: (exercise, version, changed).

    A changed content is a new version: the current one for an unpublished exercise, a draft
    for a published one (learners keep what they had until it is validated and published). A
    new exercise starts unpublished and belongs to `by`.
    """
    if exercise is None:
        exercise = Exercise.objects.filter(slug=item.slug).first()
    created = exercise is None
    if created:
        order = (module.exercises.aggregate(n=Max("order"))["n"] or 0) + 1
        exercise = Exercise.objects.create(
            slug=item.slug, module=module, order=order, published=False, kind=item.kind, title=item.title, owner=by
        )
    elif exercise.kind != item.kind and exercise.submissions.exists():
        raise ContentError(
            item.path, "kind", f"field 'kind': cannot change {exercise.kind!r} to {item.kind!r} once submissions exist"
        )
    exercise.kind = item.kind
    exercise.save(update_fields=["kind"])
    before = getattr(exercise.latest_version, "pk", None)
    version = exercise.add_version(item.statement, item.spec, item.metadata(module.slug), author=by, message=how)
    changed = version.pk != before
    if created:
        AuditEvent.record(AuditEvent.Action.CREATED, actor=by, exercise=exercise, version=version, detail=how)
    elif changed:
        action = AuditEvent.Action.IMPORTED if how.startswith("imported") else AuditEvent.Action.EDITED
        draft = " (a draft: learners keep the published version)" if version.is_draft else ""
        AuditEvent.record(
            action, actor=by, exercise=exercise, version=version, detail=f"version {version.number}{draft}"
        )
    return exercise, version, changed


class NeedsConfirmation(Exception):
    """The import would move exercises to another module or replace existing ones."""

    def __init__(self, changes: list[str]):
        super().__init__("; ".join(changes))
        self.changes = changes


MAX_ZIP_FILES = 2000
MAX_ZIP_BYTES = 50 * MAX_FILE_BYTES


def read_upload(name: str, content: bytes) -> list[ExerciseFile]:
    """An uploaded exercise file, or a zip of them (an exported module folder: exercise files,
    exercise folders and `_shared` helpers)."""
    if name.endswith(".zip"):
        return _read_zip(name, content)
    return [read_text(name, _decode(name, content))]


def _read_zip(name: str, content: bytes) -> list[ExerciseFile]:
    """The zip's YAML and Python files are unpacked into a private folder and read there by the
    course's reader, as `load_course` reads a module folder; errors name the file in the zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise ContentError(name, None, "not a readable zip file") from None
    members = [info for info in archive.infolist() if not info.is_dir() and info.filename.endswith((".yaml", ".py"))]
    exercises = sorted(
        info.filename
        for info in members
        if PurePosixPath(info.filename).suffix == ".yaml" and PurePosixPath(info.filename).name != "module.yaml"
    )
    if not exercises:
        raise ContentError(name, None, "the zip holds no exercise files (*.yaml)")
    if len(members) > MAX_ZIP_FILES or sum(info.file_size for info in members) > MAX_ZIP_BYTES:
        raise ContentError(
            name, None, f"the zip holds more than {MAX_ZIP_FILES} files or {MAX_ZIP_BYTES // 1_000_000} MB of them"
        )
    topic_ids = set(Topic.objects.values_list("id", flat=True))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "course" / "upload"  # where `_shared` is looked for stays inside the private folder
        for info in members:
            where = f"{name}/{info.filename}"
            parts = PurePosixPath(info.filename).parts
            if info.filename.startswith("/") or ".." in parts or any(char in info.filename for char in "\x00\\"):
                raise ContentError(where, None, "not a plain path inside the zip")
            if info.file_size > MAX_FILE_BYTES:
                raise ContentError(where, None, f"the file is larger than {MAX_FILE_BYTES // 1000} KB")
            try:
                (root / info.filename).parent.mkdir(parents=True, exist_ok=True)
                (root / info.filename).write_bytes(archive.read(info))
            except (OSError, zipfile.BadZipFile, zlib_error) as exc:
                raise ContentError(where, None, f"cannot be unpacked: {exc}") from None
        items = []
        for member in exercises:
            try:
                item = read_exercise(root / member, topic_ids)
            except ContentError as exc:
                at = Path(exc.path)
                raise ContentError(
                    f"{name}/{at.relative_to(root)}" if at.is_relative_to(root) else f"{name}/{member}",
                    exc.field,
                    exc.message,
                ) from None
            item.path = Path(f"{name}/{member}")
            items.append(item)
    return items


def plan_import(items: list[ExerciseFile], module: Module, by) -> tuple[list[str], list[str], list[str]]:
    """What importing `items` into `module` would do: (refusals, changes to confirm, notes)."""
    refusals, to_confirm, notes = [], [], []
    existing = {e.slug: e for e in Exercise.objects.filter(slug__in=[i.slug for i in items]).select_related("module")}
    for item in items:
        exercise = existing.get(item.slug)
        if exercise is None:
            notes.append(f"{item.slug}: new, unpublished until validated and published")
            continue
        if not exercise.can_change(by):
            owner = exercise.owner.username if exercise.owner else "the course files"
            refusals.append(f"{item.slug} belongs to {owner}: copy it, or give your file another slug")
            continue
        latest = exercise.latest_version
        if latest and latest.digest == ExerciseVersion.digest_for(
            item.statement, item.spec, item.metadata(module.slug)
        ):
            notes.append(f"{item.slug}: unchanged")
            continue
        if exercise.module_id != module.pk:
            to_confirm.append(f"{item.slug} would move from {exercise.module.title} to {module.title}")
        if exercise.published:
            to_confirm.append(
                f"{item.slug} would get a new draft version (learners keep version {exercise.current_version.number} until it is published)"
            )
        else:
            notes.append(f"{item.slug}: a new version")
    return refusals, to_confirm, notes


def import_upload(files: list[tuple[str, bytes]], module: Module, *, by, confirm: bool = False) -> list[str]:
    """Import uploaded files into `module`. Exercises of other owners are refused; moving an
    exercise to another module, or replacing a published one, needs `confirm`. Returns one
    line per exercise saying what happened."""
    items = [item for name, content in files for item in read_upload(name, content)]
    if not items:
        raise ContentError("the upload", None, "it holds no exercise")
    refusals, to_confirm, _ = plan_import(items, module, by)
    if refusals:
        raise ContentError("the upload", None, "; ".join(refusals))
    if to_confirm and not confirm:
        raise NeedsConfirmation(to_confirm)
    with transaction.atomic():
        outcomes = []
        for item in items:
            exercise, version, changed = save(item, module, by=by, how=f"imported from {item.path}")
            if not changed:
                outcomes.append(f"{exercise.slug}: unchanged")
            elif version.is_draft:
                outcomes.append(f"{exercise.slug}: draft version {version.number}")
            else:
                outcomes.append(f"{exercise.slug}: version {version.number}")
    return outcomes


def _decode(name: str, content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError(name, None, "the file is not UTF-8 text") from None
