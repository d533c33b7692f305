"""Tagged JSON across the sandbox boundary: round trips, hostile objects, caps."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from grader.sandbox.answers import FunctionRef, Opaque, SympyText
from grader.sandbox.calls import Named, resolve
from grader.sandbox.wire import decode, decode_args, dumps, encode, encode_args, loads

scalars = st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats() | st.text(max_size=20)
plain = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5) | st.integers(), inner,
                                                                 max_size=4),
    max_leaves=20,
)


def through_json(value):
    return decode(loads(dumps(encode(value))))


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@given(plain)
def test_plain_data_round_trips(value):
    assert same(through_json(value), value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ((1, 2.5), [1, 2.5]),
        (np.array([[1.0, 2.0], [3.0, 4.0]]), [[1.0, 2.0], [3.0, 4.0]]),
        (np.float32(0.5), 0.5),
        (np.int64(7), 7),
        (np.bool_(True), True),
        (Fraction(1, 3), Fraction(1, 3)),
        (sympy.Integer(4), 4),
        (sympy.Rational(1, 2), Fraction(1, 2)),
        (sympy.true, True),
        (np.array([1.0, np.nan]), [1.0, math.nan]),
    ],
    ids=["tuple", "array", "float32", "int64", "np-bool", "fraction", "sympy-int", "sympy-rational",
         "sympy-true", "array-nan"],
)
def test_common_values_decode_to_plain_values(value, expected):
    assert same(through_json(value), expected)


def test_nan_and_infinities_never_reach_json_bare():
    text = dumps(encode([math.nan, math.inf, -math.inf]))
    assert "NaN" not in text and "Infinity" not in text
    back = decode(loads(text))
    assert math.isnan(back[0]) and back[1:] == [math.inf, -math.inf]


def test_sympy_expressions_travel_as_text():
    x = sympy.Symbol("x1")
    assert through_json(1 / (1 + sympy.exp(-x))) == SympyText("1/(1 + exp(-x1))")
    assert through_json(x > 1) == SympyText("x1 > 1")


def test_functions_become_references_with_signature():
    def relu_network(x1, x2, beta=1.0):
        return x1

    assert through_json(relu_network) == FunctionRef("relu_network", "(x1, x2, beta=1.0)")


def test_other_objects_are_opaque_with_a_capped_repr():
    class Thing:
        def __repr__(self):
            return "T" * 10_000

    back = through_json(Thing())
    assert isinstance(back, Opaque) and back.type_name.endswith("Thing") and len(back.repr) <= 300


def test_a_repr_that_raises_does_not_break_encoding():
    class Bad:
        def __repr__(self):
            raise SystemExit("no")

    back = through_json(Bad())
    assert isinstance(back, Opaque) and "Bad object at" in back.repr


class LyingFloat(float):
    def __float__(self):
        return 0.0

    def __repr__(self):
        return "0.0"

    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class LyingInt(int):
    def __int__(self):
        return 0

    def __index__(self):
        return 0


class LyingList(list):
    def __iter__(self):
        return iter([0])

    def __len__(self):
        return 1

    def __getitem__(self, i):
        return 0


class LyingDict(dict):
    def items(self):
        return [("fake", 0)]

    def __iter__(self):
        return iter(["fake"])


class LyingStr(str):
    def __str__(self):
        return "lie"


class FakeInt:
    @property
    def __class__(self):
        return int


def test_subclasses_are_read_through_the_builtin_slots():
    assert through_json(LyingFloat(2.5)) == 2.5
    assert through_json(LyingInt(5)) == 5
    assert through_json(LyingList([1, 2, 3])) == [1, 2, 3]
    assert through_json(LyingDict(a=1)) == {"a": 1}
    assert through_json(LyingStr("truth")) == "truth"
    assert through_json((LyingFloat(1.5), LyingInt(2))) == [1.5, 2]


def test_a_faked_class_attribute_does_not_pass_for_an_int():
    assert isinstance(through_json(FakeInt()), Opaque)


def test_huge_ints_and_strings_are_capped():
    assert isinstance(through_json(10**5000), Opaque)
    assert through_json(10**100) == 10**100
    assert isinstance(through_json("x" * 200_000), Opaque)


def test_deep_and_cyclic_nesting_is_capped():
    deep: list = []
    for _ in range(500):
        deep = [deep]
    assert "nested too deeply" in dumps(encode(deep))
    cyclic: list = []
    cyclic.append(cyclic)
    assert "nested too deeply" in dumps(encode(cyclic))


def test_element_budget_caps_large_arrays():
    back = through_json(np.zeros(2_000_000))
    assert isinstance(back, Opaque) and "too large" in back.repr
    assert isinstance(decode(encode(list(range(100)), budget=10)), Opaque)


def test_decode_never_raises_on_malformed_data():
    for bad in [{"t": "fraction", "v": [1, 0]}, {"t": "nope"}, {"t": "dict", "v": [[1]]}, {"x": 1},
                {"t": "float", "v": "1e999"}]:
        assert isinstance(decode(bad), Opaque)


def test_loads_rejects_nan_literals_oversize_and_deep_messages():
    with pytest.raises(ValueError):
        loads("[NaN]")
    with pytest.raises(ValueError):
        loads("[1]" + " " * 100, max_bytes=50)
    with pytest.raises(ValueError):
        loads("[" * 100_000 + "]" * 100_000)


def test_call_arguments_keep_arrays_tuples_and_named_helpers():
    args = (np.array([[1, 2], [3, 4]], dtype=float), (1, 2), {"k": np.int64(3)}, Named("public.hw4_helpers:sigmoid"),
            math.inf, Named("public.hw4_helpers:quadratic_loss_grad", (("target", (1.0, 0.0)),)))
    wire = json.loads(json.dumps(encode_args(args), allow_nan=False))
    a, t, d, sig, inf, loss = decode_args(wire)
    assert isinstance(a, np.ndarray) and a.dtype == np.float64 and a.shape == (2, 2)
    assert t == (1, 2) and d == {"k": 3} and inf == math.inf
    assert sig is resolve(Named("public.hw4_helpers:sigmoid")) and abs(sig(0.0) - 0.5) < 1e-12
    assert list(loss(np.array([1.0, 1.0]))) == [0.0, 1.0]


def test_unknown_argument_types_are_refused_on_the_grader_side():
    with pytest.raises(TypeError):
        encode_args(object())
