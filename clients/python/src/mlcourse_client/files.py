"""An exercise written into a notebook or a .py file, and the answer read back from it."""

from __future__ import annotations

from pathlib import Path

import nbformat

MAGIC = "%%submit"


def _statement_markdown(exercise: dict) -> str:
    lines = [f"# {exercise['title']}", "", exercise["statement"].strip(), ""]
    for choice in exercise.get("choices") or []:
        lines.append(f"{choice['index']}. {choice['text']}")
    lines += [
        "",
        f"*{exercise['module']} · {exercise['kind']} · {exercise['answer_format']}* [On the course site]({exercise['url']})",
    ]
    return "\n".join(lines).strip() + "\n"


def _first_answer(exercise: dict) -> str:
    if exercise["kind"] == "code":
        return (exercise.get("starter") or "").rstrip() + "\n"
    return ""


def write(exercise: dict, path: Path, *, force: bool = False) -> Path:
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; use --force to overwrite it.")
    if path.suffix == ".ipynb":
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [
            nbformat.v4.new_markdown_cell(_statement_markdown(exercise)),
            nbformat.v4.new_code_cell("%load_ext mlcourse"),
            nbformat.v4.new_code_cell(f"{MAGIC} {exercise['slug']}\n{_first_answer(exercise)}".rstrip() + "\n"),
        ]
        notebook.metadata["mlcourse"] = {"slug": exercise["slug"], "version": exercise["version"]}
        nbformat.write(notebook, str(path))
    else:
        header = "\n".join(f"# {line}".rstrip() for line in _statement_markdown(exercise).splitlines())
        submit = f"#\n# Submit with: mlcourse submit {exercise['slug']} {path.name}\n\n"
        path.write_text(header + "\n" + submit + _first_answer(exercise))
    return path


def default_path(slug: str) -> Path:
    for candidate in (Path(f"{slug}.ipynb"), Path(f"{slug}.py")):
        if candidate.exists():
            return candidate
    return Path(f"{slug}.ipynb")


def read_answer(path: Path, slug: str, kind: str) -> str:
    """The answer in a file: a notebook's last `%%submit SLUG` cell, or a .py file (without its
    comment lines, for answers that are not code)."""
    if path.suffix == ".ipynb":
        notebook = nbformat.read(str(path), as_version=4)
        cells = [
            cell.source
            for cell in notebook.cells
            if cell.cell_type == "code" and cell.source.split("\n", 1)[0].split() == [MAGIC, slug]
        ]
        if not cells:
            raise ValueError(f"{path} has no cell starting with `{MAGIC} {slug}`.")
        answer = cells[-1].split("\n", 1)[1] if "\n" in cells[-1] else ""
    else:
        answer = path.read_text()
    if kind != "code":
        answer = "\n".join(line for line in answer.splitlines() if not line.lstrip().startswith("#")).strip()
    return answer
