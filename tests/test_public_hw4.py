"""HW4's public checks: they accept correct work, reject typical mistakes, and hold no LSTM."""

from __future__ import annotations

import ast
import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import public.hw4 as hw4
from grader.public_checks import Property, judge_outcome
from grader.sandbox.answers import Failed
from grader.sandbox.calls import Case, Named, resolve
from reference import hw4 as reference

HANDOUT_INPUTS = ([0, 0, 1, 1, 1, 0], [1, 1, 0, 1, 1])
P2C_PART = {"shape": {"keys": list(hw4.LSTM_KEYS), "alphabet": [0, 1], "max_len": 8}}
P2D_PART = {"shape": {"keys": list(hw4.LSTM_KEYS), "alphabet": [-1, 1], "max_len": 8}}


# ------------------------------------------------------------------ an LSTM for the tests only


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def lstm(xs: list[float], p: dict[str, float], *, output_gate: bool = True) -> list[int]:
    """The handout's unit, rounding h_t each step (``output_gate=False``: a typical mistake)."""
    h = c = 0.0
    out = []
    for x in xs:
        f = _sigmoid(p["W_fh"] * h + p["W_fx"] * x + p["b_f"])
        i = _sigmoid(p["W_ih"] * h + p["W_ix"] * x + p["b_i"])
        o = _sigmoid(p["W_oh"] * h + p["W_ox"] * x + p["b_o"]) if output_gate else 1.0
        c = f * c + i * math.tanh(p["W_ch"] * h + p["W_cx"] * x + p["b_c"])
        h = float(round(o * math.tanh(c)))
        out.append(int(h))
    return out


def _run(prop: Property, fn: Callable[..., Any], seed: int = 3) -> tuple[list[Case], list[Any]]:
    cases = prop.cases(np.random.default_rng(seed))
    return cases, [fn(*c.args) for c in cases]


def _problems(prop: Property, cases: list[Case], values: list[Any]) -> list[str]:
    found = [p for c, v in zip(cases, values, strict=True) if (p := judge_outcome(prop, c, v))]
    if not found and prop.relate is not None and (related := prop.relate(cases, values)):
        found.append(related)
    return found


# ------------------------------------------------------------------ lstm_run


def test_lstm_property_accepts_the_handouts_unit() -> None:
    prop = hw4.PROPERTIES["lstm_run"]
    cases, values = _run(prop, lstm)
    assert len(cases) == 33
    assert _problems(prop, cases, values) == []
    assert not any(list(c.args[0]) in HANDOUT_INPUTS for c in cases)
    assert not any(c.args[1] == hw4.HANDOUT_WEIGHTS for c in cases)


def test_lstm_property_rejects_a_missing_output_gate() -> None:
    prop = hw4.PROPERTIES["lstm_run"]
    cases, values = _run(prop, lambda xs, p: lstm(xs, p, output_gate=False))
    problems = _problems(prop, cases, values)
    assert problems and all(p == "with a closed output gate (b_o = -100, W_ox = W_oh = 0) the equations give "
                            "h_t = 0 at every step" for p in problems)


def test_lstm_property_rejects_unrounded_and_misshapen_outputs() -> None:
    prop = hw4.PROPERTIES["lstm_run"]
    case = Case(args=([0, 1, -1], dict(hw4.HANDOUT_WEIGHTS)), label="random weights")
    assert prop.judge(case, [0.0, 1, -1]) is None
    assert prop.judge(case, [0, 0.76, 0]) == (
        "h_1 should be -1, 0 or 1 (h_t = o_t tanh(c_t), rounded); it is the float 0.76"
    )
    assert "h_0 should be -1, 0 or 1" in prop.judge(case, [True, 0, 0])
    assert prop.judge(case, [0, 1]).startswith("expected a list of 3 numbers, one h_t per input")
    assert judge_outcome(prop, case, Failed("ZeroDivisionError: x")) == "it raised ZeroDivisionError: x"


def test_lstm_property_rejects_a_unit_that_is_not_causal() -> None:
    prop = hw4.PROPERTIES["lstm_run"]
    cases, values = _run(prop, lambda xs, p: lstm(list(reversed(xs)), p))
    problems = _problems(prop, cases, values)
    assert len(problems) == 1 and "h_t may depend only on x_0 .. x_t" in problems[0]
    assert problems[0].startswith("lstm_run(xs[:")


def test_lstm_property_rejects_state_kept_between_calls() -> None:
    prop = hw4.PROPERTIES["lstm_run"]
    seen: list[int] = []

    def stateful(xs: list[int], p: dict[str, float]) -> list[int]:
        seen.append(1)
        return lstm(xs, p) if len(seen) != 9 else [1 - abs(h) for h in lstm(xs, p)]  # the repeated call differs

    cases, values = _run(prop, stateful)
    assert cases[8].args == cases[7].args
    assert _problems(prop, cases, values) == [
        "two calls with the same xs and params returned different lists: lstm_run must start from h = c = 0 each "
        "time and keep no state between calls"
    ]


# ------------------------------------------------------------------ 2(c) and 2(d), with the student's lstm_run


def _follow(answer: str, params: dict[str, Any], part: dict[str, Any], fn: Callable[..., Any] = lstm) -> str | None:
    follow = hw4.FOLLOW_UPS[answer]
    cases = follow.cases(params, part)
    return follow.judge(cases, [fn(*c.args) for c in cases])


def test_p2c_follow_up_calls_every_sequence_with_both_weights() -> None:
    cases = hw4.FOLLOW_UPS["p2c_params"].cases(dict(hw4.HANDOUT_WEIGHTS, W_cx="-50"), P2C_PART)
    assert len(cases) == 2 * sum(2**n for n in range(1, 9))
    assert cases[0].args == ([0], dict(hw4.HANDOUT_WEIGHTS, W_cx=-50.0))
    assert cases[-1].args == ([1] * 8, hw4.HANDOUT_WEIGHTS)


def test_p2c_follow_up_judges_with_the_given_lstm_run() -> None:
    assert _follow("p2c_params", dict(hw4.HANDOUT_WEIGHTS, W_cx=-50.0), P2C_PART) is None
    assert _follow("p2c_params", dict(hw4.HANDOUT_WEIGHTS), P2C_PART) == (
        "the input [1] does not give -h_t of the handout's unit"
    )
    zeros = _follow("p2c_params", dict(hw4.HANDOUT_WEIGHTS), P2C_PART, lambda xs, p: [0.5] * len(xs))
    assert zeros == "lstm_run does not return one h_t in {-1, 0, 1} per input for the input [0]"


def test_p2d_follow_up_is_the_sign_of_the_running_sum() -> None:
    running_sum = dict.fromkeys(hw4.LSTM_KEYS, 0.0) | {"b_f": 100.0, "b_i": 100.0, "b_o": 100.0, "W_cx": 100.0}
    assert _follow("p2d_params", running_sum, P2D_PART) is None
    assert _follow("p2d_params", dict(hw4.HANDOUT_WEIGHTS), P2D_PART) == (
        "the input [-1] does not give the sign of the running sum"
    )


# ------------------------------------------------------------------ Problems 1 and 3


def _softmax(u: np.ndarray, beta: float) -> list[float]:
    z = beta * np.asarray(u, dtype=float)
    e = np.exp(z - z.max())
    return list(e / e.sum())


def test_softmax_property_accepts_a_stable_softmax_and_rejects_overflow() -> None:
    prop = hw4.PROPERTIES["softmax_beta"]
    cases = prop.cases(np.random.default_rng(1))
    assert all(prop.judge(c, _softmax(*c.args)) is None for c in cases)
    big = Case(args=(np.array([600.0, -600.0]), 2.0))
    assert "not finite" in prop.judge(big, [float("nan"), float("nan")])
    assert "sum to 1" in prop.judge(big, [0.5, 0.6])
    assert "larger input" in prop.judge(big, [0.0, 1.0])


def _backprop(weights: list, biases: list, x: np.ndarray, f: Named, f_prime: Named, grad: Named) -> list:
    f, fp, dc = resolve(f), resolve(f_prime), resolve(grad)
    zs, acts = [], [np.asarray(x, dtype=float)]
    for w, b in zip(weights, biases, strict=True):
        zs.append(w @ acts[-1] + b)
        acts.append(f(zs[-1]))
    delta = dc(acts[-1]) * fp(zs[-1])
    dW, db = [None] * len(weights), [None] * len(weights)
    for layer in range(len(weights) - 1, -1, -1):
        dW[layer], db[layer] = np.outer(delta, acts[layer]), delta
        if layer:
            delta = (weights[layer].T @ delta) * fp(zs[layer - 1])
    return [[a.tolist() for a in dW], [a.tolist() for a in db]]


def test_backprop_property_is_finite_differences_of_the_same_network() -> None:
    prop = hw4.PROPERTIES["backprop"]
    cases = prop.cases(np.random.default_rng(2))
    answers = [_backprop(*c.args) for c in cases]
    assert all(prop.judge(c, a) is None for c, a in zip(cases, answers, strict=True))
    case, answer = cases[1], answers[1]
    slopes = hw4.finite_differences(case)
    assert np.allclose(np.asarray(answer[0][0]), slopes[0][0], atol=1e-6)
    scaled = [[(2 * np.asarray(a)).tolist() for a in answer[0]], answer[1]]
    assert "disagrees with the finite-difference slope" in prop.judge(case, scaled)
    shapes = [[np.asarray(a).T.tolist() for a in answer[0]], answer[1]]
    wide = next(i for i, w in enumerate(case.args[0]) if w.shape[0] != w.shape[1])
    assert f"dW[{wide}] has shape" in prop.judge(case, shapes)


# ------------------------------------------------------------------ nothing that computes an answer


def test_the_module_computes_no_lstm_step() -> None:
    tree = ast.parse(inspect.getsource(hw4))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert not names & {"tanh", "exp", "sigmoid", "expit", "lstm_run"}


def test_no_function_of_the_module_gives_the_2a_tables() -> None:
    tables = [reference.lstm_run(xs, reference.HANDOUT_PARAMS) for xs in HANDOUT_INPUTS]
    assert tables == [lstm(xs, hw4.HANDOUT_WEIGHTS) for xs in HANDOUT_INPUTS]
    found = []
    for name, fn in inspect.getmembers(hw4, inspect.isfunction):
        for xs in HANDOUT_INPUTS:
            try:
                value = fn(list(xs), dict(hw4.HANDOUT_WEIGHTS))
            except Exception:  # noqa: BLE001 - a function of another signature
                continue
            if any(t == value or (isinstance(value, (list, tuple)) and t in value) for t in tables):
                found.append(name)
    assert found == []


def test_the_handouts_weights_and_keys_are_the_references() -> None:
    assert hw4.HANDOUT_WEIGHTS == reference.HANDOUT_PARAMS
    assert tuple(reference.PARAM_KEYS) == hw4.LSTM_KEYS


@pytest.mark.parametrize("answer", sorted(hw4.PROPERTIES))
def test_every_property_names_a_function_of_the_rubric(answer: str) -> None:
    from grader.paths import DEFAULT_RUBRIC
    from grader.rubric import load_rubric

    parts = {p.answer: p.value for p in load_rubric(DEFAULT_RUBRIC).parts}
    assert parts[answer] == "function"
