"""Bind a validated rubric to its reference module: every check ready to run.

Binding happens once per process (a batch regrade binds once for all
submissions).  It resolves each ``expected:`` name in the trusted reference,
builds each kind's ``Params`` and the calls of student functions, and turns
every author mistake into a ``RubricError`` naming its YAML path.

:func:`bind_key` builds the same checks from a compiled answer key (see
:mod:`grader.answer_key`) without the YAML, pydantic or the reference.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from grader.checks import CheckContext, kind_module
from grader.errors import RubricError
from grader.sandbox.calls import Case, helper_module, named_helpers, resolve

if TYPE_CHECKING:  # pydantic and yaml are for binding; a run from the answer key needs neither
    from grader.answer_key import Key
    from grader.rubric import CheckSpec, Part, Rubric

__all__ = [
    "Assignment", "BoundCheck", "BoundMistake", "REF_PREFIX", "bind", "bind_key", "import_reference",
    "load_assignment", "resolve_expected",
]

REF_PREFIX = "ref:"


@dataclass(frozen=True, slots=True)
class BoundMistake:
    """A known mistake with the kind's params built for the mistaken value."""

    message: str
    credit: float
    params: Any


@dataclass(frozen=True, slots=True)
class BoundCheck:
    """One rubric check, ready to judge an answer."""

    part: Part
    spec: CheckSpec
    number: str
    path: str
    kind: ModuleType
    params: Any
    visibility: str
    mistakes: tuple[BoundMistake, ...]
    calls: tuple[Case, ...]

    @property
    def answer(self) -> str:
        return self.part.answer


@dataclass(frozen=True, slots=True)
class Assignment:
    """A rubric bound to its reference: what the grader runs for each submission."""

    rubric: Rubric
    reference: ModuleType
    checks: tuple[BoundCheck, ...]
    root: Path

    def context(self, check: BoundCheck, *, reveal: bool | None = None) -> CheckContext:
        """The context a check runs with.

        Feedback may show the student's own values and a counterexample point
        (never an expected value) unless the check is hidden from students.
        """
        shown = check.visibility != "hidden" if reveal is None else reveal
        return CheckContext(
            reference=self.reference,
            reveal=shown,
            seed=self.rubric.seed,
            symbolic_seconds=self.rubric.limits.symbolic_seconds,
        )

    @property
    def answer_names(self) -> tuple[str, ...]:
        return tuple(p.answer for p in self.rubric.parts)


def import_reference(name: str, root: Path) -> ModuleType:
    """Import the reference module with ``root`` first on ``sys.path``."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        return importlib.import_module(name)
    except Exception as exc:  # a broken reference is an author error
        raise RubricError(f"reference: cannot import {name!r}: {type(exc).__name__}: {exc}") from None


def _select(value: Any, key: int | str | None, path: str) -> Any:
    if key is None:
        return value
    try:
        return value[key]
    except (KeyError, IndexError, TypeError):
        raise RubricError(f"the reference value has no item {key!r}", path) from None


def resolve_expected(reference: ModuleType, name: str, *, want_callable: bool, path: str) -> Any:
    """The reference value named ``name``: called when it is a function, unless a callable is wanted.

    Values are computed once per reference module (several checks select
    items of one value, and mistakes reuse values): the reference is pure.
    """
    memo: dict[tuple[str, bool], Any] = reference.__dict__.setdefault("__grader_memo__", {})
    if (name, want_callable) not in memo:
        memo[(name, want_callable)] = _resolve(reference, name, want_callable=want_callable, path=path)
    return memo[(name, want_callable)]


def _resolve(reference: ModuleType, name: str, *, want_callable: bool, path: str) -> Any:
    if not hasattr(reference, name):
        raise RubricError(f"the reference has no attribute {name!r}", path)
    target = getattr(reference, name)
    if want_callable:
        if not callable(target):
            raise RubricError(f"{name!r} in the reference is not a function", path)
        return target
    if callable(target):
        try:
            return target()
        except Exception as exc:
            raise RubricError(f"calling the reference's {name}() failed: {type(exc).__name__}: {exc}", path) from None
    return target


def _build_params(
    kind: ModuleType, reference: ModuleType, expected: Any, options: dict[str, Any], defaults: dict[str, Any],
    path: str,
) -> Any:
    """The kind's Params; an option written ``ref:NAME`` takes the reference's value of NAME."""
    fields = {f.name for f in dataclasses.fields(kind.Params)}
    unknown = sorted(set(options) - fields)
    if unknown:
        raise RubricError(
            f"unknown option(s) {', '.join(unknown)}; this kind takes {', '.join(sorted(fields - {'expected'}))}",
            path + ".options",
        )
    merged = {k: v for k, v in defaults.items() if k in fields}
    merged.update(options)
    for key, value in merged.items():
        if isinstance(value, str) and value.startswith(REF_PREFIX):
            name, where = value[len(REF_PREFIX):], f"{path}.options.{key}"
            value = resolve_expected(reference, name, want_callable=False, path=where)
        merged[key] = tuple(value) if isinstance(value, list) else value
    try:
        return kind.Params(expected=expected, **merged)
    except (TypeError, ValueError) as exc:
        raise RubricError(str(exc), path + ".options") from None


def _bind_check(
    rubric: Rubric, reference: ModuleType, part: Part, spec: CheckSpec, path: str, number: str
) -> BoundCheck:
    try:
        kind = kind_module(spec.kind)
    except KeyError as exc:
        raise RubricError(str(exc.args[0]), path + ".kind") from None
    want_callable = getattr(kind, "EXPECTS_CALLABLE", False)
    visibility = spec.visibility or rubric.defaults.visibility
    defaults: dict[str, Any] = {"rtol": rubric.defaults.rtol, "atol": rubric.defaults.atol, "visibility": visibility}
    if part.signature:
        defaults["signature"] = part.signature
    expected = None
    if spec.expected is not None:
        expected = resolve_expected(reference, spec.expected, want_callable=want_callable, path=path + ".expected")
        expected = _select(expected, spec.select, path + ".select")
    params = _build_params(kind, reference, expected, dict(spec.options), defaults, path)
    mistakes = []
    for m, mistake in enumerate(spec.mistakes):
        mpath = f"{path}.mistakes[{m}]"
        value = resolve_expected(reference, mistake.expected, want_callable=want_callable, path=mpath + ".expected")
        value = _select(value, mistake.select if mistake.select is not None else spec.select, mpath + ".select")
        try:
            mparams = dataclasses.replace(params, expected=value)
        except (TypeError, ValueError) as exc:
            raise RubricError(f"the mistaken value does not suit this check kind: {exc}", mpath) from None
        mistakes.append(BoundMistake(mistake.message, mistake.credit, mparams))
    calls: tuple[Case, ...] = ()
    planner: Callable[..., list[Case]] | None = getattr(kind, "plan", None)
    if planner is not None:
        ctx = CheckContext(reference=reference, seed=rubric.seed)
        try:
            calls = tuple(planner(params, ctx=ctx))
        except Exception as exc:
            raise RubricError(f"planning the calls failed: {type(exc).__name__}: {exc}", path) from None
        _check_helpers(rubric, calls, path)
    return BoundCheck(part, spec, number, path, kind, params, visibility, tuple(mistakes), calls)


def _check_helpers(rubric: Rubric, calls: tuple[Case, ...], path: str) -> None:
    """Every helper a call passes comes from the rubric's ``helpers`` module and can be rebuilt there."""
    seen: set[str] = set()
    for case in calls:
        for named in named_helpers((case.args, case.kwargs)):
            if named.name in seen:
                continue
            seen.add(named.name)
            if named.module != rubric.helpers:
                where = f"the rubric's helpers module {rubric.helpers!r}" if rubric.helpers else "no helpers module"
                raise RubricError(f"a call passes the helper {named.name!r}, but the rubric names {where}", path)
            try:
                resolve(named)
            except Exception as exc:  # a broken helper module is an author error
                raise RubricError(f"the helper {named.name!r} cannot be rebuilt: {type(exc).__name__}: "
                                  f"{exc}", path) from None


def bind(rubric: Rubric, *, root: Path) -> Assignment:
    """Resolve every check of ``rubric`` against its reference module under ``root``.

    Each check's options are first validated with its kind's typed model, and
    the rubric's helpers module (if any) loaded, so an author error names its
    YAML path before anything is computed.
    """
    from grader.rubric import check_options

    check_options(rubric)
    if rubric.helpers:
        try:
            helper_module(rubric.helpers)
        except Exception as exc:
            raise RubricError(f"cannot load {rubric.helpers!r}: {type(exc).__name__}: {exc}", "helpers") from None
    reference = import_reference(rubric.reference, root)
    checks = []
    numbers: set[str] = set()
    for i, part in enumerate(rubric.parts):
        for j, spec in enumerate(part.checks):
            path = f"parts[{i}].checks[{j}]"
            number = spec.number or (part.number if len(part.checks) == 1 else f"{part.number}.{j + 1}")
            if number in numbers:
                raise RubricError(f"test number {number!r} is used twice", path + ".number")
            numbers.add(number)
            checks.append(_bind_check(rubric, reference, part, spec, path, number))
    return Assignment(rubric, reference, tuple(checks), root)


def load_assignment(rubric_path: Path, *, root: Path | None = None) -> Assignment:
    """Load a rubric file and bind it (``root`` defaults to the rubric's parent's parent)."""
    from grader.rubric import load_rubric

    rubric_path = Path(rubric_path)
    rubric = load_rubric(rubric_path)
    return bind(rubric, root=root or rubric_path.resolve().parent.parent)


def bind_key(key: Key) -> Assignment:
    """The assignment a compiled answer key holds: the same checks :func:`bind` builds, without the reference.

    The rubric is the key's read-only record of the validated rubric; the
    reference is a :class:`~grader.answer_key.LazyReference` that imports
    only a function a kind calls while judging, when it does.

    Raises:
        grader.answer_key.AnswerKeyError: the key was compiled with other
            versions of numpy, sympy or Python, or holds a value that does
            not read back (the caller then binds the rubric).
    """
    from grader.answer_key import check_versions, decode, restore_params

    check_versions(key)
    rubric = cast("Rubric", key.rubric)
    checks = []
    for stored in key.data["checks"]:
        i, j = (int(n) for n in stored["path"].replace("]", "[").split("[")[1::2])
        part = rubric.parts[i]
        kind = kind_module(stored["kind"])
        mistakes = tuple(
            BoundMistake(m["message"], m["credit"], restore_params(kind, m["params"])) for m in stored["mistakes"]
        )
        checks.append(BoundCheck(
            part, part.checks[j], stored["number"], stored["path"], kind, restore_params(kind, stored["params"]),
            stored["visibility"], mistakes, tuple(decode(c) for c in stored["calls"]),
        ))
    return Assignment(rubric, key.reference(), tuple(checks), key.root)
