"""A second assignment (reference/demo.py, rubrics/demo.yaml) graded by the same engine, deployed for real."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

from grader.autograder import run
from grader.bundle import build_autograder_bundle
from grader.paths import ROOT
from grader.report.gradescope import validate

DEMO_RUBRIC = ROOT / "rubrics" / "demo.yaml"
EXAMPLES = ROOT / "submissions_example"


def _grade(submission: Path, tmp_path: Path) -> dict:
    out = tmp_path / "results.json"
    assert run(submission, out, rubric=DEMO_RUBRIC, table=False) == 0
    results = json.loads(out.read_text(encoding="utf-8"))
    validate(results)
    return results


def _scores(results: dict) -> dict[str, float]:
    return {t["number"]: t["score"] for t in results["tests"]}


def test_demo_full_credit_earns_every_point(tmp_path: Path) -> None:
    results = _grade(EXAMPLES / "demo_full_credit", tmp_path)
    assert results["score"] == 30
    assert [t["extra_data"]["answer"] for t in results["tests"]] == [
        "theta_ls", "residual", "dloss_dz", "dloss_at_point", "gd_step", "loss_shape", "step_too_large", "explain",
    ]


def test_demo_partial_gets_each_known_mistake(tmp_path: Path) -> None:
    results = _grade(EXAMPLES / "demo_partial", tmp_path)
    scores = _scores(results)
    assert scores == {"1": 5, "2": 3, "3": 2, "4": 0, "5": 0, "6": 0, "7": 0, "7.2": 0}
    by_number = {t["number"]: t for t in results["tests"]}
    assert "The sign is flipped" in by_number["3"]["output"]
    assert by_number["7"]["extra_data"]["status"] == "missing"
    assert results["score"] == 10


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="setup.sh creates a user: needs root, as on Gradescope")
def test_demo_zip_deployed_in_gradescope_layout_grades_the_demo(tmp_path: Path) -> None:
    build_autograder_bundle(tmp_path / "demo.zip", rubric=DEMO_RUBRIC)
    root = Path(tempfile.mkdtemp(prefix="grader-demo-layout-"))
    root.chmod(0o755)
    try:
        source = root / "source"
        with zipfile.ZipFile(tmp_path / "demo.zip") as zf:
            zf.extractall(source)
        for name in ("setup.sh", "run_autograder", "scripts/ensure_env"):
            (source / name).chmod(0o755)
        shutil.copy(source / "run_autograder", root / "run_autograder")
        (root / "results").mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON", "GRADER_"))}
        env["GRADER_GRADESCOPE_ROOT"] = str(root)
        setup = subprocess.run(["bash", str(source / "setup.sh")], env=env, capture_output=True, text=True,
                               timeout=900)
        assert setup.returncode == 0, setup.stderr[-3000:]
        for example, score in (("demo_full_credit", 30.0), ("demo_partial", 10.0)):
            shutil.rmtree(root / "submission", ignore_errors=True)
            shutil.copytree(EXAMPLES / example, root / "submission")
            (root / "submission" / "helpers.py").write_text("HELPER = 1\n")  # the entry is found by entry_stem
            done = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                                  timeout=600)
            assert done.returncode == 0, done.stderr[-3000:]
            results = json.loads((root / "results" / "results.json").read_text())
            validate(results)
            assert results["tests"][0]["name"] == "1 least-squares weights"
            assert results["score"] == pytest.approx(score, abs=1e-6), (example, results["tests"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
