"""The params_by_simulation kind: the 2(c)/2(d) LSTM weights judged by simulating every input sequence."""

from __future__ import annotations

import pytest

import reference.hw4 as ref
from grader.checks import CheckContext
from grader.checks import params_by_simulation as kind
from grader.errors import InvalidAnswer
from grader.sandbox.answers import Missing

CTX = CheckContext(reference=ref)
P2C = kind.Params(expected=ref.p2c_target, simulate="lstm_run", keys=ref.PARAM_KEYS)
P2D = kind.Params(expected=ref.p2d_target, simulate="lstm_run", keys=ref.PARAM_KEYS, alphabet=(-1, 1))


def test_reference_weights_pass() -> None:
    assert kind.check(P2C, ref.p2c_params(), ctx=CTX).status == "passed"
    assert kind.check(P2D, ref.p2d_params(), ctx=CTX).status == "passed"


def test_weights_as_strings_and_other_working_designs_pass() -> None:
    answer = {k: str(v) for k, v in ref.p2c_params().items()}
    assert kind.check(P2C, answer, ctx=CTX).status == "passed"
    other = dict(ref.p2d_params(), W_cx=2.0, b_f=50.0, b_i=50.0, b_o=50.0)
    assert kind.check(P2D, other, ctx=CTX).status == "passed"


def test_the_handout_weights_do_not_negate_h_and_the_counterexample_is_shown() -> None:
    result = kind.check(P2C, dict(ref.HANDOUT_PARAMS), ctx=CTX)
    assert result.status == "failed"
    assert "For the input [1] your parameters give [1]" in result.feedback
    hidden = kind.check(P2C, dict(ref.HANDOUT_PARAMS), ctx=CheckContext(reference=ref, reveal=False))
    assert "For the input" not in hidden.feedback


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({k: 0 for k in ref.PARAM_KEYS if k != "b_c"}, "missing key(s) b_c"),
        (dict(ref.p2c_params(), W_xx=1), "unknown key(s) W_xx"),
        (dict(ref.p2c_params(), W_cx="fifty"), "W_cx:"),
        ([1, 2, 3], "expected a dict"),
    ],
    ids=["missing-key", "extra-key", "not-a-number", "not-a-dict"],
)
def test_malformed_weights_are_invalid_not_wrong(answer, message: str) -> None:
    result = kind.check(P2C, answer, ctx=CTX)
    assert result.status == "invalid"
    assert message in result.feedback


def test_missing_answer() -> None:
    assert kind.check(P2C, Missing(), ctx=CTX).status == "missing"
    assert kind.check(P2C, None, ctx=CTX).status == "missing"


def test_shape_and_read_are_the_public_face_of_the_kind() -> None:
    shape = kind.shape(P2D)
    assert shape == {"keys": list(ref.PARAM_KEYS), "alphabet": [-1, 1], "max_len": 8}
    assert kind.read(ref.p2d_params(), shape) == {k: float(v) for k, v in ref.p2d_params().items()}
    with pytest.raises(InvalidAnswer, match="missing key"):
        kind.read({"W_fh": 1}, shape)


def test_a_students_parameters_become_a_target_for_grouping_answers() -> None:
    target, code = kind.as_expected(P2C, ref.p2c_params(), reference=ref)
    assert target([0, 1, 1]) == ref.p2c_target([0, 1, 1])
    assert code.startswith("(xs):\n    return lstm_run(xs, {")


@pytest.mark.parametrize("options", [{"keys": ()}, {"max_len": 0}, {"alphabet": ()}], ids=["no-keys", "no-length",
                                                                                              "no-alphabet"])
def test_bad_options_are_refused(options: dict) -> None:
    base = {"expected": ref.p2c_target, "simulate": "lstm_run", "keys": ref.PARAM_KEYS}
    with pytest.raises(ValueError, match="keys|alphabet"):
        kind.Params(**{**base, **options})
