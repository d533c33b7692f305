"""The function parts of the HW4 rubric: broken code earns nothing, and visible calls hide no answer.

Stand-ins for typical broken submissions (a constant, zeros, a lookup table of
the handout's inputs, the right function with one argument ignored, backprop
with its layers in reverse order) are written as real ``hw4.py`` files and
graded through the real sandbox: each scores exactly 0 on every function part
it defines, with every group failed.  The same file with the right functions
gets every point.

The calls of a check that students see before the due date are public (the
student's code can print its arguments), so none may carry a hidden answer:
no number of any expected value (outside the numbers the handout prints), no
params dict of 2(c)/2(d), no vertex or 2-vector of an answer.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp

import reference.hw4_p1 as p1
import reference.hw4_p2 as p2
import reference.hw4_p3 as p3
from grader.assignment import Assignment, BoundCheck, load_assignment
from grader.checks.function import SHOWN_BEFORE_DUE
from grader.grade import grade_path
from grader.paths import DEFAULT_RUBRIC
from grader.sandbox.calls import Case, Named, resolve_args
from grader.tolerance import as_plain

FUNCTIONS = ("softmax_beta", "relu_network", "lstm_run", "backprop")


@pytest.fixture(scope="module")
def assignment() -> Assignment:
    return load_assignment(DEFAULT_RUBRIC)


def function_checks(assignment: Assignment) -> dict[str, BoundCheck]:
    return {c.answer: c for c in assignment.checks if c.spec.kind == "function"}


# ------------------------------------------------------------------ stand-ins, as student files

RIGHT = '''
import numpy as np

W = np.array([[1, 0, -1], [0, 1, -1], [-1, 0, -1], [0, -1, -1]], dtype=float)
V = np.array([[1, 1, 1, 1, 0], [-1, -1, -1, -1, 2]], dtype=float)
HANDOUT = dict(W_fh=0, W_fx=0, b_f=-100, W_ih=0, W_ix=100, b_i=100,
               W_oh=0, W_ox=100, b_o=0, W_ch=-100, W_cx=50, b_c=0)


def right_softmax_beta(u, beta):
    v = np.asarray(u, dtype=float) * beta
    e = np.exp(v - v.max())
    return e / e.sum()


def right_relu_network(x1, x2, beta=1.0):
    z = W[:, 0] * x1 + W[:, 1] * x2 + W[:, 2]
    u = V[:, :4] @ np.maximum(z, 0) + V[:, 4]
    o = right_softmax_beta(np.maximum(u, 0), beta)
    return float(o[0]), float(o[1])


def sigmoid(v):
    return 0.5 * (1 + np.tanh(v / 2))


def right_lstm_run(xs, p):
    h, c, hs = 0.0, 0.0, []
    for x in xs:
        f = sigmoid(p["W_fh"] * h + p["W_fx"] * x + p["b_f"])
        i = sigmoid(p["W_ih"] * h + p["W_ix"] * x + p["b_i"])
        o = sigmoid(p["W_oh"] * h + p["W_ox"] * x + p["b_o"])
        c = f * c + i * np.tanh(p["W_ch"] * h + p["W_cx"] * x + p["b_c"])
        h = float(round(o * np.tanh(c)))
        hs.append(int(h))
    return hs


def right_backprop(weights, biases, x, f, f_prime, dC_da):
    activations, zs = [np.asarray(x, dtype=float)], []
    for w, b in zip(weights, biases):
        zs.append(w @ activations[-1] + b)
        activations.append(f(zs[-1]))
    delta = dC_da(activations[-1]) * f_prime(zs[-1])
    dW, db = [None] * len(weights), [None] * len(weights)
    for layer in range(len(weights) - 1, -1, -1):
        dW[layer] = np.outer(delta, activations[layer])
        db[layer] = delta
        if layer:
            delta = (weights[layer].T @ delta) * f_prime(zs[layer - 1])
    return dW, db
'''


def _mode(assignment: Assignment, answer: str) -> Any:
    """The most common expected output of a function over all its planned calls."""
    check = function_checks(assignment)[answer]
    outputs = [as_plain(check.params.expected(*resolve_args(c.args), **resolve_args(c.kwargs))) for c in check.calls]
    counts = Counter(repr(o) for o in outputs)
    return next(o for o in outputs if repr(o) == counts.most_common(1)[0][0])


def standins(assignment: Assignment) -> dict[str, str]:
    """Each stand-in's definitions, appended to ``RIGHT``."""
    backprop_constant = [[np.asarray(g).tolist() for g in part] for part in _mode(assignment, "backprop")]
    table = {
        (float(p1.P1A_INPUT[0]), float(p1.P1A_INPUT[1])): p1.p1a_output(),
    }
    sequences = {tuple(p2.SEQ1): p2.p2a_h_seq1(), tuple(p2.SEQ2): p2.p2a_h_seq2()}
    return {
        "right": "softmax_beta = right_softmax_beta\nrelu_network = right_relu_network\n"
                 "lstm_run = right_lstm_run\nbackprop = right_backprop\n",
        "most common output": f"""
def softmax_beta(u, beta):
    return {_mode(assignment, "softmax_beta")!r}

def relu_network(x1, x2, beta=1.0):
    return {_mode(assignment, "relu_network")!r}

def lstm_run(xs, params):
    return {_mode(assignment, "lstm_run")!r}

def backprop(weights, biases, x, f, f_prime, dC_da):
    return {backprop_constant!r}
""",
        "halves and ones": """
def softmax_beta(u, beta):
    return (0.5, 0.5)

def relu_network(x1, x2, beta=1.0):
    return (0.5, 0.5)

def lstm_run(xs, params):
    return [1] * len(xs)

def backprop(weights, biases, x, f, f_prime, dC_da):
    return [np.ones_like(w) for w in weights], [np.ones_like(b) for b in biases]
""",
        "zeros": """
def softmax_beta(u, beta):
    return (0.0, 0.0)

def relu_network(x1, x2, beta=1.0):
    return (0.0, 0.0)

def lstm_run(xs, params):
    return [0] * len(xs)

def backprop(weights, biases, x, f, f_prime, dC_da):
    return [np.zeros_like(w) for w in weights], [np.zeros_like(b) for b in biases]
""",
        "lookup table of the handout's inputs": f"""
NETWORK = {table!r}
RUNS = {sequences!r}

def relu_network(x1, x2, beta=1.0):
    return NETWORK.get((float(x1), float(x2)), {_mode(assignment, "relu_network")!r})

def lstm_run(xs, params):
    return RUNS.get(tuple(xs), [0] * len(xs))
""",
        "one argument ignored": """
def softmax_beta(u, beta):
    return right_softmax_beta(u, 1.0)

def relu_network(x1, x2, beta=1.0):
    return right_relu_network(x1, 0.0, beta)

def lstm_run(xs, params):
    return right_lstm_run(xs, HANDOUT)

def backprop(weights, biases, x, f, f_prime, dC_da):
    return right_backprop(weights, biases, np.zeros_like(x), f, f_prime, dC_da)
""",
        "backprop ignoring the biases": """
def backprop(weights, biases, x, f, f_prime, dC_da):
    return right_backprop(weights, [np.zeros_like(b) for b in biases], x, f, f_prime, dC_da)
""",
        "backprop ignoring f_prime": """
def backprop(weights, biases, x, f, f_prime, dC_da):
    return right_backprop(weights, biases, x, f, lambda z: np.ones_like(z), dC_da)
""",
        "backprop with its layers reversed": """
def backprop(weights, biases, x, f, f_prime, dC_da):
    dW, db = right_backprop(weights, biases, x, f, f_prime, dC_da)
    return dW[::-1], db[::-1]
""",
    }


STANDINS = ["right", "most common output", "halves and ones", "zeros", "lookup table of the handout's inputs",
            "one argument ignored", "backprop ignoring the biases", "backprop ignoring f_prime",
            "backprop with its layers reversed"]


def test_every_standin_is_listed(assignment: Assignment) -> None:
    assert list(standins(assignment)) == STANDINS


@pytest.mark.slow
@pytest.mark.parametrize("name", STANDINS)
def test_a_standin_graded_in_the_sandbox(name: str, assignment: Assignment, tmp_path: Path) -> None:
    definitions = standins(assignment)[name]
    (tmp_path / "hw4.py").write_text(RIGHT + definitions, encoding="utf-8")
    checks = list(function_checks(assignment).values())
    report = grade_path(tmp_path, assignment, checks=checks)
    tests = {t.answer: t for t in report.tests if t.answer in FUNCTIONS}
    defined = [f for f in FUNCTIONS if f"def {f}(" in definitions or f"{f} = " in definitions]
    assert defined
    for answer in FUNCTIONS:
        test = tests[answer]
        if name == "right":
            assert (test.status, test.score, test.max_score) == ("passed", test.max_score, test.max_score), answer
        elif answer in defined:
            groups = len(function_checks(assignment)[answer].params.groups)
            assert (test.status, test.score) == ("failed", 0), (answer, test.output)
            assert test.output.count(" call(s) went wrong; first: ") == groups, (answer, test.output)
        else:
            assert test.status == "missing", answer


# ------------------------------------------------------------------ the calls of visible checks are public

REL, ABS = 1e-6, 1e-9


def close(a: float, b: float) -> bool:
    return abs(a - b) <= max(REL * abs(b), ABS)


def numbers(value: Any) -> Iterator[float]:
    """Every number inside a nested value (sympy expressions give their numeric atoms)."""
    if isinstance(value, (bool, str)) or value is None or callable(value) and not isinstance(value, Named):
        return
    if isinstance(value, Named):
        for _, v in value.params:
            yield from numbers(v)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        yield float(value)
    elif isinstance(value, sp.Basic):
        if value.is_number:
            yield float(value)
        else:
            yield from (float(a) for a in value.atoms(sp.Number))
    elif isinstance(value, np.ndarray):
        yield from (float(v) for v in value.ravel())
    elif isinstance(value, dict):
        for v in value.values():
            yield from numbers(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from numbers(v)


def hidden_values(assignment: Assignment) -> list[Any]:
    """Every expected value of the rubric's value checks and known mistakes, and every answer of the reference."""
    ref = assignment.reference
    values: list[Any] = []
    for check in assignment.checks:
        if check.spec.kind == "function":
            continue
        for params in (check.params, *(m.params for m in check.mistakes)):
            if not callable(params.expected):
                values.append(params.expected)
    for part in assignment.rubric.parts:
        if part.value not in ("function", "text") and callable(getattr(ref, part.answer, None)):
            values.append(getattr(ref, part.answer)())
    return values


def public_numbers() -> list[float]:
    """The numbers the handout prints: matrices, weights, inputs, betas, threshold, 3(d) values, levels."""
    printed = [p1.W, p1.V, p1.P1A_INPUT, p1.P1D_BETAS, p1.P1C_LEVELS, float(p1.OUTPUT_THRESHOLD),
               p2.HANDOUT_PARAMS, p2.SEQ1, p2.SEQ2, (-1, 1), p3.P3D_VALUES]
    return list(numbers(printed))


def hidden_points(values: list[Any]) -> list[tuple[float, float]]:
    """Every pair of numbers of an answer: polygon vertices and 2-vectors."""
    points: list[tuple[float, float]] = []
    for value in values:
        plain = as_plain(value)
        items = list(plain.values()) if isinstance(plain, dict) else [plain]
        for item in items:
            if isinstance(item, list) and len(item) == 2 and len(list(numbers(item))) == 2:
                points.append(tuple(numbers(item)))  # type: ignore[arg-type]
            elif isinstance(item, list):
                points += [tuple(numbers(v)) for v in item  # type: ignore[misc]
                           if isinstance(v, list) and len(list(numbers(v))) == 2]
    return points


def leaks(cases: list[Case], values: list[Any]) -> list[str]:
    """What of ``values`` (hidden answers) the calls ``cases`` carry in their arguments."""
    public = public_numbers()
    secret = [h for h in set(numbers(values)) if not any(close(h, p) for p in public)]
    dicts = [v for v in values if isinstance(v, dict) and all(isinstance(k, str) for k in v)]
    points = hidden_points(values)
    found: list[str] = []
    for case in cases:
        args = [*case.args, *case.kwargs.values()]
        for a in numbers(args):
            found += [f"{case.label}: {a!r} is the hidden number {h!r}" for h in secret if close(a, h)]
        for arg in args:
            for d in dicts:
                if isinstance(arg, dict) and set(arg) == set(d) and all(
                        close(float(arg[k]), float(d[k])) for k in d):
                    found.append(f"{case.label}: a hidden params dict")
        pairs = [list(numbers(a)) for a in args if isinstance(a, (list, tuple, np.ndarray))]
        if len(args) >= 2 and all(isinstance(a, (int, float)) for a in args[:2]):
            pairs.append([float(args[0]), float(args[1])])
        for pair in pairs:
            if len(pair) == 2 and any(close(pair[0], p[0]) and close(pair[1], p[1]) for p in points):
                found.append(f"{case.label}: the hidden point {pair}")
    return found


def test_no_visible_check_passes_a_hidden_answer(assignment: Assignment) -> None:
    values = hidden_values(assignment)
    visible = [c for c in assignment.checks if c.visibility in SHOWN_BEFORE_DUE and c.calls]
    assert {c.answer for c in visible} == set(FUNCTIONS)
    assert [leak for check in visible for leak in leaks(list(check.calls), values)] == []


def test_the_hidden_values_hold_every_kind_of_answer(assignment: Assignment) -> None:
    hidden = set(numbers(hidden_values(assignment)))
    expected = [*numbers(p1.p1c_curve_3()), *p1.p1d_areas(), *p1.p1a_output(), p3.p3d_dC_dw1(),
                *numbers(p2.p2c_params()), *numbers(p2.p2d_params())]
    assert all(any(close(e, h) for h in hidden) for e in expected)


def test_the_leak_finder_flags_hidden_answers(assignment: Assignment) -> None:
    values = hidden_values(assignment)
    vertex = p1.p1c_curve_1()[0]
    carrying = [
        Case(([0, 1, 1], p2.p2c_params()), label="2(c) weights"),
        Case(([1, -1], p2.p2d_params()), label="2(d) weights"),
        Case((float(vertex[0]), float(vertex[1])), {"beta": 1.0}, label="a vertex"),
        Case((np.array(p1.p1c_region_0()[0]), 1.0), label="a vertex as a vector"),
        Case((0.3, 0.2), {"beta": p1.p1d_areas()[1]}, label="an area"),
        Case(([[p3.p3d_dC_dw2()]], [0.1], [1.0], Named("sigmoid"), Named("sigmoid_prime"),
              Named("quadratic_loss_grad", (("target", (p1.p1a_output()[1],)),))), label="3(d), 1(a)"),
    ]
    found = leaks(carrying, values)
    assert {f.split(":")[0] for f in found} == {c.label for c in carrying}
    assert leaks([Case((3.0, 14.0), {"beta": 3.0}, label="handout"),
                  Case((list(p2.SEQ1), dict(p2.HANDOUT_PARAMS)), label="handout")], values) == []


def test_the_calls_stay_few(assignment: Assignment) -> None:
    counts = {answer: len(check.calls) for answer, check in function_checks(assignment).items()}
    assert sum(counts.values()) <= 150, counts
    assert all(math.isfinite(n) and n >= 10 for n in counts.values()), counts


@pytest.mark.slow
def test_a_network_that_ignores_beta_earns_only_the_beta_one_groups(assignment: Assignment, tmp_path: Path) -> None:
    """Partly working code earns part of the points: right at beta = 1, wrong at any other beta."""
    (tmp_path / "hw4.py").write_text(RIGHT + "\ndef relu_network(x1, x2, beta=1.0):\n"
                                     "    return right_relu_network(x1, x2)\n", encoding="utf-8")
    check = function_checks(assignment)["relu_network"]
    report = grade_path(tmp_path, assignment, checks=[check])
    test = next(t for t in report.tests if t.answer == "relu_network")
    at_beta_one = sum(g.points for g in check.params.groups if g.name.startswith("beta = 1,"))
    assert at_beta_one == 4
    assert (test.status, test.score) == ("partial", at_beta_one), test.output
