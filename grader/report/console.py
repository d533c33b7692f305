"""A fixed-width terminal table of one graded submission."""

from __future__ import annotations

import textwrap

from grader.results import GradeReport, Status, TestResult, number_key
from grader.terminal import use_color

__all__ = ["fmt_points", "render_table"]

WIDTH = 100
"""Total width of a table line."""
NAME_MAX = 32
_COLORS: dict[str, str] = {
    "passed": "\033[32m",
    "partial": "\033[33m",
    "manual": "\033[33m",
    "failed": "\033[31m",
    "invalid": "\033[31m",
    "missing": "\033[31m",
    "error": "\033[31m",
}
_RESET = "\033[0m"
_HIDDEN_NOTE = {
    "hidden": "Hidden check: its result is not shown.",
    "after_due_date": "Shown after the due date.",
    "after_published": "Shown when grades are published.",
}




def fmt_points(x: float) -> str:
    """Points without noise: ``2``, ``1.5``, ``0.33``."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _shown(t: TestResult, reveal: bool) -> bool:
    return reveal or t.visibility == "visible"


def _score_cell(t: TestResult, reveal: bool) -> str:
    if t.manual:
        return "staff"
    if not _shown(t, reveal):
        return "?/" + fmt_points(t.max_score)
    return f"{fmt_points(t.score)}/{fmt_points(t.max_score)}"


def _status_cell(t: TestResult, reveal: bool) -> str:
    return t.status if _shown(t, reveal) else "hidden"


def _feedback(t: TestResult, reveal: bool) -> str:
    if not _shown(t, reveal):
        return _HIDDEN_NOTE.get(t.visibility, "Not shown.")
    lines = [line.strip() for line in t.output.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def _paint(text: str, status: Status | str, color: bool) -> str:
    code = _COLORS.get(status)
    return f"{code}{text}{_RESET}" if color and code else text


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def render_table(report: GradeReport, *, color: bool | None = None, reveal: bool = True) -> str:
    """Render ``report`` as a table: number, name, score/max, status, feedback.

    Args:
        report: the graded submission; rows follow the test numbers.
        color: ANSI colours by status; ``None`` decides with :func:`use_color`.
        reveal: show every test; when False, tests that are not ``visible``
            show neither score, status nor feedback, and the total counts only
            visible tests.

    Returns:
        The table, a totals line and the notices, ending with a newline.
    """
    if color is None:
        color = use_color()
    tests = sorted(report.tests, key=lambda t: number_key(t.number))
    w_num = max([len("#"), *(len(t.number) for t in tests)])
    w_name = min(NAME_MAX, max([len("Part"), *(len(t.name) for t in tests)]))
    w_score = max([len("Score"), *(len(_score_cell(t, reveal)) for t in tests)])
    w_status = max(len("Status"), len("partial"))
    lead = w_num + w_name + w_score + w_status + 8
    w_feedback = max(20, WIDTH - lead)

    def row(num: str, name: str, score: str, status: str, feedback: str, paint: str = "") -> list[str]:
        status_cell = _paint(status.ljust(w_status), paint, color) if paint else status.ljust(w_status)
        name_cell = _clip(name, w_name).ljust(w_name)
        head = f"{num.ljust(w_num)}  {name_cell}  {score.rjust(w_score)}  {status_cell}  "
        chunks = textwrap.wrap(feedback, w_feedback) or [""]
        return [(head + chunks[0]).rstrip()] + [(" " * lead + c).rstrip() for c in chunks[1:]]

    lines = row("#", "Part", "Score", "Status", "Feedback")
    lines.append("-" * (lead + w_feedback))
    for t in tests:
        shown = _shown(t, reveal)
        paint = t.status if shown else ""
        lines += row(
            t.number, t.name, _score_cell(t, reveal), _status_cell(t, reveal), _feedback(t, reveal), paint
        )
    lines.append("-" * (lead + w_feedback))
    lines.append(_totals(tests, reveal))
    notices = [n.strip() for n in report.notices if n.strip()]
    if notices:
        lines.append("")
        lines.append("Notices:")
        for notice in notices:
            wrapped = textwrap.wrap(notice, WIDTH - 4) or [""]
            lines.append("  - " + wrapped[0])
            lines += ["    " + w for w in wrapped[1:]]
    return "\n".join(lines) + "\n"


def _totals(tests: list[TestResult], reveal: bool) -> str:
    counted = [t for t in tests if _shown(t, reveal) and not t.manual]
    score = round(sum(t.score for t in counted), 6)
    max_score = round(sum(t.max_score for t in counted), 6)
    text = f"Total: {fmt_points(score)}/{fmt_points(max_score)}"
    notes = []
    if not reveal and len(counted) < sum(1 for t in tests if not t.manual):
        notes.append("visible checks only")
    manual = sum(1 for t in tests if t.manual)
    if manual:
        notes.append(f"{manual} answer(s) kept for staff grading")
    return text + (f" ({'; '.join(notes)})" if notes else "")
