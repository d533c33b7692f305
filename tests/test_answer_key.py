"""The answer key: compiled once, trusted only while it matches its sources, and grading exactly as binding does."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from grader import answer_key, grade
from grader.assignment import Assignment, bind_key, load_assignment
from grader.bundle import autograder_members, build_autograder_bundle
from grader.paths import DEFAULT_RUBRIC, ROOT
from grader.report.gradescope import results_json
from grader.rubric import CheckSpec, Defaults, LimitsSpec, Mistake, Part, Rubric

EXAMPLES = ROOT / "submissions_example"
DEMO_RUBRIC = ROOT / "rubrics" / "demo.yaml"
CASES = [(DEFAULT_RUBRIC, p.name) for p in sorted(EXAMPLES.iterdir()) if not p.name.startswith("demo_")] + [
    (DEMO_RUBRIC, p.name) for p in sorted(EXAMPLES.iterdir()) if p.name.startswith("demo_")
]


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keys go to a private folder, so the project's own key is neither read nor replaced."""
    folder = tmp_path / "keys"
    monkeypatch.setattr(answer_key, "key_file", lambda rubric: folder / f"{Path(rubric).stem}.json")
    return folder


@pytest.fixture(scope="module")
def bound() -> Assignment:
    return load_assignment(DEFAULT_RUBRIC)


def _comparable(results: dict[str, Any]) -> dict[str, Any]:
    """results.json without the timings."""
    results = json.loads(json.dumps(results))
    results.pop("execution_time", None)
    for test in results["tests"]:
        test["extra_data"].pop("seconds", None)
    return results


@pytest.mark.parametrize(("rubric", "example"), CASES, ids=[f"{r.stem}-{e}" for r, e in CASES])
def test_every_example_grades_the_same_from_the_key_and_from_the_rubric(rubric: Path, example: str,
                                                                        keys: Path) -> None:
    answer_key.save(answer_key.key_file(rubric), answer_key.compile_key(load_assignment(rubric), rubric))
    assert answer_key.load(rubric) is not None
    keyed = _comparable(results_json(grade.grade_fresh(EXAMPLES / example, rubric)))
    bound = _comparable(results_json(grade.grade_fresh(EXAMPLES / example, rubric, use_key=False)))
    assert [t["number"] for t in keyed["tests"]] == [t["number"] for t in bound["tests"]]
    for mine, theirs in zip(keyed["tests"], bound["tests"], strict=True):
        assert mine == theirs, mine["number"]
    assert keyed == bound


def test_a_run_from_the_key_imports_no_reference_pydantic_or_yaml(tmp_path: Path) -> None:
    """Only the module of the simulator is imported, and only when a params answer is judged."""
    script = (
        "import json, sys\nfrom pathlib import Path\nfrom grader import answer_key, grade\n"
        "from grader.paths import DEFAULT_RUBRIC\n"
        "assert answer_key.load(DEFAULT_RUBRIC) is not None\n"
        "out = {}\n"
        "for name in sys.argv[1:]:\n"
        "    report = grade.grade_fresh(Path('submissions_example') / name, DEFAULT_RUBRIC)\n"
        "    out[name] = [report.score, sorted(m for m in sys.modules if m.split('.')[0] in "
        "('reference', 'pydantic', 'yaml', 'grader') and m in ('reference', 'reference.hw4', 'reference.hw4_p1', "
        "'reference.hw4_p2', 'reference.hw4_p3', 'pydantic', 'yaml', 'grader.rubric'))]\n"
        "print(json.dumps(out))\n"
    )
    answer_key.compile_file(DEFAULT_RUBRIC)
    proc = subprocess.run([sys.executable, "-c", script, "template", "full_credit"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["template"] == [0, []]
    assert seen["full_credit"] == [100, ["reference", "reference.hw4_p2"]]


@pytest.mark.parametrize("damage", ["missing", "corrupt", "tampered", "stale", "versions"])
def test_a_missing_damaged_or_stale_key_is_recompiled_never_trusted(damage: str, keys: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = answer_key.key_file(DEFAULT_RUBRIC)
    fresh = answer_key.compile_key(load_assignment(DEFAULT_RUBRIC), DEFAULT_RUBRIC)
    answer_key.save(path, fresh)
    text = path.read_text(encoding="utf-8")
    if damage == "missing":
        path.unlink()
    elif damage == "corrupt":
        path.write_text(text[: len(text) // 2], encoding="utf-8")
    elif damage == "tampered":  # a wrong value with the hashes of its sources intact
        path.write_text(text.replace('"credit":0.6', '"credit":0.9', 1), encoding="utf-8")
    elif damage == "stale":  # compiled from another rubric
        fresh["made_from"]["sources"]["rubric"] = "0" * 64
        answer_key.save(path, fresh)
    else:  # compiled with another sympy: seen when the checks are built
        fresh["made_from"]["versions"]["sympy"] = "0.0"
        answer_key.save(path, fresh)
    if damage != "versions":
        assert answer_key.load(DEFAULT_RUBRIC) is None
    keyed = []
    real = grade._grade_keyed
    monkeypatch.setattr(grade, "_grade_keyed", lambda *a, **k: keyed.append(1) or real(*a, **k))
    report = grade.grade_fresh(EXAMPLES / "full_credit", DEFAULT_RUBRIC)
    assert report.score == 100
    assert keyed == ([1] if damage == "versions" else [])
    assert answer_key.load(DEFAULT_RUBRIC) is not None
    assert json.loads(path.read_text(encoding="utf-8").partition("\n")[2])["made_from"] == \
        answer_key.compile_key(load_assignment(DEFAULT_RUBRIC), DEFAULT_RUBRIC)["made_from"]


def _fields(params: Any) -> dict[str, Any]:
    return {f.name: getattr(params, f.name) for f in dataclasses.fields(params)}


def test_the_key_holds_every_expected_value_mistake_and_call(keys: Path, bound: Assignment) -> None:
    answer_key.save(answer_key.key_file(DEFAULT_RUBRIC), answer_key.compile_key(bound, DEFAULT_RUBRIC))
    text = answer_key.key_file(DEFAULT_RUBRIC).read_text(encoding="utf-8")
    json.loads(text.partition("\n")[2])  # plain JSON
    keyed = bind_key(answer_key.load(DEFAULT_RUBRIC))  # type: ignore[arg-type]
    assert [c.number for c in keyed.checks] == [c.number for c in bound.checks]
    for mine, theirs in zip(keyed.checks, bound.checks, strict=True):
        assert (mine.part.answer, mine.spec.name, mine.visibility) == (theirs.part.answer, theirs.spec.name,
                                                                       theirs.visibility)
        assert answer_key.same(mine.calls, theirs.calls), mine.number
        assert len(mine.mistakes) == len(theirs.mistakes)
        for ours, reference in [(mine.params, theirs.params),
                                *((m.params, t.params) for m, t in zip(mine.mistakes, theirs.mistakes, strict=True))]:
            if callable(reference.expected):  # a function: the key holds what it gives
                assert not callable(getattr(ours.expected, "__code__", None))
                continue
            assert answer_key.same(_fields(ours), _fields(reference)), mine.number


def test_function_checks_hold_the_reference_outputs(keys: Path, bound: Assignment) -> None:
    keyed = bind_key(answer_key.Key(answer_key.compile_key(bound, DEFAULT_RUBRIC),
                                    answer_key.load_record(answer_key.compile_key(bound, DEFAULT_RUBRIC)), ROOT))
    for mine, theirs in zip(keyed.checks, bound.checks, strict=True):
        if theirs.spec.kind != "function":
            continue
        for group in theirs.params.groups:
            cases = mine.params.expected.cases[group.cases]
            want = tuple(theirs.params.expected(*_resolved(c.args), **_resolved(c.kwargs)) for c in cases)
            assert answer_key.same(tuple(mine.params.expected.outputs[group.cases]), want)


def _resolved(value: Any) -> Any:
    from grader.sandbox.calls import resolve_args

    return resolve_args(value)


def test_the_compiled_rubric_has_every_field_and_property_of_the_validated_one(bound: Assignment) -> None:
    record = answer_key.load_record(answer_key.compile_key(bound, DEFAULT_RUBRIC))
    samples = [(Rubric, record, bound.rubric), (Defaults, record.defaults, bound.rubric.defaults),
               (LimitsSpec, record.limits, bound.rubric.limits), (Part, record.parts[0], bound.rubric.parts[0]),
               (CheckSpec, record.parts[0].checks[0], bound.rubric.parts[0].checks[0]),
               (Mistake, record.parts[0].checks[0].mistakes[0], bound.rubric.parts[0].checks[0].mistakes[0])]
    for model, mine, theirs in samples:
        names = [*model.model_fields, *(n for n, v in vars(model).items() if isinstance(v, property))]
        for name in names:
            value = getattr(theirs, name)
            if isinstance(value, BaseModel) or (isinstance(value, tuple) and value and isinstance(value[0], BaseModel)):
                assert isinstance(getattr(mine, name), (answer_key.Record, tuple))  # compared as samples above
                continue
            assert getattr(mine, name) == value, (model.__name__, name)
    with pytest.raises(AttributeError):
        record.seed = 1


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "sympify('1')", "Symbol('x').subs",
                                  "(lambda: 1)()", "Symbol(*['x'])"])
def test_sympy_text_is_rebuilt_from_sympy_classes_only(text: str) -> None:
    with pytest.raises(answer_key.AnswerKeyError):
        answer_key.parse_srepr(text)


def test_sympy_text_round_trips_exactly() -> None:
    import sympy

    x = sympy.Symbol("x", real=True)
    for value in [sympy.Piecewise((x * sympy.exp(-x), x > 0)), sympy.Float("0.1", 30) * x, sympy.Rational(-3, 7),
                  sympy.Heaviside(x) * sympy.Max(0, x), (x > 1) & (x < 2), sympy.true, sympy.pi * sympy.E]:
        back = answer_key.parse_srepr(sympy.srepr(value))
        assert back == value and sympy.srepr(back) == sympy.srepr(value)


def test_the_autograder_zip_carries_no_key_or_cache(tmp_path: Path) -> None:
    answer_key.compile_file(DEFAULT_RUBRIC)  # what a local run leaves behind
    cache = DEFAULT_RUBRIC.parent / ".cache"
    cache.mkdir(mode=0o700, exist_ok=True)
    (cache / "calls-leftover.json").write_text("[]", encoding="utf-8")
    try:
        members = autograder_members(ROOT)
        assert "rubrics/hw4.yaml" in members
        assert not [m for m in members if "/.key/" in m or "/.cache/" in m]
        with zipfile.ZipFile(build_autograder_bundle(tmp_path / "a.zip") and tmp_path / "a.zip") as zf:
            names = zf.namelist()
        assert "grader/answer_key.py" in names
        assert not [n for n in names if ".key" in n.split("/") or ".cache" in n.split("/")]
    finally:
        (cache / "calls-leftover.json").unlink()
