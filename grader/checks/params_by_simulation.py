"""Check kind ``params_by_simulation``: named parameters judged by what they make a machine do.

The answer is a dict of numbers with exactly the keys the rubric names
(``options.keys``, e.g. ``"ref:PARAM_KEYS"``: a tuple in the reference).  The
rubric also names the reference simulator (``options.simulate``, a function
``run(xs, params) -> list``) and the reference function giving the required
output for an input sequence (``expected:``, ``target(xs) -> list``).  The
student's numbers are run through the trusted simulator on every sequence
over ``alphabet`` of length 1..``max_len`` and must give the target on each:
any parameters with the required behaviour pass.  For example, weights of a
recurrent unit that must negate its output on every 0/1 sequence.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from grader.checks import CheckContext
from grader.errors import InvalidAnswer
from grader.expr import to_number
from grader.results import CheckResult
from grader.sandbox.answers import Failed, Missing, describe

__all__ = [
    "EXPECTS_CALLABLE", "HELP", "Params", "Targets", "as_expected", "check", "from_key", "judged_with", "read",
    "read_params", "sequences", "shape", "to_key",
]

EXPECTS_CALLABLE = True
HELP = "a dict of numbers with exactly the parameter names as keys"


@dataclass(frozen=True, slots=True)
class Targets:
    """The reference's target as the answer key holds it: the required output of every input sequence tried.

    Attributes:
        table: input sequence (a tuple) -> required output (a tuple).
    """

    table: Mapping[tuple[Any, ...], tuple[Any, ...]]

    def __call__(self, xs: list[Any]) -> list[Any]:
        return list(self.table[tuple(xs)])


@dataclass(frozen=True, slots=True)
class Params:
    """Options of a ``params_by_simulation`` check.

    Attributes:
        expected: reference function ``target(xs) -> list`` giving the required outputs (or, from the
            answer key, its ``Targets``).
        simulate: name of the reference simulator ``run(xs, params) -> list``.
        keys: the required parameter names (write ``ref:NAME`` for a tuple in the reference).
        alphabet: the input values of a sequence.
        max_len: the longest sequence tried (all shorter ones are tried too).
    """

    expected: Callable[[list[Any]], list[Any]]
    simulate: str
    keys: tuple[str, ...]
    alphabet: tuple[float, ...] = (0, 1)
    max_len: int = 8

    def __post_init__(self) -> None:
        keys = (self.keys,) if isinstance(self.keys, str) else tuple(self.keys)
        if not keys or not all(isinstance(k, str) for k in keys):
            raise ValueError("keys must be a non-empty list of parameter names")
        object.__setattr__(self, "keys", keys)
        object.__setattr__(self, "alphabet", tuple(self.alphabet))
        if not self.alphabet or isinstance(self.max_len, bool) or int(self.max_len) < 1:
            raise ValueError("alphabet must not be empty and max_len must be >= 1")


def shape(params: Params) -> dict[str, Any]:
    """The parameter names, and the sequences the parameters are tried on."""
    plain = [int(a) if float(a).is_integer() else float(a) for a in params.alphabet]
    return {"keys": list(params.keys), "alphabet": plain, "max_len": int(params.max_len)}


def read_params(answer: Any, keys: tuple[str, ...]) -> dict[str, float]:
    """The student's dict as floats, one per key; ``InvalidAnswer`` says what is wrong."""
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


def read(answer: Any, shape: dict[str, Any], *, strict: bool = False) -> dict[str, float]:
    """The answer as one float per name of ``shape["keys"]`` (see :func:`read_params`)."""
    return read_params(answer, tuple(shape["keys"]))


def sequences(params: Params) -> Iterator[list[Any]]:
    """Every input sequence the parameters are tried on, shortest first."""
    for length in range(1, params.max_len + 1):
        for xs in itertools.product(params.alphabet, repeat=length):
            yield list(xs)


def judged_with(params: Params) -> tuple[str, ...]:
    """The reference function judging calls: the simulator (the answer key imports its module lazily)."""
    return (params.simulate,)


def to_key(params: Params, *, reference: ModuleType) -> dict[str, Any]:
    """The fields the answer key stores: the target becomes its output on every sequence tried."""
    table = {tuple(xs): tuple(params.expected(xs)) for xs in sequences(params)}
    return {"expected": table, "simulate": params.simulate, "keys": params.keys, "alphabet": params.alphabet,
            "max_len": params.max_len}


def from_key(fields: dict[str, Any]) -> Params:
    """The params :func:`to_key` stored."""
    return Params(expected=Targets(fields.pop("expected")), **fields)


def _simulator(params: Params, reference: ModuleType | None) -> Callable[..., Any]:
    if reference is None:
        raise ValueError("a params_by_simulation check needs the reference module")
    simulate = getattr(reference, params.simulate, None)
    if not callable(simulate):
        raise ValueError(f"the reference has no simulator {params.simulate!r}")
    return simulate


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Simulate the student's parameters on every sequence and compare."""
    if isinstance(answer, Missing) or answer is None:
        return CheckResult(0.0, "missing", f"Not answered yet: give a dict of the {len(params.keys)} parameters "
                           f"{' '.join(params.keys)}.")
    if isinstance(answer, Failed):
        return CheckResult(0.0, "error", answer.message)
    try:
        values = read(answer, shape(params))
    except InvalidAnswer as exc:
        return CheckResult.invalid(f"Invalid parameters: {exc}.")
    simulate = _simulator(params, ctx.reference)  # only now: from the answer key, this imports the simulator
    tried = 0
    for seq in sequences(params):
        tried += 1
        target = list(params.expected(seq))
        try:
            got = list(simulate(seq, values))
        except (OverflowError, ValueError, FloatingPointError):
            got = [math.nan]
        if got != target:
            where = f" For the input {seq} your parameters give {got}." if ctx.reveal else ""
            return CheckResult.failed(
                f"Your parameters do not have the required behaviour on every input sequence.{where}"
            )
    return CheckResult.passed(f"Right on all {tried} input sequences of length 1 to {params.max_len}.")


def as_expected(params: Params, answer: Any, *, reference: ModuleType) -> tuple[Callable[[list[float]], list[Any]],
                                                                                 str]:
    """A student's parameters as a target (what the simulator makes of them), and that target's code."""
    values = read_params(answer, params.keys)
    simulate = _simulator(params, reference)

    def target(xs: list[float]) -> list[Any]:
        return list(simulate(xs, values))

    return target, f"(xs):\n    return {params.simulate}(xs, {values!r})\n"
