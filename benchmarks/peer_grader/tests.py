"""The HW4 grader a TA would write with gradescope-utils: unittest, @weight, the answers typed in.

The student's ``hw4.py`` is imported in this process (no sandbox); numbers
are compared with ``assertAlmostEqual``, expressions with sympy's
``parse_expr(...).equals(...)``, functions on about 20 cases against the
TA's own implementation.  It is the peer that ``benchmarks/bench_grade.py``
times the sandboxed grader against.
"""

import importlib.util
import itertools
import os
import sys
import unittest

import numpy as np
import sympy
from gradescope_utils.autograder_utils.decorators import weight
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

_folder = os.environ.get("PEER_SUBMISSION", ".")
sys.path.insert(0, _folder)
_spec = importlib.util.spec_from_file_location("hw4", os.path.join(_folder, "hw4.py"))
hw4 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hw4)

W = np.array([[1, 0, -1], [0, 1, -1], [-1, 0, -1], [0, -1, -1]], dtype=float)
V = np.array([[1, 1, 1, 1, 0], [-1, -1, -1, -1, 2]], dtype=float)
HANDOUT = dict(W_fh=0, W_fx=0, b_f=-100, W_ih=0, W_ix=100, b_i=100, W_oh=0, W_ox=100, b_o=0, W_ch=-100, W_cx=50,
               b_c=0)
X1, X2, Z, X, W1, W2, B, T, ETA = sympy.symbols("x1 x2 z x w1 w2 b t eta", real=True)
NAMES = {"x1": X1, "x2": X2, "z": Z, "x": X, "w1": W1, "w2": W2, "b": B, "t": T, "eta": ETA,
         "sigma": lambda u: 1 / (1 + sympy.exp(-u)), "relu": lambda u: sympy.Max(u, 0),
         "Heaviside": sympy.Heaviside, "exp": sympy.exp, "Max": sympy.Max}
RNG = np.random.default_rng(6036)


def parse(text):
    return parse_expr(str(text), local_dict=dict(NAMES), transformations=standard_transformations + (convert_xor,))


def softmax(u, beta):
    e = np.exp(beta * (np.asarray(u, dtype=float) - np.max(u)))
    return e / e.sum()


def network(x1, x2, beta=1.0):
    fz = np.maximum(W[:, :2] @ [x1, x2] + W[:, 2], 0)
    return softmax(np.maximum(V[:, :4] @ fz + V[:, 4], 0), beta)


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def lstm(xs, p):
    h = c = 0.0
    out = []
    for x in xs:
        f = sigmoid(p["W_fh"] * h + p["W_fx"] * x + p["b_f"])
        i = sigmoid(p["W_ih"] * h + p["W_ix"] * x + p["b_i"])
        o = sigmoid(p["W_oh"] * h + p["W_ox"] * x + p["b_o"])
        c = f * c + i * np.tanh(p["W_ch"] * h + p["W_cx"] * x + p["b_c"])
        h = float(round(o * np.tanh(c)))
        out.append(int(h))
    return out


def backprop(weights, biases, x, f, fp, dC_da):
    a, zs = [np.asarray(x, dtype=float)], []
    for w, b in zip(weights, biases, strict=True):
        zs.append(w @ a[-1] + b)
        a.append(f(zs[-1]))
    delta = dC_da(a[-1]) * fp(zs[-1])
    dW, db = [None] * len(weights), [None] * len(weights)
    for layer in range(len(weights) - 1, -1, -1):
        dW[layer], db[layer] = np.outer(delta, a[layer]), delta
        if layer:
            delta = (weights[layer].T @ delta) * fp(zs[layer - 1])
    return dW, db


def same_polygon(given, expected):
    given = [tuple(round(float(c), 6) for c in v) for v in given]
    expected = [tuple(float(c) for c in v) for v in expected]
    if sorted(given) != sorted(expected):
        return False
    start = given.index(expected[0])
    turned = given[start:] + given[:start]
    return turned == expected or [turned[0], *turned[:0:-1]] == expected


class TestProblem1(unittest.TestCase):
    @weight(5)
    def test_p1a(self):
        o1, o2 = hw4.p1a_output
        self.assertAlmostEqual(o1, 0.999999694097773, places=6)
        self.assertAlmostEqual(o2 / 3.059022269256247e-07, 1.0, places=2)

    @weight(6)
    def test_p1b(self):
        expected = ["x1 - 1 > 0", "x2 - 1 > 0", "-x1 - 1 > 0", "-x2 - 1 > 0"]
        points = RNG.uniform(-6, 6, size=(40, 2))
        for given, want in zip(hw4.p1b_positive_sides, expected, strict=True):
            g, e = parse(given), parse(want)
            for p in points:
                at = {X1: p[0], X2: p[1]}
                self.assertEqual(bool(g.subs(at)), bool(e.subs(at)))

    @weight(4)
    def test_p1c_region_0(self):
        self.assertTrue(same_polygon(hw4.p1c_region_0, [(-1, -1), (1, -1), (1, 1), (-1, 1)]))

    @weight(4)
    def test_p1c_curve_1(self):
        self.assertTrue(same_polygon(hw4.p1c_curve_1, [(-2, -1), (-1, -2), (1, -2), (2, -1), (2, 1), (1, 2), (-1, 2),
                                                       (-2, 1)]))

    @weight(4)
    def test_p1c_curve_3(self):
        self.assertTrue(same_polygon(hw4.p1c_curve_3, [(-4, -1), (-1, -4), (1, -4), (4, -1), (4, 1), (1, 4), (-1, 4),
                                                       (-4, 1)]))

    @weight(6)
    def test_p1c_outputs(self):
        expected = {0: (0.11920292202211755, 0.8807970779778823), 1: (0.5, 0.5),
                    3: (0.9525741268224334, 0.04742587317756679)}
        for level, want in expected.items():
            for g, e in zip(hw4.p1c_outputs[level], want, strict=True):
                self.assertAlmostEqual(g, e, places=4)

    @weight(3)
    def test_p1d_region_change(self):
        self.assertEqual(hw4.p1d_region_change.strip().lower(), "shrinks")

    @weight(2)
    def test_p1d_areas(self):
        for g, e in zip(hw4.p1d_areas, (154.66056137395768, 33.01873753692606), strict=True):
            self.assertAlmostEqual(g / e, 1.0, places=2)

    @weight(2)
    def test_softmax_beta(self):
        for _ in range(20):
            u, beta = RNG.normal(size=2) * 5, float(RNG.choice([1, 3, 10, 1e6]))
            np.testing.assert_allclose(hw4.softmax_beta(u, beta), softmax(u, beta), rtol=1e-2, atol=1e-6)

    @weight(8)
    def test_relu_network(self):
        for _ in range(20):
            x1, x2 = RNG.uniform(-6, 6, size=2)
            beta = float(RNG.choice([1.0, 3.0]))
            np.testing.assert_allclose(hw4.relu_network(x1, x2, beta), network(x1, x2, beta), rtol=1e-2, atol=1e-9)


class TestProblem2(unittest.TestCase):
    @weight(4)
    def test_p2a(self):
        self.assertEqual(list(hw4.p2a_h_seq1), [0, 0, 1, -1, 1, 0])
        self.assertEqual(list(hw4.p2a_h_seq2), [1, -1, 0, 1, -1])

    @weight(8)
    def test_p2c(self):
        for n in range(1, 9):
            for xs in itertools.product([0, 1], repeat=n):
                self.assertEqual(lstm(xs, hw4.p2c_params), [-h for h in lstm(xs, HANDOUT)])

    @weight(4)
    def test_p2d(self):
        for n in range(1, 9):
            for xs in itertools.product([-1, 1], repeat=n):
                sums = np.cumsum(xs)
                self.assertEqual(lstm(xs, hw4.p2d_params), [int(np.sign(s)) for s in sums])

    @weight(10)
    def test_lstm_run(self):
        for _ in range(20):
            xs = [int(v) for v in RNG.integers(0, 2, size=int(RNG.integers(1, 9)))]
            params = {k: float(v) for k, v in zip(HANDOUT, RNG.choice([-100, -50, 0, 50, 100], size=12), strict=True)}
            self.assertEqual(list(hw4.lstm_run(xs, params)), lstm(xs, params))


class TestProblem3(unittest.TestCase):
    @weight(11)
    def test_backprop(self):
        f, fp = sigmoid, lambda v: sigmoid(v) * (1 - sigmoid(v))
        for _ in range(20):
            sizes = [int(n) for n in RNG.integers(1, 5, size=int(RNG.integers(2, 5)))]
            weights = [RNG.normal(size=(b, a)) for a, b in itertools.pairwise(sizes)]
            biases = [RNG.normal(size=b) for b in sizes[1:]]
            x, target = RNG.normal(size=sizes[0]), RNG.normal(size=sizes[-1])
            grad = lambda a, target=target: a - target  # noqa: E731
            dW, db = hw4.backprop(weights, biases, x, f, fp, grad)
            eW, eb = backprop(weights, biases, x, f, fp, grad)
            for g, e in zip([*dW, *db], [*eW, *eb], strict=True):
                np.testing.assert_allclose(np.reshape(g, np.shape(e)), e, rtol=1e-2, atol=1e-6)

    @weight(3)
    def test_p3b(self):
        self.assertTrue(parse(hw4.p3b_sigmoid_prime).equals(parse("exp(-z)/(1 + exp(-z))**2")))

    @weight(4)
    def test_p3c_dC_dw1(self):
        want = "w2*x*(-t + 1/(exp(-b - w2*Max(0, w1*x)) + 1))*exp(-b - w2*Max(0, w1*x))*Heaviside(w1*x)" \
               "/(exp(-b - w2*Max(0, w1*x)) + 1)**2"
        self.assertTrue(parse(hw4.p3c_dC_dw1).equals(parse(want)))

    @weight(4)
    def test_p3c_dC_dw2(self):
        want = "(-t + 1/(exp(-b - w2*Max(0, w1*x)) + 1))*exp(-b - w2*Max(0, w1*x))*Max(0, w1*x)" \
               "/(exp(-b - w2*Max(0, w1*x)) + 1)**2"
        self.assertTrue(parse(hw4.p3c_dC_dw2).equals(parse(want)))

    @weight(3)
    def test_p3d(self):
        self.assertAlmostEqual(hw4.p3d_dC_dw1 / 2.080916562170455, 1.0, places=2)
        self.assertAlmostEqual(hw4.p3d_dC_dw2 / -0.00416183312434091, 1.0, places=2)

    @weight(3)
    def test_p3d_w1_update(self):
        want = parse("15*eta*(-1 + 1/(1 + exp(23/20)))*exp(23/20)/(1 + exp(23/20))**2 + 1/100")
        given = parse(hw4.p3d_w1_update)
        for eta in (0.5, 2.0):  # the student's decimals are not exactly the reference's exponentials
            self.assertAlmostEqual(float(given.subs(ETA, eta)), float(want.subs(ETA, eta)), places=4)

    @weight(2)
    def test_p3e(self):
        self.assertIs(hw4.p3e_w1_updated_again, False)
