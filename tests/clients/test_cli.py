"""The `mlcourse` command against the live test server, run in-process."""

import os
import stat

import pytest
from mlcourse_client import cli, feedback

from api.models import AccessToken
from tests.conftest import SIGMOID_RIGHT, SIGMOID_WRONG


@pytest.fixture
def logged_in(live_server, learner, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MLCOURSE_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["login", "--url", live_server.url, "--token", AccessToken.issue(learner, "cli")[1]]) == 0
    capsys.readouterr()
    return tmp_path


def test_it_keeps_the_token_readable_by_its_owner_only(logged_in):
    assert stat.S_IMODE(os.stat(logged_in / "config.json").st_mode) == 0o600


def test_it_refuses_a_wrong_token(live_server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MLCOURSE_CONFIG", str(tmp_path / "config.json"))
    assert cli.main(["login", "--url", live_server.url, "--token", "mlc_wrong"]) == 2
    assert "personal access token" in capsys.readouterr().err
    assert not (tmp_path / "config.json").exists()


def test_it_writes_a_python_file_and_grades_it(course, logged_in, capsys):
    assert cli.main(["get", "sigmoid", "sigmoid.py"]) == 0
    written = (logged_in / "sigmoid.py").read_text()
    assert (
        written.startswith("# # Sigmoid")
        and "mlcourse submit sigmoid sigmoid.py" in written
        and "def sigmoid(z):" in written
    )
    assert cli.main(["get", "sigmoid", "sigmoid.py"]) == 2  # never overwrites without --force
    (logged_in / "sigmoid.py").write_text(written.split("def sigmoid")[0] + SIGMOID_WRONG)
    capsys.readouterr()
    assert cli.main(["submit", "sigmoid"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("✗ ") and "✗ a few values" in out and "expected:" in out
    (logged_in / "sigmoid.py").write_text(SIGMOID_RIGHT)
    assert cli.main(["submit", "sigmoid"]) == 0
    assert capsys.readouterr().out.startswith("✓ Correct. Score 100%")


def test_it_lists_the_exercises(course, logged_in, capsys):
    assert cli.main(["list"]) == 0
    assert "sigmoid" in capsys.readouterr().out


def test_it_shows_the_servers_rendered_math_in_html():
    submission = {
        "pending": False, "status": "graded", "correct": False, "score": 0.0, "url": "http://x/submissions/1/",
        "feedback": {"message": "0 of 1 cases passed.", "traceback": None, "stdout": "", "cases": [
            {"name": "x", "passed": False, "hidden": False, "message": "Expected $x^2$.", "diagnosis": None,
             "message_html": "<p>Expected <math><msup><mi>x</mi><mn>2</mn></msup></math>.</p>",
             "input": "<b>", "expected": None, "got": None, "traceback": None}]},
    }  # fmt: skip
    html = feedback.as_html(submission)
    assert "<math><msup>" in html and "&lt;b&gt;" in html
    assert "$x^2$" in feedback.as_markdown(submission)
