"""Start one sandboxed run through the fork server and read it back under caps and a deadline.

The trusted side makes the run's pipes itself and hands their far ends to the fork server
(`server.py`), which forks an isolated child around them; the request goes to the child on
its stdin, the results come back as frames on the result pipe (one per case, then a closing
frame), and the child's exit status on a status pipe that only the keeper process holds.
Nothing the run prints decides anything. At the end the keeper is killed through its pidfd,
which takes the run's whole PID namespace with it (or, without namespaces, its process group).

Runs are admitted by `ADMISSION`: at most `in_flight` runs at once per process, their memory
limits summing to at most the process's budget, and at most `cpu_slots` of them computing: a run
that is seen waiting (asleep, or blocked on its wall-clock limit) gives its CPU slot back, so
that it does not keep a CPU-bound run from starting.
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

from . import cgroups, wire

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
    """`response` is the closing frame (for a call run: {"ok": True, "results": [...]}, or the
    load error); `results` holds the per-case frames that arrived, even from a run that was
    killed half-way, so the caller can tell which case was running."""

    status: str  # "ok" | "timeout" | "crashed" | "bad-response" | "sandbox-error"
    response: dict | None
    stdout: str
    stderr: str
    seconds: float
    message: str = ""
    layers: list[str] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)
    waited: float = 0.0  # seconds spent waiting for admission before the run started
    output: str = ""  # what the answer's top level printed while it was loaded


class Admission:
    """Per-process admission of runs: a bound on runs in flight, a memory budget for the sum
    of their limits, and CPU slots (one per core) held only while a run computes."""

    def __init__(self, cpu_slots: int, in_flight: int, memory_mb: int):
        self.cpu_slots, self.in_flight, self.memory_mb = max(1, cpu_slots), max(1, in_flight), memory_mb
        self.condition = threading.Condition()
        self.running = self.computing = self.memory_used = 0

    def configure(self, cpu_slots: int, in_flight: int, memory_mb: int) -> None:
        with self.condition:
            self.cpu_slots, self.in_flight, self.memory_mb = max(1, cpu_slots), max(1, in_flight), memory_mb
            self.condition.notify_all()

    @contextlib.contextmanager
    def admit(self, memory_mb: int):
        """Wait for room, then hold a run slot, its memory and a CPU slot until released."""
        memory_mb = min(memory_mb, self.memory_mb)  # a single run larger than the budget still runs alone
        with self.condition:
            self.condition.wait_for(
                lambda: (
                    self.running < self.in_flight
                    and self.computing < self.cpu_slots
                    and self.memory_used + memory_mb <= self.memory_mb
                )
            )
            self.running += 1
            self.computing += 1
            self.memory_used += memory_mb
        ticket = _Ticket(self)
        try:
            yield ticket
        finally:
            ticket.release_cpu()
            with self.condition:
                self.running -= 1
                self.memory_used -= memory_mb
                self.condition.notify_all()


class _Ticket:
    def __init__(self, admission: Admission):
        self.admission = admission
        self.holds_cpu = True

    def release_cpu(self) -> None:
        if self.holds_cpu:
            self.holds_cpu = False
            with self.admission.condition:
                self.admission.computing -= 1
                self.admission.condition.notify_all()


ADMISSION = Admission(cpu_slots=os.cpu_count() or 1, in_flight=8, memory_mb=4096)
IDLE_WINDOW = 0.1  # seconds of observation before a run counts as waiting
IDLE_SHARE = 0.2  # ... when it used less than this share of one CPU in that window


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

    def spawn(self, limits: Limits, fds: list[int]) -> tuple[int, int, dict]:
        """Fork one run around `fds`; returns its keeper's pid and pidfd, and its cgroup."""
        request = json.dumps(
            {
                "cpu_seconds": limits.cpu_seconds,
                "wall_seconds": limits.wall_seconds,
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
                    reply = json.loads(data)
                    return reply["pid"], pidfds[0], reply
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
    asked = time.monotonic()
    with ADMISSION.admit(limits.memory_mb) as ticket:
        outcome = _run(request, limits, ticket)
    outcome.waited = outcome.seconds and max(0.0, time.monotonic() - asked - outcome.seconds)
    return outcome


def _run(request: dict, limits: Limits, ticket: _Ticket) -> RunOutcome:
    payload = wire.dumps(request)
    started = time.monotonic()
    pipes = {name: os.pipe() for name in ("stdin", "stdout", "stderr", "result", "status")}
    theirs = [pipes["stdin"][0]] + [pipes[name][1] for name in ("stdout", "stderr", "result", "status")]
    ours = {"stdin": pipes["stdin"][1]} | {name: pipes[name][0] for name in ("stdout", "stderr", "result", "status")}
    try:
        try:
            keeper, pidfd, placed = SERVER_INSTANCE.spawn(limits, theirs)
        finally:
            for fd in theirs:
                os.close(fd)
    except SandboxUnavailable as exc:
        for fd in ours.values():
            os.close(fd)
        return RunOutcome("sandbox-error", None, "", "", time.monotonic() - started, str(exc))
    layers = active_layers()
    try:
        streams, timed_out = _exchange(ours, payload, limits, started, _IdleWatch(keeper, ticket))
    finally:
        _kill(keeper, pidfd, namespaces="namespaces" in layers)
        group = (
            cgroups.RunGroup(placed["cgroup"]["version"], placed["cgroup"]["paths"]) if placed.get("cgroup") else None
        )
        oom_kills = group.oom_kills() if group else 0
        if group:  # and whatever of the run is left, as a whole
            group.kill()
        for fd in ours.values():
            with contextlib.suppress(OSError):
                os.close(fd)
    seconds = time.monotonic() - started
    stdout, stderr = (streams[name].decode("utf-8", "replace") for name in ("stdout", "stderr"))

    try:
        frames, closing = read_frames(bytes(streams["result"]))
    except wire.WireError as exc:
        return RunOutcome("bad-response", None, stdout, stderr, seconds, f"Unreadable result: {exc}", layers)
    results = [frame for frame in frames if "case" in frame]
    loaded = next((frame for frame in frames if frame.get("loaded")), {})

    def outcome(status, message=""):
        response = closing
        if closing is not None and closing.get("done"):
            response = {**closing, "results": results, "output": loaded.get("output", "")}
        result = RunOutcome(status, response, stdout, stderr, seconds, message, layers, results)
        result.output = str(loaded.get("output", "") if closing is None else (response or {}).get("output", ""))
        return result

    if timed_out:
        return outcome("timeout", f"Time limit exceeded: the run took longer than {limits.wall_seconds:g} s.")
    status = bytes(streams["status"])
    if closing is not None and not status:
        status = STATUS.pack(b"s", 0)
    if status[:1] == b"e" or len(status) < STATUS.size:
        detail = status[STATUS.size :].decode(errors="replace") or "no exit status"
        return outcome("sandbox-error", f"The sandbox could not start the run: {detail}")
    _, wait_status = STATUS.unpack_from(status)
    signalled = os.WIFSIGNALED(wait_status)
    signal_number = os.WTERMSIG(wait_status) if signalled else 0
    if closing is None:
        if oom_kills:
            return outcome(
                "crashed",
                f"Memory limit exceeded: your code's processes needed more than {limits.memory_mb} MB in all.",
            )
        if signal_number in (signal.SIGXCPU, signal.SIGKILL) and not _out_of_memory(stderr):
            return outcome("timeout", f"CPU time limit exceeded ({limits.cpu_seconds:g} s).")
        code = -signal_number if signalled else os.WEXITSTATUS(wait_status)
        return outcome("crashed", _crash_message(code, stderr, limits))
    return outcome("ok")


CLOSING = 1 << 63  # set in the length of the last frame a run sends
STATUS = struct.Struct("<ci")  # from the keeper: b"s" and the run's wait status (or b"e", an error)


def read_frames(data: bytes) -> tuple[list[dict], dict | None]:
    """The run's frames (each an 8-byte length and a wire message) and its closing frame, if
    it got that far. A frame cut short by a killed run is dropped; anything else malformed
    makes the whole result unreadable."""
    frames, closing, offset = [], None, 0
    while offset + 8 <= len(data) and closing is None:
        (size,) = struct.unpack_from("<Q", data, offset)
        last, size = bool(size & CLOSING), size & ~CLOSING
        if offset + 8 + size > len(data):
            break
        frame = wire.loads(data[offset + 8 : offset + 8 + size], max_bytes=MAX_RESPONSE_BYTES)
        if not isinstance(frame, dict):
            raise wire.WireError("a frame is not a message")
        if last:
            closing = frame
        else:
            frames.append(frame)
        offset += 8 + size
    return frames, closing


def _ends_with_closing_frame(data: bytearray) -> bool:
    offset, closing = 0, False
    while offset + 8 <= len(data):
        (size,) = struct.unpack_from("<Q", data, offset)
        closing, offset = bool(size & CLOSING), offset + 8 + (size & ~CLOSING)
    return closing and offset == len(data)


class _IdleWatch:
    """Hands the run's CPU slot back once the run is seen waiting rather than computing."""

    def __init__(self, keeper: int, ticket: _Ticket):
        self.keeper, self.ticket = keeper, ticket
        self.since, self.cpu = time.monotonic(), 0.0

    def tick(self) -> None:
        if not self.ticket.holds_cpu:
            return
        now = time.monotonic()
        if now - self.since < IDLE_WINDOW:
            return
        cpu = _tree_cpu_seconds(self.keeper)
        if cpu is not None and cpu - self.cpu < IDLE_SHARE * (now - self.since):
            self.ticket.release_cpu()
        self.since, self.cpu = now, cpu or 0.0


_TICK = os.sysconf("SC_CLK_TCK")


def _tree_cpu_seconds(pid: int) -> float | None:
    """CPU time used so far by `pid`'s descendants (the keeper itself only waits)."""
    total, pending = 0, [pid]
    try:
        while pending:
            current = pending.pop()
            with open(f"/proc/{current}/task/{current}/children") as f:
                children = [int(child) for child in f.read().split()]
            for child in children:
                with open(f"/proc/{child}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            pending += children
    except (OSError, ValueError, IndexError):
        return None
    return total / _TICK


def _out_of_memory(stderr: str) -> bool:
    return "MemoryError" in stderr


def _exchange(fds: dict[str, int], payload: bytes, limits: Limits, started: float, watch: _IdleWatch):
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
            events = selector.select(0 if status_closed else min(remaining, IDLE_WINDOW))
            if status_closed and not events:
                break
            watch.tick()
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
                    # A closing frame needs no exit status: the run is over for us, and its
                    # teardown need not delay the verdict.
                    if name == "status" or (name == "result" and _ends_with_closing_frame(streams["result"])):
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
    # Not the stderr text itself: it is the learner's, and could carry a hidden case's input.
    return f"The run ended without a result (exit code {returncode})."
