"""Demo assignment: every answer right, in the forms a student would write."""

import numpy as np

X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]])
Y = np.array([1.0, 3.0, 4.0, 8.0])

theta_ls = np.linalg.solve(X.T @ X, X.T @ Y)
residual = float(np.sum((X @ theta_ls - Y) ** 2))
dloss_dz = "-y/(1 + exp(y*z))"
dloss_at_point = -0.5


def gd_step(theta, X, Y, eta):
    theta = np.asarray(theta, dtype=float)
    grad = 2 / len(Y) * X.T @ (X @ theta - Y)
    return theta - eta * grad


loss_shape = "Convex"
step_too_large = True
explain = "Each step multiplies the error along the top eigenvector by |1 - eta*lambda_max|, which exceeds 1."
