"""A full-credit HW4 submission written with plain numbers and functions."""

import numpy as np

W = np.array([[1, 0, -1], [0, 1, -1], [-1, 0, -1], [0, -1, -1]], dtype=float)
V = np.array([[1, 1, 1, 1, 0], [-1, -1, -1, -1, 2]], dtype=float)


def softmax_beta(u, beta):
    u = np.asarray(u, dtype=float) * beta
    e = np.exp(u - u.max())
    return e / e.sum()


def relu_network(x1, x2, beta=1.0):
    z = W[:, 0] * x1 + W[:, 1] * x2 + W[:, 2]
    fz = np.maximum(z, 0)
    u = V[:, :4] @ fz + V[:, 4]
    o = softmax_beta(np.maximum(u, 0), beta)
    return (float(o[0]), float(o[1]))


p1a_output = relu_network(3, 14)
p1b_positive_sides = ["x1 - 1 > 0", "x2 - 1 > 0", "-x1 - 1 > 0", "-x2 - 1 > 0"]
p1c_region_0 = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
p1c_curve_1 = [(2, -1), (2, 1), (1, 2), (-1, 2), (-2, 1), (-2, -1), (-1, -2), (1, -2)]
p1c_curve_3 = [(4, -1), (4, 1), (1, 4), (-1, 4), (-4, 1), (-4, -1), (-1, -4), (1, -4)]
p1c_outputs = {0: relu_network(0, 0), 1: relu_network(2, 0), 3: relu_network(4, 0)}
p1d_region_change = "shrinks"


def _area(beta):
    s = np.log(999) / beta  # the region is where the sum of hidden outputs is at most s
    return (2 + 2 * s) ** 2 - 2 * s**2


p1d_areas = (_area(1), _area(3))


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def lstm_run(xs, params):
    p = params
    h, c, hs = 0.0, 0.0, []
    for x in xs:
        f = sigmoid(p["W_fh"] * h + p["W_fx"] * x + p["b_f"])
        i = sigmoid(p["W_ih"] * h + p["W_ix"] * x + p["b_i"])
        o = sigmoid(p["W_oh"] * h + p["W_ox"] * x + p["b_o"])
        c = f * c + i * np.tanh(p["W_ch"] * h + p["W_cx"] * x + p["b_c"])
        h = float(round(o * np.tanh(c)))
        hs.append(int(h))
    return hs


HANDOUT = dict(W_fh=0, W_fx=0, b_f=-100, W_ih=0, W_ix=100, b_i=100,
               W_oh=0, W_ox=100, b_o=0, W_ch=-100, W_cx=50, b_c=0)
p2a_h_seq1 = lstm_run([0, 0, 1, 1, 1, 0], HANDOUT)
p2a_h_seq2 = lstm_run([1, 1, 0, 1, 1], HANDOUT)
p2b_interpretation = (
    "h_t is 1 when the run of ones ending at t has odd length, -1 when it has even length, "
    "and 0 after a zero: it tracks the parity of the current run of ones."
)
p2c_params = dict(HANDOUT, W_cx=-50)
p2d_params = dict(W_fh=0, W_fx=0, b_f=100, W_ih=0, W_ix=0, b_i=100,
                  W_oh=0, W_ox=0, b_o=100, W_ch=0, W_cx=1, b_c=0)


def backprop(weights, biases, x, f, f_prime, dC_da):
    activations, zs = [np.asarray(x, dtype=float)], []
    for w, b in zip(weights, biases):
        zs.append(w @ activations[-1] + b)
        activations.append(f(zs[-1]))
    delta = dC_da(activations[-1]) * f_prime(zs[-1])
    dW, db = [None] * len(weights), [None] * len(weights)
    for layer in range(len(weights) - 1, -1, -1):
        dW[layer] = np.outer(delta, activations[layer])
        db[layer] = delta
        if layer:
            delta = (weights[layer].T @ delta) * f_prime(zs[layer - 1])
    return dW, db


p3a_sgd = (
    "For each example: run the forward pass, compute delta^L, propagate the deltas back, "
    "then w <- w - eta * a^{l-1} delta^l and b <- b - eta * delta^l."
)
p3b_sigmoid_prime = "exp(-z) / (1 + exp(-z))**2"
p3c_dC_dw1 = ("(sigma(w2*relu(w1*x) + b) - t) * sigma(w2*relu(w1*x) + b) * (1 - sigma(w2*relu(w1*x) + b))"
              " * w2 * Heaviside(w1*x) * x")
p3c_dC_dw2 = ("(sigma(w2*relu(w1*x) + b) - t) * sigma(w2*relu(w1*x) + b) * (1 - sigma(w2*relu(w1*x) + b))"
              " * relu(w1*x)")

_x, _t, _w1, _w2, _b = 3, 1, 0.01, -5, -1
_y = sigmoid(_w2 * max(_w1 * _x, 0) + _b)
p3d_dC_dw1 = (_y - _t) * _y * (1 - _y) * _w2 * _x
p3d_dC_dw2 = (_y - _t) * _y * (1 - _y) * max(_w1 * _x, 0)
p3d_w1_update = f"0.01 - eta * {float(p3d_dC_dw1)!r}"
p3e_w1_updated_again = False
p3e_explanation = (
    "A huge step makes w1 negative, so w1*x < 0, the ReLU outputs 0 and its gradient is 0: "
    "w1 is never updated again (a dead unit). A sigmoid never has a zero gradient."
)
