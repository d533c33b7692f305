"""The terminal table: layout, totals, notices, hiding, colour."""

from __future__ import annotations

from grader.report.console import fmt_points, render_table
from grader.results import GradeReport
from grader.results import TestResult as Result

LONG = (
    "Expected 6 values h_0..h_5, found 5. Give one int per time step, as a Python list, "
    "for instance written out in full."
)


def _report() -> GradeReport:
    return GradeReport(
        tests=(
            Result(
                "p2a_h_seq1", "2.a.1", "p2a_h_seq1", 0.0, 2.0, "invalid", "visible", LONG + "\nsecond line"
            ),
            Result("p1a_output", "1.a", "p1a_output", 1.5, 2.0, "partial", "visible", "o2 is wrong."),
            Result(
                "p1b_positive_sides unit number two", "1.b.2", "p1b", 2.0, 2.0, "passed", "hidden", "Correct."
            ),
            Result(
                "p2b_interpretation",
                "2.b",
                "p2b",
                0.0,
                3.0,
                "manual",
                "visible",
                "Kept for staff grading (12 characters).",
                manual=True,
            ),
        ),
        notices=("Line 12: import matplotlib failed.",),
    )


def test_table_layout_and_totals():
    out = render_table(_report(), color=False)
    assert out.splitlines() == [
        "#      Part                              Score  Status   Feedback",
        "-" * 100,
        "1.a    p1a_output                        1.5/2  partial  o2 is wrong.",
        "1.b.2  p1b_positive_sides unit numbe...    2/2  passed   Correct.",
        "2.a.1  p2a_h_seq1                          0/2  invalid  Expected 6 values h_0..h_5, found 5. Give",
        "                                                         one int per time step, as a Python list,",
        "                                                         for instance written out in full.",
        "2.b    p2b_interpretation                staff  manual   Kept for staff grading (12 characters).",
        "-" * 100,
        "Total: 3.5/6 (1 answer(s) kept for staff grading)",
        "",
        "Notices:",
        "  - Line 12: import matplotlib failed.",
    ]
    assert "second line" not in out and "\033[" not in out


def test_reveal_false_hides_non_visible_checks():
    out = render_table(_report(), color=False, reveal=False)
    line = next(x for x in out.splitlines() if x.startswith("1.b.2"))
    assert (
        line
        == "1.b.2  p1b_positive_sides unit numbe...    ?/2  hidden   Hidden check: its result is not shown."
    )
    assert "Total: 1.5/4 (visible checks only; 1 answer(s) kept for staff grading)" in out


def test_colour_by_status():
    out = render_table(_report(), color=True)
    assert "\033[32mpassed \033[0m" in out
    assert "\033[33mpartial\033[0m" in out
    assert "\033[31minvalid\033[0m" in out


def test_auto_colour_is_off_when_not_a_tty(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\033[" not in render_table(_report())


def test_fmt_points():
    assert [fmt_points(x) for x in (2.0, 1.5, 1 / 3, -0.0, 0.004)] == ["2", "1.5", "0.33", "0", "0"]
