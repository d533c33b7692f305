"""Fairness: the same answer in another form earns the same credit; a different answer does not.

Each variant of ``variants.py`` (the full-credit submission with one answer
overridden) is graded end to end through the batch pool, the sandbox and
``results.json``; its target part must get the verdict a careful TA gives
(full, zero or a stated partial range) with the stated feedback, and every
other part full credit.  The leak test reads, across the whole corpus,
everything a student sees before the due date and finds no expected value
in it, including from functions that echo their arguments.
"""

from __future__ import annotations

from typing import Any

import pytest

import reference.hw4 as ref
from grader.assignment import Assignment, load_assignment
from grader.paths import DEFAULT_RUBRIC
from tests.fairness.corpus import (
    grade_corpus,
    leak_patterns,
    public_forms,
    seen_before_due,
    target_tests,
    without_own_values,
)
from tests.fairness.variants import Variant, variants
from tests.test_bundle import _hits, _tokens

VARIANTS = variants()
ECHOING = {"softmax_raises_arguments", "relu_raises_arguments", "relu_raises_off_handout", "relu_prints_arguments",
           "lstm_raises_arguments", "lstm_raises_off_handout", "lstm_prints_arguments", "backprop_raises_arguments"}
Results = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Results:
    return grade_corpus(VARIANTS, tmp_path_factory.mktemp("fairness"))


@pytest.fixture(scope="module")
def assignment() -> Assignment:
    return load_assignment(DEFAULT_RUBRIC)


def _lost_elsewhere(results: dict[str, Any], targets: list[dict[str, Any]]) -> list[str]:
    mine = {id(t) for t in targets}
    return [f"{t['number']} {t['score']}/{t['max_score']}: {t['output']}" for t in results["tests"]
            if id(t) not in mine and t["score"] != t["max_score"]]


def test_the_corpus_is_large_and_covers_every_verdict() -> None:
    assert len(VARIANTS) >= 80
    assert {v.verdict for v in VARIANTS} == {"full", "zero", "partial"}
    assert not ECHOING - {v.id for v in VARIANTS}
    for v in VARIANTS:
        assert (v.points is not None) == (v.verdict == "partial"), v.id
        assert v.points is None or 0 < v.points[0] <= v.points[1], v.id


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.id for v in VARIANTS])
def test_variant_gets_the_verdict_a_careful_ta_gives(variant: Variant, graded: Results) -> None:
    results = graded[variant.id]
    targets = target_tests(results, variant.target)
    assert targets, f"no test for {variant.target}"
    score = sum(t["score"] for t in targets)
    most = sum(t["max_score"] for t in targets)
    feedback = "\n".join(f"{t['number']} {t['score']}/{t['max_score']}: {t['output']}" for t in targets)
    if variant.verdict == "full":
        assert score == pytest.approx(most), f"expected full credit ({most}):\n{feedback}"
    elif variant.verdict == "zero":
        assert score == 0, f"expected 0 of {most}:\n{feedback}"
    else:
        assert variant.points is not None
        low, high = variant.points
        assert low - 1e-9 <= score <= high + 1e-9, f"expected {low}..{high} of {most}:\n{feedback}"
    assert variant.says.lower() in feedback.lower(), f"feedback should say {variant.says!r}:\n{feedback}"
    assert not _lost_elsewhere(results, targets), "other parts lost points:\n" + "\n".join(
        _lost_elsewhere(results, targets))
    total = sum(t["max_score"] for t in results["tests"])
    assert results["score"] == pytest.approx(total - (most - score))


def test_leak_scan_sees_hidden_answers_in_the_forms_student_code_prints(assignment: Assignment) -> None:
    tokens, patterns = _tokens(assignment) - public_forms(assignment), leak_patterns()
    assert len(tokens) > 500
    o2 = f"{ref.p1a_output()[1]:.6g}"
    assert o2 in tokens
    assert _hits(tokens, without_own_values(f"item [1] is 0.5, expected {o2}")) == [o2]
    assert not _hits(tokens, without_own_values(f"item [1] is {o2}, not the right value"))
    seen = "lstm_run([0, 1], {W_fh: 0, W_cx: -50, b_c: 0}): it did not return a value: ValueError: " \
           "([0, 1], {'b_f': 100.0, 'W_cx': 100.0})\nrelu_network(4, -1, beta=1): (-2.0, 1.0, 1.0)"
    found = {name for name, p in patterns.items() if p.search(seen)}
    assert found == {"p2c_params[W_cx] = -50", "p2d_params[b_f] = 100", "p2d_params[W_cx] = 100",
                     "p1c_curve_3 vertex (4, -1)", "p1c_curve_1 vertex (-2, 1)"}
    harmless = "lstm_run([0, 1], {W_cx: -50.5, b_f: -100, W_cx: 1000}): relu_network(4, -1.5, beta=1), (4.01, -1)"
    assert not [name for name, p in patterns.items() if p.search(harmless)]


def test_nothing_a_student_sees_before_the_due_date_holds_an_expected_value(
    graded: Results, assignment: Assignment
) -> None:
    tokens, patterns = _tokens(assignment) - public_forms(assignment), leak_patterns()
    leaks = []
    for variant in VARIANTS:
        for where, seen in seen_before_due(graded[variant.id]):
            text = without_own_values(seen)
            found = _hits(tokens, text) + [name for name, p in patterns.items() if p.search(text)]
            if found:
                leaks.append(f"{variant.id}, {where}: {found[:4]} in {text[:300]!r}")
    assert not leaks, f"{len(leaks)} leak(s):\n" + "\n".join(leaks)

