"""The allow-list math parser: accepted forms, rejected syntax, hostile input."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest
import sympy

from grader.errors import InvalidAnswer
from grader.expr import parse_expression, real_symbols, to_number, to_sympy
from grader.sandbox.answers import Failed, Opaque, SympyText

S = real_symbols(["x", "z", "w1", "x1", "x2"])
x, z, w1, x1, x2 = (S[n] for n in ["x", "z", "w1", "x1", "x2"])
VARS = ("x", "z", "w1")
REL = ("x1", "x2")


def sig(u):
    return 1 / (1 + sympy.exp(-u))


EXPR_PAIRS = [
    ("x^2 + 1", x**2 + 1),
    ("x**2 + 1", x**2 + 1),
    ("2^-1", sympy.Rational(1, 2)),
    ("sigma(z)", sig(z)),
    ("sigmoid(z)*(1-sigmoid(z))", sig(z) * (1 - sig(z))),
    ("exp(-z)/(1+exp(-z))^2", sympy.exp(-z) / (1 + sympy.exp(-z)) ** 2),
    ("relu(w1*x)", sympy.Max(w1 * x, 0)),
    ("ReLU(w1*x)", sympy.Max(w1 * x, 0)),
    ("max(w1*x, 0)", sympy.Max(w1 * x, 0)),
    ("Max(0, w1*x)", sympy.Max(w1 * x, 0)),
    ("Heaviside(w1*x)", sympy.Heaviside(w1 * x)),
    ("step(w1*x)", sympy.Heaviside(w1 * x)),
    ("Heaviside(x, 1/2)", sympy.Heaviside(x)),
    ("abs(x) + Abs(z)", sympy.Abs(x) + sympy.Abs(z)),
    ("ln(x) + log(z) + sqrt(x) + tanh(x)", sympy.log(x) + sympy.log(z) + sympy.sqrt(x) + sympy.tanh(x)),
    ("pi + E + e", sympy.pi + 2 * sympy.E),
    ("Rational(1, 3)*x + Integer(2) + Float(0.5)", x / 3 + sympy.Rational(5, 2)),
    ("Piecewise((x, x > 0), (0, True))", sympy.Piecewise((x, x > 0), (0, True))),
    ("  x\n + 1 ", x + 1),
]


@pytest.mark.parametrize(("text", "expected"), EXPR_PAIRS, ids=[t for t, _ in EXPR_PAIRS])
def test_parses_expression_forms(text, expected):
    assert sympy.simplify(parse_expression(text, VARS) - expected) == 0


REL_PAIRS = [
    ("x1 > 1", x1 > 1),
    ("1 < x1", x1 > 1),
    ("x1 - 1 >= 0", x1 - 1 >= 0),
    ("0 < x1 < 1", sympy.And(x1 > 0, x1 < 1)),
    ("(x1 > 1) & (x2 < 3)", sympy.And(x1 > 1, x2 < 3)),
    ("(x1 > 1) | (x2 < 3)", sympy.Or(x1 > 1, x2 < 3)),
    ("~(x1 > 1)", x1 <= 1),
    ("x1 > 1 and not x2 > 0", sympy.And(x1 > 1, x2 <= 0)),
    ("And(Abs(x1) <= 1, Abs(x2) <= 1)", sympy.And(sympy.Abs(x1) <= 1, sympy.Abs(x2) <= 1)),
    ("Or(Eq(x1, 2), Ne(x2, 1))", sympy.Or(sympy.Eq(x1, 2), sympy.Ne(x2, 1))),
    ("Gt(x1, 1)", x1 > 1),
    ("x1 < oo", sympy.true),
    ("True", sympy.true),
    ("false", sympy.false),
]


@pytest.mark.parametrize(("text", "expected"), REL_PAIRS, ids=[t for t, _ in REL_PAIRS])
def test_parses_relation_forms(text, expected):
    def canonical(e):
        return e.replace(lambda n: isinstance(n, sympy.core.relational.Relational), lambda n: n.canonical)

    assert canonical(parse_expression(text, REL, relations=True)) == canonical(expected)


@pytest.mark.parametrize(
    "obj",
    [
        sig(z) * (1 - sig(z)),
        sympy.diff(sympy.Max(0, w1 * x) ** 2, w1),
        sympy.Piecewise((x, x > 0), (0, True)) + sympy.Rational(1, 3),
        sympy.Float(0.25) * x - sympy.oo,
    ],
    ids=["sigma_prime", "heaviside_diff", "piecewise", "float_oo"],
)
def test_sympy_str_round_trips(obj):
    assert to_sympy(SympyText(str(obj)), VARS) == obj


@pytest.mark.parametrize(
    "obj",
    [sympy.And(x1 > 1, sympy.Eq(x2, 2)), sympy.Or(x1 > 1, sympy.Ne(x2, 1)), sympy.Not(sympy.Eq(x1, 1))],
    ids=["and_eq", "or_ne", "not_eq"],
)
def test_sympy_relation_str_round_trips(obj):
    assert to_sympy(SympyText(str(obj)), REL, relations=True) == obj


REJECTS = [
    ("y + 1", "unknown name 'y'; this answer may use x, z, w1", "at character 1"),
    ("x + q", "unknown name 'q'; this answer may use x, z, w1", "at character 5"),
    ("x.real", "'.' attribute access is not allowed", "at character 1"),
    ("np.exp(x)", "write exp(...) without 'np.'", "at character 1"),
    ("1 - x*np.float64(2.5)", "'np.float64(...)' is not allowed; write a plain number (a numpy value shown "
     "with repr() looks like np.float64(2.5): build the string from float(value))", "at character 7"),
    ("x[0]", "'[...]' indexing is not allowed", "at character 1"),
    ("lambda: 0", "'lambda' is not allowed", "at character 1"),
    ("'x'", "text in quotes is not allowed inside an expression", "at character 1"),
    ("exp(x=1)", "keyword arguments (name=value) are not allowed in exp(...)", "at character 1"),
    ("[x for x in z]", "comprehensions are not allowed", "at character 1"),
    ("x(2)", "'x' is a variable, not a function; write x*(...) to multiply", "at character 1"),
    ("exp", "'exp' is a function; call it like exp(...)", "at character 1"),
    ("x > 1", "a comparison is not allowed here; this answer is an expression", "at character 1"),
    ("(1, 2)", "found several values separated by commas; give a single expression", "at character 1"),
    ("True", "True/False are only allowed in relations", "at character 1"),
    ("zoo", "'zoo' is not a finite number", "at character 1"),
    ("x & z", "'&' and '|' are only allowed in relations", "at character 1"),
    ("1j", "imaginary numbers are not allowed", "at character 1"),
    ("1e400", "this number is too large", "at character 1"),
    ("x^2^2000", "an exponent larger than 1000 is not allowed", "at character 3"),
    ("exp(1, 2)", "exp(...) takes 1 argument(s), found 2", "at character 1"),
]


@pytest.mark.parametrize(("text", "message", "where"), REJECTS, ids=[t for t, _, _ in REJECTS])
def test_rejects_with_located_message(text, message, where):
    with pytest.raises(InvalidAnswer) as info:
        parse_expression(text, VARS)
    assert (info.value.message, info.value.where) == (message, where)


def test_syntax_error_is_located_in_original_text():
    with pytest.raises(InvalidAnswer) as info:
        parse_expression("x^2 +* 3", VARS)
    assert info.value.message.startswith("this is not a valid expression")
    assert info.value.where == "at character 6"


def test_unknown_function_lists_allowed_ones():
    with pytest.raises(InvalidAnswer) as info:
        parse_expression("__import__('os')", VARS)
    assert info.value.message == (
        "'__import__' is not an allowed function; allowed: exp, log, ln, sqrt, Abs, abs, Max, max, Min, min, "
        "sinh, cosh, tanh, sech, csch, coth, sin, cos, sign, sigma, sigmoid, relu, ReLU, Heaviside, step"
    )


def test_ampersand_without_parentheses_joins_the_relations():
    assert parse_expression("x1 > 1 & x2 < 3", REL, relations=True) == sympy.And(x1 > 1, x2 < 3)
    assert parse_expression("x1 > 1 | x2 < 3 & x1 < 0", REL, relations=True) == sympy.Or(
        x1 > 1, sympy.And(x2 < 3, x1 < 0))


def test_ampersand_between_expressions_says_to_use_relations():
    with pytest.raises(InvalidAnswer) as info:
        parse_expression("x1 & x2", REL, relations=True)
    assert info.value.message == (
        "'&' joins relations; put each relation in parentheses, e.g. (x1 > 1) & (x2 < 3)")


def test_constant_only_message():
    with pytest.raises(InvalidAnswer) as info:
        parse_expression("x + 1", ())
    assert info.value.message == (
        "unknown name 'x'; this answer must be a constant "
        "(numbers, pi, e and functions such as exp, log, sqrt)"
    )


ATTACKS = [
    "__import__('os')",
    "().__class__.__bases__",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 0",
    "exec('x')",
    "eval('1')",
    "9**9**9**9",
    "2**2**2**2**2",
    "10**100000",
    "1" + "0" * 1500,
    "x" * 3000,
    "sqrt(" * 80 + "x" + ")" * 80,
    "(" * 250 + "x" + ")" * 250,
    "-" * 1900 + "x",
    "+".join(["x"] * 600),
    "exp(exp(exp(10)))",
    "10**1000*10**1000",
    "(1e300*1e300)**3",
    "f'{x}'",
    "(y := 1)",
    "1/0",
    "log(0)",
]


@pytest.mark.parametrize("text", ATTACKS, ids=[a[:30] for a in ATTACKS])
def test_attacks_are_invalid_and_fast(text):
    start = time.perf_counter()
    with pytest.raises(InvalidAnswer):
        parse_expression(text, VARS)
    assert time.perf_counter() - start < 0.5


def test_to_sympy_accepts_numbers():
    assert to_sympy(2, VARS) == 2
    assert to_sympy(0.5, VARS) == sympy.Float(0.5)
    assert to_sympy(Fraction(1, 3), VARS) == sympy.Rational(1, 3)
    assert to_sympy(True, REL, relations=True) == sympy.true


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (True, "expected an expression, found the bool True"),
        ([1, 2], "expected an expression (a string or a sympy expression), found a sequence of 2 item(s)"),
        (Opaque("Foo"), "expected an expression (a string or a sympy expression), "
         "found an object of type Foo"),
        (float("nan"), "expected a finite number, found the float nan"),
    ],
    ids=["bool", "list", "opaque", "nan"],
)
def test_to_sympy_rejects_other_types(answer, message):
    with pytest.raises(InvalidAnswer) as info:
        to_sympy(answer, VARS)
    assert info.value.message == message


def test_to_sympy_names_relation_kind():
    with pytest.raises(InvalidAnswer) as info:
        to_sympy(Failed("boom"), REL, relations=True)
    assert info.value.message == "expected a relation such as 'x1 > 1', found an error: boom"


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        (3, 3.0),
        (0.25, 0.25),
        (Fraction(1, 4), 0.25),
        ("1/(1+exp(-15))", 1 / (1 + 2.718281828459045**-15)),
        ("2^10", 1024.0),
        (SympyText("sqrt(2)/2"), 2**0.5 / 2),
        ("11.39", 11.39),
    ],
    ids=["int", "float", "fraction", "sigmoid_text", "caret", "sympy_text", "decimal"],
)
def test_to_number_accepts(answer, value):
    assert to_number(answer) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (True, "a bool is not a number (found the bool True)"),
        (float("inf"), "expected a finite number, found inf"),
        ("oo", "expected a finite number, found infinity"),
        ("sqrt(-1)", "expected a real number, found a complex or undefined value"),
        ("x + 1", "unknown name 'x'; this answer must be a constant (numbers, pi, e and functions such as "
         "exp, log, sqrt)"),
        ([1.0], "expected a number, found a sequence of 1 item(s); give the item itself, not a list holding it "
         "(flatten the nested list)"),
        (10**400, "this number is too large"),
    ],
    ids=["bool", "inf", "oo", "complex", "symbol", "list", "huge_int"],
)
def test_to_number_rejects(answer, message):
    with pytest.raises(InvalidAnswer) as info:
        to_number(answer)
    assert info.value.message == message


eta, w2, t = sympy.symbols("eta w2 t", real=True)
PASTE_VARS = ("x", "z", "w1", "w2", "t", "eta")

PASTED = [
    ("0.01 \u2212 2.0809*\u03b7", 0.01 - 2.0809 * eta),
    ("\u03c3(z)*(1 \u2212 \u03c3(z))", sig(z) * (1 - sig(z))),
    ("\u03c3(z) \u2212 \u03c3(z)\u00b2", sig(z) - sig(z) ** 2),
    ("e^(\u2212z)/(1 + e^(\u2212z))\u00b2", sympy.exp(-z) / (1 + sympy.exp(-z)) ** 2),
    ("2\u00d7x \u00b7 w1", 2 * x * w1),
    ("x \u00f7 2", x / 2),
    ("x\u207b\u00b9 + x\u00b3", 1 / x + x**3),
    ("w\u2081\u00b7x", w1 * x),
    ("\uff58\uff0b\uff11", x + 1),
    ("x\u00a0+\u3000z", x + z),
    ("\u00bd*x", x / 2),
    ("1/(4*cosh(z/2)**2)", 1 / (4 * sympy.cosh(z / 2) ** 2)),
    ("sech(z/2)**2/4", sympy.sech(z / 2) ** 2 / 4),
    ("sinh(x) + csch(x) + coth(x) + tanh(x)", sympy.sinh(x) + sympy.csch(x) + sympy.coth(x) + sympy.tanh(x)),
    ("(w1*x > 0)*x", x * sympy.Heaviside(w1 * x, 0)),
    ("x*(w1*x >= 0)", x * sympy.Heaviside(w1 * x, 1)),
    ("(x < 1)", None),
    ("-(x <= 1)", -sympy.Heaviside(1 - x, 1)),
    ("(0 < x < 1)*z", z * sympy.Heaviside(x, 0) * sympy.Heaviside(1 - x, 0)),
    ("Max(x > 0, z)", sympy.Max(sympy.Heaviside(x, 0), z)),
]


@pytest.mark.parametrize(("text", "expected"), PASTED, ids=[t for t, _ in PASTED])
def test_parses_pasted_notation(text, expected):
    if expected is None:  # a comparison on its own is a relation, refused as an expression
        with pytest.raises(InvalidAnswer, match="a comparison is not allowed here"):
            parse_expression(text, PASTE_VARS)
        return
    assert parse_expression(text, PASTE_VARS) == expected


PASTED_RELATIONS = [
    ("x1 \u2265 1", x1 >= 1),
    ("x\u2081 \u2264 2", x1 <= 2),
    ("x1 \u2260 2", sympy.Ne(x1, 2)),
    ("\u22121 \u2264 x1 \u2264 1 and \u22121 \u2264 x2 \u2264 1",
     sympy.And(sympy.Le(-1, x1), x1 <= 1, sympy.Le(-1, x2), x2 <= 1)),
    ("x1 > 1 & x2 < 3", sympy.And(x1 > 1, x2 < 3)),
    ("x1 > 1 && x2 < 3", sympy.And(x1 > 1, x2 < 3)),
    ("x1 > 1 | x2 < 3", sympy.Or(x1 > 1, x2 < 3)),
    ("x1 > 1 AND x2 < 3", sympy.And(x1 > 1, x2 < 3)),
    ("x1 > 1 Or x2 < 3", sympy.Or(x1 > 1, x2 < 3)),
    ("x1 \u2265 1 \u2227 x2 \u2264 2", sympy.And(x1 >= 1, x2 <= 2)),
    ("\u00ac(x1 > 1) \u2228 x2 > 0", sympy.Or(x1 <= 1, x2 > 0)),
    ("And(x1 > 1, Or(x2 < 3, x2 > 4))", sympy.And(x1 > 1, sympy.Or(x2 < 3, x2 > 4))),
    ("x1*(x2 > 0) > 1", x1 * sympy.Heaviside(x2, 0) > 1),
]


@pytest.mark.parametrize(("text", "expected"), PASTED_RELATIONS, ids=[t for t, _ in PASTED_RELATIONS])
def test_parses_pasted_relations(text, expected):
    assert parse_expression(text, REL, relations=True) == expected


HINTS = [
    ("x1 => 1", True, "this is not a valid expression: write >= instead of =>", "at character 4"),
    ("x1 =< 1", True, "this is not a valid expression: write <= instead of =<", "at character 4"),
    ("x1 = 1", True, "this is not a valid expression: write == for 'equals' (or <, <=, >, >=); a single = is "
     "not a comparison", "at character 4"),
    ("|x1| <= 1", True, "this is not a valid expression: write Abs(...) for an absolute value; | only joins "
     "relations", "at character 1"),
    ("x1 > 1, x2 < 3", True, "found several relations separated by commas; join them with 'and' (&) or 'or' (|)",
     "at character 1"),
    ("2x + 1", False, "this is not a valid expression: use * for multiplication: 2x \u2192 2*x", "at character 1"),
    ("2\u03b7", False, "this is not a valid expression: use * for multiplication: 2eta \u2192 2*eta",
     "at character 1"),
    ("x w1", False, "this is not a valid expression: use * for multiplication: 'x w1' \u2192 x*w1",
     "at character 3"),
    ("w1x", False, "unknown name 'w1x'; use * for multiplication: w1x \u2192 w1*x", "at character 1"),
    ("(x+1)(x-1)", False, "use * for multiplication between brackets: )( \u2192 )*(", "at character 1"),
    ("sigma(z)(1 - sigma(z))", False, "use * for multiplication between brackets: )( \u2192 )*(",
     "at character 1"),
    ("2(x+1)", False, "use * for multiplication: 2(...) \u2192 2*(...)", "at character 1"),
    ("pow(x, 2)", False, "'pow' is not an allowed function: use ** or ^ for powers: pow(a, b) \u2192 a**b",
     "at character 1"),
    ("x\u207f", False, "the character '\u207f' is not allowed: use ** or ^ for powers, e.g. x**2 or x^2",
     "at character 2"),
    ("\u221ax", False, "write sqrt(...) instead of \u221a", "at character 1"),
    ("\u0445 + 1", False, "the character '\u0445' (U+0445) is not allowed: type the answer with plain keyboard "
     "characters", "at character 1"),
    ("sigma'(z)", False, "this is not a valid expression: a quote or prime ' is not allowed: write a derivative "
     "out as a formula", "at character 6"),
    ("|x|", False, "this is not a valid expression: write Abs(...) for an absolute value (| only joins relations)",
     "at character 1"),
    ("dC/dw1 = x", False, "this is not a valid expression: give only the expression, without 'name =' in front",
     "at character 8"),
    ("[x + 1]*2", False, "a list '[...]' is not allowed inside an expression; use ( ) for grouping, not [ ]",
     "at character 1"),
    ("e^{-z}", False, "'{...}' is not allowed inside an expression; use ( ) for grouping, not { }",
     "at character 3"),
    ("X + 1", False, "unknown name 'X'; did you mean x? this answer may use x, z, w1", "at character 1"),
    ("w_1*x", False, "unknown name 'w_1'; did you mean w1? this answer may use x, z, w1", "at character 1"),
    ("Sigmoid(z)", False, "'Sigmoid' is not an allowed function; did you mean sigmoid? allowed: exp, log, ln, "
     "sqrt, Abs, abs, Max, max, Min, min, sinh, cosh, tanh, sech, csch, coth, sin, cos, sign, sigma, sigmoid, "
     "relu, ReLU, Heaviside, step", "at character 1"),
    ("H(x)", False, "'H' is not an allowed function: write step(...) or Heaviside(...) for the unit step",
     "at character 1"),
    ("e(-z)", False, "'e' is not an allowed function: e is a constant: write exp(...) or e**(...)",
     "at character 1"),
    ("(x == 1)*2", False, "only <, <=, > and >= can be a 0/1 factor; write step(u) or Heaviside(u) for 1 where "
     "u > 0", "at character 2"),
    ("0,5", False, "write a decimal point, not a comma: 0.5 instead of 0,5", ""),
    ("x^2 + (1", False, "this is not a valid expression: a bracket is opened here and never closed; add the "
     "missing ')'", "at character 7"),
    ("x + 1)", False, "this is not a valid expression: this bracket closes nothing; remove it or add the opening "
     "'('", "at character 6"),
]


@pytest.mark.parametrize(("text", "relations", "message", "where"), HINTS, ids=[h[0] for h in HINTS])
def test_refusals_say_what_to_write_instead(text, relations, message, where):
    with pytest.raises(InvalidAnswer) as info:
        parse_expression(text, REL if relations else VARS, relations=relations)
    assert (info.value.message, info.value.where) == (message, where)


def test_location_counts_characters_of_the_pasted_text():
    with pytest.raises(InvalidAnswer) as info:
        parse_expression("\u03c3(z)\u00b2 \u2212 q", VARS)
    assert (info.value.message, info.value.where) == (
        "unknown name 'q'; this answer may use x, z, w1", "at character 9")


PASTED_ATTACKS = ["\u00b2" * 1999, "x" + "\u00b9" * 1500, "\u03bf" * 1999, "(" * 100 + "\u03c3(" * 100]


@pytest.mark.parametrize("text", PASTED_ATTACKS, ids=["superscripts", "huge_exponent", "greek", "nesting"])
def test_pasted_attacks_are_invalid_and_fast(text):
    start = time.perf_counter()
    with pytest.raises(InvalidAnswer):
        parse_expression(text, VARS)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("\u22120.0041618", -0.0041618),
        ("\u22124.16e\u22123", -4.16e-3),
        ("\u22124.16\u00d710\u207b\u00b3", -4.16e-3),
        ("1/(1+exp(\u221215))", 1 / (1 + 2.718281828459045**-15)),
        (Fraction(-1, 240), -1 / 240),
        (SympyText("-0.00416183312434091"), -0.00416183312434091),
    ],
    ids=["unicode_minus", "unicode_exponent", "times_ten", "sigmoid_15", "fraction", "sympy_float"],
)
def test_to_number_accepts_pasted_numbers(answer, value):
    assert to_number(answer) == pytest.approx(value, rel=1e-12)
