"""The small results.json schema checker agrees with jsonschema on real and broken results."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from grader.report.gradescope import _schema, crash_results, results_json, validate
from grader.report.schema_check import KEYWORDS, first_error
from grader.results import GradeReport, TestResult


def _results() -> dict[str, Any]:
    tests = (
        TestResult("1(a)", "1.a", "p1a_output", 5.0, 5.0, "passed", "after_due_date", "Correct.", part="p1a"),
        TestResult("relu", "1.f", "relu_network", 1.5, 8.0, "partial", "visible", "2 of 5 groups", part="f"),
        TestResult("2(b)", "2.b", "p2b", 0.0, 0.0, "manual", "visible", "Kept.", part="p2b", manual=True,
                   staff_points=4.0),
    )
    return results_json(GradeReport(tests, "hw4.py", ("line 3: ImportError",)))


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def change(results: dict[str, Any]) -> dict[str, Any]:
        node: Any = results
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return results
    return change


def _drop(path: tuple[Any, ...]) -> Any:
    def change(results: dict[str, Any]) -> dict[str, Any]:
        node: Any = results
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        return results
    return change


BROKEN = {
    "status not passed/failed": _set(("tests", 0, "status"), "partial"),
    "unknown test key": _set(("tests", 1, "points"), 3),
    "unknown top key": _set(("grade",), 3),
    "score a string": _set(("tests", 0, "score"), "5"),
    "score a bool": _set(("tests", 0, "score"), True),
    "bad visibility": _set(("visibility",), "later"),
    "negative time": _set(("execution_time",), -1.0),
    "tests not a list": _set(("tests",), {}),
    "no score anywhere": lambda r: _set(("tests",), [{"name": "x"}])(_drop(("score",))(r)),
    "leaderboard without value": _set(("leaderboard",), [{"name": "time"}]),
    "bad output format": _set(("tests", 2, "output_format"), "pdf"),
}


@pytest.mark.parametrize("name", ["real", "crash", *BROKEN])
def test_it_agrees_with_jsonschema(name: str) -> None:
    if name == "real":
        results = _results()
    elif name == "crash":
        results = crash_results(RuntimeError("boom"), traceback_text="Traceback ...")
    else:
        results = BROKEN[name](copy.deepcopy(_results()))
    expected_valid = jsonschema.Draft202012Validator(_schema()).is_valid(results)
    assert (first_error(results, _schema()) is None) is expected_valid
    assert expected_valid is (name in ("real", "crash"))


def test_validate_names_the_place_and_the_schema_uses_only_known_keywords() -> None:
    with pytest.raises(ValueError, match=r"^results.json is not valid at tests\[0\]\.status: 'partial' is not one of"):
        validate(BROKEN["status not passed/failed"](_results()))

    def keywords(node: Any) -> set[str]:
        if isinstance(node, dict):
            return set(node) | {k for key, v in node.items() if key not in ("properties", "$defs")
                                for k in keywords(v)} | {k for key in ("properties", "$defs")
                                                         for v in node.get(key, {}).values() for k in keywords(v)}
        if isinstance(node, list):
            return {k for v in node for k in keywords(v)}
        return set()

    assert keywords(_schema()) <= KEYWORDS
    with pytest.raises(ValueError, match="unsupported schema keyword"):
        first_error(1, {"type": "number", "maximum": 3})
