"""Time symbolic checks in a warm checker process: p50 and p95 per kind of check.

    .venv/bin/python benchmarks/symbolic.py [--rounds 20]

Targets (issue 4): p50 <= 20 ms and p95 <= 250 ms per check in a warm worker. The times
include the round trip to the checker process (JSON over a pipe)."""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.symbolic.pool import CheckerPool, PoolLimits

SIGMOID = {
    "expected": "exp(-x)/(1 + exp(-x))^2",
    "variables": ["x"],
    "mistakes": [{"answer": "1/(1 + exp(-x))^2", "hint": "chain rule"}],
}
SOFTMAX_REGRESSION = {
    "matrices": {"X": ["m", "n"], "W": ["n", "k"], "Y": {"shape": ["m", "k"], "entries": "distribution"}},
    "expected": "X^T*(softmax(X*W) - Y)/m",
    "gradient": {"loss": "-sum(hadamard(Y, log(softmax(X*W))))/m", "wrt": "W"},
}
RIDGE = {
    "matrices": {"X": ["m", "n"], "y": ["m", 1]},
    "scalars": ["lam"],
    "dims": {"m": [6, 9], "n": [2, 4]},
    "expected": "inv(X^T X + lam*eye(n)) X^T y",
}
CHECKS = {
    "preview (text)": {"op": "preview", "spec": {"variables": ["x"]}, "answer": "2x sin(x) + e^(-x)"},
    "preview (LaTeX)": {"op": "preview", "spec": {"variables": ["x"]}, "answer": r"\frac{e^{-x}}{(1+e^{-x})^2}"},
    "sigmoid' right (rewritten)": {"op": "grade", "spec": SIGMOID, "answer": "1/(1+exp(-x)) * (1 - 1/(1+exp(-x)))"},
    "sigmoid' wrong + mistake hint": {"op": "grade", "spec": SIGMOID, "answer": "1/(1+exp(-x))^2"},
    "log rule with positivity": {
        "op": "grade",
        "spec": {"expected": "log(a*b)", "variables": ["a", "b"], "assumptions": {"positive": ["a", "b"]}},
        "answer": "log(a) + log(b)",
    },
    "polynomial expanded": {
        "op": "grade",
        "spec": {"expected": "(2 - lam)^2 - 1", "variables": ["lam"]},
        "answer": "(lam - 1)(lam - 3)",
    },
    "2x2 Jacobian": {
        "op": "grade",
        "spec": {"expected": [["2*x*y", "x^2"], ["5", "cos(y)"]], "variables": ["x", "y"]},
        "answer": "[[2xy, x^2], [5, cos(y)]]",
    },
    "softmax Jacobian": {
        "op": "grade",
        "spec": {
            "expected": [
                ["exp(z1)*exp(z2)/(exp(z1) + exp(z2))^2", "-exp(z1)*exp(z2)/(exp(z1) + exp(z2))^2"],
                ["-exp(z1)*exp(z2)/(exp(z1) + exp(z2))^2", "exp(z1)*exp(z2)/(exp(z1) + exp(z2))^2"],
            ],
            "variables": ["z1", "z2"],
        },
        "answer": "[[1/(2+2cosh(z1-z2)), -1/(2+2cosh(z1-z2))], [-1/(2+2cosh(z1-z2)), 1/(2+2cosh(z1-z2))]]",
    },
    "hostile 2^9^9^9": {"op": "grade", "spec": SIGMOID, "answer": "2^9^9^9"},
    "matrix gradient vs central differences": {
        "op": "grade",
        "spec": SOFTMAX_REGRESSION,
        "answer": "X^T(softmax(XW) - Y)/m",
    },
    "matrix gradient, wrong shape": {"op": "grade", "spec": SOFTMAX_REGRESSION, "answer": "(softmax(XW) - Y)^T X/m"},
    "matrix closed form (ridge)": {"op": "grade", "spec": RIDGE, "answer": "(X^TX + lam I)^-1 X^T y"},
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    pool = CheckerPool(PoolLimits(workers=1))
    started = time.perf_counter()
    pool.run({"op": "ping"})
    print(f"checker start (import SymPy, warm up): {1000 * (time.perf_counter() - started):.0f} ms")
    everything = []
    print(f"{'check':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, request in CHECKS.items():
        times = []
        for index in range(rounds):
            # a fresh answer text each round so that SymPy's caches do not flatter the figures
            varied = dict(request, answer=request["answer"] + " " * index)
            t0 = time.perf_counter()
            reply = pool.run(varied)
            times.append(1000 * (time.perf_counter() - t0))
            assert reply.get("status") == "ok", reply
        everything += times
        quantiles = statistics.quantiles(times, n=20)
        print(f"{name:34} {statistics.median(times):8.1f} {quantiles[18]:8.1f} {max(times):8.1f}")
    quantiles = statistics.quantiles(everything, n=20)
    print(f"{'all checks':34} {statistics.median(everything):8.1f} {quantiles[18]:8.1f} {max(everything):8.1f}")
    pool.close()


if __name__ == "__main__":
    main()
