"""What the student self-check may know: public metadata and public property checks.

Nothing here reads the reference's expected values.  The metadata holds what
the template and SPEC already tell a student (names, kinds, shapes, variables,
choices, signatures); it is generated once from the bound rubric and shipped
in the student bundle as ``grader/public_rubric.json``.

The property checks judge a student's answers only against the handout's own
definitions, on inputs drawn from :data:`PUBLIC_SEED` (not the grading seed),
and never print a value they compute:

* ``softmax_beta`` and ``relu_network`` return two finite numbers in [0, 1]
  summing to one (the defining property of a softmax output);
* ``backprop`` agrees with central finite differences of the cost of the
  forward pass ``a^l = f(W^l a^(l-1) + b^l)`` built from the same weights, ``f``
  and cost the student's function receives;
* ``lstm_run`` follows the handout's equations (re-implemented below: the
  equations and weights are printed in the handout), on random weights and on
  the handout's weights with inputs other than the two sequences of 2(a);
* ``p2c_params`` / ``p2d_params`` behave as the handout defines (``-h_t`` of the
  handout's unit; the sign of the running sum) on every sequence up to length 8.

The last two confirm a correct answer without showing one: every message says
only where the behaviour differs (an input sequence or an array index).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader.answers import Failed
from grader.calls import Case, Named, resolve

__all__ = [
    "PUBLIC_SEED",
    "PROPERTIES",
    "Property",
    "build_public",
    "handout_lstm",
    "load_public",
]

PUBLIC_SEED = 20170310
"""Seed of every input the self-check draws; unrelated to the grading seed."""
LSTM_KEYS: tuple[str, ...] = (
    "W_fh", "W_fx", "b_f", "W_ih", "W_ix", "b_i", "W_oh", "W_ox", "b_o", "W_ch", "W_cx", "b_c",
)  # fmt: skip
HANDOUT_LSTM: dict[str, float] = {
    "W_fh": 0.0, "W_fx": 0.0, "b_f": -100.0, "W_ih": 0.0, "W_ix": 100.0, "b_i": 100.0,
    "W_oh": 0.0, "W_ox": 100.0, "b_o": 0.0, "W_ch": -100.0, "W_cx": 50.0, "b_c": 0.0,
}  # fmt: skip
"""The handout's weights of Problem 2 (with the erratum W^{i,h} = 0 applied)."""
_HANDOUT_INPUTS = ((0, 0, 1, 1, 1, 0), (1, 1, 0, 1, 1))
"""The inputs of 2(a): the self-check never runs the handout's unit on them."""


# ------------------------------------------------------------------ metadata


def _shape_info(check: Any) -> dict[str, Any]:
    """Shapes and vocabularies of one bound check's params; never its expected value."""
    params, info = check.params, {}
    for attr in ("variables", "choices"):
        value = getattr(params, attr, None)
        if value:
            info[attr] = list(value)
    kind = check.spec.kind
    if kind == "vector":
        info["length"] = len(params.expected)
    elif kind == "int_sequence":
        info["length"] = int(params.length)
    elif kind == "lstm_params":
        info["keys"] = list(LSTM_KEYS)
    return info


def build_public(assignment: Any) -> dict[str, Any]:
    """The public metadata of a bound assignment: what the template and SPEC already say."""
    from grader.template import render_template

    rubric = assignment.rubric
    parts = []
    for part in rubric.parts:
        checks = [c for c in assignment.checks if c.part.id == part.id]
        entry: dict[str, Any] = {
            "id": part.id, "number": part.number, "title": part.title, "answer": part.answer,
            "value": part.value, "describe": part.describe, "signature": part.signature,
            "optional": part.optional, "staff_points": part.staff_points,
            "points": sum(c.spec.points for c in checks),
        }
        for c in checks:
            entry.update(_shape_info(c))
        selects = [c.spec.select for c in checks if c.spec.select is not None]
        if part.value == "relations":
            entry["items"] = len(selects)
        if part.value == "outputs":
            entry["keys"] = [str(s) for s in selects]
        parts.append(entry)
    limits = rubric.limits
    return {
        "assignment": rubric.assignment,
        "entry_stem": rubric.entry_stem,
        "limits": {
            "statement_seconds": limits.statement_seconds,
            "call_seconds": limits.call_seconds,
            "total_seconds": limits.total_seconds,
        },
        "parts": parts,
        "template": render_template(rubric),
    }


def load_public(path: Path) -> dict[str, Any]:
    """Read ``public_rubric.json``."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


# ------------------------------------------------------------------ the handout's LSTM


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def handout_lstm(xs: Sequence[float], params: Mapping[str, float]) -> tuple[list[int], float]:
    """The handout's scalar LSTM from h = c = 0, rounding h_t each step.

    Returns the rounded ``h_t`` and the smallest distance of an unrounded
    ``h_t`` from a rounding tie (cases near a tie are not used).
    """
    p = {k: float(params[k]) for k in LSTM_KEYS}
    h = c = 0.0
    out, margin = [], math.inf
    for x in xs:
        x = float(x)
        f = _sigmoid(p["W_fh"] * h + p["W_fx"] * x + p["b_f"])
        i = _sigmoid(p["W_ih"] * h + p["W_ix"] * x + p["b_i"])
        o = _sigmoid(p["W_oh"] * h + p["W_ox"] * x + p["b_o"])
        c = f * c + i * math.tanh(p["W_ch"] * h + p["W_cx"] * x + p["b_c"])
        raw = o * math.tanh(c)
        margin = min(margin, abs(abs(raw - math.floor(raw)) - 0.5))
        h = float(round(raw))
        out.append(int(h))
    return out, margin


def lstm_behaviour(params: Mapping[str, float], alphabet: Sequence[int], target: Callable[[list[int]], list[int]],
                   max_len: int = 8) -> str | None:
    """The first input sequence (up to ``max_len``) on which ``params`` miss ``target``, as words."""
    for length in range(1, max_len + 1):
        for xs in itertools.product(alphabet, repeat=length):
            seq = list(xs)
            try:
                got, _ = handout_lstm(seq, params)
            except (OverflowError, ValueError):
                return f"the unit overflows on the input {seq}"
            if got != target(seq):
                return f"the input {seq} does not give the required h"
    return None


def negated_target(xs: list[int]) -> list[int]:
    """2(c): ``-h_t`` of the handout's unit."""
    return [-h for h in handout_lstm(xs, HANDOUT_LSTM)[0]]


def sign_target(xs: list[int]) -> list[int]:
    """2(d): the sign of each running sum."""
    sums = itertools.accumulate(xs)
    return [(s > 0) - (s < 0) for s in sums]


# ------------------------------------------------------------------ properties of functions


@dataclass(frozen=True, slots=True)
class Property:
    """A public check of a student function: the calls to make and how to judge each outcome."""

    what: str
    cases: Callable[[np.random.Generator], list[Case]]
    judge: Callable[[Case, Any], str | None]


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
        grad = Named("quadratic_loss_grad", (("target", target),))
        cases.append(Case(args=(weights, biases, x, Named(f), Named(f_prime), grad),
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


def _lstm_cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    while len(cases) < 4:
        xs = tuple(int(v) for v in rng.integers(0, 2, size=int(rng.integers(3, 9))))
        if xs not in _HANDOUT_INPUTS:
            cases.append(Case(args=(list(xs), dict(HANDOUT_LSTM)), label="the handout's weights"))
    while len(cases) < 12:
        params = {k: float(v) for k, v in zip(LSTM_KEYS, np.round(rng.normal(0.0, 3.0, 12), 2), strict=True)}
        xs = [float(v) for v in np.round(rng.uniform(-2.0, 2.0, size=int(rng.integers(2, 8))), 2)]
        if handout_lstm(xs, params)[1] > 1e-3:
            cases.append(Case(args=(xs, params), label="random weights"))
    return cases


def _lstm_judge(case: Case, value: Any) -> str | None:
    xs, params = case.args
    want, _ = handout_lstm(xs, params)
    if not isinstance(value, list) or len(value) != len(xs):
        return f"expected a list of {len(xs)} numbers, one h_t per input"
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return "every h_t should be a number"
    if value != want:
        first = next(t for t, (g, w) in enumerate(zip(value, want, strict=False)) if g != w)
        return f"h_{first} does not follow the handout's equations ({case.label})"
    return None


PROPERTIES: dict[str, Property] = {
    "softmax_beta": Property("outputs are finite, in [0, 1] and sum to 1", _softmax_cases, _softmax_judge),
    "relu_network": Property("outputs are finite, in [0, 1] and sum to 1", _network_cases, _network_judge),
    "backprop": Property("agrees with finite differences of the cost", _backprop_cases, _backprop_judge),
    "lstm_run": Property("follows the handout's equations", _lstm_cases, _lstm_judge),
}
"""Public property checks of functions, by answer name."""

PARAM_TARGETS: dict[str, tuple[tuple[int, ...], Callable[[list[int]], list[int]], str]] = {
    "p2c_params": ((0, 1), negated_target, "gives -h_t of the handout's unit on every 0/1 input"),
    "p2d_params": ((-1, 1), sign_target, "gives the sign of the running sum on every +1/-1 input"),
}
"""Public behaviour checks of LSTM weights, by answer name."""


def judge_outcome(prop: Property, case: Case, outcome_value: Any) -> str | None:
    """A problem with one call, in words (raised, timed out, or the property fails)."""
    if isinstance(outcome_value, Failed):
        return ("it ran out of time: " if outcome_value.timed_out else "it raised ") + outcome_value.message
    if outcome_value is None:
        return "it returned None (is a `return` missing?)"
    return prop.judge(case, outcome_value)
