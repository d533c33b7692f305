"""Check LSTM weights by their behaviour on every input sequence up to a length.

The rubric names the reference function giving the required output sequence
(``expected:``, e.g. ``p2c_target``) and the reference simulator
(``options.simulate``); the student's 12 numbers are run through the trusted
simulator on every sequence over ``alphabet`` of length 1..``max_len``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grader.answers import Failed, Missing, describe
from grader.checks import CheckContext
from grader.errors import InvalidAnswer
from grader.expr import to_number
from grader.results import CheckResult

__all__ = ["EXPECTS_CALLABLE", "Params", "check", "read_params"]

EXPECTS_CALLABLE = True


@dataclass(frozen=True, slots=True)
class Params:
    """Options of an LSTM-params check.

    Attributes:
        expected: reference function ``target(xs) -> list[int]``.
        simulate: name of the reference simulator ``run(xs, params) -> list[int]``.
        keys: name of the reference tuple of the required parameter names.
        alphabet: the input values of a sequence.
        max_len: the longest sequence tried (all shorter ones are tried too).
    """

    expected: Callable[[list[float]], list[int]]
    simulate: str = "lstm_run"
    keys: str = "PARAM_KEYS"
    alphabet: tuple[float, ...] = (0, 1)
    max_len: int = 8


def read_params(answer: Any, keys: tuple[str, ...]) -> dict[str, float]:
    """The student's dict as 12 floats; ``InvalidAnswer`` says what is wrong."""
    if not isinstance(answer, dict):
        raise InvalidAnswer(f"expected a dict with the keys {', '.join(keys)}; found {describe(answer)}")
    names = {str(k): v for k, v in answer.items()}
    missing = [k for k in keys if k not in names]
    extra = sorted(k for k in names if k not in keys)
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing key(s) " + ", ".join(missing))
        if extra:
            parts.append("unknown key(s) " + ", ".join(extra[:6]))
        raise InvalidAnswer("; ".join(parts), "the keys are exactly " + " ".join(keys))
    values = {}
    for key in keys:
        try:
            values[key] = to_number(names[key])
        except InvalidAnswer as exc:
            raise InvalidAnswer(f"{key}: {exc.message}", exc.where) from None
    return values


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Simulate the student's weights on every sequence and compare."""
    if isinstance(answer, Missing) or answer is None:
        return CheckResult(0.0, "missing", "Not answered yet: give a dict of the 12 weights and offsets.")
    if isinstance(answer, Failed):
        return CheckResult(0.0, "error", answer.message)
    if ctx.reference is None:
        raise ValueError("an lstm_params check needs the reference module")
    keys = tuple(getattr(ctx.reference, params.keys))
    try:
        weights = read_params(answer, keys)
    except InvalidAnswer as exc:
        return CheckResult.invalid(f"Invalid weights: {exc}.")
    simulate = getattr(ctx.reference, params.simulate)
    tried = 0
    for length in range(1, params.max_len + 1):
        for xs in itertools.product(params.alphabet, repeat=length):
            tried += 1
            seq = list(xs)
            target = list(params.expected(seq))
            try:
                got = list(simulate(seq, weights))
            except (OverflowError, ValueError, FloatingPointError):
                got = [math.nan]
            if got != target:
                where = f" For the input {seq} your weights give h = {got}." if ctx.reveal else ""
                return CheckResult.failed(
                    f"Your weights do not have the required behaviour on every input sequence.{where}"
                )
    return CheckResult.passed(f"Right on all {tried} input sequences of length 1 to {params.max_len}.")
