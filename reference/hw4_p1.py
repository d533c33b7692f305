"""Problem 1 of HW4: the ReLU network with a (tempered) softmax output.

Every value is computed from the handout's matrices ``W`` and ``V``.  The sum
of the hidden outputs, ``s = f(z1)+f(z2)+f(z3)+f(z4)``, is a convex piecewise
linear function of ``x``: it equals the largest of ``sum_{i in S} z_i`` over all
subsets ``S`` of the hidden units, so ``{s <= L}`` is the intersection of those
half-planes, a convex polygon whose boundary is the level set ``{s = L}``.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import sympy as sp

from grader.sandbox.calls import Case

__all__ = [
    "OUTPUT_THRESHOLD",
    "P1D_BETAS",
    "SUM_BANDS",
    "V",
    "W",
    "X1",
    "X2",
    "hidden_sum",
    "level_set_polygon",
    "p1a_output",
    "p1a_output_o2_rounded",
    "p1b_positive_sides",
    "p1b_negative_sides",
    "p1c_curve_1",
    "p1c_curve_3",
    "p1c_outputs",
    "p1c_outputs_without_output_relu",
    "p1c_region_0",
    "p1d_area",
    "p1d_areas",
    "p1d_areas_exact",
    "p1d_region_change",
    "p1d_region_change_mistake",
    "p1d_threshold",
    "plain_number",
    "relu_network",
    "relu_network_cases",
    "relu_network_edge_cases",
    "relu_network_beta_cases",
    "relu_network_inner_cases",
    "relu_network_large_cases",
    "relu_network_outer_cases",
    "softmax_beta",
    "softmax_beta_cases",
    "softmax_beta_large_beta_cases",
    "softmax_beta_large_u_cases",
    "softmax_beta_ordinary_cases",
    "sublevel_area",
]

#: Hidden layer, one row per hidden unit i: ``[W_1i, W_2i, W_0i]``.
W: np.ndarray = np.array([[1, 0, -1], [0, 1, -1], [-1, 0, -1], [0, -1, -1]], dtype=float)
#: Output layer, one row per output k: ``[V_1k, V_2k, V_3k, V_4k, V_0k]``.
V: np.ndarray = np.array([[1, 1, 1, 1, 0], [-1, -1, -1, -1, 2]], dtype=float)

X1, X2 = sp.symbols("x1 x2", real=True)
#: The output level of 1(d): the region where ``o2 >= 1/1000``.
OUTPUT_THRESHOLD = sp.Rational(1, 1000)
#: The inverse temperatures compared in 1(d).
P1D_BETAS: tuple[int, int] = (1, 3)
P1A_INPUT: tuple[float, float] = (3.0, 14.0)
P1C_LEVELS: tuple[int, int, int] = (0, 1, 3)

_TOL = 1e-9
_S = sp.Symbol("s", nonnegative=True)


def _exact(value: float | int | sp.Expr) -> sp.Expr:
    """An exact sympy number for a parameter (``0.1`` becomes ``1/10``)."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, (int, np.integer)):
        return sp.Integer(int(value))
    return sp.Rational(repr(float(value)))


def softmax_beta(u: np.ndarray, beta: float) -> np.ndarray:
    """Softmax with inverse temperature: ``exp(beta*u_k) / sum_j exp(beta*u_j)``.

    The largest entry is subtracted before scaling, so the result stays finite
    for any finite ``u`` and large ``beta`` (1e6 and beyond).
    """
    u = np.asarray(u, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        shifted = (u - np.max(u)) * float(beta)
    shifted = np.where(np.isnan(shifted), 0.0, shifted)
    e = np.exp(shifted)
    return e / np.sum(e)


def _hidden(x1: float, x2: float) -> np.ndarray:
    """The hidden outputs ``f(z_1), ..., f(z_4)``."""
    z = W[:, 0] * float(x1) + W[:, 1] * float(x2) + W[:, 2]
    return np.maximum(z, 0.0)


def _network(x1: float, x2: float, beta: float, output_relu: bool) -> tuple[float, float]:
    u = V[:, :4] @ _hidden(x1, x2) + V[:, 4]
    if output_relu:
        u = np.maximum(u, 0.0)
    o = softmax_beta(u, beta)
    return float(o[0]), float(o[1])


def relu_network(x1: float, x2: float, beta: float = 1.0) -> tuple[float, float]:
    """The network of Problem 1: output ``(o1, o2)`` at input ``(x1, x2)``."""
    return _network(x1, x2, beta, output_relu=True)


def hidden_sum(x1: float, x2: float) -> float:
    """``f(z1) + f(z2) + f(z3) + f(z4)`` at ``(x1, x2)``."""
    return float(np.sum(_hidden(x1, x2)))


def p1a_output() -> tuple[float, float]:
    """1(a): the output at ``x = (3, 14)``."""
    return relu_network(*P1A_INPUT)


def p1a_output_o2_rounded() -> tuple[float, float]:
    """Known 1(a) mistake: o2 (about 3.06e-7) rounded to 0."""
    o1, _ = p1a_output()
    return o1, 0.0


def p1b_positive_sides() -> list[sp.Rel]:
    """1(b): for each hidden unit, the half-plane ``z_i > 0`` where ``f(z_i) > 0``."""
    return [
        sp.StrictGreaterThan(_exact(float(a)) * X1 + _exact(float(b)) * X2 + _exact(float(c)), 0)
        for a, b, c in W
    ]


def p1b_negative_sides() -> list[sp.Rel]:
    """Known 1(b) mistake: the half-planes ``z_i < 0``, where the unit outputs 0."""
    return [sp.StrictLessThan(side.lhs, side.rhs) for side in p1b_positive_sides()]


# --- level sets of the hidden sum -------------------------------------------------


def _constraints() -> list[tuple[sp.Expr, sp.Expr, sp.Expr]]:
    """``(a1, a2, c)`` with ``s <= L`` iff ``a1*x1 + a2*x2 + c <= L`` for all of them."""
    rows = [tuple(_exact(float(v)) for v in row) for row in W]
    out: list[tuple[sp.Expr, sp.Expr, sp.Expr]] = []
    for size in range(1, len(rows) + 1):
        for subset in itertools.combinations(rows, size):
            a1, a2, c = (sp.Add(*col) for col in zip(*subset, strict=True))
            if (a1, a2) != (0, 0):
                out.append((a1, a2, c))
    return out


def _intersection(p: tuple, q: tuple, level: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """The point where ``p`` and ``q`` are both tight, or None if they are parallel."""
    det = p[0] * q[1] - p[1] * q[0]
    if det == 0:
        return None
    r1, r2 = level - p[2], level - q[2]
    return (r1 * q[1] - p[1] * r2) / det, (p[0] * r2 - r1 * q[0]) / det


def _vertex_pairs(level: float) -> list[tuple[int, int]]:
    """Pairs of tight constraints giving the vertices of ``{s <= level}``, counter-clockwise."""
    cons = _constraints()
    numeric = [tuple(float(v) for v in c) for c in cons]
    found: list[tuple[np.ndarray, tuple[int, int]]] = []
    for i, j in itertools.combinations(range(len(cons)), 2):
        point = _intersection(numeric[i], numeric[j], level)
        if point is None:
            continue
        p = np.array(point, dtype=float)
        if all(a1 * p[0] + a2 * p[1] + c <= level + _TOL for a1, a2, c in numeric) and not any(
            np.allclose(p, q, atol=1e-7) for q, _ in found
        ):
            found.append((p, (i, j)))
    if not found:
        return []
    centre = np.mean([p for p, _ in found], axis=0)
    found.sort(key=lambda item: math.atan2(item[0][1] - centre[1], item[0][0] - centre[0]))
    n = len(found)
    if n < 3:
        return [pair for _, pair in found]
    kept = []
    for k in range(n):
        prev, cur, nxt = found[k - 1][0], found[k][0], found[(k + 1) % n][0]
        cross = (cur[0] - prev[0]) * (nxt[1] - cur[1]) - (cur[1] - prev[1]) * (nxt[0] - cur[0])
        if abs(cross) > 1e-9:
            kept.append(found[k][1])
    return kept


def _exact_vertices(level: sp.Expr) -> list[tuple[sp.Expr, sp.Expr]]:
    """Exact vertices (counter-clockwise) of ``{s <= level}`` for a numeric sympy ``level``."""
    cons = _constraints()
    pairs = _vertex_pairs(float(level))
    return [_intersection(cons[i], cons[j], level) for i, j in pairs]  # type: ignore[misc]


def level_set_polygon(level: float) -> list[tuple[float, float]]:
    """Vertices, counter-clockwise, of the polygon ``{s <= level}``.

    For ``level > 0`` the polygon's boundary is the closed curve ``{s = level}``;
    for ``level = 0`` the polygon is the region ``{s = 0}`` itself.
    """
    return [(float(a), float(b)) for a, b in _exact_vertices(_exact(level))]


def p1c_region_0() -> list[tuple[float, float]]:
    """1(c): the region where the hidden sum is 0."""
    return level_set_polygon(0)


def p1c_curve_1() -> list[tuple[float, float]]:
    """1(c): the closed curve where the hidden sum is 1."""
    return level_set_polygon(1)


def p1c_curve_3() -> list[tuple[float, float]]:
    """1(c): the closed curve where the hidden sum is 3."""
    return level_set_polygon(3)


def p1c_outputs() -> dict[int, tuple[float, float]]:
    """1(c): the output on each set, evaluated at a vertex of the set."""
    return {level: relu_network(*level_set_polygon(level)[0]) for level in P1C_LEVELS}


def p1c_outputs_without_output_relu() -> dict[int, tuple[float, float]]:
    """Known mistake in 1(c): the ReLU on ``u`` forgotten (e.g. (0.982, 0.018) at sum 3)."""
    return {
        level: _network(*level_set_polygon(level)[0], beta=1.0, output_relu=False) for level in P1C_LEVELS
    }


# --- 1(d): the region where o2 >= 1/1000 ------------------------------------------


def sublevel_area(level: float | sp.Expr) -> sp.Expr:
    """Exact area of ``{s <= level}`` (shoelace formula on the exact vertices)."""
    pts = _exact_vertices(_exact(level))
    twice = sum(
        (p[0] * q[1] - q[0] * p[1] for p, q in zip(pts, pts[1:] + pts[:1], strict=True)),
        sp.Integer(0),
    )
    return sp.expand(twice / 2)


def _outputs_in_s() -> tuple[sp.Expr, sp.Expr]:
    """``(u1, u2)`` as functions of the hidden sum ``s`` (each output weighs all units alike)."""
    if not all(np.all(row[:4] == row[0]) for row in V):
        raise ValueError("the outputs do not depend on the hidden units only through their sum")
    return tuple(_exact(float(row[0])) * _S + _exact(float(row[4])) for row in V)  # type: ignore[return-value]


def p1d_threshold(beta: float | sp.Expr) -> sp.Expr:
    """The hidden sum ``s*`` with ``o2 >= 1/1000`` exactly when ``s <= s*``.

    ``o2 = 1 / (1 + exp(beta * (f(u1) - f(u2))))``, so ``o2 >= 1/1000`` iff
    ``f(u1) - f(u2) <= log(999) / beta``; ``f(u1) - f(u2)`` is piecewise linear
    and increasing in ``s``, solved here piece by piece.
    """
    beta = _exact(beta)
    if not beta.is_number or not beta > 0:
        raise ValueError("beta must be a positive number")
    bound = sp.log(1 / OUTPUT_THRESHOLD - 1) / beta
    u = _outputs_in_s()
    kinks = sorted({k for ui in u for k in sp.solve(ui, _S, simplify=False) if k > 0})
    edges = [sp.Integer(0), *kinks, sp.oo]
    for lo, hi in zip(edges, edges[1:], strict=False):
        probe = lo + 1 if hi == sp.oo else (lo + hi) / 2
        gap = sum((ui for ui in u[:1] if ui.subs(_S, probe) > 0), sp.Integer(0)) - sum(
            (ui for ui in u[1:] if ui.subs(_S, probe) > 0), sp.Integer(0)
        )
        if sp.diff(gap, _S) <= 0:
            raise ValueError("f(u1) - f(u2) is not increasing in the hidden sum")
        (root,) = sp.solve(sp.Eq(gap, bound), _S, simplify=False)
        if bool(root >= lo) and bool(root <= hi):
            return root
    raise ValueError("no threshold found")


def p1d_area(beta: float | sp.Expr) -> sp.Expr:
    """Exact area of the region where ``o2 >= 1/1000``, for inverse temperature ``beta > 0``."""
    return sublevel_area(p1d_threshold(beta))


@functools.lru_cache(maxsize=1)
def p1d_areas_exact() -> tuple[sp.Expr, sp.Expr]:
    """1(d): the exact areas at beta = 1 and beta = 3."""
    first, second = (p1d_area(b) for b in P1D_BETAS)
    return first, second


def p1d_areas() -> tuple[float, float]:
    """1(d): the areas at beta = 1 and beta = 3, as floats."""
    first, second = (float(a) for a in p1d_areas_exact())
    return first, second


def _change(before: float, after: float) -> str:
    if math.isclose(before, after, rel_tol=1e-12):
        return "unchanged"
    return "grows" if after > before else "shrinks"


def p1d_region_change() -> str:
    """1(d): how the region where ``o2 >= 1/1000`` changes from beta 1 to beta 3."""
    return _change(*p1d_areas())


def p1d_region_change_mistake() -> str:
    """Known mistake in 1(d): the opposite direction (a hotter softmax read as a wider region)."""
    before, after = p1d_areas()
    return _change(after, before)


# --- calls of the student's functions ---------------------------------------------
#
# Each function is graded by groups of calls that the rubric names; a group
# earns its points only when every call in it is right.  The calls of a check
# that students see before the due date are public (a student's code can print
# its arguments), so none is derived from a hidden answer: no vertex or edge of
# a polygon of 1(c), no output of 1(a) or 1(c).  Points are drawn at random and
# kept by their hidden sum, away from the answer curves {s = 1} and {s = 3};
# random numbers are never multiples of 1/2.

#: Bands of the hidden sum covering every region of 1(c): ``(0, 0)`` is the
#: region where the sum is 0; the others are open intervals.
SUM_BANDS: tuple[tuple[float, float], ...] = ((0, 0), (0, 1), (1, 2), (2, 3), (3, 4), (4, 9))
_CURVE_MARGIN = 0.05


def plain_number(rng: np.random.Generator, low: float, high: float, digits: int = 3) -> float:
    """A random number in ``[low, high]`` with ``digits`` decimals, never a multiple of 1/2."""
    while True:
        value = round(float(rng.uniform(low, high)), digits)
        if not (2 * value).is_integer():
            return value


def _off_the_curves(s: float) -> bool:
    return all(abs(s - level) > _CURVE_MARGIN for level in P1C_LEVELS if level > 0)


def _point_in_band(rng: np.random.Generator, band: tuple[float, float]) -> tuple[float, float]:
    """A random point whose hidden sum lies in ``band``, off the answer curves."""
    low, high = band
    reach = high + 1.5
    while True:
        x1, x2 = plain_number(rng, -reach, reach), plain_number(rng, -reach, reach)
        s = hidden_sum(x1, x2)
        inside = s == 0 if high == 0 else low < s < high
        if inside and _off_the_curves(s):
            return x1, x2


def _random_beta(rng: np.random.Generator) -> float:
    """A random inverse temperature between 0.1 and 10 (two decimals, log-uniform)."""
    while True:
        beta = round(float(10 ** rng.uniform(-1.0, 1.0)), 2)
        if beta != 1.0 and not (2 * beta).is_integer():
            return beta


def _network_case(x: tuple[float, float], beta: float | None, what: str) -> Case:
    kwargs = {} if beta is None else {"beta": float(beta)}
    shown = "" if beta is None else f", beta = {beta:g}"
    return Case(args=(float(x[0]), float(x[1])), kwargs=kwargs, label=f"{what}: x = ({x[0]:g}, {x[1]:g}){shown}")


def _band_cases(rng: np.random.Generator, bands: tuple[tuple[float, float], ...], beta: float | None,
                per_band: int = 2) -> list[Case]:
    """``per_band`` random points in each band of the hidden sum, at ``beta`` (None: a random beta each)."""
    cases = []
    for band in bands:
        what = "hidden sum 0" if band[1] == 0 else f"hidden sum between {band[0]:g} and {band[1]:g}"
        for _ in range(per_band):
            b = _random_beta(rng) if beta is None else beta
            cases.append(_network_case(_point_in_band(rng, band), b, what))
    return cases


def relu_network_inner_cases() -> list[Case]:
    """Beta = 1: random points where the hidden sum is at most 2 (the output ReLU passes u2 unchanged)."""
    return _band_cases(np.random.default_rng(60362), SUM_BANDS[:3], 1.0)


def relu_network_outer_cases() -> list[Case]:
    """Beta = 1: the handout's input x = (3, 14) and random points where the hidden sum is above 2."""
    cases = [_network_case(P1A_INPUT, None, "input of 1(a)")]
    return cases + _band_cases(np.random.default_rng(60375), SUM_BANDS[3:], 1.0)


def relu_network_beta_cases() -> list[Case]:
    """Other inverse temperatures: x = (3, 14) at the handout's beta = 3, random points at random beta."""
    rng = np.random.default_rng(60361)
    cases = [_network_case(P1A_INPUT, P1D_BETAS[1], "input of 1(a)")]
    return cases + _band_cases(rng, SUM_BANDS, None, per_band=1)


def relu_network_large_cases() -> list[Case]:
    """Large beta (up to 1e3) and inputs far enough out that a naive softmax overflows."""
    rng = np.random.default_rng(60363)
    cases = [
        _network_case(_point_in_band(rng, SUM_BANDS[1]), 1e3, "large beta"),
        _network_case(_point_in_band(rng, SUM_BANDS[3]), 1e3, "large beta"),
        _network_case(_point_in_band(rng, SUM_BANDS[0]), 250.0, "large beta"),
    ]
    far = [(plain_number(rng, -0.9, 0.9), plain_number(rng, 400.0, 600.0)),  # far along each axis, so that
           (plain_number(rng, -900.0, -750.0), plain_number(rng, -0.9, 0.9))]  # each coordinate matters
    cases += [_network_case(x, beta, "far input") for x, beta in zip(far, (1.0, 3.0), strict=True)]
    return cases


def _point_on_unit_line(rng: np.random.Generator, unit: int) -> tuple[float, float]:
    """A point on the decision boundary ``z_unit = 0`` outside the region where the sum is 0."""
    while True:
        t = plain_number(rng, 1.05, 6.0) * (1 if rng.uniform() < 0.5 else -1)
        a1, a2, c = W[unit]
        x = (-c / a1, t) if a1 else (t, -c / a2)
        if _off_the_curves(hidden_sum(*x)):
            return float(x[0]), float(x[1])


def _point_with_sum(rng: np.random.Generator, level: float) -> tuple[float, float]:
    """A random point in a corner quadrant where the hidden sum is exactly ``level`` (> 0)."""
    share = plain_number(rng, 0.1, level - 0.1)
    sign1, sign2 = (1 if v < 0.5 else -1 for v in rng.uniform(size=2))
    return sign1 * (1.0 + share), sign2 * (1.0 + level - share)


def relu_network_edge_cases() -> list[Case]:
    """Inputs on the hidden units' boundary lines, on the kinks of the output layer, and tiny beta."""
    rng = np.random.default_rng(60364)
    cases = [_network_case(_point_on_unit_line(rng, unit), _random_beta(rng), f"on the boundary of unit {unit + 1}")
             for unit in range(len(W))]
    cases.append(_network_case(_point_with_sum(rng, 2.0), 0.01, "hidden sum exactly 2 (u2 = 0)"))
    cases.append(_network_case(_point_with_sum(rng, 4.0), _random_beta(rng), "hidden sum exactly 4"))
    cases.append(_network_case(_point_in_band(rng, SUM_BANDS[2]), 1e-3, "tiny beta"))
    return cases


def relu_network_cases() -> list[Case]:
    """Every call of ``relu_network``, group by group."""
    return [*relu_network_inner_cases(), *relu_network_outer_cases(), *relu_network_beta_cases(),
            *relu_network_large_cases(), *relu_network_edge_cases()]


def _softmax_case(u: list[float], beta: float, what: str) -> Case:
    return Case(args=(np.array(u, dtype=float), float(beta)), label=f"{what}: u = {u}, beta = {beta:g}")


def _random_pair(rng: np.random.Generator, scale: float) -> list[float]:
    return [plain_number(rng, -scale, scale), plain_number(rng, -scale, scale)]


def softmax_beta_ordinary_cases() -> list[Case]:
    """Random ``u`` of moderate size with random beta in [0.1, 10], and beta = 1."""
    rng = np.random.default_rng(60365)
    return [_softmax_case(_random_pair(rng, 4.0), 1.0 if k == 0 else _random_beta(rng), "ordinary")
            for k in range(5)]


def softmax_beta_large_beta_cases() -> list[Case]:
    """beta from 1e3 to 1e6, with entries far apart, close together and equal."""
    rng = np.random.default_rng(60366)
    centre = plain_number(rng, -3.0, 3.0)
    return [
        _softmax_case(_random_pair(rng, 4.0), 1e3, "large beta"),
        _softmax_case(_random_pair(rng, 4.0), 1e6, "large beta"),
        _softmax_case([centre, centre], 1e6, "large beta, equal entries"),
        _softmax_case([centre, centre + 1.3e-6], 1e6, "large beta, entries 1.3e-6 apart"),
        _softmax_case([centre + 2.7e-4, centre], 1e4, "large beta, entries 2.7e-4 apart"),
    ]


def softmax_beta_large_u_cases() -> list[Case]:
    """Entries of a size where ``exp`` overflows or underflows without the shift."""
    rng = np.random.default_rng(60367)
    big = plain_number(rng, 750.0, 900.0)
    return [
        _softmax_case([big, -plain_number(rng, 750.0, 900.0)], 1.0, "large |u|"),
        _softmax_case([-big, -big - plain_number(rng, 0.2, 3.0)], 1.0, "large |u|"),
        _softmax_case([big, big + plain_number(rng, 0.2, 3.0)], 3.0, "large |u|"),
        _softmax_case([-big, plain_number(rng, -3.0, 3.0)], _random_beta(rng), "large |u|"),
    ]


def softmax_beta_cases() -> list[Case]:
    """Every call of ``softmax_beta``, group by group."""
    return [*softmax_beta_ordinary_cases(), *softmax_beta_large_beta_cases(), *softmax_beta_large_u_cases()]
