"""Matrix-calculus answers: expressions over declared matrices such as `2*X^T*(X*w - y)`.

An exercise declares its matrices with symbolic shapes (`X: [n, d]`, `w: [d, 1]`), optional
scalars (`lam`) and, for a gradient, the loss and the variable (`wrt: w`). An answer is read
by the same safe reader as scalar answers (`parsing.read_tree`: tokens, placeholders, a
whitelisted Python tree, no eval) and built from SymPy's matrix-expression classes
(MatrixSymbol, MatMul, MatAdd, Transpose, Inverse, Trace, HadamardProduct, ...). Shapes are
checked while building, so `X*y` with X n×d and y n×1 is refused with both shapes named.

Equivalence is decided numerically: every dimension gets concrete sizes (distinct where the
ranges allow, so n and d cannot be confused), every matrix random entries of its declared
kind, and the expression is evaluated by walking the tree with NumPy. A gradient is checked
against central differences of the loss at the same points, so the author's key is never the
only judge; the key itself must pass the same check when the course is validated.
"""

from __future__ import annotations

import ast
import functools
import json
import math
import random
import re
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from sympy.core.symbol import Str
from sympy.matrices.expressions import DiagMatrix, HadamardPower, HadamardProduct

from .parsing import MAX_EXPONENT, MAX_RESULT_DIGITS, Context, ParseError, normalise, read_tree

TRANSPOSE = "T"  # X^T; never a declared name
IDENTITY = "I"  # sized by the matrix it meets: X^T X + lam*I
SAMPLE_KINDS = ("normal", "positive", "unit", "distribution", "symmetric", "spd")
DEFAULT_SIZES = (2, 6)
INSTANCES = 3
FD_STEP = 1e-6
GRADIENT_RTOL = 1e-6  # central differences are good to ~1e-9 relative on these losses
EQUIVALENCE_RTOL = 1e-8

ELEMENTWISE = {
    "exp": np.exp,
    "log": np.log,
    "ln": np.log,
    "sqrt": np.sqrt,
    "tanh": np.tanh,
    "abs": np.abs,
    "Abs": np.abs,
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
    "sigma": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
    "relu": lambda z: np.maximum(z, 0.0),
}
SCALAR_FUNCTIONS = {
    "exp": sp.exp,
    "log": sp.log,
    "ln": sp.log,
    "sqrt": sp.sqrt,
    "tanh": sp.tanh,
    "abs": sp.Abs,
    "Abs": sp.Abs,
    "sigmoid": lambda t: 1 / (1 + sp.exp(-t)),
    "sigma": lambda t: 1 / (1 + sp.exp(-t)),
    "relu": lambda t: sp.Max(t, 0),
}
MATRIX_FUNCTIONS = {
    "transpose",
    "inv",
    "tr",
    "trace",
    "det",
    "norm",
    "sum",
    "hadamard",
    "diag",
    "softmax",
    "ones",
    "eye",
}
FUNCTIONS = sorted(MATRIX_FUNCTIONS | set(ELEMENTWISE))


class ShapeMismatch(ParseError):
    """The answer reads, but its shapes do not fit together (or not the shape asked for)."""


class SpecError(ValueError):
    """The exercise's declaration or key is unusable: the author's problem, not the learner's."""


# --- nodes SymPy has no class for ----------------------------------------------------------


class Softmax(sp.MatrixExpr):
    """Softmax of each row; a column vector is normalised as a whole."""

    def __new__(cls, arg):
        return sp.Basic.__new__(cls, arg)

    @property
    def shape(self):
        return self.args[0].shape

    def _latex(self, printer):
        return r"\operatorname{softmax}\left(" + printer._print(self.args[0]) + r"\right)"

    def _sympystr(self, printer):
        return f"softmax({printer._print(self.args[0])})"


class Elementwise(sp.MatrixExpr):
    """A scalar function applied to every entry: exp(X w), sigmoid(X w), log(p)."""

    def __new__(cls, name, arg):
        return sp.Basic.__new__(cls, name if isinstance(name, Str) else Str(name), arg)

    @property
    def name(self) -> str:
        return self.args[0].name

    @property
    def shape(self):
        return self.args[1].shape

    def _latex(self, printer):
        name = r"\sigma" if self.name in ("sigmoid", "sigma") else r"\operatorname{" + self.name + "}"
        return name + r"\left(" + printer._print(self.args[1]) + r"\right)"

    def _sympystr(self, printer):
        return f"{self.name}({printer._print(self.args[1])})"


class _ScalarOf(sp.Expr):
    is_commutative = True
    is_real = True

    def __new__(cls, arg):
        return sp.Expr.__new__(cls, arg)


class Norm(_ScalarOf):
    """The Euclidean (Frobenius, for a matrix) norm."""

    def _latex(self, printer):
        return r"\left\lVert " + printer._print(self.args[0]) + r" \right\rVert"

    def _sympystr(self, printer):
        return f"norm({printer._print(self.args[0])})"


class SumAll(_ScalarOf):
    def _latex(self, printer):
        return r"\operatorname{sum}\left(" + printer._print(self.args[0]) + r"\right)"

    def _sympystr(self, printer):
        return f"sum({printer._print(self.args[0])})"


class AsScalar(_ScalarOf):
    """A 1×1 product such as w^T w used as a number."""

    def _latex(self, printer):
        return printer._print(self.args[0])

    def _sympystr(self, printer):
        return printer._print(self.args[0])


class Ones(sp.OneMatrix):
    """The all-ones matrix, printed as a bold 1 so that `1 - y` reads as it was meant."""

    def _latex(self, printer):
        return r"\mathbf{1}"

    def _sympystr(self, printer):
        return "1"


def _matmul(*factors):
    """A flat product (2 X^T (X w - y), not (2 X^T)(X w - y)), left unevaluated."""
    flat = [arg for factor in factors for arg in (factor.args if isinstance(factor, sp.MatMul) else (factor,))]
    flat = [arg for arg in flat if arg != 1] or [sp.Integer(1)]
    return sp.MatMul(*flat) if len(flat) > 1 else flat[0]


def _matadd(*terms):
    flat = [arg for term in terms for arg in (term.args if isinstance(term, sp.MatAdd) else (term,))]
    return sp.MatAdd(*flat)


@dataclass
class _Identity:
    """I before its size is known: only a coefficient."""

    coefficient: object = sp.Integer(1)


# --- what an exercise declares -------------------------------------------------------------


@dataclass
class Declaration:
    matrices: dict[str, tuple[object, object]]  # name -> (rows, columns): dimension names or integers
    kinds: dict[str, str]
    scalars: list[str]
    sizes: dict[str, tuple[int, int]]
    dims: dict[str, sp.Symbol] = field(default_factory=dict)
    symbols: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, spec: dict) -> Declaration:
        raw = spec.get("matrices")
        if not isinstance(raw, dict) or not raw:
            raise SpecError("'matrices' must map each matrix name to its shape, like X: [n, d].")
        matrices, kinds = {}, {}
        for name, value in raw.items():
            shape, kind = (
                (value.get("shape"), value.get("entries", "normal")) if isinstance(value, dict) else (value, "normal")
            )
            if not (isinstance(shape, list) and len(shape) == 2 and all(_is_dimension(part) for part in shape)):
                raise SpecError(f"matrix {name!r}: the shape must be two dimension names or integers, like [n, 1].")
            if kind not in SAMPLE_KINDS:
                raise SpecError(f"matrix {name!r}: entries {kind!r} is not one of {', '.join(SAMPLE_KINDS)}.")
            if kind in ("symmetric", "spd") and shape[0] != shape[1]:
                raise SpecError(f"matrix {name!r}: {kind} entries need a square shape.")
            matrices[str(name)] = (shape[0], shape[1])
            kinds[str(name)] = kind
        scalars = [str(s) for s in spec.get("scalars") or []]
        dimension_names = sorted({part for shape in matrices.values() for part in shape if isinstance(part, str)})
        sizes = {}
        for name in dimension_names:
            low, high = (spec.get("dims") or {}).get(name, DEFAULT_SIZES)
            if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high <= 12):
                raise SpecError(f"dimension {name!r}: sizes must be a range [low, high] within 1..12.")
            sizes[name] = (low, high)
        names = list(matrices) + scalars + dimension_names
        reserved = {TRANSPOSE, IDENTITY} & set(names)
        if reserved or len(set(names)) != len(names):
            raise SpecError(
                f"names must be distinct and may not be {TRANSPOSE} or {IDENTITY} (transpose and identity)."
            )
        declaration = cls(matrices, kinds, scalars, sizes)
        declaration.dims = {name: sp.Symbol(name, integer=True, positive=True) for name in dimension_names}
        for name, (rows, columns) in matrices.items():
            declaration.symbols[name] = sp.MatrixSymbol(
                name, declaration.dimension(rows), declaration.dimension(columns)
            )
        for name in scalars:
            declaration.symbols[name] = sp.Symbol(name, real=True)
        declaration.symbols.update(declaration.dims)
        return declaration

    def dimension(self, part):
        return self.dims[part] if isinstance(part, str) else sp.Integer(part)

    def context(self) -> Context:
        variables = list(self.matrices) + self.scalars + list(self.dims) + [TRANSPOSE, IDENTITY]
        return Context(variables=variables, functions=FUNCTIONS)


def _is_dimension(part) -> bool:
    if isinstance(part, bool):
        return False
    if isinstance(part, int):
        return part >= 1
    return isinstance(part, str) and part.isidentifier()


# --- reading ---------------------------------------------------------------------------------


def _is_matrix(value) -> bool:
    return isinstance(value, sp.MatrixExpr)


def shape_text(value) -> str:
    if isinstance(value, _Identity):
        return "I"
    if not _is_matrix(value):
        return "a scalar"
    rows, columns = value.shape
    return f"{rows}×{columns}"


def _same(a, b) -> bool:
    # Sizes are dimension symbols or integers, never arithmetic on them: equality is structural.
    return sp.sympify(a) == sp.sympify(b)


def _same_shape(a, b) -> bool:
    return _same(a.shape[0], b.shape[0]) and _same(a.shape[1], b.shape[1])


def _one_by_one(value) -> bool:
    return _is_matrix(value) and value.shape == (1, 1)


def _square(value) -> bool:
    return _is_matrix(value) and _same(value.shape[0], value.shape[1])


NORMS = re.compile(r"\|\|(.+?)\|\|")


def prepare_text(text: str, *, latex: bool) -> str:
    """The matrix spellings the scalar reader does not know, rewritten into ones it does:
    X', X.T, Xᵀ, X^⊤, X^\\top -> X^T; ||v|| and \\lVert v \\rVert -> norm(v)."""
    if latex:
        text = re.sub(r"\\(?:top|intercal)\b|\\mathsf\{T\}|\\mathrm\{T\}", "T", text)
        text = re.sub(r"\\(?:lVert|rVert|Vert)\b|\\\|", "‖", text)
        text = re.sub(r"\\(?:mathbf|boldsymbol|bm)\s*\{([^{}]*)\}", r"\1", text)
        text = _latex_without_norms(text)
    text = text.replace("ᵀ", "^T").replace("⊤", "T").replace("‖", "||")
    text = re.sub(r"\.T\b", "^T", text)
    text = re.sub(r"(?<=[A-Za-z0-9_)\]])'", "^T", text)
    while NORMS.search(text):
        text = NORMS.sub(r"norm(\1)", text)
    if "||" in text:
        raise ParseError("A norm ||...|| is not closed.", text.find("||"), text)
    return text


def _latex_without_norms(text: str) -> str:
    """LaTeX to plain text, keeping ‖ (which the scalar reader would turn into |x|) for us."""
    from .latex import latex_to_text

    pieces = text.split("‖")
    return "‖".join(latex_to_text(piece) if piece.strip() else piece for piece in pieces)


@dataclass
class Read:
    text: str
    value: object  # a SymPy matrix expression or scalar

    @property
    def is_matrix(self) -> bool:
        return _is_matrix(self.value)

    def latex(self) -> str:
        names = {symbol: r"\lambda" for symbol in self.value.free_symbols if getattr(symbol, "name", "") == "lam"}
        body = sp.latex(self.value, symbol_names=names).replace(r"\operatorname{DiagMatrix}", r"\operatorname{diag}")
        return body + (r" \quad (" + shape_text(self.value).replace("×", r" \times ") + ")" if self.is_matrix else "")

    def describe(self) -> dict:
        return {
            "kind": "matrix" if self.is_matrix else "expr",
            "parsed": self.text,  # the normalised input; SymPy's own printer costs as much as the check
            "latex": self.latex(),
            "shape": shape_text(self.value),
            "variables": sorted(s.name for s in self.value.free_symbols if hasattr(s, "name")),
        }


def read(text: str, declaration: Declaration, *, latex: bool | None = None) -> Read:
    if not isinstance(text, str) or not text.strip():
        raise ParseError("The answer is empty.", 0, str(text or ""))
    if latex is None:
        latex = "\\" in text
    prepared = normalise(prepare_text(text, latex=latex))
    body, source = read_tree(prepared, declaration.context())
    value = _Builder(source, declaration, prepared).build(body)
    if isinstance(value, _Identity):
        raise ShapeMismatch("The size of I is unclear on its own; write eye(d) for the d×d identity.", 0, prepared)
    return Read(prepared, value)


class _Builder:
    def __init__(self, source, declaration: Declaration, text: str):
        self.source = source
        self.declaration = declaration
        self.text = text

    def position(self, node: ast.AST) -> int:
        offset = getattr(node, "col_offset", 0)
        return self.source.positions[min(offset, len(self.source.positions) - 1)] if self.source.positions else 0

    def error(self, message: str, node: ast.AST, suggestion: str | None = None) -> ParseError:
        return ParseError(message, self.position(node), self.text, suggestion)

    def mismatch(self, message: str, node: ast.AST) -> ShapeMismatch:
        return ShapeMismatch(message, self.position(node), self.text)

    def show(self, node: ast.AST) -> str:
        """The learner's own spelling of a subexpression, for messages about it."""
        piece = ast.get_source_segment(self.source.code, node) or ""
        for placeholder, token in self.source.names.items():
            piece = re.sub(rf"\b{placeholder}\b", token.text, piece)
        return piece.replace(" ", "").replace("**", "^")

    def build(self, node: ast.AST):
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.error("Only numbers are allowed here.", node)
            return sp.Rational(self.source.code[node.col_offset : node.end_col_offset].strip())
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self.build(node.operand)
            return (
                operand
                if isinstance(node.op, ast.UAdd)
                else self.multiply(sp.Integer(-1), operand, node, node.operand, node.operand)
            )
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                return self.power(node)
            left, right = self.build(node.left), self.build(node.right)
            if isinstance(node.op, ast.Add):
                return self.add(left, right, node)
            if isinstance(node.op, ast.Sub):
                return self.add(left, self.multiply(sp.Integer(-1), right, node, node.right, node.right), node)
            if isinstance(node.op, ast.Mult):
                return self.multiply(left, right, node, node.left, node.right)
            if isinstance(node.op, ast.Div):
                return self.divide(left, right, node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Dict):
            raise self.error("Write the expression with matrix names, not a list of entries.", node)
        raise self.error("This part of the answer is not a mathematical expression.", node)

    def name(self, node: ast.Name):
        token = self.source.names.get(node.id)
        if token is None:
            raise self.error("Unknown name.", node)
        if token.kind == "func":
            raise self.error(f"The function {token.text} needs its argument in parentheses.", node)
        if token.kind == "const":
            return sp.E if token.text in ("e", "E") else sp.pi
        if token.text == TRANSPOSE:
            raise self.error("T on its own means nothing; write X^T for the transpose of X.", node)
        if token.text == IDENTITY:
            return _Identity()
        return self.declaration.symbols[token.text]

    # arithmetic with shapes

    def add(self, left, right, node):
        if isinstance(left, _Identity) or isinstance(right, _Identity):
            identity, other = (left, right) if isinstance(left, _Identity) else (right, left)
            if isinstance(other, _Identity):
                return _Identity(identity.coefficient + other.coefficient)
            if not _square(other):
                raise self.mismatch(f"I can only be added to a square matrix; this one is {shape_text(other)}.", node)
            return _matadd(other, _matmul(identity.coefficient, sp.Identity(other.shape[0])))
        if _is_matrix(left) and _is_matrix(right):
            if not _same_shape(left, right):
                raise self.mismatch(
                    f"You add a {shape_text(left)} matrix ({self.show(node.left)}) and a {shape_text(right)} matrix "
                    f"({self.show(node.right)}): a sum needs equal shapes.",
                    node,
                )
            return _matadd(left, right)
        if _is_matrix(left) or _is_matrix(right):
            matrix, scalar = (left, right) if _is_matrix(left) else (right, left)
            if _one_by_one(matrix):
                return AsScalar(matrix) + scalar
            # a number added to a matrix is added to every entry: 1 - y
            return _matadd(matrix, _matmul(scalar, Ones(*matrix.shape)))
        return left + right

    def multiply(self, left, right, node, left_node, right_node):
        if isinstance(left, _Identity) and isinstance(right, _Identity):
            return _Identity(left.coefficient * right.coefficient)
        if isinstance(left, _Identity) or isinstance(right, _Identity):
            identity, other = (left, right) if isinstance(left, _Identity) else (right, left)
            return (
                _Identity(identity.coefficient * other)
                if not _is_matrix(other)
                else _matmul(identity.coefficient, other)
            )
        if _is_matrix(left) and _is_matrix(right):
            if _same(left.shape[1], right.shape[0]):
                return _matmul(left, right)
            if _one_by_one(left) or _one_by_one(right):  # (x^T y) z: a 1×1 product used as a number
                matrix, number = (right, left) if _one_by_one(left) else (left, right)
                return _matmul(AsScalar(number), matrix)
            raise self.mismatch(
                f"{self.show(left_node)} is {shape_text(left)} and {self.show(right_node)} is {shape_text(right)}: "
                f"their product needs {left.shape[1]} = {right.shape[0]}.",
                node,
            )
        if _is_matrix(left) or _is_matrix(right):
            matrix, scalar = (left, right) if _is_matrix(left) else (right, left)
            return _matmul(scalar, matrix)
        return left * right

    def divide(self, left, right, node):
        if isinstance(right, _Identity) or isinstance(left, _Identity):
            raise self.mismatch("Dividing by I (or I by something) is not defined; use inv(...).", node)
        if _one_by_one(right):
            right = AsScalar(right)
        if not _is_matrix(right):
            if right == 0:
                raise self.error("This divides by zero.", node)
            return self.multiply(left, 1 / right, node, node.left, node.right)
        if _is_matrix(left) and not _same_shape(left, right):
            raise self.mismatch(
                f"Entry-wise division needs equal shapes; {self.show(node.left)} is {shape_text(left)} and "
                f"{self.show(node.right)} is {shape_text(right)}.",
                node,
            )
        reciprocal = HadamardPower(right, -1)
        return HadamardProduct(left, reciprocal) if _is_matrix(left) else _matmul(left, reciprocal)

    def power(self, node: ast.BinOp):
        base = self.build(node.left)
        exponent_node = node.right
        exponent_token = self.source.names.get(exponent_node.id) if isinstance(exponent_node, ast.Name) else None
        if exponent_token is not None and exponent_token.text == TRANSPOSE:
            if isinstance(base, _Identity):
                return base
            if not _is_matrix(base):
                raise self.mismatch(f"{self.show(node.left)} is a scalar; only a matrix has a transpose.", node)
            return sp.Transpose(base)
        exponent = self.build(exponent_node)
        if _is_matrix(exponent):
            raise self.mismatch("An exponent must be a number, not a matrix.", node)
        if not _is_matrix(base):
            self.check_power(base, exponent, node)
            return base**exponent
        if _one_by_one(base):
            return AsScalar(base) ** exponent
        if not (exponent.is_Integer and exponent != 0):
            raise self.mismatch(
                f"{self.show(node.left)} is {shape_text(base)}: only whole powers of a square matrix are defined. "
                "For entry-wise powers write hadamard(x, x).",
                node,
            )
        if not _square(base):
            raise self.mismatch(
                f"{self.show(node.left)} is {shape_text(base)}, not square, so it has no powers or inverse. "
                "For entry-wise squares write hadamard(x, x); for a squared length, norm(x)^2.",
                node,
            )
        if exponent == -1:
            return sp.Inverse(base)
        return sp.MatPow(base, exponent)

    def check_power(self, base, exponent, node) -> None:
        """The same caps as scalar answers: no exact integer powers with thousands of digits."""
        if exponent.is_Number and abs(exponent) > MAX_EXPONENT:
            raise self.error(f"The exponent is too large (at most {MAX_EXPONENT}).", node)
        huge = base.is_Number and exponent.is_Integer and abs(base) > 1
        if huge and abs(int(exponent)) * math.log10(float(abs(base))) > MAX_RESULT_DIGITS:
            raise self.error("This power is too large to compute.", node)

    def call(self, node: ast.Call):
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise self.error("Only calls like trace(A) are allowed.", node)
        token = self.source.names.get(node.func.id)
        if token is None or token.kind != "func":
            raise self.error("Not a function.", node)
        name = token.text
        if name not in MATRIX_FUNCTIONS and name not in ELEMENTWISE:
            available = ", ".join(FUNCTIONS)
            raise self.error(f"{name} is not available in a matrix answer.", node, f"Available functions: {available}.")
        args = [self.build(arg) for arg in node.args]
        expected_count = {"hadamard": 2, "ones": (1, 2)}.get(name, 1)
        counts = expected_count if isinstance(expected_count, tuple) else (expected_count,)
        if len(args) not in counts:
            raise self.error(f"{name} takes {' or '.join(map(str, counts))} argument(s), got {len(args)}.", node)
        if any(isinstance(arg, _Identity) for arg in args):
            raise self.mismatch(f"Write eye(d) rather than I inside {name}(...).", node)
        if name in ("ones", "eye"):
            sizes = [self.size(arg, node) for arg in args]
            return sp.Identity(sizes[0]) if name == "eye" else Ones(sizes[0], sizes[1] if len(sizes) == 2 else 1)
        if name in ELEMENTWISE:
            (arg,) = args
            if _is_matrix(arg) and not _one_by_one(arg):
                return Elementwise(name, arg)
            return SCALAR_FUNCTIONS[name](AsScalar(arg) if _is_matrix(arg) else arg)
        if name == "hadamard":
            left, right = args
            if not (_is_matrix(left) and _is_matrix(right) and _same_shape(left, right)):
                raise self.mismatch(
                    f"hadamard needs two matrices of one shape; got {shape_text(left)} and {shape_text(right)}.", node
                )
            return HadamardProduct(left, right)
        (arg,) = args
        if not _is_matrix(arg):
            if name in ("transpose", "norm", "sum"):
                return {"transpose": arg, "norm": sp.Abs(arg), "sum": arg}[name]
            raise self.mismatch(f"{name} needs a matrix; {self.show(node.args[0])} is a scalar.", node)
        if name == "transpose":
            return sp.Transpose(arg)
        if name == "norm":
            return Norm(arg)
        if name == "sum":
            return SumAll(arg)
        if name == "softmax":
            return Softmax(arg)
        if name == "diag":
            if not (_same(arg.shape[1], 1) or _same(arg.shape[0], 1)):
                raise self.mismatch(f"diag needs a vector; {self.show(node.args[0])} is {shape_text(arg)}.", node)
            return DiagMatrix(arg)
        if not _square(arg):
            raise self.mismatch(f"{name} needs a square matrix; {self.show(node.args[0])} is {shape_text(arg)}.", node)
        if name == "inv":
            return sp.Inverse(arg)
        if name in ("tr", "trace"):
            return sp.Trace(arg)
        return sp.Determinant(arg)

    def size(self, value, node):
        if isinstance(value, sp.Symbol) and value in self.declaration.dims.values():
            return value
        if isinstance(value, sp.Integer) and value >= 1:
            return value
        raise self.error("A size must be a dimension name such as n, or a whole number.", node)


# --- evaluating with NumPy -----------------------------------------------------------------


class Undefined(ArithmeticError):
    """The expression has no value at this point (a singular inverse, a log of a negative)."""


def evaluate(expr, env: dict[str, object]):
    """The value of `expr` with every symbol's value from env: 2-D arrays for matrices, floats."""
    with np.errstate(all="ignore"):
        value = _value(expr, env)
    array = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(array)):
        raise Undefined("not finite")
    return array


def _value(node, env):
    if isinstance(node, sp.MatrixSymbol | sp.Symbol):
        return env[node.name]
    if isinstance(node, sp.Number):
        return float(node)
    if node is sp.E:
        return math.e
    if node is sp.pi:
        return math.pi
    if isinstance(node, sp.MatAdd | sp.Add):
        values = [_value(arg, env) for arg in node.args]
        total = values[0]
        for value in values[1:]:
            total = total + value
        return total
    if isinstance(node, sp.MatMul | sp.Mul):
        result = None
        scalar = 1.0
        for arg in node.args:
            value = _value(arg, env)
            if isinstance(arg, sp.MatrixExpr):
                result = value if result is None else result @ value
            else:
                scalar = scalar * value
        return scalar if result is None else scalar * result
    if isinstance(node, sp.Transpose):
        return _value(node.arg, env).T
    if isinstance(node, sp.Inverse):
        matrix = _value(node.arg, env)
        if np.linalg.cond(matrix) > 1e12:
            raise Undefined("singular")
        return np.linalg.inv(matrix)
    if isinstance(node, sp.MatPow):
        matrix, exponent = _value(node.base, env), int(node.exp)
        if exponent < 0:
            matrix, exponent = np.linalg.inv(matrix), -exponent
        return np.linalg.matrix_power(matrix, exponent)
    if isinstance(node, HadamardProduct):
        result = _value(node.args[0], env)
        for arg in node.args[1:]:
            result = result * _value(arg, env)
        return result
    if isinstance(node, HadamardPower):
        return _value(node.base, env) ** float(node.exp)
    if isinstance(node, sp.Trace):
        return float(np.trace(_value(node.arg, env)))
    if isinstance(node, sp.Determinant):
        return float(np.linalg.det(_value(node.arg, env)))
    if isinstance(node, sp.OneMatrix):
        return np.ones((int(_value(node.shape[0], env)), int(_value(node.shape[1], env))))
    if isinstance(node, sp.ZeroMatrix):
        return np.zeros((int(_value(node.shape[0], env)), int(_value(node.shape[1], env))))
    if isinstance(node, sp.Identity):
        return np.eye(int(_value(node.shape[0], env)))
    if isinstance(node, DiagMatrix):
        return np.diag(_value(node.args[0], env).ravel())
    if isinstance(node, Softmax):
        z = _value(node.args[0], env)
        axis = 0 if z.shape[1] == 1 else 1
        shifted = np.exp(z - z.max(axis=axis, keepdims=True))
        return shifted / shifted.sum(axis=axis, keepdims=True)
    if isinstance(node, Elementwise):
        return ELEMENTWISE[node.name](_value(node.args[1], env))
    if isinstance(node, Norm):
        return float(np.linalg.norm(_value(node.args[0], env)))
    if isinstance(node, SumAll):
        return float(np.sum(_value(node.args[0], env)))
    if isinstance(node, AsScalar):
        return float(np.asarray(_value(node.args[0], env)).reshape(-1)[0])
    if isinstance(node, sp.Pow):
        return _value(node.base, env) ** _value(node.exp, env)
    if isinstance(node, sp.exp):
        return np.exp(_value(node.args[0], env))
    if isinstance(node, sp.log):
        return np.log(_value(node.args[0], env))
    if isinstance(node, sp.tanh):
        return np.tanh(_value(node.args[0], env))
    if isinstance(node, sp.Abs):
        return np.abs(_value(node.args[0], env))
    if isinstance(node, sp.Max):
        return np.maximum.reduce([_value(arg, env) for arg in node.args])
    raise Undefined(f"cannot evaluate {type(node).__name__}")


def sample(declaration: Declaration, rng: random.Random) -> dict[str, object]:
    """One random point: sizes for the dimensions, then entries for every matrix and scalar."""
    env: dict[str, object] = {}
    names = list(declaration.sizes)
    for _ in range(50):  # distinct sizes where the ranges allow, so n and d are told apart
        sizes = {name: rng.randint(*declaration.sizes[name]) for name in names}
        if len(set(sizes.values())) == len(sizes):
            break
    env.update(sizes)
    for name, (rows, columns) in declaration.matrices.items():
        shape = (env[rows] if isinstance(rows, str) else rows, env[columns] if isinstance(columns, str) else columns)
        env[name] = _entries(declaration.kinds[name], shape, rng)
    for name in declaration.scalars:
        env[name] = rng.uniform(0.5, 2.0)
    return env


def _entries(kind: str, shape: tuple[int, int], rng: random.Random) -> np.ndarray:
    generator = np.random.default_rng(rng.getrandbits(32))
    if kind == "positive":
        return generator.uniform(0.3, 2.0, size=shape)
    if kind == "unit":
        return generator.uniform(0.05, 0.95, size=shape)
    if kind == "distribution":
        values = generator.uniform(0.1, 1.0, size=shape)
        axis = 0 if shape[1] == 1 else 1
        return values / values.sum(axis=axis, keepdims=True)
    if kind == "symmetric":
        values = generator.normal(size=shape)
        return (values + values.T) / 2
    if kind == "spd":
        values = generator.normal(size=shape)
        return values @ values.T / shape[0] + np.eye(shape[0])
    return generator.normal(size=shape)


def central_differences(loss, declaration: Declaration, wrt: str, env: dict) -> np.ndarray:
    """∂loss/∂wrt, entry by entry, by central differences with a step scaled to each entry."""
    point = np.array(env[wrt], dtype=float)
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        step = FD_STEP * max(1.0, abs(point[index]))
        values = []
        for sign in (1, -1):
            moved = point.copy()
            moved[index] += sign * step
            values.append(float(evaluate(loss, {**env, wrt: moved})))
        gradient[index] = (values[0] - values[1]) / (2 * step)
    return gradient


# --- grading -----------------------------------------------------------------------------


@dataclass
class Task:
    """What an answer is judged against: the key, or a loss and the variable of its gradient."""

    declaration: Declaration
    expected: Read
    loss: Read | None = None
    wrt: str | None = None

    @classmethod
    def from_spec(cls, spec: dict) -> Task:
        declaration = Declaration.from_spec(spec)
        expected = _read_key(spec.get("expected"), declaration, "expected")
        gradient = spec.get("gradient")
        if gradient is None:
            return cls(declaration, expected)
        if not isinstance(gradient, dict) or gradient.get("wrt") not in declaration.matrices:
            raise SpecError("'gradient' needs 'wrt', one of the declared matrices, and 'loss'.")
        loss = _read_key(gradient.get("loss"), declaration, "gradient.loss")
        if loss.is_matrix and loss.value.shape != (1, 1):
            raise SpecError(f"the loss must be a scalar; it is {shape_text(loss.value)}.")
        if loss.is_matrix:
            loss = Read(loss.text, AsScalar(loss.value))
        return cls(declaration, expected, loss, gradient["wrt"])

    @property
    def target(self):
        return self.declaration.symbols[self.wrt] if self.wrt else self.expected.value

    def reference(self, env: dict) -> np.ndarray:
        if self.loss is not None:
            return central_differences(self.loss.value, self.declaration, self.wrt, env)
        return evaluate(self.expected.value, env)


def _read_key(text, declaration: Declaration, name: str) -> Read:
    try:
        return read(str(text), declaration, latex=False)
    except ParseError as exc:
        raise SpecError(f"'{name}' cannot be read: {exc}") from None


def shape_problem(answer: Read, task: Task) -> str | None:
    target = task.target
    what = (
        f"the gradient with respect to {task.wrt} has the shape of {task.wrt},"
        if task.wrt
        else "the expected answer is"
    )
    if not _is_matrix(target):
        return (
            None
            if not answer.is_matrix or answer.value.shape == (1, 1)
            else f"Your answer is {shape_text(answer.value)}, but a single number is expected."
        )
    if not answer.is_matrix:
        return f"Your answer is a scalar, but {what} {shape_text(target)}."
    if _same_shape(answer.value, target):
        return None
    message = f"Your answer is {shape_text(answer.value)}, but {what} {shape_text(target)}."
    if _same(answer.value.shape[0], target.shape[1]) and _same(answer.value.shape[1], target.shape[0]):
        message += " Transpose it."
    return message


def points(task: Task, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [sample(task.declaration, rng) for _ in range(INSTANCES * 3)]


def _close(got: np.ndarray, want: np.ndarray, rtol: float) -> tuple[bool, float, tuple]:
    got, want = np.atleast_2d(got), np.atleast_2d(want)
    difference = np.abs(got - want)
    scale = max(1.0, float(np.max(np.abs(want))))
    where = np.unravel_index(int(np.argmax(difference)), difference.shape)
    return bool(np.max(difference) <= rtol * scale), float(np.max(difference)), tuple(int(i) for i in where)


def _sizes_text(env: dict, declaration: Declaration) -> str:
    return ", ".join(f"{name} = {env[name]}" for name in declaration.sizes) or "the sample point"


FAILURES = (Undefined, np.linalg.LinAlgError, KeyError, ValueError, ZeroDivisionError, OverflowError)


def check(answer: Read, task: Task, seed: int, mistakes: list[tuple[Read, str]] = ()) -> dict:
    """{correct, message, entries, hint}: the answer's values at random points against the
    reference's (central differences of the loss, or the key). A point where the reference has
    no value is skipped; one where only the answer has none is a wrong answer."""
    problem = shape_problem(answer, task)
    if problem:
        return _outcome(False, problem, "shape")
    rtol = GRADIENT_RTOL if task.loss is not None else EQUIVALENCE_RTOL
    against = "central differences of the loss" if task.loss is not None else "the expected answer"
    candidates = [(read, hint) for read, hint in mistakes if shape_problem(read, task) is None]
    matches = [True] * len(candidates)
    judged = 0
    for env in points(task, seed):
        try:
            want = task.reference(env)
        except FAILURES:
            continue
        sizes = _sizes_text(env, task.declaration)
        try:
            got = evaluate(answer.value, env).reshape(want.shape)
        except FAILURES:
            return _outcome(
                False,
                f"With {sizes} and random entries, your answer has no value (a singular inverse, or a log or root of a negative number) where {against} does.",
                "values",
            )
        passed, error, where = _close(got, want, rtol)
        for index, (mistake, _hint) in enumerate(candidates):
            try:
                matches[index] = (
                    matches[index] and _close(evaluate(mistake.value, env).reshape(want.shape), got, rtol)[0]
                )
            except FAILURES:
                matches[index] = False
        if not passed:
            entry = f" at entry ({where[0] + 1}, {where[1] + 1})" if np.size(want) > 1 else ""
            hint = next((hint for (_read, hint), matched in zip(candidates, matches, strict=True) if matched), None)
            return _outcome(
                False,
                f"With {sizes} and random entries, your answer differs from {against} by {error:.3g}{entry}.",
                "values",
                hint,
            )
        judged += 1
        if judged == INSTANCES:
            return _outcome(
                True,
                f"Correct: your answer has the right shape and matches {against} at {judged} random points.",
                "values",
            )
    raise SpecError("the expected answer (or the loss) could not be evaluated at enough random points.")


def _outcome(correct: bool, message: str, name: str, hint: str | None = None) -> dict:
    entry = {
        "name": "shape" if name == "shape" else "values at random points",
        "passed": correct,
        "message": message,
        "got": None,
        "undecided": False,
    }
    return {
        "correct": correct,
        "undecided": False,
        "message": "Correct." if correct else message,
        "entries": [entry],
        "hint": hint,
    }


# --- the checker's operations ------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _prepared(spec_json: str) -> tuple[Task, list[tuple[Read, str]]]:
    """An exercise's key, loss and mistakes, read once per checker process."""
    spec = json.loads(spec_json)
    task = Task.from_spec(spec)
    mistakes = [
        (_read_key(m.get("answer"), task.declaration, "mistakes"), str(m.get("hint") or ""))
        for m in spec.get("mistakes") or []
    ]
    return task, mistakes


def grade(request: dict, seed: int) -> dict:
    spec = request.get("spec") or {}
    try:
        task, mistakes = _prepared(json.dumps(spec, sort_keys=True))
    except SpecError as exc:
        return {"status": "spec-error", "message": f"The exercise's matrix answer is misdeclared: {exc}"}
    try:
        answer = read(request["answer"], task.declaration, latex=request.get("latex"))
    except ShapeMismatch as exc:
        outcome = _outcome(False, exc.message, "shape")
        return {
            "status": "ok",
            "readable": True,
            "kind": "matrix",
            "parsed": request["answer"],
            "latex": None,
            **outcome,
        }
    except ParseError as exc:
        return {"status": "ok", "readable": False, "error": exc.to_dict()}
    try:
        outcome = check(answer, task, seed, mistakes)
    except SpecError as exc:
        return {"status": "spec-error", "message": f"The exercise's matrix answer cannot be checked: {exc}"}
    return {"status": "ok", "readable": True, **answer.describe(), **outcome}


def preview(request: dict) -> dict:
    try:
        declaration = Declaration.from_spec(request.get("spec") or {})
    except SpecError as exc:
        return {"status": "ok", "ok": False, "error": {"message": str(exc)}}
    try:
        answer = read(request["answer"], declaration, latex=request.get("latex"))
    except ParseError as exc:
        return {"status": "ok", "ok": False, "error": exc.to_dict()}
    return {"status": "ok", "ok": True, **answer.describe()}


def evaluate_at(request: dict) -> dict:
    """The learner's expression evaluated at given points (a code exercise's cases), so that a
    derivation can be compared with the code implementing it. Vectors given as 1-D arrays
    are read as the declared column (or row)."""
    try:
        declaration = Declaration.from_spec(request.get("spec") or {})
    except SpecError as exc:
        return {"status": "spec-error", "message": str(exc)}
    try:
        answer = read(request["answer"], declaration, latex=request.get("latex"))
    except ParseError as exc:
        return {"status": "ok", "readable": False, "error": exc.to_dict()}
    values = []
    for point in request.get("points") or []:
        try:
            env = _environment(point, declaration)
            values.append({"ok": True, "value": evaluate(answer.value, env).tolist()})
        except (Undefined, ValueError, KeyError, np.linalg.LinAlgError, ZeroDivisionError, OverflowError) as exc:
            values.append({"ok": False, "message": str(exc) or type(exc).__name__})
    return {"status": "ok", "readable": True, **answer.describe(), "values": values}


def _environment(point: dict, declaration: Declaration) -> dict:
    env: dict[str, object] = {}
    for name, (rows, columns) in declaration.matrices.items():
        array = np.asarray(point[name], dtype=float)
        if array.ndim == 1:
            array = array.reshape(-1, 1) if columns == 1 or rows != 1 else array.reshape(1, -1)
        if array.ndim != 2:
            raise ValueError(f"{name} must be a vector or a matrix")
        env[name] = array
        for part, size in ((rows, array.shape[0]), (columns, array.shape[1])):
            if isinstance(part, str):
                if env.setdefault(part, size) != size:
                    raise ValueError(f"the arguments disagree on the size {part}")
            elif part != size:
                raise ValueError(f"{name} should have {part} {'rows' if part is rows else 'columns'}")
    for name in declaration.scalars:
        env[name] = float(point[name])
    return env
