"""Orchestration: one submission × the bound rubric → a GradeReport.

The flow is one-way: find the entry file, run it once in the sandbox (names to
evaluate and calls to make, collected from every check), then judge each
decoded answer in this trusted process.  Nothing here imports student code.
"""

from __future__ import annotations

import contextlib
import gc
import time
import traceback
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader import keyed
from grader.assignment import Assignment, BoundCheck
from grader.plan_cache import plan_calls
from grader.results import CheckResult, GradeReport, Status, TestResult
from grader.sandbox.answers import Failed, FunctionAnswer, FunctionRef, Missing
from grader.sandbox.isolation import answer_paths
from grader.sandbox.limits import Limits
from grader.sandbox.runner import SandboxResult, run_submission
from grader.submission import SubmissionError, find_entry

if TYPE_CHECKING:
    from grader.answer_key import Key
    from grader.rubric import Rubric

__all__ = [
    "JUDGE_FAILED", "answer_names", "grade_fresh", "grade_observations", "grade_path", "judge", "limits_for",
    "manual_tests", "select_item",
]

JUDGE_FAILED = "The autograder could not judge this answer; the course staff have been told. It is not your fault."


def select_item(answer: Any, key: int | str | None, selects: Sequence[int | str] = (), noun: str = "items") -> Any:
    """The item ``key`` of a list or dict answer, in the handout's numbering (see ``grader.keyed``).

    ``selects`` are the keys of every check of the part, which decide how a
    list or dict is read (default: ``key`` alone).
    """
    if key is None or isinstance(answer, (Missing, Failed)) or answer is None:
        return answer
    item = keyed.pick(answer, key, tuple(selects) or (key,), noun)
    if isinstance(item, keyed.KeyProblem):
        return Missing("defined, but " + item.message) if item.missing else _Invalid(item.message)
    return item


class _Invalid:
    """An answer already known to be malformed before its check runs."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def judge(assignment: Assignment, check: BoundCheck, answer: Any) -> tuple[CheckResult, str]:
    """Run one check (and its known-mistake rules); returns the result and a staff log."""
    if isinstance(answer, _Invalid):
        return CheckResult.invalid(answer.message[0].upper() + answer.message[1:] + "."), ""
    ctx = assignment.context(check)
    try:
        result = check.kind.check(check.params, answer, ctx=ctx)
        if result.status in ("failed", "partial"):
            for mistake in check.mistakes:
                if check.kind.check(mistake.params, answer, ctx=ctx).status == "passed":
                    if mistake.credit > result.fraction:
                        status: Status = "partial" if mistake.credit > 0 else "failed"
                        return CheckResult(mistake.credit, status, mistake.message), ""
                    return CheckResult(result.fraction, result.status, mistake.message), ""
        return result, ""
    except Exception:
        return CheckResult(0.0, "error", JUDGE_FAILED), f"{check.number} {check.spec.name}:\n{traceback.format_exc()}"


def _answer_for(check: BoundCheck, values: dict[str, Any], outcomes: dict[str, list[Any]]) -> Any:
    value = values.get(check.answer, Missing())
    if check.calls and isinstance(value, FunctionRef):
        return FunctionAnswer(value, tuple(outcomes.get(check.path, ())))
    if check.calls and not isinstance(value, (Missing, Failed)) and value is not None:
        return value
    selects = tuple(c.select for c in check.part.checks if c.select is not None)
    return select_item(value, check.spec.select, selects, check.part.value)


def _test(check: BoundCheck, result: CheckResult, seconds: float, reveal: bool) -> TestResult:
    output = result.feedback
    if result.counterexample and reveal and result.counterexample not in output:
        output += "\n" + result.counterexample
    return TestResult(
        name=check.spec.name,
        number=check.number,
        answer=check.answer,
        score=round(result.fraction * check.spec.points, 2),
        max_score=check.spec.points,
        status=result.status,
        visibility=check.visibility,  # type: ignore[arg-type]
        output=output,
        part=check.part.id,
        seconds=seconds,
    )


def manual_tests(assignment: Assignment, values: dict[str, Any]) -> list[TestResult]:
    """Staff-graded parts: shown as 0/0 tests so staff see the text was found."""
    tests = []
    for part in assignment.rubric.parts:
        if part.checks or part.value != "text":
            continue
        value = values.get(part.answer, Missing())
        if isinstance(value, str) and value.strip():
            output, status = f"Kept for staff grading ({len(value.strip())} characters).", "manual"
        else:
            output, status = f"Not answered yet: {part.describe} (graded by staff).", "missing"
        tests.append(TestResult(
            name=f"{part.title} (staff-graded, {part.staff_points:g} pts on Gradescope)",
            number=part.number, answer=part.answer, score=0.0, max_score=0.0, status=status,  # type: ignore[arg-type]
            visibility="visible", output=output, part=part.id, manual=True,
            staff_points=part.staff_points,
        ))
    return tests


def limits_for(assignment: Assignment | Rubric, base: Limits | None = None) -> Limits:
    """Sandbox limits with the rubric's time limits applied."""
    rubric = assignment.rubric if isinstance(assignment, Assignment) else assignment
    spec = rubric.limits
    base = base or Limits()
    return base.__class__(**{
        **{f: getattr(base, f) for f in base.__dataclass_fields__},
        "statement_seconds": spec.statement_seconds,
        "call_seconds": spec.call_seconds,
        "total_seconds": spec.total_seconds,
    })


def grade_path(
    path: Path, assignment: Assignment, *, limits: Limits | None = None,
    checks: Sequence[BoundCheck] | None = None, secret_paths: Sequence[Path] = (),
) -> GradeReport:
    """Grade the submission at ``path`` (a file or a folder).

    The project's answer folders (``reference/``, ``rubrics/``, ...) and
    ``secret_paths`` (such as the results folder) are kept from the child.
    """
    start = time.monotonic()
    chosen = tuple(checks if checks is not None else assignment.checks)
    try:
        entry = find_entry(Path(path), stem=assignment.rubric.entry_stem)
    except SubmissionError as exc:
        return _unreadable(chosen, str(exc), str(path), time.monotonic() - start)
    calls, _ = plan_calls(chosen)
    names = answer_names(assignment.rubric, chosen)
    secrets = (*answer_paths(assignment.root), *secret_paths)
    result = run_submission(entry, names, calls, limits=limits_for(assignment, limits), secret_paths=secrets)
    return grade_observations(assignment, result, checks=chosen, submission=str(path), start=start)


def answer_names(rubric: Rubric, checks: Sequence[BoundCheck] | None = None) -> list[str]:
    """The names the sandbox evaluates: those the checks judge, and the staff-graded texts."""
    judged = {c.answer for c in checks} if checks is not None else {p.answer for p in rubric.parts if p.checks}
    return sorted(judged | {p.answer for p in rubric.parts if p.value == "text"})


def grade_fresh(
    path: Path, rubric_path: Path, *, limits: Limits | None = None, secret_paths: Sequence[Path] = (),
    use_key: bool = True,
) -> GradeReport:
    """Load the assignment and grade in one go, running the sandbox while the grader loads.

    With a valid answer key (see ``grader.answer_key``) the child starts at
    once with the key's calls, in a thread, while the checks are built from
    the key: no YAML, no pydantic, no reference.  Without one (or with
    ``use_key=False``) the rubric is bound, the child started early from the
    cached calls (see ``grader.plan_cache``), and, when ``use_key``, a key
    compiled for the next run.  ``RubricError`` propagates, after the child
    has finished.
    """
    start = time.monotonic()
    rubric_path = Path(rubric_path)
    with _without_cyclic_gc():
        key = None
        if use_key:
            from grader import answer_key

            key = answer_key.load(rubric_path)
        if key is not None:
            report = _grade_keyed(path, key, limits=limits, secret_paths=secret_paths, start=start)
            if report is not None:
                return report
        report, assignment = _grade_bound(path, rubric_path, limits=limits, secret_paths=secret_paths, start=start)
        if use_key:
            _compile_key(assignment, rubric_path)
        return report


@contextlib.contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for one load-and-grade.

    Importing sympy and building the checks allocate many long-lived objects,
    and the collector's passes over them cost a single run about a tenth of
    its time; nothing here leaks cycles worth collecting before it ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _grade_keyed(
    path: Path, key: Key, *, limits: Limits | None, secret_paths: Sequence[Path], start: float,
) -> GradeReport | None:
    """Grade with the checks of the answer key; None when the key turns out unusable (it is then recompiled)."""
    from grader.answer_key import AnswerKeyError
    from grader.assignment import bind_key

    rubric = key.rubric
    try:
        entry = find_entry(Path(path), stem=rubric.entry_stem)
    except SubmissionError:
        entry = None  # reported by grade_path
    with ThreadPoolExecutor(max_workers=1) as pool:
        early = None
        if entry is not None:
            secrets = (*answer_paths(key.root), *secret_paths)
            early = pool.submit(run_submission, entry, answer_names(rubric), key.calls,
                                limits=limits_for(rubric, limits), secret_paths=secrets)
        try:
            assignment = bind_key(key)
        except (AnswerKeyError, ValueError, TypeError, KeyError, AttributeError):
            assignment = None
        result = early.result() if early is not None else None
    if assignment is None:
        return None
    if result is None:
        return grade_path(path, assignment, limits=limits, secret_paths=secret_paths)
    return grade_observations(assignment, result, submission=str(path), start=start)


def _grade_bound(
    path: Path, rubric_path: Path, *, limits: Limits | None, secret_paths: Sequence[Path], start: float,
) -> tuple[GradeReport, Assignment]:
    """Bind the rubric and grade, the child started early from the cached calls when there are any."""
    from grader import plan_cache
    from grader.assignment import bind
    from grader.rubric import load_rubric

    rubric = load_rubric(rubric_path)
    root = rubric_path.resolve().parent.parent
    cache = plan_cache.cache_file(rubric_path, rubric.reference, root)
    cached = plan_cache.load(cache)
    try:
        entry = find_entry(Path(path), stem=rubric.entry_stem)
    except SubmissionError:
        cached = None  # reported by grade_path, after binding
    with ThreadPoolExecutor(max_workers=1) as pool:
        early = None
        if cached is not None:
            secrets = (*answer_paths(root), *secret_paths)
            early = pool.submit(run_submission, entry, answer_names(rubric), cached,
                                limits=limits_for(rubric, limits), secret_paths=secrets)
        assignment = bind(rubric, root=root)
        calls, _ = plan_calls(assignment.checks)
        same = cached is not None and plan_cache.encode_calls(calls) == plan_cache.encode_calls(cached)
        if not same:
            plan_cache.save(cache, calls)
        result = early.result() if early is not None else None
    if result is None or not same:
        return grade_path(path, assignment, limits=limits, secret_paths=secret_paths), assignment
    return grade_observations(assignment, result, submission=str(path), start=start), assignment


def _compile_key(assignment: Assignment, rubric_path: Path) -> None:
    """Compile and save the answer key for the next run; a value the key cannot hold only costs time."""
    from grader import answer_key

    with contextlib.suppress(answer_key.AnswerKeyError, OSError, ValueError, TypeError):
        answer_key.save(answer_key.key_file(rubric_path), answer_key.compile_key(assignment, rubric_path))


def grade_observations(
    assignment: Assignment, result: SandboxResult, *, checks: Sequence[BoundCheck] | None = None,
    submission: str = "", start: float | None = None,
) -> GradeReport:
    """Judge what the sandbox observed (values and call outcomes) with every check."""
    began_all = time.monotonic() if start is None else start
    chosen = tuple(checks if checks is not None else assignment.checks)
    _, owners = plan_calls(chosen)
    outcomes: dict[str, list[Any]] = {}
    for owner, outcome in zip(owners, result.outcomes, strict=True):
        outcomes.setdefault(owner, []).append(outcome)
    tests: list[TestResult] = []
    logs: list[str] = []
    for check in chosen:
        began = time.monotonic()
        verdict, log = judge(assignment, check, _answer_for(check, result.values, outcomes))
        if log:
            logs.append(log)
        tests.append(_test(check, verdict, time.monotonic() - began, check.visibility != "hidden"))
    tests.extend(manual_tests(assignment, result.values))
    notices = tuple(result.notices) + tuple(f"Your file ran with an error at {e}" for e in result.statement_errors)
    answers = {**result.values, **{c.answer: _answer_for(c, result.values, outcomes) for c in chosen if c.calls}}
    return GradeReport(tuple(tests), submission, notices, "\n".join(logs), time.monotonic() - began_all, answers)


def _unreadable(chosen: Sequence[BoundCheck], message: str, submission: str, seconds: float) -> GradeReport:
    tests = [
        _test(c, CheckResult(0.0, "missing", "Not graded: " + message), 0.0, True) for c in chosen
    ]
    return GradeReport(tuple(tests), submission, ("The submission could not be read: " + message,), "", seconds)
