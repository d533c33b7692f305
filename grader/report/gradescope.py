"""Gradescope ``results.json``: built through gradescope-utils, validated, written atomically.

Every :class:`~grader.results.TestResult` becomes one ``unittest`` method carrying
gradescope-utils' ``weight``/``number``/``visibility``/``partial_credit``
decorators; ``JSONTestRunner`` runs them into memory, and a post-processing step
replaces what the runner cannot know (our plain-words feedback, our finer
status) so no assertion traceback ever reaches a student.
"""

from __future__ import annotations

import io
import json
import math
import unittest
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from gradescope_utils.autograder_utils.decorators import number, partial_credit, visibility, weight
from gradescope_utils.autograder_utils.json_test_runner import JSONTestRunner

from grader.atomic import atomic_write_text
from grader.report.schema_check import first_error
from grader.results import GradeReport, TestResult, number_key

__all__ = [
    "crash_results",
    "results_json",
    "validate",
    "write_results",
]

OUTPUT_CAP = 20_000
"""Longest output text kept per test; longer text is cut with a note."""
LOG_CAP = 100_000
"""Longest staff log or traceback kept in ``extra_data``."""
MANUAL_NOTE = "Its points are on the staff-graded question, not in this autograder score."
_GS_PASSED = frozenset({"passed", "manual"})


def results_json(report: GradeReport, *, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the Gradescope ``results.json`` object of one graded submission.

    Staff-graded (``manual``) tests appear as visible 0/0 tests that say the
    answer is kept for staff grading.  Their points belong to a manual
    question in the Gradescope outline, which Gradescope adds to the
    autograder score; counting them here too would either double them or show
    a loss the student cannot fix.  Their rubric weight is kept in
    ``extra_data["staff_points"]``.

    Args:
        report: the graded submission.
        extra: staff-only data merged into the top-level ``extra_data``.

    Returns:
        A strict-JSON-ready dict (no NaN or infinity anywhere).
    """
    tests = sorted(report.tests, key=lambda t: number_key(t.number))
    raw = _run_through_gradescope_utils(tests)
    by_key = {entry["name"]: entry for entry in raw["tests"]}
    out_tests = [_test_entry(t, i, by_key[_key(i)]) for i, t in enumerate(tests)]

    results: dict[str, Any] = {
        "score": round(sum(t["score"] for t in out_tests), 6),
        "execution_time": round(_finite(report.seconds), 2),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
    }
    notices = "\n\n".join(n.strip() for n in report.notices if n.strip())
    if notices:
        results["output"] = _cap(notices, OUTPUT_CAP)
    results["tests"] = out_tests
    extra_data: dict[str, Any] = {
        "submission": report.submission,
        "autograded_max_score": report.max_score,
        "statuses": _status_counts(tests),
    }
    if report.staff_log:
        extra_data["staff_log"] = _cap(report.staff_log, LOG_CAP)
    extra_data.update(extra or {})
    results["extra_data"] = extra_data
    return _strict(results)


def _key(index: int) -> str:
    return f"t{index:05d}"


def _finite(x: float) -> float:
    return float(x) if isinstance(x, (int, float)) and math.isfinite(x) else 0.0


def _points(t: TestResult) -> tuple[float, float]:
    """Score and max score as results.json shows them (0/0 for staff-graded tests)."""
    if t.manual:
        return 0.0, 0.0
    return round(_finite(t.score), 6), round(_finite(t.max_score), 6)


def _make_method(t: TestResult, index: int) -> Callable[..., None]:
    score, max_score = _points(t)
    fails = t.status not in _GS_PASSED

    def method(self: unittest.TestCase, set_score: Callable[[float], None] | None = None) -> None:
        if set_score is not None:
            set_score(score)
        if fails:
            self.fail(t.output or t.status)

    method.__doc__ = _key(index)
    decorated = partial_credit(max_score)(method)
    decorated = weight(max_score)(decorated)
    decorated = number(t.number or str(index + 1))(decorated)
    return visibility(t.visibility)(decorated)


def _run_through_gradescope_utils(tests: list[TestResult]) -> dict[str, Any]:
    """Run one generated ``unittest`` method per test with ``JSONTestRunner``."""
    methods = {f"test_{_key(i)}": _make_method(t, i) for i, t in enumerate(tests)}
    case = type("RubricTests", (unittest.TestCase,), methods)
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
    stream = io.StringIO()
    JSONTestRunner(stream=stream, visibility="visible", stdout_visibility="hidden").run(suite)
    return json.loads(stream.getvalue())


def _test_entry(t: TestResult, index: int, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Our entry for one test: the runner's points and flags, our words."""
    output = t.output.strip() or ("Correct." if t.status == "passed" else t.status)
    extra: dict[str, Any] = {
        "answer": t.answer,
        "status": t.status,
        "part": t.part,
        "seconds": round(_finite(t.seconds), 3),
    }
    if t.manual:
        output = f"{output}\n{MANUAL_NOTE}"
        extra.update(manual=True, staff_points=round(_finite(t.staff_points), 6))
    return {
        "name": t.name,
        "number": raw.get("number", t.number or str(index + 1)),
        "score": float(raw.get("score", 0.0)),
        "max_score": float(raw.get("max_score", 0.0)),
        "status": "passed" if t.status in _GS_PASSED else "failed",
        "visibility": "visible" if t.manual else raw.get("visibility", t.visibility),
        "output": _cap(output, OUTPUT_CAP),
        "output_format": "text",
        "extra_data": extra,
    }


def _status_counts(tests: list[TestResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for t in tests:
        counts[t.status] = counts.get(t.status, 0) + 1
    return dict(sorted(counts.items()))


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 40] + f"\n... ({len(text) - limit + 40} characters cut)"


def _strict(value: Any) -> Any:
    """A copy of ``value`` that strict JSON accepts: non-finite floats become ``None``."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    try:
        as_float = float(value)
    except (TypeError, ValueError):
        return str(value)
    return as_float if math.isfinite(as_float) else None


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    text = resources.files("grader.report").joinpath("gradescope_schema.json").read_text("utf-8")
    return json.loads(text)


def validate(results: Mapping[str, Any]) -> None:
    """Check ``results`` against the Gradescope format and strict JSON.

    Raises:
        ValueError: naming the JSON path of the first problem, e.g.
            ``tests[2].status``.
    """
    found = first_error(results, _schema())
    if found:
        where, message = found
        raise ValueError(f"results.json is not valid at {_path(where)}: {message}")
    try:
        json.dumps(results, allow_nan=False)
    except ValueError as exc:
        raise ValueError(f"results.json is not strict JSON: {exc}") from None


def _path(parts: Any) -> str:
    text = ""
    for p in parts:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
    return text or "(top level)"


def write_results(results: Mapping[str, Any], path: Path) -> None:
    """Write ``results`` as strict JSON (``allow_nan=False``), atomically.

    Raises:
        ValueError: if ``results`` holds NaN or an infinity; nothing is written.
    """
    text = json.dumps(results, allow_nan=False, indent=2, ensure_ascii=False) + "\n"
    atomic_write_text(Path(path), text)


CRASH_MESSAGE = (
    "The autograder itself failed while grading this submission, so no score could be given.\n"
    "This is a problem in the grader, not a judgement of your answers: if your code runs on your "
    "computer, it is not your fault.\n"
    "Please contact the course staff (mention this message); your submission was received and "
    "can be regraded once the problem is fixed."
)


def crash_results(error: BaseException | str, *, traceback_text: str) -> dict[str, Any]:
    """A valid ``results.json`` for when the grader itself crashed.

    Students see one visible 0/0 test, "Autograder error", with plain words
    and no detail of the crash.  The error and traceback go only to a
    ``hidden`` 0/0 test (shown to staff on the submission page) and to
    ``extra_data``.  The hidden test also hides the total from students, which
    is wanted here: the 0 is not a grade.
    """
    detail = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(error)
    staff_text = _cap(f"{detail}\n\n{traceback_text}".strip(), LOG_CAP)
    results = {
        "score": 0.0,
        "output": CRASH_MESSAGE,
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": "Autograder error",
                "number": "0",
                "score": 0.0,
                "max_score": 0.0,
                "status": "failed",
                "visibility": "visible",
                "output": CRASH_MESSAGE,
                "output_format": "text",
                "extra_data": {"answer": None, "status": "error"},
            },
            {
                "name": "Autograder error details (staff only)",
                "number": "0.1",
                "score": 0.0,
                "max_score": 0.0,
                "status": "failed",
                "visibility": "hidden",
                "output": staff_text,
                "output_format": "text",
                "extra_data": {"answer": None, "status": "error"},
            },
        ],
        "extra_data": {
            "crashed": True,
            "error": _cap(detail, OUTPUT_CAP),
            "traceback": _cap(traceback_text, LOG_CAP),
        },
    }
    return _strict(results)
