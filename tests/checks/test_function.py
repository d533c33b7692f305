"""The function kind: named groups of calls, each all right or no points."""

from __future__ import annotations

import copy
import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import reference.hw4 as ref
from grader import plan_cache
from grader.assignment import Assignment, BoundCheck, load_assignment
from grader.checks import CheckContext
from grader.checks import function as kind
from grader.errors import RubricError
from grader.paths import DEFAULT_RUBRIC, ROOT
from grader.rubric import check_options, parse_rubric
from grader.sandbox.answers import CallOutcome, Failed, FunctionAnswer, FunctionRef, Missing
from grader.sandbox.calls import resolve_args
from grader.tolerance import as_plain

CTX = CheckContext(reference=ref)
NETWORK_GROUPS = (
    {"name": "inner", "cases": "relu_network_inner_cases", "points": 2},
    {"name": "outer", "cases": "relu_network_outer_cases", "points": 2},
    {"name": "beta", "cases": "relu_network_beta_cases", "points": 2},
    {"name": "large", "cases": "relu_network_large_cases", "points": 1},
    {"name": "edges", "cases": "relu_network_edge_cases", "points": 1},
)


@pytest.fixture(scope="module")
def assignment() -> Assignment:
    return load_assignment(DEFAULT_RUBRIC)


def function_checks(assignment: Assignment) -> dict[str, BoundCheck]:
    return {c.answer: c for c in assignment.checks if c.spec.kind == "function"}


def network_params(visibility: str = "visible") -> kind.Params:
    return kind.Params(expected=ref.relu_network, groups=NETWORK_GROUPS, rtol=1e-4, atol=1e-7,
                       signature="(x1, x2, beta=1.0)", visibility=visibility)


def outcomes_of(fn: Callable[..., Any], params: kind.Params, name: str = "f") -> FunctionAnswer:
    values = []
    for case in kind.plan(params, ctx=CTX):
        try:
            values.append(CallOutcome(as_plain(fn(*resolve_args(case.args), **resolve_args(case.kwargs)))))
        except Exception as exc:  # noqa: BLE001 - a student's function may raise anything
            values.append(CallOutcome(Failed(f"{type(exc).__name__}: {exc}")))
    return FunctionAnswer(FunctionRef(name), tuple(values))


def naive_network(x1: float, x2: float, beta: float = 1.0) -> tuple[float, float]:
    """Right, except that its softmax overflows for large beta or far inputs (nan, then a wrong output)."""
    u = np.maximum(np.array([1.0, -1.0]) * ref.hidden_sum(x1, x2) + np.array([0.0, 2.0]), 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(beta * u)
        o = e / e.sum()
    return float(o[0]), float(o[1])


def test_the_reference_passes_every_group_of_the_rubric(assignment: Assignment) -> None:
    for check in function_checks(assignment).values():
        answer = outcomes_of(check.params.expected, check.params, check.answer)
        result = check.kind.check(check.params, answer, ctx=assignment.context(check))
        assert (result.status, result.fraction) == ("passed", 1.0), check.answer
        assert result.feedback == f"All {len(check.params.groups)} groups of calls passed ({len(check.calls)} calls)."


def test_a_group_earns_its_points_only_when_every_call_in_it_is_right() -> None:
    params = network_params()
    result = kind.check(params, outcomes_of(naive_network, params, "relu_network"), ctx=CTX)
    assert (result.status, result.fraction) == ("partial", 7 / 8)
    lines = result.feedback.splitlines()
    assert lines[0] == ("4 of 5 groups of calls passed (7 of 8 points); a group earns its points only when "
                        "every call in it is right.")
    assert lines[1] == "- inner (2 points, 6 call(s)): passed."
    assert lines[4].startswith("- large (1 point, 5 call(s)): failed: 3 of 5 call(s) went wrong; first: "
                               "relu_network(-0.874, -1.501, beta=1000): item [1] is nan (not a finite number).")


def test_one_wrong_call_costs_its_whole_group() -> None:
    params = network_params()
    first_inner_call = kind.plan(params, ctx=CTX)[0]

    def wrong_once(x1: float, x2: float, beta: float = 1.0) -> tuple[float, float]:
        o = ref.relu_network(x1, x2, beta)
        return (o[1], o[0]) if (x1, x2) == first_inner_call.args else o

    result = kind.check(params, outcomes_of(wrong_once, params), ctx=CTX)
    assert (result.status, result.fraction) == ("partial", 6 / 8)
    assert "- inner (2 points, 6 call(s)): failed: 1 of 6 call(s) went wrong; first: f(0.315, 0.125, beta=1)" in (
        result.feedback)


@pytest.mark.parametrize(("visibility", "reveal", "shown"), [
    ("visible", True, True), ("after_published", True, True), ("after_due_date", True, False),
    ("hidden", False, False),
])
def test_the_failing_call_is_shown_only_when_feedback_is_seen_before_the_due_date(
    visibility: str, reveal: bool, shown: bool
) -> None:
    params = network_params(visibility)
    result = kind.check(params, outcomes_of(naive_network, params, "relu_network"),
                        ctx=dataclasses.replace(CTX, reveal=reveal))
    assert ("relu_network(-0.874, -1.501, beta=1000)" in result.feedback) is shown
    assert "first: item [1] is nan (not a finite number)." in result.feedback or shown


def test_feedback_never_shows_an_expected_output() -> None:
    params = network_params()
    result = kind.check(params, outcomes_of(lambda x1, x2, beta=1.0: (0.25, 0.75), params), ctx=CTX)
    assert result.status == "failed"
    for case in kind.plan(params, ctx=CTX):
        for value in ref.relu_network(*case.args, **case.kwargs):
            assert f"{value:.6g}" not in result.feedback or f"{value:.6g}" in ("1", "0")


def test_every_group_tells_a_constant_function_from_the_right_one(assignment: Assignment) -> None:
    """Each group holds calls with different expected outputs, so no constant passes a group."""
    for check in function_checks(assignment).values():
        for group in check.params.groups:
            cases = getattr(assignment.reference, group.cases)()
            outputs = {repr(as_plain(check.params.expected(*resolve_args(c.args), **resolve_args(c.kwargs))))
                       for c in cases}
            assert len(outputs) >= 2, (check.answer, group.name)


def test_missing_errors_timeouts_and_wrong_types() -> None:
    params = network_params()
    assert kind.check(params, Missing(), ctx=CTX).status == "missing"
    assert kind.check(params, 3.0, ctx=CTX).status == "invalid"
    n = len(kind.plan(params, ctx=CTX))
    timeouts = FunctionAnswer(FunctionRef("relu_network"), (CallOutcome(Failed("no time", True)),) * n)
    result = kind.check(params, timeouts, ctx=CTX)
    assert (result.status, result.fraction) == ("error", 0.0)
    assert "ran out of time" in result.feedback
    none = FunctionAnswer(FunctionRef("relu_network"), tuple(CallOutcome(None) for _ in range(n)))
    assert "returned None" in kind.check(params, none, ctx=CTX).feedback
    short = FunctionAnswer(FunctionRef("relu_network"), ())
    assert kind.check(params, short, ctx=CTX).status == "error"


def test_zero_point_groups_still_say_which_passed() -> None:
    groups = ({"name": "ordinary", "cases": "softmax_beta_ordinary_cases", "points": 0},
              {"name": "huge", "cases": "softmax_beta_large_beta_cases", "points": 0})
    params = kind.Params(expected=ref.softmax_beta, groups=groups, rtol=1e-6, atol=1e-9, visibility="visible")

    def naive(u: Any, beta: float) -> Any:
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(beta * np.asarray(u, dtype=float))
            return e / e.sum()

    result = kind.check(params, outcomes_of(naive, params), ctx=CTX)
    assert (result.status, result.fraction) == ("partial", 0.5)
    assert "- ordinary (0 points, 5 call(s)): passed." in result.feedback


@pytest.mark.parametrize(("groups", "message"), [
    ((), "at least one group"),
    (({"name": "a", "cases": "relu_network_edge_cases", "points": 1},) * 2, "same name"),
    (({"name": "a", "cases": "relu_network_edge_cases", "points": -1},), "points must be numbers >= 0"),
])
def test_bad_params_are_value_errors(groups: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        kind.Params(expected=ref.relu_network, groups=groups)


def test_a_group_naming_no_reference_function_fails_planning() -> None:
    params = kind.Params(expected=ref.relu_network, groups=({"name": "a", "cases": "no_such_cases", "points": 1},))
    with pytest.raises(ValueError, match="the reference has no function 'no_such_cases'"):
        kind.plan(params, ctx=CTX)


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(DEFAULT_RUBRIC.read_text(encoding="utf-8"))


def _function_check(data: dict, answer: str) -> tuple[int, dict]:
    index = next(i for i, p in enumerate(data["parts"]) if p["answer"] == answer)
    return index, data["parts"][index]["checks"][0]


@pytest.mark.parametrize(("edit", "message"), [
    (lambda c: c["options"]["groups"][0].update(points=1), "options: Value error, groups: the groups' points add "
                                                           "up to 7, not the check's points 8"),
    (lambda c: c["options"]["groups"][1].update(name=c["options"]["groups"][0]["name"]), "groups[1].name"),
    (lambda c: c["options"]["groups"][0].update(cases="not a name"), "groups[0].cases"),
    (lambda c: c["options"].pop("groups"), "groups: Field required"),
    (lambda c: c["options"].update(cases="relu_network_cases"), "cases: Extra inputs are not permitted"),
    (lambda c: c["options"].update(visibility="visible"), "visibility: Extra inputs are not permitted"),
    (lambda c: c.pop("options"), "groups: Field required"),
], ids=["points-sum", "duplicate-name", "bad-cases-name", "no-groups", "old-cases-option", "visibility-option",
        "no-options"])
def test_a_broken_function_check_names_its_yaml_path(raw: dict, edit: Callable[[dict], Any], message: str) -> None:
    data = copy.deepcopy(raw)
    index, check = _function_check(data, "relu_network")
    edit(check)
    with pytest.raises(RubricError) as info:
        check_options(parse_rubric(data, source="hw4.yaml"))
    assert str(info.value).startswith(f"hw4.yaml: parts[{index}].checks[0].options: ")
    assert message in str(info.value)


def test_a_changed_case_list_invalidates_the_plan_cache(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "reference", tmp_path / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    rubric = tmp_path / "rubrics" / "hw4.yaml"
    rubric.parent.mkdir()
    shutil.copy(DEFAULT_RUBRIC, rubric)
    before = plan_cache.cache_file(rubric, "reference.hw4", tmp_path)
    source = tmp_path / "reference" / "hw4_p2.py"
    source.write_text(source.read_text(encoding="utf-8").replace("(3, 5, 7, 8, 10)", "(3, 5, 7, 9, 10)"),
                      encoding="utf-8")
    assert plan_cache.cache_file(rubric, "reference.hw4", tmp_path) != before
