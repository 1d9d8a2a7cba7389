"""The reader and the equivalence checks, run in-process (the checker process runs the same
functions; tests/grader/test_symbolic_pool.py covers the process and its limits)."""

import pytest

from grader.symbolic.checks import handle
from grader.symbolic.parsing import Context, ParseError, parse


def grade(expected, answer, **spec):
    return handle({"op": "grade", "spec": {"expected": expected, **spec}, "answer": answer})


# (expected, answer, variables, assumptions, equivalent): rewritings from the course that must
# pass and near-misses that must fail.
TABLE = [
    # sigmoid, tanh, softmax and friends
    ("exp(-x)/(1 + exp(-x))^2", "exp(x)/(1 + exp(x))^2", ["x"], {}, True),
    ("exp(-x)/(1 + exp(-x))^2", "1/(1+exp(-x)) * (1 - 1/(1+exp(-x)))", ["x"], {}, True),
    ("exp(-x)/(1 + exp(-x))^2", "1/(2 + 2cosh(x))", ["x"], {}, True),
    ("exp(-x)/(1 + exp(-x))^2", "1/(1 + exp(-x))^2", ["x"], {}, False),
    ("exp(-x)/(1 + exp(-x))^2", "-exp(-x)/(1 + exp(-x))^2", ["x"], {}, False),
    ("s*(1 - s)", "s - s^2", ["s"], {}, True),
    ("s*(1 - s)", "1 - s^2", ["s"], {}, False),
    ("1 - tanh(x)^2", "1/cosh(x)^2", ["x"], {}, True),
    ("1 - tanh(x)^2", "4/(exp(x) + exp(-x))^2", ["x"], {}, True),
    ("1 - tanh(x)^2", "1 - tanh(x)", ["x"], {}, False),
    ("1/(1 + exp(x))", "1 - 1/(1 + exp(-x))", ["x"], {}, True),
    ("1/(1 + exp(x))", "exp(-x)/(1 + exp(-x))", ["x"], {}, True),
    ("1/(1 + exp(x))", "1/(1 + exp(-x))", ["x"], {}, False),
    ("log(1 + exp(x))", "x + log(1 + exp(-x))", ["x"], {}, True),
    ("log(1 + exp(x))", "log(1 + exp(-x))", ["x"], {}, False),
    # logarithms need their assumptions
    ("log(a*b)", "log(a) + log(b)", ["a", "b"], {"positive": ["a", "b"]}, True),
    ("log(a*b)", "log(a) + log(b)", ["a", "b"], {}, False),
    ("log(1 - p) - log(p)", "log((1 - p)/p)", ["p"], {"positive": ["p"]}, True),
    ("log(1 - p) - log(p)", "-log(p) - log(1 - p)", ["p"], {"positive": ["p"]}, False),
    ("log(n)", "-log(1/n)", ["n"], {"positive": ["n"]}, True),
    ("log(n)", "log(n)/log(2)", ["n"], {"positive": ["n"]}, False),
    ("log(x^2)", "2*log(x)", ["x"], {"positive": ["x"]}, True),
    ("log(x^2)", "2*log(x)", ["x"], {}, False),
    ("sqrt(x^2)", "x", ["x"], {"positive": ["x"]}, True),
    ("sqrt(x^2)", "x", ["x"], {}, False),
    ("sqrt(x^2)", "Abs(x)", ["x"], {}, True),
    # polynomials, Taylor, determinants
    ("x - x^2/2 + x^3/3", "x*(1 - x/2 + x^2/3)", ["x"], {}, True),
    ("x - x^2/2 + x^3/3", "x - x^2 + 2*x^3", ["x"], {}, False),
    ("x - x^2/2 + x^3/3", "x - x^2/2 + x^3/3 + 1e-3*x^4".replace("1e-3", "0.001"), ["x"], {}, False),
    ("1 - x^2/2", "1 - 0.5x^2", ["x"], {}, True),
    ("1 - x^2/2", "1 + x^2/2", ["x"], {}, False),
    ("(2 - lam)^2 - 1", "lam^2 - 4lam + 3", ["lam"], {}, True),
    ("(2 - lam)^2 - 1", "(lam - 1)(lam - 3)", ["lam"], {}, True),
    ("(2 - lam)^2 - 1", "(2 - lam)^2 + 1", ["lam"], {}, False),
    ("1 + 2*x + 3*x^2 + 4*x^3", "4x³ + 3x² + 2x + 1", ["x"], {}, True),
    ("1 + 2*x + 3*x^2 + 4*x^3", "1 + 2*x + 3*x^2", ["x"], {}, False),
    ("x*(x + 3) - 8", "x^2 + 3x - 8", ["x"], {}, True),
    ("x*(x + 3) - 8", "8 - x(x + 3)", ["x"], {}, False),
    ("x^3/3", "x^3/3 + 1e-9".replace("1e-9", "0.000000001"), ["x"], {}, False),
    # gradients, ridge, probability
    ("(w*x - y)*x + 2*lam*w", "w x^2 - x y + 2 lam w", ["w", "x", "y", "lam"], {}, True),
    ("(w*x - y)*x + 2*lam*w", "(w*x - y)*x + lam*w", ["w", "x", "y", "lam"], {}, False),
    ("5/(1 + lam)", "10/(2 + 2lam)", ["lam"], {"positive": ["lam"]}, True),
    ("5/(1 + lam)", "2*5/(2 + lam)", ["lam"], {"positive": ["lam"]}, False),
    ("9*p*(1 - p)", "9p - 9p^2", ["p"], {}, True),
    ("9*p*(1 - p)", "3*p*(1 - p)", ["p"], {}, False),
    ("(a + k)/(a + b + n)", "(k + a)/(n + b + a)", ["a", "b", "k", "n"], {"positive": ["a", "b", "n"]}, True),
    ("(a + k)/(a + b + n)", "(a + k)/(a + b + k)", ["a", "b", "k", "n"], {"positive": ["a", "b", "n"]}, False),
    ("s*q/(s*q + f*(1 - q))", "1/(1 + f(1 - q)/(s q))", ["s", "f", "q"], {"positive": ["s", "f", "q"]}, True),
    ("s*q/(s*q + f*(1 - q))", "s*q/(s*q + f*q)", ["s", "f", "q"], {"positive": ["s", "f", "q"]}, False),
    ("2*mu + 3*nu - 1", "3nu + 2mu - 1", ["mu", "nu"], {}, True),
    ("2*mu + 3*nu - 1", "4*mu + 9*nu - 1", ["mu", "nu"], {}, False),
    ("c^2/(a^2 + b^2)", "(c/sqrt(a^2 + b^2))^2", ["a", "b", "c"], {"positive": ["a", "b", "c"]}, True),
    ("c^2/(a^2 + b^2)", "c/sqrt(a^2 + b^2)", ["a", "b", "c"], {"positive": ["a", "b", "c"]}, False),
    ("1/lam", "lam^(-1)", ["lam"], {"positive": ["lam"]}, True),
    ("1/lam", "1/lam^2", ["lam"], {"positive": ["lam"]}, False),
    (
        "p*log(2*p) + (1 - p)*log(2*(1 - p))",
        "log(2) + p log(p) + (1-p) log(1-p)",
        ["p"],
        {"interval": {"p": [0, 1]}},
        True,
    ),
    # trigonometry, exponentials
    ("sin(x)^2 + cos(x)^2", "1", ["x"], {}, True),
    ("2*sin(x)*cos(x)", "sin(2x)", ["x"], {}, True),
    ("cos(2x)", "1 - 2sin(x)^2", ["x"], {}, True),
    ("cos(2x)", "2cos(x)^2", ["x"], {}, False),
    ("exp(2x)", "exp(x)^2", ["x"], {}, True),
    ("exp(2x)", "2exp(x)", ["x"], {}, False),
    ("e^(x + y)", "e^x e^y", ["x", "y"], {}, True),
    ("x*exp(x)", "xexp(x)", ["x"], {}, True),
    ("x*sin(x)", "xsin(x)", ["x"], {}, True),
    # constants only
    ("3/5", "0.6", [], {}, True),
    ("3/5", "0.61", [], {}, False),
    ("sqrt(8)", "2sqrt(2)", [], {}, True),
    ("pi/4", "atan(1)", [], {}, True),
]


@pytest.mark.parametrize(("expected", "answer", "variables", "assumptions", "equivalent"), TABLE)
def test_it_judges_the_equivalence_table(expected, answer, variables, assumptions, equivalent):
    reply = grade(expected, answer, variables=variables, assumptions=assumptions)
    assert reply["status"] == "ok" and reply["readable"], reply
    assert reply["correct"] is equivalent, reply["message"]


def test_it_has_a_table_of_at_least_sixty_pairs_both_ways():
    assert len(TABLE) >= 60
    assert sum(row[-1] for row in TABLE) >= 25 and sum(not row[-1] for row in TABLE) >= 25


def test_it_accepts_antiderivatives_up_to_a_constant():
    assert grade("x^3/3", "x^3/3 + 7", variables=["x"], up_to_constant=True)["correct"]
    assert grade("log(x)", "log(2x)", variables=["x"], assumptions={"positive": ["x"]}, up_to_constant=True)["correct"]
    assert not grade("x^3/3", "x^3", variables=["x"], up_to_constant=True)["correct"]


def test_it_names_the_point_where_a_wrong_answer_differs():
    reply = grade("2*x", "3*x", variables=["x"])
    assert not reply["correct"] and "They differ at x = " in reply["message"]


# --- reading ---------------------------------------------------------------------------------


def read(text, variables=None, **kwargs):
    return parse(text, Context(variables=variables, **kwargs))


@pytest.mark.parametrize(
    ("text", "variables", "reads_as"),
    [
        ("2xy", ["x", "y"], "2*x*y"),
        ("3(x+1)", ["x"], "3*x + 3"),
        ("x sin(x)", ["x"], "x*sin(x)"),
        ("xsin(x)", ["x"], "x*sin(x)"),
        ("ac(x+1)", ["a", "c", "x"], "a*c*(x + 1)"),
        ("e^x", ["x"], "exp(x)"),
        ("ln(x)", ["x"], "log(x)"),
        ("x² · 3 − 1", ["x"], "3*x**2 - 1"),
        ("2 × θ", ["theta"], "2*theta"),
        ("lambda + 1", ["lam"], "lam + 1"),
        ("x_1 + z1", ["x1", "z1"], "x1 + z1"),
        ("3!", [], "6"),
        ("sigma(x)", ["x"], "sigma(x)"),
    ],
)
def test_it_reads_implicit_multiplication_and_unicode(text, variables, reads_as):
    functions = ["sigma"] if "sigma" in text else []
    parsed = read(text, variables, functions=functions)
    assert str(parsed.value) == reads_as


def test_it_reads_latex_through_the_same_reader():
    parsed = parse(r"\frac{e^{-x}}{(1+e^{-x})^2}", Context(variables=["x"]))
    assert str(parsed.value) == "exp(-x)/(1 + exp(-x))**2"
    matrix = parse(r"\begin{bmatrix} 2xy & x^2 \\ 5 & \cos y \end{bmatrix}", Context(variables=["x", "y"]))
    assert matrix.kind == "matrix" and str(matrix.value) == "[[2*x*y, x**2], [5, cos(y)]]"
    assert str(parse(r"\sqrt{x} \cdot \left| x \right|", Context(variables=["x"])).value) == "sqrt(x)*Abs(x)"


@pytest.mark.parametrize(
    ("text", "variables", "reads_as"),
    [
        ("x^{2}", ["x"], "x**2"),  # LaTeX with braces and no command
        ("e^{-x}", ["x"], "exp(-x)"),
        ("x_{1} + x_{2}", ["x1", "x2"], "x1 + x2"),
        (r"\sin^2 x + \cos^2 x", ["x"], "sin(x)**2 + cos(x)**2"),
        (r"\sin^{-1} x", ["x"], "asin(x)"),
        ("sin^2(x)", ["x"], "sin(x)**2"),
        ("ln x", ["x"], "log(x)"),
        ("ln x + 1", ["x"], "log(x) + 1"),
        ("sin 2x", ["x"], "sin(2*x)"),
        ("x sin x cos x", ["x"], "x*sin(x)*cos(x)"),
        (r"\ln x^2", ["x"], "log(x**2)"),
        ("sech(x) + csch(x) + coth(x)", ["x"], "coth(x) + csch(x) + sech(x)"),
        (r"\|x\|", ["x"], "Abs(x)"),
        ("||x - 1||", ["x"], "Abs(x - 1)"),
        ("|x||y|", ["x", "y"], "Abs(x)*Abs(y)"),
        ("|x|", ["x"], "Abs(x)"),
        ("lam^2", ["lam"], "lam**2"),
        ("lambda", ["lam"], "lam"),
        ("λ", ["lambda"], "lambda"),
        ("lam", ["lambda"], "lambda"),
        ("{1, 2}", [], "{1, 2}"),
    ],
)
def test_it_reads_what_people_write_by_hand(text, variables, reads_as):
    parsed = read(text, variables)
    value = parsed.value
    shown = "{" + ", ".join(str(v) for v in value) + "}" if parsed.kind == "set" else str(value)
    assert shown == reads_as


@pytest.mark.parametrize(
    ("text", "variables", "latex", "plain"),
    [
        ("1/x", ["x"], r"\frac{1}{x}", "1/x"),  # not "1 · 1/x"
        ("1/(1+e^(-x))", ["x"], r"\frac{1}{1 + e^{-x}}", "1/(1 + e^(-x))"),
        (
            "e^{-x}/(1+e^{-x})^{2}",
            ["x"],
            r"\frac{e^{-x}}{\left(1 + e^{-x}\right)^{2}}",
            "e^(-x)/(1 + e^(-x))^2",
        ),  # not 1/(e^x ...)
        ("-2x + 3*x - 1/x^2", ["x"], r"-2 x + 3 x - \frac{1}{x^{2}}", "-2*x + 3*x - 1/(x^2)"),
        ("lam + 1", ["lam"], r"\lambda + 1", "lam + 1"),
        ("lambda*x", None, r"\lambda x", "lam*x"),
        ("lam1 + lam2", ["lam1", "lam2"], r"\lambda_{1} + \lambda_{2}", "lam1 + lam2"),
        ("||x||", ["x"], r"\left\| x \right\|", "norm(x)"),
        ("ln x", ["x"], r"\ln{\left(x \right)}", "log(x)"),
        (r"\sin^{-1} x", ["x"], r"\arcsin{\left(x \right)}", "asin(x)"),
    ],
)
def test_it_previews_exactly_what_it_read(text, variables, latex, plain):
    reply = handle({"op": "preview", "spec": {"variables": variables}, "answer": text})
    assert reply["ok"], reply
    assert reply["latex"] == latex and reply["parsed"] == plain


def test_it_reads_lists_sets_matrices_and_equations():
    assert read("[1, -x, x]", ["x"]).kind == "list"
    assert read("{1, 6}", []).kind == "set"
    assert read("[[1, 2], [3, 4]]", []).shape() == (2, 2)
    assert read("y = 2x + 1", ["x", "y"]).kind == "equation"
    assert read('[["2*x", "1"], ["0", "3*y^2"]]', ["x", "y"]).shape() == (2, 2)


@pytest.mark.parametrize(
    ("text", "message", "suggestion"),
    [
        ("x2", "'x2' is not a name", "Did you mean x^2 or x*2?"),
        ("2*sin", "needs its argument in parentheses", "Did you mean sin(x)?"),
        ("2 3", "Two numbers in a row", "Did you mean 2*3 or 23?"),
        ("alpha + x", "Unknown name 'alpha'", None),
        ("x + tehta", "Unknown name 'tehta'", None),
        ("(x + 1", "never closed", "Add a ')'."),
        ("x +", "ends with '+'", None),
        ("x == 1", "exactly one '='", None),
    ],
)
def test_it_explains_what_it_could_not_read_and_where(text, message, suggestion):
    with pytest.raises(ParseError) as caught:
        read(text, ["x", "theta"])
    assert message in caught.value.message
    if suggestion:
        assert caught.value.suggestion == suggestion
    assert "^" in caught.value.caret()


def test_it_suggests_a_close_declared_name():
    with pytest.raises(ParseError) as caught:
        read("tehta", ["theta"])
    assert caught.value.suggestion == "Did you mean theta?"


def test_it_rejects_look_alike_letters_with_a_message():
    with pytest.raises(ParseError) as caught:
        read("2\u0445 + 1", ["x"])  # Cyrillic kha
    assert "Cyrillic" in caught.value.message and caught.value.position == 1


HOSTILE = [
    "__import__('os').system('touch /tmp/pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "[x for x in (1, 2)]",
    "exec('1')",
    "eval('1')",
    "x.real",
    "'text'",
    "9**9**9",
    "2^9^9^9",
    "factorial(10**8)",
    "(" * 5000 + "x" + ")" * 5000,
    "(" * 60 + "x" + ")" * 60,
    "1" * 100_000,
    "x^(10^10)",
    "10^(10^4)",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_it_refuses_hostile_input_without_running_it(text, tmp_path):
    with pytest.raises(ParseError):
        read(text)


# --- grading replies: structure, forms, mistakes -------------------------------------------------


def test_it_gives_per_entry_feedback_for_matrices():
    reply = grade([["2*x*y", "x^2"], ["5", "cos(y)"]], "[[2xy, x^2], [5, sin(y)]]", variables=["x", "y"])
    assert not reply["correct"]
    assert [e["passed"] for e in reply["entries"]] == [True, True, True, False]
    assert "1 of 4 entries is wrong: (2, 2)" in reply["message"]


def test_it_says_when_the_shape_is_wrong():
    reply = grade([["1", "2"], ["3", "4"]], "[[1, 2, 0], [3, 4, 0]]")
    assert reply["message"] == "Expected a 2x2 matrix, got a 2x3 matrix."


def test_it_accepts_a_flat_list_for_a_column_vector():
    assert grade([["3/5"], ["4/5"]], "[0.6, 0.8]", variables=[])["correct"]


def test_it_compares_sets_without_order():
    assert grade("{1, 6}", "{6, 1}", variables=[])["correct"]
    assert "missing" in grade("{1, 6}", "{6, 2}", variables=[])["message"]


def test_it_accepts_an_equation_multiplied_through():
    assert grade("y = 2*x + 1", "2y - 4x = 2", variables=["x", "y"])["correct"]
    assert not grade("y = 2*x + 1", "y = 2x - 1", variables=["x", "y"])["correct"]


def test_it_matches_common_mistakes_by_equivalence_not_text():
    mistakes = [{"answer": "1/(1 + exp(-x))^2", "hint": "chain rule!"}]
    reply = grade("exp(-x)/(1 + exp(-x))^2", "exp(2x)/(exp(x) + 1)^2", variables=["x"], mistakes=mistakes)
    assert not reply["correct"] and reply["hint"] == "chain rule!"


@pytest.mark.parametrize(
    ("form", "passes", "fails"),
    [
        ("expanded", "x^2 + 2x + 1", "(x + 1)^2"),
        ("factored", "(x - 1)(x + 1)", "x^2 - 1"),
        ("no-derivative", "3x^2", "diff(x^3, x)"),
        ("no-integral", "x^2/2", "integrate(x, x)"),
        ("no-tanh", "(exp(2x) - 1)/(exp(2x) + 1)", "tanh(x)"),
    ],
)
def test_it_checks_the_form_an_exercise_asks_for(form, passes, fails):
    expected = {
        "expanded": "(x+1)^2",
        "factored": "x^2 - 1",
        "no-derivative": "3x^2",
        "no-integral": "x^2/2",
        "no-tanh": "tanh(x)",
    }[form]
    # An exercise that lets answers call the checker's operators may still ask for a form.
    operators = ["diff", "integrate"]
    assert grade(expected, passes, variables=["x"], form=form, operators=operators)["correct"]
    reply = grade(expected, fails, variables=["x"], form=form, operators=operators)
    assert not reply["correct"]
    assert any(words in reply["message"] for words in ("equivalent", "may not use", "still contains"))


def test_it_checks_declared_functions_by_their_meaning():
    spec = {"variables": ["x"], "functions": ["sigma"]}
    assert grade("sigma(x)*(1 - sigma(x))", "exp(-x)/(1 + exp(-x))^2", **spec)["correct"]
    spec = {"variables": ["x"], "functions": ["f"], "operators": ["diff"]}
    assert grade("f(x)*diff(f(x), x)", "diff(f(x)^2, x)/2", **spec)["correct"]


@pytest.mark.parametrize(
    ("expected", "answer", "message"),
    [
        ("12x^3 - 5", "diff(3*x^4 - 5*x + 7, x)", "Write the derivative itself; `diff` is not allowed in this answer."),
        ("12x^3 - 5", "Derivative(3*x^4 - 5*x + 7, x)", "`Derivative` is not allowed"),
        ("x^3/3", "integrate(x^2, x)", "Write the integral itself; `integrate` is not allowed in this answer."),
        ("1", "limit(sin(x)/x, x, 0)", "Write the limit itself; `limit` is not allowed"),
        ("x + 1", "simplify(x + 1)", "`simplify` is not allowed"),
        ("15", "Sum(k, (k, 1, 5))", "`Sum` is not allowed"),
    ],
)
def test_it_refuses_answers_that_call_the_checkers_operators(expected, answer, message):
    reply = grade(expected, answer, variables=["x", "k"])
    assert not reply.get("correct") and message in reply["error"]["message"]


def test_it_lets_an_exercise_opt_in_to_an_operator_and_its_expected_answer_use_any():
    assert grade("12x^3 - 5", "diff(3*x^4 - 5*x + 7, x)", variables=["x"], operators=["diff"])["correct"]
    assert grade("diff(x^4, x)", "4x^3", variables=["x"])["correct"]
