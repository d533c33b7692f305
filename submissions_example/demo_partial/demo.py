"""Demo assignment: typical mistakes (a flipped sign, a forgotten 1/n, a missing answer)."""

import numpy as np

theta_ls = [0.7, 2.2]
residual = 1.8
dloss_dz = "y*exp(-y*z)/(1 + exp(-y*z))"   # sign flipped
dloss_at_point = 0.5                       # sign flipped


def gd_step(theta, X, Y, eta):
    theta = np.asarray(theta, dtype=float)
    return theta - eta * 2 * X.T @ (X @ theta - Y)   # the mean's 1/n is missing


loss_shape = "concave"
