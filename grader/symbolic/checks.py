"""What the checker process does with one request. Requests and replies are plain JSON data:
texts in, verdicts and texts out, so nothing SymPy built ever crosses back to the caller."""

from __future__ import annotations

import re
import zlib

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from . import matrix
from .equivalence import Verdict, equivalent, form_problem
from .parsing import Context, Parsed, ParseError, parse

MAX_MISTAKES = 20


def handle(request: dict) -> dict:
    operation = request.get("op")
    try:
        if operation == "preview":
            return preview(request)
        if operation == "grade":
            return grade(request)
        if operation == "compare":
            return compare(request)
        if operation == "evaluate":
            return matrix.evaluate_at(request)
        if operation == "ping":
            return {"status": "ok"}
    except (RecursionError, MemoryError, OverflowError):
        return {"status": "too-complex"}
    return {"status": "bad-request", "message": f"unknown operation {operation!r}"}


def _context(request: dict) -> Context:
    return Context.from_spec(request.get("spec") or {})


def _seed(*texts: str) -> int:
    return zlib.crc32("\x00".join(texts).encode())


def describe(parsed: Parsed) -> dict:
    """The reading shown back to the learner, as LaTeX (rendered as MathML) and as plain text."""
    written = parsed.written
    symbols = _symbols(parsed)
    names = {symbol: latex for symbol in symbols if (latex := _greek_latex(symbol.name))}

    latex_printer = _WrittenLatex({"symbol_names": names, "ln_notation": True, "inv_trig_style": "full"})

    def latex_of(expr) -> str:
        return latex_printer.doprint(expr)

    if parsed.kind == "matrix":
        latex = latex_of(sp.Matrix(written))
        text = "[" + ", ".join("[" + ", ".join(_plain(c) for c in row) + "]" for row in written) + "]"
    elif parsed.kind == "list":
        latex = r"\left[" + ", ".join(latex_of(c) for c in written) + r"\right]"
        text = "[" + ", ".join(_plain(c) for c in written) + "]"
    elif parsed.kind == "set":
        latex = r"\left\{" + ", ".join(latex_of(c) for c in written) + r"\right\}"
        text = "{" + ", ".join(_plain(c) for c in written) + "}"
    elif parsed.kind == "equation":
        latex = f"{latex_of(written[0])} = {latex_of(written[1])}"
        text = f"{_plain(written[0])} = {_plain(written[1])}"
    else:
        latex, text = latex_of(written), _plain(written)
    return {"kind": parsed.kind, "parsed": text, "latex": latex, "variables": sorted(s.name for s in symbols)}


GREEK_ALIAS = re.compile(r"(lam|lambda)(\d*)")


def _greek_latex(name: str) -> str | None:
    """`lam` (how `λ` is typed, `lambda` being a Python word) is shown as λ, `lam1` as λ₁."""
    match = GREEK_ALIAS.fullmatch(name)
    if not match:
        return None
    return r"\lambda" + (f"_{{{match.group(2)}}}" if match.group(2) else "")


def _plain(expr) -> str:
    """SymPy's text, in the syntax the learner types: x^2 rather than x**2, e rather than E."""
    return re.sub(r"\bE\b", "e", _WrittenStr().doprint(expr).replace("**", "^"))


def _written_factors(printer, expr, separator: str) -> str | None:
    """A product as the reader built it, in the order it was typed: `a/b` is Mul(a, b⁻¹), `-a`
    is Mul(-1, a). SymPy's printers would regroup every negative power into one fraction
    (e^{-x}/y shown as 1/(e^x y)); the preview must show what was read instead."""
    args = expr.args
    if args[0] is sp.S.NegativeOne:
        rest = sp.Mul(*args[1:], evaluate=False) if len(args) > 2 else args[1]
        return "-" + printer.parenthesize(rest, PRECEDENCE["Mul"], strict=True)
    if len(args) == 2 and args[1].is_Pow and args[1].exp is sp.S.NegativeOne:
        return None  # a quotient: the caller prints it
    parts = [printer.parenthesize(arg, PRECEDENCE["Mul"], strict=True) for arg in args]
    if (args[0].is_Number and args[0].is_negative) or (args[0].is_Mul and args[0].args[0] is sp.S.NegativeOne):
        parts[0] = printer._print(args[0])  # a leading -2 or -x needs no brackets
    numbers = [arg.is_Number for arg in args]
    text = parts[0]
    for index in range(1, len(parts)):
        text += separator[numbers[index - 1] and numbers[index]] + parts[index]
    return text


class _WrittenLatex(LatexPrinter):
    def _print_Mul(self, expr):
        if not expr.is_Mul or any(not arg.is_commutative for arg in expr.args):
            return super()._print_Mul(expr)
        written = _written_factors(self, expr, {False: " ", True: r" \cdot "})
        if written is not None:
            return written
        numerator, denominator = expr.args[0], expr.args[1].base
        return rf"\frac{{{self._print(numerator)}}}{{{self._print(denominator)}}}"


class _WrittenStr(StrPrinter):
    def _print_Mul(self, expr):
        if not expr.is_Mul or any(not arg.is_commutative for arg in expr.args):
            return super()._print_Mul(expr)
        written = _written_factors(self, expr, {False: "*", True: "*"})
        if written is not None:
            return written
        numerator, denominator = expr.args
        return f"{self.parenthesize(numerator, PRECEDENCE['Mul'], strict=True)}/{self.parenthesize(denominator.base, PRECEDENCE['Pow'], strict=True)}"


def _entries(parsed: Parsed) -> list:
    value = parsed.value
    if parsed.kind == "matrix":
        return [c for row in value for c in row]
    if parsed.kind in ("list", "set"):
        return list(value)
    if parsed.kind == "equation":
        return list(value)
    return [value]


def _symbols(parsed: Parsed) -> set:
    return {s for entry in _entries(parsed) for s in sp.sympify(entry).free_symbols}


def preview(request: dict) -> dict:
    if (request.get("spec") or {}).get("matrices") is not None:
        return matrix.preview(request)
    try:
        parsed = parse(request["answer"], _context(request), latex=request.get("latex"))
    except ParseError as exc:
        return {"status": "ok", "ok": False, "error": exc.to_dict()}
    return {"status": "ok", "ok": True, **describe(parsed)}


def compare(request: dict) -> dict:
    """For check_expression (an instructor's tool): one expected text, one answer text."""
    context = _context(request).trusted()
    try:
        expected = parse(request["expected"], context, latex=False)
    except ParseError as exc:
        return {
            "status": "ok",
            "ok": False,
            "error": {**exc.to_dict(), "message": f"The expected expression: {exc.message}"},
        }
    try:
        answer = parse(request["answer"], context, latex=request.get("latex"))
    except ParseError as exc:
        return {"status": "ok", "ok": False, "error": exc.to_dict()}
    outcome = compare_parsed(
        expected,
        answer,
        context,
        up_to_constant=bool(request.get("up_to_constant")),
        seed=_seed(request["expected"], request["answer"]),
    )
    return {"status": "ok", "ok": True, **describe(answer), **outcome}


def grade(request: dict) -> dict:
    spec = request.get("spec") or {}
    if spec.get("matrices") is not None:
        return matrix.grade(request, _seed(str(spec.get("expected")), str(request.get("answer"))))
    context = _context(request)
    try:
        expected = parse_expected(spec.get("expected"), context.trusted())
    except ParseError as exc:
        return {"status": "spec-error", "message": f"The exercise's expected answer cannot be read: {exc}"}
    try:
        answer = parse(request["answer"], context, latex=request.get("latex"))
    except ParseError as exc:
        return {"status": "ok", "readable": False, "error": exc.to_dict()}
    seed = _seed(str(spec.get("expected")), request["answer"])
    outcome = compare_parsed(expected, answer, context, up_to_constant=bool(spec.get("up_to_constant")), seed=seed)
    reply = {"status": "ok", "readable": True, **describe(answer), **outcome, "hint": None}
    if outcome["correct"]:
        for form in _forms(spec.get("form")):
            problem = next(
                (
                    p
                    for w, v in zip(_written_entries(answer), _entries(answer), strict=True)
                    if (p := form_problem(form, w, v))
                ),
                None,
            )
            if problem:
                reply.update(correct=False, message=problem, form=form)
                break
    elif outcome["undecided"] is False:
        mistake = _matching_mistake(spec, answer, context, seed)
        if mistake is not None:
            reply["hint"], reply["mistake"] = mistake
    return reply


def _forms(form) -> list[str]:
    if not form:
        return []
    return [form] if isinstance(form, str) else [str(f) for f in form]


def _written_entries(parsed: Parsed) -> list:
    written = parsed.written
    if parsed.kind == "matrix":
        return [c for row in written for c in row]
    if parsed.kind in ("list", "set", "equation"):
        return list(written)
    return [written]


def parse_expected(expected, context: Context) -> Parsed:
    if isinstance(expected, list):
        import json

        return parse(json.dumps(expected), context, latex=False)
    if not isinstance(expected, str | int | float):
        raise ParseError("Missing expected answer.")
    return parse(str(expected), context, latex=False)


def _matching_mistake(spec: dict, answer: Parsed, context: Context, seed: int) -> tuple[str, str] | None:
    """(hint, name) of the exercise's known mistake the answer is equivalent to, if any. The
    name is the mistake's own `name`, else its hint's first sentence: reports count by it."""
    for mistake in (spec.get("mistakes") or [])[:MAX_MISTAKES]:
        try:
            wrong = parse_expected(mistake.get("answer"), context.trusted())
        except ParseError:
            continue
        if compare_parsed(wrong, answer, context, up_to_constant=bool(spec.get("up_to_constant")), seed=seed)[
            "correct"
        ]:
            hint = str(mistake.get("hint") or "")
            name = str(mistake.get("name") or hint.split(". ")[0].rstrip(".") or f"mistake {mistake.get('answer')}")
            return hint, name[:80]
    return None


# --- comparing structures -------------------------------------------------------------------


def _shape_text(parsed: Parsed) -> str:
    if parsed.kind == "matrix":
        rows, columns = parsed.shape()
        return f"a {rows}x{columns} matrix"
    if parsed.kind == "list":
        return f"a list of {len(parsed.value)}"
    if parsed.kind == "set":
        return f"a set of {len(parsed.value)}"
    if parsed.kind == "equation":
        return "an equation"
    return "a single expression"


def _as_vector(parsed: Parsed) -> list | None:
    if parsed.kind == "list":
        return list(parsed.value)
    if parsed.kind == "matrix" and 1 in parsed.shape():
        return [c for row in parsed.value for c in row]
    return None


def _entry_result(name: str, verdict: Verdict, got=None) -> dict:
    if verdict.equivalent:
        message = "Correct."
    elif verdict.equivalent is None:
        message = "Too complex to check."
    else:
        message = "Not equal to the expected value" + (
            f" (they differ at {_point_text(verdict.point)})." if verdict.point else "."
        )
    return {
        "name": name,
        "passed": bool(verdict.equivalent),
        "message": message,
        "got": str(got) if got is not None else None,
        "undecided": verdict.equivalent is None,
    }


def _point_text(point: dict) -> str:
    return ", ".join(f"{name} = {value}" for name, value in point.items()) if point else "a sample point"


def compare_parsed(
    expected: Parsed, answer: Parsed, context: Context, *, up_to_constant: bool = False, seed: int = 0
) -> dict:
    """{correct, undecided, message, entries}: per-entry results for lists and matrices."""

    def check(e, a):
        return equivalent(e, a, context, up_to_constant=up_to_constant, seed=seed)

    if expected.kind == "expr" and answer.kind == "expr":
        verdict = check(expected.value, answer.value)
        entry = _entry_result("your answer", verdict)
        message = (
            "Correct."
            if verdict.equivalent
            else (
                "Your answer is too complex to check."
                if verdict.equivalent is None
                else "Your answer is not equivalent to the expected one."
            )
        )
        if verdict.equivalent is False and verdict.point:
            message += f" They differ at {_point_text(verdict.point)}."
        return _outcome(bool(verdict.equivalent), verdict.equivalent is None, message, [entry])

    if expected.kind == "equation" and answer.kind == "equation":
        return _compare_equations(expected, answer, context, seed)

    if expected.kind == "matrix" and answer.kind == "matrix" and expected.shape() == answer.shape():
        rows, columns = expected.shape()
        entries = [
            _entry_result(
                f"entry ({i + 1}, {j + 1})", check(expected.value[i][j], answer.value[i][j]), answer.written[i][j]
            )
            for i in range(rows)
            for j in range(columns)
        ]
        return _from_entries(entries, "entries")

    expected_vector, answer_vector = _as_vector(expected), _as_vector(answer)
    vectors = expected_vector is not None and answer_vector is not None and "list" in (expected.kind, answer.kind)
    if vectors and len(expected_vector) == len(answer_vector):
        written = [c for row in answer.written for c in row] if answer.kind == "matrix" else answer.written
        entries = [
            _entry_result(f"entry {i + 1}", check(e, a), w)
            for i, (e, a, w) in enumerate(zip(expected_vector, answer_vector, written, strict=True))
        ]
        return _from_entries(entries, "entries")

    if expected.kind == "set" and answer.kind == "set":
        return _compare_sets(expected, answer, check)

    what = _shape_text(expected)
    return _outcome(False, False, f"Expected {what}, got {_shape_text(answer)}.", [])


def _outcome(correct: bool, undecided: bool, message: str, entries: list) -> dict:
    return {"correct": correct, "undecided": undecided, "message": message, "entries": entries}


def _from_entries(entries: list, noun: str) -> dict:
    wrong = [e for e in entries if not e["passed"]]
    undecided = any(e["undecided"] for e in entries)
    if not wrong:
        return _outcome(True, False, "Correct.", entries)
    names = ", ".join(e["name"].removeprefix("entry ") for e in wrong[:6])
    message = f"{len(wrong)} of {len(entries)} {noun} {'is' if len(wrong) == 1 else 'are'} wrong: {names}."
    if undecided:
        message = "Part of your answer is too complex to check. " + message
    return _outcome(False, undecided, message, entries)


def _compare_sets(expected: Parsed, answer: Parsed, check) -> dict:
    remaining = list(range(len(answer.value)))
    missing = 0
    for e in expected.value:
        match = next((index for index in remaining if check(e, answer.value[index]).equivalent), None)
        if match is None:
            missing += 1
        else:
            remaining.remove(match)
    if not missing and not remaining:
        return _outcome(True, False, "Correct.", [])
    parts = []
    if missing:
        parts.append(f"{missing} expected element{'s are' if missing != 1 else ' is'} missing")
    if remaining:
        extra = ", ".join(str(answer.written[i]) for i in remaining[:5])
        parts.append(f"not expected: {extra}")
    return _outcome(False, False, "; ".join(parts).capitalize() + ".", [])


def _compare_equations(expected: Parsed, answer: Parsed, context: Context, seed: int) -> dict:
    """Equal up to a nonzero factor: y = 2x + 1 and 2y - 4x = 2 say the same thing."""
    e_difference = expected.value[0] - expected.value[1]
    a_difference = answer.value[0] - answer.value[1]
    ratio = _ratio_guess(e_difference, a_difference, context, seed)
    if ratio is not None:
        verdict = equivalent(ratio * e_difference, a_difference, context, seed=seed)
    else:
        verdict = Verdict(False, "counterexample")
    entry = _entry_result("your equation", verdict)
    message = (
        "Correct."
        if verdict.equivalent
        else (
            "Your equation is too complex to check."
            if verdict.equivalent is None
            else "Your equation does not describe the same relation."
        )
    )
    return _outcome(bool(verdict.equivalent), verdict.equivalent is None, message, [entry])


def _ratio_guess(e_difference, a_difference, context: Context, seed: int):
    import random

    from .equivalence import _evaluate, _points

    symbols = sorted(e_difference.free_symbols | a_difference.free_symbols, key=lambda s: s.name)
    points = _points(symbols, context, random.Random(seed), 12, False)
    e_values, a_values = _evaluate(e_difference, symbols, points), _evaluate(a_difference, symbols, points)
    usable = abs(e_values) > 1e-6
    if not usable.any():
        return None
    ratio = float((a_values[usable] / e_values[usable])[0])
    if ratio == 0 or not abs(ratio) < 1e12:
        return None
    return sp.nsimplify(ratio, rational=True, tolerance=1e-10)
