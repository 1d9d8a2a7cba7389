"""A small pool of warm checker processes, owned by whichever process needs them (a web
worker for previews, a Celery worker for grading, a management command).

Talking to a checker is JSON over pipes: the trusted side never unpickles or evaluates
anything it gets back. A check that overruns its wall-clock time has its process group
killed; a checker that dies (CPU or memory limit) is replaced. Either way the caller gets
{"status": "too-complex"}, never an exception or a hang.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MAX_REPLY_BYTES = 4 * 1024 * 1024
START_SECONDS = 60  # importing SymPy on a loaded CI machine
MAX_CHECKS_PER_WORKER = 2000  # SymPy's caches grow; a fresh process now and then keeps memory flat

WORKER_ENV = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONPATH": str(PROJECT_ROOT),
}


@dataclass(frozen=True)
class PoolLimits:
    workers: int = 2
    cpu_seconds: float = 4
    wall_seconds: float = 6
    memory_mb: int = 1024


class WorkerGone(Exception):
    pass


class _Worker:
    def __init__(self, limits: PoolLimits):
        self.limits = limits
        self.checks = 0
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "grader.symbolic.worker",
                "--memory-mb",
                str(limits.memory_mb),
                "--cpu-seconds",
                str(limits.cpu_seconds),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=PROJECT_ROOT,
            env=WORKER_ENV,
            start_new_session=True,
            bufsize=0,
        )
        self.buffer = b""
        ready = self._read_line(time.monotonic() + START_SECONDS)
        if json.loads(ready).get("status") != "ready":
            self.kill()
            raise WorkerGone("the checker did not start")

    def alive(self) -> bool:
        return self.process.poll() is None

    def call(self, request: dict, wall_seconds: float) -> dict:
        self.checks += 1
        try:
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
        except (BrokenPipeError, OSError):
            raise WorkerGone("the checker is gone") from None
        line = self._read_line(time.monotonic() + wall_seconds)
        try:
            reply = json.loads(line)
        except ValueError:
            raise WorkerGone("the checker's reply was not JSON") from None
        if not isinstance(reply, dict):
            raise WorkerGone("the checker's reply was not an object")
        return reply

    def _read_line(self, deadline: float) -> bytes:
        stream = self.process.stdout
        with selectors.DefaultSelector() as selector:
            selector.register(stream, selectors.EVENT_READ)
            while b"\n" not in self.buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                if not selector.select(remaining):
                    continue
                chunk = os.read(stream.fileno(), 65536)
                if not chunk:
                    raise WorkerGone("the checker stopped")
                self.buffer += chunk
                if len(self.buffer) > MAX_REPLY_BYTES:
                    raise WorkerGone("the checker's reply is too large")
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()


class CheckerPool:
    def __init__(self, limits: PoolLimits):
        self.limits = limits
        self.idle: list[_Worker] = []
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(max(1, limits.workers))
        self.owner = os.getpid()

    def run(self, request: dict, *, wall_seconds: float | None = None) -> dict:
        """The checker's reply; {"status": "too-complex"} on a timeout or a killed checker,
        {"status": "unavailable"} when no checker can be started."""
        wall = wall_seconds or self.limits.wall_seconds
        with self.slots:
            try:
                worker = self._take()
            except (WorkerGone, TimeoutError, OSError, ValueError) as exc:
                return {"status": "unavailable", "message": f"The expression checker could not start: {exc}"}
            try:
                reply = worker.call(request, wall)
            except (TimeoutError, WorkerGone):
                worker.kill()
                return {"status": "too-complex"}
            if worker.alive() and worker.checks < MAX_CHECKS_PER_WORKER:
                with self.lock:
                    self.idle.append(worker)
            else:
                worker.kill()
            return reply

    def _take(self) -> _Worker:
        with self.lock:
            while self.idle:
                worker = self.idle.pop()
                if worker.alive():
                    return worker
                worker.kill()
        return _Worker(self.limits)

    def close(self) -> None:
        with self.lock:
            workers, self.idle = self.idle, []
        for worker in workers:
            worker.kill()


_pool: CheckerPool | None = None
_pool_lock = threading.Lock()


def _limits_from_settings() -> PoolLimits:
    try:
        from django.conf import settings

        if settings.configured:
            return PoolLimits(**settings.SYMBOLIC_LIMITS)
    except (ImportError, AttributeError):
        pass
    return PoolLimits()


def get_pool() -> CheckerPool:
    """This process's pool (a forked child gets its own rather than its parent's pipes)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool.owner != os.getpid():
            _pool = CheckerPool(_limits_from_settings())
            atexit.register(_pool.close)
        return _pool


def run(request: dict, *, wall_seconds: float | None = None) -> dict:
    return get_pool().run(request, wall_seconds=wall_seconds)
