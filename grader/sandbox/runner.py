"""Start one sandboxed run: a fresh interpreter under resource limits, fed a request and
read back with caps and a wall-clock deadline. The process group is killed at the end, so
nothing the run started outlives it."""

from __future__ import annotations

import os
import resource
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import wire

CHILD = Path(__file__).with_name("child.py")
MAX_RESPONSE_BYTES = 64 * 1024 * 1024

SANDBOX_ENV = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 5
    wall_seconds: float = 10
    memory_mb: int = 512
    output_bytes: int = 64_000


@dataclass
class RunOutcome:
    status: str  # "ok" | "timeout" | "crashed" | "bad-response"
    response: dict | None
    stdout: str
    stderr: str
    seconds: float
    message: str = ""


def _apply_limits(limits: Limits):
    def preexec():
        cpu = max(1, int(limits.cpu_seconds + 0.999))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        memory = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    return preexec


def run(request: dict, limits: Limits) -> RunOutcome:
    payload = wire.dumps(request)
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mlcourse-run-") as workdir:
        try:
            process = subprocess.Popen(
                [sys.executable, "-I", str(CHILD), str(write_fd)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(write_fd,),
                cwd=workdir,
                env=SANDBOX_ENV,
                start_new_session=True,
                preexec_fn=_apply_limits(limits),
            )
        finally:
            os.close(write_fd)
        try:
            streams, timed_out = _exchange(process, payload, read_fd, limits, started)
        finally:
            _kill_group(process)
            os.close(read_fd)
        seconds = time.monotonic() - started
    stdout, stderr = (streams[name].decode("utf-8", "replace") for name in ("stdout", "stderr"))
    if timed_out:
        message = f"Time limit exceeded: the run took longer than {limits.wall_seconds:g} s."
        return RunOutcome("timeout", None, stdout, stderr, seconds, message)
    if process.returncode in (-signal.SIGXCPU, -signal.SIGKILL) and not streams["result"]:
        message = f"CPU time limit exceeded ({limits.cpu_seconds:g} s)."
        return RunOutcome("timeout", None, stdout, stderr, seconds, message)
    if not streams["result"]:
        message = _crash_message(process.returncode, stderr)
        return RunOutcome("crashed", None, stdout, stderr, seconds, message)
    try:
        response = wire.loads(streams["result"])
    except wire.WireError as exc:
        return RunOutcome("bad-response", None, stdout, stderr, seconds, f"Unreadable result: {exc}")
    if not isinstance(response, dict):
        return RunOutcome("bad-response", None, stdout, stderr, seconds, "Unreadable result.")
    return RunOutcome("ok", response, stdout, stderr, seconds)


def _exchange(process, payload: bytes, read_fd: int, limits: Limits, started: float):
    """Write the request and read stdout, stderr and the result until all close or time runs out."""
    caps = {"stdout": limits.output_bytes, "stderr": limits.output_bytes, "result": MAX_RESPONSE_BYTES}
    streams = {name: bytearray() for name in caps}
    selector = selectors.DefaultSelector()
    os.set_blocking(process.stdin.fileno(), False)
    selector.register(process.stdin, selectors.EVENT_WRITE, "stdin")
    selector.register(process.stdout, selectors.EVENT_READ, "stdout")
    selector.register(process.stderr, selectors.EVENT_READ, "stderr")
    selector.register(read_fd, selectors.EVENT_READ, "result")
    sent = 0
    deadline = started + limits.wall_seconds
    try:
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return streams, True
            for key, _ in selector.select(remaining):
                name = key.data
                if name == "stdin":
                    try:
                        sent += os.write(key.fd, payload[sent : sent + 65536])
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:  # the child stopped reading; its result says why
                        sent = len(payload)
                    if sent >= len(payload):
                        selector.unregister(key.fileobj)
                        process.stdin.close()
                    continue
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                room = caps[name] - len(streams[name])
                if room > 0:
                    streams[name] += chunk[:room]
        process.wait(timeout=max(0.01, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return streams, True
    finally:
        selector.close()
        if process.stdin and not process.stdin.closed:
            try:
                process.stdin.close()
            except BrokenPipeError:
                pass
    return streams, False


def _kill_group(process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    for stream in (process.stdout, process.stderr):
        stream.close()


def _crash_message(returncode: int, stderr: str) -> str:
    if returncode is not None and returncode < 0:
        name = signal.Signals(-returncode).name
        return f"Your code was stopped by the system ({name})."
    tail = stderr.strip().splitlines()[-1:] or [""]
    if "MemoryError" in stderr:
        return "Memory limit exceeded."
    return f"The run ended without a result (exit code {returncode}). {tail[0]}".strip()
