"""Turn a single-file code exercise into the folder form (docs/content-format.md).

`NN-slug.yaml` becomes `NN-slug/` holding exercise.yaml (the other fields, their layout and
comments kept), reference.py, starter.py, cases.py and mutants/NN-name.py. The folder reads
back as exactly the same exercise, so loading the course afterwards adds no version.
"""

import re
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises.content import EXERCISE_YAML, ContentError, exercise_data, folder_files, load_yaml

TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


class Command(BaseCommand):
    help = (
        "Split a single-file code exercise (NN-slug.yaml) into a folder NN-slug/ with exercise.yaml, "
        "reference.py, starter.py, cases.py and mutants/*.py (a mutant's name becomes its docstring). "
        "The folder loads as the same exercise, so no new version; the YAML file is removed. "
        "Then run `ruff check --fix` and `ruff format` on the folder (that does change the code) and commit."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the exercise file, e.g. exercises/content/applications/02-minmax-scale.yaml")

    def handle(self, *args, path, **options):
        folder = split_exercise(Path(path))
        files = sorted(str(file.relative_to(folder)) for file in folder.rglob("*") if file.is_file())
        self.stdout.write(f"{path} -> {folder}/: {', '.join(files)}")


def split_exercise(path: Path) -> Path:
    """Split `path` and return the new folder; on any doubt nothing is changed."""
    if not path.is_file() or path.suffix != ".yaml" or path.name in ("module.yaml", EXERCISE_YAML):
        raise CommandError(f"{path}: not an exercise file (NN-slug.yaml)")
    try:
        before = exercise_data(path)
    except ContentError as exc:
        raise CommandError(str(exc)) from None
    if not isinstance(before, dict) or before.get("kind") != "code":
        raise CommandError(f"{path}: only a code exercise has code to split into files")
    text = path.read_text(encoding="utf-8")
    data = load_yaml(text)  # as written, `_shared` imports not inlined
    try:
        rest, files = folder_files(data)
    except ValueError as exc:
        raise CommandError(f"{path}: {exc}") from None
    remaining = _without_keys(text, [key for key in data if key not in rest])
    if load_yaml(remaining) != rest:
        raise CommandError(f"{path}: the other fields could not be kept as written; split it by hand")
    folder = path.with_suffix("")
    if folder.exists():
        raise CommandError(f"{folder} already exists")
    try:
        (folder / "mutants").mkdir(parents=True)
        (folder / EXERCISE_YAML).write_text(remaining, encoding="utf-8")
        for name, source in files.items():
            (folder / name).write_text(source, encoding="utf-8")
        if not any((folder / "mutants").iterdir()):
            (folder / "mutants").rmdir()
        after = exercise_data(folder / EXERCISE_YAML)
        for index, mutant in enumerate(before.get("mutants") or [], start=1):
            mutant["name"] = str(mutant.get("name") or f"mutant {index}")  # as the folder names it
        if after != before:
            changed = sorted(key for key in {*before, *after} if before.get(key) != after.get(key))
            raise CommandError(f"{path}: the folder would not read back the same ({', '.join(changed)}); nothing changed")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    path.unlink()
    return folder


def _without_keys(text: str, keys: list[str]) -> str:
    """The YAML text less the top-level entries `keys` (each from its key line to the last
    indented line before the next key), everything else byte for byte."""
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        match = TOP_LEVEL_KEY.match(line)
        if match:
            skipping = match.group(1) in keys
        elif line.strip() and not line[0].isspace():
            skipping = False  # a top-level comment or document marker belongs to what follows
        if not skipping:
            kept.append(line)
    return "".join(kept)
