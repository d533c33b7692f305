"""The command line: every subcommand of SPEC section 2 and its exit codes."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.__main__ import build_parser, main
from grader.paths import ROOT

EXAMPLES = ROOT / "submissions_example"


def test_help_lists_every_command() -> None:
    text = build_parser().format_help()
    for command in ("grade", "check", "batch", "bundle", "template", "autograder"):
        assert command in text


def test_template_prints_the_example_template(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template"]) == 0
    assert capsys.readouterr().out == (EXAMPLES / "template" / "hw4.py").read_text()


def test_bundle_writes_both_zips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bundle", "-o", str(tmp_path / "autograder.zip")]) == 0
    assert main(["bundle", "--student", "-o", str(tmp_path / "hw4-selfcheck.zip")]) == 0
    out = capsys.readouterr().out
    assert "Gradescope autograder bundle" in out and "student self-check bundle" in out
    with zipfile.ZipFile(tmp_path / "autograder.zip") as zf:
        assert "run_autograder" in zf.namelist()
    with zipfile.ZipFile(tmp_path / "hw4-selfcheck.zip") as zf:
        assert "reference/hw4.py" not in zf.namelist()
        assert "public/hw4.py" in zf.namelist()
        readme = zf.read("README.md").decode()
    assert "- `p2c_params`, checked with your `lstm_run` once it passes its own check" in readme


@pytest.mark.slow
def test_check_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLES / "full_credit"), "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "Summary: 23 ok, 3 staff" in out
    assert "Nothing to fix: every answer is present, parses and passes the public checks." in out


def test_bad_usage_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", str(tmp_path / "nowhere"), "--csv", str(tmp_path / "g.csv")]) == 2
    assert main(["batch", str(tmp_path), "--jobs", "0"]) == 2
    assert main(["check", str(tmp_path / "nowhere.py")]) == 2
    broken = tmp_path / "rubric.yaml"
    broken.write_text("assignment: x\n")
    assert main(["batch", str(tmp_path), "--csv", str(tmp_path / "g.csv"), "--rubric", str(broken)]) == 2
    assert "error:" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_a_path_that_does_not_exist_is_a_usage_error_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.py"
    results = tmp_path / "results"
    assert main(["autograder", str(missing), "--results", str(results)]) == 2
    assert main(["grade", str(missing), "--json", str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2
    assert f"error: {missing} does not exist" in err
    assert not results.exists() and not (tmp_path / "out.json").exists()


@pytest.mark.slow
def test_batch_command_on_a_plain_folder(tmp_path: Path) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "alice.py").write_text((EXAMPLES / "full_credit" / "hw4.py").read_text())
    (folder / "bob.ipynb").write_text((EXAMPLES / "notebook" / "hw4.ipynb").read_text())
    tmp_path.chmod(0o755)
    out = subprocess.run(
        [sys.executable, "-m", "grader", "batch", str(folder), "--csv", str(tmp_path / "grades.csv"), "-j", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr
    assert "2 submission(s): 2 graded, 0 already done" in out.stdout
    assert "100%" in out.stderr  # the progress bar
    with (tmp_path / "grades.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    lost = [(t["number"], t["output"]) for sub in ("alice", "bob")
            for t in json.loads((tmp_path / "grades_results" / sub / "results.json").read_text())["tests"]
            if t["score"] < t["max_score"]]
    assert [(r["id"], r["total"], r["flags"]) for r in rows] == [("alice", "100", ""), ("bob", "100", "")], lost
    assert (tmp_path / "grades_results" / "alice" / "results.json").is_file()


def test_the_grader_command_works_from_any_folder(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("grader")
    assert script.exists(), "the project is installed into its environment (scripts/ensure_env)"
    for cmd in ([str(script), "template"], [sys.executable, "-m", "grader", "template"]):
        out = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert "def relu_network" in out.stdout


@pytest.mark.slow
def test_ensure_env_rebuilds_a_half_built_environment(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /nowhere\n")  # what a failed 'python3 -m venv' leaves
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    out = subprocess.run([str(ROOT / "scripts" / "ensure_env")], env={**env, "GRADER_VENV": str(venv)},
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "is incomplete (no working python or pip); rebuilding it" in out.stderr
    assert out.stdout.strip() == str(venv / "bin" / "python")
    assert subprocess.run([str(venv / "bin" / "grader"), "template"], cwd=tmp_path, capture_output=True,
                          timeout=120).returncode == 0
