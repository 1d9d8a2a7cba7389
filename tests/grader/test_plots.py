"""Plots in code feedback (grader/plots.py): pure functions of a case's inputs, the expected
value and the learner's returned value, drawn on the trusted side."""

import re

import numpy as np
import pytest

from grader import plots
from grader.engine import PreparedCase

SIGMOID = {
    "entry_point": "sigmoid",
    "reference": "def sigmoid(z):\n    ...\n",
    "compare": {"method": "allclose", "rtol": 1e-6, "atol": 1e-9},
}
MATMUL = {"entry_point": "matmul", "reference": "def matmul(A, B):\n    ...\n", "compare": {"method": "allclose"}}
MOMENTUM = {
    "entry_point": "momentum_descent",
    "reference": "def momentum_descent(A, b, w0, lr, beta, n_steps):\n    ...\n",
    "compare": {"method": "allclose", "rtol": 1e-7, "atol": 1e-9},
    "plot": {"kind": "path", "loss": "quadratic", "A": "A", "b": "b"},
}


def labelled(svg: str) -> tuple[str, str]:
    """The picture's <title> and <desc>, which its role="img" points at."""
    assert svg.startswith('<svg role="img" aria-labelledby="')
    title = re.search(r"<title[^>]*>([^<]+)</title>", svg)[1]
    desc = re.search(r"<desc[^>]*>([^<]+)</desc>", svg)[1]
    return title, desc


def sigmoid_case(z):
    return PreparedCase("small values", [z], {}, False, 0.5 * (1 + np.tanh(0.5 * z)))


def momentum_path(A, b, w0, lr, beta, steps, *, one_minus_beta=False):
    w, v, path = np.array(w0, float), np.zeros(len(w0)), [np.array(w0, float)]
    for _ in range(steps):
        v = beta * v + (1 - beta if one_minus_beta else 1) * (A @ w - b)
        w = w - lr * v
        path.append(w.copy())
    return np.array(path)


def test_it_draws_an_activation_against_the_reference_and_marks_the_points_that_differ():
    z = np.linspace(-3, 3, 7)
    case = sigmoid_case(z)
    wrong = 1 / (1 + np.exp(z))  # the sign slip: right only at z = 0
    plot = plots.draw(SIGMOID, case, wrong)
    assert plot.kind == "curve"
    title, desc = labelled(plot.svg)
    assert "sigmoid" in title and "'small values'" in title
    assert "6 of 7 values differ" in desc and "z = -3" in desc
    assert len(plot.svg.encode()) < 30_000
    assert "<script" not in plot.svg and "<text" in plot.svg  # text stays text, nothing active


def test_it_marks_nan_where_the_reference_has_numbers():
    case = sigmoid_case(np.array([-800.0, 0.0, 800.0]))
    plot = plots.draw(SIGMOID, case, np.array([0.0, 0.5, np.nan]))
    assert "1 of 3 values differ" in plot.description and "nan" in plot.description


def test_it_draws_the_error_of_a_matrix_result_with_the_worst_entry():
    A, B = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    expected = A @ B
    got = expected.copy()
    got[1, 2] += 5.0
    got[0, 0] -= 0.5
    plot = plots.draw(MATMUL, PreparedCase("2x3 times 3x4", [A, B], {}, False, expected), got)
    assert plot.kind == "heatmap"
    title, desc = labelled(plot.svg)
    assert "Error of your matmul" in title
    assert "2×4 grid" in desc and "2 of 8 values differ" in desc and "at [1, 2]" in desc and "off by 5" in desc
    assert len(plot.svg.encode()) < 30_000


def test_it_draws_an_optimisers_iterates_on_the_loss_contours():
    A, b, w0 = np.array([[1.0, 0.0], [0.0, 50.0]]), np.array([1.0, 1.0]), np.array([-5.0, 1.0])
    args = [A, b, w0, 0.03, 0.7, 40]
    case = PreparedCase("narrow valley", args, {}, False, momentum_path(*args))
    plot = plots.draw(MOMENTUM, case, momentum_path(*args, one_minus_beta=True))
    assert plot.kind == "path"
    title, desc = labelled(plot.svg)
    assert "iterates" in title
    assert "expected path of 40 steps from (-5, 1)" in desc and "½wᵀAw − bᵀw" in desc and "leaves it at step 1" in desc
    assert len(plot.svg.encode()) < 30_000
    single = plots.draw(MOMENTUM, case, momentum_path(*args)[-1])  # only the final point returned
    assert "You returned a single point" in single.description


def test_it_draws_a_path_in_more_than_two_dimensions_as_the_loss_per_step():
    A, b = np.diag([1.0, 2.0, 3.0]), np.ones(3)
    args = [A, b, np.zeros(3), 0.1, 0.5, 12]
    case = PreparedCase("3-D", args, {}, False, momentum_path(*args))
    plot = plots.draw(MOMENTUM, case, momentum_path(*args))
    assert "the loss ½wᵀAw − bᵀw at each step" in plot.description and "follows it at every step" in plot.description


@pytest.mark.parametrize(
    ("spec", "expected", "got", "kind"),
    [
        (SIGMOID, np.zeros(4), np.ones(4), "curve"),  # shaped like the argument
        (SIGMOID, np.zeros(3), np.ones(3), "values"),  # a vector, but not a function of one argument
        (MATMUL, np.zeros((3, 3)), np.ones((3, 3)), "heatmap"),
        (MATMUL, np.zeros((3, 3)), np.ones((3, 2)), None),  # shapes differ: the text says so
        (SIGMOID, 0.5, 0.7, None),  # a scalar: nothing to draw
        (SIGMOID, np.zeros(4), "a string", None),
        ({**SIGMOID, "plot": "none"}, np.zeros(4), np.ones(4), None),
        ({**SIGMOID, "compare": {"method": "permutation"}}, np.zeros(4), np.ones(4), None),
        ({**SIGMOID, "plot": "values"}, np.zeros(4), np.ones(4), "values"),
    ],
)
def test_it_chooses_the_plot_from_the_shape_unless_the_exercise_says(spec, expected, got, kind):
    choice = plots.choose(spec, [np.linspace(0, 1, 4)], {}, expected, got)
    assert (choice.kind if choice else None) == kind


def test_it_draws_the_first_item_of_a_tuple_that_differs():
    spec = {**SIGMOID, "compare": [{"method": "allclose"}, {"method": "allclose"}]}
    z = np.linspace(-2, 2, 5)
    expected = (np.tanh(z), 1 - np.tanh(z) ** 2)
    choice = plots.choose(spec, [z], {}, expected, (np.tanh(z), 1 - np.tanh(z)))
    assert choice.kind == "curve" and choice.item == 1


def test_it_keeps_the_returned_values_of_visible_cases_only():
    cases = [sigmoid_case(np.linspace(-1, 1, 5)), PreparedCase("secret", [np.array([7.0, 8.0])], {}, True, np.ones(2))]
    results = {0: {"ok": True, "value": np.ones(5)}, 1: {"ok": True, "value": np.array([123.0, 456.0])}}
    kept = plots.kept_values(plots.keep_for_plots(SIGMOID, cases, results))
    assert list(kept) == [0] and np.array_equal(kept[0], np.ones(5))
    assert plots.keep_for_plots(SIGMOID, cases[1:], {0: results[1]}) is None


def test_it_keeps_no_more_than_its_budget(monkeypatch):
    monkeypatch.setattr(plots, "MAX_KEPT_BYTES", 100)
    cases = [sigmoid_case(np.linspace(-1, 1, 16)), sigmoid_case(np.linspace(-1, 1, 4))]
    results = {0: {"ok": True, "value": np.ones(16)}, 1: {"ok": True, "value": np.ones(4)}}
    assert list(plots.kept_values(plots.keep_for_plots(SIGMOID, cases, results))) == [1]  # 128 bytes do not fit, 32 do


@pytest.mark.parametrize(
    ("plot", "message"),
    [
        ("pie", "unknown kind 'pie'"),
        ({"kind": "path"}, "a path plot needs 'loss'"),
        ({"kind": "path", "loss": "quadratic", "A": "A"}, "needs 'b'"),
        (
            {"kind": "path", "loss": "quadratic", "A": "Q", "b": "b"},
            "'A': 'Q' is not a parameter of momentum_descent(A, b, w0",
        ),
        ({"kind": "curve", "colour": "red"}, "unknown field(s) colour"),
        ({"kind": "curve", "item": -1}, "'item' must be the index"),
    ],
)
def test_it_rejects_a_plot_field_that_cannot_work(plot, message):
    with pytest.raises(plots.PlotSpecError, match=re.escape(message)):
        plots.check({**MOMENTUM, "plot": plot})
