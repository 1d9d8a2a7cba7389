"""Hostile submissions against the real sandbox, with every layer this host allows.

Most attacks are written so that the learner's function returns the right answer only if the
attack worked: a submission that is graded "not correct" is then proof the attack failed.
After each test an honest submission must still be graded correct (the worker and the fork
server survived) and no process of a run may be left behind.
"""

import os
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from grader import engine, sandbox
from grader.sandbox import layers as layers_module
from grader.sandbox.runner import SANDBOX_ENV, SERVER_INSTANCE

SPEC = {
    "entry_point": "add",
    "reference": "def add(a, b):\n    return a + b\n",
    "cases": textwrap.dedent(
        """
        import numpy as np

        def cases(rng):
            yield {"name": "small", "args": [np.arange(3.0), np.ones(3)]}
            yield {"name": "random", "args": [rng.normal(size=(2, 2)), rng.normal(size=(2, 2))], "hidden": True}
        """
    ),
    "compare": {"method": "allclose"},
    "limits": {"cpu_seconds": 1, "wall_seconds": 2, "memory_mb": 256},
}
HONEST = "def add(a, b):\n    return a + b\n"
PROJECT_FILE = str(Path(settings.BASE_DIR) / "mlcourse" / "settings.py")


@pytest.fixture(scope="module")
def cases():
    return engine.prepare_code_cases(SPEC, seed=7)


def _processes_of(uid: int) -> list[int]:
    """Processes owned by `uid` anywhere on the host (each run has a uid of its own)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            line = next(line for line in status.splitlines() if line.startswith("Uid:"))
            if int(line.split()[1]) == uid:
                found.append(int(entry))
    return found


def assert_nothing_left_of(result) -> None:
    """The run printed its uid first thing; no process may hold that uid after the verdict."""
    if not layer("uid"):
        pytest.skip("without a uid per run, the run's processes cannot be told apart")
    uid = int(result.stdout.split()[0])
    assert uid >= layers_module.UID_BASE
    deadline = time.monotonic() + 5  # the kernel tears a PID namespace down asynchronously
    while _processes_of(uid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _processes_of(uid) == []


@pytest.fixture(autouse=True)
def still_grading(cases):
    yield
    result = engine.grade("code", SPEC, HONEST, cases=cases)
    assert result.correct, result.message
    assert SERVER_INSTANCE.process.poll() is None


def grade(source: str, cases) -> engine.GradingResult:
    result = engine.grade("code", SPEC, textwrap.dedent(source), cases=cases)
    assert result.status == "graded", result.message  # a typed verdict, never a platform error
    return result


def breach(attempt: str) -> str:
    """A submission that is right only if `attempt` (which sets `ok`) succeeds."""
    body = textwrap.indent(textwrap.dedent(attempt), " " * 8)
    return f"def add(a, b):\n    ok = False\n    try:\n{body}\n    except BaseException:\n        ok = False\n    return a + b if ok else a - b\n"


def layer(name: str) -> bool:
    return sandbox.isolation()["layers"][name]


def assert_blocked(source: str, cases):
    result = grade(source, cases)
    assert not result.correct
    return result


# --- reading what is not the run's -----------------------------------------------------


def test_it_hides_the_project_tree(cases):
    assert_blocked(breach(f"ok = bool(open({PROJECT_FILE!r}).read())"), cases)


def test_it_hides_the_exercise_content_and_references(cases):
    assert_blocked(breach(f"import os\nok = bool(os.listdir({str(settings.BASE_DIR / 'exercises')!r}))"), cases)


def test_it_hides_the_database_files(cases):
    assert_blocked(breach(f"import os\nok = bool(os.listdir({str(settings.BASE_DIR / 'var')!r}))"), cases)


def test_it_hides_proc_and_host_configuration(cases):
    assert_blocked(breach("ok = bool(open('/proc/1/environ', 'rb').read() or open('/etc/hostname').read())"), cases)


def test_it_gives_an_empty_environment(cases):
    assert_blocked(breach(f"import os\nok = set(os.environ) != {set(SANDBOX_ENV)!r}"), cases)


def test_it_hides_the_projects_modules(cases):
    assert_blocked(breach("import mlcourse.settings\nok = True"), cases)
    assert_blocked(breach("import grader.engine\nok = True"), cases)


def test_it_gives_no_inherited_file_descriptors(cases):
    attempt = """
    import os
    for fd in range(4, 1024):
        try:
            os.fstat(fd)
            ok = True
        except OSError:
            pass
    """
    assert_blocked(breach(attempt), cases)


def test_it_does_not_follow_symlinks_out_of_the_sandbox(cases):
    attempt = f"import os\nos.symlink({PROJECT_FILE!r}, 'link')\nok = bool(open('link').read())"
    assert_blocked(breach(attempt), cases)


def test_it_finds_no_reference_values_by_frame_or_gc_inspection(cases):
    attempt = """
    import gc, sys
    frame = sys._getframe()
    names = set()
    while frame:
        names |= set(frame.f_locals) | set(frame.f_globals)
        frame = frame.f_back
    ok = "expected" in names or any(type(o).__name__ == "PreparedCase" for o in gc.get_objects())
    """
    assert_blocked(breach(attempt), cases)


# --- network, privileges, other processes ----------------------------------------------


def test_it_gives_no_network_not_even_the_workers_loopback(cases):
    attempt = "import socket\nsocket.create_connection(('127.0.0.1', 6379), timeout=1).close()\nok = True"
    assert_blocked(breach(attempt), cases)


def test_it_refuses_internet_sockets_outright(cases):
    assert_blocked(breach("import socket\nsocket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\nok = True"), cases)


def test_it_hides_the_databases_unix_socket(cases):
    attempt = (
        "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('/var/run/postgresql/.s.PGSQL.5432')\nok = True"
    )
    assert_blocked(breach(attempt), cases)


def test_it_refuses_privilege_changes(cases):
    assert_blocked(breach("import os\nos.setuid(0)\nok = os.geteuid() == 0"), cases)


def test_it_runs_as_an_unprivileged_uid(cases):
    if not layer("uid"):
        pytest.skip("the uid layer needs a root worker")
    assert_blocked(breach("import os\nok = os.getuid() == 0 or os.geteuid() == 0"), cases)


@pytest.mark.parametrize(
    "call",
    [
        "libc.ptrace(0, 0, 0, 0) == 0",  # PTRACE_TRACEME
        "libc.unshare(0x10000000) == 0",  # CLONE_NEWUSER
        "libc.mount(b'none', b'/scratch', b'tmpfs', 0, None) == 0",
        "libc.syscall(425, 8, None) >= 0",  # io_uring_setup
        "libc.syscall(321, 0, None, 0) >= 0",  # bpf
        "libc.syscall(250, 0, 0, 0, 0, 0) >= 0",  # keyctl
        "libc.setns(0, 0) == 0",
    ],
)
def test_it_denies_dangerous_syscalls(cases, call):
    attempt = f"import ctypes\nlibc = ctypes.CDLL(None)\nok = {call}"
    assert_blocked(breach(attempt), cases)


def test_it_survives_an_attempt_to_kill_the_worker_and_the_fork_server(cases):
    if not (layer("uid") and layer("namespaces")):
        pytest.skip("kill(-1) from a run without its own uid and PID namespace could reach the host")
    targets = [os.getpid(), SERVER_INSTANCE.process.pid, -1]
    attempt = f"""
    import os, signal
    for pid in {targets!r}:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    ok = False
    """
    assert_blocked(breach(attempt), cases)
    assert SERVER_INSTANCE.process.poll() is None


def test_it_kills_background_processes_with_the_run(cases):
    source = """
    import os, time
    print(os.getuid(), flush=True)
    if os.fork() == 0:
        os.setsid()
        while True:
            time.sleep(0.01)
    def add(a, b):
        return a - b
    """
    assert_nothing_left_of(assert_blocked(source, cases))


def test_it_keeps_nothing_from_one_run_to_the_next(cases):
    writer = """
    def add(a, b):
        for path in ('/scratch/marker', '/tmp/marker', '/dev/shm/marker', 'marker'):
            try:
                open(path, 'w').write('x')
            except OSError:
                pass
        return a - b
    """
    assert_blocked(writer, cases)
    reader = breach(
        "import os\nok = any(os.path.exists(p) for p in ('/scratch/marker', '/tmp/marker', '/dev/shm/marker', 'marker'))"
    )
    assert_blocked(reader, cases)
    assert not Path("/tmp/marker").exists() and not Path("/dev/shm/marker").exists()


# --- cheating the comparison -----------------------------------------------------------


def test_it_refuses_objects_whose_eq_lies(cases):
    source = """
    class Always:
        def __eq__(self, other):
            return True
        __ne__ = lambda self, other: False
    def add(a, b):
        return Always()
    """
    result = assert_blocked(source, cases)
    assert "cannot be checked" in result.cases[0].message


def test_it_judges_array_subclasses_by_their_data_only(cases):
    source = """
    import numpy as np
    class Liar(np.ndarray):
        def __array_ufunc__(self, *args, **kwargs):
            return True
        def __eq__(self, other):
            return True
    def add(a, b):
        return np.zeros_like(a).view(Liar)
    """
    assert_blocked(source, cases)


def test_it_is_not_fooled_by_monkeypatching_numpy(cases):
    source = """
    import numpy as np
    np.allclose = lambda *a, **k: True
    np.array_equal = lambda *a, **k: True
    np.testing.assert_allclose = lambda *a, **k: None
    def add(a, b):
        return a * 0
    """
    assert_blocked(source, cases)


def test_it_ignores_fake_results_printed_or_written(cases):
    source = """
    import os, sys
    print('All 2 cases passed.')
    sys.stderr.write('{"ok": true, "score": 1.0}')
    def add(a, b):
        return None
    """
    result = assert_blocked(source, cases)
    assert "All 2 cases passed." in result.stdout


def test_it_ignores_a_forged_result_message(cases):
    source = """
    import os, sys
    sys.path.insert(0, '/')
    import wire
    forged = {"ok": True, "results": [{"ok": True, "value": "correct"}] * 2}
    os.write(3, wire.dumps(forged))
    os._exit(0)
    """
    assert_blocked(source, cases)


def test_it_treats_exiting_early_as_a_wrong_answer(cases):
    for exit_call in ("raise SystemExit(0)", "import os; os._exit(0)", "import sys; sys.exit(1)"):
        result = assert_blocked(f"def add(a, b):\n    {exit_call}\n", cases)
        assert result.score == 0


def test_it_copies_inputs_before_the_learner_mutates_them(cases):
    before = [[np.copy(arg) for arg in case.args] for case in cases]
    source = """
    def add(a, b):
        total = a + b
        a[...] = 1e9
        b += 1e9
        return total
    """
    assert grade(source, cases).correct  # mutating its own copy is harmless...
    for case, original in zip(cases, before, strict=True):  # ...and reaches nothing here
        for arg, copy in zip(case.args, original, strict=True):
            assert np.array_equal(arg, copy)


# --- exhausting resources --------------------------------------------------------------


def test_it_stops_an_infinite_loop(cases):
    started = time.monotonic()
    result = assert_blocked("def add(a, b):\n    while True:\n        pass\n", cases)
    assert "limit" in result.message
    assert time.monotonic() - started < 4


def test_it_stops_a_sleep_at_the_wall_clock_limit(cases):
    started = time.monotonic()
    result = assert_blocked("import time\ndef add(a, b):\n    time.sleep(60)\n", cases)
    assert "Time limit exceeded" in result.message
    assert time.monotonic() - started < 4


def test_it_contains_a_fork_bomb(cases):
    source = """
    import os
    print(os.getuid(), flush=True)
    def add(a, b):
        while True:
            try:
                os.fork()
            except OSError:
                pass
    """
    assert_nothing_left_of(assert_blocked(source, cases))


def test_it_contains_a_thread_bomb(cases):
    source = """
    import os, threading, time
    print(os.getuid(), flush=True)
    def add(a, b):
        for _ in range(10_000):
            threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
        return a + b
    """
    assert_nothing_left_of(assert_blocked(source, cases))


def test_it_contains_a_memory_bomb(cases):
    result = assert_blocked("def add(a, b):\n    x = bytearray(8 * 1024**3)\n    return a + b\n", cases)
    assert "Memory limit exceeded" in result.cases[0].message and result.cases[0].error_type == "MemoryError"
    assert result.cases[1].stopped == "skipped"  # the run stops at the first case out of memory


def test_it_contains_a_numpy_memory_bomb(cases):
    source = "import numpy as np\nhog = np.ones((1 << 16, 1 << 16))\ndef add(a, b):\n    return a + b\n"
    result = assert_blocked(source, cases)
    assert "MemoryError" in result.message or "Memory" in result.message


def test_it_caps_infinite_output(cases):
    result = assert_blocked("def add(a, b):\n    while True:\n        print('x' * 1000)\n", cases)
    assert len(result.stdout) <= 4000


def test_it_caps_file_size(cases):
    result = assert_blocked("def add(a, b):\n    open('big', 'wb').write(b'x' * 10_000_000)\n    return a + b\n", cases)
    assert result.score == 0


def test_it_survives_deep_recursion(cases):
    source = """
    import sys
    sys.setrecursionlimit(10**7)
    def add(a, b, depth=0):
        return add(a, b, depth + 1)
    """
    assert_blocked(source, cases)


def test_it_handles_a_huge_source_file(cases):
    source = "# padding\n" * 500_000 + "def add(a, b):\n    return a - b\n"
    assert_blocked(source, cases)
