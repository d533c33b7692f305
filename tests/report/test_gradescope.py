"""results.json: built through gradescope-utils, schema-valid, strict, written atomically."""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path

import pytest

from grader.report.gradescope import (
    crash_results,
    results_json,
    validate,
    write_results,
)
from grader.results import GradeReport, number_key
from grader.results import TestResult as Result


def _report(**kw) -> GradeReport:
    tests = (
        Result(
            "p1b unit 10",
            "1.b.10",
            "p1b_positive_sides",
            0.0,
            1.0,
            "invalid",
            "visible",
            "Expected a relation in x1, x2; found the int 3.",
            part="1",
        ),
        Result(
            "p1a output",
            "1.a",
            "p1a_output",
            1.5,
            3.0,
            "partial",
            "visible",
            "o1 is right; o2 is not (nan found).",
            part="1",
            seconds=0.25,
        ),
        Result(
            "p1b unit 2",
            "1.b.2",
            "p1b_positive_sides",
            1.0,
            1.0,
            "passed",
            "after_due_date",
            "Correct.",
            part="1",
        ),
        Result(
            "p2b interpretation",
            "2.b",
            "p2b_interpretation",
            0.0,
            0.0,
            "manual",
            "hidden",
            "Kept for staff grading (40 characters).",
            part="2",
            manual=True,
            staff_points=2.0,
        ),
        Result(
            "lstm_run",
            "2.e",
            "lstm_run",
            0.0,
            4.0,
            "error",
            "hidden",
            "Your function timed out after 2 s.",
            part="2",
        ),
    )
    return GradeReport(
        tests=tests,
        submission="hw4.py",
        notices=("Line 3: import matplotlib failed; the rest of the file ran.",),
        staff_log="child exit 0",
        seconds=1.234,
        **kw,
    )


def test_tests_follow_numbers_with_our_words_and_statuses():
    res = results_json(_report())
    assert [t["number"] for t in res["tests"]] == ["1.a", "1.b.2", "1.b.10", "2.b", "2.e"]
    assert res["tests"][0] == {
        "name": "p1a output",
        "number": "1.a",
        "score": 1.5,
        "max_score": 3.0,
        "status": "failed",
        "visibility": "visible",
        "output": "o1 is right; o2 is not (nan found).",
        "output_format": "text",
        "extra_data": {"answer": "p1a_output", "status": "partial", "part": "1", "seconds": 0.25},
    }
    assert [(t["score"], t["max_score"], t["status"], t["visibility"]) for t in res["tests"]] == [
        (1.5, 3.0, "failed", "visible"),
        (1.0, 1.0, "passed", "after_due_date"),
        (0.0, 1.0, "failed", "visible"),
        (0.0, 0.0, "passed", "visible"),
        (0.0, 4.0, "failed", "hidden"),
    ]
    assert [t["extra_data"]["status"] for t in res["tests"]] == [
        "partial",
        "passed",
        "invalid",
        "manual",
        "error",
    ]


def test_manual_test_is_visible_zero_of_zero_with_staff_points():
    manual = results_json(_report())["tests"][3]
    assert manual["output"] == (
        "Kept for staff grading (40 characters).\n"
        "Its points are on the staff-graded question, not in this autograder score."
    )
    assert manual["extra_data"] == {
        "answer": "p2b_interpretation",
        "status": "manual",
        "part": "2",
        "seconds": 0.0,
        "manual": True,
        "staff_points": 2.0,
    }


def test_top_level_fields():
    res = results_json(_report(), extra={"sid": "12345"})
    assert res["score"] == 2.5
    assert res["execution_time"] == 1.23
    assert res["output"] == "Line 3: import matplotlib failed; the rest of the file ran."
    assert (res["output_format"], res["visibility"], res["stdout_visibility"]) == (
        "text",
        "visible",
        "hidden",
    )
    assert res["extra_data"] == {
        "submission": "hw4.py",
        "autograded_max_score": 9.0,
        "statuses": {"error": 1, "invalid": 1, "manual": 1, "partial": 1, "passed": 1},
        "staff_log": "child exit 0",
        "sid": "12345",
    }
    validate(res)


def test_no_runner_traceback_leaks():
    text = json.dumps(results_json(_report()))
    for leak in ("Traceback", "AssertionError", "Test Failed", "RubricTests"):
        assert leak not in text


def test_non_finite_values_become_null_and_json_stays_strict(tmp_path: Path):
    bad = Result("x", "1", "x", math.nan, 1.0, "failed", "visible", "nan", seconds=math.inf)
    res = results_json(
        GradeReport(tests=(bad,), seconds=math.nan), extra={"ratio": math.inf, "l": [math.nan]}
    )
    assert res["tests"][0]["score"] == 0.0
    assert res["tests"][0]["extra_data"]["seconds"] == 0.0
    assert res["extra_data"]["ratio"] is None and res["extra_data"]["l"] == [None]
    assert res["execution_time"] == 0.0
    validate(res)
    write_results(res, tmp_path / "results.json")
    assert json.loads((tmp_path / "results.json").read_text())["score"] == 0.0


def test_empty_report_is_valid():
    res = results_json(GradeReport(tests=()))
    assert res["tests"] == [] and res["score"] == 0 and "output" not in res
    validate(res)


def test_number_key_is_numeric():
    nums = ["1.b.10", "10", "1.b.2", "2", "1.a", "1.b"]
    assert sorted(nums, key=number_key) == ["1.a", "1.b", "1.b.2", "1.b.10", "2", "10"]


def test_validate_names_the_path():
    res = results_json(_report())
    res["tests"][2]["status"] = "partial"
    with pytest.raises(ValueError, match=r"tests\[2\]\.status"):
        validate(res)
    with pytest.raises(ValueError, match="visibilty"):
        validate({"score": 1, "visibilty": "visible"})
    with pytest.raises(ValueError, match="strict JSON"):
        validate({"score": math.nan})
    with pytest.raises(ValueError, match="top level"):
        validate({"tests": [{"name": "no score"}]})


def test_crash_results_keep_traceback_from_students():
    res = crash_results(
        KeyError("secret_expected_value"), traceback_text="Traceback (most recent call last): ..."
    )
    validate(res)
    assert res["score"] == 0.0
    visible = [t for t in res["tests"] if t["visibility"] == "visible"]
    hidden = [t for t in res["tests"] if t["visibility"] == "hidden"]
    assert [(t["name"], t["score"], t["max_score"], t["status"]) for t in visible] == [
        ("Autograder error", 0.0, 0.0, "failed")
    ]
    student_text = res["output"] + visible[0]["output"]
    assert "contact the course staff" in student_text and "not your fault" in student_text
    assert "Traceback" not in student_text and "secret" not in student_text
    assert (
        hidden[0]["output"] == "KeyError: 'secret_expected_value'\n\nTraceback (most recent call last): ..."
    )
    assert res["extra_data"]["traceback"] == "Traceback (most recent call last): ..."


def test_crash_results_from_a_message():
    res = crash_results("rubric failed to load", traceback_text="")
    validate(res)
    assert res["extra_data"]["error"] == "rubric failed to load"


def test_write_results_creates_folder(tmp_path: Path):
    path = tmp_path / "a" / "b" / "results.json"
    write_results({"score": 1.5}, path)
    assert json.loads(path.read_text()) == {"score": 1.5}
    assert os.listdir(path.parent) == ["results.json"]


def test_write_results_replaces_planted_symlink(tmp_path: Path):
    target = tmp_path / "victim.txt"
    target.write_text("keep me")
    link = tmp_path / "results.json"
    link.symlink_to(target)
    write_results({"score": 2}, link)
    assert not link.is_symlink() and json.loads(link.read_text()) == {"score": 2}
    assert target.read_text() == "keep me"


def test_write_results_replaces_read_only_file_and_directory(tmp_path: Path):
    path = tmp_path / "results.json"
    path.write_text("old")
    path.chmod(stat.S_IRUSR)
    write_results({"score": 3}, path)
    assert json.loads(path.read_text()) == {"score": 3}
    path.unlink()
    (path / "inner").mkdir(parents=True)
    write_results({"score": 4}, path)
    assert json.loads(path.read_text()) == {"score": 4}


def test_write_results_refuses_nan_and_leaves_nothing(tmp_path: Path):
    with pytest.raises(ValueError):
        write_results({"score": math.nan}, tmp_path / "results.json")
    assert os.listdir(tmp_path) == []


def test_the_results_schema_is_a_valid_schema_for_plain_jsonschema():
    import jsonschema

    from grader.report.gradescope import _schema

    jsonschema.Draft202012Validator.check_schema(_schema())
    jsonschema.validate(results_json(_report()), _schema())
