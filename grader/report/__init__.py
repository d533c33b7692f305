"""Reporters: pure functions of a :class:`~grader.results.GradeReport`.

* :mod:`grader.report.gradescope` -- ``results.json`` (through gradescope-utils),
  its JSON Schema check, atomic strict-JSON writing, the crash file;
* :mod:`grader.report.console` -- the terminal table;
* :mod:`grader.report.csv_rows` -- batch-regrade CSV rows.
"""

from grader.report.console import render_table
from grader.report.csv_rows import csv_header, csv_row, write_csv
from grader.report.gradescope import (
    atomic_write_text,
    crash_results,
    results_json,
    validate,
    write_results,
)

__all__ = [
    "atomic_write_text",
    "crash_results",
    "csv_header",
    "csv_row",
    "render_table",
    "results_json",
    "validate",
    "write_csv",
    "write_results",
]
