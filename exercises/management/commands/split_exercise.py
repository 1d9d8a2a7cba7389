"""Turn a single-file code exercise into the folder form (docs/content-format.md).

`NN-slug.yaml` becomes `NN-slug/` holding exercise.yaml (the other fields, their layout and
comments kept), reference.py, starter.py, cases.py and mutants/NN-name.py. The folder reads
back as exactly the same exercise, so loading the course afterwards adds no version.
"""

import re
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises.content import CODE_FILES, EXERCISE_YAML, ContentError, exercise_data, load_yaml

TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


class Command(BaseCommand):
    help = (
        "Split a single-file code exercise (NN-slug.yaml) into a folder NN-slug/ with exercise.yaml, "
        "reference.py, starter.py, cases.py and mutants/*.py (each mutant's name becomes its docstring). "
        "The folder loads as the same exercise; the YAML file is removed. Commit the result in git."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the exercise file, e.g. exercises/content/applications/01-impute-column-mean.yaml")

    def handle(self, *args, path, **options):
        folder = split_exercise(Path(path))
        files = sorted(str(file.relative_to(folder)) for file in folder.rglob("*") if file.is_file())
        self.stdout.write(f"{path} -> {folder}/: {', '.join(files)}")


def split_exercise(path: Path) -> Path:
    """Split `path` and return the new folder; on any doubt nothing is changed."""
    if not path.is_file() or path.suffix != ".yaml" or path.name in ("module.yaml", EXERCISE_YAML):
        raise CommandError(f"{path}: not an exercise file (NN-slug.yaml)")
    text = path.read_text(encoding="utf-8")
    try:
        before = exercise_data(path)
    except ContentError as exc:
        raise CommandError(str(exc)) from None
    if not isinstance(before, dict) or before.get("kind") != "code":
        raise CommandError(f"{path}: only a code exercise has code to split into files")
    data = load_yaml(text)  # as written: `_shared` imports not inlined
    code = {name: data[name] for name in CODE_FILES if isinstance(data.get(name), str)}
    mutants = data.get("mutants") or []
    for index, mutant in enumerate(mutants, start=1):
        if not (isinstance(mutant, dict) and set(mutant) <= {"name", "code"} and isinstance(mutant.get("code"), str)):
            raise CommandError(f"{path}: mutant {index} is not just a name and code")
        name = str(mutant.get("name") or "")
        if '"""' in name or "\\" in name or "\n" in name:
            raise CommandError(f"{path}: the name of mutant {index} cannot be written as a docstring")
    moved = [*code, *(["mutants"] if mutants else [])]
    remaining = _without_keys(text, moved)
    if load_yaml(remaining) != {key: value for key, value in data.items() if key not in moved}:
        raise CommandError(f"{path}: the other fields could not be kept as written; split it by hand")

    folder = path.with_suffix("")
    if folder.exists():
        raise CommandError(f"{folder} already exists")
    try:
        folder.mkdir()
        (folder / EXERCISE_YAML).write_text(remaining, encoding="utf-8")
        for name, source in code.items():
            (folder / f"{name}.py").write_text(source, encoding="utf-8")
        if mutants:
            (folder / "mutants").mkdir()
        for index, mutant in enumerate(mutants, start=1):
            name = str(mutant.get("name") or f"mutant {index}")
            file_name = f"{index:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')[:40].rstrip('-') or 'mutant'}.py"
            (folder / "mutants" / file_name).write_text(f'"""{name}"""\n\n{mutant["code"]}', encoding="utf-8")
        after = exercise_data(folder / EXERCISE_YAML)
        for index, mutant in enumerate(before.get("mutants") or [], start=1):
            mutant["name"] = str(mutant.get("name") or f"mutant {index}")  # as the loader names it
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
    lines = text.splitlines(keepends=True)
    kept, skipping = [], False
    for line in lines:
        match = TOP_LEVEL_KEY.match(line)
        if match:
            skipping = match.group(1) in keys
        elif line.strip() and not line[0].isspace():
            skipping = False  # a top-level comment or document marker belongs to what follows
        if not skipping:
            kept.append(line)
    return "".join(kept)
