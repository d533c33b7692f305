"""Check kind ``expression``: HW4 derivatives judged as functions."""

from __future__ import annotations

import time

import pytest
import sympy

from grader.assignment import Assignment, load_assignment
from grader.checks import CheckContext
from grader.checks.expression import Params, check, domain_of, kink_arguments
from grader.grade import judge
from grader.paths import DEFAULT_RUBRIC
from grader.sandbox.answers import Failed, Missing, SympyText
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


PASTED_SIGMA = [
    ("\u03c3(z)*(1 \u2212 \u03c3(z))", "passed"),
    ("\u03c3(z) \u2212 \u03c3(z)\u00b2", "passed"),
    ("e^(\u2212z)/(1 + e^(\u2212z))\u00b2", "passed"),
    ("1/(4*cosh(z/2)**2)", "passed"),
    ("sech(z/2)**2/4", "passed"),
    ("1/(2 + 2*cosh(z))", "passed"),
    ("(1 \u2212 tanh(z/2)\u00b2)/4", "passed"),
    ("\u03c3(z)\u00b2", "failed"),
    ("1/(4*cosh(z)**2)", "failed"),
    ("sech(z/2)/4", "failed"),
]


@pytest.mark.parametrize(("answer", "status"), PASTED_SIGMA, ids=[a for a, _ in PASTED_SIGMA])
def test_sigmoid_prime_pasted_and_hyperbolic(answer, status):
    assert check(SIG_PRIME, answer, ctx=CTX).status == status


SIG2 = "\u03c3(w2*relu(w1*x) + b)"
PASTED_DW1 = [
    (CHAIN + "*w2*x*(w1*x > 0)", "passed"),
    (CHAIN + "*w2*(x*w1 >= 0)*x", "passed"),
    (CHAIN + "*w2*x*(0 < w1*x)", "passed"),
    (CHAIN + "*w2*x*Heaviside(w1*x)", "passed"),
    (CHAIN + "*w2*x*step(x*w1)", "passed"),
    (f"({SIG2} \u2212 t)\u00b7{SIG2}\u00b7(1 \u2212 {SIG2})\u00b7w2\u00b7x\u00b7step(w1\u00b7x)", "passed"),
    (CHAIN + "*w2*x*(w1 > 0)", "failed"),
    (CHAIN + "*w2*x*(w1*x < 0)", "failed"),
]


@pytest.mark.parametrize(("answer", "status"), PASTED_DW1,
                         ids=["gt", "ge", "lt_flipped", "heaviside", "step_xw1", "unicode", "w1_only", "other_side"])
def test_dC_dw1_with_a_comparison_as_the_relu_derivative(answer, status):
    assert check(DW1, answer, ctx=CTX).status == status


UPDATE = Params(ref.p3d_w1_update(), variables=("eta", "w1", "x", "w2", "b", "t"), substitutions=ref.P3D_VALUES)


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ("0.01 \u2212 2.0809*\u03b7", "passed"),
        ("0.01 \u2212 2.0809\u00d7\u03b7", "passed"),
        ("w1 \u2212 \u03b7\u00b72.0809", "passed"),
        ("0.01 + 2.0809*\u03b7", "failed"),
        ("0.01 \u2212 2.0809", "failed"),
    ],
    ids=["minus_eta", "times_sign", "w1_dot", "wrong_sign", "no_eta"],
)
def test_update_rule_pasted(answer, status):
    assert check(UPDATE, answer, ctx=CTX).status == status


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        ("2z", "this is not a valid expression: use * for multiplication: 2z \u2192 2*z (at character 1)."),
        ("\u03c3(z)(1 \u2212 \u03c3(z))", "use * for multiplication between brackets: )( \u2192 )*( "
         "(at character 1)."),
        ("pow(sigma(z), 2)", "'pow' is not an allowed function: use ** or ^ for powers: pow(a, b) \u2192 a**b "
         "(at character 1)."),
        ("\u03c3'(z)", "this is not a valid expression: a quote or prime ' is not allowed: write a derivative out "
         "as a formula (at character 2)."),
        (["sigma(z)"], "expected an expression (a string or a sympy expression), found a sequence of 1 item(s); "
         "give the item itself, not a list holding it (flatten the nested list)."),
    ],
    ids=["implicit_product", "bracket_product", "pow", "prime", "nested_list"],
)
def test_refusals_say_what_to_write(answer, feedback):
    res = check(SIG_PRIME, answer, ctx=CTX)
    assert (res.fraction, res.status, res.feedback) == (0.0, "invalid", INTRO + feedback)


# --- the numeric stage covers the whole domain ------------------------------------------------

ALL_NEGATIVE = "(x < 0)*(w1 < 0)*(w2 < 0)*(b < 0)*(t < 0)"


@pytest.mark.parametrize("variable", VARS)
def test_a_difference_where_one_variable_is_negative_is_found(variable):
    res = check(DW1, f"{CHAIN}*w2*x*step(w1*x) + ({variable} < 0)", ctx=CTX)
    assert res.status == "failed"
    point = dict(part.split("=") for part in res.counterexample.split(":")[0][3:].split(", "))
    assert float(point[variable]) < 0


def test_a_difference_only_where_every_variable_is_negative_is_found():
    res = check(DW1, f"{CHAIN}*w2*x*step(w1*x) + {ALL_NEGATIVE}", ctx=CTX)
    assert res.status == "failed"
    point = dict(part.split("=") for part in res.counterexample.split(":")[0][3:].split(", "))
    assert all(float(value) < 0 for value in point.values())


@pytest.mark.parametrize(
    ("expected", "answer"),
    [
        ("Max(x, 0)", "(x + Abs(x))/2"),
        ("Max(x, 0)", "x*(x > 0)"),
        ("Max(x, 0)", "relu(x)"),
        ("Heaviside(x)", "1*(x >= 0)"),
        ("Heaviside(x)", "step(x)"),
        ("Heaviside(x)", "Piecewise((1, x > 0), (0, True))"),
        ("sign(x)", "Abs(x)/x"),
        ("Abs(x - 1)", "Max(x - 1, 1 - x)"),
    ],
    ids=["max_abs", "max_indicator", "relu", "heaviside_ge", "step", "piecewise", "sign_undefined_at_0", "shifted"],
)
def test_kinks_are_avoided(expected, answer):
    res = check(Params(expected, variables=("x",)), answer, ctx=CTX)
    assert (res.status, res.feedback) == ("passed", "Correct.")


def test_partial_expected_is_compared_on_its_domain_only():
    x = sympy.Symbol("x", real=True)
    half = Params(sympy.Piecewise((x, x > 0)), variables=("x",))
    assert check(half, "Abs(x)", ctx=CTX).status == "passed"
    assert check(half, "relu(x)", ctx=CTX).status == "passed"
    assert check(half, "-x", ctx=CTX).status == "failed"
    whole = Params(x, variables=("x",))
    res = check(whole, "Piecewise((x, x > 0))", ctx=CTX)
    assert res.status == "failed" and res.counterexample.endswith("your expression is undefined")


def test_pasted_and_hyperbolic_checks_are_fast():
    answers = [a for a, _ in PASTED_SIGMA] + [a for a, _ in PASTED_DW1]
    slowest = 0.0
    for answer in answers:
        params = SIG_PRIME if "z" in answer and "w1" not in answer else DW1
        check(params, answer, ctx=CTX)  # the expected side is compiled once
        start = time.perf_counter()
        check(params, answer, ctx=CTX)
        slowest = max(slowest, time.perf_counter() - start)
    assert slowest < 0.2


def test_domain_of_a_partial_expected():
    x = sympy.Symbol("x", real=True)
    assert domain_of(sympy.Piecewise((x, x > 0))) == (x > 0)
    assert domain_of(sympy.Piecewise((x, x > 0), (0, True))) is None
    assert domain_of(x) is None


# --- known mistakes are matched by meaning, however they are written --------------------------


@pytest.fixture(scope="module")
def hw4() -> Assignment:
    return load_assignment(DEFAULT_RUBRIC)


def _judge(hw4: Assignment, answer_name: str, answer: object) -> tuple[float, str, str]:
    bound = next(c for c in hw4.checks if c.answer == answer_name)
    result, log = judge(hw4, bound, answer)
    assert log == ""
    return result.fraction, result.status, result.feedback


def _chain(forward: str, sigma: str = "sigma") -> str:
    y = f"{sigma}(w2*{forward} + b)"
    return f"({y} - t)*{y}*(1 - {y})"


def _sympy_no_relu_derivative() -> SympyText:
    """The mistake as a student computing with positive sympy symbols sends it (Max(w1*x, 0) is w1*x)."""
    x, w1, w2, b, t = sympy.symbols("x w1 w2 b t", positive=True)
    u = sympy.Symbol("u")
    sigma_prime = sympy.diff(1 / (1 + sympy.exp(-u)), u)
    z2 = w2 * sympy.Max(w1 * x, 0) + b
    y = 1 / (1 + sympy.exp(-z2))
    return SympyText(str((y - t) * sigma_prime.subs(u, z2) * w2 * x))


NO_RELU = (
    "Right only where w1*x > 0: the chain rule goes through the ReLU, whose derivative is step(w1*x) "
    "(0 where w1*x < 0)."
)
FACTOR_TWO = "Off by a factor of 2: C = (1/2)(y - t)^2, so dC/dy = y - t."
SIGMA_ONE_FACTOR = "1 - sigma(z) is only one factor: sigma'(z) = sigma(z) * (1 - sigma(z))."
WW = "(w2*w1*x + b)"
MISTAKES = [
    ("p3c_dC_dw1", _chain("Max(w1*x,0)") + "*w2*x", 0.5, "partial", NO_RELU),
    ("p3c_dC_dw1", _chain("Max(0, x*w1)") + "*w2*x", 0.5, "partial", NO_RELU),
    ("p3c_dC_dw1", _chain("relu(w1*x)") + "*w2*x", 0.5, "partial", NO_RELU),
    ("p3c_dC_dw1", _chain("max(w1*x, 0)") + "*w2*x", 0.5, "partial", NO_RELU),
    ("p3c_dC_dw1", _chain("ReLU(x*w1)") + "*x*w2", 0.5, "partial", NO_RELU),
    ("p3c_dC_dw1", _chain("w1*x") + "*w2*x", 0.5, "partial", NO_RELU),
    ("p3c_dC_dw1", _chain("x*w1") + "*x*w2", 0.5, "partial", NO_RELU),
    ("p3c_dC_dw1", f"(1/(1+exp(-{WW})) - t)*exp(-{WW})/(1+exp(-{WW}))**2*w2*x", 0.5, "partial", NO_RELU),
    ("p3c_dC_dw1", "(\u03c3(w2\u00b7w1\u00b7x + b) \u2212 t)\u00b7\u03c3(w2\u00b7w1\u00b7x + b)"
     "\u00b7(1 \u2212 \u03c3(w2\u00b7w1\u00b7x + b))\u00b7w2\u00b7x", 0.5, "partial", NO_RELU),
    ("p3c_dC_dw1", _sympy_no_relu_derivative(), 0.5, "partial", NO_RELU),
    ("p3c_dC_dw1", "2*" + _chain("relu(w1*x)") + "*w2*x*step(w1*x)", 0.5, "partial", FACTOR_TWO),
    ("p3c_dC_dw1", "2*" + _chain("Max(0, w1*x)") + "*w2*x*(w1*x > 0)", 0.5, "partial", FACTOR_TWO),
    ("p3c_dC_dw1", "2\u00d7" + _chain("relu(w1*x)", "\u03c3") + "\u00d7w2\u00d7x\u00d7Heaviside(w1*x)", 0.5,
     "partial", FACTOR_TWO),
    ("p3c_dC_dw1", _chain("relu(w1*x)") + "*w2*x*step(w1*x)", 1.0, "passed", "Correct."),
    ("p3c_dC_dw1", _chain("Max(x*w1, 0)", "\u03c3") + "*w2*x*(x*w1 > 0)", 1.0, "passed", "Correct."),
    ("p3b_sigmoid_prime", "1 - sigma(z)", 0.0, "failed", SIGMA_ONE_FACTOR),
    ("p3b_sigmoid_prime", "1 \u2212 \u03c3(z)", 0.0, "failed", SIGMA_ONE_FACTOR),
    ("p3b_sigmoid_prime", "exp(-z)/(1 + exp(-z))", 0.0, "failed", SIGMA_ONE_FACTOR),
    ("p3b_sigmoid_prime", "1/(1 + e^z)", 0.0, "failed", SIGMA_ONE_FACTOR),
]
MISTAKE_IDS = [
    "no_relu_deriv:Max(w1*x,0)", "no_relu_deriv:Max(0,x*w1)", "no_relu_deriv:relu", "no_relu_deriv:max",
    "no_relu_deriv:ReLU(x*w1)", "no_relu_deriv:w1*x", "no_relu_deriv:x*w1", "no_relu_deriv:exp_form",
    "no_relu_deriv:unicode", "no_relu_deriv:sympy_positive", "factor_two:step", "factor_two:comparison",
    "factor_two:unicode", "correct:step", "correct:comparison", "sigma_one_factor:plain",
    "sigma_one_factor:unicode", "sigma_one_factor:exp", "sigma_one_factor:e_power",
]


@pytest.mark.parametrize(("answer_name", "answer", "fraction", "status", "feedback"), MISTAKES, ids=MISTAKE_IDS)
def test_known_mistakes_get_the_same_credit_in_every_notation(hw4, answer_name, answer, fraction, status, feedback):
    assert _judge(hw4, answer_name, answer) == (fraction, status, feedback)


def test_a_mistake_wrong_also_where_the_relu_is_active_earns_nothing(hw4):
    fraction, status, feedback = _judge(hw4, "p3c_dC_dw1", _chain("w1*x") + "*w1*x")
    assert (fraction, status) == (0.0, "failed")
    assert feedback.startswith("Your expression does not agree with the expected one everywhere")
