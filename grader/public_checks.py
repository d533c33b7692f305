"""What the student self-check may know: public metadata and public property checks.

Nothing here reads the reference's expected values.  The metadata holds what
the template and SPEC already tell a student (names, kinds, shapes, variables,
choices, signatures, and the name of the assignment's module of public
checks); it is generated once from the bound rubric and shipped in the student
bundle as ``grader/public_rubric.json``.  Each part's ``shape`` is what its
kind module's ``shape(params)`` says (see :mod:`grader.checks`).

The checks themselves belong to the assignment, in the module the rubric names
in ``public_checks`` (e.g. ``public.hw4``).  It is shipped to students, so it
must hold no answer.  Its contract:

``PROPERTIES: dict[str, Property]`` (required)
    answer name of a function part -> the calls to make and how to judge them.
``FOLLOW_UPS: dict[str, FollowUp]`` (optional)
    answer name of any part -> a check of that answer that calls one of the
    student's own functions, made in a second sandbox run; only when the
    answer parses and that function passed its own ``Property``.
``SEED: int`` (optional)
    seed of every input the checks draw; :data:`PUBLIC_SEED` by default.

Judges say in words where a behaviour differs (an input, an array index) and
never print a value they compute.  A rubric without ``public_checks`` still
gets the presence, parse and shape checks.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from grader.checks import trait
from grader.errors import RubricError
from grader.paths import ROOT
from grader.sandbox.answers import Failed
from grader.sandbox.calls import Case

__all__ = [
    "NO_CHECKS",
    "PUBLIC_SEED",
    "FollowUp",
    "Property",
    "PublicChecks",
    "build_public",
    "judge_outcome",
    "load_checks",
    "load_public",
]

PUBLIC_SEED = 20170310
"""Default seed of every input the self-check draws; unrelated to the grading seed."""


@dataclass(frozen=True, slots=True)
class Property:
    """A public check of a student function: the calls to make and how to judge them.

    Attributes:
        what: what passing means, for the row (``"outputs sum to 1"``).
        cases: the calls, drawn from a seeded generator.
        judge: the problem with one call's returned value, in words, or None.
        relate: the problem with all the calls taken together (e.g. a later
            call must agree with an earlier one), or None; asked only when
            every call passed ``judge``.
    """

    what: str
    cases: Callable[[np.random.Generator], list[Case]]
    judge: Callable[[Case, Any], str | None]
    relate: Callable[[Sequence[Case], Sequence[Any]], str | None] | None = None


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A public check of an answer made by calling the student's own ``function``.

    Attributes:
        function: answer name of the student function the calls go to; it
            must have a ``Property``, and the check is skipped unless it passed.
        what: what passing means, for the row.
        cases: the calls, from the answer (already known to parse) and the
            part's public metadata.
        judge: the problem with the returned values (in the order of
            ``cases``, none of them failed), in words, or None.
    """

    function: str
    what: str
    cases: Callable[[Any, Mapping[str, Any]], list[Case]]
    judge: Callable[[Sequence[Case], Sequence[Any]], str | None]


@dataclass(frozen=True, slots=True)
class PublicChecks:
    """The public checks of one assignment, as its module provides them."""

    module: str | None = None
    properties: Mapping[str, Property] = field(default_factory=dict)
    follow_ups: Mapping[str, FollowUp] = field(default_factory=dict)
    seed: int = PUBLIC_SEED


NO_CHECKS = PublicChecks()
"""No public checks: presence, parse and shape only."""


def _import(name: str, root: Path) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        if str(root) in sys.path:
            raise
        sys.path.append(str(root))
        return importlib.import_module(name)


def load_checks(name: str | None, *, root: Path = ROOT) -> PublicChecks:
    """Import the module of public checks ``name`` and validate its contract."""
    if not name:
        return NO_CHECKS
    try:
        module = _import(name, root)
    except Exception as exc:  # a broken module is an author error
        raise RubricError(f"public_checks: cannot import {name!r}: {type(exc).__name__}: {exc}") from None
    properties = getattr(module, "PROPERTIES", None)
    follow_ups = getattr(module, "FOLLOW_UPS", {})
    seed = getattr(module, "SEED", PUBLIC_SEED)
    if not isinstance(properties, dict) or not all(isinstance(p, Property) for p in properties.values()):
        raise RubricError(f"public_checks: {name}.PROPERTIES must be a dict of Property")
    if not isinstance(follow_ups, dict) or not all(isinstance(f, FollowUp) for f in follow_ups.values()):
        raise RubricError(f"public_checks: {name}.FOLLOW_UPS must be a dict of FollowUp")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise RubricError(f"public_checks: {name}.SEED must be an int")
    for answer, follow in follow_ups.items():
        if follow.function not in properties:
            raise RubricError(f"public_checks: {name}.FOLLOW_UPS[{answer!r}] calls {follow.function!r}, "
                              "which has no entry in PROPERTIES")
    return PublicChecks(name, dict(properties), dict(follow_ups), seed)


def _validate(checks: PublicChecks, parts: Sequence[Mapping[str, Any]]) -> None:
    """Every check names a part of the rubric (functions for ``PROPERTIES``)."""
    called = {p["answer"]: bool(trait(p["kind"], "CALLED")) for p in parts}
    for answer in checks.properties:
        if not called.get(answer):
            raise RubricError(f"public_checks: PROPERTIES[{answer!r}] names no function part of the rubric")
    for answer, follow in checks.follow_ups.items():
        if answer not in called or not called.get(follow.function):
            raise RubricError(f"public_checks: FOLLOW_UPS[{answer!r}] needs the parts {answer!r} and "
                              f"{follow.function!r} (a function) in the rubric")


# ------------------------------------------------------------------ metadata


def _shape(checks: Sequence[Any]) -> dict[str, Any]:
    """The public shape of a part's answer, as its checks' kind module gives it; never an expected value."""
    shape: dict[str, Any] = {}
    for check in checks:
        shape.update(check.kind.shape(check.params))
    return json.loads(json.dumps(shape, allow_nan=False))  # plain JSON data, or a clear error for an author


def build_public(assignment: Any) -> dict[str, Any]:
    """The public metadata of a bound assignment: what the template and SPEC already say.

    Loads the rubric's module of public checks and checks it against the
    parts, so a broken one fails when the bundle is built.
    """
    from grader.template import render_template

    rubric = assignment.rubric
    parts = []
    for part in rubric.parts:
        checks = [c for c in assignment.checks if c.part.id == part.id]
        entry: dict[str, Any] = {
            "id": part.id, "number": part.number, "title": part.title, "answer": part.answer,
            "kind": part.kind, "describe": part.describe, "signature": part.signature,
            "optional": part.optional, "staff_points": part.staff_points,
            "points": sum(c.spec.points for c in checks), "shape": _shape(checks),
        }
        if part.keyed:
            entry["selects"] = [str(c.spec.select) for c in checks]
            entry["noun"] = part.noun
        parts.append(entry)
    _validate(load_checks(rubric.public_checks, root=assignment.root), parts)
    limits = rubric.limits
    return {
        "assignment": rubric.assignment,
        "entry_stem": rubric.entry_stem,
        "public_checks": rubric.public_checks,
        "helpers": rubric.helpers,
        "limits": {
            "statement_seconds": limits.statement_seconds,
            "call_seconds": limits.call_seconds,
            "total_seconds": limits.total_seconds,
        },
        "parts": parts,
        "template": render_template(rubric),
    }


def load_public(path: Path) -> dict[str, Any]:
    """Read ``public_rubric.json``."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


# ------------------------------------------------------------------ judging


def failure_text(value: Any) -> str | None:
    """A failed or empty call, in words; None for a returned value."""
    if isinstance(value, Failed):
        return ("it ran out of time: " if value.timed_out else "it raised ") + value.message
    if value is None:
        return "it returned None (is a `return` missing?)"
    return None


def judge_outcome(prop: Property, case: Case, outcome_value: Any) -> str | None:
    """A problem with one call, in words (raised, timed out, or the property fails)."""
    return failure_text(outcome_value) or prop.judge(case, outcome_value)
