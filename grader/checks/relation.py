"""Check kind ``relation``: an inequality (or boolean of them) judged by where it holds.

Also the shared machinery for regions: :class:`Region` (membership, boundary
samples and a near-boundary test), :func:`relation_region` and
:func:`compare_regions`, which the ``region`` kind reuses with polygons.
Membership is compared on seeded uniform points in ``[-box, box]^n`` plus
points just either side of both boundaries; points within 1e-6 of a boundary
are ignored.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import Boolean

from grader.checks import CheckContext
from grader.checks.expression import normalize_expected, note
from grader.checks.number import invalid, screen, show
from grader.errors import InvalidAnswer
from grader.expr import real_symbols, to_sympy
from grader.results import CheckResult

__all__ = [
    "HELP",
    "Params",
    "note",
    "Region",
    "RegionVerdict",
    "check",
    "compare_regions",
    "describe_difference",
    "is_boolean",
    "read",
    "read_relation",
    "relation_region",
    "shape",
]

HELP = "a sympy relation or a string such as 'x1 + 2*x2 < 3'"

BOUNDARY_MARGIN = 1e-6
_MAX_ATOMS = 40
_NEWTON_STEPS = 8


def is_boolean(value: Any) -> bool:
    """Whether ``value`` is a sympy relation or boolean (not a plain expression)."""
    return isinstance(value, Boolean) and not isinstance(value, sympy.Expr)


@dataclass(frozen=True, slots=True)
class Region:
    """A set in R^n as three vectorized functions of an ``(m, n)`` array of points.

    Attributes:
        contains: membership, a bool array of shape ``(m,)``.
        near_boundary: True where a point is within the margin of the boundary.
        boundary: ``(rng, k) -> (points, unit_normals)``, about ``k`` boundary samples.
    """

    contains: Callable[[np.ndarray], np.ndarray]
    near_boundary: Callable[[np.ndarray], np.ndarray]
    boundary: Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray]]


def _numpy(symbols: Sequence[sympy.Symbol], expr: Any) -> Callable[..., Any]:
    return _numpy_cached(tuple(symbols), expr)


@functools.lru_cache(maxsize=256)
def _numpy_cached(symbols: tuple[sympy.Symbol, ...], expr: Any) -> Callable[..., Any]:
    """Compiling is the slow part of a check; expected regions recur, so compile each once."""
    return sympy.lambdify(list(symbols), expr, modules=[np])  # the module, not "numpy": no `from numpy import *`


def _call(fn: Callable[..., Any], points: np.ndarray, dtype: type) -> np.ndarray:
    with np.errstate(all="ignore"):
        try:
            value = fn(*points.T)
        except (ArithmeticError, TypeError, ValueError):
            return np.full(len(points), np.nan if dtype is float else False)
    value = np.asarray(value)
    if dtype is float:
        value = np.real(value).astype(float) if np.iscomplexobj(value) else value.astype(float)
    else:
        value = value.astype(bool)
    return np.broadcast_to(value, (len(points),)).copy()


@dataclass(frozen=True, slots=True)
class _Atom:
    """One boundary piece ``d(p) = 0``; its gradient is taken numerically."""

    value: Callable[..., Any]

    def evaluate(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d = _call(self.value, points, float)
        step = 1e-6 * (1.0 + np.abs(points))
        columns = []
        for i in range(points.shape[1]):
            shift = np.zeros_like(points)
            shift[:, i] = step[:, i]
            ahead = _call(self.value, points + shift, float)
            behind = _call(self.value, points - shift, float)
            columns.append((ahead - behind) / (2 * step[:, i]))
        return d, np.stack(columns, axis=1)


def _atoms(expr: sympy.Basic, symbols: Sequence[sympy.Symbol]) -> list[_Atom]:
    found = []
    for rel in sorted(expr.atoms(Relational), key=sympy.default_sort_key)[:_MAX_ATOMS]:
        d = rel.lhs - rel.rhs
        if d.free_symbols:
            found.append(_Atom(_numpy(symbols, d)))
    return found


def _near(atoms: Sequence[_Atom], points: np.ndarray) -> np.ndarray:
    near = np.zeros(len(points), dtype=bool)
    for atom in atoms:
        d, g = atom.evaluate(points)
        size = np.maximum(np.linalg.norm(np.nan_to_num(g), axis=1), 1e-12)
        with np.errstate(all="ignore"):
            near |= np.abs(d) / size < BOUNDARY_MARGIN
    return near


def _project(
    atoms: Sequence[_Atom], dims: int, box: float, rng: np.random.Generator, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Newton-project random points onto each ``d = 0``; points and unit normals."""
    points, normals = [np.empty((0, dims))], [np.empty((0, dims))]
    for atom in atoms:
        p = rng.uniform(-box, box, size=(max(k // len(atoms), 8), dims))
        for _ in range(_NEWTON_STEPS):
            d, g = atom.evaluate(p)
            square = np.sum(g * g, axis=1)
            with np.errstate(all="ignore"):
                step = np.where(square[:, None] > 1e-24, (d / square)[:, None] * g, 0.0)
            p = p - np.nan_to_num(step)
        d, g = atom.evaluate(p)
        size = np.linalg.norm(g, axis=1)
        with np.errstate(all="ignore"):
            ok = np.isfinite(d) & (np.abs(d) < 1e-9 * (1 + size)) & (size > 1e-12)
        ok &= np.all(np.abs(p) <= 1.05 * box, axis=1)
        points.append(p[ok])
        normals.append(g[ok] / size[ok, None])
    return np.concatenate(points), np.concatenate(normals)


def relation_region(expr: sympy.Basic, variables: Sequence[str], box: float) -> Region:
    """The region where a sympy relation/boolean over ``variables`` holds."""
    symbols = list(real_symbols(variables).values())
    member = _numpy(symbols, expr)
    atoms = _atoms(expr, symbols)
    return Region(
        contains=lambda points: _call(member, points, bool),
        near_boundary=lambda points: _near(atoms, points),
        boundary=lambda rng, k: _project(atoms, len(symbols), box, rng, k),
    )


@dataclass(frozen=True, slots=True)
class RegionVerdict:
    """Where two regions were compared and the first point where they differ."""

    agree: bool
    flipped: bool
    point: tuple[float, ...] | None = None
    given_inside: bool = False


def compare_regions(
    expected: Region, given: Region, *, dims: int, box: float, samples: int, seed: int
) -> RegionVerdict:
    """Compare membership on uniform points and on points just off both boundaries."""
    rng = np.random.default_rng(seed)
    parts = [rng.uniform(-box, box, size=(samples, dims))]
    delta = 1e-4 * box
    for region in (expected, given):
        on, normal = region.boundary(rng, max(samples // 4, 8))
        parts.extend([on + delta * normal, on - delta * normal])
    points = np.concatenate(parts)
    points = points[np.all(np.abs(points) <= box, axis=1)]
    usable = ~(expected.near_boundary(points) | given.near_boundary(points))
    points = points[usable]
    inside_expected = expected.contains(points)
    inside_given = given.contains(points)
    differ = inside_expected != inside_given
    if not differ.any():
        return RegionVerdict(True, False)
    first = int(np.argmax(differ))
    return RegionVerdict(
        agree=False,
        flipped=bool(np.all(differ)),
        point=tuple(float(v) for v in points[first]),
        given_inside=bool(inside_given[first]),
    )


def describe_difference(verdict: RegionVerdict, variables: Sequence[str], what: str) -> str:
    """``at x1=…, x2=…: your relation holds there, but it should not``."""
    assert verdict.point is not None
    where = ", ".join(f"{name}={show(value)}" for name, value in zip(variables, verdict.point, strict=True))
    if verdict.given_inside:
        return f"at {where}: your {what} includes this point, but it should not"
    return f"at {where}: your {what} leaves out this point, but it should include it"


def read_relation(answer: Any, variables: Sequence[str]) -> sympy.Basic:
    """Parse a relation answer; a plain expression is ``InvalidAnswer``."""
    value = to_sympy(answer, variables, relations=True)
    if not is_boolean(value):
        raise InvalidAnswer("found an expression without a comparison; write a relation such as 'x1 > 1'")
    return value


@dataclass(frozen=True, slots=True)
class Params:
    """Options of a ``relation`` check.

    Attributes:
        expected: the reference sympy relation/boolean (or its text).
        variables: the names the answer may use.
        box: compare inside ``[-box, box]^n``.
        samples: number of uniform sample points (boundary points come on top).
    """

    expected: Any
    variables: tuple[str, ...] = ("x1", "x2")
    box: float = 6.0
    samples: int = 4000

    def __post_init__(self) -> None:
        variables = (self.variables,) if isinstance(self.variables, str) else tuple(self.variables)
        object.__setattr__(self, "variables", variables)
        expected = normalize_expected(self.expected, variables, relations=True)
        if not is_boolean(expected):
            raise ValueError(f"expected must be a relation, got {expected}")
        object.__setattr__(self, "expected", expected)
        if not self.box > 0 or self.samples < 1:
            raise ValueError("box must be > 0 and samples >= 1")


def shape(params: Params) -> dict[str, Any]:
    """The variables an answer may use."""
    return {"variables": list(params.variables)}


def read(answer: Any, shape: dict[str, Any], *, strict: bool = False) -> sympy.Basic:
    """The answer as a sympy relation in ``shape["variables"]`` (see :func:`read_relation`)."""
    return read_relation(answer, tuple(shape.get("variables", ())))


def verdict_result(verdict: RegionVerdict, variables: Sequence[str], what: str, reveal: bool) -> CheckResult:
    """The check result for a region comparison."""
    if verdict.agree:
        return CheckResult.passed()
    message = f"Your {what} does not describe the right region."
    if verdict.flipped:
        message += f" You described the other side: your {what} holds exactly where it should not."
    counterexample = describe_difference(verdict, variables, what) if reveal else None
    if counterexample:
        message += f" For example, {counterexample}."
    return CheckResult.failed(message, counterexample)


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Judge one relation answer."""
    early = screen(answer)
    if early is not None:
        return early
    names = ", ".join(params.variables)
    try:
        given = read(answer, shape(params))
    except InvalidAnswer as exc:
        return invalid(exc, f"a relation in {names} such as 'x1 > 1' or 'x1 - 1 >= 0'")
    verdict = compare_regions(
        relation_region(params.expected, params.variables, params.box),
        relation_region(given, params.variables, params.box),
        dims=len(params.variables), box=params.box, samples=params.samples, seed=ctx.seed,
    )
    return verdict_result(verdict, params.variables, "relation", ctx.reveal)
