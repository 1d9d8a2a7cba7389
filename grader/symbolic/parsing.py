"""Read typed math into SymPy without evaluating Python.

SymPy's `sympify`/`parse_expr` call `eval`, so learner text never goes near them. Instead the
text is normalised, cut into tokens by hand (numbers, names, operators), implicit
multiplication is made explicit, and every name is replaced by a placeholder (`_n0`, `_n1`,
...). Only then does Python's own parser build a tree, which is walked against a whitelist of
node types and turned into SymPy objects by calling constructors. No keyword, attribute,
string, lambda or comprehension can survive the tokenizer, and the walk rejects anything
else. Caps on length, nesting, digits and exponent sizes keep construction cheap.

The stages: `tokens` normalises and cuts the text; `vocabulary` holds the names the reader
knows, the exercise's Context and ParseError; this module makes multiplication explicit,
builds and checks the tree, and the SymPy objects. Each answer is built twice: as written
(unevaluated, for the preview and for form checks) and evaluated (for equivalence).
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

import sympy as sp

from .tokens import Token, normalise, tokenize
from .vocabulary import (
    CONSTANTS,
    FUNCTIONS,
    INVERSE_BY_POWER,
    KNOWN_DEFINITIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_FACTORIAL,
    MAX_LENGTH,
    MAX_RESULT_DIGITS,
    Context,
    ParseError,
    operator_refusal,
)

# Read by the other stages through this module, the reader's front door.
__all__ = [
    "KNOWN_DEFINITIONS",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_RESULT_DIGITS",
    "Context",
    "ParseError",
    "Parsed",
    "normalise",
    "parse",
    "read_tree",
]
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
                    "Two numbers in a row.",
                    token.position,
                    text,
                    f"Did you mean {previous.text}*{token.text} or {previous.text}{token.text}?",
                )
            if ends_atom and starts_atom:
                out.append(Token("op", "*", token.position))
        if token.kind == "func":
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is None or following.text != "(":
                after = following.text if following is not None else "x"
                raise ParseError(
                    f"The function {token.text} needs its argument in parentheses.",
                    token.position,
                    text,
                    f"Did you mean {token.text}({after})?",
                )
        out.append(token)
    return out


def _operand_end(tokens: list[Token], start: int) -> int | None:
    """The end (exclusive) of the operand that starts at `start`: a signed atom or a bracket."""
    index = start
    if index < len(tokens) and tokens[index].kind == "op" and tokens[index].text in "+-":
        index += 1
    if index >= len(tokens):
        return None
    token = tokens[index]
    if token.kind in ATOM_END:
        return index + 1
    if token.kind == "op" and token.text == "(":
        depth = 0
        for end in range(index, len(tokens)):
            depth += tokens[end].kind == "op" and tokens[end].text == "("
            depth -= tokens[end].kind == "op" and tokens[end].text == ")"
            if depth == 0:
                return end + 1
    return None


def _function_arguments(tokens: list[Token]) -> list[Token]:
    """Functions written the way people write them by hand: `ln x`, `sin 2x`, `sin^2 x`,
    `sin^2(x)`, `sin^-1 x`. Without brackets a function takes the run of numbers and names
    (each with its power) that follows it, so `ln x + 1` is ln(x) + 1 and `sin x^2` is sin(x²);
    a power written on the function applies to its value, except -1 on sin, cos and tan, which
    is the inverse function. The preview shows the reading, so an unexpected one is seen."""
    out: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind != "func":
            out.append(token)
            index += 1
            continue
        following = index + 1
        power: list[Token] = []
        if following < len(tokens) and tokens[following].text == "**":
            end = _operand_end(tokens, following + 1)
            if end is None:
                out.append(token)
                index += 1
                continue
            power, following = tokens[following + 1 : end], end
        if following < len(tokens) and tokens[following].text == "(":
            end = _operand_end(tokens, following)
            argument = _function_arguments(tokens[following:end]) if end else []
        else:
            end = following
            while end < len(tokens) and tokens[end].kind in ATOM_END:
                end += 1
                if end < len(tokens) and tokens[end].text == "**":
                    end = _operand_end(tokens, end + 1) or end
            inner = _function_arguments(tokens[following:end])
            argument = [Token("op", "(", token.position), *inner, Token("op", ")", token.position)] if inner else []
        if not argument:  # nothing to apply it to: _explicit explains what is missing
            out.extend(tokens[index:following])
            index = following
            continue
        bare_power = [t.text for t in power if t.text not in "()"]
        if bare_power == ["-", "1"] and token.text in INVERSE_BY_POWER:
            token, power = Token("func", INVERSE_BY_POWER[token.text], token.position), []
        if power:
            opening, closing = Token("op", "(", token.position), Token("op", ")", token.position)
            out += [opening, token, *argument, closing, Token("op", "**", token.position), opening, *power, closing]
        else:
            out += [token, *argument]
        index = end
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
    out.extend(
        [
            Token("func", "factorial", bang.position),
            Token("op", "(", bang.position),
            *group,
            Token("op", ")", bang.position),
        ]
    )


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
            raise self.error(
                f"The function {token.text} needs its argument in parentheses.", node, f"Did you mean {token.text}(x)?"
            )
        return self.context.symbol(token.text)

    def binary(self, node: ast.BinOp):
        left, right = self.build(node.left), self.build(node.right)
        evaluate = self.evaluate
        if isinstance(left, list | tuple) or isinstance(right, list | tuple):
            raise self.error("Arithmetic on a list or matrix is not supported; write each entry.", node)
        # a + b + c as written is one sum of three terms, not (a + b) + c with brackets shown.
        terms = left.args if not evaluate and isinstance(left, sp.Add) else (left,)
        if isinstance(node.op, ast.Add):
            return sp.Add(*terms, right, evaluate=evaluate)
        if isinstance(node.op, ast.Sub):
            if isinstance(right, sp.Number):
                return sp.Add(*terms, -right, evaluate=evaluate)
            return sp.Add(*terms, sp.Mul(sp.S.NegativeOne, right, evaluate=evaluate), evaluate=evaluate)
        if isinstance(node.op, ast.Mult):
            return sp.Mul(left, right, evaluate=evaluate)
        if isinstance(node.op, ast.Div):
            if evaluate and right == 0:
                raise self.error("This divides by zero.", node)
            inverse = sp.Pow(right, sp.S.NegativeOne, evaluate=evaluate)
            if left is sp.S.One:  # 1/x as written is x⁻¹, shown as a fraction, not "1 · 1/x"
                return inverse
            return sp.Mul(left, inverse, evaluate=evaluate)
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
            return (
                sp.log(args[0], args[1])
                if self.evaluate
                else sp.Mul(
                    sp.log(args[0], evaluate=False),
                    sp.Pow(sp.log(args[1], evaluate=False), -1, evaluate=False),
                    evaluate=False,
                )
            )
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
        items = [
            _structure(element, builder, top=False) if isinstance(element, ast.List) else builder.build(element)
            for element in node.elts
        ]
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
    tokens = _explicit(_function_arguments(tokenize(text, context)), text)
    if not tokens:
        raise ParseError("The answer is empty.", 0, text)
    _check_brackets(tokens, text)
    if tokens[-1].kind == "op" and tokens[-1].text in "+-*/**,":
        raise ParseError(
            f"The answer ends with {tokens[-1].text!r}; something is missing after it.", tokens[-1].position, text
        )
    source = _to_source(tokens)
    try:
        tree = ast.parse(source.code, mode="eval")
    except SyntaxError as exc:
        offset = max(0, (exc.offset or 1) - 1)
        position = source.positions[min(offset, len(source.positions) - 1)]
        raise ParseError(
            "The answer is not a well-formed expression here.", position, text, _syntax_hint(text, position)
        ) from None
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
        raise ParseError(
            f"The answer is {len(text)} characters long; at most {MAX_LENGTH} are allowed.",
            MAX_LENGTH,
            text[: MAX_LENGTH + 1],
        )
    if not text.strip():
        raise ParseError("The answer is empty.", 0, text)
    if latex is None:
        # LaTeX with braces but no command (x^{2}, e^{-x}) is LaTeX too; a set {1, 2} is not.
        latex = "\\" in text or LATEX_BRACES.search(text) is not None
    if latex:
        from .latex import latex_to_text

        text = latex_to_text(text)
    elif "|" in text or "‖" in text:
        from .latex import bars_to_calls

        text = bars_to_calls(text, text)
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


LATEX_BRACES = re.compile(r"[\^_]\s*\{")


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
        return Parsed(
            "matrix", [[c.written for c in row] for row in cells], [[c.value for c in row] for row in cells], text
        )
    cells = [one(entry) for entry in rows]
    return Parsed("list", [c.written for c in cells], [c.value for c in cells], text)
