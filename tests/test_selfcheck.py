"""The student self-check: statuses on real submissions, parse messages, public properties."""

from __future__ import annotations

import sys
import types
from fractions import Fraction
from pathlib import Path

import pytest

from grader.assignment import bind, load_assignment
from grader.errors import RubricError
from grader.paths import DEFAULT_RUBRIC, ROOT
from grader.public_checks import NO_CHECKS, FollowUp, Property, build_public, load_checks
from grader.sandbox.answers import CallOutcome, Failed, FunctionRef, Missing, SympyText
from grader.selfcheck import Row, apply_follow_ups, plan_follow_ups, read_problem, render_check, run_check
from public.hw4 import HANDOUT_WEIGHTS

EXAMPLES = ROOT / "submissions_example"


@pytest.fixture(scope="module")
def public() -> dict:
    return build_public(load_assignment(DEFAULT_RUBRIC))


def _part(public: dict, answer: str) -> dict:
    return next(p for p in public["parts"] if p["answer"] == answer)


EXIT_CODES = {"full_credit": 0, "partial": 1, "template": 1}
"""``check`` exits 1 when an answer is missing, invalid, wrong, raised or timed out."""


def _statuses(capsys: pytest.CaptureFixture[str], example: str) -> tuple[dict[str, str], str]:
    assert run_check(EXAMPLES / example, color=False) == EXIT_CODES[example]
    out = capsys.readouterr().out
    rows = {}
    for line in out.splitlines():
        cells = line.split()
        if len(cells) >= 3 and cells[0][:1].isdigit() and "." in cells[0]:
            rows[cells[1]] = cells[2]
    return rows, out


def test_public_metadata_holds_shapes_not_answers(public: dict) -> None:
    assert _part(public, "p1a_output")["shape"] == {"length": 2}
    p1b = _part(public, "p1b_positive_sides")
    assert (p1b["kind"], p1b["selects"], p1b["noun"]) == ("relation", ["0", "1", "2", "3"], "relations")
    p1c = _part(public, "p1c_outputs")
    assert (p1c["kind"], p1c["selects"], p1c["noun"], p1c["shape"]) == ("vector", ["0", "1", "3"], "outputs",
                                                                        {"length": 2})
    assert _part(public, "p2a_h_seq1")["shape"] == {"length": 6}
    assert _part(public, "p3c_dC_dw1")["shape"] == {"variables": ["x", "w1", "w2", "b", "t"]}
    assert _part(public, "p1d_region_change")["shape"] == {"choices": ["grows", "shrinks", "unchanged"]}
    assert _part(public, "backprop")["shape"] == {"signature": "(weights, biases, x, f, f_prime, dC_da)"}
    assert _part(public, "p2b_interpretation")["kind"] == "text"
    assert all("expected" not in p and "expected" not in p["shape"] for p in public["parts"])
    assert sum(p["points"] for p in public["parts"]) == 100
    assert (public["public_checks"], public["helpers"]) == ("public.hw4", "public.hw4_helpers")
    p2c, p2d = _part(public, "p2c_params")["shape"], _part(public, "p2d_params")["shape"]
    assert (p2c["alphabet"], p2d["alphabet"], p2c["max_len"]) == ([0, 1], [-1, 1], 8)
    assert p2c["keys"] == list(HANDOUT_WEIGHTS)


@pytest.mark.slow
def test_full_credit_is_all_ok(capsys: pytest.CaptureFixture[str]) -> None:
    rows, out = _statuses(capsys, "full_credit")
    assert len(rows) == 26
    staff = {"p2b_interpretation", "p3a_sgd", "p3e_explanation"}
    assert {k for k, v in rows.items() if v == "staff"} == staff
    assert all(v == "ok" for k, v in rows.items() if k not in staff)
    assert "Nothing to fix" in out and "passed on 6 calls" in out
    flat = " ".join(out.split())
    assert "2.c p2c_params ok parses; checked with your lstm_run: gives -h_t of the handout's unit on every 0/1 " \
        "input up to length 8" in flat
    assert "2.d p2d_params ok parses; checked with your lstm_run: gives the sign of the running sum" in flat
    assert "2.e lstm_run ok runs; public check passed on 33 calls: one h_t in {-1, 0, 1} per input, causal" in flat


@pytest.mark.slow
def test_partial_reports_each_kind_of_problem(capsys: pytest.CaptureFixture[str]) -> None:
    rows, out = _statuses(capsys, "partial")
    assert rows["softmax_beta"] == "wrong"  # overflows for a large beta
    assert rows["p2a_h_seq2"] == "invalid"  # 0.5 is not an int
    assert rows["p2c_params"] == "invalid"  # b_c missing
    assert rows["lstm_run"] == "error"  # NotImplementedError
    assert rows["backprop"] == "missing"
    assert rows["p2b_interpretation"] == "missing"  # an empty string for a staff-graded part
    assert rows["p3d_dC_dw1"] == rows["p1b_positive_sides"] == "ok"  # wrong answers still only parse
    assert "Item 3 should be an int; it is the float 0.5" in out
    assert "Missing key(s) b_c" in out
    assert "Fix first: your file ran with an error at line 4: ModuleNotFoundError" in out
    assert "33 of 33 calls went wrong; first: it raised NotImplementedError: todo" in " ".join(out.split())


@pytest.mark.slow
def test_template_is_all_missing_or_optional(capsys: pytest.CaptureFixture[str]) -> None:
    rows, out = _statuses(capsys, "template")
    assert sorted(set(rows.values())) == ["missing", "optional"]
    assert "Summary: 23 missing, 3 optional" in out
    assert "Fix first: 1.a p1a_output (missing): still None (the template's placeholder)" in out


@pytest.mark.slow
def test_weights_are_checked_with_the_students_own_lstm_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (EXAMPLES / "full_credit" / "hw4.py").read_text()
    (tmp_path / "hw4.py").write_text(source + "\np2c_params = dict(HANDOUT)\n")
    assert run_check(tmp_path / "hw4.py", color=False) == 1
    out = capsys.readouterr().out
    assert "2.c p2c_params wrong parses, but checked with your lstm_run: the input [1] does not give -h_t of the " \
        "handout's unit 2.d" in " ".join(out.split())
    assert _rows(out)["p2d_params"].split()[2] == "ok"
    (tmp_path / "hw4.py").write_text(source + "\ndel lstm_run\n")
    run_check(tmp_path / "hw4.py", color=False)
    out = " ".join(capsys.readouterr().out.split())
    assert "2.c p2c_params skipped parses; behaviour not checked: it is checked with your lstm_run, and " \
        "lstm_run is not defined" in out


@pytest.mark.slow
def test_a_rubric_without_public_checks_still_checks_presence_and_shapes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = load_assignment(DEFAULT_RUBRIC).rubric.model_copy(update={"public_checks": None})
    public = build_public(bind(plain, root=ROOT))
    assert public["public_checks"] is None
    monkeypatch.setattr("grader.selfcheck.public_metadata", lambda rubric: public)
    rows, out = _statuses(capsys, "partial")
    assert rows["p2a_h_seq2"] == rows["p2c_params"] == "invalid"
    assert rows["backprop"] == "missing"
    assert rows["softmax_beta"] == rows["lstm_run"] == "ok"
    assert "defined (no public check for this function)" in out
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


def _rows(out: str) -> dict[str, str]:
    return {line.split()[1]: line for line in out.splitlines() if line[:1].isdigit() and "." in line.split()[0]}


def _follow_rows(lstm_status: str) -> list[Row]:
    return [Row("2.c", "p2c_params", "ok", "present and parses"), Row("2.e", "lstm_run", lstm_status, "...")]


def test_follow_ups_run_only_after_the_function_passes(public: dict) -> None:
    checks = load_checks("public.hw4")
    parts = [_part(public, "p2c_params"), _part(public, "lstm_run")]
    values = {"p2c_params": dict(HANDOUT_WEIGHTS, W_cx="-50"), "lstm_run": FunctionRef("lstm_run")}
    rows, plans = plan_follow_ups(parts, _follow_rows("wrong"), values, checks)
    assert plans == [] and rows[0].status == "skipped"
    assert rows[0].message == ("parses; behaviour not checked: it is checked with your lstm_run, and lstm_run "
                               "does not pass its own public check yet (see 2.e)")
    rows, plans = plan_follow_ups(parts, _follow_rows("missing"), values, checks)
    assert rows[0].message.endswith("and lstm_run is not defined")
    rows, plans = plan_follow_ups(parts, _follow_rows("ok"), values, checks)
    assert rows[0].status == "ok" and len(plans) == 1 and len(plans[0].cases) == 1020
    assert plan_follow_ups(parts, _follow_rows("ok"), values, NO_CHECKS)[1] == []


def test_follow_up_outcomes_make_the_row(public: dict) -> None:
    parts = [_part(public, "p2c_params"), _part(public, "lstm_run")]
    values = {"p2c_params": dict(HANDOUT_WEIGHTS), "lstm_run": FunctionRef("lstm_run")}
    rows, plans = plan_follow_ups(parts, _follow_rows("ok"), values, load_checks("public.hw4"))
    zeros = [CallOutcome([0] * len(c.args[0])) for c in plans[0].cases]
    assert apply_follow_ups(rows, plans, zeros)[0] == Row(
        "2.c", "p2c_params", "ok",
        "parses; checked with your lstm_run: gives -h_t of the handout's unit on every 0/1 input up to length 8",
    )
    failed = [*zeros[:5], CallOutcome(Failed("IndexError: list index out of range"))]
    assert apply_follow_ups(rows, plans, failed)[0].message == (
        "parses; behaviour not checked: your lstm_run failed on a call this check makes (your weights): "
        "it raised IndexError: list index out of range"
    )
    assert apply_follow_ups(rows, plans, zeros[:3])[0].status == "skipped"  # calls that never ran


def test_a_broken_module_of_public_checks_is_an_author_error(monkeypatch: pytest.MonkeyPatch, public: dict) -> None:
    module = types.ModuleType("public_broken")
    monkeypatch.setitem(sys.modules, "public_broken", module)
    with pytest.raises(RubricError, match="PROPERTIES must be a dict of Property"):
        load_checks("public_broken")
    prop = Property("x", lambda rng: [], lambda case, value: None)
    module.PROPERTIES = {"p1a_output": prop}
    module.FOLLOW_UPS = {"p2c_params": FollowUp("lstm_run", "x", lambda v, p: [], lambda c, v: None)}
    with pytest.raises(RubricError, match="calls 'lstm_run', which has no entry in PROPERTIES"):
        load_checks("public_broken")
    module.FOLLOW_UPS = {}
    with pytest.raises(RubricError, match=r"PROPERTIES\['p1a_output'\] names no function part"):
        build_public(bind(load_assignment(DEFAULT_RUBRIC).rubric.model_copy(update={"public_checks": "public_broken"}),
                          root=ROOT))
    with pytest.raises(RubricError, match="cannot import 'public.nowhere'"):
        load_checks("public.nowhere")
    assert load_checks(None) == NO_CHECKS


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
