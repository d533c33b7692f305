"""Check kind ``text``: a written answer kept for the staff, never auto-graded.

A present answer earns no automatic points (status ``manual``); an absent,
empty or non-string one is reported as ``missing`` so the student can fix it
before the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.checks import CheckContext
from grader.errors import InvalidAnswer
from grader.results import CheckResult
from grader.sandbox.answers import Failed, Missing, describe

__all__ = ["HELP", "STAFF_GRADED", "Params", "check", "read", "shape"]

HELP = "a string, read by the course staff"
STAFF_GRADED = True


@dataclass(frozen=True, slots=True)
class Params:
    """Options of a ``text`` check.

    Attributes:
        expected: unused (the staff grade the text); ``None``.
        min_chars: fewest non-blank characters that count as an answer.
    """

    expected: None = None
    min_chars: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.min_chars, bool) or not isinstance(self.min_chars, int) or self.min_chars < 1:
            raise ValueError("min_chars must be an int >= 1")


def shape(params: Params) -> dict[str, Any]:
    """A text has no public shape."""
    return {}


def read(answer: Any, shape: dict[str, Any], *, strict: bool = False) -> str:
    """The text, stripped; ``InvalidAnswer`` for a blank or non-string answer."""
    if not isinstance(answer, str) or not answer.strip():
        raise InvalidAnswer(f"expected some text; found {describe(answer)}")
    return answer.strip()


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Judge ``answer``; see the module docstring."""
    if isinstance(answer, Missing) or answer is None:
        return CheckResult(0.0, "missing", "Not answered yet: write your answer as a string.")
    if isinstance(answer, Failed):
        return CheckResult(0.0, "error", f"Your answer could not be evaluated: {answer.message}")
    if not isinstance(answer, str):
        return CheckResult(
            0.0, "missing", f"Expected your answer as a string; found {describe(answer)}. Put it in quotes."
        )
    n = len(answer.strip())
    if n < params.min_chars:
        if n == 0:
            return CheckResult(0.0, "missing", "Not answered yet: the string is empty.")
        return CheckResult(
            0.0, "missing", f"The answer is too short ({n} characters; at least {params.min_chars} expected)."
        )
    return CheckResult(0.0, "manual", f"Kept for staff grading ({n} characters).")
