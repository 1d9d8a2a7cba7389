"""LaTeX input, translated into the plain syntax and then read by the same safe parser.

Going through plain text (rather than a LaTeX-to-SymPy converter that builds and evaluates
objects directly) keeps one whitelist and one set of caps for both kinds of input.
"""

from __future__ import annotations

import re

from .parsing import MAX_LENGTH, ParseError

GREEK_COMMANDS = {
    "alpha": "alpha", "beta": "beta", "gamma": "gamma", "delta": "delta", "epsilon": "epsilon",
    "varepsilon": "epsilon", "zeta": "zeta", "eta": "eta", "theta": "theta", "kappa": "kappa",
    "lambda": "lam", "mu": "mu", "nu": "nu", "xi": "xi", "rho": "rho", "sigma": "sigma",
    "tau": "tau", "phi": "phi", "varphi": "phi", "chi": "chi", "psi": "psi", "omega": "omega",
    "pi": "pi",
}  # fmt: skip
FUNCTION_COMMANDS = {
    "exp", "ln", "log", "sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh",
    "coth", "sech", "csch", "arcsin", "arccos", "arctan", "max", "min",
}  # fmt: skip
NORM_BAR = "‖"  # \| \Vert \lVert \rVert, read like | but as a norm
OPERATOR_COMMANDS = {"cdot": "*", "times": "*", "div": "/", "pm": None, "le": None, "ge": None}
SPACING = {
    ",",
    ";",
    "!",
    ":",
    " ",
    "quad",
    "qquad",
    "displaystyle",
    "left",
    "right",
    "big",
    "Big",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
}
MATRIX_ENVIRONMENTS = {"bmatrix", "pmatrix", "matrix", "Bmatrix", "vmatrix"}

TOKEN = re.compile(r"\\([A-Za-z]+|.)|(\s+)|(.)", re.S)


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.tokens = [(m.group(1), m.group(2), m.group(3), m.start()) for m in TOKEN.finditer(text)]
        self.index = 0

    def error(self, message: str, position: int | None = None, suggestion: str | None = None) -> ParseError:
        if position is None:
            position = self.tokens[self.index][3] if self.index < len(self.tokens) else len(self.text)
        return ParseError(message, position, self.text, suggestion)

    def peek(self):
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def group(self) -> str:
        """The next argument: a {braced group} or a single token."""
        self.skip_space()
        token = self.peek()
        if token is None:
            raise self.error("A command is missing its argument.")
        if token[2] == "{":
            self.index += 1
            inner = self.until("}")
            return inner
        self.index += 1
        return self.one(token)

    def skip_space(self) -> None:
        while (token := self.peek()) is not None and token[1]:
            self.index += 1

    def until(self, closer: str | None, stop_commands: tuple[str, ...] = ()) -> str:
        out = []
        while True:
            token = self.peek()
            if token is None:
                if closer is None:
                    return "".join(out)
                raise self.error(f"A {{ is never closed: add {closer!r}.")
            command, _space, char, _position = token
            if closer is not None and char == closer:
                self.index += 1
                return "".join(out)
            if command in stop_commands or (char in stop_commands and char):
                return "".join(out)
            self.index += 1
            out.append(self.one(token))

    def one(self, token) -> str:
        command, space, char, position = token
        if space:
            return " "
        if char is not None:
            if char == "{":
                return "(" + self.until("}") + ")"
            if char == "}":
                raise self.error("This } closes nothing.", position)
            if char == "^":
                return "^(" + self.group() + ")"
            if char == "_":
                subscript = self.group().strip()
                if not re.fullmatch(r"[A-Za-z0-9]+", subscript):
                    raise self.error("Subscripts may only be letters and digits, like x_1 or z_{12}.", position)
                return subscript
            if char == "&":
                raise self.error("'&' only separates the entries of a matrix row.", position)
            return char
        return self.command(command, position)

    def command(self, name: str, position: int) -> str:
        if name in SPACING:
            return " "
        if name == "\\":
            raise self.error("'\\\\' only separates the rows of a matrix.", position)
        if name in ("frac", "dfrac", "tfrac"):
            numerator, denominator = self.group(), self.group()
            return f"(({numerator})/({denominator}))"
        if name == "sqrt":
            self.skip_space()
            token = self.peek()
            if token is not None and token[2] == "[":
                self.index += 1
                degree = self.until("]")
                return f"(({self.group()})^(1/({degree})))"
            return f"sqrt({self.group()})"
        if name in ("mathrm", "operatorname", "text", "mathit"):
            inner = self.group().strip()
            return inner if inner != "e" else "e"
        if name in ("lvert", "rvert", "vert"):
            return "|"
        if name in ("|", "Vert", "lVert", "rVert"):
            return NORM_BAR
        if name in GREEK_COMMANDS:
            return f" {GREEK_COMMANDS[name]} "
        if name in FUNCTION_COMMANDS:
            self.skip_space()
            token = self.peek()
            if token is not None and token[2] == "_" and name == "log":
                self.index += 1
                base = self.group()
                return f"logbase[{base}]"
            # `\sin^2 x`, `\ln x`, `\sin 2x`: the plain reader applies a function to what
            # follows it (parsing._function_arguments), so both kinds of input read alike.
            return f" {name} "
        if name in OPERATOR_COMMANDS:
            symbol = OPERATOR_COMMANDS[name]
            if symbol is None:
                raise self.error(f"\\{name} is not allowed in an answer.", position)
            return symbol
        if name == "begin":
            return self.matrix(position)
        raise self.error(f"The LaTeX command \\{name} is not understood.", position)

    def matrix(self, position: int) -> str:
        environment = self.group().strip()
        if environment not in MATRIX_ENVIRONMENTS:
            raise self.error(f"The environment {environment!r} is not understood; use bmatrix.", position)
        rows, cells = [], []
        while True:
            cell = self.until(None, stop_commands=("\\", "end", "&"))
            token = self.peek()
            if token is None:
                raise self.error(f"\\begin{{{environment}}} is never ended.", position)
            cells.append(cell.strip())
            self.index += 1
            if token[2] == "&":
                continue
            rows.append(cells)
            cells = []
            if token[0] == "end":
                self.group()
                break
        rows = [row for row in rows if any(row)]
        return "[" + ", ".join("[" + ", ".join(row) + "]" for row in rows) + "]"


def latex_to_text(latex: str) -> str:
    if len(latex) > MAX_LENGTH:
        raise ParseError(f"The answer is {len(latex)} characters long; at most {MAX_LENGTH} are allowed.")
    reader = _Reader(latex)
    text = reader.until(None)
    text = bars_to_calls(text, latex)
    text = re.sub(r"logbase\[(.*?)\]\s*(\((?:[^()]|\([^()]*\))*\))", r"log(\2, \1)", text)
    if "logbase[" in text:
        raise ParseError("Write \\log_b with its argument in parentheses: \\log_2(x).", 0, latex)
    return text


def bars_to_calls(text: str, source: str) -> str:
    """Norms ‖...‖ become norm(...) and absolute values |...| become Abs(...). Typed `||x||`
    is a norm when every bar comes in such a pair (`|x||y|` stays a product of two |...|)."""
    if "||" in text and "|" not in text.replace("||", ""):
        text = text.replace("||", NORM_BAR)
    return _bars(_bars(text, source, NORM_BAR, "norm("), source, "|", "Abs(")


def _bars(text: str, source: str, bar: str, call: str) -> str:
    """Pairs of bars become calls: an opening bar follows an operator or the start."""
    what = "norm" if bar == NORM_BAR else "absolute-value"
    out, depth = [], 0
    for index, char in enumerate(text):
        if char != bar:
            out.append(char)
            continue
        before = "".join(out).rstrip()
        opening = not before or before[-1] in "([{,+-*/^=" or depth == 0
        if opening and not (depth > 0 and before and before[-1] not in "([{,+-*/^="):
            out.append(call)
            depth += 1
        elif depth > 0:
            out.append(")")
            depth -= 1
        else:
            raise ParseError(f"A {what} bar is not matched.", index, source)
    if depth:
        raise ParseError(f"A {what} bar is never closed.", len(source), source)
    return "".join(out)
