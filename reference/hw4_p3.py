"""Problem 3 of HW4: backpropagation, and the ReLU-sigmoid network of 3(c)-(e).

The derivatives are obtained by sympy differentiation of
``C = (y - t)^2 / 2`` with ``y = sigma(w2 * relu(w1 * x) + b)``; the derivative
of ``relu(u) = Max(u, 0)`` appears as ``Heaviside(u)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp

from grader.sandbox.calls import Case
from public.hw4_helpers import helper

__all__ = [
    "B",
    "ETA",
    "P3D_VALUES",
    "T",
    "W1",
    "W2",
    "X",
    "Z",
    "backprop",
    "backprop_cases",
    "backprop_depth_cases",
    "backprop_edge_cases",
    "backprop_layered_cases",
    "loss",
    "p3b_sigmoid_prime",
    "p3b_sigmoid_prime_mistake",
    "p3c_dC_dw1",
    "p3c_dC_dw1_factor_two",
    "p3c_dC_dw1_no_relu_derivative", "p3c_dC_dw2_no_relu",
    "p3c_dC_dw2",
    "p3c_dC_dw2_factor_two",
    "p3d_dC_dw1",
    "p3d_dC_dw1_factor_two",
    "p3d_dC_dw1_no_sigma_prime",
    "p3d_dC_dw2",
    "p3d_dC_dw2_factor_two",
    "p3d_dC_dw2_no_sigma_prime",
    "p3d_w1_update",
    "p3e_w1_updated_again",
    "relu",
    "relu_prime",
    "sigma",
]

X, W1, W2, B, T, Z, ETA = sp.symbols("x w1 w2 b t z eta", real=True)

#: The values of 3(d).
P3D_VALUES: dict[str, float] = {"x": 3.0, "t": 1.0, "w1": 0.01, "w2": -5.0, "b": -1.0}
#: A step size large enough to push ``w1 * x`` below the ReLU's kink (3(e)).
P3E_LARGE_ETA = 10**6

Array = np.ndarray


# --- 3(a): backpropagation ---------------------------------------------------------


def backprop(
    weights: Sequence[Array],
    biases: Sequence[Array],
    x: Array,
    f: Callable[[Array], Array],
    f_prime: Callable[[Array], Array],
    dC_da: Callable[[Array], Array],
) -> tuple[list[Array], list[Array]]:
    """Gradients of the loss for an L-layer network ``a^l = f(w^l a^{l-1} + b^l)``.

    Args:
        weights: ``weights[l-1]`` of shape ``(n_l, n_{l-1})``.
        biases: ``biases[l-1]`` of shape ``(n_l,)``.
        x: the input ``a^0``, shape ``(n_0,)``.
        f: the activation, elementwise.
        f_prime: its derivative, elementwise.
        dC_da: ``dC/da^L`` as a function of ``a^L``.

    Returns:
        ``(dW, db)``, lists shaped like ``weights`` and ``biases``.
    """
    activations = [np.asarray(x, dtype=float)]
    zs: list[Array] = []
    for w, b in zip(weights, biases, strict=True):
        z = np.asarray(w, dtype=float) @ activations[-1] + np.asarray(b, dtype=float)
        zs.append(z)
        activations.append(np.asarray(f(z), dtype=float))
    delta = np.asarray(dC_da(activations[-1]), dtype=float) * np.asarray(f_prime(zs[-1]), dtype=float)
    grads_w: list[Array] = [np.empty(0)] * len(zs)
    grads_b: list[Array] = [np.empty(0)] * len(zs)
    for layer in range(len(zs) - 1, -1, -1):
        grads_w[layer] = np.outer(delta, activations[layer])
        grads_b[layer] = delta.copy()
        if layer > 0:
            back = np.asarray(weights[layer], dtype=float).T @ delta
            delta = back * np.asarray(f_prime(zs[layer - 1]), dtype=float)
    return grads_w, grads_b


_ACTIVATIONS: tuple[tuple[str, str], ...] = (
    ("sigmoid", "sigmoid_prime"),
    ("tanh", "tanh_prime"),
    ("relu", "relu_prime"),
)

# backprop is graded by groups of calls that the rubric names; a group earns its
# points only when every call in it is right.  Every group holds a network of
# two layers or more with a sigmoid or tanh activation, so that returning the
# layers in reverse order, or ignoring ``x``, the biases or ``f_prime``, fails
# in every group.


def _network_case(rng: np.random.Generator, widths: Sequence[int], activation: int, what: str) -> Case:
    """A random network with the given widths ``n_0, ..., n_L`` and a quadratic loss."""
    depth = len(widths) - 1
    while True:
        weights = [rng.normal(0.0, 1.0, size=(widths[i + 1], widths[i])) for i in range(depth)]
        biases = [rng.normal(0.0, 0.5, size=widths[i + 1]) for i in range(depth)]
        x = rng.normal(0.0, 1.0, size=widths[0])
        z = x
        alive = True
        for w, b in zip(weights, biases, strict=True):  # every relu layer passes something back
            z = w @ z + b
            alive = alive and bool(np.any(z > 0.05)) and bool(np.all(np.abs(z) > 1e-3))
            z = np.maximum(z, 0.0)
        if activation != 2 or alive:
            break
    target = tuple(float(v) for v in rng.uniform(0.0, 1.0, size=widths[-1]))
    f, f_prime = _ACTIVATIONS[activation]
    loss_grad = helper("quadratic_loss_grad", target=target)
    return Case(
        args=(weights, biases, x, helper(f), helper(f_prime), loss_grad),
        label=f"{what}: {depth}-layer {f} network, widths {list(widths)}",
    )


def _random_widths(rng: np.random.Generator, depth: int) -> list[int]:
    """Widths 2 to 5, not all equal, so that a layer's gradient has its own shape."""
    while True:
        widths = [int(n) for n in rng.integers(2, 6, size=depth + 1)]
        if len(set(widths)) > 1:
            return widths


def backprop_layered_cases() -> list[Case]:
    """Random networks of 2 and 3 layers of different widths, each activation twice."""
    rng = np.random.default_rng(60372)
    return [_network_case(rng, _random_widths(rng, 2 + k % 2), k % 3, "random") for k in range(6)]


def backprop_depth_cases() -> list[Case]:
    """Random networks of 1 and 4 layers."""
    rng = np.random.default_rng(60373)
    return [_network_case(rng, _random_widths(rng, depth), activation, "random")
            for depth, activation in ((1, 0), (1, 2), (4, 1), (4, 0))]


def backprop_edge_cases() -> list[Case]:
    """Layers of width 1: a scalar chain, a bottleneck, and a single input and output."""
    rng = np.random.default_rng(60374)
    return [_network_case(rng, widths, activation, "width-1 layers")
            for widths, activation in (([1, 1, 1], 0), ([3, 1, 2], 1), ([1, 4, 1], 2))]


def backprop_cases() -> list[Case]:
    """Every call of ``backprop``, group by group."""
    return [*backprop_layered_cases(), *backprop_depth_cases(), *backprop_edge_cases()]


# --- symbolic helpers -------------------------------------------------------------


def sigma(u: sp.Expr) -> sp.Expr:
    """The sigmoid ``1 / (1 + exp(-u))``."""
    return 1 / (1 + sp.exp(-u))


def relu(u: sp.Expr) -> sp.Expr:
    """The ReLU ``max(u, 0)``."""
    return sp.Max(u, 0)


def relu_prime(u: sp.Expr) -> sp.Expr:
    """The derivative of the ReLU, ``Heaviside(u)``."""
    return sp.Heaviside(u)


def _z2() -> sp.Expr:
    return W2 * relu(W1 * X) + B


def loss() -> sp.Expr:
    """``C = (y - t)^2 / 2`` for the network of 3(c)."""
    return (sigma(_z2()) - T) ** 2 / 2


# --- 3(b), 3(c) -------------------------------------------------------------------


def p3b_sigmoid_prime() -> sp.Expr:
    """3(b)ii: ``sigma'(z)``."""
    return sp.diff(sigma(Z), Z)


def p3b_sigmoid_prime_mistake() -> sp.Expr:
    """Known mistake in 3(b): ``1 - sigma(z)`` (the factor ``sigma(z)`` dropped)."""
    return 1 - sigma(Z)


def p3c_dC_dw1() -> sp.Expr:
    """3(c): ``dC/dw1``."""
    return sp.diff(loss(), W1)


def p3c_dC_dw2() -> sp.Expr:
    """3(c): ``dC/dw2``."""
    return sp.diff(loss(), W2)


def p3c_dC_dw1_factor_two() -> sp.Expr:
    """Known mistake in 3(c): the ½ of the loss ignored."""
    return 2 * p3c_dC_dw1()


def p3c_dC_dw2_factor_two() -> sp.Expr:
    """Known mistake in 3(c): the ½ of the loss ignored."""
    return 2 * p3c_dC_dw2()


def p3c_dC_dw1_no_relu_derivative() -> sp.Expr:
    """Known mistake in 3(c): the ReLU's derivative (the Heaviside factor) left out.

    Students make it in several notations: with the ReLU kept in the forward
    pass (``Max(w1*x, 0)``, ``relu(x*w1)``, ...) or with ``w1*x`` in its place.
    All of them agree with the answer exactly where ``w1*x > 0`` and nowhere
    else, so the mistake is that half of the answer: a ``Piecewise`` without
    an otherwise branch, which the expression check compares only where
    ``w1*x > 0``.
    """
    return sp.Piecewise((p3c_dC_dw1(), W1 * X > 0))


def p3c_dC_dw2_no_relu() -> sp.Expr:
    """Known mistake in 3(c): ``w1*x`` in place of ``relu(w1*x)``; right exactly where ``w1*x > 0``."""
    return sp.Piecewise((p3c_dC_dw2(), W1 * X > 0))


# --- 3(d), 3(e) -------------------------------------------------------------------


def _values() -> dict[sp.Symbol, sp.Expr]:
    """The 3(d) values as exact sympy numbers (``0.01`` becomes ``1/100``)."""
    symbols = {"x": X, "t": T, "w1": W1, "w2": W2, "b": B}
    return {symbols[k]: sp.Rational(repr(v)) for k, v in P3D_VALUES.items()}


def _at_values(expr: sp.Expr) -> float:
    return float(expr.subs(_values()))


def p3d_dC_dw1() -> float:
    """3(d)i: ``dC/dw1`` at the given values."""
    return _at_values(p3c_dC_dw1())


def p3d_dC_dw2() -> float:
    """3(d)i: ``dC/dw2`` at the given values."""
    return _at_values(p3c_dC_dw2())


def _without_sigma_prime(weight: sp.Symbol) -> sp.Expr:
    """``(y - t) * dz2/dw``: the chain rule with ``sigma'(z2)`` left out."""
    return (sigma(_z2()) - T) * sp.diff(_z2(), weight)


def p3d_dC_dw1_no_sigma_prime() -> float:
    """Known mistake in 3(d): ``sigma'(z2)`` left out of ``dC/dw1`` (about 11.39)."""
    return _at_values(_without_sigma_prime(W1))


def p3d_dC_dw2_no_sigma_prime() -> float:
    """Known mistake in 3(d): ``sigma'(z2)`` left out of ``dC/dw2`` (about -0.0228)."""
    return _at_values(_without_sigma_prime(W2))


def p3d_dC_dw1_factor_two() -> float:
    """Known mistake in 3(d): the ½ of the loss ignored."""
    return _at_values(p3c_dC_dw1_factor_two())


def p3d_dC_dw2_factor_two() -> float:
    """Known mistake in 3(d): the ½ of the loss ignored."""
    return _at_values(p3c_dC_dw2_factor_two())


def p3d_w1_update() -> sp.Expr:
    """3(d)ii: ``w1 - eta * dC/dw1`` at the given values, exact, in ``eta``."""
    values = _values()
    return values[W1] - ETA * p3c_dC_dw1().subs(values)


def p3e_w1_updated_again() -> bool:
    """3(e): after one step with a very large step size, does ``dC/dw1`` stay non-zero?

    The step pushes ``w1 * x`` below zero, where the ReLU and its derivative
    vanish, so the gradient (hence every later update of ``w1``) is exactly 0.
    """
    values = _values()
    new_w1 = p3d_w1_update().subs(ETA, P3E_LARGE_ETA)
    gradient = p3c_dC_dw1().subs({**values, W1: new_w1})
    return not bool(sp.simplify(gradient) == 0)
