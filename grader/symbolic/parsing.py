"""Read typed math into SymPy without evaluating Python.

SymPy's `sympify`/`parse_expr` call `eval`, so learner text never goes near them. Instead the
text is normalised, cut into tokens by hand (numbers, names, operators), implicit
multiplication is made explicit, and every name is replaced by a placeholder (`_n0`, `_n1`,
...). Only then does Python's own parser build a tree, which is walked against a whitelist of
node types and turned into SymPy objects by calling constructors. No keyword, attribute,
string, lambda or comprehension can survive the tokenizer, and the walk rejects anything
else. Caps on length, nesting, digits and exponent sizes keep construction cheap.

Each answer is built twice: as written (unevaluated, for the preview and for form checks)
and evaluated (for equivalence).
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import math
import re
import unicodedata
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

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
SYMBOL_CHARS = {
    "×": "*", "·": "*", "⋅": "*", "∙": "*", "∗": "*", "÷": "/", "−": "-", "–": "-", "—": "-",
    "√": "sqrt", "π": "pi", "∞": "oo", "（": "(", "）": ")",
}  # fmt: skip
GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "κ": "kappa", "λ": "lam", "μ": "mu", "ν": "nu",
    "ξ": "xi", "ρ": "rho", "σ": "sigma", "τ": "tau", "φ": "phi", "ϕ": "phi", "χ": "chi",
    "ψ": "psi", "ω": "omega",
}  # fmt: skip
GREEK_NAMES = set(GREEK.values()) | {"lambda"}

# Letters that look like Latin ones but are not: a learner pasting from a PDF gets told why.
LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC")


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

    def __init__(self, message: str, position: int | None = None, text: str = "", suggestion: str | None = None, unknown: list[str] | None = None):
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


# --- normalisation and tokens ----------------------------------------------------------------


def normalise(text: str) -> str:
    """Unicode to the ASCII the tokenizer reads; look-alike letters raise a ParseError."""
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺":
            end = index
            while end < len(text) and text[end] in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺":
                end += 1
            out.append("^(" + text[index:end].translate(SUPERSCRIPTS) + ")")
            index = end
            continue
        if char in SYMBOL_CHARS:
            out.append(SYMBOL_CHARS[char])
        elif char in GREEK:
            out.append(f" {GREEK[char]} ")
        elif ord(char) < 128:
            out.append(char)
        else:
            folded = unicodedata.normalize("NFKC", char)
            if folded.isascii() and folded.strip():
                out.append(folded)
            elif char.isspace():
                out.append(" ")
            else:
                name = unicodedata.name(char, "")
                position = len("".join(out))
                if char.isalpha() and name.startswith(LOOKALIKE_SCRIPTS):
                    raise ParseError(
                        f"The letter {char!r} is a {name.split()[0].title()} letter that looks like a Latin one.",
                        position, "".join(out) + char + text[index + 1 :],
                        "Retype it on a Latin keyboard (pasted text often carries such letters).",
                    )
                raise ParseError(f"The character {char!r} ({name.title() or 'unknown'}) is not understood.", position, "".join(out) + char + text[index + 1 :])
        index += 1
    return "".join(out)


TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<number>\d+(?:\.\d*)?|\.\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|==|<=|>=|[-+*/^()\[\]{},=!])|(?P<bad>.)"
)


@dataclass
class Token:
    kind: str  # num, sym, const, func, op
    text: str
    position: int


def tokenize(text: str, context: Context) -> list[Token]:
    tokens: list[Token] = []
    known = context.known_names()
    for match in TOKEN.finditer(text):
        kind, value, position = match.lastgroup, match.group(), match.start()
        if kind == "space":
            continue
        if kind == "bad":
            hint = "Names may not contain dots or quotes." if value in "'\".:" else None
            raise ParseError(f"The character {value!r} is not understood here.", position, text, hint)
        if kind == "number":
            digits = value.replace(".", "")
            if len(digits) > MAX_DIGITS:
                raise ParseError(f"That number has {len(digits)} digits; at most {MAX_DIGITS} are allowed.", position, text)
            tokens.append(Token("num", value, position))
        elif kind == "op":
            if value in ("==", "<=", ">="):
                raise ParseError(f"{value!r} is not allowed; write an equation with a single '='.", position, text)
            tokens.append(Token("op", "**" if value == "^" else value, position))
        else:
            tokens.extend(_segment(value, position, text, known, context))
        if len(tokens) > MAX_TOKENS:
            raise ParseError("The answer is too long to read.", position, text)
    return tokens


def _classify(name: str, position: int, context: Context) -> Token:
    if name in context.functions or name in FUNCTIONS:
        return Token("func", name, position)
    if context.variables is not None and name in {v.replace("_", "") for v in context.variables}:
        return Token("sym", _declared_name(name, context), position)
    if name in CONSTANTS:
        return Token("const", name, position)
    return Token("sym", name, position)


def _declared_name(stripped: str, context: Context) -> str:
    for variable in context.variables or []:
        if variable.replace("_", "") == stripped:
            return variable
    return stripped


def _segment(word: str, position: int, text: str, known: set[str], context: Context) -> list[Token]:
    """Split a run of letters into names: declared names and known functions win, then letters."""
    stripped = word.replace("_", "")
    if word.startswith("__") or not stripped:
        raise ParseError(f"{word!r} is not a name this exercise knows.", position, text)
    if stripped == "lambda" and "lam" in known:
        stripped = "lam"
    if stripped in known:
        return [_classify(stripped, position, context)]
    if stripped in REFUSED_NAMES:
        raise ParseError(operator_refusal(stripped), position, text)
    lowered = stripped.lower()
    if lowered in FUNCTIONS and lowered not in known - set(FUNCTIONS):
        return [Token("func", lowered, position)]
    tokens = []
    index = 0
    while index < len(stripped):
        best = max((name for name in known if stripped.startswith(name, index)), key=len, default=None)
        if best is None:
            best = stripped[index]
            if best.isdigit():
                end = index
                while end < len(stripped) and stripped[end].isdigit():
                    end += 1
                previous = stripped[:index]
                raise ParseError(
                    f"{word!r} is not a name this exercise knows.",
                    position + index, text,
                    f"Did you mean {previous}^{stripped[index:end]} or {previous}*{stripped[index:end]}?",
                    unknown=[word],
                )
        tokens.append(_classify(best, position + index, context))
        index += len(best)
    if context.variables is not None:
        declared = set(context.variables)
        unknown = [token for token in tokens if token.kind == "sym" and token.text not in declared]
        if unknown:
            meaningful = any(token.kind == "func" or (token.kind == "sym" and token.text in declared) for token in tokens)
            name = unknown[0].text if meaningful else word
            raise _unknown_name(name, unknown[0].position if name != word else position, text, context)
    return tokens


def _unknown_name(name: str, position: int, text: str, context: Context) -> ParseError:
    variables = ", ".join(context.variables or []) or "none"
    close = suggest_names(name, context)
    suggestion = f"Did you mean {' or '.join(close)}?" if close else None
    return ParseError(
        f"Unknown name {name!r}. This exercise's variables: {variables}.", position, text, suggestion, unknown=[name]
    )


# --- from tokens to a checked Python tree ----------------------------------------------------


ATOM_END = {"num", "sym", "const"}


def _explicit(tokens: list[Token], text: str) -> list[Token]:
    """Insert the multiplications the learner left implicit; turn `n!` into factorial(n)."""
    out: list[Token] = []
    for index, token in enumerate(tokens):
        previous = out[-1] if out else None
        if token.kind == "op" and token.text == "!":
            _wrap_factorial(out, token, text)
            continue
        if previous is not None:
            ends_atom = previous.kind in ATOM_END or (previous.kind == "op" and previous.text in (")", "]", "}"))
            starts_atom = token.kind in ("num", "sym", "const", "func") or (token.kind == "op" and token.text == "(")
            if previous.kind == "num" and token.kind == "num":
                raise ParseError(
                    "Two numbers in a row.", token.position, text,
                    f"Did you mean {previous.text}*{token.text} or {previous.text}{token.text}?",
                )
            if ends_atom and starts_atom:
                out.append(Token("op", "*", token.position))
        if token.kind == "func":
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is None or following.text != "(":
                after = following.text if following is not None else "x"
                raise ParseError(
                    f"The function {token.text} needs its argument in parentheses.", token.position, text,
                    f"Did you mean {token.text}({after})?",
                )
        out.append(token)
    return out


def _wrap_factorial(out: list[Token], bang: Token, text: str) -> None:
    if not out:
        raise ParseError("'!' needs something before it.", bang.position, text)
    last = out[-1]
    if last.kind in ATOM_END:
        start = len(out) - 1
    elif last.text == ")":
        depth, start = 0, len(out) - 1
        while start >= 0:
            depth += out[start].text == ")"
            depth -= out[start].text == "("
            if depth == 0:
                break
            start -= 1
        if start > 0 and out[start - 1].kind == "func":
            start -= 1
    else:
        raise ParseError("'!' (factorial) must follow a number, a name or a bracket.", bang.position, text)
    group = out[start:]
    del out[start:]
    out.extend([Token("func", "factorial", bang.position), Token("op", "(", bang.position), *group, Token("op", ")", bang.position)])


def _check_brackets(tokens: list[Token], text: str) -> None:
    stack: list[Token] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    for token in tokens:
        if token.kind != "op":
            continue
        if token.text in "([{":
            stack.append(token)
            if len(stack) > MAX_DEPTH:
                raise ParseError(f"The answer nests brackets more than {MAX_DEPTH} deep.", token.position, text)
        elif token.text in pairs:
            if not stack:
                raise ParseError(f"This {token.text!r} closes nothing.", token.position, text)
            opening = stack.pop()
            if opening.text != pairs[token.text]:
                raise ParseError(f"{opening.text!r} is closed by {token.text!r}.", token.position, text)
    if stack:
        closer = {"(": ")", "[": "]", "{": "}"}[stack[-1].text]
        raise ParseError(f"This {stack[-1].text!r} is never closed.", stack[-1].position, text, f"Add a {closer!r}.")


@dataclass
class _Source:
    code: str
    positions: list[int]  # for each character of code, the position in the learner's text
    names: dict[str, Token]


def _to_source(tokens: list[Token]) -> _Source:
    code, positions, names, ids = [], [], {}, {}
    for token in tokens:
        if token.kind in ("sym", "const", "func"):
            key = (token.kind, token.text)
            if key not in ids:
                ids[key] = f"_n{len(ids)}"
                names[ids[key]] = token
            piece = ids[key]
        else:
            piece = token.text
        piece += " "
        code.append(piece)
        positions.extend([token.position] * len(piece))
    return _Source("".join(code), positions, names)


# --- building SymPy objects ------------------------------------------------------------------


@dataclass
class Parsed:
    """An answer as read: `kind` is expr, list, matrix, set or equation."""

    kind: str
    written: object  # unevaluated SymPy, nested lists for list/matrix, tuple for an equation
    value: object  # evaluated
    text: str

    def shape(self) -> tuple[int, ...]:
        if self.kind == "matrix":
            return (len(self.value), len(self.value[0]) if self.value else 0)
        if self.kind in ("list", "set"):
            return (len(self.value),)
        return ()


class _Builder:
    def __init__(self, source: _Source, context: Context, text: str, evaluate: bool):
        self.source = source
        self.context = context
        self.text = text
        self.evaluate = evaluate

    def error(self, message: str, node: ast.AST, suggestion: str | None = None) -> ParseError:
        offset = getattr(node, "col_offset", 0)
        position = self.source.positions[min(offset, len(self.source.positions) - 1)] if self.source.positions else 0
        return ParseError(message, position, self.text, suggestion)

    def build(self, node: ast.AST):
        if isinstance(node, ast.Expression):
            return self.build(node.body)
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self.build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(operand, sp.Number):
                return -operand
            return sp.Mul(sp.S.NegativeOne, operand, evaluate=self.evaluate)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.error("This part of the answer is not a mathematical expression.", node)

    def number(self, node: ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error("Only numbers are allowed here.", node)
        text = self.source.code[node.col_offset : node.end_col_offset].strip()
        if isinstance(value, int):
            return sp.Integer(text)
        # Decimals are read exactly (0.1 is 1/10) so that 0.1*x and x/10 agree symbolically.
        return sp.Rational(text) if self.evaluate else sp.Float(text)

    def name(self, node: ast.Name):
        token = self.source.names.get(node.id)
        if token is None:
            raise self.error("Unknown name.", node)
        if token.kind == "const":
            return CONSTANTS[token.text]
        if token.kind == "func":
            raise self.error(f"The function {token.text} needs its argument in parentheses.", node, f"Did you mean {token.text}(x)?")
        return self.context.symbol(token.text)

    def binary(self, node: ast.BinOp):
        left, right = self.build(node.left), self.build(node.right)
        evaluate = self.evaluate
        if isinstance(left, list | tuple) or isinstance(right, list | tuple):
            raise self.error("Arithmetic on a list or matrix is not supported; write each entry.", node)
        if isinstance(node.op, ast.Add):
            return sp.Add(left, right, evaluate=evaluate)
        if isinstance(node.op, ast.Sub):
            if isinstance(right, sp.Number):
                return sp.Add(left, -right, evaluate=evaluate)
            return sp.Add(left, sp.Mul(sp.S.NegativeOne, right, evaluate=evaluate), evaluate=evaluate)
        if isinstance(node.op, ast.Mult):
            return sp.Mul(left, right, evaluate=evaluate)
        if isinstance(node.op, ast.Div):
            if evaluate and right == 0:
                raise self.error("This divides by zero.", node)
            return sp.Mul(left, sp.Pow(right, sp.S.NegativeOne, evaluate=evaluate), evaluate=evaluate)
        if isinstance(node.op, ast.Pow):
            self.check_power(left, right, node)
            return sp.Pow(left, right, evaluate=evaluate)
        raise self.error("This operator is not allowed; use + - * / ^.", node)

    def check_power(self, base, exponent, node) -> None:
        if not self.evaluate:
            return
        if exponent.is_Number:
            if abs(exponent) > MAX_EXPONENT:
                raise self.error(f"The exponent is too large (at most {MAX_EXPONENT}).", node)
            if base.is_Number and exponent.is_Integer and abs(base) > 1:
                digits = abs(int(exponent)) * math.log10(float(abs(base)))
                if digits > MAX_RESULT_DIGITS:
                    raise self.error("This power is too large to compute.", node)
        elif exponent.is_number and base.is_number:
            try:
                size = abs(complex(sp.N(exponent, 15)))
            except (TypeError, ValueError):
                return
            if size > MAX_EXPONENT:
                raise self.error(f"The exponent is too large (at most {MAX_EXPONENT}).", node)

    def call(self, node: ast.Call):
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise self.error("Only calls like sin(x) are allowed.", node)
        token = self.source.names.get(node.func.id)
        if token is None or token.kind != "func":
            raise self.error("Not a function.", node)
        args = [self.build(arg) for arg in node.args]
        if any(isinstance(arg, list | tuple) for arg in args):
            raise self.error(f"{token.text} takes expressions, not lists.", node)
        name = token.text
        if name in self.context.functions:
            return self.context.declared_function(name)(*args)
        constructor, counts = FUNCTIONS[name]
        if len(args) not in counts:
            expected = " or ".join(str(c) for c in counts[:2])
            raise self.error(f"{name} takes {expected} argument{'s' if counts[0] != 1 else ''}, got {len(args)}.", node)
        if name == "factorial" and self.evaluate and args[0].is_Number and abs(args[0]) > MAX_FACTORIAL:
            raise self.error(f"This factorial is too large (at most {MAX_FACTORIAL}!).", node)
        if constructor in (sp.Derivative, sp.Integral):
            if name not in self.context.operators:
                raise self.error(operator_refusal(name), node)
            return self.calculus(constructor, args, node)
        if name == "log" and len(args) == 2:
            return sp.log(args[0], args[1]) if self.evaluate else sp.Mul(sp.log(args[0], evaluate=False), sp.Pow(sp.log(args[1], evaluate=False), -1, evaluate=False), evaluate=False)
        return constructor(*args, evaluate=self.evaluate)

    def calculus(self, constructor, args, node):
        variable = args[1]
        if not isinstance(variable, sp.Symbol):
            raise self.error("The second argument must be a variable.", node)
        if constructor is sp.Derivative:
            order = args[2] if len(args) == 3 else sp.Integer(1)
            if not order.is_Integer or not 1 <= int(order) <= 10:
                raise self.error("The order of a derivative must be a whole number from 1 to 10.", node)
            result = sp.Derivative(args[0], (variable, int(order)))
        else:
            result = sp.Integral(args[0], variable)
        # The evaluated tree works the calculus out; the written one keeps it for form checks.
        return result.doit() if self.evaluate else result


def _structure(node: ast.AST, builder: _Builder, top: bool = True):
    """Lists, matrices and sets at the top level; plain expressions below them."""
    if isinstance(node, ast.List | ast.Tuple):
        if not top and not isinstance(node, ast.List):
            raise builder.error("Brackets inside an entry are not understood.", node)
        items = [_structure(element, builder, top=False) if isinstance(element, ast.List) else builder.build(element) for element in node.elts]
        return items
    if isinstance(node, ast.Set) and top:
        return ("set", [builder.build(element) for element in node.elts])
    if isinstance(node, ast.Dict):
        raise builder.error("Write a set as {1, 2} and a list as [1, 2].", node)
    return builder.build(node)


def read_tree(text: str, context: Context) -> tuple[ast.expr, _Source]:
    """The checked Python tree of normalised text, its names replaced by placeholders that
    `source.names` maps back to tokens. Nothing has been built yet: callers walk the tree
    against their own whitelist (SymPy scalars below, matrix expressions in matrix.py)."""
    tokens = _explicit(tokenize(text, context), text)
    if not tokens:
        raise ParseError("The answer is empty.", 0, text)
    _check_brackets(tokens, text)
    if tokens[-1].kind == "op" and tokens[-1].text in "+-*/**,":
        raise ParseError(f"The answer ends with {tokens[-1].text!r}; something is missing after it.", tokens[-1].position, text)
    source = _to_source(tokens)
    try:
        tree = ast.parse(source.code, mode="eval")
    except SyntaxError as exc:
        offset = max(0, (exc.offset or 1) - 1)
        position = source.positions[min(offset, len(source.positions) - 1)]
        raise ParseError("The answer is not a well-formed expression here.", position, text, _syntax_hint(text, position)) from None
    except (RecursionError, MemoryError):
        raise ParseError("The answer nests too deeply to read.", 0, text) from None
    return tree.body, source


def _parse_one(text: str, context: Context) -> tuple[str, object, object]:
    body, source = read_tree(text, context)
    written = _structure(body, _Builder(source, context, text, evaluate=False))
    value = _structure(body, _Builder(source, context, text, evaluate=True))
    if isinstance(value, tuple):
        return "set", written[1], value[1]
    if isinstance(value, list):
        if value and all(isinstance(row, list) for row in value):
            lengths = {len(row) for row in value}
            if len(lengths) != 1:
                raise ParseError("The rows of the matrix have different lengths.", 0, text)
            return "matrix", written, value
        if any(isinstance(item, list) for item in value):
            raise ParseError("Mix of numbers and rows: write a matrix as [[a, b], [c, d]].", 0, text)
        return "list", written, value
    return "expr", written, value


def _syntax_hint(text: str, position: int) -> str | None:
    before = text[:position].rstrip()
    if before.endswith(("+", "-", "*", "/", "^")):
        return "Something is missing between two operators."
    if text[position : position + 1] == ",":
        return "Commas separate the entries of a list [a, b] or the arguments of a function."
    return None


def parse(text: str, context: Context | None = None, *, latex: bool | None = None) -> Parsed:
    """Read an answer: an expression, an equation, a list, a set or a matrix."""
    context = context or Context()
    if not isinstance(text, str):
        raise ParseError("The answer must be text.")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"The answer is {len(text)} characters long; at most {MAX_LENGTH} are allowed.", MAX_LENGTH, text[: MAX_LENGTH + 1])
    if not text.strip():
        raise ParseError("The answer is empty.", 0, text)
    if latex is None:
        latex = "\\" in text
    if latex:
        from .latex import latex_to_text

        text = latex_to_text(text)
    rows = _json_rows(text)
    if rows is not None:
        return _parse_rows(rows, context, text)
    text = normalise(text)
    if _top_level_equals(text):
        left_text, right_text = _split_equation(text)
        left, right = _parse_one(left_text, context), _parse_one(right_text, context)
        if left[0] != "expr" or right[0] != "expr":
            raise ParseError("Both sides of an equation must be expressions.", 0, text)
        return Parsed("equation", (left[1], right[1]), (left[2], right[2]), text)
    kind, written, value = _parse_one(text, context)
    return Parsed(kind, written, value, text)


def _top_level_equals(text: str) -> bool:
    depth = 0
    for char in text:
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "=" and depth == 0:
            return True
    return False


def _split_equation(text: str) -> tuple[str, str]:
    if text.count("=") != 1:
        raise ParseError("An equation has exactly one '='.", text.find("=", text.find("=") + 1), text)
    left, right = text.split("=")
    if not left.strip() or not right.strip():
        raise ParseError("Both sides of the equation need an expression.", text.find("="), text)
    return left, right


def _json_rows(text: str):
    """A matrix or list given as JSON with string entries (how exercise files store them)."""
    stripped = text.strip()
    if not stripped.startswith("[") or '"' not in stripped:
        return None
    import json

    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    if not isinstance(value, list):
        return None

    def leaves_ok(item) -> bool:
        if isinstance(item, list):
            return all(leaves_ok(i) for i in item)
        return isinstance(item, str | int | float) and not isinstance(item, bool)

    return value if leaves_ok(value) else None


def _parse_rows(rows: list, context: Context, text: str) -> Parsed:
    def one(entry):
        parsed = parse(str(entry), context, latex=False)
        if parsed.kind != "expr":
            raise ParseError("Each entry of a matrix must be a single expression.", 0, str(entry))
        return parsed

    if rows and all(isinstance(row, list) for row in rows):
        if len({len(row) for row in rows}) != 1:
            raise ParseError("The rows of the matrix have different lengths.", 0, text)
        cells = [[one(entry) for entry in row] for row in rows]
        return Parsed("matrix", [[c.written for c in row] for row in cells], [[c.value for c in row] for row in cells], text)
    cells = [one(entry) for entry in rows]
    return Parsed("list", [c.written for c in cells], [c.value for c in cells], text)


def suggest_names(unknown: str, context: Context) -> list[str]:
    return difflib.get_close_matches(unknown, sorted(context.known_names()), n=3, cutoff=0.6)
