"""``python -m grader check hw4.py``: a student's self-check that gives nothing away.

Runs the file in the sandbox once, then says for each answer whether it is
present, whether it parses (pointing at where it does not), whether its shape
and type are right, whether functions raise or time out, and runs the public
property checks of the assignment's module of public checks (see
:mod:`grader.public_checks`).  A follow-up check that calls one of the
student's own functions (e.g. weights run through the student's simulator)
makes a second sandbox run.  It needs only the public metadata
(``grader/public_rubric.json`` in the student bundle, or the rubric in a full
checkout), that module, the sandbox and the parsers: never the reference, and
it never prints an expected value of a graded part.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from grader import keyed
from grader.checks import kind_module, trait
from grader.errors import InvalidAnswer
from grader.paths import PUBLIC_RUBRIC
from grader.public_checks import (
    NO_CHECKS,
    FollowUp,
    PublicChecks,
    failure_text,
    judge_outcome,
    load_checks,
    load_public,
)
from grader.sandbox.answers import Failed, Missing
from grader.sandbox.calls import Case
from grader.sandbox.limits import Limits
from grader.sandbox.portable import SandboxResult, run_submission
from grader.submission import SubmissionError, find_entry
from grader.terminal import tolerant_output, use_color

__all__ = ["FollowUpPlan", "Row", "apply_follow_ups", "check_rows", "plan_follow_ups", "property_calls", "render_check",
           "run_check"]

WIDTH = 100
_PAINT = {
    "ok": "\033[32m", "staff": "\033[36m", "optional": "\033[2m", "missing": "\033[33m", "skipped": "\033[33m",
}
_RED = "\033[31m"
_RESET = "\033[0m"
_ORDER = ("error", "timeout", "invalid", "wrong", "missing", "skipped")
"""Problems in the order to fix them: a crash hides everything after it."""


NEEDS_WORK = frozenset({"missing", "invalid", "wrong", "error", "timeout"})
"""Row statuses that make ``check`` exit 1."""


@dataclass(frozen=True, slots=True)
class Row:
    """One answer's line: status is ok, staff, optional, missing, skipped, invalid, error, timeout or wrong."""

    number: str
    answer: str
    status: str
    message: str


# ------------------------------------------------------------------ reading answers


def _where(exc: InvalidAnswer, prefix: str = "") -> str:
    where = ", ".join(w for w in (prefix, exc.where) if w)
    return exc.message + (f" ({where})" if where else "")


def read_problem(part: Mapping[str, Any], value: Any) -> str | None:
    """Why ``value`` cannot be read as the part's kind of answer, or None when it can.

    The part's kind module reads it (``read``, strictly), the way grading does;
    an answer judged item by item is read item by item, as grading picks them.
    """
    kind = kind_module(part["kind"])
    shape = part.get("shape", {})

    def read(item: Any) -> None:
        kind.read(item, shape, strict=True)

    if "selects" in part:
        selects = [keyed.key_from_text(k) for k in part["selects"]]
        return _keyed(value, selects, read, part.get("noun", "items"))
    try:
        read(value)
    except InvalidAnswer as exc:
        return _where(exc)
    return None


def _keyed(value: Any, selects: Sequence[int | str], read: Any, noun: str) -> str | None:
    """Read every item of a keyed answer as grading does (see ``grader.keyed``)."""
    items = keyed.read_items(value, selects, noun)
    if isinstance(items, keyed.KeyProblem):
        return items.message
    labels = {s: keyed.handout_label(s, selects) for s in selects}
    missing = [str(labels[s]) for s in selects if s not in items]
    if missing:
        return f"the dict has no entry for {', '.join(missing)}"
    what = "item" if keyed.is_positional(selects) else "entry"
    for s in selects:
        if items[s] is None:
            return f"{what} {labels[s]} is still None"
        try:
            read(items[s])
        except InvalidAnswer as exc:
            return _where(exc, f"{what} {labels[s]}")
    return None


# ------------------------------------------------------------------ running


def property_calls(parts: Sequence[Mapping[str, Any]], checks: PublicChecks) -> list[tuple[str, Case]]:
    """The calls of every function part that has a public property, drawn from the public seed."""
    calls = []
    for i, part in enumerate(parts):
        prop = checks.properties.get(part["answer"]) if trait(part["kind"], "CALLED") else None
        if prop is not None:
            rng = np.random.default_rng([checks.seed, i])
            calls += [(part["answer"], case) for case in prop.cases(rng)]
    return calls


def _function_row(part: Mapping[str, Any], cases: list[Case], outcomes: list[Any],
                  checks: PublicChecks) -> tuple[str, str]:
    prop = checks.properties.get(part["answer"])
    if prop is None or not cases:
        return "ok", "defined (no public check for this function)"
    values = [o.value for o in outcomes]
    problems = [(judge_outcome(prop, c, v), v) for c, v in zip(cases, values, strict=False)]
    bad = [(p, v) for p, v in problems if p]
    if not bad:
        related = prop.relate(cases, values) if prop.relate is not None else None
        if related:
            return "wrong", f"every call returned a well-formed value, but {related}"
        return "ok", f"runs; public check passed on {len(cases)} calls: {prop.what}"
    problem, value = bad[0]
    status = "wrong"
    if isinstance(value, Failed):
        status = "timeout" if value.timed_out else "error"
    return status, f"{len(bad)} of {len(cases)} calls went wrong; first: {problem}"


def check_rows(public: Mapping[str, Any], result: SandboxResult, calls: Sequence[tuple[str, Case]],
               checks: PublicChecks = NO_CHECKS) -> list[Row]:
    """One row per part, from what the sandbox observed."""
    by_name: dict[str, tuple[list[Case], list[Any]]] = {}
    for (name, case), outcome in zip(calls, result.outcomes, strict=False):
        by_name.setdefault(name, ([], []))
        by_name[name][0].append(case)
        by_name[name][1].append(outcome)
    rows = []
    for part in public["parts"]:
        name = part["answer"]
        value = result.values.get(name, Missing())
        status, message = _status(part, value, by_name.get(name, ([], [])), checks)
        rows.append(Row(part["number"], name, status, message))
    return rows


def _status(part: Mapping[str, Any], value: Any, calls: tuple[list[Case], list[Any]],
            checks: PublicChecks = NO_CHECKS) -> tuple[str, str]:
    staff = bool(trait(part["kind"], "STAFF_GRADED"))
    blank_text = staff and isinstance(value, str) and not value.strip()
    if isinstance(value, Missing) or value is None or blank_text:
        if staff:
            return "missing", "not answered yet (graded by the course staff)"
        if part.get("optional"):
            return "optional", "not answered (optional)"
        if isinstance(value, Missing):
            return "missing", "not defined (python -m grader template lists every name)"
        return "missing", "still None (the template's placeholder)"
    if isinstance(value, Failed):
        return ("timeout" if value.timed_out else "error"), value.message
    problem = read_problem(part, value)
    if problem is not None:
        return "invalid", problem[0].upper() + problem[1:]
    if staff:
        return "staff", f"kept for staff grading ({len(value.strip())} characters)"
    if trait(part["kind"], "CALLED"):
        return _function_row(part, *calls, checks)
    return "ok", "present and parses"


# ------------------------------------------------------------------ follow-ups: calls of the student's own functions


@dataclass(frozen=True, slots=True)
class FollowUpPlan:
    """A follow-up to run: the row it completes and the calls it makes."""

    row: int
    follow: FollowUp
    cases: tuple[Case, ...]


def plan_follow_ups(parts: Sequence[Mapping[str, Any]], rows: Sequence[Row], values: Mapping[str, Any],
                    checks: PublicChecks) -> tuple[list[Row], list[FollowUpPlan]]:
    """The rows, with follow-ups that cannot run marked skipped (and why), and the follow-ups to run.

    A follow-up runs only when its answer parses and the function it calls
    passed its own public property.
    """
    rows = list(rows)
    by_answer = {r.answer: r for r in rows}
    plans = []
    for i, part in enumerate(parts):
        follow = checks.follow_ups.get(part["answer"])
        if follow is None or rows[i].status != "ok":
            continue
        fn, used = by_answer.get(follow.function), follow.function
        why = None
        if fn is None or fn.status in ("missing", "optional"):
            why = f"{used} is not defined"
        elif fn.status != "ok":
            why = f"{used} does not pass its own public check yet (see {fn.number})"
        if why is not None:
            rows[i] = replace(rows[i], status="skipped",
                              message=f"parses; behaviour not checked: it is checked with your {used}, and {why}")
            continue
        plans.append(FollowUpPlan(i, follow, tuple(follow.cases(values[part["answer"]], part))))
    return rows, plans


def apply_follow_ups(rows: Sequence[Row], plans: Sequence[FollowUpPlan], outcomes: Sequence[Any]) -> list[Row]:
    """The rows completed with what the follow-up calls (in plan order) returned."""
    rows = list(rows)
    start = 0
    for plan in plans:
        taken = [o.value for o in outcomes[start:start + len(plan.cases)]]
        start += len(plan.cases)
        rows[plan.row] = _follow_row(rows[plan.row], plan, taken)
    return rows


def _follow_row(row: Row, plan: FollowUpPlan, values: list[Any]) -> Row:
    used = plan.follow.function
    values += [Failed("not run")] * (len(plan.cases) - len(values))
    for case, value in zip(plan.cases, values, strict=True):
        failed = failure_text(value)
        if failed:
            where = f" ({case.label})" if case.label else ""
            return replace(row, status="skipped", message=f"parses; behaviour not checked: your {used} failed on "
                           f"a call this check makes{where}: {failed}")
    problem = plan.follow.judge(plan.cases, values)
    if problem:
        return replace(row, status="wrong", message=f"parses, but checked with your {used}: {problem}")
    return replace(row, message=f"parses; checked with your {used}: {plan.follow.what}")


def public_metadata(rubric: Path | None) -> dict[str, Any]:
    """The shipped public metadata, or (in a full checkout) metadata built from the rubric."""
    if PUBLIC_RUBRIC.is_file():
        return load_public(PUBLIC_RUBRIC)
    from grader.assignment import load_assignment
    from grader.paths import active_rubric
    from grader.public_checks import build_public

    return build_public(load_assignment(rubric or active_rubric()))


# ------------------------------------------------------------------ output




def render_check(rows: Sequence[Row], notices: Sequence[str], *, color: bool) -> str:
    """The table, the notices and what to fix first."""
    w_num = max(len("#"), *(len(r.number) for r in rows))
    w_name = max(len("Answer"), *(len(r.answer) for r in rows))
    w_status = max(len("Status"), *(len(r.status) for r in rows))
    lead = w_num + w_name + w_status + 6
    w_msg = max(30, WIDTH - lead)

    def paint(text: str, status: str) -> str:
        code = _PAINT.get(status, _RED)
        return f"{code}{text}{_RESET}" if color else text

    lines = [f"{'#'.ljust(w_num)}  {'Answer'.ljust(w_name)}  {'Status'.ljust(w_status)}  Message", "-" * (lead + w_msg)]
    for r in rows:
        chunks = textwrap.wrap(r.message, w_msg) or [""]
        head = f"{r.number.ljust(w_num)}  {r.answer.ljust(w_name)}  {paint(r.status.ljust(w_status), r.status)}  "
        lines.append((head + chunks[0]).rstrip())
        lines += [" " * lead + c for c in chunks[1:]]
    lines.append("-" * (lead + w_msg))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    lines.append("Summary: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    if notices:
        lines += ["", "Notices:"] + ["  - " + n for n in notices]
    lines += ["", _fix_first(rows, notices, color)]
    lines.append("This self-check never shows expected answers; passing it does not mean an answer is right.")
    return "\n".join(lines) + "\n"


def _fix_first(rows: Sequence[Row], notices: Sequence[str], color: bool) -> str:
    errors = [n for n in notices if n.startswith("Your file ran with an error")]
    if errors:
        return "Fix first: " + errors[0][0].lower() + errors[0][1:] + " (what it defines is lost)."
    for status in _ORDER:
        hit = next((r for r in rows if r.status == status), None)
        if hit is not None:
            text = f"Fix first: {hit.number} {hit.answer} ({status}): {hit.message}"
            return f"{_RED}{text}{_RESET}" if color else text
    text = "Nothing to fix: every answer is present, parses and passes the public checks."
    return f"\033[32m{text}{_RESET}" if color else text


def run_check(path: Path, *, rubric: Path | None = None, color: bool | None = None) -> int:
    """Check the submission at ``path`` and print the table.

    Returns 0 when every answer looks fine, 1 when one is missing, invalid,
    wrong, raised or timed out (so a script can use it), 2 when the file
    could not be checked at all.
    """
    public = public_metadata(rubric)
    checks = load_checks(public.get("public_checks"))
    try:
        entry = find_entry(Path(path), stem=public["entry_stem"])
    except SubmissionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    parts = public["parts"]
    calls = property_calls(parts, checks)
    lim = public["limits"]
    limits = Limits(
        statement_seconds=lim["statement_seconds"], call_seconds=lim["call_seconds"],
        total_seconds=lim["total_seconds"],
    )
    result = run_submission(entry, [p["answer"] for p in parts], calls, limits=limits)
    rows = check_rows(public, result, calls, checks)
    rows, plans = plan_follow_ups(parts, rows, result.values, checks)
    if plans:
        follow_calls = [(plan.follow.function, case) for plan in plans for case in plan.cases]
        rows = apply_follow_ups(rows, plans, run_submission(entry, [], follow_calls, limits=limits).outcomes)
    notices = [n for n in result.notices if not n.startswith("not isolated by user")]
    notices += [f"Your file ran with an error at {e}" for e in result.statement_errors]
    print(f"Self-check of {entry} ({public['assignment']})\n")
    tolerant_output()
    print(render_check(rows, notices, color=use_color() if color is None else color), end="")
    return 1 if any(r.status in NEEDS_WORK for r in rows) else 0
