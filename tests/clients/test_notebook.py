"""A real notebook, run by a real Jupyter kernel (nbclient), against the live test server:
the learner logs in and fetches an exercise with the `mlcourse` command, then submits a wrong
and a right solution with `%%submit`, and both verdicts appear in the cells' outputs."""

import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from api.models import AccessToken
from exercises.models import Submission
from tests.conftest import SIGMOID_RIGHT, SIGMOID_WRONG

MLCOURSE = Path(sys.executable).parent / "mlcourse"


def mlcourse(*args, cwd):
    done = subprocess.run([str(MLCOURSE), *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def outputs_of(cell) -> tuple[str, str]:
    plain = "".join(output.get("data", {}).get("text/plain", "") + output.get("text", "") for output in cell.outputs)
    html = "".join(output.get("data", {}).get("text/html", "") for output in cell.outputs)
    return plain, html


def test_it_submits_from_a_notebook_and_shows_both_verdicts(live_server, course, learner, tmp_path, monkeypatch):
    monkeypatch.setenv("MLCOURSE_CONFIG", str(tmp_path / "config.json"))
    secret = AccessToken.issue(learner, "notebook")[1]
    assert "as ada" in mlcourse("login", "--url", live_server.url, "--token", secret, cwd=tmp_path)
    mlcourse("get", "sigmoid", cwd=tmp_path)

    notebook = nbformat.read(tmp_path / "sigmoid.ipynb", as_version=4)
    statement, load, answer = notebook.cells
    assert "\\sigma(z)" in statement.source and load.source == "%load_ext mlcourse"
    assert answer.source.startswith("%%submit sigmoid\ndef sigmoid(z):")
    answer.source = "%%submit sigmoid\n" + SIGMOID_WRONG  # as the learner edits the starter
    notebook.cells.append(nbformat.v4.new_code_cell("%%submit sigmoid\n" + SIGMOID_RIGHT))
    notebook.cells.append(nbformat.v4.new_code_cell("float(sigmoid(0.0))"))  # the cell ran, too

    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()

    wrong_plain, wrong_html = outputs_of(notebook.cells[2])
    assert "✗" in wrong_plain and "Score" in wrong_plain and "cases passed" in wrong_plain, wrong_plain
    assert "<ol>" in wrong_html and "✗" in wrong_html
    right_plain, right_html = outputs_of(notebook.cells[3])
    assert "✓ Correct. Score 100%" in right_plain and "✓ Correct" in right_html
    assert outputs_of(notebook.cells[4])[0] == "0.5"
    graded = Submission.objects.filter(learner=learner).order_by("pk")
    assert [submission.correct for submission in graded] == [False, True]
