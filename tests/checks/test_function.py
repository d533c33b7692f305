"""The function kind: outcomes of planned calls compared with the reference."""

from __future__ import annotations

import numpy as np
import pytest

import reference.hw4 as ref
from grader.answers import CallOutcome, Failed, FunctionAnswer, FunctionRef, Missing
from grader.calls import resolve_args
from grader.checks import CheckContext
from grader.checks import function as kind
from grader.tolerance import as_plain

CTX = CheckContext(reference=ref)


def outcomes_of(fn, params: kind.Params) -> FunctionAnswer:
    cases = kind.plan(params, ctx=CTX)
    values = [as_plain(fn(*resolve_args(c.args), **resolve_args(c.kwargs))) for c in cases]
    return FunctionAnswer(FunctionRef("f"), tuple(CallOutcome(v) for v in values))


@pytest.mark.parametrize(
    ("expected", "cases"),
    [("relu_network", "relu_network_cases"), ("softmax_beta", "softmax_beta_cases"),
     ("lstm_run", "lstm_run_cases"), ("backprop", "backprop_cases")],
)
def test_the_reference_function_passes_its_own_cases(expected: str, cases: str) -> None:
    params = kind.Params(expected=getattr(ref, expected), cases=cases)
    result = kind.check(params, outcomes_of(getattr(ref, expected), params), ctx=CTX)
    assert (result.status, result.fraction) == ("passed", 1.0)


def test_a_network_without_the_output_relu_gets_partial_credit_and_a_located_message() -> None:
    def no_output_relu(x1, x2, beta=1.0):
        s = ref.hidden_sum(x1, x2)
        return tuple(ref.softmax_beta(np.array([s, 2 - s]), beta))

    params = kind.Params(expected=ref.relu_network, cases="relu_network_cases", signature="(x1, x2, beta=1.0)")
    result = kind.check(params, outcomes_of(no_output_relu, params), ctx=CTX)
    assert result.status == "partial"
    assert 0 < result.fraction < 1
    assert "calls gave the right result" in result.feedback
    assert "f(" in result.feedback  # the failing call is named when revealing is allowed


def test_perturbed_backprop_fails_every_case() -> None:
    def doubled(*args):
        dW, db = ref.backprop(*args)
        return [2 * w for w in dW], [2 * b for b in db]

    params = kind.Params(expected=ref.backprop, cases="backprop_cases")
    result = kind.check(params, outcomes_of(doubled, params), ctx=CTX)
    assert (result.status, result.fraction) == ("failed", 0.0)


def test_hidden_feedback_does_not_show_the_call() -> None:
    params = kind.Params(expected=ref.lstm_run, cases="lstm_run_cases")
    answer = outcomes_of(lambda xs, p: [0] * len(xs), params)
    result = kind.check(params, answer, ctx=CheckContext(reference=ref, reveal=False))
    assert result.status in ("partial", "failed")
    assert "f(" not in result.feedback


def test_missing_errors_timeouts_and_wrong_types() -> None:
    params = kind.Params(expected=ref.lstm_run, cases="lstm_run_cases")
    assert kind.check(params, Missing(), ctx=CTX).status == "missing"
    assert kind.check(params, 3.0, ctx=CTX).status == "invalid"
    n = len(kind.plan(params, ctx=CTX))
    timeouts = FunctionAnswer(FunctionRef("lstm_run"), tuple(CallOutcome(Failed("no time", True)) for _ in range(n)))
    result = kind.check(params, timeouts, ctx=CTX)
    assert (result.status, result.fraction) == ("error", 0.0)
    assert "ran out of time" in result.feedback
    none = FunctionAnswer(FunctionRef("lstm_run"), tuple(CallOutcome(None) for _ in range(n)))
    assert "returned None" in kind.check(params, none, ctx=CTX).feedback
