"""Pasted notation rewritten as Python syntax, with every character traced to the student's text."""

from __future__ import annotations

import pytest

from grader.notation import character_hint, normalize, split_product

REWRITES = [
    ("\u22120.0041618", False, "-0.0041618"),
    ("0.01 \u2212 2.0809*\u03b7", False, "0.01 - 2.0809*eta"),
    ("a \u2013 b \u2014 c", False, "a - b - c"),
    ("x1 \u2265 1", True, "x1 >= 1"),
    ("x1 \u2264 2", True, "x1 <= 2"),
    ("x1 \u2260 2", True, "x1 != 2"),
    ("2\u00d7x \u00b7 y \u22c5 z", False, "2*x * y * z"),
    ("x \u00f7 2", False, "x / 2"),
    ("\u03c3(z)\u00b2", False, "sigma(z)**2"),
    ("x\u00b3 + x\u00b9\u2070", False, "x**3 + x**10"),
    ("10\u207b\u00b3", False, "10**(-3)"),
    ("\u03b1\u03b2\u03b3\u03b4\u03b5\u03b6\u03b7\u03b8\u03b9\u03ba\u03bb\u03bc", False,
     "alpha beta gamma delta epsilon zeta eta theta iota kappa lamda mu"),
    ("\u03bd\u03be\u03bf\u03c0\u03c1\u03c2\u03c3\u03c4\u03c5\u03c6\u03c7\u03c8\u03c9", False,
     "nu xi omicron pi rho sigma sigma tau upsilon phi chi psi omega"),
    ("\u0394 + \u03a3 + \u03a9", False, "Delta + Sigma + Omega"),
    ("\u03d5 + \u03f5 + \u00b5", False, "phi + epsilon + mu"),
    ("2\u03b7", False, "2eta"),
    ("\u03b7x", False, "eta x"),
    ("x\u2081 + w\u2082", False, "x1 + w2"),
    ("x\u00a0+\u2009y\u3000+\u200bz", False, "x + y +z"),
    ("\uff58\uff0b\uff11", False, "x+1"),
    ("\U0001d70e(\U0001d467)", False, "sigma(z)"),
    ("\u00bd*x", False, "(1/2)*x"),
    ("x^2", False, "x**2"),
    ("x**2", False, "x**2"),
    ("x1 > 1 & x2 < 3", True, "x1 > 1  and  x2 < 3"),
    ("x1 > 1 && x2 < 3", True, "x1 > 1  and  x2 < 3"),
    ("x1 > 1 || x2 < 3", True, "x1 > 1  or  x2 < 3"),
    ("x1 > 1 AND x2 < 3 OR x1 < 0", True, "x1 > 1 and x2 < 3 or x1 < 0"),
    ("And(x1 > 1, x2 < 3)", True, "And(x1 > 1, x2 < 3)"),
    ("x1 \u2265 1 \u2227 x2 \u2264 2", True, "x1 >= 1  and  x2 <= 2"),
    ("x & y", False, "x & y"),
    ("  x \n+ 1 ", False, "x  + 1"),
]


@pytest.mark.parametrize(("text", "relations", "python"), REWRITES, ids=[t for t, _, _ in REWRITES])
def test_rewrites(text, relations, python):
    assert normalize(text, relations=relations).text == python


def test_every_character_points_back_to_where_it_came_from():
    source = normalize("  \u03c3(z)\u00b2 \u2265 w\u2081", relations=True)
    assert source.text == "sigma(z)**2 >= w1"
    assert [source.origin[i] for i in (0, 4, 5, 8, 9, 12, 15, 16)] == [2, 2, 3, 6, 6, 8, 10, 11]
    assert source.where(15) == "at character 11"
    assert source.where(None) == ""


@pytest.mark.parametrize(
    ("char", "hint"),
    [
        ("\u221a", "write sqrt(...) instead of \u221a"),
        ("\u207f", "the character '\u207f' is not allowed: use ** or ^ for powers, e.g. x**2 or x^2"),
        ("\u0445", "the character '\u0445' (U+0445) is not allowed: type the answer with plain keyboard characters"),
        ("|", "write Abs(...) for an absolute value (| only joins relations)"),
    ],
    ids=["sqrt", "superscript_n", "cyrillic_x", "bar"],
)
def test_character_hints(char, hint):
    assert character_hint(char) == hint


@pytest.mark.parametrize(
    ("name", "parts"),
    [("w1x", ["w1", "x"]), ("xw2b", ["x", "w2", "b"]), ("w1", None), ("xy", None), ("w12", None)],
    ids=["w1x", "xw2b", "single", "unknown_part", "digit_suffix"],
)
def test_split_product(name, parts):
    assert split_product(name, ["x", "w1", "w2", "b", "t"]) == parts
