"""Are two expressions equal? Sampling and simplification, each covering the other's blind spot.

1. Both sides are evaluated at random points of each variable's domain (vectorised, a few
   milliseconds). A point where they differ is re-checked at 30 digits; if it still differs,
   the answer is wrong and the point is the proof.
2. If every point agrees, a symbolic proof is tried within a time budget (`expand`, then
   `simplify` of the difference). A zero difference proves equivalence.
3. If SymPy cannot prove it (its "don't know", or the budget ran out), that is never taken as
   a yes on its own: fresh points are checked at 30 digits, and only if they all agree is the
   answer accepted. Points where the expected expression is undefined (log of a negative
   number, division by zero) are skipped; too few usable points and no proof is "undecided".
"""

from __future__ import annotations

import math
import random
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .parsing import KNOWN_DEFINITIONS, Context

SAMPLES = 20
PRECISE_SAMPLES = 6
DIGITS = 30
RTOL = 1e-7
ATOL = 1e-9
SIMPLIFY_SECONDS = 0.15


class OutOfTime(BaseException):
    """Raised by the timer inside SymPy; a BaseException so SymPy's `except Exception` lets it through."""


@contextmanager
def time_budget(seconds: float):
    """Interrupt the block after `seconds` (main thread only; elsewhere it runs unbounded)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise OutOfTime()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Verdict:
    equivalent: bool | None  # None: could not be decided
    method: str  # identical | proved | sampled | counterexample | undecided
    point: dict[str, str] | None = None

    def to_dict(self) -> dict:
        return {"equivalent": self.equivalent, "method": self.method, "point": self.point}


def prepare(expr: sp.Basic, context: Context) -> sp.Basic:
    """Declared functions with a standard meaning get it; others stay undefined."""
    for name in context.functions:
        if name in KNOWN_DEFINITIONS:
            function = sp.Function(name, real=True)
            definition = KNOWN_DEFINITIONS[name]
            expr = expr.replace(function, lambda *args, definition=definition: definition(*args))
    if expr.has(sp.Derivative):
        expr = expr.doit()
    return expr


def _undefined_functions(expr: sp.Basic) -> set:
    return {f.func for f in expr.atoms(sp.core.function.AppliedUndef)}


def _concrete(expr: sp.Basic, seed: int) -> sp.Basic:
    """Replace undefined functions by smooth random ones, so that sampling can evaluate them."""
    rng = random.Random(seed)
    for function in sorted(_undefined_functions(expr), key=str):
        a, b, c = (sp.Rational(rng.randint(3, 19), 10) for _ in range(3))
        expr = expr.replace(
            function, lambda *args, a=a, b=b, c=c: a * sp.sin(b * sum(args)) + c * sum(args) ** 2 / 4 + 1
        )
    return expr.doit() if expr.has(sp.Derivative) else expr


def _domain_sampler(symbol: sp.Symbol, context: Context, rng: random.Random, narrow: bool):
    name = symbol.name
    if name in context.intervals:
        lo, hi = context.intervals[name]
        span = hi - lo
        return lambda: lo + span * (0.05 + 0.9 * rng.random())
    if symbol.is_integer:
        low = 1 if symbol.is_positive else 0 if symbol.is_nonnegative else -9
        values = [v for v in range(low, 10) if not (symbol.is_nonzero and v == 0)]
        return lambda: float(rng.choice(values))
    if symbol.is_positive or symbol.is_nonnegative:
        if narrow:
            return lambda: 0.05 + 0.9 * rng.random()
        return lambda: math.exp(rng.uniform(math.log(0.1), math.log(8.0)))
    if narrow:
        return lambda: rng.uniform(-0.9, 0.9)
    return lambda: rng.uniform(-4.0, 4.0)


def _points(symbols: list[sp.Symbol], context: Context, rng: random.Random, count: int, narrow: bool) -> np.ndarray:
    samplers = [_domain_sampler(symbol, context, rng, narrow) for symbol in symbols]
    return np.array([[sampler() for sampler in samplers] for _ in range(count)], dtype=float).reshape(
        count, len(symbols)
    )


def _evaluate(expr: sp.Basic, symbols: list[sp.Symbol], points: np.ndarray) -> np.ndarray:
    """Values at each point (NaN where undefined or not real)."""
    count = points.shape[0]
    try:
        function = sp.lambdify(symbols, expr, modules=["numpy"])
        with np.errstate(all="ignore"):
            values = function(*[points[:, i] for i in range(len(symbols))])
        values = np.broadcast_to(np.asarray(values, dtype=complex), (count,)).copy()
    except (TypeError, ValueError, AttributeError, NameError, ZeroDivisionError, OverflowError, KeyError):
        values = np.array([_precise(expr, symbols, row) for row in points], dtype=complex)
    real = np.abs(values.imag) <= 1e-12 * (1 + np.abs(values.real))
    result = np.where(real & np.isfinite(values), values.real, np.nan)
    return result.astype(float)


def _precise(expr: sp.Basic, symbols: list[sp.Symbol], row) -> complex:
    substitutions = {symbol: sp.Float(float(value), DIGITS) for symbol, value in zip(symbols, row, strict=True)}
    try:
        value = expr.evalf(DIGITS, subs=substitutions)
        return complex(value) if value.is_number else complex("nan")
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
        return complex("nan")


def _agree_precisely(expected, answer, symbols, row, offset: complex | None = None) -> bool | None:
    e, a = _precise(expected, symbols, row), _precise(answer, symbols, row)
    if not (np.isfinite(e) and abs(e.imag) <= 1e-20 * (1 + abs(e))):
        return None  # the expected side is undefined here: the point says nothing
    if not np.isfinite(a):
        return False
    difference = a - e - (offset or 0)
    return abs(difference) <= 1e-18 * (1 + abs(e) + abs(a))


def _close(expected: np.ndarray, answer: np.ndarray) -> np.ndarray:
    return np.isfinite(answer) & (
        np.abs(answer - expected) <= ATOL + RTOL * np.maximum(np.abs(expected), np.abs(answer))
    )


def _show_point(symbols, row) -> dict[str, str]:
    return {symbol.name: f"{value:.4g}" for symbol, value in zip(symbols, row, strict=True)}


def equivalent(
    expected: sp.Basic, answer: sp.Basic, context: Context, *, up_to_constant: bool = False, seed: int = 0
) -> Verdict:
    expected, answer = prepare(sp.sympify(expected), context), prepare(sp.sympify(answer), context)
    if expected == answer:
        return Verdict(True, "identical")
    expected, answer = _concrete(expected, seed), _concrete(answer, seed)
    symbols = sorted(expected.free_symbols | answer.free_symbols, key=lambda s: s.name)
    rng = random.Random(seed)

    rows, usable = [], 0
    for narrow in (False, True):
        points = _points(symbols, context, rng, SAMPLES, narrow)
        e_values, a_values = _evaluate(expected, symbols, points), _evaluate(answer, symbols, points)
        valid = np.isfinite(e_values)
        if up_to_constant and valid.any():
            shift = (a_values - e_values)[valid][0]
            a_values = a_values - shift
        bad = valid & ~_close(e_values, a_values)
        for row in points[bad][:3]:
            offset = None
            if up_to_constant:
                first = points[valid][0]
                offset = _precise(answer, symbols, first) - _precise(expected, symbols, first)
            if _agree_precisely(expected, answer, symbols, row, offset) is False:
                return Verdict(False, "counterexample", _show_point(symbols, row))
        usable += int(valid.sum())
        rows.extend(points[valid])
        if usable >= SAMPLES // 2 or not symbols:
            break

    proof = _prove(expected, answer, symbols, up_to_constant)
    if proof is True:
        return Verdict(True, "proved")
    if proof is False:
        return Verdict(False, "proved")
    if usable < 3:
        return Verdict(None, "undecided")
    fresh = _points(symbols, context, rng, PRECISE_SAMPLES * 2, False)
    checked = 0
    offset = None
    for row in list(fresh) + rows[:PRECISE_SAMPLES]:
        if up_to_constant and offset is None:
            a0, e0 = _precise(answer, symbols, row), _precise(expected, symbols, row)
            if np.isfinite(a0) and np.isfinite(e0):
                offset = a0 - e0
            continue
        agreed = _agree_precisely(expected, answer, symbols, row, offset)
        if agreed is False:
            return Verdict(False, "counterexample", _show_point(symbols, row))
        checked += agreed is True
        if checked >= PRECISE_SAMPLES:
            return Verdict(True, "sampled")
    return Verdict(None, "undecided")


def _prove(expected, answer, symbols, up_to_constant: bool) -> bool | None:
    """True: the difference simplifies to zero (a constant); False: to a nonzero number; None: unknown."""
    difference = answer - expected
    try:
        with time_budget(SIMPLIFY_SECONDS):
            candidates = [difference]
            if up_to_constant:
                candidates = [sp.diff(difference, symbol) for symbol in symbols]
            return _all_zero(candidates)
    except OutOfTime:
        return None
    except (TypeError, ValueError, ZeroDivisionError, RecursionError, NotImplementedError, AttributeError):
        return None


def _exponential_form(expr):
    """Hyperbolic and exponential rewritings cancel quickly once everything is in exp."""
    if not expr.has(sp.exp, sp.sinh, sp.cosh, sp.tanh, sp.Pow):
        return expr
    return sp.cancel(sp.powsimp(sp.expand(expr.rewrite(sp.exp))))


def _all_zero(candidates) -> bool | None:
    undecided = False
    for candidate in candidates:
        if candidate == 0:
            continue
        for step in (sp.expand, sp.cancel, _exponential_form, sp.simplify):
            candidate = step(candidate)
            if candidate == 0:
                break
        else:
            if candidate.is_number and candidate.is_zero is False:
                return False
            undecided = True
    return None if undecided else True


# --- form checks -------------------------------------------------------------------------------


def _factors(written) -> list:
    if isinstance(written, sp.Mul):
        return [factor for arg in written.args for factor in _factors(arg)]
    return [written]


def _has_product_of_sums(written) -> bool:
    for node in sp.preorder_traversal(written):
        if isinstance(node, sp.Mul) and sum(1 for f in _factors(node) if _is_sum(f)) and len(_factors(node)) > 1:
            return True
        if isinstance(node, sp.Pow) and _is_sum(node.base) and node.exp.is_Integer and node.exp > 1:
            return True
    return False


def _is_sum(node) -> bool:
    return isinstance(node, sp.Add) and bool(node.free_symbols)


def is_expanded(written) -> bool:
    return not _has_product_of_sums(written)


def is_factored(written) -> bool:
    for factor in _factors(written):
        base = factor.base if isinstance(factor, sp.Pow) and factor.exp.is_Integer and factor.exp > 0 else factor
        base = base.doit()
        if not base.free_symbols or not base.is_polynomial():
            continue
        _, irreducible = sp.factor_list(base)
        if sum(multiplicity for _, multiplicity in irreducible) > 1:
            return False
    return True


def is_simplified(value) -> bool:
    try:
        with time_budget(SIMPLIFY_SECONDS):
            simpler = sp.simplify(value)
    except OutOfTime:
        return True  # no simpler form found in the time allowed
    return sp.count_ops(value) <= sp.count_ops(simpler)


FORM_LABELS = {
    "expanded": "expanded (multiply out every bracket)",
    "factored": "fully factored",
    "simplified": "simplified",
    "no-derivative": "worked out, with no derivative left",
    "no-integral": "worked out, with no integral left",
}


def form_problem(form: str, written, value) -> str | None:
    """None when `written` has the form, else what is wrong."""
    if form == "expanded" and not is_expanded(written):
        return "Your answer is equivalent, but not expanded: multiply out the brackets."
    if form == "factored" and not is_factored(written):
        return "Your answer is equivalent, but not fully factored."
    if form == "simplified" and not is_simplified(value):
        return "Your answer is equivalent, but it can be simplified further."
    if form == "no-derivative" and written.has(sp.Derivative):
        return "Your answer still contains a derivative; work it out."
    if form == "no-integral" and written.has(sp.Integral):
        return "Your answer still contains an integral; work it out."
    if form.startswith("no-") and form not in FORM_LABELS:
        name = form[3:]
        used = {type(node).__name__.lower() for node in sp.preorder_traversal(written) if isinstance(node, sp.Function)}
        if name.lower() in used or (name.lower() in ("abs",) and written.has(sp.Abs)):
            return f"Your answer may not use {name}; rewrite it without."
    return None
