"""Reference solution of a small demonstration assignment: least squares and the logistic loss.

It exists to show that the grading engine needs only a reference module and a
rubric (``rubrics/demo.yaml``) for a new assignment.  The data typed in are
the problem's parameters: the design matrix ``X``, the targets ``Y``, the step
size of the gradient-descent question and the point of the derivative.

Questions:

1. ``theta_ls``: the least-squares weights for ``X``, ``Y`` (a vector of 2).
2. ``residual``: the squared error ``||X theta - Y||^2`` at those weights.
3. ``dloss_dz``: the derivative of the logistic loss ``log(1 + exp(-y z))``
   with respect to ``z`` (an expression in ``y`` and ``z``).
4. ``dloss_at_point``: that derivative at ``y = 1, z = 0``.
5. ``gd_step(theta, X, Y, eta)``: one step of gradient descent on the mean
   squared error (a function).
6. ``loss_shape``: is the squared error, as a function of theta, ``"convex"``,
   ``"concave"`` or ``"neither"``?
7. ``step_too_large``: does gradient descent with a step far above
   ``2 / lambda_max`` diverge (a bool)?
8. ``explain``: why (text, graded by the staff).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from grader.sandbox.calls import Case

__all__ = [
    "X", "Y", "dloss_at_point", "dloss_dz", "dloss_dz_sign_flipped", "gd_step", "gd_step_edge_cases",
    "gd_step_given_cases", "gd_step_random_cases", "loss_shape", "residual", "step_too_large", "theta_ls",
]

X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]])
Y = np.array([1.0, 3.0, 4.0, 8.0])
POINT = {"y": 1, "z": 0}
_y, _z = sp.symbols("y z", real=True)


def theta_ls() -> tuple[float, float]:
    """Question 1: the least-squares weights."""
    theta, *_ = np.linalg.lstsq(X, Y, rcond=None)
    return (float(theta[0]), float(theta[1]))


def residual() -> float:
    """Question 2: the squared error at the least-squares weights."""
    return float(np.sum((X @ np.array(theta_ls()) - Y) ** 2))


def dloss_dz() -> sp.Expr:
    """Question 3: d/dz log(1 + exp(-y z))."""
    return sp.diff(sp.log(1 + sp.exp(-_y * _z)), _z)


def dloss_dz_sign_flipped() -> sp.Expr:
    """Known mistake in question 3: the sign of the chain rule's inner derivative dropped."""
    return -dloss_dz()


def dloss_at_point() -> float:
    """Question 4: the derivative at ``POINT``."""
    return float(dloss_dz().subs({_y: POINT["y"], _z: POINT["z"]}))


def gd_step(theta: np.ndarray, x: np.ndarray, y: np.ndarray, eta: float) -> np.ndarray:
    """Question 5: ``theta - eta * grad`` of the mean squared error ``mean((x theta - y)^2)``."""
    theta, x, y = (np.asarray(v, dtype=float) for v in (theta, x, y))
    grad = 2.0 / len(y) * x.T @ (x @ theta - y)
    return theta - eta * grad


def loss_shape() -> str:
    """Question 6: the squared error's Hessian ``2 X^T X`` is positive semi-definite."""
    eigenvalues = np.linalg.eigvalsh(2.0 * X.T @ X)
    return "convex" if eigenvalues.min() >= 0 else "neither"


def step_too_large() -> bool:
    """Question 7: a step above ``2 / lambda_max`` of the mean squared error's Hessian diverges."""
    hessian = 2.0 / len(Y) * X.T @ X
    eta = 10.0 * 2.0 / float(np.linalg.eigvalsh(hessian).max())
    theta = np.zeros(2)
    for _ in range(50):
        theta = gd_step(theta, X, Y, eta)
    return bool(np.linalg.norm(theta) > 1e6)


# --- calls of the student's function ---------------------------------------------


def gd_step_given_cases() -> list[Case]:
    """The problem's own data, from zero weights, at two step sizes."""
    return [Case(args=(np.zeros(2), X.copy(), Y.copy(), eta), label=f"the problem's data, eta = {eta:g}")
            for eta in (0.1, 0.01)]


def gd_step_random_cases() -> list[Case]:
    """Seeded random problems of 3 to 6 points and 1 to 3 weights."""
    rng = np.random.default_rng(2017)
    cases = []
    for k in range(6):
        n, d = int(rng.integers(3, 7)), k % 3 + 1
        x, y = rng.normal(size=(n, d)), rng.normal(size=n)
        theta, eta = rng.normal(size=d), float(rng.choice([0.01, 0.1, 0.5]))
        cases.append(Case(args=(theta, x, y, eta), label=f"random problem {k + 1}: {n} points, {d} weights"))
    return cases


def gd_step_edge_cases() -> list[Case]:
    """One weight, as many points as weights, and a step large enough to overshoot."""
    rng = np.random.default_rng(2018)
    one_weight = (rng.normal(size=1), rng.normal(size=(5, 1)), rng.normal(size=5), 0.1)
    square = (np.array([0.5, -0.5]), np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([1.0, -2.0]), 0.05)
    return [
        Case(args=one_weight, label="one weight, 5 points"),
        Case(args=square, label="as many points as weights"),
        Case(args=(np.zeros(2), X.copy(), Y.copy(), 1.0), label="the problem's data, eta = 1 (overshoots)"),
    ]
