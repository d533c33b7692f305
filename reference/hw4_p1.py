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

from grader.calls import Case

__all__ = [
    "OUTPUT_THRESHOLD",
    "P1D_BETAS",
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
    "relu_network",
    "relu_network_cases",
    "softmax_beta",
    "softmax_beta_cases",
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


def relu_network_cases() -> list[Case]:
    """Calls of ``relu_network``: the handout's points, each set of 1(c), several betas, random points."""
    points: list[tuple[float, float, str]] = [(*P1A_INPUT, "x = (3, 14)")]
    for level in P1C_LEVELS:
        poly = level_set_polygon(level)
        (a1, a2), (b1, b2) = poly[0], poly[1]
        points.append((a1, a2, f"vertex of the set where the hidden sum is {level}"))
        points.append(((a1 + b1) / 2, (a2 + b2) / 2, f"edge of the set where the hidden sum is {level}"))
    cases = [Case(args=(float(p), float(q)), kwargs={"beta": 1.0}, label=label) for p, q, label in points]
    for beta in (3.0, 0.1, 1e3):
        cases.append(Case(args=(3.0, 14.0), kwargs={"beta": beta}, label=f"x = (3, 14), beta = {beta:g}"))
        cases.append(Case(args=(0.5, -0.5), kwargs={"beta": beta}, label=f"x = (0.5, -0.5), beta = {beta:g}"))
    rng = np.random.default_rng(6036)
    for _ in range(8):
        p, q = (float(v) for v in np.round(rng.uniform(-6.0, 6.0, size=2), 3))
        beta = float(rng.choice([0.5, 1.0, 2.0, 3.0]))
        cases.append(
            Case(args=(p, q), kwargs={"beta": beta}, label=f"random x = ({p}, {q}), beta = {beta:g}")
        )
    return cases


def softmax_beta_cases() -> list[Case]:
    """Calls of ``softmax_beta``: ordinary inputs, huge beta, huge ``|u|``, random inputs."""
    fixed: list[tuple[list[float], float]] = [
        ([0.0, 2.0], 1.0),
        ([3.0, 0.0], 1.0),
        ([1.0, 1.0], 3.0),
        ([15.0, 0.0], 3.0),
        ([0.3, 0.2], 0.1),
        ([1.0, 0.0], 1e6),
        ([0.0, 1.0], 1e6),
        ([800.0, -800.0], 1.0),
        ([1000.0, 1000.5], 1e3),
        ([-750.0, -760.0], 1e6),
    ]
    cases = [Case(args=(np.array(u), float(b)), label=f"u = {u}, beta = {b:g}") for u, b in fixed]
    rng = np.random.default_rng(6036)
    for _ in range(5):
        u = np.round(rng.normal(0.0, 5.0, size=2), 3)
        beta = float(rng.choice([0.1, 1.0, 3.0, 10.0]))
        cases.append(Case(args=(u, beta), label=f"random u = {u.tolist()}, beta = {beta:g}"))
    return cases
