"""CSV rows for batch regrades: one row per submission, one column per part.

Named ``csv_rows`` rather than ``csv`` so the module never stands in for the
standard library's ``csv`` when its folder lands on ``sys.path``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from grader.report.gradescope import atomic_write_text
from grader.results import GradeReport

__all__ = ["META_COLUMNS", "csv_header", "csv_row", "flags", "safe_cell", "write_csv"]

META_COLUMNS: tuple[str, ...] = ("id", "name", "email", "sid")
"""Submission columns read from ``meta`` (group members joined by the caller)."""
_STATUS_FLAGS = ("error", "invalid", "missing")
_TIMEOUT_WORDS = ("timed out", "time limit", "took too long", "ran out of time")
_RUN_NOTICES = ("not isolated by user",)
"""Notices about how the grader ran (the same on every row), not about the submission: never a flag."""


_FORMULA_START = ("=", "+", "-", "@")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it, never as a formula (OWASP's CSV injection advice).

    A cell that starts with a tab or a carriage return, or (after white
    space) with ``= + - @``, gets a leading ``'``, unless it is a plain number
    such as ``-2.5``.
    """
    risky = text.startswith(("\t", "\r")) or text.lstrip().startswith(_FORMULA_START)
    return "'" + text if risky and not _NUMBER.fullmatch(text.strip()) else text


def _cell(value: object) -> str:
    """A safe cell; a lone carriage return becomes a newline, which the writer quotes."""
    return safe_cell(str(value)).replace("\r\n", "\n").replace("\r", "\n")


def _num(x: float) -> str:
    text = f"{round(x, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def csv_header(parts: Sequence[str]) -> list[str]:
    """Column names: ``id name email sid total max <parts...> flags``."""
    return [*META_COLUMNS, "total", "max", *parts, "flags"]


def flags(report: GradeReport) -> list[str]:
    """What staff should look at, sorted: ``error``, ``invalid``, ``missing``, ``notice``, ``timeout``.

    ``timeout`` is raised by an ``error`` test or a notice whose words say
    time ran out; ``notice`` by any notice about the submission (not one about
    how the grader ran, such as a run without isolation the TA asked for).
    """
    found: set[str] = {t.status for t in report.tests if t.status in _STATUS_FLAGS}
    texts = [t.output for t in report.tests if t.status == "error"] + list(report.notices)
    if any(word in text.lower() for text in texts for word in _TIMEOUT_WORDS):
        found.add("timeout")
    if any(n.strip() and not n.startswith(_RUN_NOTICES) for n in report.notices):
        found.add("notice")
    return sorted(found)


def csv_row(report: GradeReport, *, meta: Mapping[str, str], parts: Sequence[str]) -> list[str]:
    """One submission's row, in the order of :func:`csv_header`.

    A part's cell is the sum of the scores of its tests (``TestResult.part``),
    empty when the rubric has no test for it in this report.
    """
    cells = [str(meta.get(key, "")) for key in META_COLUMNS]
    cells += [_num(report.score), _num(report.max_score)]
    for part in parts:
        scores = [t.score for t in report.tests if t.part == part]
        cells.append(_num(sum(scores)) if scores else "")
    cells.append(";".join(flags(report)))
    return cells


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Write ``header`` and ``rows`` as CSV to ``path`` atomically, every cell through :func:`safe_cell`.

    Names, emails and ids come from the submitters; a name such as
    ``=HYPERLINK(...)`` must stay text in a spreadsheet.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([_cell(cell) for cell in header])
    writer.writerows([_cell(cell) for cell in row] for row in rows)
    atomic_write_text(Path(path), buffer.getvalue())
