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
from typing import TYPE_CHECKING

from grader.atomic import atomic_write_text
from grader.results import GradeReport, TestResult

if TYPE_CHECKING:  # pydantic and yaml stay out of a single run
    from grader.rubric import Part

__all__ = ["META_COLUMNS", "column_name", "csv_header", "csv_row", "flags", "part_cell", "safe_cell", "write_csv"]

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


def column_name(part: str | Part) -> str:
    """A part's column name: its id, with what its cells mean when they are not points.

    A part the rubric gives no points (an optional part) is named
    ``softmax_beta (optional, 0 pts)``, one graded by the staff on Gradescope
    ``p2b (staff-graded)``; a part worth points keeps its bare id.
    """
    if isinstance(part, str):
        return part
    points = sum(c.points for c in part.checks)
    if points > 0:
        return part.id
    if part.staff_points > 0 and not part.checks:
        return f"{part.id} (staff-graded)"
    return f"{part.id} (optional, 0 pts)" if part.optional else f"{part.id} (0 pts)"


def csv_header(parts: Sequence[str | Part]) -> list[str]:
    """Column names: ``id name email sid total max <parts...> flags`` (see :func:`column_name`)."""
    return [*META_COLUMNS, "total", "max", *map(column_name, parts), "flags"]


def _worth_points(test: TestResult) -> bool:
    return test.manual or test.max_score > 0


def flags(report: GradeReport) -> list[str]:
    """What staff should look at, sorted: ``error``, ``invalid``, ``missing``, ``notice``, ``timeout``.

    ``missing`` counts only answers worth points (an optional zero-point part
    left out is nothing to look at); ``timeout`` is raised by an ``error``
    test or a notice whose words say time ran out; ``notice`` by any notice
    about the submission (not one about how the grader ran, such as a run
    without isolation the TA asked for).
    """
    found: set[str] = {
        t.status for t in report.tests
        if t.status in _STATUS_FLAGS and (t.status != "missing" or _worth_points(t))
    }
    texts = [t.output for t in report.tests if t.status == "error"] + list(report.notices)
    if any(word in text.lower() for text in texts for word in _TIMEOUT_WORDS):
        found.add("timeout")
    if any(n.strip() and not n.startswith(_RUN_NOTICES) for n in report.notices):
        found.add("notice")
    return sorted(found)


_MIXED_ORDER = ("error", "invalid", "missing", "failed")


def part_cell(tests: Sequence[TestResult]) -> str:
    """One part's cell from its tests: points, or a word where points would mislead.

    Tests worth points: the sum of their scores.  Tests worth no points (an
    optional part): their status (``passed``, ``failed``, ``missing``...;
    ``partial`` when some passed and some did not).  Staff-graded answers:
    ``answered``, or why not (``missing``, ``invalid``).  No test: empty.
    """
    graded = [t for t in tests if not t.manual]
    if any(t.max_score > 0 for t in graded):
        return _num(sum(t.score for t in graded))
    if graded:
        statuses = {t.status for t in graded}
        if len(statuses) == 1:
            return statuses.pop()
        if statuses & {"passed", "partial"}:
            return "partial"
        return next(s for s in (*_MIXED_ORDER, *sorted(statuses)) if s in statuses)
    staff = {"answered" if t.status == "manual" else t.status for t in tests}
    return staff.pop() if len(staff) == 1 else ";".join(sorted(staff))


def csv_row(report: GradeReport, *, meta: Mapping[str, str], parts: Sequence[str | Part]) -> list[str]:
    """One submission's row, in the order of :func:`csv_header`.

    A part's cell comes from the tests of that part (``TestResult.part``),
    see :func:`part_cell`; ``total`` and ``max`` are always numbers.
    """
    cells = [str(meta.get(key, "")) for key in META_COLUMNS]
    cells += [_num(report.score), _num(report.max_score)]
    for part in parts:
        part_id = part if isinstance(part, str) else part.id
        cells.append(part_cell([t for t in report.tests if t.part == part_id]))
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
