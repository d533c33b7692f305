"""The data of the class report: what a batch regrade kept, summed up for the course staff.

:func:`build_class_report` reads the batch's ``--out`` folder (``<id>/results.json``
and the staff-only ``<id>/answers.json``), binds the rubric to group the wrong
answers as the checks judge them (see :mod:`grader.report.answer_groups`), and
compares with a previous CSV when given.  Rendering is
:mod:`grader.report.html_page`'s job; nothing here formats HTML.
"""

from __future__ import annotations

import csv
import json
import os
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from grader.assignment import Assignment, BoundCheck
from grader.report.answer_groups import (
    AnswerGroup,
    CallFailure,
    CaseGroupFailure,
    call_failures,
    group_answers,
    mistake_snippet,
    wrong_answers,
)
from grader.report.answers_json import ANSWERS_FILE, read_answers
from grader.report.csv_rows import flags
from grader.rubric import Part
from grader.sandbox.answers import SympyText

__all__ = [
    "CheckSummary", "ClassReport", "Kept", "PartSummary", "PreviousRun", "RegradeDiff", "ScoreChange", "TextAnswers",
    "build_class_report", "load_kept", "read_previous_csv",
]

SHARES = ("full", "partial", "zero", "invalid", "error", "missing")
TOP_GROUPS = 8
TOP_SNIPPETS = 5


@dataclass(frozen=True, slots=True)
class Kept:
    """One submission as a batch kept it."""

    id: str
    results_path: Path
    results: Mapping[str, Any]
    answers: Mapping[str, Any] | None
    total: float
    flags: tuple[str, ...]
    crashed: bool

    def tests(self) -> list[Mapping[str, Any]]:
        return [t for t in self.results.get("tests") or [] if isinstance(t, dict)]


@dataclass(frozen=True, slots=True)
class CheckSummary:
    """One check of a part: its wrong answers grouped, or its failed calls."""

    number: str
    name: str
    points: float
    groups: tuple[AnswerGroup, ...] = ()
    unexplained: tuple[tuple[AnswerGroup, str], ...] = ()
    calls: tuple[CallFailure, ...] = ()
    case_groups: tuple[CaseGroupFailure, ...] = ()
    function: bool = False


@dataclass(frozen=True, slots=True)
class PartSummary:
    """One part: points per submission, the share of each outcome, its checks."""

    id: str
    number: str
    title: str
    max_points: float
    points: tuple[float, ...]
    shares: tuple[tuple[str, int], ...]
    checks: tuple[CheckSummary, ...]
    staff_graded: bool = False


@dataclass(frozen=True, slots=True)
class TextAnswers:
    """The answers of one staff-graded text part."""

    number: str
    title: str
    staff_points: float
    entries: tuple[tuple[str, str], ...]
    unanswered: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScoreChange:
    """One submission whose score changed since the previous CSV."""

    id: str
    name: str
    before: float
    after: float
    parts: tuple[tuple[str, float, float], ...]

    @property
    def delta(self) -> float:
        return round(self.after - self.before, 4)


@dataclass(frozen=True, slots=True)
class RegradeDiff:
    """What changed since a previous run's CSV."""

    previous: str
    changed: tuple[ScoreChange, ...]
    unchanged: int
    new: tuple[str, ...]
    gone: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClassReport:
    """Everything the class report shows."""

    assignment: str
    out_dir: Path
    generated: str
    max_points: float
    submissions: tuple[Kept, ...]
    parts: tuple[PartSummary, ...]
    texts: tuple[TextAnswers, ...]
    diff: RegradeDiff | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def graded(self) -> tuple[Kept, ...]:
        return tuple(s for s in self.submissions if not s.crashed)

    @property
    def totals(self) -> tuple[float, ...]:
        return tuple(s.total for s in self.graded)

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.totals) if self.totals else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.totals) if self.totals else None

    @property
    def flagged(self) -> tuple[Kept, ...]:
        return tuple(s for s in self.submissions if s.flags)

    def count_flag(self, name: str) -> int:
        return sum(1 for s in self.submissions if name in s.flags)


# ------------------------------------------------------------------ loading


def load_kept(out_dir: Path) -> list[Kept]:
    """Every ``<id>/results.json`` under ``out_dir`` (with its answers.json when kept), sorted by id."""
    from grader.batch import report_from_results

    kept = []
    for path in sorted(Path(out_dir).glob("*/results.json"), key=lambda p: p.parent.name):
        try:
            results = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(results, dict) or not isinstance(results.get("tests"), list):
            continue
        extra: dict[str, Any] = results["extra_data"] if isinstance(results.get("extra_data"), dict) else {}
        crashed = bool(extra.get("crashed") or extra.get("worker_crash"))
        report = report_from_results(results)
        marks = set(flags(report)) | ({"crash"} if crashed else set())
        kept.append(Kept(
            path.parent.name, path, results, read_answers(path.with_name(ANSWERS_FILE)), report.score,
            tuple(sorted(marks)), crashed,
        ))
    return kept


def _number(cell: str) -> float | None:
    text = cell.strip().lstrip("'").strip()
    try:
        return float(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class PreviousRun:
    """A previous batch CSV, read before anything overwrites it: its name and ``id -> row``."""

    label: str
    rows: Mapping[str, Mapping[str, str]]


def read_previous_csv(path: Path) -> PreviousRun:
    """Read a previous batch CSV (``OSError`` when it cannot be read)."""
    with Path(path).open(newline="", encoding="utf-8") as handle:
        rows = {(row.get("id") or "").lstrip("'"): row for row in csv.DictReader(handle) if row.get("id")}
    return PreviousRun(str(path), rows)


# ------------------------------------------------------------------ parts


def _part_points(sub: Kept, part: Part) -> tuple[float, float, list[str]]:
    tests = [t for t in sub.tests() if (t.get("extra_data") or {}).get("part") == part.id]
    score = sum(float(t.get("score") or 0.0) for t in tests)
    top = sum(float(t.get("max_score") or 0.0) for t in tests)
    statuses = [str((t.get("extra_data") or {}).get("status") or t.get("status") or "") for t in tests]
    return round(score, 4), top, statuses


def _share(score: float, top: float, statuses: Sequence[str]) -> str:
    if statuses and all(s == "passed" for s in statuses):
        return "full"
    if top > 0 and score >= top - 1e-9:
        return "full"
    if score > 0 or "partial" in statuses or "passed" in statuses:
        return "partial"
    if statuses and all(s == "missing" for s in statuses):
        return "missing"
    for status in ("invalid", "error"):
        if status in statuses:
            return status
    return "zero" if statuses else "missing"


def _check_summary(assignment: Assignment, check: BoundCheck, subs: Sequence[Kept]) -> CheckSummary:
    answers = {s.id: s.answers for s in subs if not s.crashed}
    if check.calls:
        case_groups, calls = call_failures(check, answers)
        return CheckSummary(check.number, check.spec.name, check.spec.points, calls=tuple(calls),
                            case_groups=tuple(case_groups), function=True)
    tests = {}
    for sub in subs:
        for t in sub.tests():
            if str(t.get("number")) == check.number:
                extra = t.get("extra_data") or {}
                tests[sub.id] = {"status": extra.get("status") or t.get("status"), "score": t.get("score")}
    groups = group_answers(assignment, check, wrong_answers(check, answers, tests))
    unexplained = [g for g in groups if g.rule is None]
    snippets = tuple(
        (g, mistake_snippet(assignment, check, g, i + 1) if g.snippet and i < TOP_SNIPPETS else "")
        for i, g in enumerate(unexplained)
    )
    return CheckSummary(check.number, check.spec.name, check.spec.points, tuple(groups[:TOP_GROUPS]), snippets)


def _part_summary(assignment: Assignment, part: Part, subs: Sequence[Kept]) -> PartSummary:
    graded = [s for s in subs if not s.crashed]
    shares: Counter[str] = Counter()
    points = []
    for sub in graded:
        score, top, statuses = _part_points(sub, part)
        points.append(score)
        shares[_share(score, top, statuses)] += 1
    checks = tuple(_check_summary(assignment, c, subs) for c in assignment.checks if c.part.id == part.id)
    top = sum(c.points for c in part.checks)
    return PartSummary(part.id, part.number, part.title, top, tuple(points),
                       tuple((name, shares[name]) for name in SHARES), checks)


def _text_answers(part: Part, subs: Sequence[Kept]) -> TextAnswers:
    entries, unanswered = [], []
    for sub in subs:
        value = (sub.answers or {}).get(part.answer)
        text = value.text if isinstance(value, SympyText) else value
        if isinstance(text, str) and text.strip():
            entries.append((sub.id, text.strip()))
        elif not sub.crashed:
            unanswered.append(sub.id)
    return TextAnswers(part.number, part.title, part.staff_points, tuple(entries), tuple(unanswered))


# ------------------------------------------------------------------ regrade diff


def regrade_diff(previous: PreviousRun, subs: Sequence[Kept], parts: Sequence[Part]) -> RegradeDiff:
    """Who changed score since ``previous`` (a batch CSV), by how much and on which part."""
    rows = previous.rows
    changed, unchanged = [], 0
    for sub in subs:
        row = rows.get(sub.id)
        if row is None:
            continue
        before = _number(row.get("total", "")) or 0.0
        moved = []
        for part in parts:
            if not part.checks:
                continue
            old = _number(row.get(part.id, "")) or 0.0
            new, _, _ = _part_points(sub, part)
            if abs(new - old) > 1e-6:
                moved.append((part.id, old, new))
        if moved or abs(sub.total - before) > 1e-6:
            name = (row.get("name") or "").lstrip("'")
            changed.append(ScoreChange(sub.id, name, before, round(sub.total, 4), tuple(moved)))
        else:
            unchanged += 1
    ids = {s.id for s in subs}
    changed.sort(key=lambda c: (-abs(c.delta), c.id))
    return RegradeDiff(
        previous.label, tuple(changed), unchanged,
        tuple(sorted(ids - set(rows))), tuple(sorted(set(rows) - ids)),
    )


# ------------------------------------------------------------------ the whole report


def build_class_report(
    assignment: Assignment, out_dir: Path, *, previous: PreviousRun | None = None, now: datetime | None = None,
) -> ClassReport:
    """Read what a batch kept in ``out_dir`` and sum it up (see the module docstring)."""
    subs = load_kept(out_dir)
    notes = []
    lost = [s.id for s in subs if s.answers is None and not s.crashed]
    if lost:
        notes.append(
            f"{len(lost)} submission(s) have no {ANSWERS_FILE} (graded by an older version, or it was removed): "
            "their answers are counted in the scores but not grouped; `batch --force` regrades them."
        )
    rubric = assignment.rubric
    parts = tuple(_part_summary(assignment, p, subs) for p in rubric.parts if p.checks)
    texts = tuple(_text_answers(p, subs) for p in rubric.parts if not p.checks and p.value == "text")
    diff = regrade_diff(previous, subs, rubric.parts) if previous is not None else None
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")  # noqa: UP017 - Python 3.10
    return ClassReport(rubric.assignment, Path(out_dir), stamp, rubric.max_points, tuple(subs), parts, texts, diff,
                       tuple(notes))


def relative_link(target: Path, report_path: Path) -> str:
    """``target`` relative to the folder of ``report_path``, with forward slashes."""
    return Path(os.path.relpath(Path(target).resolve(), Path(report_path).resolve().parent)).as_posix()
