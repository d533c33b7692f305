"""The student self-check: statuses on real submissions, parse messages, public properties."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from grader.answers import Failed, FunctionRef, Missing, SympyText
from grader.assignment import load_assignment
from grader.calls import Case, Named
from grader.paths import DEFAULT_RUBRIC, ROOT
from grader.public_checks import (
    HANDOUT_LSTM,
    PROPERTIES,
    build_public,
    finite_differences,
    handout_lstm,
    lstm_behaviour,
    negated_target,
    sign_target,
)
from grader.selfcheck import Row, read_problem, render_check, run_check

EXAMPLES = ROOT / "submissions_example"


@pytest.fixture(scope="module")
def public() -> dict:
    return build_public(load_assignment(DEFAULT_RUBRIC))


def _part(public: dict, answer: str) -> dict:
    return next(p for p in public["parts"] if p["answer"] == answer)


def _statuses(capsys: pytest.CaptureFixture[str], example: str) -> tuple[dict[str, str], str]:
    assert run_check(EXAMPLES / example, color=False) == 0
    out = capsys.readouterr().out
    rows = {}
    for line in out.splitlines():
        cells = line.split()
        if len(cells) >= 3 and cells[0][:1].isdigit() and "." in cells[0]:
            rows[cells[1]] = cells[2]
    return rows, out


def test_public_metadata_holds_shapes_not_answers(public: dict) -> None:
    assert _part(public, "p1a_output")["length"] == 2
    assert _part(public, "p1b_positive_sides")["items"] == 4
    assert _part(public, "p1c_outputs")["keys"] == ["0", "1", "3"]
    assert _part(public, "p2a_h_seq1")["length"] == 6
    assert _part(public, "p3c_dC_dw1")["variables"] == ["x", "w1", "w2", "b", "t"]
    assert _part(public, "p1d_region_change")["choices"] == ["grows", "shrinks", "unchanged"]
    assert all("expected" not in p for p in public["parts"])
    assert sum(p["points"] for p in public["parts"]) == 100


@pytest.mark.slow
def test_full_credit_is_all_ok(capsys: pytest.CaptureFixture[str]) -> None:
    rows, out = _statuses(capsys, "full_credit")
    assert len(rows) == 26
    staff = {"p2b_interpretation", "p3a_sgd", "p3e_explanation"}
    assert {k for k, v in rows.items() if v == "staff"} == staff
    assert all(v == "ok" for k, v in rows.items() if k not in staff)
    assert "Nothing to fix" in out and "passed on 6 calls" in out


@pytest.mark.slow
def test_partial_reports_each_kind_of_problem(capsys: pytest.CaptureFixture[str]) -> None:
    rows, out = _statuses(capsys, "partial")
    assert rows["softmax_beta"] == "wrong"  # overflows for a large beta
    assert rows["p2a_h_seq2"] == "invalid"  # 0.5 is not an int
    assert rows["p2c_params"] == "invalid"  # b_c missing
    assert rows["lstm_run"] == "error"  # NotImplementedError
    assert rows["backprop"] == "missing"
    assert rows["p2b_interpretation"] == "optional"  # an empty string for a staff-graded part
    assert rows["p3d_dC_dw1"] == rows["p1b_positive_sides"] == "ok"  # wrong answers still only parse
    assert "Item 3 should be an int; it is the float 0.5" in out
    assert "Missing key(s) b_c" in out
    assert "Fix first: your file ran with an error at line 4: ModuleNotFoundError" in out


def test_no_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(tmp_path, color=False) == 2
    assert "error:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("answer", "value", "message"),
    [
        ("p1a_output", [1.0], "expected 2 numbers, found 1"),
        ("p1a_output", [1.0, "2 +* 3"], "(item 2, at character"),
        ("p1a_output", "0.5", "expected 2 numbers in a list or tuple"),
        ("p1b_positive_sides", ["x1 > 1", "x2 > 1", "x1 + y > 0", "x2 < 1"], "(item 3"),
        ("p1b_positive_sides", ["x1 > 1"], "expected 4 relations; found 1"),
        ("p1c_curve_1", [(0, 0), (1, 0)], "at least 3"),
        ("p1c_outputs", {0: (0.5, 0.5), 1: (0.5, 0.5)}, "no entry for 3"),
        ("p1d_region_change", "bigger", "expected one of 'grows', 'shrinks', 'unchanged'"),
        ("p3b_sigmoid_prime", "sigma(z)*(1 - sigma(z)", "at character"),
        ("p3c_dC_dw1", "x*w3", "w3"),
        ("p3e_w1_updated_again", "no", "expected True or False"),
        ("backprop", 3, "expected a function"),
        ("p2a_h_seq1", [0, 1, 0], "expected 6 values; found 3"),
    ],
)
def test_invalid_answers_say_what_and_where(public: dict, answer: str, value: object, message: str) -> None:
    problem = read_problem(_part(public, answer), value)
    assert problem is not None and message in problem, problem


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("p1a_output", (1, Fraction(1, 3))),
        ("p1b_positive_sides", ["x1 > 1", "x2 > 1", "-x1 > 1", "1 > x2"]),
        ("p1c_region_0", "(x1 < 1) & (x2 < 1)"),
        ("p1c_outputs", {"0": (0.5, 0.5), 1: [0, 1], 3: (1, 0)}),
        ("p3d_w1_update", "0.01 - eta*w1^2"),
        ("p3b_sigmoid_prime", SympyText("exp(-z)/(1 + exp(-z))**2")),
        ("p2a_h_seq1", [0, 1, 0, 1.0, 0, -1]),
        ("softmax_beta", FunctionRef("softmax_beta")),
    ],
)
def test_well_formed_answers_parse(public: dict, answer: str, value: object) -> None:
    assert read_problem(_part(public, answer), value) is None


def _softmax(u: np.ndarray, beta: float) -> list[float]:
    z = beta * np.asarray(u, dtype=float)
    e = np.exp(z - z.max())
    return list(e / e.sum())


def test_softmax_property_accepts_a_stable_softmax_and_rejects_overflow() -> None:
    prop = PROPERTIES["softmax_beta"]
    cases = prop.cases(np.random.default_rng(1))
    assert all(prop.judge(c, _softmax(*c.args)) is None for c in cases)
    big = Case(args=(np.array([600.0, -600.0]), 2.0))
    assert "not finite" in prop.judge(big, [float("nan"), float("nan")])
    assert "sum to 1" in prop.judge(big, [0.5, 0.6])
    assert "larger input" in prop.judge(big, [0.0, 1.0])


def _backprop(weights: list, biases: list, x: np.ndarray, f: Named, f_prime: Named, grad: Named) -> list:
    from grader.calls import resolve

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
    prop = PROPERTIES["backprop"]
    cases = prop.cases(np.random.default_rng(2))
    answers = [_backprop(*c.args) for c in cases]
    assert all(prop.judge(c, a) is None for c, a in zip(cases, answers, strict=True))
    case, answer = cases[1], answers[1]
    slopes = finite_differences(case)
    assert np.allclose(np.asarray(answer[0][0]), slopes[0][0], atol=1e-6)
    scaled = [[(2 * np.asarray(a)).tolist() for a in answer[0]], answer[1]]
    assert "disagrees with the finite-difference slope" in prop.judge(case, scaled)
    shapes = [[np.asarray(a).T.tolist() for a in answer[0]], answer[1]]
    wide = next(i for i, w in enumerate(case.args[0]) if w.shape[0] != w.shape[1])
    assert f"dW[{wide}] has shape" in prop.judge(case, shapes)


def test_lstm_property_follows_the_handout_and_skips_the_2a_inputs() -> None:
    prop = PROPERTIES["lstm_run"]
    cases = prop.cases(np.random.default_rng(3))
    assert all(prop.judge(c, handout_lstm(*c.args)[0]) is None for c in cases)
    assert not any(list(c.args[0]) in ([0, 0, 1, 1, 1, 0], [1, 1, 0, 1, 1]) for c in cases)
    wrong = [1 - h for h in handout_lstm(*cases[5].args)[0]]
    assert "does not follow the handout's equations" in prop.judge(cases[5], wrong)
    assert "h_t" in prop.judge(cases[5], [0])


def test_lstm_weight_behaviours() -> None:
    negated = {**HANDOUT_LSTM, "W_cx": -50.0}  # h feeds back negated: only the input term flips
    assert lstm_behaviour(negated, (0, 1), negated_target) is None
    assert "does not give the required h" in lstm_behaviour(HANDOUT_LSTM, (0, 1), negated_target)
    running_sum = dict.fromkeys(HANDOUT_LSTM, 0.0) | {"b_f": 100.0, "b_i": 100.0, "b_o": 100.0, "W_cx": 100.0}
    assert lstm_behaviour(running_sum, (-1, 1), sign_target) is None
    assert sign_target([1, -1, -1, 1, 1]) == [1, 0, -1, 0, 1]


def test_table_colours_and_fix_first_order() -> None:
    rows = [
        Row("1.a", "p1a_output", "missing", "not defined"),
        Row("2.e", "lstm_run", "timeout", "it ran out of time"),
        Row("3.a", "backprop", "ok", "runs"),
    ]
    plain = render_check(rows, [], color=False)
    assert "\033[" not in plain
    assert "Fix first: 2.e lstm_run (timeout): it ran out of time" in plain
    assert plain.splitlines()[0].split() == ["#", "Answer", "Status", "Message"]
    coloured = render_check(rows, [], color=True)
    assert "\033[32mok" in coloured and "\033[31mtimeout" in coloured


def test_failed_and_missing_values(public: dict) -> None:
    from grader.selfcheck import _status

    part = _part(public, "p1a_output")
    assert _status(part, Missing(), ([], []))[0] == "missing"
    assert _status(part, None, ([], []))[1].startswith("still None")
    assert _status(part, Failed("took too long", timed_out=True), ([], []))[0] == "timeout"
    assert _status(_part(public, "p1d_areas"), Missing(), ([], []))[0] == "optional"
