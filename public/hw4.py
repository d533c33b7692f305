"""Public checks of MIT 6.036 (Spring 2017) Assignment 4, for the student self-check.

Shipped to students: nothing here is an answer, and nothing here computes the
LSTM.  Each check follows from the handout's definitions alone, on inputs
drawn from the public seed:

* ``softmax_beta`` and ``relu_network`` return two finite numbers in [0, 1]
  summing to one (the defining property of a softmax output);
* ``backprop`` agrees with central finite differences of the cost of the
  forward pass ``a^l = f(W^l a^(l-1) + b^l)`` built from the same weights,
  ``f`` and cost the student's function receives;
* ``lstm_run`` returns one h_t in {-1, 0, 1} per input (``|o_t tanh(c_t)| < 1``,
  rounded), is causal and deterministic, and returns all zeros where the
  equations force ``h_t = 0``: a closed output gate, a closed input gate with
  an open forget gate from the zero state, all-zero weights;
* ``p2c_params`` / ``p2d_params`` are run through the student's own
  ``lstm_run`` (a follow-up, once it passes the checks above) on every input
  sequence up to length 8: 2(c) must give ``-h_t`` of the same ``lstm_run`` on
  the handout's weights, 2(d) the sign of the running sum.

Messages say only where a behaviour differs (an input sequence, an index).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from grader.checks.params_by_simulation import read_params
from grader.public_checks import FollowUp, Property
from grader.sandbox.answers import describe
from grader.sandbox.calls import Case, resolve
from public.hw4_helpers import helper

__all__ = ["FOLLOW_UPS", "HANDOUT_WEIGHTS", "LSTM_KEYS", "PROPERTIES", "finite_differences"]

LSTM_KEYS: tuple[str, ...] = (
    "W_fh", "W_fx", "b_f", "W_ih", "W_ix", "b_i", "W_oh", "W_ox", "b_o", "W_ch", "W_cx", "b_c",
)  # fmt: skip
HANDOUT_WEIGHTS: dict[str, float] = {
    "W_fh": 0.0, "W_fx": 0.0, "b_f": -100.0, "W_ih": 0.0, "W_ix": 100.0, "b_i": 100.0,
    "W_oh": 0.0, "W_ox": 100.0, "b_o": 0.0, "W_ch": -100.0, "W_cx": 50.0, "b_c": 0.0,
}  # fmt: skip
"""The weights printed in the handout's Problem 2 (with the erratum W^{i,h} = 0 applied)."""


# ------------------------------------------------------------------ Problem 1: softmax outputs


def _pair_problem(value: Any) -> str | None:
    if not isinstance(value, list) or len(value) != 2:
        return "expected 2 numbers (a tuple, list or array)"
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return "expected 2 numbers"
    if not all(math.isfinite(v) for v in value):
        return "the output is not finite (nan or inf): subtract the largest entry before exp"
    if not all(-1e-9 <= v <= 1 + 1e-9 for v in value):
        return "an output lies outside [0, 1]"
    if abs(sum(value) - 1.0) > 1e-6:
        return "the two outputs do not sum to 1"
    return None


def _softmax_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for beta in (0.5, 1.0, 2.0, 10.0, 1e3, 1e6):
        for _ in range(2):
            u = np.round(rng.normal(0.0, 4.0, 2), 3)
            cases.append(Case(args=(u, beta)))
    cases.append(Case(args=(np.array([600.0, -600.0]), 2.0)))
    return cases


def _softmax_judge(case: Case, value: Any) -> str | None:
    problem = _pair_problem(value)
    if problem is None:
        u = case.args[0]
        if (u[0] > u[1] and value[0] < value[1]) or (u[1] > u[0] and value[1] < value[0]):
            return "the larger input should get the larger output"
    return problem


def _network_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(args=tuple(float(v) for v in np.round(rng.uniform(-8.0, 8.0, 2), 2)),
             kwargs={"beta": float(rng.choice([0.5, 1.0, 2.0, 4.0]))})
        for _ in range(10)
    ]


def _network_judge(case: Case, value: Any) -> str | None:
    return _pair_problem(value)


# ------------------------------------------------------------------ Problem 3: backprop

_ACTIVATIONS = (("sigmoid", "sigmoid_prime"), ("tanh", "tanh_prime"))


def _backprop_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for k in range(6):
        depth = k % 3 + 1
        widths = [int(n) for n in rng.integers(1, 5, size=depth + 1)]
        weights = [rng.normal(0.0, 1.0, size=(widths[i + 1], widths[i])) for i in range(depth)]
        biases = [rng.normal(0.0, 0.5, size=widths[i + 1]) for i in range(depth)]
        x = rng.normal(0.0, 1.0, size=widths[0])
        target = tuple(float(v) for v in rng.uniform(0.0, 1.0, size=widths[-1]))
        f, f_prime = _ACTIVATIONS[k % 2]
        grad = helper("quadratic_loss_grad", target=target)
        cases.append(Case(args=(weights, biases, x, helper(f), helper(f_prime), grad),
                          label=f"{depth}-layer {f} network, widths {widths}"))
    return cases


def _cost(weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray, f: Callable[[Any], Any],
          target: np.ndarray) -> float:
    a = np.asarray(x, dtype=float)
    for w, b in zip(weights, biases, strict=True):
        a = f(w @ a + b)
    return 0.5 * float(np.sum((a - target) ** 2))


def finite_differences(case: Case, step: float = 1e-6) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Central differences of the cost with respect to every weight and bias of ``case``."""
    weights, biases, x, f_named, _, grad_named = case.args
    f = resolve(f_named)
    target = np.asarray(dict(grad_named.params)["target"], dtype=float)
    weights = [np.array(w, dtype=float) for w in weights]
    biases = [np.array(b, dtype=float) for b in biases]
    out: list[list[np.ndarray]] = [[], []]
    for slot, arrays in enumerate((weights, biases)):
        for arr in arrays:
            slope = np.zeros_like(arr)
            for idx in np.ndindex(arr.shape):
                keep = arr[idx]
                arr[idx] = keep + step
                up = _cost(weights, biases, x, f, target)
                arr[idx] = keep - step
                down = _cost(weights, biases, x, f, target)
                arr[idx] = keep
                slope[idx] = (up - down) / (2 * step)
            out[slot].append(slope)
    return out[0], out[1]


def _backprop_judge(case: Case, value: Any) -> str | None:
    if not isinstance(value, list) or len(value) != 2:
        return "expected a pair (dW, db)"
    slopes = finite_differences(case)
    for name, given, want in (("dW", value[0], slopes[0]), ("db", value[1], slopes[1])):
        if not isinstance(given, list) or len(given) != len(want):
            return f"{name} should be a list of {len(want)} array(s), one per layer"
        for layer, (g, w) in enumerate(zip(given, want, strict=True)):
            try:
                arr = np.asarray(g, dtype=float)
            except (TypeError, ValueError):
                return f"{name}[{layer}] is not an array of numbers"
            if arr.shape != w.shape:
                return f"{name}[{layer}] has shape {arr.shape}; it should have shape {w.shape}"
            bad = ~np.isclose(arr, w, rtol=1e-4, atol=1e-6)
            if bad.any():
                idx = tuple(int(i) for i in np.argwhere(bad)[0])
                return (f"{name}[{layer}]{list(idx)} disagrees with the finite-difference slope of the cost "
                        "of the same network")
    return None


# ------------------------------------------------------------------ Problem 2: properties of lstm_run

_RANDOM = "random weights"
_ZERO_CASES: dict[str, dict[str, float]] = {
    "a closed output gate (b_o = -100, W_ox = W_oh = 0)": {"b_o": -100.0, "W_ox": 0.0, "W_oh": 0.0},
    "a closed input gate and an open forget gate from the zero state (b_i = -100, W_ix = W_ih = 0, b_f = 100)": {
        "b_i": -100.0, "W_ix": 0.0, "W_ih": 0.0, "b_f": 100.0,
    },
    "all-zero weights": dict.fromkeys(LSTM_KEYS, 0.0),
}
"""Weights for which the equations give h_t = 0 at every step, by label."""


def _random_weights(rng: np.random.Generator) -> dict[str, float]:
    return {k: float(v) for k, v in zip(LSTM_KEYS, np.round(rng.normal(0.0, 3.0, 12), 2), strict=True)}


def _inputs(rng: np.random.Generator, n: int) -> list[int]:
    return [int(v) for v in rng.integers(-1, 2, size=n)]


def _lstm_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(3):  # every prefix of one sequence, and the whole sequence twice
        weights, xs = _random_weights(rng), _inputs(rng, 8)
        cases += [Case(args=(xs[:k], dict(weights)), label=_RANDOM) for k in range(1, 9)]
        cases.append(Case(args=(list(xs), dict(weights)), label=_RANDOM))
    for label, fixed in _ZERO_CASES.items():
        for _ in range(2):
            cases.append(Case(args=(_inputs(rng, 8), _random_weights(rng) | fixed), label=label))
    return cases


def _h_problem(value: Any, n: int) -> str | None:
    """Why ``value`` is not n rounded h_t (ints in {-1, 0, 1}), or None."""
    if not isinstance(value, list) or len(value) != n:
        return f"expected a list of {n} numbers, one h_t per input; found {describe(value)}"
    for t, h in enumerate(value):
        if isinstance(h, bool) or not isinstance(h, (int, float)) or h not in (-1, 0, 1):
            return f"h_{t} should be -1, 0 or 1 (h_t = o_t tanh(c_t), rounded); it is {describe(h)}"
    return None


def _lstm_judge(case: Case, value: Any) -> str | None:
    problem = _h_problem(value, len(case.args[0]))
    if problem is None and case.label in _ZERO_CASES and any(h != 0 for h in value):
        return f"with {case.label} the equations give h_t = 0 at every step"
    return problem


def _prefix_pairs(cases: Sequence[Case], values: Sequence[Any]) -> list[tuple[Case, list[Any], list[Any]]]:
    """(shorter call, its value, the value of a call with the same weights on a sequence it starts)."""
    pairs = []
    calls = list(zip(cases, values, strict=True))
    for i, first in enumerate(calls):
        for second in calls[i + 1:]:
            (short, got_short), (long_, got_long) = sorted((first, second), key=lambda call: len(call[0].args[0]))
            xs, weights = short.args
            if weights == long_.args[1] and long_.args[0][: len(xs)] == xs:
                pairs.append((short, list(got_short), list(got_long)))
    return pairs


def _lstm_relate(cases: Sequence[Case], values: Sequence[Any]) -> str | None:
    pairs = _prefix_pairs(cases, values)
    if any(len(short) == len(long_) and short != long_ for _, short, long_ in pairs):
        return ("two calls with the same xs and params returned different lists: lstm_run must start "
                "from h = c = 0 each time and keep no state between calls")
    for case, short, long_ in pairs:
        k = len(short)
        if long_[:k] != short:
            return (f"lstm_run(xs[:{k}], params) differs from the first {k} items of lstm_run(xs, params) "
                    f"({case.label}): h_t may depend only on x_0 .. x_t")
    return None


# ------------------------------------------------------------------ Problem 2: weights, with the student's lstm_run


def _sequences(part: Mapping[str, Any]) -> list[list[Any]]:
    alphabet, max_len = part["shape"]["alphabet"], int(part["shape"]["max_len"])
    return [list(xs) for n in range(1, max_len + 1) for xs in itertools.product(alphabet, repeat=n)]


def _negated_cases(value: Any, part: Mapping[str, Any]) -> list[Case]:
    weights = read_params(value, tuple(part["shape"]["keys"]))
    sequences = _sequences(part)
    return ([Case(args=(xs, dict(weights)), label="your weights") for xs in sequences]
            + [Case(args=(xs, dict(HANDOUT_WEIGHTS)), label="the handout's weights") for xs in sequences])


def _negated_judge(cases: Sequence[Case], values: Sequence[Any]) -> str | None:
    half = len(cases) // 2
    for case, mine, handout in zip(cases[:half], values[:half], values[half:], strict=True):
        xs = case.args[0]
        if _h_problem(mine, len(xs)) or _h_problem(handout, len(xs)):
            return f"lstm_run does not return one h_t in {{-1, 0, 1}} per input for the input {xs}"
        if list(mine) != [-h for h in handout]:
            return f"the input {xs} does not give -h_t of the handout's unit"
    return None


def _sign_cases(value: Any, part: Mapping[str, Any]) -> list[Case]:
    weights = read_params(value, tuple(part["shape"]["keys"]))
    return [Case(args=(xs, dict(weights)), label="your weights") for xs in _sequences(part)]


def _sign_judge(cases: Sequence[Case], values: Sequence[Any]) -> str | None:
    for case, mine in zip(cases, values, strict=True):
        xs = case.args[0]
        if _h_problem(mine, len(xs)):
            return f"lstm_run does not return one h_t in {{-1, 0, 1}} per input for the input {xs}"
        if list(mine) != [(s > 0) - (s < 0) for s in itertools.accumulate(xs)]:
            return f"the input {xs} does not give the sign of the running sum"
    return None


PROPERTIES: dict[str, Property] = {
    "softmax_beta": Property("outputs are finite, in [0, 1] and sum to 1", _softmax_cases, _softmax_judge),
    "relu_network": Property("outputs are finite, in [0, 1] and sum to 1", _network_cases, _network_judge),
    "backprop": Property("agrees with finite differences of the cost", _backprop_cases, _backprop_judge),
    "lstm_run": Property(
        "one h_t in {-1, 0, 1} per input, causal, deterministic, and all zeros where the equations force it",
        _lstm_cases, _lstm_judge, _lstm_relate,
    ),
}
"""Public checks of the functions, by answer name."""

FOLLOW_UPS: dict[str, FollowUp] = {
    "p2c_params": FollowUp(
        "lstm_run", "gives -h_t of the handout's unit on every 0/1 input up to length 8",
        _negated_cases, _negated_judge,
    ),
    "p2d_params": FollowUp(
        "lstm_run", "gives the sign of the running sum on every +1/-1 input up to length 8",
        _sign_cases, _sign_judge,
    ),
}
"""Public checks of the 2(c) and 2(d) weights, made with the student's own lstm_run."""
