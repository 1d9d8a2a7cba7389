import json

from django.core.management import call_command


def check(*args):
    from io import StringIO

    out = StringIO()
    call_command("check_expression", *args, stdout=out)
    return out.getvalue()


def test_it_prints_one_json_object_with_the_verdict():
    data = json.loads(check("--expected", "log(a*b)", "--answer", "log(a) + log(b)", "--positive", "a,b", "--json"))
    assert data["equivalent"] is True and data["error"] is None
    assert data["parsed"] == "log(a) + log(b)" and "\\ln" in data["latex"]


def test_it_needs_the_assumptions_to_accept_a_log_rule():
    data = json.loads(check("--expected", "log(a*b)", "--answer", "log(a) + log(b)", "--json"))
    assert data["equivalent"] is False


def test_it_reads_latex_answers():
    data = json.loads(
        check(
            "--expected",
            "exp(-x)/(1+exp(-x))^2",
            "--answer",
            r"\frac{e^{-x}}{(1+e^{-x})^2}",
            "--latex",
            "--variables",
            "x",
            "--json",
        )
    )
    assert data["equivalent"] is True


def test_it_reports_an_unreadable_answer_as_an_error_not_a_crash():
    data = json.loads(check("--expected", "x", "--answer", "xz + 1", "--variables", "x", "--json"))
    assert data["equivalent"] is None and data["parsed"] is None
    assert data["error"].startswith("Unknown name 'z'")


def test_it_prints_a_readable_verdict_without_json():
    assert check("--expected", "2*x", "--answer", "2x", "--variables", "x").startswith("equivalent: read as 2*x")
