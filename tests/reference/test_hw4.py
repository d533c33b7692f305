"""The reference solution checked against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from grader.sandbox.calls import Case, Named, resolve_args
from reference import hw4

# --- Problem 1 ----------------------------------------------------------------------


def _o2_grid(x1: np.ndarray, x2: np.ndarray, beta: float) -> np.ndarray:
    """o2 by explicit matrix algebra, vectorised over points."""
    xs = np.stack([x1, x2, np.ones_like(x1)])
    hidden = np.maximum(hw4.W @ xs, 0.0)
    u = np.maximum(hw4.V @ np.vstack([hidden, np.ones_like(x1)]), 0.0)
    return 1.0 / (1.0 + np.exp(np.clip(beta * (u[0] - u[1]), -700, 700)))


def _shoelace(poly: list[tuple[float, float]]) -> float:
    pts = np.array(poly)
    nxt = np.roll(pts, -1, axis=0)
    return float(np.sum(pts[:, 0] * nxt[:, 1] - nxt[:, 0] * pts[:, 1]) / 2)


def test_p1a_matches_matrix_algebra() -> None:
    z = hw4.W[:, :2] @ np.array([3.0, 14.0]) + hw4.W[:, 2]
    u = np.maximum(hw4.V @ np.append(np.maximum(z, 0), 1.0), 0)
    o1 = math.exp(u[0]) / (math.exp(u[0]) + math.exp(u[1]))
    assert hw4.p1a_output() == pytest.approx((o1, 1 - o1), rel=1e-12)
    assert hw4.p1a_output()[1] == pytest.approx(math.exp(-15) / (1 + math.exp(-15)), rel=1e-9)


def test_relu_network_matches_vectorised_formula_on_every_case() -> None:
    cases = hw4.relu_network_cases()
    assert 15 <= len(cases) <= 40
    for case in cases:
        x1, x2 = case.args
        assert isinstance(x1, float) and isinstance(x2, float)
        beta = case.kwargs.get("beta", 1.0)
        o1, o2 = hw4.relu_network(x1, x2, beta=beta)
        assert o2 == pytest.approx(_o2_grid(np.array([x1]), np.array([x2]), beta)[0], rel=1e-9, abs=1e-300)
        assert o1 + o2 == pytest.approx(1.0)
    betas = {c.kwargs.get("beta", 1.0) for c in cases}
    assert betas >= {1.0, 3.0, 1e3} and min(betas) < 0.1


def test_softmax_beta_finite_and_correct() -> None:
    cases = hw4.softmax_beta_cases()
    assert 12 <= len(cases) <= 20
    assert any(c.args[1] >= 1e6 for c in cases)
    for case in cases:
        u, beta = case.args
        assert isinstance(u, np.ndarray) and u.dtype == np.float64
        out = hw4.softmax_beta(u, beta)
        assert np.all(np.isfinite(out)) and out.sum() == pytest.approx(1.0)
        with np.errstate(over="ignore", invalid="ignore"):
            naive = np.exp(beta * u) / np.sum(np.exp(beta * u))
        if np.all(np.isfinite(naive)):
            np.testing.assert_allclose(out, naive, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(hw4.softmax_beta(np.array([1e300, -1e300]), 1e6), [1.0, 0.0])
    np.testing.assert_allclose(hw4.softmax_beta(np.array([2.0, 2.0, 2.0]), 1e6), [1 / 3] * 3)


def test_p1b_sides_match_hidden_units() -> None:
    sides = hw4.p1b_positive_sides()
    assert len(sides) == 4 and all(isinstance(s, sp.StrictGreaterThan) for s in sides)
    assert {s.name for rel in sides for s in rel.free_symbols} <= {"x1", "x2"}
    rng = np.random.default_rng(0)
    for p, q in rng.uniform(-4, 4, size=(50, 2)):
        z = hw4.W[:, 0] * p + hw4.W[:, 1] * q + hw4.W[:, 2]
        assert [bool(s.subs({hw4.X1: p, hw4.X2: q})) for s in sides] == list(z > 0)


@pytest.mark.parametrize("level", [0, 1, 3, 0.5, 2.5])
def test_level_set_polygon_is_convex_ccw_on_the_level(level: float) -> None:
    poly = hw4.level_set_polygon(level)
    assert len(poly) >= 3
    for p in poly:
        assert hw4.hidden_sum(*p) == pytest.approx(level, abs=1e-12)
    n = len(poly)
    for k in range(n):
        (a, b), (c, d), (e, f) = poly[k - 1], poly[k], poly[(k + 1) % n]
        assert (c - a) * (f - d) - (d - b) * (e - c) > 1e-9
    for k in range(n):  # edge midpoints lie on the level set too
        (a, b), (c, d) = poly[k], poly[(k + 1) % n]
        assert hw4.hidden_sum((a + c) / 2, (b + d) / 2) == pytest.approx(level, abs=1e-12)


def test_p1c_sets() -> None:
    assert hw4.p1c_region_0() == hw4.level_set_polygon(0)
    assert _shoelace(hw4.p1c_region_0()) == pytest.approx(4.0)
    rng = np.random.default_rng(1)
    for p, q in rng.uniform(-3, 3, size=(200, 2)):
        inside = max(abs(p), abs(q)) <= 1
        assert (hw4.hidden_sum(p, q) == 0) == inside
    assert len(hw4.p1c_curve_1()) == len(hw4.p1c_curve_3()) == 8


def test_p1c_outputs() -> None:
    outputs = hw4.p1c_outputs()
    assert set(outputs) == {0, 1, 3}
    e2 = math.exp(2)
    assert outputs[0] == pytest.approx((1 / (1 + e2), e2 / (1 + e2)))
    assert outputs[1] == pytest.approx((0.5, 0.5))
    assert outputs[3] == pytest.approx((1 / (1 + math.exp(-3)), math.exp(-3) / (1 + math.exp(-3))))
    for level, poly in [(1, hw4.p1c_curve_1()), (3, hw4.p1c_curve_3())]:
        for p in poly:
            assert hw4.relu_network(*p) == pytest.approx(outputs[level])
    assert hw4.relu_network(0.3, -0.7) == pytest.approx(outputs[0])
    assert hw4.p1c_outputs_without_output_relu()[3] == pytest.approx((0.9820, 0.0180), abs=1e-4)


@pytest.mark.parametrize("beta", [1, 3, 10, 0.5])
def test_p1d_area_matches_monte_carlo(beta: float) -> None:
    exact = hw4.p1d_area(beta)
    assert exact.free_symbols == set()
    half = 1.0 + float(hw4.p1d_threshold(beta)) + 0.5
    rng = np.random.default_rng(6036)
    pts = rng.uniform(-half, half, size=(2, 200_000))
    estimate = np.mean(_o2_grid(pts[0], pts[1], beta) >= 1e-3) * (2 * half) ** 2
    assert float(exact) == pytest.approx(estimate, rel=0.015)


def test_p1d_answers() -> None:
    log999 = sp.log(999)
    assert sp.simplify(hw4.p1d_areas_exact()[0] - (4 + 8 * log999 + 2 * log999**2)) == 0
    a1, a3 = hw4.p1d_areas()
    assert (a1, a3) == pytest.approx(tuple(float(a) for a in hw4.p1d_areas_exact()))
    assert a3 < a1
    assert hw4.p1d_region_change() == "shrinks"
    assert hw4.p1d_region_change_mistake() == "grows"
    # the area of the sublevel set agrees with the shoelace area of the level-set polygon
    assert float(hw4.sublevel_area(3)) == pytest.approx(_shoelace(hw4.p1c_curve_3()))


# --- Problem 2 ----------------------------------------------------------------------


def test_p2a_tables() -> None:
    assert hw4.p2a_h_seq1() == [0, 0, 1, -1, 1, 0]
    assert hw4.p2a_h_seq2() == [1, -1, 0, 1, -1]
    assert hw4.p2a_h_seq1_flipped_wch() == list(hw4.SEQ1)
    assert hw4.p2a_h_seq2_flipped_wch() == list(hw4.SEQ2)
    assert hw4.p2a_h_seq2_unrounded_shortcut() == pytest.approx([1, -1, 0.5, 0, 1], abs=1e-9)
    assert all(isinstance(h, float) for h in hw4.p2a_h_seq1_unrounded_shortcut())


def test_params_dicts_have_exactly_the_keys() -> None:
    assert len(hw4.PARAM_KEYS) == 12
    for params in (hw4.HANDOUT_PARAMS, hw4.p2c_params(), hw4.p2d_params()):
        assert tuple(params) == hw4.PARAM_KEYS
        assert all(isinstance(v, float) for v in params.values())
    assert hw4.HANDOUT_PARAMS["W_ih"] == 0 and hw4.HANDOUT_PARAMS["W_ch"] == -100


def test_all_sequences_counts() -> None:
    seqs = list(hw4.all_sequences((0, 1)))
    assert len(seqs) == sum(2**k for k in range(1, 9)) and len(set(seqs)) == len(seqs)
    assert list(hw4.all_sequences("ab", max_len=2)) == [
        ("a",),
        ("b",),
        ("a", "a"),
        ("a", "b"),
        ("b", "a"),
        ("b", "b"),
    ]


def test_p2c_negates_every_binary_sequence() -> None:
    params = hw4.p2c_params()
    for xs in hw4.all_sequences((0, 1)):
        original = hw4.lstm_run(xs, hw4.HANDOUT_PARAMS)
        assert hw4.lstm_run(xs, params) == [-h for h in original] == hw4.p2c_target(xs)


def test_p2d_gives_sign_of_sum_for_every_pm1_sequence() -> None:
    params = hw4.p2d_params()
    for xs in hw4.all_sequences((-1, 1)):
        expected = [int(v) for v in np.sign(np.cumsum(xs))]
        assert hw4.lstm_run(xs, params) == expected == hw4.p2d_target(xs)
    assert hw4.lstm_run_unrounded([1, 1, -1], params) == pytest.approx(np.tanh([1, 2, 1]))


def test_lstm_rounding_is_half_to_even_and_fed_back() -> None:
    half = {**dict.fromkeys(hw4.PARAM_KEYS, 0.0), "b_f": 100.0, "b_i": 100.0, "W_cx": 100.0}
    # o = sigmoid(0) = 1/2 and c = t + 1, so h reaches exactly 1/2 once tanh(c) == 1.0
    assert hw4.lstm_run_unrounded([1] * 25, half)[-1] == 0.5
    assert hw4.lstm_run([1] * 25, half) == [0] * 25
    assert hw4.lstm_run([-1] * 25, half) == [0] * 25
    # the handout's run differs when h is not rounded before feeding back
    assert hw4.lstm_run_unrounded(hw4.SEQ2, hw4.HANDOUT_PARAMS)[3] == pytest.approx(0.7616, abs=1e-3)


def test_lstm_run_cases() -> None:
    cases = hw4.lstm_run_cases()
    assert 12 <= len(cases) <= 18
    for case in cases:
        xs, params = case.args
        assert isinstance(xs, list) and tuple(params) == hw4.PARAM_KEYS
        assert len(hw4.lstm_run(xs, params)) == len(xs)
    assert cases[0].args == (list(hw4.SEQ1), hw4.HANDOUT_PARAMS)


# --- Problem 3 ----------------------------------------------------------------------


def _network_loss(weights, biases, x, f, target) -> float:
    a = x
    for w, b in zip(weights, biases, strict=True):
        a = f(w @ a + b)
    return 0.5 * float(np.sum((a - np.asarray(target)) ** 2))


def test_backprop_matches_finite_differences() -> None:
    cases = hw4.backprop_cases()
    assert 10 <= len(cases) <= 14
    assert {len(c.args[0]) for c in cases} == {1, 2, 3, 4}
    eps = 1e-6
    for case in cases:
        weights, biases, x, f, f_prime, dC_da = resolve_args(case.args)
        target = dict(case.args[5].params)["target"]
        dW, db = hw4.backprop(weights, biases, x, f, f_prime, dC_da)
        assert [g.shape for g in dW] == [w.shape for w in weights]
        assert [g.shape for g in db] == [b.shape for b in biases]
        for params, grads in ((weights, dW), (biases, db)):
            for p, g in zip(params, grads, strict=True):
                for idx in np.ndindex(p.shape):
                    saved = p[idx]
                    p[idx] = saved + eps
                    up = _network_loss(weights, biases, x, f, target)
                    p[idx] = saved - eps
                    down = _network_loss(weights, biases, x, f, target)
                    p[idx] = saved
                    assert g[idx] == pytest.approx((up - down) / (2 * eps), abs=1e-6), case.label


def test_backprop_cases_use_named_helpers() -> None:
    for case in hw4.backprop_cases():
        assert isinstance(case, Case)
        assert all(isinstance(a, Named) for a in case.args[3:])
        assert all(w.dtype == np.float64 for w in case.args[0])


def _loss_value(x: float, w1: float, w2: float, b: float, t: float) -> float:
    y = 1 / (1 + math.exp(-(w2 * max(w1 * x, 0.0) + b)))
    return 0.5 * (y - t) ** 2


def test_p3b_sigmoid_prime() -> None:
    z = hw4.Z
    assert z.name == "z" and z.is_real
    for v in (-3.0, -0.5, 0.0, 1.2, 4.0):
        s = 1 / (1 + math.exp(-v))
        assert float(hw4.p3b_sigmoid_prime().subs(z, v)) == pytest.approx(s * (1 - s))
    assert float(hw4.p3b_sigmoid_prime_mistake().subs(z, 1.2)) == pytest.approx(1 - 1 / (1 + math.exp(-1.2)))


def test_p3c_matches_finite_differences() -> None:
    names = [hw4.X, hw4.W1, hw4.W2, hw4.B, hw4.T]
    assert [s.name for s in names] == ["x", "w1", "w2", "b", "t"]
    dw1, dw2 = hw4.p3c_dC_dw1(), hw4.p3c_dC_dw2()
    assert dw1.has(sp.Heaviside(hw4.W1 * hw4.X))
    rng = np.random.default_rng(3)
    eps = 1e-6
    for _ in range(20):
        x, w1, w2, b, t = rng.uniform(-3, 3, size=5)
        if abs(w1 * x) < 0.05:
            continue
        point = dict(zip(names, (x, w1, w2, b, t), strict=True))
        fd1 = (_loss_value(x, w1 + eps, w2, b, t) - _loss_value(x, w1 - eps, w2, b, t)) / (2 * eps)
        fd2 = (_loss_value(x, w1, w2 + eps, b, t) - _loss_value(x, w1, w2 - eps, b, t)) / (2 * eps)
        assert float(dw1.subs(point)) == pytest.approx(fd1, abs=1e-7)
        assert float(dw2.subs(point)) == pytest.approx(fd2, abs=1e-7)
        assert float(hw4.p3c_dC_dw1_factor_two().subs(point)) == pytest.approx(2 * fd1, abs=1e-7)
        assert float(hw4.p3c_dC_dw2_factor_two().subs(point)) == pytest.approx(2 * fd2, abs=1e-7)
        no_relu = float(hw4.p3c_dC_dw1_no_relu_derivative().subs(point))
        assert (no_relu == pytest.approx(fd1, abs=1e-7)) == (w1 * x > 0)


def test_p3d_values() -> None:
    y = 1 / (1 + math.exp(1.15))
    sp_prime = y * (1 - y)
    assert hw4.p3d_dC_dw1() == pytest.approx((y - 1) * sp_prime * -5 * 3, rel=1e-12)
    assert hw4.p3d_dC_dw2() == pytest.approx((y - 1) * sp_prime * 0.03, rel=1e-12)
    assert hw4.p3d_dC_dw1_no_sigma_prime() == pytest.approx(11.39, abs=5e-3)
    assert hw4.p3d_dC_dw2_no_sigma_prime() == pytest.approx(-0.0228, abs=5e-5)
    assert hw4.p3d_dC_dw1_factor_two() == pytest.approx(2 * hw4.p3d_dC_dw1())
    assert hw4.p3d_dC_dw2_factor_two() == pytest.approx(2 * hw4.p3d_dC_dw2())


def test_p3d_update_and_p3e() -> None:
    update = hw4.p3d_w1_update()
    assert update.free_symbols == {hw4.ETA}
    assert update.subs(hw4.ETA, 0) == sp.Rational(1, 100)
    assert float(sp.diff(update, hw4.ETA)) == pytest.approx(-hw4.p3d_dC_dw1())
    assert float(update.subs(hw4.ETA, 10**6)) < 0
    assert hw4.p3e_w1_updated_again() is False


# --- the whole module ---------------------------------------------------------------

_ZERO_ARG = [
    name
    for name in hw4.__all__
    if name.startswith(("p1", "p2", "p3"))
    and name not in {"p1d_area", "p1d_threshold", "p2c_target", "p2d_target"}
]


def test_zero_argument_functions_are_deterministic() -> None:
    for name in _ZERO_ARG:
        first, second = getattr(hw4, name)(), getattr(hw4, name)()
        assert first == second, name


def test_cases_are_deterministic() -> None:
    for name in ("relu_network_cases", "lstm_run_cases"):
        assert getattr(hw4, name)() == getattr(hw4, name)()
    a, b = hw4.softmax_beta_cases(), hw4.softmax_beta_cases()
    assert all(
        np.array_equal(c.args[0], d.args[0]) and c.args[1] == d.args[1] for c, d in zip(a, b, strict=True)
    )
