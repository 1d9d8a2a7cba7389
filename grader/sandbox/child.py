"""Runs inside the sandbox: one request in on stdin, one response out on fd 3.

Forked from the fork server (`server.py`, itself a `python -I` interpreter that sees neither
Django nor the project's packages, only the standard library, NumPy and the modules beside
it) after the run has entered its isolation layers. Whatever runs here is untrusted; the
trusted side only reads the response as data.
"""

import copy
import linecache
import os
import sys
import time
import traceback

import numpy as np  # imported before the learner's code so its cost is not charged to them

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves the script's folder out
import contextlib

import wire

SOURCE_NAME = "<answer>"


def _trimmed_traceback(exc: BaseException) -> str:
    """The traceback without the sandbox's own frames: learners see only their code."""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == SOURCE_NAME]
    lines = traceback.format_list(frames) if frames else []
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)[-4000:]


def _error(exc: BaseException) -> dict:
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return {"ok": False, "error": message[-1000:], "traceback": _trimmed_traceback(exc)}


def _load(source: str) -> dict:
    linecache.cache[SOURCE_NAME] = (len(source), None, source.splitlines(True), SOURCE_NAME)
    namespace = {"__name__": "answer", "__builtins__": __builtins__}
    exec(compile(source, SOURCE_NAME, "exec"), namespace)
    return namespace


def _call(function, args, kwargs) -> dict:
    started = time.perf_counter()
    try:
        value = function(*args, **kwargs)
    except BaseException as exc:  # the learner's exception is a result, even SystemExit
        return _error(exc)
    seconds = time.perf_counter() - started
    try:
        wire.dumps(value)  # refuse now, per call, what cannot be sent back
    except (wire.WireError, TypeError, ValueError, RecursionError) as exc:
        return {
            "ok": False,
            "error": f"Your function returned something that cannot be checked: {exc}",
            "traceback": "",
        }
    return {"ok": True, "value": value, "seconds": seconds}


def handle(request: dict) -> dict:
    try:
        namespace = _load(request["source"])
    except BaseException as exc:
        return {"stage": "load", **_error(exc)}

    if request["mode"] == "cases":
        generate = namespace.get("cases")
        if not callable(generate):
            return {"stage": "load", "ok": False, "error": "The cases file must define cases(rng).", "traceback": ""}
        try:
            cases = list(generate(np.random.default_rng(request["seed"])))
            wire.dumps(cases)
        except BaseException as exc:
            return {"stage": "cases", **_error(exc)}
        return {"ok": True, "cases": cases}

    function = namespace.get(request["entry_point"])
    if not callable(function):
        message = f"Define a function named {request['entry_point']}."
        return {"stage": "load", "ok": False, "error": message, "traceback": ""}
    results = []
    for call in request["calls"]:
        # A fresh copy per call: mutating one case's input cannot reach another case.
        args, kwargs = copy.deepcopy(call["args"]), copy.deepcopy(call["kwargs"])
        results.append(_call(function, args, kwargs))
    return {"ok": True, "results": results}


def main(result_fd: int) -> None:
    request = wire.loads(sys.stdin.buffer.read())
    response = handle(request)
    payload = wire.dumps(response)
    # Output first: the trusted side stops reading once the result is complete.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    try:
        with os.fdopen(result_fd, "wb", closefd=True) as out:
            out.write(payload)
    except (OSError, ValueError):  # the learner closed or replaced fd 3: no result then
        pass
    # Skip interpreter teardown: learner objects with hostile __del__ must not run after this.
    os._exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
