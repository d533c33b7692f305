"""Check kind ``choice``: one of a fixed list of strings, case and outer spaces ignored.

Feedback never names the expected choice: with a handful of choices that
would give the answer away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.checks import CheckContext
from grader.errors import InvalidAnswer
from grader.results import CheckResult
from grader.sandbox.answers import Failed, Missing, describe

__all__ = ["HELP", "Params", "check", "read", "shape"]

HELP = "one of the listed strings"


def _norm(text: str) -> str:
    return text.strip().lower()


@dataclass(frozen=True, slots=True)
class Params:
    """Options of a ``choice`` check.

    Attributes:
        expected: the right choice; must be one of ``choices``.
        choices: every accepted string, as shown to students.
    """

    expected: str
    choices: tuple[str, ...]

    def __post_init__(self) -> None:
        if isinstance(self.choices, str) or not all(isinstance(c, str) for c in self.choices):
            raise TypeError("choices must be a list of strings")
        object.__setattr__(self, "choices", tuple(self.choices))
        if not self.choices:
            raise ValueError("choices must not be empty")
        if not isinstance(self.expected, str) or _norm(self.expected) not in {_norm(c) for c in self.choices}:
            raise ValueError(f"expected {self.expected!r} is not one of the choices {list(self.choices)}")


def shape(params: Params) -> dict[str, Any]:
    """The accepted strings, as shown to students."""
    return {"choices": list(params.choices)}


def read(answer: Any, shape: dict[str, Any], *, strict: bool = False) -> str:
    """The answer as the listed choice it names (case and outer spaces ignored)."""
    choices = list(shape.get("choices", ()))
    if isinstance(answer, str):
        for choice in choices:
            if _norm(choice) == _norm(answer):
                return str(choice)
    raise InvalidAnswer(f"expected one of {', '.join(repr(c) for c in choices)}; found {describe(answer)}")


def _listing(choices: tuple[str, ...]) -> str:
    return ", ".join(f'"{c}"' for c in choices)


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Judge ``answer`` against ``params``; see the module docstring."""
    listing = _listing(params.choices)
    if isinstance(answer, Missing) or answer is None:
        return CheckResult(0.0, "missing", f"Not answered yet: give one of the strings {listing}.")
    if isinstance(answer, Failed):
        return CheckResult(0.0, "error", f"Your answer could not be evaluated: {answer.message}")
    try:
        chosen = read(answer, shape(params))
    except InvalidAnswer:
        if not isinstance(answer, str):
            found = describe(answer) if ctx.reveal else "a value that is not a string"
            hint = "Write the choice as a string in quotes."
        else:
            found = describe(answer) if ctx.reveal else "a string that is not among them"
            hint = "Use one of the listed words exactly."
        return CheckResult.invalid(f"Expected one of the strings {listing}; found {found}. {hint}")
    if _norm(chosen) == _norm(params.expected):
        return CheckResult.passed()
    return CheckResult.failed("Not the right choice.")
