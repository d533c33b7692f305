"""Check kind ``polygon``: a closed curve given by its vertices, judged as a point set.

Any start vertex and either direction are accepted; a repeated closing vertex
and extra collinear vertices are harmless.  The one rule for shapes, shared
with the ``region`` kind (:func:`shape_limit`, :func:`compare_polygons`): two
boundaries match when the symmetric Hausdorff distance between them is at
most ``max(rtol * size, atol)``, where ``size`` is the expected shape's
diameter.  With ``rtol = 1e-2`` a vertex moved by 0.1% of the shape passes
and one moved by a few percent does not.  Also home of :func:`read_polygon`
and :func:`polygon_region` for the ``region`` kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.checks import CheckContext
from grader.checks.number import as_float, check_tolerances, invalid, screen, show
from grader.checks.relation import BOUNDARY_MARGIN, Region
from grader.errors import InvalidAnswer
from grader.expr import to_number
from grader.results import CheckResult
from grader.sandbox.answers import describe

__all__ = [
    "HELP",
    "ORDER_HINT",
    "Distances",
    "Params",
    "ShapeVerdict",
    "boundary_samples",
    "check",
    "compare_polygons",
    "hausdorff",
    "judge_polygons",
    "normalize_vertices",
    "polygon_region",
    "read",
    "read_polygon",
    "segment_distances",
    "shape",
    "shape_limit",
    "shape_size",
    "tolerance_words",
]

HELP = "a list of (x1, x2) vertices in order around the polygon (any start, either direction)"
MAX_VERTICES = 500
EXAMPLE = "[(0, 0), (2, 0), (0, 3)]"


def _clean(vertices: np.ndarray) -> np.ndarray:
    """Drop repeated consecutive vertices and a closing copy of the first."""
    keep = [vertices[0]]
    for v in vertices[1:]:
        if not np.allclose(v, keep[-1], rtol=0, atol=1e-12):
            keep.append(v)
    if len(keep) > 1 and np.allclose(keep[0], keep[-1], rtol=0, atol=1e-12):
        keep.pop()
    return np.array(keep, dtype=float)


def read_polygon(answer: Any) -> np.ndarray:
    """Read a list of ``(x1, x2)`` vertices as an ``(n, 2)`` float array.

    Raises:
        InvalidAnswer: not a list of number pairs, or fewer than 3 vertices.
    """
    if isinstance(answer, str):
        raise InvalidAnswer(f"expected a list of (x1, x2) vertices, found {describe(answer)}; "
                            f"write the list itself, without quotes, e.g. {EXAMPLE}")
    if not isinstance(answer, list | tuple):
        raise InvalidAnswer(f"expected a list of (x1, x2) vertices, found {describe(answer)}")
    if len(answer) > MAX_VERTICES:
        raise InvalidAnswer(f"too many vertices ({len(answer)}; at most {MAX_VERTICES})")
    if not any(isinstance(item, list | tuple) for item in answer) and len(answer) >= 3:
        raise InvalidAnswer(f"found a flat list of {len(answer)} values; give one (x1, x2) pair per vertex, "
                            f"e.g. {EXAMPLE}")
    sizes = {len(item) for item in answer if isinstance(item, list | tuple)}
    if len(answer) == 2 and all(isinstance(item, list | tuple) for item in answer) and min(sizes) >= 3:
        raise InvalidAnswer("found 2 rows (all the x1, then all the x2); give one (x1, x2) pair per vertex, "
                            "e.g. list(zip(x1s, x2s))")
    rows = []
    for i, item in enumerate(answer, start=1):
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise InvalidAnswer(f"each vertex must be a pair (x1, x2), found {describe(item)}", f"vertex {i}")
        try:
            rows.append((to_number(item[0]), to_number(item[1])))
        except InvalidAnswer as exc:
            raise InvalidAnswer(exc.message, f"vertex {i}") from None
    if not rows:
        raise InvalidAnswer("the list of vertices is empty")
    vertices = _clean(np.array(rows, dtype=float))
    if len(vertices) < 3:
        raise InvalidAnswer(f"a polygon needs at least 3 different vertices, found {len(vertices)}")
    return vertices


def _edges(vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return vertices, np.roll(vertices, -1, axis=0)


def segment_distances(points: np.ndarray, vertices: np.ndarray) -> np.ndarray:
    """Distance from each point to the closed polygonal curve through ``vertices``."""
    a, b = _edges(vertices)
    ab = b - a
    length2 = np.maximum(np.sum(ab * ab, axis=1), 1e-300)
    ap = points[:, None, :] - a[None, :, :]
    t = np.clip(np.sum(ap * ab[None], axis=2) / length2[None], 0.0, 1.0)
    closest = a[None] + t[..., None] * ab[None]
    return np.min(np.linalg.norm(points[:, None, :] - closest, axis=2), axis=1)


def boundary_samples(vertices: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Points along every edge at most ``spacing`` apart, and the edges' unit normals."""
    a, b = _edges(vertices)
    points, normals = [], []
    for start, end in zip(a, b, strict=True):
        edge = end - start
        length = float(np.linalg.norm(edge))
        if length == 0:
            continue
        count = min(max(int(np.ceil(length / spacing)), 1), 2000)
        t = np.arange(count) / count
        points.append(start + t[:, None] * edge)
        normals.append(np.tile(np.array([edge[1], -edge[0]]) / length, (count, 1)))
    return np.concatenate(points), np.concatenate(normals)


@dataclass(frozen=True, slots=True)
class Distances:
    """Directed boundary distances between a given and an expected polygon.

    Attributes:
        given_to_expected: farthest a point of the given curve is from the expected one.
        expected_to_given: farthest a point of the expected curve is from the given one.
        farthest_given: the point of the given curve that is farthest away.
    """

    given_to_expected: float
    expected_to_given: float
    farthest_given: tuple[float, float]

    @property
    def hausdorff(self) -> float:
        return max(self.given_to_expected, self.expected_to_given)


def hausdorff(given: np.ndarray, expected: np.ndarray, spacing: float) -> Distances:
    """Both directed Hausdorff distances between two closed curves."""
    p, _ = boundary_samples(given, spacing)
    q, _ = boundary_samples(expected, spacing)
    dp = segment_distances(p, expected)
    dq = segment_distances(q, given)
    far = p[int(np.argmax(dp))]
    return Distances(float(dp.max()), float(dq.max()), (float(far[0]), float(far[1])))


def _contains(vertices: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Even-odd rule point-in-polygon test."""
    x, y = points[:, 0:1], points[:, 1:2]
    a, b = _edges(vertices)
    crosses = (a[None, :, 1] > y) != (b[None, :, 1] > y)
    with np.errstate(all="ignore"):
        slope = (b[None, :, 0] - a[None, :, 0]) / (b[None, :, 1] - a[None, :, 1])
        at = a[None, :, 0] + (y - a[None, :, 1]) * slope
    return np.sum(crosses & (x < at), axis=1) % 2 == 1


def polygon_region(vertices: np.ndarray) -> Region:
    """The inside of a polygon as a :class:`Region` (even-odd rule)."""
    perimeter = float(np.sum(np.linalg.norm(np.roll(vertices, -1, axis=0) - vertices, axis=1)))

    def boundary(rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
        del rng
        return boundary_samples(vertices, max(perimeter / max(k, 1), 1e-9))

    return Region(
        contains=lambda points: _contains(vertices, points),
        near_boundary=lambda points: segment_distances(points, vertices) < BOUNDARY_MARGIN,
        boundary=boundary,
    )


_DIRECTIONS = np.linspace(0.0, np.pi, 360, endpoint=False)


def shape_size(points: np.ndarray) -> float:
    """The diameter of a set of points (the largest distance between two of them).

    Measured as the largest width over 360 directions: exact to 0.004%.
    """
    points = np.asarray(points, dtype=float)
    if len(points) < 2:
        return 0.0
    axes = np.stack([np.cos(_DIRECTIONS), np.sin(_DIRECTIONS)], axis=1)
    projected = points @ axes.T
    return float(np.max(projected.max(axis=0) - projected.min(axis=0)))


def shape_limit(size: float, rtol: float, atol: float) -> float:
    """How far a boundary may be from the expected one: ``max(rtol * size, atol)``, never 0."""
    return max(rtol * size, atol, 1e-12)


def tolerance_words(rtol: float, atol: float, size: float) -> str:
    """The shape tolerance in words, without the expected shape."""
    if rtol * size >= atol:
        return f"{rtol * 100:g}% of the shape's size"
    return f"{atol:g}"


@dataclass(frozen=True, slots=True)
class ShapeVerdict:
    """The comparison of a given polygon with an expected one.

    Attributes:
        passed: the boundaries are within ``limit`` of each other.
        limit: the largest allowed distance between the boundaries.
        distances: the directed boundary distances.
        same_vertices: the vertices match but their order does not.
    """

    passed: bool
    limit: float
    distances: Distances
    same_vertices: bool


def compare_polygons(given: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> ShapeVerdict:
    """The shared rule of the ``polygon`` and ``region`` kinds for two polygons."""
    size = shape_size(expected)
    limit = shape_limit(size, rtol, atol)
    distances = hausdorff(given, expected, spacing=min(limit / 4, max(size, 1e-9) / 400))
    passed = distances.hausdorff <= limit
    same = not passed and _same_vertex_set(given, expected, limit)
    return ShapeVerdict(passed, limit, distances, same)


def judge_polygons(
    given: np.ndarray, expected: np.ndarray, rtol: float, atol: float
) -> tuple[ShapeVerdict, CheckResult | None, str]:
    """The shared rule applied: the verdict, the result when it decides alone, and the tolerance in words."""
    verdict = compare_polygons(given, expected, rtol, atol)
    if verdict.passed:
        return verdict, CheckResult.passed(), ""
    if verdict.same_vertices:
        return verdict, CheckResult.failed(ORDER_HINT), ""
    return verdict, None, tolerance_words(rtol, atol, shape_size(expected))


ORDER_HINT = (
    "Your vertices are right but not in order around the polygon: "
    "list them as you meet them walking along the boundary."
)


def normalize_vertices(expected: Any) -> tuple[tuple[float, float], ...]:
    """Reference vertices as a tuple of float pairs; ``ValueError`` if malformed."""
    try:
        rows = tuple((as_float(x, "vertex x"), as_float(y, "vertex y")) for x, y in expected)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"expected must be a list of (x, y) vertices: {exc}") from None
    if len(rows) < 3:
        raise ValueError("expected must have at least 3 vertices")
    return rows


@dataclass(frozen=True, slots=True)
class Params:
    """Options of a ``polygon`` check.

    Attributes:
        expected: the reference vertices, in order around the polygon.
        rtol: largest allowed boundary distance, as a share of the expected
            polygon's size (its diameter).
        atol: floor of the allowed distance, in the plane's units.
    """

    expected: Any
    rtol: float = 1e-2
    atol: float = 1e-6

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected", normalize_vertices(self.expected))
        check_tolerances(self.rtol, self.atol)
        if not (self.rtol > 0 or self.atol > 0):
            raise ValueError("rtol or atol must be > 0 for a shape")


def shape(params: Params) -> dict[str, Any]:
    """A polygon has no public shape beyond being one."""
    return {}


def read(answer: Any, shape: dict[str, Any], *, strict: bool = False) -> np.ndarray:
    """The vertices as an ``(n, 2)`` array (see :func:`read_polygon`)."""
    return read_polygon(answer)


def _same_vertex_set(given: np.ndarray, expected: np.ndarray, limit: float) -> bool:
    distance = np.linalg.norm(given[:, None, :] - expected[None, :, :], axis=2)
    return bool(distance.min(axis=1).max() <= limit and distance.min(axis=0).max() <= limit)


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Judge one polygon answer."""
    early = screen(answer)
    if early is not None:
        return early
    try:
        given = read(answer, shape(params))
    except InvalidAnswer as exc:
        return invalid(exc, f"a list of (x1, x2) vertices in order around the polygon, e.g. {EXAMPLE}")
    expected = np.array(params.expected, dtype=float)
    verdict, decided, words = judge_polygons(given, expected, params.rtol, params.atol)
    if decided is not None:
        return decided
    message = f"Your polygon does not match the expected closed curve (curves must agree within {words})."
    counterexample = None
    distances = verdict.distances
    if distances.given_to_expected > verdict.limit:
        x, y = distances.farthest_given
        if ctx.reveal:
            counterexample = f"your curve passes through ({show(x)}, {show(y)}), off the expected curve"
            message += f" For example, {counterexample}."
    else:
        message += " Your curve lies along the expected one but does not go all the way around it."
    return CheckResult.failed(message, counterexample)
