"""Turn a single-file code exercise into the folder form (docs/content-format.md).

`NN-slug.yaml` becomes `NN-slug/` holding exercise.yaml (the other fields, their layout and
comments kept), reference.py, starter.py, cases.py and mutants/NN-name.py. The folder reads
back as exactly the same exercise, so loading the course afterwards adds no version.
"""

import ast
import re
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises.content import EXERCISE_YAML, SHARED, ContentError, exercise_data, folder_files, load_yaml

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
        parser.add_argument(
            "--use-shared",
            action="store_true",
            help="replace each top-level function or class that a _shared/*.py helper of the module or course "
            "defines by the same name with an import of it (the code changes: review the diff, then let "
            "`ruff check --fix` drop the imports only the copy needed)",
        )

    def handle(self, *args, path, use_shared, **options):
        replaced: list[str] = []
        folder = split_exercise(Path(path), use_shared=use_shared, replaced=replaced)
        files = sorted(str(file.relative_to(folder)) for file in folder.rglob("*") if file.is_file())
        self.stdout.write(f"{path} -> {folder}/: {', '.join(files)}")
        for line in replaced:
            self.stdout.write(f"  now imported: {line}")


def split_exercise(path: Path, *, use_shared: bool = False, replaced: list[str] | None = None) -> Path:
    """Split `path` and return the new folder; on any doubt nothing is changed. With
    `use_shared`, copies of shared helpers become imports (listed in `replaced`)."""
    replaced = [] if replaced is None else replaced
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
    changed_files = set()
    if use_shared:
        helpers = _shared_names(path.parent)
        for name, source in files.items():
            files[name], imported = _import_shared(source, helpers)
            if imported:
                changed_files.add(name)
                replaced.append(f"{name}: {imported}")
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
        expected = {"mutants" if name.startswith("mutants/") else name.removesuffix(".py") for name in changed_files}
        changed = sorted(key for key in {*before, *after} if before.get(key) != after.get(key) and key not in expected)
        if changed:
            raise CommandError(
                f"{path}: the folder would not read back the same ({', '.join(changed)}); nothing changed"
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    path.unlink()
    return folder


def _shared_names(module_path: Path) -> dict[str, str]:
    """Function or class name -> the _shared helper defining it (the module's before the course's)."""
    names = {}
    for folder in (module_path.parent / SHARED, module_path / SHARED):  # the module's, read last, wins
        for helper in sorted(folder.glob("*.py")):
            for node in ast.parse(helper.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    names[node.name] = helper.stem
    return names


def _import_shared(source: str, helpers: dict[str, str]) -> tuple[str, str]:
    """`source` with its top-level copies of shared definitions replaced by one import line per
    helper, after the leading imports; and the import lines written ("" if none)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    after_imports = 0
    for node in tree.body:
        if not isinstance(node, ast.Import | ast.ImportFrom | ast.Expr):  # a docstring may come first
            break
        after_imports = node.end_lineno
    imported: dict[str, list[str]] = {}
    for node in reversed(tree.body):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name in helpers:
            start = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)]) - 1
            end = node.end_lineno
            while end < len(lines) and not lines[end].strip():
                end += 1  # the blank lines that separated it go too
            del lines[start:end]
            imported.setdefault(helpers[node.name], []).insert(0, node.name)
    if not imported:
        return source, ""
    block = "".join(f"from {SHARED}.{helper} import {', '.join(names)}\n" for helper, names in sorted(imported.items()))
    lines.insert(after_imports, block)
    return "".join(lines), block.strip().replace("\n", "; ")


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
