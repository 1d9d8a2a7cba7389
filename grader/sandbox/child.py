"""Runs inside the sandbox: one request in on stdin, results out on fd 3, one frame each.

Forked from the fork server (`server.py`, itself a `python -I` interpreter that sees neither
Django nor the project's packages, only the standard library, NumPy and the modules beside
it) after the run has entered its isolation layers. Whatever runs here is untrusted; the
trusted side only reads the frames as data.

A call run streams one frame per case as soon as the case is done, then a closing frame, so
that a run killed in the middle (CPU or wall-clock limit, memory) still tells the trusted side
which cases finished and therefore which case was running. Each case has its own CPU and
wall-clock budget (`case_limits`), enforced with interval timers; the run as a whole is also
bounded by rlimits and a deadline outside this process, so code that swallows the timers'
exception is still stopped.
"""

import contextlib
import copy
import inspect
import io
import linecache
import os
import signal
import struct
import sys
import time
import traceback

import numpy as np  # imported before the learner's code so its cost is not charged to them

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves the script's folder out
import wire

SOURCE_NAME = "<answer>"
CAPTURE_CHARS = 8000  # printed output kept per case; the run's own pipes are capped separately
FRAME = struct.Struct("<Q")
CLOSING = 1 << 63  # marks the last frame of a run, so the trusted side need not wait for more


class CaseTimeLimit(BaseException):
    """Raised in the learner's code when the case's CPU or wall-clock budget is spent."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class OutputLimit(BaseException):
    """Raised in the learner's code when it has printed more than the run's output limit: a
    print in a loop is then stopped at once and named, rather than running out of time."""


def _on_timer(signum, frame):
    raise CaseTimeLimit("cpu" if signum == signal.SIGPROF else "wall")


@contextlib.contextmanager
def _budget(cpu_seconds, wall_seconds):
    """Arm the case's timers. They re-fire every 50 ms, so a bare `except BaseException` in
    the learner's loop cannot simply swallow the first one."""
    if cpu_seconds:
        signal.setitimer(signal.ITIMER_PROF, cpu_seconds, 0.05)
    if wall_seconds:
        signal.setitimer(signal.ITIMER_REAL, wall_seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)


class _Capture(io.TextIOBase):
    """sys.stdout / sys.stderr during a case: what the learner prints, kept per case and capped."""

    def __init__(self, limit=None):
        self.parts, self.size, self.limit, self.exceeded = [], 0, limit, False

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        if self.size < CAPTURE_CHARS:
            self.parts.append(text[: CAPTURE_CHARS - self.size])
        self.size += len(text)
        if self.limit and self.size > self.limit:
            self.exceeded = True  # remembered: the learner's code may catch the exception
            raise OutputLimit()
        return len(text)

    def text(self) -> str:
        joined = "".join(self.parts)
        return joined + "\n[output truncated]" if self.size > CAPTURE_CHARS else joined


@contextlib.contextmanager
def _captured(limit=None):
    capture = _Capture(limit)
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = capture
    try:
        yield capture
    finally:
        sys.stdout, sys.stderr = saved


def _trimmed_traceback(exc: BaseException) -> str:
    """The traceback without the sandbox's own frames: learners see only their code."""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == SOURCE_NAME]
    lines = traceback.format_list(frames) if frames else []
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)[-4000:]


def _error(exc: BaseException) -> dict:
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == SOURCE_NAME]
    return {
        "ok": False,
        "error": message[-1000:],
        "error_type": type(exc).__name__,
        "line": frames[-1].lineno if frames else None,
        "traceback": _trimmed_traceback(exc),
    }


def _timeout(limit: CaseTimeLimit) -> dict:
    return {"ok": False, "timeout": limit.kind, "error": "time limit", "error_type": "", "traceback": ""}


def _too_much_output(output) -> dict:
    return {
        "ok": False,
        "limit": "output",
        "printed": output.size,
        "error": "output limit",
        "error_type": "",
        "traceback": "",
        "output": output.text(),
    }


def _load(source: str) -> dict:
    linecache.cache[SOURCE_NAME] = (len(source), None, source.splitlines(True), SOURCE_NAME)
    namespace = {"__name__": "answer", "__builtins__": __builtins__}
    exec(compile(source, SOURCE_NAME, "exec"), namespace)
    return namespace


FP_ERRORS = {
    "overflow": "over",
    "invalid": "invalid",
    "divide": "divide",
    "underflow": "under",
}  # contract name: errstate's


def _fp_kind(exc: FloatingPointError) -> str:
    """NumPy's message ("overflow encountered in exp", "divide by zero encountered in log",
    "invalid value encountered in divide", "underflow ...") as the errstate name."""
    text = str(exc)
    return next((kind for kind in FP_ERRORS if text.startswith(kind)), "invalid")


def _call(function, args, kwargs, limits, output_limit=None, contract=None) -> dict:
    contract = contract or {}
    # The statement's contract is checked here, where the learner's own objects are: the
    # arguments as they were before the call, and NumPy's error state during it.
    before = copy.deepcopy((args, kwargs)) if contract.get("inputs_unchanged") else None
    policy = {FP_ERRORS[kind]: "raise" for kind in contract.get("fp_errors") or () if kind in FP_ERRORS}
    # Floating-point events the policy does not forbid are logged, not printed: a NaN in the
    # result can then be traced to its origin (0/0, inf - inf, log 0, a real overflow).
    events = _FloatingPointLog()
    state = {"over": "log", "invalid": "log", "divide": "log", "under": "ignore", **policy}
    cpu_started, started = time.process_time(), time.perf_counter()
    with _captured(output_limit) as output:
        try:
            with _budget(*limits), np.errstate(call=events, **state):
                value = function(*args, **kwargs)
        except CaseTimeLimit as limit:
            return _too_much_output(output) if output.exceeded else {**_timeout(limit), "output": output.text()}
        except FloatingPointError as exc:
            if output.exceeded:
                return _too_much_output(output)
            extra = {"contract": "fp_errors", "fp_error": _fp_kind(exc)} if policy else {}
            return {**_error(exc), **extra, "output": output.text()}
        except BaseException as exc:  # the learner's exception is a result, even SystemExit
            return _too_much_output(output) if output.exceeded else {**_error(exc), "output": output.text()}
    if output.exceeded:  # the code caught OutputLimit and went on
        return _too_much_output(output)
    cpu, seconds = time.process_time() - cpu_started, time.perf_counter() - started
    if before is not None:
        changed = _changed_argument(function, before, (args, kwargs))
        if changed is not None:
            return {
                "ok": False,
                "contract": "inputs_unchanged",
                "argument": changed,
                "error": f"Your function modified its argument `{changed}`",
                "error_type": "",
                "traceback": "",
                "output": output.text(),
            }
    try:
        wire.dumps(value)  # refuse now, per call, what cannot be sent back
    except (wire.WireError, TypeError, ValueError, RecursionError) as exc:
        return {
            "ok": False,
            "error": f"Your function returned something that cannot be checked: {exc}",
            "error_type": "",
            "traceback": "",
            "output": output.text(),
        }
    return {
        "ok": True,
        "value": value,
        "seconds": seconds,
        "cpu": cpu,
        "output": output.text(),
        "fp_events": events.seen,
    }


class _FloatingPointLog:
    """NumPy's error callback in "log" mode: keeps the first few distinct messages, in order
    ("overflow encountered in exp", "invalid value encountered in divide", ...)."""

    def __init__(self):
        self.seen: list[str] = []

    def write(self, message):
        text = str(message).strip().removeprefix("Warning: ")[:80]
        if text not in self.seen and len(self.seen) < 8:
            self.seen.append(text)


def _changed_argument(function, before, after) -> str | None:
    """The name of the first argument that differs from its copy taken before the call."""
    (args_before, kwargs_before), (args_after, kwargs_after) = before, after
    try:
        names = [
            p.name for p in inspect.signature(function).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]  # fmt: skip
    except (TypeError, ValueError):
        names = []
    for index, (old, new) in enumerate(zip(args_before, args_after, strict=True)):
        if not _same(old, new):
            return names[index] if index < len(names) else f"number {index + 1}"
    for key, old in kwargs_before.items():
        if not _same(old, kwargs_after.get(key)):
            return key
    return None


def _same(old, new) -> bool:
    if isinstance(old, np.ndarray):
        if not isinstance(new, np.ndarray) or old.shape != new.shape or old.dtype != new.dtype:
            return False
        return bool(np.array_equal(old, new, equal_nan=old.dtype.kind in "fc"))
    if isinstance(old, list | tuple):
        return (
            type(old) is type(new) and len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new, strict=True))
        )
    if isinstance(old, dict):
        return isinstance(new, dict) and old.keys() == new.keys() and all(_same(old[k], new[k]) for k in old)
    try:
        return bool(old == new) or (old != old and new != new)  # NaN is unchanged NaN
    except Exception:  # an exotic argument that cannot say whether it is equal
        return True


class Frames:
    """fd 3: each message is an 8-byte length and a wire message."""

    def __init__(self, fd: int):
        self.fd = fd

    def send(self, message: dict, *, closing: bool = False) -> None:
        payload = wire.dumps(message)
        data = memoryview(FRAME.pack(len(payload) | (CLOSING if closing else 0)) + payload)
        while data:
            data = data[os.write(self.fd, data) :]


def handle(request: dict, frames: Frames) -> None:
    case_limits = request.get("case_limits") or []
    load_limits = (request.get("load_cpu_seconds"), request.get("load_wall_seconds"))
    output_limit = request.get("output_limit")
    with _captured(output_limit) as output:
        try:
            with _budget(*load_limits):
                namespace = _load(request["source"])
        except CaseTimeLimit as limit:
            stopped = _too_much_output(output) if output.exceeded else {**_timeout(limit), "output": output.text()}
            frames.send({"stage": "load", **stopped}, closing=True)
            return
        except BaseException as exc:
            stopped = _too_much_output(output) if output.exceeded else {**_error(exc), "output": output.text()}
            frames.send({"stage": "load", **stopped}, closing=True)
            return
        if output.exceeded:
            frames.send({"stage": "load", **_too_much_output(output)}, closing=True)
            return
    loaded_output = output.text()

    if request["mode"] == "cases":
        generate = namespace.get("cases")
        if not callable(generate):
            frames.send(
                {"stage": "load", "ok": False, "error": "The cases file must define cases(rng).", "traceback": ""},
                closing=True,
            )
            return
        try:
            cases = list(generate(np.random.default_rng(request["seed"])))
            wire.dumps(cases)
        except BaseException as exc:
            frames.send({"stage": "cases", **_error(exc)}, closing=True)
            return
        frames.send({"ok": True, "cases": cases}, closing=True)
        return

    # Sent now, so that what the top level printed is known even if a case is then stopped.
    frames.send({"loaded": True, "output": loaded_output})
    function = namespace.get(request["entry_point"])
    if not callable(function):
        message = f"Define a function named {request['entry_point']}."
        frames.send(
            {"stage": "load", "ok": False, "error": message, "traceback": "", "output": loaded_output}, closing=True
        )
        return
    for index, call in enumerate(request["calls"]):
        # A fresh copy per call: mutating one case's input cannot reach another case.
        args, kwargs = copy.deepcopy(call["args"]), copy.deepcopy(call["kwargs"])
        limits = case_limits[index] if index < len(case_limits) else (None, None)
        result = _call(function, args, kwargs, limits, output_limit, request.get("contract"))
        frames.send({"case": index, **result})
        if result.get("timeout") or result.get("error_type") == "MemoryError":
            break  # the next cases would most likely do the same: the run stops here
    frames.send({"ok": True, "done": True}, closing=True)


def main(result_fd: int) -> None:
    signal.signal(signal.SIGPROF, _on_timer)
    signal.signal(signal.SIGALRM, _on_timer)
    request = wire.loads(sys.stdin.buffer.read())
    frames = Frames(result_fd)
    with contextlib.suppress(OSError):  # the learner closed or replaced fd 3: no more frames then
        handle(request, frames)
    for stream in (sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    # Skip interpreter teardown: learner objects with hostile __del__ must not run after this.
    os._exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
