"""The reference, graded as if it were a student: full credit; perturbed, it fails every check.

The reference defines the same names a student does, so each part's answer is
the reference's own value, converted to what the sandbox would send (sympy
objects as text, arrays as lists).  Functions are run on the planned cases in
this process: the reference is trusted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sympy as sp

from grader.assignment import Assignment, BoundCheck, load_assignment
from grader.checks.function import describe_case
from grader.grade import grade_observations
from grader.paths import DEFAULT_RUBRIC
from grader.plan_cache import plan_calls
from grader.sandbox.answers import CallOutcome, FunctionRef, SympyText
from grader.sandbox.calls import resolve_args
from grader.sandbox.runner import SandboxResult


def as_sent(value: Any) -> Any:
    """A reference value as the sandbox would deliver it."""
    if isinstance(value, sp.Basic):
        return SympyText(str(value))
    if isinstance(value, np.ndarray):
        return [as_sent(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [as_sent(v) for v in value]
    if isinstance(value, dict):
        return {k: as_sent(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def bump(value: Any) -> Any:
    """Every number of a nested output moved well outside any tolerance."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value * 1.5 + 0.5
    if isinstance(value, list):
        return [bump(v) for v in value]
    return value


@pytest.fixture(scope="module")
def assignment() -> Assignment:
    return load_assignment(DEFAULT_RUBRIC)


def reference_values(assignment: Assignment) -> dict[str, Any]:
    ref = assignment.reference
    values: dict[str, Any] = {}
    for part in assignment.rubric.parts:
        if part.value == "function":
            values[part.answer] = FunctionRef(part.answer)
        elif part.value != "text":
            values[part.answer] = as_sent(getattr(ref, part.answer)())
        else:
            values[part.answer] = "An answer in words."
    return values


def reference_outcomes(assignment: Assignment, *, perturb: bool) -> tuple[CallOutcome, ...]:
    calls, _ = plan_calls(assignment.checks)
    ref = assignment.reference
    out = []
    for name, case in calls:
        value = as_sent(getattr(ref, name)(*resolve_args(case.args), **resolve_args(case.kwargs)))
        out.append(CallOutcome(bump(value) if perturb else value))
    return tuple(out)


def observe(values: dict[str, Any], outcomes: tuple[CallOutcome, ...]) -> SandboxResult:
    return SandboxResult(values, outcomes, (), (), "", 0.0)


def test_the_reference_earns_full_credit_on_every_check(assignment: Assignment) -> None:
    report = grade_observations(
        assignment, observe(reference_values(assignment), reference_outcomes(assignment, perturb=False))
    )
    scored = [t for t in report.tests if not t.manual]
    assert [(t.number, t.status) for t in scored if t.status != "passed"] == []
    assert report.score == 100


def perturbed(check: BoundCheck, answer: Any) -> Any:
    """The reference's answer for one check, changed so that it is wrong."""
    kind = check.spec.kind
    if kind == "choice":
        return next(c for c in check.params.choices if c != answer)
    if kind == "bool":
        return not answer
    if kind in ("number", "vector", "int_sequence"):
        return bump(answer) if kind != "int_sequence" else [answer[0] + 1, *answer[1:]]
    if kind in ("polygon", "region"):
        return [[1.3 * x + 0.2, 1.3 * y] for x, y in answer]
    if kind == "expression":
        return SympyText(f"1.1*({answer.text}) + 0.1")
    if kind == "relation":
        rel = sp.sympify(answer.text)  # trusted: the reference's own text
        return SympyText(str(sp.StrictGreaterThan(rel.lhs - rel.rhs - sp.Rational(1, 2), 0)))
    if kind == "params_by_simulation":
        return {**answer, "W_cx": -answer["W_cx"]}
    raise AssertionError(f"no perturbation for kind {kind}")


def test_a_perturbed_reference_fails_every_check(assignment: Assignment) -> None:
    values = reference_values(assignment)
    for check in assignment.checks:
        if check.spec.kind == "function":
            continue
        answer = values[check.answer]
        if check.spec.select is not None:
            key = check.spec.select
            answer = dict(answer) if isinstance(answer, dict) else list(answer)
            answer[key] = perturbed(check, answer[key])
        else:
            answer = perturbed(check, answer)
        report = grade_observations(assignment, observe({**values, check.answer: answer}, ()), checks=[check])
        (test,) = report.tests[:1]
        assert test.score < test.max_score or test.max_score == 0, check.number
        assert test.status in ("failed", "partial"), (check.number, test.status, test.output)


def test_perturbed_functions_fail(assignment: Assignment) -> None:
    report = grade_observations(
        assignment, observe(reference_values(assignment), reference_outcomes(assignment, perturb=True))
    )
    functions = [t for t in report.tests if t.answer in ("relu_network", "softmax_beta", "lstm_run", "backprop")]
    assert len(functions) == 4
    # every group of calls holds a call whose output the perturbation changes
    assert [(t.number, t.status) for t in functions] == [
        ("1.e", "failed"), ("1.f", "failed"), ("2.e", "failed"), ("3.a", "failed")]
    assert [t.score for t in functions] == [0, 0, 0, 0]


def test_each_known_mistake_gets_its_message_and_credit(assignment: Assignment) -> None:
    values = reference_values(assignment)
    seen = 0
    for check in assignment.checks:
        for mistake in check.mistakes:
            answer: Any = as_sent(mistake.params.expected)
            if check.spec.select is not None:
                whole = values[check.answer]
                whole = dict(whole) if isinstance(whole, dict) else list(whole)
                whole[check.spec.select] = answer
                answer = whole
            report = grade_observations(assignment, observe({**values, check.answer: answer}, ()), checks=[check])
            test = report.tests[0]
            assert test.output == mistake.message, check.number
            assert test.score == round(mistake.credit * check.spec.points, 2), check.number
            seen += 1
    assert seen >= 15


def test_binding_is_reproducible(assignment: Assignment) -> None:
    again = load_assignment(DEFAULT_RUBRIC)
    first = [describe_case(c) for check in assignment.checks for c in check.calls]
    second = [describe_case(c) for check in again.checks for c in check.calls]
    assert len(first) == 76
    assert first == second
