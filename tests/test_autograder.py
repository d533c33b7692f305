"""The grading entry points always leave a valid results.json, whatever breaks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader import autograder, grade
from grader.paths import DEFAULT_RUBRIC, ROOT
from grader.report.gradescope import validate

EXAMPLES = ROOT / "submissions_example"


def read_results(path: Path) -> dict:
    def reject(name: str) -> None:
        raise ValueError(f"non-JSON constant {name}")

    results = json.loads(path.read_text(encoding="utf-8"), parse_constant=reject)
    validate(results)
    return results


def visible_text(results: dict) -> str:
    return results.get("output", "") + "".join(
        t["output"] for t in results["tests"] if t["visibility"] != "hidden"
    )


def broken_rubric(tmp_path: Path) -> Path:
    data = yaml.safe_load(DEFAULT_RUBRIC.read_text(encoding="utf-8"))
    data["parts"][3]["checks"][0]["points"] = -1
    path = tmp_path / "rubrics" / "hw4.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    (tmp_path / "reference").symlink_to(ROOT / "reference")
    return path


def test_a_broken_rubric_writes_a_valid_file_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out" / "results.json"
    code = autograder.run(EXAMPLES / "full_credit", out, rubric=broken_rubric(tmp_path))
    assert code == 2
    results = read_results(out)
    assert results["score"] == 0
    staff = [t["output"] for t in results["tests"] if t["visibility"] == "hidden"]
    assert "parts[3].checks[0].points" in staff[0]
    assert "parts[3]" not in visible_text(results)  # students see plain words only
    assert "parts[3].checks[0].points" in capsys.readouterr().err  # the person running it sees the path


def test_a_crash_of_the_grader_itself_is_reported_without_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("an internal bug")

    monkeypatch.setattr(autograder, "grade_fresh", explode)
    out = tmp_path / "results.json"
    assert autograder.run(EXAMPLES / "full_credit", out, table=False) == 1
    results = read_results(out)
    assert results["tests"][0]["name"] == "Autograder error"
    assert "not your fault" in results["tests"][0]["output"].lower() or "contact" in results["output"].lower()
    assert "ZeroDivisionError" not in visible_text(results)
    assert any("ZeroDivisionError: an internal bug" in t["output"] for t in results["tests"])


def test_a_check_that_raises_costs_only_its_own_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.checks import expression

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in a check kind")

    monkeypatch.setattr(expression, "check", explode)
    out = tmp_path / "results.json"
    assert autograder.run(EXAMPLES / "full_credit", out, table=False) == 0
    results = read_results(out)
    broken = {t["number"] for t in results["tests"] if t["extra_data"]["status"] == "error"}
    assert broken == {"3.b", "3.c.1", "3.c.2", "3.d.3"}
    assert results["score"] == 100 - 4 - 4 - 4 - 2
    assert grade.JUDGE_FAILED in visible_text(results)
    assert "a bug in a check kind" not in visible_text(results)
    assert "RuntimeError: a bug in a check kind" in json.dumps(results["extra_data"])


def test_a_missing_submission_scores_zero_with_a_plain_message(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    assert autograder.run(tmp_path / "nowhere", out, table=False) == 0
    results = read_results(out)
    assert results["score"] == 0
    assert "could not be read" in results["output"]


def test_run_autograder_grades_a_path_and_prints_a_table(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    proc = subprocess.run(
        [str(ROOT / "run_autograder"), str(EXAMPLES / "partial"), "--results", str(tmp_path), "--no-color"],
        capture_output=True, text=True, timeout=300, env=env, cwd=ROOT, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Total: 25.54/100" in proc.stdout
    assert read_results(tmp_path / "results.json")["score"] == 25.54


def test_python_m_grader_grade_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, "-m", "grader", "grade", str(EXAMPLES / "broken"), "--json", str(out), "--no-color"],
        capture_output=True, text=True, timeout=300, cwd=ROOT, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "line 5: SyntaxError" in proc.stdout
    assert read_results(out)["score"] == 0


def test_grading_gradescopes_submission_keeps_the_rest_of_gradescopes_root_from_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gs = tmp_path / "autograder"
    for folder in ("submission", "results", "source/private"):
        (gs / folder).mkdir(parents=True)
    (gs / "submission" / "hw4.py").write_text("p1a_output = (1, 2)\n")
    (gs / "submission_metadata.json").write_text("{}")
    seen: list[tuple[Path, ...]] = []

    def record(submission: Path, **kwargs: object) -> autograder.Outcome:
        seen.append(tuple(kwargs["secret_paths"]))  # type: ignore[arg-type]
        raise SystemExit(0)

    monkeypatch.setattr(autograder, "grade_to_results", record)
    monkeypatch.setenv("GRADER_GRADESCOPE_ROOT", str(gs))
    with pytest.raises(SystemExit):
        autograder.run(gs / "submission", gs / "results" / "results.json", table=False)
    assert seen == [(gs / "results", gs / "source", gs / "submission", gs / "submission_metadata.json")]
    seen.clear()
    with pytest.raises(SystemExit):
        autograder.run(EXAMPLES / "partial", tmp_path / "out" / "results.json", table=False)
    assert seen == [(tmp_path / "out",)]
