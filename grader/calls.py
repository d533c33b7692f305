"""Calls of student functions, described as data so they can cross the sandbox.

A :class:`Case` lists the arguments of one call.  Arguments are plain data
(numbers, strings, lists, dicts, numpy arrays) or :class:`Named` helpers: a
function such as the sigmoid that the student's code must receive as an
argument.  Both sides build a ``Named`` helper from this module's table, so no
code ever crosses the boundary, only its name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Case", "Named", "resolve", "resolve_args"]


@dataclass(frozen=True, slots=True)
class Named:
    """A helper function known by name on both sides, e.g. ``Named("sigmoid")``.

    ``params`` holds plain keyword data for helpers that need it, such as the
    target of a loss: ``Named("quadratic_loss_grad", (("target", (1.0, 0.0)),))``.
    """

    name: str
    params: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Case:
    """One call: positional and keyword arguments, and a label for feedback."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    label: str = ""


def _sigmoid(z: Any) -> Any:
    z = np.asarray(z, dtype=float)
    return np.where(z >= 0, 1.0 / (1.0 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z))))


def _sigmoid_prime(z: Any) -> Any:
    s = _sigmoid(z)
    return s * (1.0 - s)


def _relu(z: Any) -> Any:
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def _relu_prime(z: Any) -> Any:
    return (np.asarray(z, dtype=float) > 0).astype(float)


def _tanh_prime(z: Any) -> Any:
    return 1.0 - np.tanh(np.asarray(z, dtype=float)) ** 2


def _identity(z: Any) -> Any:
    return np.asarray(z, dtype=float).copy()


def _ones(z: Any) -> Any:
    return np.ones_like(np.asarray(z, dtype=float))


def _quadratic_loss_grad(target: Any) -> Callable[[Any], Any]:
    """dC/da for C = 1/2 * ||a - target||^2."""
    y = np.asarray(target, dtype=float)

    def grad(a: Any) -> Any:
        return np.asarray(a, dtype=float) - y

    return grad


_SIMPLE: dict[str, Callable[[Any], Any]] = {
    "sigmoid": _sigmoid,
    "sigmoid_prime": _sigmoid_prime,
    "relu": _relu,
    "relu_prime": _relu_prime,
    "tanh": lambda z: np.tanh(np.asarray(z, dtype=float)),
    "tanh_prime": _tanh_prime,
    "identity": _identity,
    "ones": _ones,
}
_FACTORIES: dict[str, Callable[..., Callable[[Any], Any]]] = {
    "quadratic_loss_grad": _quadratic_loss_grad,
}


def resolve(named: Named) -> Callable[[Any], Any]:
    """Build the function a ``Named`` helper stands for."""
    if named.name in _SIMPLE:
        return _SIMPLE[named.name]
    if named.name in _FACTORIES:
        return _FACTORIES[named.name](**dict(named.params))
    raise KeyError(f"unknown helper function {named.name!r}")


def resolve_args(value: Any) -> Any:
    """Replace every ``Named`` inside lists, tuples and dicts by its function."""
    if isinstance(value, Named):
        return resolve(value)
    if isinstance(value, tuple):
        return tuple(resolve_args(v) for v in value)
    if isinstance(value, list):
        return [resolve_args(v) for v in value]
    if isinstance(value, dict):
        return {k: resolve_args(v) for k, v in value.items()}
    return value
