import numpy as np
import pytest

from grader import engine, sandbox
from grader.compare import compare
from grader.sandbox import wire

SCALARS = [
    np.bool_(True), np.int8(-3), np.int16(-300), np.int32(7), np.int64(-2**40), np.uint8(200), np.uint16(60000),
    np.uint32(4_000_000_000), np.uint64(2**63 + 5), np.float16(1.5), np.float32(0.1), np.float64(2.5),
    np.complex64(1 - 2j), np.complex128(3 + 4j), np.longdouble(1.25),
]  # fmt: skip


@pytest.mark.parametrize("value", SCALARS, ids=lambda value: type(value).__name__)
def test_it_keeps_every_numpy_scalar_a_scalar_of_its_dtype(value):
    back = wire.loads(wire.dumps(value))
    assert np.ndim(back) == 0 and not isinstance(back, np.ndarray)
    assert np.asarray(back).dtype == np.asarray(value).dtype
    assert back == value


@pytest.mark.parametrize("value", SCALARS, ids=lambda value: type(value).__name__)
def test_it_turns_a_0d_array_into_a_scalar_of_its_dtype(value):
    back = wire.loads(wire.dumps(np.array(value)))
    assert isinstance(back, np.generic) and back.dtype == np.asarray(value).dtype and back == value


@pytest.mark.parametrize("value", [np.float64("inf"), np.float64("-inf"), np.float64("nan"), float("inf")], ids=repr)
def test_it_carries_a_non_finite_float64_across(value):
    back = wire.loads(wire.dumps(value))
    assert repr(float(back)) == repr(float(value))


def test_it_still_sends_arrays_of_length_one_as_arrays():
    back = wire.loads(wire.dumps({"a": np.array([3]), "b": (np.int64(3),)}))
    assert back["a"].shape == (1,) and np.ndim(back["b"][0]) == 0


def test_it_refuses_a_scalar_tag_that_points_at_an_array_and_an_array_tag_at_a_scalar():
    as_array = wire.dumps(np.array([1.0, 2.0]))
    forged = as_array.replace(b'{"nd":0}', b'{"scalar":0}')
    with pytest.raises(wire.WireError):
        wire.loads(forged)
    as_scalar = wire.dumps(np.int64(2))
    with pytest.raises(wire.WireError):
        wire.loads(as_scalar.replace(b'{"scalar":0}', b'{"nd":0}    '[: len(b'{"scalar":0}')]))


def test_it_refuses_a_scalar_that_is_not_a_number():
    with pytest.raises(wire.WireError):
        wire.dumps(np.datetime64("2020-01-01"))


RETURNS = {
    "count with .sum()": ("return (np.asarray(x) > 0).sum()", np.int64),
    "argmax": ("return np.argmax(x)", np.int64),
    "np.all": ("return np.all(np.asarray(x) > -100)", np.bool_),
    "float32": ("return np.float32(np.sum(x))", np.float32),
    "tensordot": ("return np.tensordot(x, x, axes=1)", np.float64),
    "total /= n": ("total = np.zeros(()); total += np.sum(x); total /= 1; return total", np.float64),
}


@pytest.mark.parametrize("name", RETURNS)
def test_it_brings_back_what_a_learner_returns_as_a_scalar_through_the_sandbox(name):
    body, kind = RETURNS[name]
    source = f"import numpy as np\ndef f(x):\n    {body}\n"
    value = sandbox.call(source, "f", np.array([1.0, -2.0, 3.0]))
    assert isinstance(value, kind | float) and np.ndim(value) == 0


@pytest.mark.parametrize(
    ("expected", "got"),
    [
        (2, np.int64(2)),
        (2, np.int32(2)),
        (2, np.uint8(2)),
        (True, np.bool_(True)),
        (2.5, np.float32(2.5)),
        (1.0, np.array(1.0)[()]),
    ],
)
def test_it_accepts_a_numpy_scalar_where_a_python_one_is_expected(expected, got):
    assert compare(expected, got, {"method": "exact"}).passed
    assert compare(expected, got, {"method": "allclose"}).passed


def test_it_never_tells_a_learner_who_returned_a_scalar_to_squeeze_it():
    spec = {
        "entry_point": "f",
        "reference": "import numpy as np\ndef f(x):\n    return np.array([np.sum(x)])\n",
        "cases": "import numpy as np\ndef cases(rng):\n    yield {'name': 'three', 'args': [np.arange(3.0)]}\n",
    }
    cases = engine.prepare_code_cases(spec, seed=1)
    result = engine.grade("code", spec, "import numpy as np\ndef f(x):\n    return np.sum(x)\n", cases=cases)
    assert not result.correct
    message = result.cases[0].message
    assert "squeeze" not in message and "single number" in message


def test_it_grades_a_numpy_integer_count_as_correct():
    spec = {
        "entry_point": "count",
        "reference": "def count(x):\n    return int(sum(1 for v in x if v > 0))\n",
        "cases": "import numpy as np\ndef cases(rng):\n    yield {'name': 'mixed', 'args': [np.array([1.0, -1.0, 2.0])]}\n",
        "compare": {"method": "exact"},
    }
    cases = engine.prepare_code_cases(spec, seed=1)
    answer = "import numpy as np\ndef count(x):\n    return (x > 0).sum()\n"
    assert engine.grade("code", spec, answer, cases=cases).correct
