"""The names the symbolic reader knows (functions, constants, operators), what an exercise
allows (Context), and the error a reading fails with (ParseError)."""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field

import sympy as sp

from ..limits import SYMBOLIC_MAX_CHARS

MAX_LENGTH = SYMBOLIC_MAX_CHARS  # characters of one answer
MAX_DEPTH = 40  # nesting of brackets and calls
MAX_DIGITS = 40  # digits in one number
MAX_EXPONENT = 1000  # |n| in x^n
MAX_RESULT_DIGITS = 2000  # digits of an integer power computed while reading
MAX_FACTORIAL = 170
MAX_TOKENS = 800

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "κ": "kappa", "λ": "lam", "μ": "mu", "ν": "nu",
    "ξ": "xi", "ρ": "rho", "σ": "sigma", "τ": "tau", "φ": "phi", "ϕ": "phi", "χ": "chi",
    "ψ": "psi", "ω": "omega",
}  # fmt: skip
GREEK_NAMES = set(GREEK.values()) | {"lambda"}


class Norm(sp.Function):
    """‖x‖ of a scalar expression (the reader's variables are scalars): its absolute value.
    Evaluated, it is Abs; written (for the preview and form checks) it keeps its bars."""

    nargs = 1

    @classmethod
    def eval(cls, arg):
        return sp.Abs(arg)

    def _latex(self, printer):
        return rf"\left\| {printer._print(self.args[0])} \right\|"

    def _sympystr(self, printer):
        return f"norm({printer._print(self.args[0])})"


FUNCTIONS: dict[str, tuple[object, tuple[int, ...]]] = {
    # name: (sympy constructor, allowed argument counts)
    "exp": (sp.exp, (1,)),
    "log": (sp.log, (1, 2)),
    "ln": (sp.log, (1,)),
    "sqrt": (sp.sqrt, (1,)),
    "sin": (sp.sin, (1,)),
    "cos": (sp.cos, (1,)),
    "tan": (sp.tan, (1,)),
    "cot": (sp.cot, (1,)),
    "sec": (sp.sec, (1,)),
    "csc": (sp.csc, (1,)),
    "asin": (sp.asin, (1,)),
    "acos": (sp.acos, (1,)),
    "atan": (sp.atan, (1,)),
    "arcsin": (sp.asin, (1,)),
    "arccos": (sp.acos, (1,)),
    "arctan": (sp.atan, (1,)),
    "sinh": (sp.sinh, (1,)),
    "cosh": (sp.cosh, (1,)),
    "tanh": (sp.tanh, (1,)),
    "coth": (sp.coth, (1,)),
    "sech": (sp.sech, (1,)),
    "csch": (sp.csch, (1,)),
    "asinh": (sp.asinh, (1,)),
    "acosh": (sp.acosh, (1,)),
    "atanh": (sp.atanh, (1,)),
    "arsinh": (sp.asinh, (1,)),
    "arcosh": (sp.acosh, (1,)),
    "artanh": (sp.atanh, (1,)),
    "norm": (Norm, (1,)),
    "abs": (sp.Abs, (1,)),
    "Abs": (sp.Abs, (1,)),
    "sign": (sp.sign, (1,)),
    "erf": (sp.erf, (1,)),
    "factorial": (sp.factorial, (1,)),
    "max": (sp.Max, (2, 3, 4, 5, 6, 7, 8)),
    "min": (sp.Min, (2, 3, 4, 5, 6, 7, 8)),
    "Max": (sp.Max, (2, 3, 4, 5, 6, 7, 8)),
    "Min": (sp.Min, (2, 3, 4, 5, 6, 7, 8)),
    "diff": (sp.Derivative, (2, 3)),
    "Derivative": (sp.Derivative, (2, 3)),
    "integrate": (sp.Integral, (2,)),
    "Integral": (sp.Integral, (2,)),
}
CONSTANTS = {"e": sp.E, "E": sp.E, "pi": sp.pi}
# `sin^-1 x` is the inverse function by convention, not 1/sin(x).
INVERSE_BY_POWER = {"sin": "asin", "cos": "acos", "tan": "atan", "sinh": "asinh", "cosh": "acosh", "tanh": "atanh"}


# The checker's own operators: an answer that calls them would have the checker do the work the
# exercise asks for ("differentiate f": `diff(f, x)`). Refused unless an exercise opts in
# (`answer.operators`); exercises' own expected answers and mistakes may always use them.
OPERATORS = {"diff": "derivative", "Derivative": "derivative", "integrate": "integral", "Integral": "integral"}
# Operators the reader does not know at all; named, so the learner is told why, not "unknown name".
REFUSED_NAMES = {
    "limit": "limit", "Limit": "limit", "Sum": "sum", "summation": "sum", "Product": "product",
    "solve": "solution", "dsolve": "solution", "simplify": "simplified form", "expand": "expanded form",
    "factor": "factored form", "series": "series", "nsimplify": "value", "evalf": "value",
}  # fmt: skip
ALL_OPERATORS = frozenset(OPERATORS)


def operator_refusal(name: str) -> str:
    what = OPERATORS.get(name) or REFUSED_NAMES.get(name, "result")
    return f"Write the {what} itself; `{name}` is not allowed in this answer."


# Declared functions with a standard meaning are checked against that meaning; any other
# declared name stays an undefined function (equivalence then holds for every such function).
KNOWN_DEFINITIONS = {
    "sigma": lambda t: 1 / (1 + sp.exp(-t)),
    "sigmoid": lambda t: 1 / (1 + sp.exp(-t)),
    "softplus": lambda t: sp.log(1 + sp.exp(t)),
}


class ParseError(ValueError):
    """The answer could not be read: `message` says what, `position` where (0-based)."""

    def __init__(
        self,
        message: str,
        position: int | None = None,
        text: str = "",
        suggestion: str | None = None,
        unknown: list[str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.position = position
        self.text = text
        self.suggestion = suggestion
        self.unknown = unknown or []

    def caret(self) -> str:
        """The input with a caret under the position, for a monospace display."""
        if self.position is None or not self.text:
            return ""
        line = self.text.replace("\n", " ")
        position = min(self.position, len(line))
        start = max(0, position - 60)
        shown = line[start : start + 100]
        return f"{shown}\n{' ' * (position - start)}^"

    def to_dict(self) -> dict:
        return {
            "message": self.message,
            "position": self.position,
            "text": self.text,
            "caret": self.caret(),
            "suggestion": self.suggestion,
            "unknown": self.unknown,
        }

    def __str__(self) -> str:
        text = self.message
        if self.suggestion:
            text += f" {self.suggestion}"
        return text


@dataclass
class Context:
    """What an exercise allows: its variables (None: any letters), their assumptions, its functions."""

    variables: list[str] | None = None
    positive: list[str] = field(default_factory=list)
    nonnegative: list[str] = field(default_factory=list)
    integer: list[str] = field(default_factory=list)
    nonzero: list[str] = field(default_factory=list)
    real: bool = True
    functions: list[str] = field(default_factory=list)
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    operators: frozenset[str] = frozenset()  # the checker's operators this answer may call
    _symbols: dict[str, sp.Symbol] = field(default_factory=dict, repr=False)

    def trusted(self) -> Context:
        """The same context for the exercise's own texts, which may use every operator."""
        return dataclasses.replace(self, operators=ALL_OPERATORS)

    @classmethod
    def from_spec(cls, answer_spec: dict) -> Context:
        assumptions = answer_spec.get("assumptions") or {}
        variables = answer_spec.get("variables")
        intervals = {name: (float(lo), float(hi)) for name, (lo, hi) in (assumptions.get("interval") or {}).items()}
        return cls(
            variables=[str(v) for v in variables] if variables is not None else None,
            positive=list(assumptions.get("positive") or []),
            nonnegative=list(assumptions.get("nonnegative") or []),
            integer=list(assumptions.get("integer") or []),
            nonzero=list(assumptions.get("nonzero") or []),
            functions=[str(f) for f in answer_spec.get("functions") or []],
            intervals=intervals,
            operators=frozenset(str(name) for name in answer_spec.get("operators") or [] if name in OPERATORS),
        )

    def symbol(self, name: str) -> sp.Symbol:
        if name not in self._symbols:
            assumptions = {"real": True} if self.real else {}
            if name in self.positive:
                assumptions["positive"] = True
            if name in self.nonnegative:
                assumptions["nonnegative"] = True
            if name in self.integer:
                assumptions["integer"] = True
            if name in self.nonzero:
                assumptions["nonzero"] = True
            if name in self.intervals and self.intervals[name][0] >= 0:
                assumptions["nonnegative"] = True
            self._symbols[name] = sp.Symbol(name, **assumptions)
        return self._symbols[name]

    def declared_function(self, name: str):
        return sp.Function(name, real=True)

    def known_names(self) -> set[str]:
        names = set(FUNCTIONS) | set(self.functions) | set(CONSTANTS)
        if self.variables is None:
            names |= GREEK_NAMES
        else:
            names |= {v.replace("_", "") for v in self.variables}
        return names


def suggest_names(unknown: str, context: Context) -> list[str]:
    return difflib.get_close_matches(unknown, sorted(context.known_names()), n=3, cutoff=0.6)
