"""The lstm_params kind: weights judged by simulating every input sequence."""

from __future__ import annotations

import pytest

import reference.hw4 as ref
from grader.answers import Missing
from grader.checks import CheckContext
from grader.checks import lstm_params as kind

CTX = CheckContext(reference=ref)
P2C = kind.Params(expected=ref.p2c_target)
P2D = kind.Params(expected=ref.p2d_target, alphabet=(-1, 1))


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
    assert "For the input [1] your weights give h = [1]" in result.feedback
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
