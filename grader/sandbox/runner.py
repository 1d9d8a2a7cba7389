"""Start one sandboxed run through the fork server and read it back under caps and a deadline.

The trusted side makes the run's pipes itself and hands their far ends to the fork server
(`server.py`), which forks an isolated child around them; the request goes to the child on
its stdin, the response comes back on the result pipe, and the child's exit status on a
status pipe that only the keeper process holds. Nothing the run prints decides anything.
At the end the keeper is killed through its pidfd, which takes the run's whole PID namespace
with it (or, without namespaces, its process group).
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import wire

SERVER = Path(__file__).with_name("server.py")
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
SERVER_START_SECONDS = 30

SANDBOX_ENV = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/scratch",
    "TMPDIR": "/scratch",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
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
    status: str  # "ok" | "timeout" | "crashed" | "bad-response" | "sandbox-error"
    response: dict | None
    stdout: str
    stderr: str
    seconds: float
    message: str = ""
    layers: list[str] = field(default_factory=list)


class SandboxUnavailable(RuntimeError):
    """The fork server could not be started or stopped answering."""


class ForkServer:
    """One fork server per worker process, started on first use and restarted if it dies."""

    def __init__(self):
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self.owner = 0
        self.layers: dict[str, bool] = {}
        self.reasons: dict[str, str] = {}

    def ensure(self) -> None:
        if self.process is not None and self.owner == os.getpid() and self.process.poll() is None:
            return
        if self.owner != os.getpid():
            # Inherited across a fork (a Celery pool child): that server belongs to the parent.
            self.process, self.control = None, None
        self.stop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", str(SERVER), str(theirs.fileno())],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=None,
                pass_fds=(theirs.fileno(),),
                cwd="/",
                env=SANDBOX_ENV,
                start_new_session=True,
            )
        finally:
            theirs.close()
        self.control, self.owner = ours, os.getpid()
        ours.settimeout(SERVER_START_SECONDS)
        try:
            hello = json.loads(ours.recv(65536) or b"null")
        except (OSError, ValueError) as exc:
            self.stop()
            raise SandboxUnavailable(f"the sandbox's fork server did not start: {exc}") from None
        if not isinstance(hello, dict):
            self.stop()
            raise SandboxUnavailable("the sandbox's fork server did not start")
        ours.settimeout(None)
        self.layers, self.reasons = hello["layers"], hello["reasons"]

    def stop(self) -> None:
        if self.control is not None:
            self.control.close()
        if self.process is not None and self.owner == os.getpid():
            self.process.kill()
            self.process.wait()
        self.process, self.control = None, None

    def spawn(self, limits: Limits, fds: list[int]) -> tuple[int, int]:
        """Fork one run around `fds`; returns its keeper's pid and pidfd."""
        request = json.dumps(
            {
                "cpu_seconds": limits.cpu_seconds,
                "memory_mb": limits.memory_mb,
                "output_bytes": limits.output_bytes,
                "env": SANDBOX_ENV,
            }
        ).encode()
        with self.lock:
            for attempt in (1, 2):
                self.ensure()
                try:
                    socket.send_fds(self.control, [request], fds)
                    data, pidfds, _, _ = socket.recv_fds(self.control, 4096, 1)
                    if not data or not pidfds:
                        raise ConnectionError("the fork server closed the connection")
                    return json.loads(data)["pid"], pidfds[0]
                except OSError:
                    self.stop()
                    if attempt == 2:
                        raise SandboxUnavailable("the sandbox's fork server stopped answering") from None
        raise AssertionError("unreachable")


SERVER_INSTANCE = ForkServer()


def isolation() -> dict:
    """Which layers are active ({name: bool}) and why any is missing ({name: reason})."""
    SERVER_INSTANCE.ensure()
    return {"layers": dict(SERVER_INSTANCE.layers), "missing": dict(SERVER_INSTANCE.reasons)}


def active_layers() -> list[str]:
    return [name for name, on in SERVER_INSTANCE.layers.items() if on]


def run(request: dict, limits: Limits) -> RunOutcome:
    payload = wire.dumps(request)
    started = time.monotonic()
    pipes = {name: os.pipe() for name in ("stdin", "stdout", "stderr", "result", "status")}
    theirs = [pipes["stdin"][0]] + [pipes[name][1] for name in ("stdout", "stderr", "result", "status")]
    ours = {"stdin": pipes["stdin"][1]} | {name: pipes[name][0] for name in ("stdout", "stderr", "result", "status")}
    try:
        try:
            keeper, pidfd = SERVER_INSTANCE.spawn(limits, theirs)
        finally:
            for fd in theirs:
                os.close(fd)
    except SandboxUnavailable as exc:
        for fd in ours.values():
            os.close(fd)
        return RunOutcome("sandbox-error", None, "", "", time.monotonic() - started, str(exc))
    layers = active_layers()
    try:
        streams, timed_out = _exchange(ours, payload, limits, started)
    finally:
        _kill(keeper, pidfd, namespaces="namespaces" in layers)
        for fd in ours.values():
            with contextlib.suppress(OSError):
                os.close(fd)
    seconds = time.monotonic() - started
    stdout, stderr = (streams[name].decode("utf-8", "replace") for name in ("stdout", "stderr"))

    def outcome(status, response=None, message=""):
        return RunOutcome(status, response, stdout, stderr, seconds, message, layers)

    if timed_out:
        return outcome("timeout", message=f"Time limit exceeded: the run took longer than {limits.wall_seconds:g} s.")
    status = bytes(streams["status"])
    if streams["result"] and not status:
        status = struct.pack("<ci", b"s", 0)
    if status[:1] == b"e" or len(status) < 5:
        detail = status[5:].decode(errors="replace") or "no exit status"
        return outcome("sandbox-error", message=f"The sandbox could not start the run: {detail}")
    (wait_status,) = struct.unpack_from("<i", status, 1)
    signalled = os.WIFSIGNALED(wait_status)
    signal_number = os.WTERMSIG(wait_status) if signalled else 0
    if not streams["result"]:
        if signal_number in (signal.SIGXCPU, signal.SIGKILL):
            return outcome("timeout", message=f"CPU time limit exceeded ({limits.cpu_seconds:g} s).")
        code = -signal_number if signalled else os.WEXITSTATUS(wait_status)
        return outcome("crashed", message=_crash_message(code, stderr, limits))
    try:
        response = wire.loads(bytes(streams["result"]), max_bytes=MAX_RESPONSE_BYTES)
    except wire.WireError as exc:
        return outcome("bad-response", message=f"Unreadable result: {exc}")
    if not isinstance(response, dict):
        return outcome("bad-response", message="Unreadable result.")
    return outcome("ok", response)


def _exchange(fds: dict[str, int], payload: bytes, limits: Limits, started: float):
    """Write the request; read stdout, stderr and the result, each capped, until the keeper
    reports the exit status or the deadline passes."""
    caps = {
        "stdout": limits.output_bytes,
        "stderr": limits.output_bytes,
        "result": MAX_RESPONSE_BYTES,
        "status": 4096,
    }
    streams = {name: bytearray() for name in caps}
    selector = selectors.DefaultSelector()
    os.set_blocking(fds["stdin"], False)
    selector.register(fds["stdin"], selectors.EVENT_WRITE, "stdin")
    for name in caps:
        selector.register(fds[name], selectors.EVENT_READ, name)
    sent = 0
    deadline = started + limits.wall_seconds
    status_closed = False
    try:
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return streams, True
            # Once the keeper has reported, only what is already buffered is still read.
            events = selector.select(0 if status_closed else remaining)
            if status_closed and not events:
                break
            for key, _ in events:
                name = key.data
                if name == "stdin":
                    try:
                        sent += os.write(key.fd, payload[sent : sent + 65536])
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:  # the child stopped reading; its status says why
                        sent = len(payload)
                    if sent >= len(payload):
                        selector.unregister(key.fd)
                        os.close(key.fd)
                        fds["stdin"] = -1
                    continue
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fd)
                    # A complete result needs no exit status: the run is over for us, and
                    # its teardown need not delay the verdict.
                    if name == "status" or (name == "result" and streams["result"]):
                        status_closed = True
                    continue
                room = caps[name] - len(streams[name])
                if room > 0:
                    streams[name] += chunk[:room]
    finally:
        selector.close()
    return streams, False


def _kill(keeper: int, pidfd: int, *, namespaces: bool) -> None:
    try:
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)
    except ProcessLookupError:
        pass
    finally:
        os.close(pidfd)
    if not namespaces:
        # Without a PID namespace the run's descendants live on in the keeper's process
        # group (the seccomp filter does not stop setsid, the uid's process budget does).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(keeper, signal.SIGKILL)


def _crash_message(returncode: int, stderr: str, limits: Limits) -> str:
    if returncode is not None and returncode < 0:
        name = signal.Signals(-returncode).name
        if -returncode == signal.SIGXFSZ:
            return f"Your code wrote a file larger than {limits.output_bytes} bytes."
        if -returncode == signal.SIGSEGV and "MemoryError" not in stderr:
            return "Your code crashed (segmentation fault): often a recursion too deep or memory exhausted."
        return f"Your code was stopped by the system ({name})."
    if "MemoryError" in stderr:
        return f"Memory limit exceeded ({limits.memory_mb} MB)."
    tail = stderr.strip().splitlines()[-1:] or [""]
    return f"The run ended without a result (exit code {returncode}). {tail[0][:300]}".strip()
