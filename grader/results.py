"""Frozen results: one check's verdict, one rubric test's score, a whole report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["CheckResult", "GradeReport", "Status", "TestResult", "Visibility", "number_key"]

Status = Literal["passed", "partial", "failed", "invalid", "missing", "error", "manual"]
Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What a check kind says about one answer.

    Attributes:
        fraction: share of the check's points earned, in [0, 1].
        status: ``passed`` (full), ``partial``, ``failed`` (wrong answer),
            ``invalid`` (does not parse / wrong shape / wrong type),
            ``missing`` (not given), ``error`` (raised or timed out),
            ``manual`` (kept for staff).
        feedback: plain words for the student.
        counterexample: a point where a wrong answer differs, if any.
    """

    fraction: float
    status: Status
    feedback: str
    counterexample: str | None = None

    @staticmethod
    def passed(feedback: str = "Correct.") -> CheckResult:
        return CheckResult(1.0, "passed", feedback)

    @staticmethod
    def failed(feedback: str, counterexample: str | None = None) -> CheckResult:
        return CheckResult(0.0, "failed", feedback, counterexample)

    @staticmethod
    def invalid(feedback: str) -> CheckResult:
        return CheckResult(0.0, "invalid", feedback)


@dataclass(frozen=True, slots=True)
class TestResult:
    """One rubric check applied to one submission: the unit results.json lists."""

    __test__ = False  # not a pytest test class

    name: str
    number: str
    answer: str
    score: float
    max_score: float
    status: Status
    visibility: Visibility
    output: str
    part: str = ""
    manual: bool = False
    seconds: float = 0.0
    staff_points: float = 0.0


@dataclass(frozen=True, slots=True)
class GradeReport:
    """Everything graded for one submission."""

    tests: tuple[TestResult, ...]
    submission: str = ""
    notices: tuple[str, ...] = field(default_factory=tuple)
    staff_log: str = ""
    seconds: float = 0.0
    answers: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Staff-only: each answer name's decoded value as the sandbox sent it (a function's with its calls)."""

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests if not t.manual), 6)


def number_key(num: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key for a dotted test number: numeric pieces compare as numbers.

    ``"1.b.2" < "1.b.10" < "1.c"`` and ``"2" < "10"``.
    """
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in num.split(".") if p)
