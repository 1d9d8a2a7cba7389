"""The checker process: SymPy preloaded, limits applied, one JSON request per line on stdin and
one JSON reply per line on stdout. Started by `pool.py` as `python -m grader.symbolic.worker`.

Every request gets a fresh CPU allowance (the soft RLIMIT_CPU is moved to "used so far +
allowance", so SIGXCPU ends a runaway check), and the address space is capped for the
process's whole life. A killed worker is simply replaced by the pool.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--cpu-seconds", type=float, default=4)
    options = parser.parse_args()

    memory = options.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _, hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    sys.setrecursionlimit(4000)

    from .checks import handle

    # Warm the caches (imports, lambdify's printers, simplify's tables) before the first learner.
    handle(
        {"op": "grade", "spec": {"expected": "exp(-x)/(1 + exp(-x))^2", "variables": ["x"]}, "answer": "sin(x)^2 + x"}
    )
    handle({"op": "preview", "spec": {}, "answer": "\\frac{1}{1+e^{-x}}"})
    matrices = {"X": ["n", "d"], "w": ["d", 1], "y": ["n", 1]}
    gradient = {"loss": "||X*w - y||^2", "wrt": "w"}
    handle(
        {
            "op": "grade",
            "spec": {"matrices": matrices, "expected": "2*X^T*(X*w - y)", "gradient": gradient},
            "answer": "2X^T(Xw - y)",
        }
    )

    out = sys.stdout
    out.write('{"status": "ready"}\n')
    out.flush()
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            reply = {"status": "bad-request", "message": "not JSON"}
        else:
            soft = int(_cpu_used() + options.cpu_seconds) + 1
            resource.setrlimit(
                resource.RLIMIT_CPU, (soft, hard_cpu if hard_cpu == resource.RLIM_INFINITY else max(soft, hard_cpu))
            )
            try:
                reply = handle(request)
            except MemoryError:
                out.write(json.dumps({"status": "too-complex"}) + "\n")
                out.flush()
                return  # the heap may be fragmented: let the pool start a fresh worker
            except Exception as exc:  # a bug in a check must not take the worker down silently
                reply = {"status": "failed", "message": f"{type(exc).__name__}: {exc}"[:500]}
        out.write(json.dumps(reply, default=str) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
