"""Helper functions that HW4's calls pass to student code (3(a): ``backprop``'s ``f``, ``f_prime``, ``dC_da``).

The rubric names this module (``helpers: public.hw4_helpers``).  It is
public and shipped: a call carries only a helper's name and plain parameters
(``helper("sigmoid")``, ``helper("quadratic_loss_grad", target=(1.0, 0.0))``),
and both the grader and the sandboxed child rebuild the function from this
file (see :mod:`grader.sandbox.calls`).  It imports only numpy and ``grader.sandbox.calls``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from grader.sandbox.calls import Named
from grader.sandbox.calls import helper as _helper

__all__ = ["FACTORIES", "HELPERS", "helper"]


def helper(function: str, **params: Any) -> Named:
    """The ``Named`` helper ``function`` of this module, e.g. ``helper("sigmoid")``."""
    return _helper(__name__.removeprefix("_grader_helpers_."), function, **params)


def sigmoid(z: Any) -> Any:
    """1 / (1 + exp(-z)), elementwise, without overflow."""
    z = np.asarray(z, dtype=float)
    return np.where(z >= 0, 1.0 / (1.0 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z))))


def sigmoid_prime(z: Any) -> Any:
    """sigmoid(z) * (1 - sigmoid(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z: Any) -> Any:
    """max(z, 0), elementwise."""
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def relu_prime(z: Any) -> Any:
    """1 where z > 0, else 0."""
    return (np.asarray(z, dtype=float) > 0).astype(float)


def tanh(z: Any) -> Any:
    """tanh(z), elementwise."""
    return np.tanh(np.asarray(z, dtype=float))


def tanh_prime(z: Any) -> Any:
    """1 - tanh(z)^2."""
    return 1.0 - np.tanh(np.asarray(z, dtype=float)) ** 2


def identity(z: Any) -> Any:
    """A copy of z as floats."""
    return np.asarray(z, dtype=float).copy()


def ones(z: Any) -> Any:
    """Ones shaped like z (the derivative of the identity)."""
    return np.ones_like(np.asarray(z, dtype=float))


def quadratic_loss_grad(target: Any) -> Callable[[Any], Any]:
    """dC/da for C = 1/2 * ||a - target||^2."""
    y = np.asarray(target, dtype=float)

    def grad(a: Any) -> Any:
        return np.asarray(a, dtype=float) - y

    return grad


HELPERS: dict[str, Callable[[Any], Any]] = {
    "sigmoid": sigmoid,
    "sigmoid_prime": sigmoid_prime,
    "relu": relu,
    "relu_prime": relu_prime,
    "tanh": tanh,
    "tanh_prime": tanh_prime,
    "identity": identity,
    "ones": ones,
}
"""Functions passed as they are."""

FACTORIES: dict[str, Callable[..., Callable[[Any], Any]]] = {
    "quadratic_loss_grad": quadratic_loss_grad,
}
"""Functions built from plain parameters."""
