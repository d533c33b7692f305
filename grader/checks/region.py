"""Check kind ``region``: a set in the plane, given as a polygon or as a relation.

Both the reference and the answer may be a polygon (list of ``(x1, x2)``
vertices) or a sympy relation/boolean (``&``, ``|``, ``And``, ``Or``);
membership is compared by sampling, as for the ``relation`` kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from grader.checks import CheckContext
from grader.checks.expression import normalize_expected
from grader.checks.number import invalid, screen
from grader.checks.polygon import EXAMPLE, normalize_vertices, polygon_region, read_polygon
from grader.checks.relation import (
    Region,
    compare_regions,
    is_boolean,
    read_relation,
    relation_region,
    verdict_result,
)
from grader.errors import InvalidAnswer
from grader.results import CheckResult

__all__ = ["Params", "check", "region_of"]


@dataclass(frozen=True, slots=True)
class Params:
    """Options of a ``region`` check.

    Attributes:
        expected: reference polygon vertices, or a sympy relation/boolean (or its text).
        variables: the two coordinate names.
        box: compare inside ``[-box, box]^2``.
        samples: number of uniform sample points (boundary points come on top).
    """

    expected: Any
    variables: tuple[str, ...] = ("x1", "x2")
    box: float = 6.0
    samples: int = 4000

    def __post_init__(self) -> None:
        variables = tuple(self.variables)
        if len(variables) != 2:
            raise ValueError(f"a region needs exactly two variables, got {list(variables)}")
        object.__setattr__(self, "variables", variables)
        if isinstance(self.expected, list | tuple):
            expected: Any = normalize_vertices(self.expected)
        else:
            expected = normalize_expected(self.expected, variables, relations=True)
            if not is_boolean(expected):
                raise ValueError(f"expected must be a polygon or a relation, got {expected}")
        object.__setattr__(self, "expected", expected)
        if not self.box > 0 or self.samples < 1:
            raise ValueError("box must be > 0 and samples >= 1")


def region_of(value: Any, variables: tuple[str, ...], box: float) -> Region:
    """The :class:`Region` of polygon vertices or of a sympy boolean."""
    if isinstance(value, sympy.Basic):
        return relation_region(value, variables, box)
    return polygon_region(np.asarray(value, dtype=float))


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Judge one region answer."""
    early = screen(answer)
    if early is not None:
        return early
    names = ", ".join(params.variables)
    try:
        if isinstance(answer, list | tuple):
            given: Any = read_polygon(answer)
        else:
            given = read_relation(answer, params.variables)
    except InvalidAnswer as exc:
        kind = f"a polygon {EXAMPLE} or a relation in {names} such as '(x1 >= 0) & (x2 <= 2)'"
        return invalid(exc, kind)
    what = "polygon" if isinstance(given, np.ndarray) else "relation"
    verdict = compare_regions(
        region_of(params.expected, params.variables, params.box),
        region_of(given, params.variables, params.box),
        dims=2, box=params.box, samples=params.samples, seed=ctx.seed,
    )
    return verdict_result(verdict, params.variables, what, ctx.reveal)
