"""Build the fairness corpus on disk, grade it through the batch pool, and read the verdicts.

Every variant becomes ``<folder>/<id>/hw4.py`` (the full-credit submission
plus its override) and is graded by :func:`grader.batch.run_batch`: worker
processes that each run the student's code in a fresh sandboxed child and
write the ``results.json`` that ``run_autograder`` would write.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import reference.hw4 as ref
from grader.assignment import Assignment
from grader.batch import run_batch
from grader.paths import DEFAULT_RUBRIC, ROOT
from grader.report.gradescope import validate
from grader.sandbox.calls import resolve_args
from tests.fairness.variants import Variant

__all__ = [
    "SEEN_BEFORE_DUE",
    "grade_corpus",
    "leak_patterns",
    "public_forms",
    "seen_before_due",
    "target_tests",
    "without_own_values",
    "write_corpus",
]

BASE = ROOT / "submissions_example" / "full_credit" / "hw4.py"
#: Visibilities under which a student reads a test's output before the due date.
SEEN_BEFORE_DUE = ("visible",)


def write_corpus(variants: Iterable[Variant], folder: Path) -> None:
    """One submission folder per variant: the full-credit file with the override appended."""
    base = BASE.read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    for variant in variants:
        sub = folder / variant.id
        sub.mkdir()
        sub.chmod(0o755)
        text = f"{base}\n\n# ---- variant {variant.id}: {variant.target} ----\n{variant.code}\n"
        (sub / "hw4.py").write_text(text, encoding="utf-8")


def _strict(name: str) -> Any:
    raise ValueError(f"results.json holds the non-JSON constant {name}")


def grade_corpus(variants: Sequence[Variant], folder: Path, *, jobs: int = 2) -> dict[str, dict[str, Any]]:
    """Grade every variant in parallel; returns each variant's validated results.json."""
    subs = folder / "submissions"
    write_corpus(variants, subs)
    summary = run_batch(subs, folder / "grades.csv", out_dir=folder / "results", jobs=jobs, rubric=DEFAULT_RUBRIC,
                        progress=False)
    assert not summary.crashed, f"grading crashed for {summary.crashed}"
    out: dict[str, dict[str, Any]] = {}
    for variant in variants:
        path = folder / "results" / variant.id / "results.json"
        results = json.loads(path.read_text(encoding="utf-8"), parse_constant=_strict)
        validate(results)
        out[variant.id] = results
    return out


def _answer(test: Mapping[str, Any]) -> str:
    return str((test.get("extra_data") or {}).get("answer", ""))


def target_tests(results: Mapping[str, Any], target: str) -> list[dict[str, Any]]:
    """The tests a target names: by answer name, or by test number (itself or its sub-numbers)."""
    return [
        t for t in results["tests"]
        if _answer(t) == target or t["number"] == target or t["number"].startswith(target + ".")
    ]


def seen_before_due(results: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(where, text)`` for everything a student reads before the due date."""
    seen = [("top-level output", str(results.get("output") or ""))]
    seen += [(f"test {t['number']}", str(t.get("output", ""))) for t in results["tests"]
             if t.get("visibility", "visible") in SEEN_BEFORE_DUE]
    return seen


# ------------------------------------------------------------------ leak scan

#: Where feedback quotes the student's own value: ``item [1] is 0.119203``, ``the result is 3``.
_OWN_VALUE = re.compile(r"(?:item (?:\[[^\]]*\])+|the result) is [-+0-9.einf]+")


def without_own_values(text: str) -> str:
    """``text`` without the student's own values that feedback quotes (they are the student's, not ours)."""
    return _OWN_VALUE.sub("<own value>", text)


def _floats(value: Any) -> Iterable[float]:
    if isinstance(value, bool) or callable(value) or isinstance(value, str):
        return
    if isinstance(value, int | float):
        yield float(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _floats(item)
    elif hasattr(value, "tolist"):
        yield from _floats(value.tolist())
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _floats(item)


def public_forms(assignment: Assignment) -> set[str]:
    """Text forms of every number passed to student code by a check students see before the due date.

    Those arguments are public (SPEC section 1), so an expected value that
    happens to share its first digits with one of them is no leak.
    """
    forms: set[str] = set()
    for check in assignment.checks:
        if check.visibility not in SEEN_BEFORE_DUE:
            continue
        for case in check.calls:
            for value in _floats([resolve_args(case.args), resolve_args(case.kwargs)]):
                for x in (value, abs(value)):  # "-0.5073" holds "0.5073"
                    forms.update((repr(x), f"{x:.6g}", f"{x:.5g}", f"{x:.4g}"))
    return forms


_ZEROS = r"(?:\.0*)?(?![0-9]|\.[0-9]*[1-9])"  # ``-50``, ``-50.0``, not ``-50.5`` or ``-501``


def _number(value: float) -> str:
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return re.escape(text) + _ZEROS


def leak_patterns() -> dict[str, re.Pattern[str]]:
    """Hidden answers that numbers alone do not catch: weights and vertices, as student code would see them.

    * each weight of 2(c) and 2(d) that differs from the handout's, written
      ``W_cx: -50`` (as feedback shows a call), ``'W_cx': -50.0`` (``repr``) or
      ``"W_cx": -50.0`` (JSON);
    * each vertex of the sets of 1(c), written as the start of a call or a
      tuple: ``(4, -1`` or ``(4.0, -1.0``.
    """
    patterns: dict[str, re.Pattern[str]] = {}
    for name, params in (("p2c_params", ref.p2c_params()), ("p2d_params", ref.p2d_params())):
        for key, value in params.items():
            if value != ref.HANDOUT_PARAMS[key]:
                text = rf"\b{key}['\"]?\s*:\s*{_number(value)}"
                patterns[f"{name}[{key}] = {value:g}"] = re.compile(text)
    for name in ("p1c_region_0", "p1c_curve_1", "p1c_curve_3"):
        for a, b in getattr(ref, name)():
            text = rf"\(\s*{_number(a)}\s*,\s*{_number(b)}\s*[,)]"
            patterns[f"{name} vertex ({a:g}, {b:g})"] = re.compile(text)
    return patterns
