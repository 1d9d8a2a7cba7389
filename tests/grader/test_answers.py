import json

import pytest

from grader.answers import bracket_depth, grade_choice, grade_numeric, parse_number_text


def numeric(answer, **settings):
    return grade_numeric({"answer": settings}, answer)


@pytest.mark.parametrize("text", ["0.6827", "6.827e-1", "68.27%", "6.827×10^-1", " 0.6827 "])
def test_it_reads_numbers_in_the_usual_notations(text):
    assert numeric(text, value=0.6827, rtol=1e-9).correct


def test_it_reads_fractions_exactly_enough():
    assert numeric("1/3", value=1 / 3).correct


def test_it_applies_absolute_and_relative_tolerances():
    assert numeric("0.683", value=0.6827, rtol=1e-3).correct
    assert not numeric("0.69", value=0.6827, rtol=1e-3).correct
    assert numeric("0.001", value=0, atol=0.01).correct


def test_it_checks_significant_figures():
    assert numeric("0.683", value=0.68269, sig_figs=3).correct
    assert numeric("0.68269", value=0.68269, sig_figs=3).correct
    wrong = numeric("0.68", value=0.68269, sig_figs=3)
    assert not wrong.correct and wrong.message == "Too small. Not right to 3 significant figures."
    assert (
        numeric("0.68", value=0.68269, sig_figs=3, show_direction=False).message
        == "Not right to 3 significant figures."
    )


def test_it_says_whether_a_miss_is_too_large_or_too_small_and_the_tolerance():
    high = numeric("0.69", value=0.6827, rtol=1e-3)
    assert high.message == "Too large. An answer counts when it is within 0.1% of the expected value."
    low = numeric("-0.5", value=0, atol=0.01)
    assert low.message == "Too small. An answer counts when it is within 0.01 of the expected value."
    both = numeric("3", value=2, atol=0.01, rtol=0.001)
    assert both.message == "Too large. An answer counts when it is within 0.01 plus 0.1% of the expected value."


def test_it_keeps_direction_and_tolerance_to_itself_when_the_exercise_says_so():
    assert (
        numeric("0.69", value=0.6827, rtol=1e-3, show_direction=False, show_tolerance=False).message
        == "Not within the tolerance."
    )
    vector = numeric("[1, 3]", value=[1, 2], atol=0.1)
    assert vector.cases[0].message == "Too large. An answer counts when it is within 0.1 of the expected value."


def test_it_accepts_a_correctly_rounded_answer_at_the_stated_significant_figures():
    assert numeric("1.99053", value=1.9905263, sig_figs=6).correct
    assert numeric("0.0228", value=0.02275013, sig_figs=3).correct
    assert numeric("0.02274", value=0.02275013, sig_figs=3).correct  # more precise is fine
    assert not numeric("1.99052", value=1.9905263, sig_figs=6).correct
    assert not numeric("0.0227", value=0.02275013, sig_figs=3).correct


def test_it_checks_decimal_places_within_half_a_unit():
    assert numeric("0.33", value=1 / 3, decimals=2).correct
    assert numeric("1/3", value=1 / 3, decimals=2).correct
    assert numeric("[0.090, 0.245, 0.665]", value=[0.09003057, 0.24472847, 0.66524096], decimals=3).correct
    wrong = numeric("0.34", value=1 / 3, decimals=2)
    assert not wrong.correct and wrong.message == "Too large. Not right to 2 decimal places."
    assert not numeric("0.3", value=1 / 3, decimals=2).correct


def test_it_accepts_either_neighbour_of_an_exact_tie():
    assert numeric("0.13", value=0.125, decimals=2).correct
    assert numeric("0.12", value=0.125, decimals=2).correct


def test_it_gives_per_entry_feedback_for_arrays():
    result = numeric("[[1, 2], [3, 5]]", value=[[1, 2], [3, 4]])
    assert not result.correct and result.message == "1 of 4 entries is wrong."
    assert [case.where for case in result.cases] == [[1, 1]]


def test_it_says_when_the_shape_is_wrong():
    assert numeric("[1, 2, 3]", value=[[1, 2], [3, 4]]).message == "Expected a 2x2 matrix, got a list of 3 numbers."


def test_it_accepts_a_flat_list_for_a_column():
    assert numeric("[0.6, 0.8]", value=[[0.6], [0.8]]).correct


@pytest.mark.parametrize("text", ["__import__('os')", "1e999", "[1, 'a']", "two", "1/0"])
def test_it_refuses_what_is_not_a_number(text):
    result = numeric(text, value=1)
    assert result.status == "graded" and result.score == 0 and not result.cases


def test_it_never_evaluates_the_text():
    with pytest.raises(ValueError):
        parse_number_text("2**10")


CHOICES = [
    {"text": "A", "correct": True, "feedback": "Yes, A."},
    {"text": "B", "correct": False, "feedback": "B is a trap."},
    {"text": "C", "correct": True},
]


def test_it_gives_feedback_for_each_picked_choice():
    result = grade_choice({"choices": CHOICES, "multiple": True}, json.dumps([0, 1]))
    assert not result.correct
    assert [(case.name, case.passed, case.message) for case in result.cases] == [
        ("A", True, "Yes, A."),  # named by its text: a quiz shuffles the choices
        ("B", False, "B is a trap."),
        ("Missed", False, "1 correct choice was not selected."),
    ]


def test_it_needs_every_right_choice_and_no_wrong_one():
    assert grade_choice({"choices": CHOICES, "multiple": True}, "[0, 2]").correct
    assert (
        grade_choice({"choices": CHOICES, "multiple": True}, "[0]").message
        == "Not quite: 1 correct choice not selected."
    )


def test_it_refuses_several_picks_for_a_single_answer_question():
    assert grade_choice({"choices": CHOICES}, "[0, 2]").message == "Pick only one choice."
    assert grade_choice({"choices": CHOICES}, "[7]").message == "Pick one of the choices."


def test_it_refuses_deeply_nested_lists_before_reading_them():
    # 900 levels once sent json into a RecursionError and left the answer "Running…".
    deep = "[" * 900 + "1" + "]" * 900
    result = grade_numeric({"answer": {"value": 0.5}}, deep)
    assert result.message == "The lists nest too deeply (at most 8 levels of brackets)."
    assert grade_numeric({"answer": {"value": [[[1.0]]]}}, "[[[1]]]").correct


def test_it_measures_bracket_depth_without_parsing():
    assert bracket_depth("0.5") == 0
    assert bracket_depth("[[1, 2], [3, 4]]") == 2
    assert bracket_depth("[" * 5000) == 5000
