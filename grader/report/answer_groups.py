"""Group a class's wrong answers as the checks judge them, and draft rubric rules.

Two answers fall in one group when the check, given the first as its expected
value, accepts the second: numbers within the part's tolerance, expressions by
equivalence, polygons by shape.  A group is then matched against the check's
known-mistake rules exactly as grading does.  A group that no rule explains
gets a snippet: a ``mistakes:`` entry for the rubric and the reference function
it names.  Function checks are summarised by the calls that failed most.
Everything here runs in the trusted process on decoded answers.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from grader.assignment import Assignment, BoundCheck
from grader.errors import InvalidAnswer
from grader.expr import to_number
from grader.grade import select_item
from grader.report.answers_json import encode_answer
from grader.sandbox.answers import Failed, FunctionAnswer, Missing, SympyText
from grader.sandbox.calls import resolve_args
from grader.tolerance import first_difference

__all__ = [
    "AnswerGroup", "CallFailure", "CaseGroupFailure", "WrongAnswer", "call_failures", "case_group", "example_text",
    "group_answers", "mistake_snippet", "plain_value", "wrong_answers",
]

WRONG_STATUSES = ("failed", "partial")
"""Statuses whose answers are read and judged but not (fully) right."""


@dataclass(frozen=True, slots=True)
class WrongAnswer:
    """One submission's answer to one check that did not earn full credit."""

    sub_id: str
    answer: Any
    score: float


@dataclass(frozen=True, slots=True)
class AnswerGroup:
    """Answers the check judges to be the same value.

    Attributes:
        members: the submissions, most common spelling first.
        example: how the most common spelling was written.
        spellings: how many different spellings the group holds.
        rule: the rubric's ``expected:`` name of the known mistake that explains it, if any.
        message: that rule's message.
        snippet: for an unexplained group, the code of the reference function to add, after its name
            (``"():\n    return 0.5\n"``); :func:`mistake_snippet` makes the whole snippet.
        score: the most common score its members got.
    """

    members: tuple[str, ...]
    example: str
    spellings: int
    rule: str | None
    message: str
    snippet: str | None
    score: float

    @property
    def count(self) -> int:
        return len(self.members)


@dataclass(frozen=True, slots=True)
class CallFailure:
    """One planned call of a student function and how often it went wrong."""

    label: str
    failed: int
    answered: int
    reasons: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class CaseGroupFailure:
    """A group of calls the reference names (``"large beta: ..."``): how many submissions failed any of them."""

    name: str
    calls: int
    failed: int
    answered: int


# ------------------------------------------------------------------ values


def example_text(answer: Any, limit: int = 200) -> str:
    """How a student wrote an answer, as plain text (to be escaped by the renderer)."""
    if isinstance(answer, SympyText):
        text = answer.text
    elif isinstance(answer, str):
        text = answer
    else:
        text = _show(answer)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show(value: Any) -> str:
    if isinstance(value, SympyText):
        return value.text
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_show(v)}" for k, v in value.items()) + "}"
    return repr(value) if value is None or isinstance(value, bool | int) else type(value).__name__


def plain_value(answer: Any) -> Any:
    """A decoded answer as plain Python data a check's ``Params`` accept as ``expected``.

    Text that is a constant becomes a float; other text (an expression, a
    relation, a choice) stays text, for the check kind to parse.

    Raises:
        ValueError: the answer holds something that is not data (a function, an opaque object).
    """
    if isinstance(answer, bool | int | float):
        return answer
    if isinstance(answer, Fraction):
        return float(answer)
    if isinstance(answer, str | SympyText):
        text = answer.text if isinstance(answer, SympyText) else answer
        try:
            return to_number(text)
        except InvalidAnswer:
            return text
    if isinstance(answer, list | tuple):
        return [plain_value(v) for v in answer]
    if isinstance(answer, dict):
        return {k: plain_value(v) for k, v in answer.items()}
    raise ValueError(f"not plain data: {type(answer).__name__}")


def _flat(value: Any) -> list[Any] | None:
    """A nested list of numbers as one flat list (a column vector given as ``[[a], [b]]``)."""
    if not isinstance(value, list):
        return None
    out: list[Any] = []
    for item in value:
        inner = _flat(item) if isinstance(item, list) else [item]
        if inner is None or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in inner):
            return None
        out.extend(inner)
    return out


def _as_expected(check: BoundCheck, answer: Any, assignment: Assignment) -> tuple[Any, str] | None:
    """The check's params with ``answer`` as the expected value, and the reference function's code after its name."""
    as_target = getattr(check.kind, "as_expected", None)  # a kind whose expected value is a function of the answer
    if as_target is not None:
        try:
            target, code = as_target(check.params, answer, reference=assignment.reference)
            return dataclasses.replace(check.params, expected=target), code
        except Exception:
            return None
    if getattr(check.kind, "EXPECTS_CALLABLE", False):
        return None
    try:
        value = plain_value(answer)
    except ValueError:
        return None
    if check.spec.select is not None:
        wrapped: Any = lambda v: {check.spec.select: v}  # noqa: E731 - the mistake selects the same item
    else:
        wrapped = lambda v: v  # noqa: E731
    for candidate in (value, _flat(value)):
        if candidate is None:
            continue
        try:
            params = dataclasses.replace(check.params, expected=candidate)
        except Exception:
            continue
        return params, f"():\n    return {wrapped(candidate)!r}\n"
    return None


def _key(answer: Any) -> str:
    return json.dumps(encode_answer(answer), sort_keys=True, ensure_ascii=False, default=str)


# ------------------------------------------------------------------ groups


def wrong_answers(
    check: BoundCheck, answers: Mapping[str, Mapping[str, Any] | None], tests: Mapping[str, Mapping[str, Any]]
) -> list[WrongAnswer]:
    """The answers to ``check`` that were judged wrong or partly right, by submission.

    ``answers`` maps a submission id to its decoded answers (None when not
    kept); ``tests`` maps it to its results.json test for this check.
    """
    found = []
    for sub_id, values in answers.items():
        test = tests.get(sub_id)
        if values is None or test is None or test.get("status") not in WRONG_STATUSES:
            continue
        value = values.get(check.answer, Missing())
        selects = tuple(c.select for c in check.part.checks if c.select is not None)  # as grading reads it
        answer = select_item(value, check.spec.select, selects, check.part.value)
        if isinstance(answer, Missing | Failed) or answer is None or type(answer).__name__ == "_Invalid":
            continue
        found.append(WrongAnswer(sub_id, answer, float(test.get("score") or 0.0)))
    return found


def _accepts(assignment: Assignment, check: BoundCheck, params: Any, answer: Any) -> bool:
    try:
        ctx = assignment.context(check, reveal=False)
        return bool(check.kind.check(params, answer, ctx=ctx).status == "passed")
    except Exception:
        return False


@dataclass
class _Draft:
    params: Any
    code: str | None
    keys: dict[str, list[WrongAnswer]]


def group_answers(assignment: Assignment, check: BoundCheck, wrong: Sequence[WrongAnswer]) -> list[AnswerGroup]:
    """Group ``wrong`` as the check judges them; the largest group first."""
    spellings: dict[str, list[WrongAnswer]] = {}
    for item in wrong:
        spellings.setdefault(_key(item.answer), []).append(item)
    drafts: list[_Draft] = []
    for key, items in sorted(spellings.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        answer = items[0].answer
        home = next((d for d in drafts if d.params is not None and _accepts(assignment, check, d.params, answer)), None)
        if home is None:
            built = _as_expected(check, answer, assignment)
            home = _Draft(built[0] if built else None, built[1] if built else None, {})
            drafts.append(home)
        home.keys[key] = items
    groups = [_finish(assignment, check, d) for d in drafts]
    return sorted(groups, key=lambda g: (-g.count, g.example))


def _finish(assignment: Assignment, check: BoundCheck, draft: _Draft) -> AnswerGroup:
    ordered = sorted(draft.keys.values(), key=len, reverse=True)
    first = ordered[0][0]
    members = tuple(item.sub_id for items in ordered for item in items)
    rule, message = None, ""
    for index, mistake in enumerate(check.mistakes):
        if _accepts(assignment, check, mistake.params, first.answer):
            rule, message = check.spec.mistakes[index].expected, mistake.message
            break
    score = Counter(item.score for items in ordered for item in items).most_common(1)[0][0]
    snippet = None
    if rule is None and draft.code is not None:
        snippet = draft.code
    return AnswerGroup(members, example_text(first.answer), len(ordered), rule, message, snippet, score)


def mistake_snippet(assignment: Assignment, check: BoundCheck, group: AnswerGroup, index: int) -> str:
    """A ``mistakes:`` entry for the rubric and the reference function it names, ready to paste."""
    base = check.spec.expected or check.part.id
    taken = {m.expected for p in assignment.rubric.parts for c in p.checks for m in c.mistakes}
    n = index
    name = f"{base}_mistake_{n}"
    while hasattr(assignment.reference, name) or name in taken:
        n += 1
        name = f"{base}_mistake_{n}"
    code = f"def {name}{group.snippet or '():  # no value could be drawn from this answer'}"
    seen = f"seen in {group.count} submission(s) of a batch regrade"
    module = assignment.rubric.reference.replace(".", "/") + ".py"
    keyed = f", keyed by {check.spec.select!r} (the item this check judges)" if check.spec.select is not None else ""
    return (
        f"# rubric: part {check.part.id}, check {check.number}: add under the check's `mistakes:` list\n"
        f"- expected: {name}\n"
        f'  message: "TODO: what the student most likely did, and how to fix it."\n'
        f"  credit: 0.0\n"
        f"\n# {module}: the mistaken value{keyed}, {seen}\n"
        f"{code}"
    )


# ------------------------------------------------------------------ function calls


def case_group(label: str) -> str:
    """The group a call belongs to: its label before ``": "`` (the reference writes ``"group: details"``)."""
    return label.split(": ", 1)[0] if ": " in label else label


def call_failures(
    check: BoundCheck, answers: Mapping[str, Mapping[str, Any] | None]
) -> tuple[list[CaseGroupFailure], list[CallFailure]]:
    """For a function check: the case groups and the calls that failed most, with how they failed."""
    params = check.params
    labels = [c.label or f"call {i + 1}" for i, c in enumerate(check.calls)]
    expected: dict[int, Any] = {}
    failed: Counter[int] = Counter()
    reasons: dict[int, Counter[str]] = {}
    group_failed: Counter[str] = Counter()
    answered = 0
    for values in answers.values():
        answer = (values or {}).get(check.answer)
        if not isinstance(answer, FunctionAnswer) or len(answer.outcomes) != len(check.calls):
            continue
        answered += 1
        groups_hit: set[str] = set()
        for i, (case, outcome) in enumerate(zip(check.calls, answer.outcomes, strict=True)):
            reason = _call_problem(params, case, outcome.value, expected, i)
            if reason is not None:
                failed[i] += 1
                reasons.setdefault(i, Counter())[reason] += 1
                groups_hit.add(case_group(labels[i]))
        group_failed.update(groups_hit)
    sizes = Counter(case_group(label) for label in labels)
    groups = [CaseGroupFailure(name, sizes[name], group_failed[name], answered) for name in sizes]
    calls = [
        CallFailure(labels[i], failed[i], answered, tuple(reasons.get(i, Counter()).most_common(3)))
        for i in range(len(check.calls)) if failed[i]
    ]
    return sorted(groups, key=lambda g: -g.failed), sorted(calls, key=lambda r: -r.failed)


def _call_problem(params: Any, case: Any, value: Any, cache: dict[int, Any], index: int) -> str | None:
    if isinstance(value, Failed):
        if value.timed_out:
            return "ran out of time"
        head = value.message.split(":", 1)[0].strip()
        return f"raised {head}" if head and len(head) < 60 and " " not in head else "raised an exception"
    if value is None:
        return "returned None"
    if index not in cache:
        try:
            cache[index] = params.expected(*resolve_args(case.args), **resolve_args(case.kwargs))
        except Exception:
            cache[index] = None
    if cache[index] is None:
        return None
    try:
        diff = first_difference(value, cache[index], params.rtol, params.atol)
    except Exception:
        return "a result that cannot be read"
    if diff is None:
        return None
    return "a result of the wrong shape" if "should be" in diff else "a wrong value"

