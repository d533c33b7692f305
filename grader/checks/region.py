"""Check kind ``region``: a set in the plane, given as a polygon or as a relation.

Both the reference and the answer may be a polygon (list of ``(x1, x2)``
vertices) or a sympy relation/boolean (``&``, ``|``, ``And``, ``Or``).  The
rule is the ``polygon`` kind's (see :mod:`grader.checks.polygon`): a region
is right when its boundary lies within ``max(rtol * size, atol)`` of the
expected boundary, ``size`` being the expected region's diameter.  Two
polygons are compared by :func:`~grader.checks.polygon.compare_polygons`
itself; where a relation is involved, membership is compared on sampled
points, ignoring those within that distance of the expected boundary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from grader.checks import CheckContext
from grader.checks.expression import normalize_expected, note
from grader.checks.number import check_tolerances, invalid, screen, show
from grader.checks.polygon import (
    EXAMPLE,
    judge_polygons,
    normalize_vertices,
    polygon_region,
    read_polygon,
    segment_distances,
    shape_limit,
    shape_size,
    tolerance_words,
)
from grader.checks.relation import (
    Region,
    RegionVerdict,
    compare_regions,
    is_boolean,
    read_relation,
    relation_region,
    verdict_result,
)
from grader.errors import InvalidAnswer
from grader.results import CheckResult

__all__ = ["HELP", "Params", "check", "note", "read", "region_of", "shape"]

HELP = "a polygon [(x1, x2), ...] or a relation such as '(x1 > 0) & (x2 < 2*x1)'"

_CHUNK = 512


@dataclass(frozen=True, slots=True)
class Params:
    """Options of a ``region`` check.

    Attributes:
        expected: reference polygon vertices, or a sympy relation/boolean (or its text).
        variables: the two coordinate names.
        box: compare inside ``[-box, box]^2``.
        samples: number of uniform sample points (boundary points come on top).
        rtol: largest allowed boundary distance, as a share of the expected region's diameter.
        atol: floor of the allowed distance, in the plane's units.
    """

    expected: Any
    variables: tuple[str, ...] = ("x1", "x2")
    box: float = 6.0
    samples: int = 4000
    rtol: float = 1e-2
    atol: float = 1e-6

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
        check_tolerances(self.rtol, self.atol)


def shape(params: Params) -> dict[str, Any]:
    """The two coordinate names a relation may use."""
    return {"variables": list(params.variables)}


def read(answer: Any, shape: dict[str, Any], *, strict: bool = False) -> Any:
    """Polygon vertices (a list) as an array, or a relation in ``shape["variables"]`` as sympy."""
    if isinstance(answer, list | tuple):
        return read_polygon(answer)
    return read_relation(answer, tuple(shape.get("variables", ())))


def region_of(value: Any, variables: tuple[str, ...], box: float) -> Region:
    """The :class:`Region` of polygon vertices or of a sympy boolean."""
    if isinstance(value, sympy.Basic):
        return relation_region(value, variables, box)
    return polygon_region(np.asarray(value, dtype=float))


def _nearest(points: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """Distance from each point to the nearest of ``samples``."""
    if len(samples) == 0:
        return np.full(len(points), np.inf)
    out = np.empty(len(points))
    for start in range(0, len(points), _CHUNK):
        chunk = points[start:start + _CHUNK]
        out[start:start + _CHUNK] = np.min(np.linalg.norm(chunk[:, None, :] - samples[None], axis=2), axis=1)
    return out


def _expected_shape(params: Params, region: Region, seed: int) -> tuple[float, Callable[[np.ndarray], np.ndarray]]:
    """The expected region's size and the distance from points to its boundary."""
    if not isinstance(params.expected, sympy.Basic):
        vertices = np.asarray(params.expected, dtype=float)
        return shape_size(vertices), lambda points: segment_distances(points, vertices)
    rng = np.random.default_rng(seed)
    uniform = rng.uniform(-params.box, params.box, size=(params.samples, 2))
    on, _ = region.boundary(rng, 4 * params.samples)
    return shape_size(uniform[region.contains(uniform)]), lambda points: _nearest(points, on)


def _banded(expected: Region, given: Region, distance: Callable[[np.ndarray], np.ndarray], limit: float) -> Region:
    """``expected`` with its points within ``limit`` of its boundary ignored, probed just beyond that band.

    Distances are computed only where the two regions differ (elsewhere a
    point agrees anyway), in order, up to the first chunk that holds a point
    outside the band: the first disagreement reported is always a real one.
    """

    def near(points: np.ndarray) -> np.ndarray:
        differ = np.flatnonzero(expected.contains(points) != given.contains(points))
        out = np.zeros(len(points), dtype=bool)
        for start in range(0, len(differ), _CHUNK):
            index = differ[start:start + _CHUNK]
            inside = distance(points[index]) <= limit
            out[index] = inside
            if not inside.all():
                break
        return out

    def probes(rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
        on, normal = expected.boundary(rng, k)
        return np.concatenate([on + 2 * limit * normal, on - 2 * limit * normal]), np.concatenate([normal, normal])

    return Region(contains=expected.contains, near_boundary=near, boundary=probes)


def _compare(params: Params, expected: Region, given: Region, limit: float,
             distance: Callable[[np.ndarray], np.ndarray], seed: int) -> RegionVerdict:
    return compare_regions(
        _banded(expected, given, distance, limit), given, dims=2, box=params.box, samples=params.samples, seed=seed,
    )


def _polygons(params: Params, given: np.ndarray, ctx: CheckContext) -> CheckResult:
    """Two polygons: the ``polygon`` kind's rule decides; sampling only finds a point to show."""
    expected = np.asarray(params.expected, dtype=float)
    verdict, decided, words = judge_polygons(given, expected, params.rtol, params.atol)
    if decided is not None:
        return decided
    found = _compare(params, polygon_region(expected), polygon_region(given), verdict.limit,
                     lambda points: segment_distances(points, expected), ctx.seed)
    if not found.agree:
        result = verdict_result(found, params.variables, "polygon", ctx.reveal)
        return CheckResult.failed(f"{result.feedback} (Boundaries must agree within {words}.)",
                                  result.counterexample)
    message = f"Your polygon does not describe the right region (boundaries must agree within {words})."
    counterexample = None
    if ctx.reveal and verdict.distances.given_to_expected > verdict.limit:
        x, y = verdict.distances.farthest_given
        counterexample = f"your polygon's boundary passes through ({show(x)}, {show(y)}), off the expected boundary"
        message += f" For example, {counterexample}."
    return CheckResult.failed(message, counterexample)


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Judge one region answer."""
    early = screen(answer)
    if early is not None:
        return early
    names = ", ".join(params.variables)
    try:
        given = read(answer, shape(params))
    except InvalidAnswer as exc:
        kind = f"a polygon {EXAMPLE} or a relation in {names} such as '(x1 >= 0) & (x2 <= 2)'"
        return invalid(exc, kind)
    if isinstance(given, np.ndarray) and not isinstance(params.expected, sympy.Basic):
        return _polygons(params, given, ctx)
    what = "polygon" if isinstance(given, np.ndarray) else "relation"
    expected = region_of(params.expected, params.variables, params.box)
    size, distance = _expected_shape(params, expected, ctx.seed)
    limit = shape_limit(size, params.rtol, params.atol)
    verdict = _compare(params, expected, region_of(given, params.variables, params.box), limit, distance, ctx.seed)
    if verdict.agree:
        return CheckResult.passed()
    result = verdict_result(verdict, params.variables, what, ctx.reveal)
    words = tolerance_words(params.rtol, params.atol, size)
    return CheckResult.failed(f"{result.feedback} (Boundaries must agree within {words}.)", result.counterexample)
