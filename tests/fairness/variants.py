"""The fairness corpus: one-answer variants of the full-credit submission, each with its verdict.

Each variant is the full-credit ``hw4.py`` with an override appended (Python
source that reassigns one name or redefines one function).  Its verdict is
what a careful TA gives that part under SPEC.md: ``full``, ``zero``, or
``partial`` within ``[low, high]`` points; ``says`` is a phrase the part's
feedback contains (case-insensitive).  Every other part keeps full credit.

Numbers a student would compute are generated from the reference module
(``reference.hw4``), written into the override the way a student would type
them; forms a student types by hand (``"1/(1+exp(-15))"``) are literals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import reference.hw4 as ref

__all__ = ["Variant", "variants"]

Verdict = Literal["full", "zero", "partial"]

#: What a passing check says, by kind of answer.
CORRECT = "correct"
CALLS_RIGHT = "groups of calls passed"
WEIGHTS_RIGHT = "right on all"

#: Characters a word processor or the handout puts in mathematics.
MINUS, DOT, TIMES, DIVIDE, SIGMA, ETA = "\u2212", "\u00b7", "\u00d7", "\u00f7", "\u03c3", "\u03b7"
LE, GE, SQUARED = "\u2264", "\u2265", "\u00b2"
FRACTION = "from fractions import Fraction\n"


@dataclass(frozen=True, slots=True)
class Variant:
    """One variant: its override, the part it targets and the verdict a careful TA gives.

    Attributes:
        id: a short identifier (a safe folder name).
        code: Python source appended to the full-credit submission.
        target: the answer name (``p1a_output``) or a test-number prefix (``1.b.2``) it changes.
        verdict: ``full``, ``zero`` or ``partial``.
        says: a phrase the target's feedback contains, case-insensitive.
        points: for ``partial``, the range ``(low, high)`` of points the target earns.
    """

    id: str
    code: str
    target: str
    verdict: Verdict
    says: str
    points: tuple[float, float] | None = None


def full(id: str, target: str, code: str, says: str = CORRECT) -> Variant:
    return Variant(id, code, target, "full", says)


def zero(id: str, target: str, code: str, says: str) -> Variant:
    return Variant(id, code, target, "zero", says)


def partial(id: str, target: str, code: str, low: float, high: float, says: str) -> Variant:
    return Variant(id, code, target, "partial", says, (low, high))


# ------------------------------------------------------------------ formatting


def num(value: float) -> str:
    """A float as a student's program would hold it."""
    return repr(float(value))


def pairs(points: Iterable[tuple[float, float]], form: Callable[[float], str] = num) -> str:
    return "[" + ", ".join(f"({form(a)}, {form(b)})" for a, b in points) + "]"


def integral(value: float) -> str:
    """``2.0`` as ``2`` (how a student writes a vertex read off a sketch)."""
    return str(int(value)) if float(value).is_integer() else num(value)


def unicode_minus(value: float) -> str:
    """A number as text with the typographic minus sign U+2212."""
    return f'"{integral(value)}"'.replace("-", "\u2212")


def rotated(points: list[tuple[float, float]], start: int) -> list[tuple[float, float]]:
    return points[start:] + points[:start]


def moved(points: list[tuple[float, float]], old: tuple[float, float], new: tuple[float, float]) -> list:
    """``points`` with the vertex ``old`` replaced by ``new`` (the vertex must be there)."""
    assert old in points, (old, points)
    return [new if p == old else p for p in points]


def scaled(points: list[tuple[float, float]], factor: float) -> list[tuple[float, float]]:
    return [(a * factor, b * factor) for a, b in points]


# ------------------------------------------------------------------ Problem 1


def _p1a() -> list[Variant]:
    o1, o2 = ref.p1a_output()
    t = "p1a_output"
    return [
        full("p1a_column", t, f"p1a_output = np.array([[{num(o1)}], [{num(o2)}]])"),
        full("p1a_row", t, f"p1a_output = np.array([[{num(o1)}, {num(o2)}]])"),
        full("p1a_list", t, f"p1a_output = [{num(o1)}, {num(o2)}]"),
        full("p1a_numpy_scalars", t, f"p1a_output = (np.float64({num(o1)}), np.float32({num(o2)}))"),
        full("p1a_fraction", t, f"{FRACTION}p1a_output = (Fraction({num(o1)}), Fraction({num(o2)}))"),
        full("p1a_sympy", t, "import sympy\np1a_output = (1 / (1 + sympy.exp(-15)), 1 / (1 + sympy.exp(15)))"),
        full("p1a_strings", t, 'p1a_output = ("1/(1+exp(-15))", "1/(1+exp(15))")'),
        full("p1a_strings_unicode", t, 'p1a_output = ("1/(1+e^(\u221215))", "1 \u00f7 (1 + e^15)")'),
        full("p1a_half_percent", t, f"p1a_output = ({num(o1 * 0.995)}, {num(o2 * 1.005)})"),
        zero("p1a_o1_three_percent", t, f"p1a_output = ({num(o1 * 0.97)}, {num(o2)})", "item 1"),
        zero("p1a_o2_three_percent", t, f"p1a_output = ({num(o1)}, {num(o2 * 1.03)})", "item 2"),
        zero("p1a_o2_wrong_sign", t, f"p1a_output = ({num(o1)}, {float(f'{-o2:.4g}')!r})", "item 2"),
        zero("p1a_swapped", t, f"p1a_output = ({num(o2)}, {num(o1)})", "item 1"),
        partial("p1a_o2_rounded_to_zero", t, f"p1a_output = ({num(o1)}, 0.0)", 1, 4, "round"),
        partial("p1a_o2_rounded_to_zero_column", t, f"p1a_output = np.array([[{num(o1)}], [0]])", 1, 4, "round"),
    ]


def _relations(texts: list[str]) -> str:
    return "[" + ", ".join(f'"{s}"' for s in texts) + "]"


def _p1b() -> list[Variant]:
    t = "p1b_positive_sides"
    sides = [str(r) for r in ref.p1b_positive_sides()]
    keyed1 = ", ".join(f'{i + 1}: "{s}"' for i, s in enumerate(sides))
    keyed0 = ", ".join(f'{i}: "{s}"' for i, s in enumerate(sides))
    flipped_2 = sides[:1] + [str(ref.p1b_negative_sides()[1])] + sides[2:]
    sympy_sides = (
        "import sympy\n_x1, _x2 = sympy.symbols('x1 x2')\n"
        "p1b_positive_sides = [_x1 > 1, sympy.Gt(_x2, 1), sympy.Lt(_x1, -1), -_x2 - 1 > 0]"
    )
    wrong_4 = ", ".join(f'{i + 1}: "{s}"' for i, s in enumerate([*sides[:3], "x2 < -2"]))
    return [
        full("p1b_dict_1_to_4", t, f"p1b_positive_sides = {{{keyed1}}}"),
        full("p1b_dict_0_to_3", t, f"p1b_positive_sides = {{{keyed0}}}"),
        full("p1b_reversed_sides", t, 'p1b_positive_sides = ["1 < x1", "1 - x2 < 0", "x1 < -1", "-1 > x2"]'),
        full("p1b_unicode", t, 'p1b_positive_sides = ["x1 \u2212 1 \u2265 0", "x2 \u2265 1", '
                                '"\u2212x1 \u2212 1 \u2265 0", "\u2212x2 > 1"]'),
        full("p1b_sympy", t, sympy_sides),
        full("p1b_tuple", t, f"p1b_positive_sides = tuple({_relations(sides)})"),
        zero("p1b_unit2_other_side", "1.b.2", f"p1b_positive_sides = {_relations(flipped_2)}", "outputs 0"),
        zero("p1b_unit3_wrong_boundary", "1.b.3",
             f"p1b_positive_sides = {_relations([*sides[:2], 'x1 < 1', sides[3]])}", "right region"),
        zero("p1b_dict_unit4_wrong", "1.b.4", f"p1b_positive_sides = {{{wrong_4}}}", "right region"),
    ]


def _p1c_region() -> list[Variant]:
    t = "p1c_region_0"
    square = ref.p1c_region_0()
    return [
        full("region0_chained_unicode", t,
             'p1c_region_0 = "\u22121 \u2264 x1 \u2264 1 and \u22121 \u2264 x2 \u2264 1"'),
        full("region0_abs", t, 'p1c_region_0 = "Abs(x1) <= 1 & abs(x2) <= 1"'),
        full("region0_sympy_and", t,
             "import sympy\n_x1, _x2 = sympy.symbols('x1 x2')\n"
             "p1c_region_0 = sympy.And(sympy.Abs(_x1) <= 1, sympy.Abs(_x2) <= 1)"),
        full("region0_max_abs", t, 'p1c_region_0 = "Max(abs(x1), abs(x2)) <= 1"'),
        full("region0_polygon_reversed", t, f"p1c_region_0 = {pairs(rotated(square[::-1], 2), integral)}"),
        zero("region0_corner_moved", t,
             f"p1c_region_0 = {pairs(moved(square, (1.0, 1.0), (1.1, 1.0)))}", "right region"),
        zero("region0_half_plane", t, 'p1c_region_0 = "x1 <= 1 & x2 <= 1"', "right region"),
    ]


def _p1c_curves() -> list[Variant]:
    one, three = ref.p1c_curve_1(), ref.p1c_curve_3()
    c1, c3 = "p1c_curve_1", "p1c_curve_3"
    mid = ((one[0][0] + one[1][0]) / 2, (one[0][1] + one[1][1]) / 2)
    scrambled = one[::2] + one[1::2]
    corners = [(2.0, -2.0), (2.0, 2.0), (-2.0, 2.0), (-2.0, -2.0)]
    level = 3.35
    return [
        full("curve1_reversed", c1, f"p1c_curve_1 = {pairs(one[::-1], integral)}"),
        full("curve1_other_start", c1, f"p1c_curve_1 = {pairs(rotated(one, 3), integral)}"),
        full("curve1_closed", c1, f"p1c_curve_1 = {pairs([*one, one[0]], integral)}"),
        full("curve1_numpy", c1, f"p1c_curve_1 = np.array({pairs(one)})"),
        full("curve1_extra_collinear_vertex", c1, f"p1c_curve_1 = {pairs([one[0], mid, *one[1:]])}"),
        full("curve1_unicode_strings", c1, f"p1c_curve_1 = {pairs(rotated(one, 5), unicode_minus)}"),
        zero("curve1_vertex_moved", c1, f"p1c_curve_1 = {pairs(moved(one, (2.0, -1.0), (2.1, -1.0)))}",
             "does not match"),
        zero("curve1_not_in_order", c1, f"p1c_curve_1 = {pairs(scrambled)}", "not in order"),
        zero("curve1_given_curve_3", c1, f"p1c_curve_1 = {pairs(three)}", "does not match"),
        zero("curve1_square", c1, f"p1c_curve_1 = {pairs(corners)}", "does not match"),
        full("curve3_reversed_other_start", c3, f"p1c_curve_3 = {pairs(rotated(three[::-1], 4), integral)}"),
        full("curve3_half_percent", c3, f"p1c_curve_3 = {pairs(scaled(three, 1.005))}"),
        zero("curve3_three_percent", c3, f"p1c_curve_3 = {pairs(scaled(three, 1.03))}", "does not match"),
        zero("curve3_level_3_35", c3, f"p1c_curve_3 = {pairs(ref.level_set_polygon(level))}", "does not match"),
    ]


def _outputs(values: dict, key: Callable[[int], str], value: Callable[[tuple], str]) -> str:
    return "{" + ", ".join(f"{key(k)}: {value(v)}" for k, v in values.items()) + "}"


def _p1c_outputs() -> list[Variant]:
    t = "p1c_outputs"
    out = ref.p1c_outputs()
    tup = lambda v: f"({num(v[0])}, {num(v[1])})"  # noqa: E731
    no_relu = {**out, 3: ref.p1c_outputs_without_output_relu()[3]}
    swapped = {**out, 3: out[3][::-1]}
    return [
        full("outputs_string_keys", t, f"p1c_outputs = {_outputs(out, lambda k: repr(str(k)), tup)}"),
        full("outputs_list_0_1_3", t, "p1c_outputs = [" + ", ".join(tup(out[k]) for k in (0, 1, 3)) + "]"),
        full("outputs_columns", t,
             f"p1c_outputs = {_outputs(out, str, lambda v: f'np.array([[{num(v[0])}], [{num(v[1])}]])')}"),
        full("outputs_exact_strings", t,
             'p1c_outputs = {0: ("1/(1+e^2)", "1/(1+e^(\u22122))"), 1: ("1/2", "1/2"), '
             '3: ("1/(1+exp(-3))", "1/(1+exp(3))")}'),
        zero("outputs_without_output_relu", "1.c.4.3", f"p1c_outputs = {_outputs(no_relu, str, tup)}",
             "without the relu on the output layer"),
        zero("outputs_level3_swapped", "1.c.4.3", f"p1c_outputs = {_outputs(swapped, str, tup)}", "item 1"),
    ]


def _p1d() -> list[Variant]:
    t = "p1d_region_change"
    right, mistake = ref.p1d_region_change(), ref.p1d_region_change_mistake()
    other = ({"grows", "shrinks", "unchanged"} - {right, mistake}).pop()
    return [
        full("p1d_case_and_spaces", t, f'p1d_region_change = "  {right.capitalize()} "'),
        zero("p1d_opposite", t, f'p1d_region_change = "{mistake}"', "softmax sharper"),
        zero("p1d_other_choice", t, f'p1d_region_change = "{other}"', "not the right choice"),
    ]


#: relu_network with its own softmax, so that an echoing softmax_beta costs only 1(e).
_OWN_SOFTMAX = """\
def relu_network(x1, x2, beta=1.0):
    z = W[:, 0] * x1 + W[:, 1] * x2 + W[:, 2]
    u = np.maximum(V[:, :4] @ np.maximum(z, 0) + V[:, 4], 0) * beta
    e = np.exp(u - u.max())
    return tuple(float(v) for v in e / e.sum())


"""


def _softmax_beta() -> list[Variant]:
    return [
        zero("softmax_raises_arguments", "softmax_beta", _OWN_SOFTMAX
             + "def softmax_beta(u, beta):\n    raise ValueError(repr((u, beta)))\n", "ValueError"),
    ]


def _relu_network() -> list[Variant]:
    t = "relu_network"
    table = {(3, 14): ref.p1a_output(), (0, 0): ref.relu_network(0, 0), (2, 0): ref.relu_network(2, 0),
             (4, 0): ref.relu_network(4, 0)}
    body = ", ".join(f"{k!r}: ({num(a)}, {num(b)})" for k, (a, b) in table.items())
    wrapped = "_relu_network_right = relu_network\n\n\ndef relu_network(x1, x2, beta=1.0):\n"
    return [
        full("relu_column", t, wrapped + "    return np.array(_relu_network_right(x1, x2, beta)).reshape(2, 1)\n",
             CALLS_RIGHT),
        full("relu_numpy_row", t, wrapped + "    return np.array([_relu_network_right(x1, x2, beta)])\n", CALLS_RIGHT),
        full("relu_prints_arguments", t,
             wrapped + "    print(repr((x1, x2, beta)))\n    return _relu_network_right(x1, x2, beta)\n", CALLS_RIGHT),
        zero("relu_constant_half", t, "def relu_network(x1, x2, beta=1.0):\n    return (0.5, 0.5)\n",
             "not the right value"),
        zero("relu_zeros", t, "def relu_network(x1, x2, beta=1.0):\n    return (0.0, 0.0)\n", "not the right value"),
        zero("relu_lookup_table", t,
             f"_TABLE = {{{body}}}\n\n\ndef relu_network(x1, x2, beta=1.0):\n"
             "    return _TABLE.get((x1, x2), (0.5, 0.5))\n", "not the right value"),
        zero("relu_raises_arguments", t,
             "def relu_network(x1, x2, beta=1.0):\n    raise ValueError(repr((x1, x2, beta)))\n", "ValueError"),
        zero("relu_raises_off_handout", t,
             wrapped + "    if (x1, x2) != (3, 14):\n        raise ValueError(repr((x1, x2, beta)))\n"
             "    return _relu_network_right(x1, x2, beta)\n", "ValueError"),
        partial("relu_ignores_beta", t, wrapped + "    return _relu_network_right(x1, x2)\n", 4, 4, "beta"),
    ]


# ------------------------------------------------------------------ Problem 2


def _p2() -> list[Variant]:
    seq1, seq2 = ref.p2a_h_seq1(), ref.p2a_h_seq2()
    flipped = ref.p2a_h_seq1_flipped_wch()
    one_off = [*seq1[:-1], 1 if seq1[-1] != 1 else 0]
    shortcut = [int(v) if round(v, 4).is_integer() else round(v, 4) for v in ref.p2a_h_seq2_unrounded_shortcut()]
    handout = dict(ref.HANDOUT_PARAMS)
    right = ref.p2c_params()
    alternative = {**right, "W_ch": right["W_ch"] * 1.2, "W_cx": right["W_cx"] * 1.2}
    assert all(ref.lstm_run(xs, alternative) == ref.p2c_target(xs) for xs in ref.all_sequences([0, 1], 8))
    numpy_values = "{" + ", ".join(f"{k!r}: np.float64({num(v)})" for k, v in right.items()) + "}"
    missing = {k: v for k, v in right.items() if k != "b_c"}
    return [
        full("p2a_numpy_ints", "p2a_h_seq1", f"p2a_h_seq1 = np.array({seq1})"),
        full("p2a_tuple", "p2a_h_seq2", f"p2a_h_seq2 = tuple({seq2})"),
        full("p2a_whole_floats", "p2a_h_seq1", f"p2a_h_seq1 = {[float(v) for v in seq1]}"),
        zero("p2a_swapped_sequences", "2.a", f"p2a_h_seq1, p2a_h_seq2 = {seq2}, {seq1}", "found 5"),
        zero("p2a_flipped_wch", "p2a_h_seq1", f"p2a_h_seq1 = {flipped}", "your h repeats the input"),
        zero("p2a_last_value_wrong", "p2a_h_seq1", f"p2a_h_seq1 = {one_off}", "not all values are right"),
        partial("p2a_unrounded_shortcut", "p2a_h_seq2", f"p2a_h_seq2 = {shortcut}", 2.04, 2.04, "round h_t"),
        full("p2c_alternative_weights", "p2c_params", f"p2c_params = {alternative!r}", WEIGHTS_RIGHT),
        full("p2c_numpy_values", "p2c_params", f"p2c_params = {numpy_values}", WEIGHTS_RIGHT),
        zero("p2c_handout_weights", "p2c_params", f"p2c_params = {handout!r}", "required behaviour"),
        zero("p2c_missing_key", "p2c_params", f"p2c_params = {missing!r}", "missing key"),
    ]


def _lstm_run() -> list[Variant]:
    t = "lstm_run"
    answers = {tuple(ref.SEQ1): ref.p2a_h_seq1(), tuple(ref.SEQ2): ref.p2a_h_seq2()}
    wrapped = "_lstm_run_right = lstm_run\n\n\ndef lstm_run(xs, params):\n"
    return [
        full("lstm_numpy_floats", t, wrapped + "    return np.array(_lstm_run_right(xs, params), dtype=float)\n",
             CALLS_RIGHT),
        full("lstm_tuple", t, wrapped + "    return tuple(_lstm_run_right(xs, params))\n", CALLS_RIGHT),
        full("lstm_prints_arguments", t,
             wrapped + "    print(repr((xs, params)))\n    return _lstm_run_right(xs, params)\n", CALLS_RIGHT),
        zero("lstm_lookup_table", t,
             f"_ANSWERS = {answers!r}\n\n\ndef lstm_run(xs, params):\n"
             "    return _ANSWERS.get(tuple(xs), [0] * len(xs))\n", "not the right value"),
        zero("lstm_ignores_params", t, wrapped + "    return _lstm_run_right(xs, HANDOUT)\n", "not the right value"),
        zero("lstm_zeros", t, "def lstm_run(xs, params):\n    return [0] * len(xs)\n", "not the right value"),
        zero("lstm_raises_arguments", t, "def lstm_run(xs, params):\n    raise ValueError(repr((xs, params)))\n",
             "ValueError"),
        zero("lstm_raises_off_handout", t,
             wrapped + "    if dict(params) != HANDOUT:\n        raise ValueError(repr((xs, params)))\n"
             "    return _lstm_run_right(xs, params)\n", "ValueError"),
    ]


# ------------------------------------------------------------------ Problem 3


def _backprop() -> list[Variant]:
    t = "backprop"
    wrapped = "_backprop_right = backprop\n\n\ndef backprop(weights, biases, x, f, f_prime, dC_da):\n"
    grads = "    dW, db = _backprop_right(weights, biases, x, f, f_prime, dC_da)\n"
    return [
        full("backprop_column_db", t, wrapped + grads + "    return dW, [np.reshape(d, (-1, 1)) for d in db]\n",
             CALLS_RIGHT),
        full("backprop_nested_lists", t,
             wrapped + grads + "    return tuple(w.tolist() for w in dW), tuple(d.tolist() for d in db)\n",
             CALLS_RIGHT),
        zero("backprop_layers_reversed", t, wrapped + grads + "    return dW[::-1], db[::-1]\n", "item"),
        zero("backprop_zeros", t,
             "def backprop(weights, biases, x, f, f_prime, dC_da):\n"
             "    return [np.zeros_like(w) for w in weights], [np.zeros_like(b) for b in biases]\n",
             "not the right value"),
        zero("backprop_raises_arguments", t,
             "def backprop(weights, biases, x, f, f_prime, dC_da):\n"
             "    raise ValueError(repr((weights, biases, x, f, f_prime, dC_da)))\n", "ValueError"),
    ]


def _p3b() -> list[Variant]:
    t = "p3b_sigmoid_prime"
    mistake = "1 - sigma(z) is only one factor"
    sym = "import sympy\n_z = sympy.Symbol('z')\n"
    return [
        full("p3b_sigma_product", t, 'p3b_sigmoid_prime = "sigma(z)*(1 - sigma(z))"'),
        full("p3b_unicode_sigma", t, 'p3b_sigmoid_prime = "\u03c3(z)\u00b7(1 \u2212 \u03c3(z))"'),
        full("p3b_sigmoid_name", t, 'p3b_sigmoid_prime = "sigmoid(z) * (1 - sigmoid(z))"'),
        full("p3b_cosh", t, 'p3b_sigmoid_prime = "1/(4*cosh(z/2)**2)"'),
        full("p3b_sech", t, 'p3b_sigmoid_prime = "sech(z/2)**2/4"'),
        full("p3b_tanh", t, 'p3b_sigmoid_prime = "(1 - tanh(z/2)**2)/4"'),
        full("p3b_caret", t, 'p3b_sigmoid_prime = "e^(-z)/(1+e^(-z))^2"'),
        full("p3b_superscript", t, 'p3b_sigmoid_prime = "e^z/(1 + e^z)\u00b2"'),
        full("p3b_division_sign", t, 'p3b_sigmoid_prime = "1 \u00f7 (2 + exp(z) + exp(\u2212z))"'),
        full("p3b_sympy", t, sym + "p3b_sigmoid_prime = sympy.exp(_z) / (1 + sympy.exp(_z))**2"),
        zero("p3b_mistake_plain", t, 'p3b_sigmoid_prime = "1 - sigma(z)"', mistake),
        zero("p3b_mistake_unicode", t, 'p3b_sigmoid_prime = "1 \u2212 \u03c3(z)"', mistake),
        zero("p3b_mistake_expanded", t, 'p3b_sigmoid_prime = "exp(-z)/(1 + exp(-z))"', mistake),
        zero("p3b_mistake_sympy", t, sym + "p3b_sigmoid_prime = 1 - 1/(1 + sympy.exp(-_z))", mistake),
        zero("p3b_wrong_sign", t, 'p3b_sigmoid_prime = "-sigma(z)*(1 - sigma(z))"', "does not agree"),
    ]


def _chain(inner: str, tail: str, *, y: str = "sigma", factor: str = "", dot: str = "*", minus: str = "-") -> str:
    """``factor (y - t) y (1 - y) tail`` with ``y = sigma(inner)``, in a given notation."""
    s = f"{y}({inner})"
    return f"{factor}({s} {minus} t){dot}{s}{dot}(1 {minus} {s}){dot}{tail}"


def _p3c() -> list[Variant]:
    w1, w2 = "p3c_dC_dw1", "p3c_dC_dw2"
    relu = "w2*relu(w1*x) + b"
    half = "right only where w1*x > 0"
    two = "factor of 2"
    uni = f"w2{DOT}relu(w1{DOT}x) + b"
    uni_max = f"w2{DOT}max(w1{DOT}x, 0) + b"
    sym = ("import sympy\n_x, _w1, _w2, _b, _t = sympy.symbols('x w1 w2 b t')\n"
           "_y = 1 / (1 + sympy.exp(-(_w2 * sympy.Max(_w1 * _x, 0) + _b)))\n")
    unicode_right = _chain(uni, f"w2{DOT}x{DOT}Heaviside(w1{DOT}x)", y=SIGMA, dot=DOT, minus=MINUS)
    unicode_half = _chain(uni_max, f"w2{DOT}x", y=SIGMA, dot=DOT)
    unicode_two = _chain(uni, f"w2{DOT}x{DOT}step(w1{DOT}x)", y=SIGMA, factor=f"2{DOT}", dot=DOT)
    times_two = _chain(relu, "relu(w1*x)", factor=f"2 {TIMES} ", dot=f" {TIMES} ")
    return [
        full("p3c1_boolean_factor", w1, f'{w1} = "{_chain(relu, "w2*x*(w1*x > 0)")}"'),
        full("p3c1_step", w1, f'{w1} = "{_chain(relu, "w2*step(w1*x)*x")}"'),
        full("p3c1_unicode", w1, f'{w1} = "{unicode_right}"'),
        full("p3c1_max_exp", w1,
             f'{w1} = "(1/(1+exp(-w2*Max(0, w1*x) - b)) - t) * exp(-w2*Max(0, w1*x) - b)'
             f' / (1+exp(-w2*Max(0, w1*x) - b))^2 * w2 * x * Heaviside(w1*x)"'),
        full("p3c1_sympy", w1, sym + f"{w1} = (_y - _t) * _y * (1 - _y) * _w2 * _x * sympy.Heaviside(_w1 * _x)"),
        partial("p3c1_no_relu_derivative_w1x", w1, f'{w1} = "{_chain("w2*w1*x + b", "w2*x")}"', 2, 2, half),
        partial("p3c1_no_relu_derivative_xw1", w1, f'{w1} = "{_chain("w2*x*w1 + b", "x*w2")}"', 2, 2, half),
        partial("p3c1_no_relu_derivative_relu", w1, f'{w1} = "{_chain(relu, "w2*x")}"', 2, 2, half),
        partial("p3c1_no_relu_derivative_Max", w1, f'{w1} = "{_chain("w2*Max(0, w1*x) + b", "w2*x")}"', 2, 2, half),
        partial("p3c1_no_relu_derivative_unicode", w1, f'{w1} = "{unicode_half}"', 2, 2, half),
        partial("p3c1_factor_two", w1, f'{w1} = "{_chain(relu, "w2*x*Heaviside(w1*x)", factor="2*")}"', 2, 2, two),
        partial("p3c1_factor_two_unicode", w1, f'{w1} = "{unicode_two}"', 2, 2, two),
        partial("p3c1_factor_two_sympy", w1,
                sym + f"{w1} = 2 * (_y - _t) * _y * (1 - _y) * _w2 * _x * sympy.Heaviside(_w1 * _x)", 2, 2, two),
        zero("p3c1_wrong_sign", w1,
             f'{w1} = "(t - sigma({relu}))*sigma({relu})*(1 - sigma({relu}))*w2*x*Heaviside(w1*x)"',
             "does not agree"),
        zero("p3c1_no_sigma_prime", w1, f'{w1} = "(sigma({relu}) - t)*w2*x*Heaviside(w1*x)"', "does not agree"),
        full("p3c2_max", w2, f'{w2} = "{_chain("w2*max(w1*x, 0) + b", "max(w1*x, 0)")}"'),
        full("p3c2_heaviside_product", w2, f'{w2} = "{_chain(relu, "w1*x*Heaviside(w1*x)")}"'),
        full("p3c2_boolean_factor", w2, f'{w2} = "{_chain(relu, "w1*x*(w1*x > 0)")}"'),
        partial("p3c2_factor_two", w2, f'{w2} = "{_chain(relu, "relu(w1*x)", factor="2*")}"', 2, 2, two),
        partial("p3c2_factor_two_times", w2, f'{w2} = "{times_two}"', 2, 2, two),
    ]


def _p3d() -> list[Variant]:
    d1, d2 = ref.p3d_dC_dw1(), ref.p3d_dC_dw2()
    t1, t2, tu = "p3d_dC_dw1", "p3d_dC_dw2", "p3d_w1_update"
    two = "factor of 2"
    step = f"{d1:.6f}"
    return [
        full("p3d1_exact_string", t1, f'{t1} = "15*(1 - 1/(1+exp(1.15)))**2/(1+exp(1.15))"'),
        full("p3d1_half_percent", t1, f"{t1} = {num(d1 * 1.005)}"),
        zero("p3d1_three_percent", t1, f"{t1} = {num(d1 * 1.03)}", "within 1%"),
        zero("p3d1_wrong_sign", t1, f"{t1} = {num(-d1)}", "sign"),
        partial("p3d1_factor_two", t1, f"{t1} = {num(ref.p3d_dC_dw1_factor_two())}", 1, 1, two),
        zero("p3d1_no_sigma_prime", t1, f"{t1} = {num(ref.p3d_dC_dw1_no_sigma_prime())}",
             "derivative of the output sigmoid is missing"),
        full("p3d2_float32", t2, f"{t2} = np.float32({num(d2)})"),
        full("p3d2_fraction", t2, f"{FRACTION}{t2} = Fraction({num(d2)}).limit_denominator(10**7)"),
        full("p3d2_four_significant_figures", t2, f"{t2} = {float(f'{d2:.4g}')!r}"),
        partial("p3d2_factor_two", t2, f"{t2} = {num(ref.p3d_dC_dw2_factor_two())}", 1, 1, two),
        full("p3d3_unicode", tu, f'{tu} = "0.01 \u2212 \u03b7 \u00d7 {step}"'),
        full("p3d3_symbols", tu, f'{tu} = "w1 - eta*{step}"'),
        full("p3d3_sympy", tu, f"import sympy\n{tu} = sympy.Rational(1, 100) - sympy.Symbol('eta') * {num(d1)}"),
        zero("p3d3_wrong_sign", tu, f'{tu} = "0.01 + eta*{step}"', "does not agree"),
    ]


def _p3e() -> list[Variant]:
    t = "p3e_w1_updated_again"
    right = ref.p3e_w1_updated_again()
    return [
        full("p3e_numpy_bool", t, f"{t} = np.bool_({right})"),
        zero("p3e_opposite", t, f"{t} = {not right}", "not correct"),
    ]


def variants() -> list[Variant]:
    """Every variant of the corpus, in assignment order."""
    out = [
        *_p1a(), *_p1b(), *_p1c_region(), *_p1c_curves(), *_p1c_outputs(), *_p1d(), *_softmax_beta(), *_relu_network(),
        *_p2(), *_lstm_run(), *_backprop(), *_p3b(), *_p3c(), *_p3d(), *_p3e(),
    ]
    ids = [v.id for v in out]
    assert len(set(ids)) == len(ids), "variant ids must be unique"
    return out
