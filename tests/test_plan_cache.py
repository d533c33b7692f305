"""The cached call plan: a warm cache lets the sandbox start early; a stale one costs only time."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import answer_key, grade, plan_cache
from grader.assignment import load_assignment
from grader.paths import DEFAULT_RUBRIC, ROOT
from grader.sandbox.calls import Case

FULL = ROOT / "submissions_example" / "full_credit"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / ".cache" / "calls-test.json"
    monkeypatch.setattr(plan_cache, "cache_file", lambda *args: path)
    monkeypatch.setattr(answer_key, "load", lambda *args, **kwargs: None)  # the cache serves runs without a key
    return path


def test_calls_survive_the_round_trip_through_the_cache(cache: Path) -> None:
    calls, _ = plan_cache.plan_calls(load_assignment(DEFAULT_RUBRIC).checks)
    plan_cache.save(cache, calls)
    loaded = plan_cache.load(cache)
    assert loaded is not None and len(loaded) == len(calls)
    assert plan_cache.encode_calls(loaded) == plan_cache.encode_calls(calls)


def test_the_digest_changes_with_the_rubric(tmp_path: Path) -> None:
    rubric = tmp_path / "rubrics" / "r.yaml"
    rubric.parent.mkdir()
    rubric.write_text("a: 1\n", encoding="utf-8")
    first = plan_cache.cache_file(rubric, "reference.hw4", ROOT)
    rubric.write_text("a: 2\n", encoding="utf-8")
    assert plan_cache.cache_file(rubric, "reference.hw4", ROOT) != first
    assert first.parent == rubric.parent / ".cache"


@pytest.mark.parametrize("state", ["cold", "warm", "stale", "corrupt"])
def test_grading_is_right_whatever_the_cache_holds(state: str, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls, _ = plan_cache.plan_calls(load_assignment(DEFAULT_RUBRIC).checks)
    if state == "warm":
        plan_cache.save(cache, calls)
    elif state == "stale":
        plan_cache.save(cache, [*calls[:-1], ("lstm_run", Case(([1, 1], {}), {}, "not a planned call"))])
    elif state == "corrupt":
        cache.parent.mkdir(parents=True)
        cache.write_text("{not json", encoding="utf-8")
    runs: list[int] = []
    real = grade.run_submission
    monkeypatch.setattr(grade, "run_submission", lambda *a, **k: runs.append(1) or real(*a, **k))
    report = grade.grade_fresh(FULL, DEFAULT_RUBRIC)
    assert report.score == 100
    assert len(runs) == {"cold": 1, "warm": 1, "stale": 2, "corrupt": 1}[state]
    assert plan_cache.encode_calls(plan_cache.load(cache) or []) == plan_cache.encode_calls(calls)
