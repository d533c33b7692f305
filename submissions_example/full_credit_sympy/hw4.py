"""A full-credit HW4 submission written with sympy objects and strings in other forms."""

import math
from fractions import Fraction

import numpy as np
import sympy as sp

x1, x2 = sp.symbols("x1 x2", real=True)
x, w1, w2, b, t, z, eta = sp.symbols("x w1 w2 b t z eta", real=True)


def sig(v):
    return 1 / (1 + sp.exp(-v))


# 1(a): exact sympy values (u1 = 15, u2 = 0 after the output ReLU)
p1a_output = [sp.exp(15) / (sp.exp(15) + 1), 1 / (sp.exp(15) + 1)]
# 1(b): relations in other forms
p1b_positive_sides = [sp.Gt(x1, 1), "1 < x2", "x1 < -1", "-x2 - 1 >= 0"]
# 1(c): the square as a relation; octagons from another vertex and in the other direction
p1c_region_0 = "(x1 >= -1) & (x1 <= 1) & (-1 <= x2) & (x2 <= 1)"
p1c_curve_1 = [(-1, 2), (1, 2), (2, 1), (2, -1), (1, -2), (-1, -2), (-2, -1), (-2, 1)]
p1c_curve_3 = [(1, 4), (4, 1), (4, -1), (1, -4), (-1, -4), (-4, -1), (-4, 1), (-1, 4)]
p1c_outputs = {
    "0": ("1/(1+exp(2))", "1/(1+exp(-2))"),
    "1": (Fraction(1, 2), 0.5),
    "3": (sp.exp(3) / (1 + sp.exp(3)), 1 / (1 + sp.exp(3))),
}
p1d_region_change = "  Shrinks "
p1d_areas = np.array([float((2 + 2 * sp.log(999)) ** 2 - 2 * sp.log(999) ** 2),
                      float((2 + 2 * sp.log(999) / 3) ** 2 - 2 * (sp.log(999) / 3) ** 2)])


def softmax_beta(u, beta):
    a = np.asarray(u, dtype=float) * beta
    a = a - np.max(a)
    return np.exp(a) / np.sum(np.exp(a))


def relu_network(x1, x2, beta=1.0):
    h = [max(x1 - 1, 0), max(x2 - 1, 0), max(-x1 - 1, 0), max(-x2 - 1, 0)]
    u1, u2 = sum(h), 2 - sum(h)
    o = softmax_beta([max(u1, 0), max(u2, 0)], beta)
    return o[0], o[1]


def lstm_run(xs, params):
    g = lambda v: 1 / (1 + math.exp(-v)) if v > -700 else 0.0  # noqa: E731
    h = c = 0
    out = []
    for xt in xs:
        f = g(params["W_fh"] * h + params["W_fx"] * xt + params["b_f"])
        i = g(params["W_ih"] * h + params["W_ix"] * xt + params["b_i"])
        o = g(params["W_oh"] * h + params["W_ox"] * xt + params["b_o"])
        c = f * c + i * math.tanh(params["W_ch"] * h + params["W_cx"] * xt + params["b_c"])
        h = round(o * math.tanh(c))
        out.append(h)
    return out


p2a_h_seq1 = np.array([0, 0, 1, -1, 1, -0.0])
p2a_h_seq2 = (1, -1, 0, 1, -1)
p2b_interpretation = "Whether the current run of 1s has odd (+1) or even (-1) length; 0 after a 0."
p2c_params = {"W_fh": 0, "W_fx": 0, "b_f": -100, "W_ih": 0, "W_ix": 100, "b_i": 100,
              "W_oh": 0, "W_ox": 100, "b_o": 0, "W_ch": -100, "W_cx": "-50", "b_c": 0}
p2d_params = {"W_fh": 0, "W_fx": 0, "b_f": 50, "W_ih": 0, "W_ix": 0, "b_i": 50,
              "W_oh": 0, "W_ox": 0, "b_o": 50, "W_ch": 0, "W_cx": 2, "b_c": 0}


def backprop(weights, biases, x, f, f_prime, dC_da):
    a, zs, acts = np.asarray(x, float), [], []
    for W_, b_ in zip(weights, biases):
        acts.append(a)
        zs.append(W_ @ a + b_)
        a = f(zs[-1])
    delta = dC_da(a) * f_prime(zs[-1])
    dW, db = [], []
    for layer in reversed(range(len(weights))):
        dW.insert(0, delta[:, None] * acts[layer][None, :])
        db.insert(0, delta)
        delta = weights[layer].T @ delta * (f_prime(zs[layer - 1]) if layer else 1)
    return dW, db


p3a_sgd = "Compute the gradients with backprop for one example, then step every weight against them."
p3b_sigmoid_prime = "exp(-z) / (1 + exp(-z))^2"  # ^ also means power
_y = sig(w2 * sp.Max(w1 * x, 0) + b)
p3c_dC_dw1 = "(1/(1+exp(-(w2*ReLU(w1*x)+b))) - t) * sigmoid(w2*ReLU(w1*x)+b)*(1-sigmoid(w2*ReLU(w1*x)+b)) * w2 * step(w1*x) * x"
p3c_dC_dw2 = sp.diff((_y - t) ** 2 / 2, w2)
p3d_dC_dw1 = "(1/(1+exp(1.15)) - 1) * exp(1.15)/(1+exp(1.15))**2 * (-5) * 3"
p3d_dC_dw2 = sp.Float(-0.00417, 6)
p3d_w1_update = w1 - eta * (sig(w2 * w1 * x + b) - t) * sig(w2 * w1 * x + b) * (1 - sig(w2 * w1 * x + b)) * w2 * x
p3e_w1_updated_again = np.bool_(False)
p3e_explanation = "w1 goes negative, the ReLU is dead (zero gradient) and w1 stays stuck forever."
