"""Grade one submission and always leave a valid results.json behind.

Used by ``run_autograder`` (Gradescope and local) and ``python -m grader
grade``.  A broken submission is graded (and scores what it earns); a broken
rubric or a crash of the grader itself still writes a valid results.json that
says so in plain words, with the traceback for staff only.
"""

from __future__ import annotations

import shutil
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import Assignment
from grader.errors import RubricError
from grader.grade import grade_fresh, grade_path
from grader.paths import DEFAULT_RUBRIC, gradescope_root, inside
from grader.report.console import render_table
from grader.report.gradescope import crash_results, results_json, validate, write_results
from grader.results import GradeReport
from grader.sandbox.isolation import private_entries, register_sandbox_user
from grader.sandbox.limits import Limits

__all__ = ["Outcome", "grade_to_results", "run", "staff_detail"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one run produced: the report (None after a crash) and the exit code."""

    report: GradeReport | None
    results: dict
    exit_code: int


def grade_to_results(
    submission: Path, *, rubric: Path | None = None, assignment: Assignment | None = None,
    limits: Limits | None = None, secret_paths: Sequence[Path] = (),
) -> Outcome:
    """Grade ``submission`` and build its results.json data, never raising.

    ``secret_paths`` (such as the results folder) are kept from the student's code.
    """
    if limits is not None:
        register_sandbox_user(limits.user)  # its files are taken back from it when locked
    try:
        if assignment is None:
            report = grade_fresh(submission, rubric or DEFAULT_RUBRIC, limits=limits, secret_paths=secret_paths)
        else:
            report = grade_path(submission, assignment, limits=limits, secret_paths=secret_paths)
    except RubricError as exc:
        text = f"The rubric is broken, so nothing was graded:\n{exc}"
        return Outcome(None, crash_results(text, traceback_text=traceback.format_exc()), 2)
    except Exception as exc:  # the grader's own failure, not the student's
        return Outcome(None, crash_results(exc, traceback_text=traceback.format_exc()), 1)
    try:
        results = results_json(report)
        validate(results)
        return Outcome(report, results, 0)
    except Exception as exc:  # the grader's own failure, not the student's
        return Outcome(None, crash_results(exc, traceback_text=traceback.format_exc()), 1)


def run(
    submission: Path, results_path: Path, *, rubric: Path | None = None,
    assignment: Assignment | None = None, table: bool = True, color: bool | None = None,
    limits: Limits | None = None,
) -> int:
    """Grade, write results.json atomically (replacing anything planted there), print a table.

    The results folder is created first and kept from the student's code; a
    ``results.json`` that appears there while grading is deleted, and the real
    one is written last.  Grading Gradescope's submission (as root), whatever
    else lies under Gradescope's root and the child does not need is locked
    too: ``submission_metadata.json`` (earlier results), ``results/``, and
    ``source/`` but for the grader's code and Python.
    """
    started = time.monotonic()
    results_path = Path(results_path)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_planted(results_path)
    secrets = [results_path.parent]
    if inside(Path(submission), gradescope_root()):
        secrets += private_entries(gradescope_root())
    outcome = grade_to_results(submission, rubric=rubric, assignment=assignment, limits=limits,
                               secret_paths=tuple(dict.fromkeys(secrets)))
    results = dict(outcome.results)
    results.setdefault("execution_time", round(time.monotonic() - started, 3))
    _remove_planted(results_path)
    write_results(results, results_path)
    if table:
        if outcome.report is not None:
            print(render_table(outcome.report, color=color))
        else:
            print(staff_detail(results), file=sys.stderr)
        print(f"results written to {results_path}")
    return outcome.exit_code


def staff_detail(results: dict) -> str:
    """What went wrong, for the person running the grader: the staff-only text of a crash file."""
    hidden = [t["output"] for t in results.get("tests", []) if t.get("visibility") == "hidden"]
    return "\n".join(hidden) or str(results.get("output", "The autograder failed."))


def _remove_planted(path: Path) -> None:
    """Delete whatever sits at ``path`` (file, link or folder) without following links."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    except OSError:
        pass  # the atomic write replaces it anyway
