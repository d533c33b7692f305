"""Check kind ``bool``: ``True`` or ``False``.

Only a Python bool is accepted (the decoder turns numpy bools into bools);
``0``/``1`` and the strings ``"True"``/``"False"`` are invalid with a hint.
Feedback never names the expected value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.checks import CheckContext
from grader.errors import InvalidAnswer
from grader.results import CheckResult
from grader.sandbox.answers import Failed, Missing, describe

__all__ = ["HELP", "Params", "check", "read", "shape"]

HELP = "True or False"

_HINT = "Write True or False (a Python bool, without quotes)."


@dataclass(frozen=True, slots=True)
class Params:
    """Options of a ``bool`` check.

    Attributes:
        expected: the right answer (a numpy bool is turned into a bool).
    """

    expected: bool

    def __post_init__(self) -> None:
        if type(self.expected).__module__ == "numpy" and type(self.expected).__name__ in ("bool", "bool_"):
            object.__setattr__(self, "expected", bool(self.expected))
        if not isinstance(self.expected, bool):
            raise TypeError(f"expected must be True or False, not {type(self.expected).__name__}")


def shape(params: Params) -> dict[str, Any]:
    """A bool has no public shape."""
    return {}


def read(answer: Any, shape: dict[str, Any], *, strict: bool = False) -> bool:
    """The answer as a bool; ``0``/``1`` and quoted words are ``InvalidAnswer`` with a hint."""
    if isinstance(answer, bool):
        return answer
    hint = _HINT
    if isinstance(answer, int) and answer in (0, 1):
        hint = f"{_HINT} 0 and 1 are numbers, not bools."
    elif isinstance(answer, str) and answer.strip().lower() in ("true", "false"):
        hint = f"{_HINT} A quoted word is a string, not a bool."
    raise InvalidAnswer(f"expected True or False; found {describe(answer)}", hint)


def _invalid(answer: Any, ctx: CheckContext, hint: str) -> CheckResult:
    found = describe(answer) if ctx.reveal else "a value that is not a bool"
    return CheckResult.invalid(f"Expected True or False; found {found}. {hint}")


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Judge ``answer`` against ``params``; see the module docstring."""
    if isinstance(answer, Missing) or answer is None:
        return CheckResult(0.0, "missing", f"Not answered yet. {_HINT}")
    if isinstance(answer, Failed):
        return CheckResult(0.0, "error", f"Your answer could not be evaluated: {answer.message}")
    try:
        given = read(answer, shape(params))
    except InvalidAnswer as exc:
        return _invalid(answer, ctx, exc.where)
    return CheckResult.passed() if given is params.expected else CheckResult.failed("Not correct.")
