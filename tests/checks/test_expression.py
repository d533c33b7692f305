"""Check kind ``expression``: HW4 derivatives judged as functions."""

from __future__ import annotations

import time

import pytest
import sympy

from grader.answers import Failed, Missing, SympyText
from grader.checks import CheckContext
from grader.checks.expression import Params, check, kink_arguments
from reference import hw4_p3 as ref

CTX = CheckContext()
HIDDEN = CheckContext(reveal=False)
VARS = ("x", "w1", "w2", "b", "t")
SIG_PRIME = Params(ref.p3b_sigmoid_prime(), variables=("z",))
DW1 = Params(ref.p3c_dC_dw1(), variables=VARS)
INTRO = (
    "Expected an expression in z (a string such as '2*x + 1' or a sympy expression), "
    "but this could not be read: "
)
CHAIN = "(sigma(w2*relu(w1*x)+b)-t)*sigma(w2*relu(w1*x)+b)*(1-sigma(w2*relu(w1*x)+b))"

SIGMA_CASES = [
    ("sigma(z)*(1-sigma(z))", "passed"),
    ("sigmoid(z)*(1 - sigmoid(z))", "passed"),
    ("exp(-z)/(1+exp(-z))^2", "passed"),
    ("exp(z)/(1+exp(z))**2", "passed"),
    (SympyText(str(ref.p3b_sigmoid_prime())), "passed"),
    ("0.25*(1 - tanh(z/2)**2)", "passed"),
    ("1-sigma(z)", "failed"),
    ("sigma(z)", "failed"),
    ("sigma(z)*(1-sigma(z)) + 0.05", "failed"),
]


@pytest.mark.parametrize(("answer", "status"), SIGMA_CASES, ids=[str(a) for a, _ in SIGMA_CASES])
def test_sigmoid_prime_forms(answer, status):
    assert check(SIG_PRIME, answer, ctx=CTX).status == status


DW1_CASES = [
    (CHAIN + "*w2*x*Heaviside(w1*x)", "passed"),
    (CHAIN + "*w2*x*step(w1*x)", "passed"),
    (CHAIN + "*w2*x*Piecewise((1, w1*x > 0), (0, True))", "passed"),
    (SympyText(str(ref.p3c_dC_dw1())), "passed"),
    (CHAIN + "*w2*x", "failed"),
    ("2*" + CHAIN + "*w2*x*step(w1*x)", "failed"),
    (CHAIN + "*w2*x*step(x)", "failed"),
]


@pytest.mark.parametrize(("answer", "status"), DW1_CASES, ids=["heaviside", "step", "piecewise", "sympy",
                                                                "no_relu_derivative", "factor_two", "step_x"])
def test_dC_dw1_forms(answer, status):
    assert check(DW1, answer, ctx=CTX).status == status


def test_missing_relu_derivative_fails_with_counterexample_where_w1x_negative():
    res = check(DW1, CHAIN + "*w2*x", ctx=CTX)
    assert res.feedback.startswith("Your expression does not agree with the expected one everywhere (at x=")
    assert res.counterexample is not None and "your expression gives" in res.counterexample
    values = dict(part.split("=") for part in res.counterexample.split(":")[0][3:].split(", "))
    assert float(values["w1"]) * float(values["x"]) < 0


def test_hidden_check_gives_no_point():
    res = check(SIG_PRIME, "1-sigma(z)", ctx=HIDDEN)
    assert (res.status, res.feedback, res.counterexample) == (
        "failed", "Your expression does not agree with the expected one everywhere.", None)


def test_dC_dw2_accepts_and_rejects():
    p = Params(ref.p3c_dC_dw2(), variables=VARS)
    assert check(p, CHAIN + "*relu(w1*x)", ctx=CTX).status == "passed"
    assert check(p, CHAIN + "*w1*x", ctx=CTX).status == "failed"


def test_update_rule_with_substitutions():
    names = ("eta", "w1", "x", "w2", "b", "t")
    p = Params(ref.p3d_w1_update(), variables=names, substitutions=ref.P3D_VALUES)
    assert check(p, "w1 - eta*" + CHAIN + "*w2*x*step(w1*x)", ctx=CTX).status == "passed"
    coefficient = float(ref.p3d_dC_dw1())
    assert check(p, f"0.01 - {coefficient:.4g}*eta", ctx=CTX).status == "passed"
    assert check(p, f"0.01 + {coefficient:.4g}*eta", ctx=CTX).status == "failed"


def test_decimals_within_one_percent_pass():
    p = Params(sympy.Symbol("x", real=True) * sympy.pi, variables=("x",))
    assert check(p, "3.14*x", ctx=CTX).status == "passed"
    assert check(p, "3.0*x", ctx=CTX).status == "failed"


def test_undefined_on_one_side_counts_as_difference():
    p = Params("x", variables=("x",))
    res = check(p, "x*(2*x + 2*abs(x))/(x + abs(x))/2", ctx=CTX)
    assert res.status == "failed"
    assert res.counterexample is not None and res.counterexample.endswith(": your expression is undefined")
    assert check(Params("log(x)", variables=("x",)), "log(x**2)/2", ctx=CTX).status == "failed"
    assert check(Params("log(x)", variables=("x",)), "2*log(sqrt(x))", ctx=CTX).status == "passed"


def test_power_towers_do_not_hang():
    start = time.perf_counter()
    assert check(SIG_PRIME, "exp(exp(exp(exp(z))))", ctx=CTX).status == "failed"
    assert check(SIG_PRIME, "z**z**z**z**z", ctx=CTX).status == "failed"
    assert time.perf_counter() - start < 2


def test_symbolic_confirmation():
    p = Params(ref.p3b_sigmoid_prime(), variables=("z",), symbolic=True)
    res = check(p, "exp(-z)/(1+exp(-z))^2", ctx=CTX)
    assert (res.status, res.feedback) == ("passed", "Correct (confirmed symbolically).")


@pytest.mark.parametrize(
    ("answer", "status", "feedback"),
    [
        ("sigma(y)", "invalid", INTRO + "unknown name 'y'; this answer may use z (at character 7)."),
        ("z > 0", "invalid", INTRO + "a comparison is not allowed here; this answer is an expression "
         "(at character 1)."),
        ([1, 2], "invalid", INTRO + "expected an expression (a string or a sympy expression), found a "
         "sequence of 2 item(s)."),
        (Missing(), "missing", "Not answered: the name is not defined."),
        (Failed("NameError: name 'sp' is not defined"), "error", "NameError: name 'sp' is not defined"),
    ],
    ids=["unknown_variable", "relation", "list", "missing", "failed"],
)
def test_non_answers(answer, status, feedback):
    res = check(SIG_PRIME, answer, ctx=CTX)
    assert (res.fraction, res.status, res.feedback) == (0.0, status, feedback)


def test_simple_checks_are_fast():
    start = time.perf_counter()
    for _ in range(5):
        check(DW1, CHAIN + "*w2*x*step(w1*x)", ctx=CTX)
    assert (time.perf_counter() - start) / 5 < 0.2


def test_kink_arguments():
    x, w1 = sympy.symbols("x w1", real=True)
    assert kink_arguments(sympy.Heaviside(w1 * x) + sympy.Max(w1 * x, 0)) == [w1 * x, -w1 * x]


def test_params_reject_unknown_names():
    with pytest.raises(ValueError, match="expected uses y"):
        Params(sympy.Symbol("y"), variables=("x",))
    with pytest.raises(ValueError, match="substitutions name unknown"):
        Params("x", variables=("x",), substitutions={"q": 1.0})
