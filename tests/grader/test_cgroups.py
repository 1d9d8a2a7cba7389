"""A cgroup per sandboxed run: memory, processes and CPU bounded for the run as a whole, and
nothing left behind. Skipped unless the fork server found cgroups it may manage (root, with
the memory, pids and cpu controllers)."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader import engine, sandbox
from grader.sandbox import cgroups
from grader.sandbox.runner import SERVER_INSTANCE

SPEC = {
    "entry_point": "add",
    "reference": "def add(a, b):\n    return a + b\n",
    "cases": "def cases(rng):\n    yield {'name': 'one', 'args': [1, 2]}\n",
    "compare": {"method": "allclose"},
    "limits": {"cpu_seconds": 5, "wall_seconds": 10, "memory_mb": 512},
}


@pytest.fixture(autouse=True)
def cgroups_layer():
    if not sandbox.isolation()["layers"]["cgroups"]:
        pytest.skip("the cgroups layer is not active here")


def test_it_bounds_a_runs_memory_in_total_not_per_process():
    # Eight processes of 400 MB each stay within the per-process address-space limit (512 MB
    # above the baseline); only a limit on the run as a whole stops them. The answer is right
    # only if every one of them got its memory.
    source = textwrap.dedent(
        """
        import os

        def add(a, b):
            children = []
            for _ in range(8):
                pid = os.fork()
                if pid == 0:
                    block = bytearray(400 * 1024 * 1024)
                    for i in range(0, len(block), 4096):
                        block[i] = 1
                    os._exit(0)
                children.append(pid)
            ok = all(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0 for pid in children)
            return a + b if ok else a - b
        """
    )
    cases = engine.prepare_code_cases(SPEC, seed=1)
    result = engine.grade("code", SPEC, source, cases=cases)
    assert result.status == "graded" and not result.correct


def test_it_reports_an_oom_kill_of_the_run_as_exceeding_its_memory():
    # Each process stays under its own address-space limit; together they pass the run's 512 MB,
    # and the kernel kills the largest, the run's main process.
    source = textwrap.dedent(
        """
        import os, time

        def add(a, b):
            mine = bytearray(400 * 1024 * 1024)
            for i in range(0, len(mine), 4096):
                mine[i] = 1
            if os.fork() == 0:
                del mine  # so that its own address-space limit leaves room for the next block
                theirs = bytearray(400 * 1024 * 1024)
                for i in range(0, len(theirs), 4096):
                    theirs[i] = 1
                os._exit(0)
            time.sleep(5)
            return a + b
        """
    )
    limits = sandbox.Limits(cpu_seconds=5, wall_seconds=10, memory_mb=512)
    outcome = sandbox.run_calls(source, "add", [([1, 2], {})], limits)
    assert outcome.status == "crashed"
    assert outcome.message == "Memory limit exceeded: your code's processes needed more than 512 MB in all."


def test_it_removes_each_runs_group_once_the_run_is_over():
    for _ in range(10):
        assert sandbox.call("def f():\n    return 1\n", "f") == 1
    server_pid = SERVER_INSTANCE.process.pid
    sandbox.call("def f():\n    return 1\n", "f")  # a spawn tidies up the groups of finished runs
    parents = [Path(folder) for folder in _parents(server_pid)]
    # The last run's group, and at most the one before it (its killed processes may still be
    # exiting when the next run starts): groups never pile up.
    assert parents and all(len([p for p in parent.iterdir() if p.is_dir()]) <= 2 for parent in parents)


def test_it_kills_what_a_dead_fork_servers_runs_left_behind():
    sandbox.isolation()
    parent = Path(_parents(SERVER_INSTANCE.process.pid)[0]).parent
    leftover = parent / f"{cgroups.PREFIX}999999"  # no fork server has this pid
    (leftover / "run-1").mkdir(parents=True)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        for name in ("cgroup.procs",):
            (leftover / "run-1" / name).write_text(str(sleeper.pid))
        SERVER_INSTANCE.stop()  # the next run starts a new fork server, which sweeps
        assert sandbox.call("def f():\n    return 1\n", "f") == 1
        assert sleeper.wait(timeout=10) == -9
        assert not leftover.exists()
    finally:
        if sleeper.poll() is None:
            sleeper.kill()


def _parents(server_pid: int) -> list[str]:
    """The server's parent group folder in each hierarchy it uses."""
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        mount_point = fields[4]
        if "cgroup" in line.split(" - ")[1].split()[0]:
            for directory, subfolders, _ in os.walk(mount_point):
                if f"{cgroups.PREFIX}{server_pid}" in subfolders:
                    found.append(os.path.join(directory, f"{cgroups.PREFIX}{server_pid}"))
                    break
                if directory.count("/") > 8:
                    subfolders.clear()
    return sorted(set(found))
