"""A partial-credit HW4 submission showing the mistakes seen most in real work."""

import numpy as np
import matplotlib.pyplot as plt  # not installed on the grader: this line fails, the rest still runs


def softmax_beta(u, beta):
    e = np.exp(beta * np.asarray(u, dtype=float))  # overflows for large beta
    return e / e.sum()


def relu_network(x1, x2, beta=1.0):
    s = max(x1 - 1, 0) + max(x2 - 1, 0) + max(-x1 - 1, 0) + max(-x2 - 1, 0)
    u = np.array([s, 2 - s])  # mistake: no ReLU on the output layer
    return tuple(softmax_beta(u, beta))


p1a_output = (0.9999997, 3.06e-7)  # right
p1b_positive_sides = ["x1 > 1", "x2 > 1", "x1 > -1", "x2 < -1"]  # unit 3: the wrong side
p1c_region_0 = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
p1c_curve_1 = [(2, 1), (-1, 2), (1, 2), (-2, 1), (-2, -1), (-1, -2), (1, -2), (2, -1)]  # out of order
p1c_curve_3 = [(3, 0), (0, 3), (-3, 0), (0, -3)]  # wrong shape
p1c_outputs = {0: (0.1192, 0.8808), 1: (0.5, 0.5), 3: (0.9820, 0.0180)}  # ReLU on u2 forgotten
p1d_region_change = "grows"

p2a_h_seq1 = [0, 0, 1, 1, 1, 0]  # h equal to the input: the sign of W^{c,h} flipped
p2a_h_seq2 = [1, -1, 0.5, 0, 1]  # the unrounded 0.5 fed back
p2b_interpretation = ""
p2c_params = {"W_fh": 0, "W_fx": 0, "b_f": -100, "W_ih": 0, "W_ix": 100, "b_i": 100,
              "W_oh": 0, "W_ox": 100, "b_o": 0, "W_ch": 100, "W_cx": 50}  # b_c missing


def lstm_run(xs, params):
    raise NotImplementedError("todo")


# backprop is not written yet

p3b_sigmoid_prime = "1 - sigma(z)"
p3c_dC_dw1 = "2*(sigma(w2*relu(w1*x)+b) - t)*sigma(w2*relu(w1*x)+b)*(1-sigma(w2*relu(w1*x)+b))*w2*step(w1*x)*x"
p3c_dC_dw2 = "(sigma(w2*w1*x+b) - t)*sigma(w2*w1*x+b)*(1-sigma(w2*w1*x+b))*w1*x"  # right only where w1*x > 0
p3d_dC_dw1 = 11.39  # sigma' left out
p3d_dC_dw2 = -0.0228  # sigma' left out
p3d_w1_update = "0.01 - eta*11.39"
p3e_w1_updated_again = True
