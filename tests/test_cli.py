"""The command line: every subcommand of SPEC section 2 and its exit codes."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
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
    (tmp_path / "alice.py").write_text("x = 1\n")
    assert main(["batch", str(tmp_path), "--csv", str(tmp_path / "g.csv"), "--rubric", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "rubric" in err and "nothing to grade" not in err
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


# ---------------------------------------------------------------- batch as a TA runs it


def test_batch_of_a_folder_with_nothing_to_grade_says_what_to_give_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "submissions.zip").write_bytes(b"PK")
    csv_path = tmp_path / "grades.csv"
    assert main(["batch", str(folder), "--csv", str(csv_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {folder} holds nothing to grade (submissions.zip: unzip it first); give a ")
    assert "submission_metadata.yml" in err and err.count("\n") == 1
    assert not csv_path.exists() and not (tmp_path / "grades_results").exists()


@pytest.mark.slow
def test_batch_of_the_exports_parent_folder_grades_the_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = tmp_path / "download"
    export = parent / "assignment_123_export"
    (export / "submission_2").mkdir(parents=True)
    (export / "submission_2" / "hw4.py").write_text("p1a_output = (3, 4)\n")
    shutil.copytree(EXAMPLES / "full_credit", export / "submission_1")
    (export / "submission_metadata.yml").write_text(
        "submission_1:\n  :submitters:\n  - :name: Ada\nsubmission_2:\n  :submitters:\n  - :name: Alan\n"
    )
    tmp_path.chmod(0o755)
    csv_path = parent / "grades.csv"
    assert main(["batch", str(parent), "--csv", str(csv_path), "-q", "-j", "2"]) == 0
    captured = capsys.readouterr()
    note = f"{parent} holds the Gradescope export assignment_123_export/: grading the submissions in it"
    assert captured.err == note + "\n"
    assert "2 submission(s): 2 graded" in captured.out
    with csv_path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["id"], r["name"], r["total"], r["max"]) for r in rows] == [
        ("1", "Ada", "100", "100"), ("2", "Alan", "0", "100")
    ]
    assert main(["batch", str(parent), "--csv", str(csv_path), "-q"]) == 0  # its own results folder is no export
    assert "2 submission(s): 0 graded, 2 already done" in capsys.readouterr().out


def _process_tree(root: int) -> set[tuple[int, str]]:
    """``root`` and its descendants, each as (pid, start time) so that a reused pid is not mistaken for it."""
    parents: dict[int, int] = {}
    starts: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)], starts[int(entry.name)] = int(fields[1]), fields[19]
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in starts:
            tree.add((pid, starts[pid]))
        todo += [child for child, parent in parents.items() if parent == pid]
    return tree


def _running(pid: int, start: str) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z" and fields[19] == start


def _terminal_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as in a terminal, whatever the test runner's parent ignores


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_ctrl_c_stops_the_batch_keeps_the_finished_rows_and_the_same_command_resumes(tmp_path: Path) -> None:
    folder = tmp_path / "subs"
    for i in range(1, 5):
        (folder / f"slow{i}").mkdir(parents=True)
        (folder / f"slow{i}" / "hw4.py").write_text("import time\ntime.sleep(3)\np1a_output = (1, 2)\n")
    tmp_path.chmod(0o755)
    csv_path, results = tmp_path / "grades.csv", tmp_path / "grades_results"
    cmd = [sys.executable, "-m", "grader", "batch", str(folder), "--csv", str(csv_path), "-j", "2"]
    with (tmp_path / "out").open("w") as out, (tmp_path / "err").open("w") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, start_new_session=True,
                                preexec_fn=_terminal_sigint)
    try:
        deadline = time.monotonic() + 120
        while not list(results.glob("*/results.json")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        tree = _process_tree(proc.pid)
        assert proc.poll() is None and len(tree) >= 3, (tmp_path / "err").read_text()  # the batch, 2 workers...
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole foreground group
        assert proc.wait(timeout=60) == 130
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    stderr = (tmp_path / "err").read_text()
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    finished = sorted(p.parent.name for p in results.glob("*/results.json"))
    assert 1 <= len(finished) < 4, finished
    told = [line for line in stderr.splitlines() if line.startswith("interrupted:")]
    assert told == [
        f"interrupted: {len(finished)} of 4 submission(s) finished, their rows written to {csv_path}; "
        "to resume, run the same command again (finished submissions are skipped)."
    ]
    with csv_path.open(newline="") as handle:
        assert [row["id"] for row in csv.DictReader(handle)] == finished
    deadline = time.monotonic() + 5
    while any(_running(*p) for p in tree) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in tree if _running(*p)], "a worker, fork server or sandbox child outlived the batch"

    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"4 submission(s): {4 - len(finished)} graded, {len(finished)} already done" in again.stdout
    with csv_path.open(newline="") as handle:
        assert [row["id"] for row in csv.DictReader(handle)] == ["slow1", "slow2", "slow3", "slow4"]
