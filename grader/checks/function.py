"""Check a student function by its behaviour: fixed and seeded random calls.

The rubric names the reference function (``expected:``) and a reference
function listing the cases (``options.cases``).  The grader runs every case in
the sandbox (see ``plan``) and here compares each outcome with the reference
output within tolerance.  Credit is the share of cases right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.answers import Failed, FunctionAnswer, FunctionRef, Missing, describe
from grader.calls import Case, Named, resolve_args
from grader.checks import CheckContext
from grader.results import CheckResult, Status
from grader.tolerance import first_difference

__all__ = ["EXPECTS_CALLABLE", "Params", "check", "describe_case", "plan"]

EXPECTS_CALLABLE = True


@dataclass(frozen=True, slots=True)
class Params:
    """Options of a function check.

    Attributes:
        expected: the reference function.
        cases: name of the reference function returning the list of ``Case``.
        rtol, atol: tolerance for every number of every output.
        partial: credit the share of right cases (else all or nothing).
        signature: the parameter list shown in feedback, e.g. ``(x1, x2, beta=1.0)``.
    """

    expected: Callable[..., Any]
    cases: str
    rtol: float = 1e-2
    atol: float = 1e-6
    partial: bool = True
    signature: str = ""


def plan(params: Params, *, ctx: CheckContext) -> list[Case]:
    """The calls to make in the sandbox, from the reference's case list."""
    if ctx.reference is None:
        raise ValueError("a function check needs the reference module")
    return list(getattr(ctx.reference, params.cases)())


def _show(value: Any) -> str:
    if isinstance(value, Named):
        return value.name
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=4, separator=", ", threshold=20)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_show(v) for v in value[:8])
        more = ", ..." if len(value) > 8 else ""
        return f"[{inner}{more}]" if isinstance(value, list) else f"({inner}{more})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in list(value.items())[:12]) + "}"
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)


def describe_case(case: Case) -> str:
    """The call as the student would write it, compactly."""
    args = [_show(a) for a in case.args] + [f"{k}={_show(v)}" for k, v in case.kwargs.items()]
    text = "(" + ", ".join(args) + ")"
    return text if len(text) <= 300 else text[:297] + "...)"


def _expected_output(params: Params, case: Case) -> Any:
    return params.expected(*resolve_args(case.args), **resolve_args(case.kwargs))


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Compare every planned call's outcome with the reference output."""
    if isinstance(answer, Missing) or answer is None:
        return CheckResult(0.0, "missing", "Not answered yet: define this function.")
    if isinstance(answer, Failed):
        return CheckResult(0.0, "error", answer.message)
    if isinstance(answer, FunctionRef):
        answer = FunctionAnswer(answer, ())
    if not isinstance(answer, FunctionAnswer):
        return CheckResult.invalid(f"Expected a function {params.signature}; found {describe(answer)}.")
    cases = plan(params, ctx=ctx)
    if len(answer.outcomes) != len(cases):
        return CheckResult(0.0, "error", "The function could not be called (no outcomes were recorded).")
    right = 0
    problems: list[str] = []
    for case, outcome in zip(cases, answer.outcomes, strict=True):
        problem = _judge(params, case, outcome.value)
        if problem is None:
            right += 1
        else:
            problems.append(f"{answer.ref.name}{describe_case(case)}: {problem}" if ctx.reveal else problem)
    total = len(cases)
    if right == total:
        return CheckResult.passed(f"All {total} calls gave the right result.")
    fraction = right / total if params.partial else 0.0
    status: Status = "partial" if fraction > 0 else "failed"
    if all(isinstance(o.value, Failed) for o in answer.outcomes):
        status = "error"
    lines = [f"{right} of {total} calls gave the right result."]
    lines.append("First problem: " + problems[0])
    if len(problems) > 1:
        lines.append(f"({len(problems) - 1} more call(s) went wrong.)")
    return CheckResult(fraction, status, "\n".join(lines))


def _judge(params: Params, case: Case, value: Any) -> str | None:
    if isinstance(value, Failed):
        if value.timed_out:
            return f"it ran out of time ({value.message})"
        return f"it did not return a value: {value.message}"
    expected = _expected_output(params, case)
    if value is None:
        return "it returned None (is a `return` missing?)"
    diff = first_difference(value, expected, params.rtol, params.atol)
    return None if diff is None else diff + "."
