import numpy as np
import pytest

from grader import sandbox
from grader.checks import check_sandbox_layers
from grader.sandbox.runner import SERVER_INSTANCE

LIMITS = sandbox.Limits(cpu_seconds=1, wall_seconds=2, memory_mb=256)


def test_it_reports_which_isolation_layers_are_active():
    report = sandbox.isolation()
    assert report["layers"]["process"] and report["layers"]["rlimits"]
    for name, active in report["layers"].items():
        assert active or name in report["missing"]


def test_it_returns_values_as_plain_data():
    outcome = sandbox.run_calls("def f(x):\n    return x * 2, 'ok'\n", "f", [([np.arange(3)], {})], LIMITS)
    assert outcome.status == "ok"
    value = outcome.response["results"][0]["value"]
    assert isinstance(value, tuple) and np.array_equal(value[0], [0, 2, 4]) and value[1] == "ok"


def test_it_runs_every_active_layer(settings):
    outcome = sandbox.run_calls("import os\ndef f():\n    return os.getcwd(), os.getuid()\n", "f", [([], {})], LIMITS)
    cwd, uid = outcome.response["results"][0]["value"]
    if sandbox.isolation()["layers"]["namespaces"]:
        assert cwd == "/scratch"
    if sandbox.isolation()["layers"]["uid"]:
        assert uid != 0
    assert set(outcome.layers) == {n for n, on in sandbox.isolation()["layers"].items() if on}


def test_it_calls_one_function_and_raises_on_failure():
    assert sandbox.call("def f(a, b=1):\n    return a + b\n", "f", 2, b=3) == 5
    with pytest.raises(sandbox.SandboxError):
        sandbox.call("def f():\n    raise ValueError('no')\n", "f")


def test_it_clamps_exercise_limits_to_the_global_caps(settings):
    limits = sandbox.limits_for({"cpu_seconds": 10_000, "memory_mb": -5})
    assert limits.cpu_seconds == settings.GRADING_LIMIT_CAPS["cpu_seconds"]
    assert limits.memory_mb == settings.GRADING_LIMITS["memory_mb"]


def test_it_restarts_a_dead_fork_server():
    sandbox.isolation()
    SERVER_INSTANCE.process.kill()
    SERVER_INSTANCE.process.wait()
    assert sandbox.call("def f():\n    return 1\n", "f") == 1


def test_it_warns_in_manage_py_check_about_a_missing_layer(monkeypatch):
    sandbox.isolation()
    monkeypatch.setitem(SERVER_INSTANCE.layers, "seccomp", False)
    monkeypatch.setitem(SERVER_INSTANCE.reasons, "seccomp", "libseccomp is not usable")
    warnings = check_sandbox_layers()
    assert [w.id for w in warnings] == ["grader.W001"]
    assert "seccomp" in warnings[0].msg and "libseccomp2" in warnings[0].hint


def test_it_lets_a_run_import_the_standard_library_wherever_python_is_installed():
    # Python may live under a folder the run's uid cannot walk (here /root/.pyenv, mode 0700).
    source = "import statistics, logging, fractions\ndef f():\n    return statistics.median([3, 1, 2])\n"
    assert sandbox.call(source, "f") == 2


def test_it_shows_a_run_neither_the_staging_folder_nor_the_project():
    source = "import os\ndef f():\n    return sorted(os.listdir('/')), os.path.exists('/work/main/mlcourse/settings.py')\n"
    listing, sees_settings = sandbox.call(source, "f")
    if sandbox.isolation()["layers"]["namespaces"]:
        assert "mnt" not in listing and "etc" not in listing and not sees_settings
