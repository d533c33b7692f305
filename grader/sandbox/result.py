"""What one run of a submission observed, whichever way its child was started (trusted side)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.sandbox.answers import CallOutcome

__all__ = ["SandboxResult"]


@dataclass(frozen=True, slots=True)
class SandboxResult:
    """Everything the sandbox observed for one submission.

    Attributes:
        values: requested name -> decoded value, ``Missing`` or ``Failed``.
        outcomes: one per requested call, in order.
        statement_errors: ``"line 3: ModuleNotFoundError: ..."``, in line order.
        notices: remarks for the staff and the student (isolation, limits hit).
        stdout: the student's printed output (capped).
        seconds: wall time of the whole run.
    """

    values: dict[str, Any]
    outcomes: tuple[CallOutcome, ...]
    statement_errors: tuple[str, ...]
    notices: tuple[str, ...]
    stdout: str
    seconds: float
