"""Check a student function by its behaviour on named groups of calls.

The rubric names the reference function (``expected:``) and the groups of
calls (``options.groups``): each group has a name, the reference function
listing its cases and its points.  The grader runs every case in the sandbox
(see ``plan``) and here compares each outcome with the reference output within
tolerance.  A group earns its points only when every call in it is right, so
that partial credit means partly working code, not a share of lucky calls.

Feedback lists every group as passed or failed with, for a failed group, what
went wrong in its first failing call.  The call itself (its arguments, never
the expected output) is shown only when the check's feedback is visible before
the due date (``SHOWN_BEFORE_DUE``): the calls of such a check are public, so
none of them may be derived from a hidden answer (a test sees to it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, cast

import numpy as np

from grader.checks import CheckContext
from grader.errors import InvalidAnswer
from grader.results import CheckResult, Status
from grader.sandbox.answers import CallOutcome, Failed, FunctionAnswer, FunctionRef, Missing, describe
from grader.sandbox.calls import Case, Named, resolve_args
from grader.tolerance import first_difference

__all__ = [
    "CALLED", "EXPECTS_CALLABLE", "HELP", "REQUIRES", "SHOWN_BEFORE_DUE", "Group", "Params", "Recorded", "check",
    "describe_case", "from_key", "grouped_plan", "options", "plan", "read", "shape", "to_key",
]

EXPECTS_CALLABLE = True
CALLED = True
REQUIRES = ("signature",)
HELP = "a Python function"
#: Visibilities whose feedback students may see before the due date.
SHOWN_BEFORE_DUE = frozenset({"visible", "after_published"})


@functools.cache
def _options() -> dict[str, Any]:
    """The typed options, built on first use: pydantic is for authors, not for the student self-check."""
    from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

    class CaseGroup(BaseModel):
        """A named group of calls of a student function: all right, or no points."""

        model_config = ConfigDict(extra="forbid", frozen=True)

        name: str = Field(min_length=1, description="Shown in feedback, e.g. 'random inputs over every region'.")
        cases: str = Field(
            pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="Reference function returning the group's list of Case."
        )
        points: float = Field(ge=0.0, description="Earned only when every call of the group is right.")

    class FunctionOptions(BaseModel):
        """Options of a ``function`` check: the groups of calls, and the tolerance of every output.

        Validated with the check's points as context: the groups' points must add up to them.
        """

        model_config = ConfigDict(extra="forbid", frozen=True)

        groups: tuple[CaseGroup, ...] = Field(
            min_length=1, description="Groups of calls; their points add up to the check's points."
        )
        # None: the rubric's defaults (an explicit null is refused)
        rtol: float = Field(None, ge=0.0, description="Relative tolerance.")  # type: ignore[assignment]
        atol: float = Field(None, ge=0.0, description="Absolute tolerance.")  # type: ignore[assignment]

        @field_validator("groups")
        @classmethod
        def _unique_names(cls, groups: tuple[CaseGroup, ...]) -> tuple[CaseGroup, ...]:
            names = [g.name for g in groups]
            for i, name in enumerate(names):
                if name in names[:i]:
                    raise ValueError(f"groups[{i}].name: {name!r} is used twice")
            return groups

        @model_validator(mode="after")
        def _points_add_up(self, info: ValidationInfo) -> FunctionOptions:
            points = (info.context or {}).get("points")
            total = sum(g.points for g in self.groups)
            if points is not None and abs(total - points) > 1e-9:
                raise ValueError(f"groups: the groups' points add up to {total:g}, not the check's points {points:g}")
            return self

    return {"CaseGroup": CaseGroup, "FunctionOptions": FunctionOptions, "Options": FunctionOptions}


def options() -> type[Any]:
    """The typed ``options:`` of a function check (pydantic, built on first use: grading from a key needs none)."""
    return _options()["Options"]


@dataclass(frozen=True, slots=True)
class Group:
    """A named group of calls, all right or no points.

    Attributes:
        name: shown in feedback, e.g. ``"random inputs over every region of 1(c)"``.
        cases: name of the reference function returning the group's list of ``Case``.
        points: what the group is worth; the groups' points add up to the check's.
    """

    name: str
    cases: str
    points: float


@dataclass(frozen=True, slots=True)
class Recorded:
    """The reference function as the answer key holds it: each group's cases and the reference's outputs.

    Attributes:
        cases: the cases of each group, by the name of the group's ``cases`` function.
        outputs: the reference's output for each of those cases, in order.
    """

    cases: Mapping[str, tuple[Case, ...]]
    outputs: Mapping[str, tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Params:
    """Options of a function check.

    Attributes:
        expected: the reference function (or, from the answer key, what it gave: a ``Recorded``).
        groups: the groups of calls (mappings with ``name``, ``cases``, ``points`` are accepted).
        rtol, atol: tolerance for every number of every output.
        signature: the parameter list shown in feedback, e.g. ``(x1, x2, beta=1.0)``.
        visibility: the check's visibility (set by the grader from the rubric).
    """

    expected: Callable[..., Any] | Recorded
    groups: tuple[Group, ...]
    rtol: float = 1e-2
    atol: float = 1e-6
    signature: str = ""
    visibility: str = "after_due_date"

    def __post_init__(self) -> None:
        groups = tuple(Group(**dict(g)) if isinstance(g, Mapping) else g for g in self.groups)
        if not groups or not all(isinstance(g, Group) for g in groups):
            raise ValueError("groups: give at least one group with name, cases and points")
        if len({g.name for g in groups}) != len(groups):
            raise ValueError("groups: two groups have the same name")
        if any(not isinstance(g.points, (int, float)) or g.points < 0 for g in groups):
            raise ValueError("groups: points must be numbers >= 0")
        for tol in (self.rtol, self.atol):
            if not isinstance(tol, (int, float)) or tol < 0:
                raise ValueError("rtol and atol must be numbers >= 0")
        object.__setattr__(self, "groups", groups)

    @property
    def points(self) -> float:
        return float(sum(g.points for g in self.groups))


def shape(params: Params) -> dict[str, Any]:
    """The parameter list the function must take."""
    return {"signature": params.signature}


def read(answer: Any, shape: dict[str, Any], *, strict: bool = False) -> FunctionAnswer:
    """The answer as a student function (with no call outcomes yet when none were made)."""
    if isinstance(answer, FunctionRef):
        return FunctionAnswer(answer, ())
    if isinstance(answer, FunctionAnswer):
        return answer
    raise InvalidAnswer(f"expected a function {shape.get('signature') or ''}; found {describe(answer)}")


def _memo(reference: ModuleType) -> dict[Any, Any]:
    memo: dict[Any, Any] = reference.__dict__.setdefault("__grader_function_memo__", {})
    return memo


def _reference(ctx: CheckContext) -> ModuleType:
    if ctx.reference is None:
        raise ValueError("a function check needs the reference module")
    return ctx.reference


def _cases(params: Params, ctx: CheckContext, group: Group) -> tuple[Case, ...]:
    """The group's cases: as recorded in the answer key, else listed once per reference module."""
    if isinstance(params.expected, Recorded):
        return params.expected.cases[group.cases]
    reference = _reference(ctx)
    memo = _memo(reference)
    if group.cases not in memo:
        listing = getattr(reference, group.cases, None)
        if not callable(listing):
            raise ValueError(f"group {group.name!r}: the reference has no function {group.cases!r}")
        cases = tuple(listing())
        if not cases or not all(isinstance(c, Case) for c in cases):
            raise ValueError(f"group {group.name!r}: {group.cases}() must return a non-empty list of Case")
        memo[group.cases] = cases
    return cast(tuple[Case, ...], memo[group.cases])


def _expected_outputs(params: Params, ctx: CheckContext, group: Group) -> tuple[Any, ...]:
    """The reference outputs of the group's cases: as recorded, else computed once per reference module."""
    expected = params.expected
    if isinstance(expected, Recorded):
        return expected.outputs[group.cases]
    memo = _memo(_reference(ctx))
    key = (group.cases, expected)
    if key not in memo:
        memo[key] = tuple(expected(*resolve_args(c.args), **resolve_args(c.kwargs)) for c in _cases(params, ctx, group))
    return cast(tuple[Any, ...], memo[key])


def grouped_plan(params: Params, *, ctx: CheckContext) -> list[tuple[Group, tuple[Case, ...]]]:
    """Each group with its cases, in the order ``plan`` lists the calls (reporters use it too)."""
    return [(group, _cases(params, ctx, group)) for group in params.groups]


def to_key(params: Params, *, reference: ModuleType) -> dict[str, Any]:
    """The fields the answer key stores: the reference function becomes its cases and outputs (a ``Recorded``)."""
    ctx = CheckContext(reference=reference)
    recorded = Recorded(
        {g.cases: _cases(params, ctx, g) for g in params.groups},
        {g.cases: _expected_outputs(params, ctx, g) for g in params.groups},
    )
    fields = {f: getattr(params, f) for f in ("rtol", "atol", "signature", "visibility")}
    groups = tuple({"name": g.name, "cases": g.cases, "points": g.points} for g in params.groups)
    return {"expected": {"cases": recorded.cases, "outputs": recorded.outputs}, "groups": groups, **fields}


def from_key(fields: dict[str, Any]) -> Params:
    """The params :func:`to_key` stored."""
    expected = fields.pop("expected")
    return Params(expected=Recorded(expected["cases"], expected["outputs"]), **fields)


def plan(params: Params, *, ctx: CheckContext) -> list[Case]:
    """The calls to make in the sandbox: every group's cases, group after group."""
    return [case for _, cases in grouped_plan(params, ctx=ctx) for case in cases]


def _show(value: Any) -> str:
    if isinstance(value, Named):
        return value.function
    if isinstance(value, np.ndarray):
        return _show(value.tolist())
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_show(v) for v in value[:10])
        more = ", ..." if len(value) > 10 else ""
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
    return text if len(text) <= 400 else text[:397] + "...)"


def _group_verdict(
    params: Params, ctx: CheckContext, ref: FunctionRef, group: Group, outcomes: tuple[CallOutcome, ...]
) -> str | None:
    """None when every call of the group is right, else what went wrong (and where, if it may be shown)."""
    cases = _cases(params, ctx, group)
    expected = _expected_outputs(params, ctx, group)
    wrong: list[str] = []
    for case, want, outcome in zip(cases, expected, outcomes, strict=True):
        problem = _judge(params, want, outcome.value)
        if problem is not None:
            show = ctx.reveal and params.visibility in SHOWN_BEFORE_DUE
            wrong.append(f"{ref.name}{describe_case(case)}: {problem}" if show else problem)
    if not wrong:
        return None
    return f"{len(wrong)} of {len(cases)} call(s) went wrong; first: {wrong[0]}"


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Judge each group of calls: all right earns the group's points, anything less earns none."""
    if isinstance(answer, Missing) or answer is None:
        return CheckResult(0.0, "missing", "Not answered yet: define this function.")
    if isinstance(answer, Failed):
        return CheckResult(0.0, "error", answer.message)
    try:
        answer = read(answer, shape(params))
    except InvalidAnswer:
        return CheckResult.invalid(f"Expected a function {params.signature}; found {describe(answer)}.")
    sizes = [len(cases) for _, cases in grouped_plan(params, ctx=ctx)]
    if len(answer.outcomes) != sum(sizes):
        return CheckResult(0.0, "error", "The function could not be called (no outcomes were recorded).")
    lines: list[str] = []
    earned, passed, start = 0.0, 0, 0
    for group, size in zip(params.groups, sizes, strict=True):
        verdict = _group_verdict(params, ctx, answer.ref, group, answer.outcomes[start:start + size])
        start += size
        head = f"- {group.name} ({group.points:g} point{'' if group.points == 1 else 's'}, {size} call(s)): "
        if verdict is None:
            earned += group.points
            passed += 1
            lines.append(head + "passed.")
        else:
            lines.append(head + "failed: " + verdict)
    total = len(params.groups)
    if passed == total:
        return CheckResult.passed(f"All {total} groups of calls passed ({sum(sizes)} calls).")
    fraction = earned / params.points if params.points > 0 else passed / total
    status: Status = "partial" if passed > 0 else "failed"
    if all(isinstance(o.value, Failed) for o in answer.outcomes):
        status = "error"
    summary = (f"{passed} of {total} groups of calls passed ({earned:g} of {params.points:g} points); "
               "a group earns its points only when every call in it is right.")
    return CheckResult(fraction, status, "\n".join([summary, *lines]))


def _judge(params: Params, expected: Any, value: Any) -> str | None:
    if isinstance(value, Failed):
        if value.timed_out:
            return f"it ran out of time ({value.message})"
        return f"it did not return a value: {value.message}"
    if value is None:
        return "it returned None (is a `return` missing?)"
    diff = first_difference(value, expected, params.rtol, params.atol)
    return None if diff is None else diff + "."
