import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

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


def layer(name: str) -> bool:
    return sandbox.isolation()["layers"][name]


def test_it_reports_the_layers_each_run_entered():
    outcome = sandbox.run_calls("def f():\n    return 1\n", "f", [([], {})], LIMITS)
    assert set(outcome.layers) == {n for n, on in sandbox.isolation()["layers"].items() if on}


def test_it_runs_in_a_scratch_folder_of_its_own():
    if not layer("namespaces"):
        pytest.skip("the namespaces layer is not active here")
    assert sandbox.call("import os\ndef f():\n    return os.getcwd(), sorted(os.listdir('.'))\n", "f") == (
        "/scratch",
        [],
    )


def test_it_runs_as_an_unprivileged_uid_of_its_own():
    if not layer("uid"):
        pytest.skip("the uid layer is not active here")
    first = sandbox.call("import os\ndef f():\n    return os.getuid()\n", "f")
    second = sandbox.call("import os\ndef f():\n    return os.getuid()\n", "f")
    assert first >= 200_000 and second >= 200_000 and first != second


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
    if not layer("namespaces"):
        pytest.skip("the namespaces layer is not active here")
    project_file = str(settings.BASE_DIR / "mlcourse" / "settings.py")
    source = f"import os\ndef f():\n    return sorted(os.listdir('/')), os.path.exists({project_file!r})\n"
    listing, sees_settings = sandbox.call(source, "f")
    assert "mnt" not in listing and "etc" not in listing and not sees_settings


SLEEPER = """
import os, sys, threading, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlcourse.settings")
import django
django.setup()
from grader import sandbox
from grader.sandbox.runner import SERVER_INSTANCE

wall = float(sys.argv[1])
limits = sandbox.Limits(cpu_seconds=5, wall_seconds=wall)
source = "import time\\ndef f():\\n    time.sleep(600)\\n"
threading.Thread(target=sandbox.run_calls, args=(source, "f", [([], {})], limits), daemon=True).start()
while SERVER_INSTANCE.process is None:
    time.sleep(0.05)
print(SERVER_INSTANCE.process.pid, flush=True)
time.sleep(600)
"""


def _descendants(pid: int) -> set[int]:
    found, pending = set(), [pid]
    while pending:
        current = pending.pop()
        try:
            children = [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            continue
        found.update(children)
        pending += children
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            if "State:\tZ" not in Path(f"/proc/{pid}/status").read_text():
                alive.add(pid)
        except OSError:
            pass
    return alive


def _start_sleeper(wall: float):
    worker = subprocess.Popen(
        [sys.executable, "-c", SLEEPER, str(wall)], cwd=settings.BASE_DIR, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "DEBUG": "true"},
    )  # fmt: skip
    server = int(worker.stdout.readline())
    # Wait for the run itself: the keeper and the run it forked, under the fork server.
    deadline = time.monotonic() + 30
    while len(_descendants(server)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    runs = _descendants(server)
    assert len(runs) >= 2, "the sleeping run should be under the fork server"
    return worker, runs


def _gone_within(pids: set[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pids)


def test_it_takes_every_run_down_with_a_killed_worker():
    worker, runs = _start_sleeper(wall=300)
    worker.kill()
    worker.wait()
    assert _gone_within(runs, 5), f"left running: {_alive(runs)}"


def test_it_enforces_the_deadline_even_when_the_worker_does_not():
    worker, runs = _start_sleeper(wall=1)
    os.kill(worker.pid, signal.SIGSTOP)  # the trusted side can no longer kill anything
    try:
        assert _gone_within(runs, 20), f"left running: {_alive(runs)}"  # the keeper's deadline is 1 s + 2 s
    finally:
        worker.kill()
        worker.wait()
