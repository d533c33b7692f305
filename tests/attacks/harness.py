"""Grade one hostile submission end to end, the way Gradescope does, and check what must hold.

Each attack under ``submissions/<attack>/`` is a fragment appended to the
full-credit answers (so every part it leaves alone still earns its points);
files beside its ``hw4.py`` are copied with it, and ``target.txt`` tells it
where the results folder and the project are.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from grader.assignment import Assignment, load_assignment
from grader.autograder import run
from grader.paths import ROOT
from grader.report.gradescope import validate

HERE = Path(__file__).resolve().parent
SUBMISSIONS = HERE / "submissions"
HONEST = ROOT / "submissions_example" / "full_credit" / "hw4.py"
MARKER = b"314159"
"""Every process an attack means to leave behind carries this in its command line."""
LIMITS = {"statement_seconds": 2, "call_seconds": 2, "total_seconds": 45, "symbolic_seconds": 2}
RUN_SECONDS = 75
"""Longest a hostile run may take (total time of the sandbox plus judging)."""


def bind_fast_rubric(folder: Path) -> Assignment:
    """The real rubric with short time limits, bound to the real reference."""
    data = yaml.safe_load((ROOT / "rubrics" / "hw4.yaml").read_text(encoding="utf-8"))
    data["limits"] = LIMITS
    path = folder / "hw4-fast.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_assignment(path, root=ROOT)


def _no_constant(name: str) -> Any:
    raise ValueError(f"results.json holds the non-JSON constant {name}")


def read_results(path: Path) -> dict[str, Any]:
    """Parse results.json strictly and validate it; it must be a regular file the grader wrote."""
    info = path.lstat()
    assert path.is_file() and not path.is_symlink(), "results.json is not a regular file"
    assert info.st_uid == os.geteuid(), "results.json was not written by the grader"
    results = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
    validate(results)
    return results


def open_results_dir() -> Path:
    """A results folder anyone could reach and write, as a careless image might have it.

    Only the grader's locking then stands between the child and results.json.
    """
    parent = Path(tempfile.mkdtemp(prefix="attack-results-"))
    os.chmod(parent, 0o755)
    folder = parent / "results"
    folder.mkdir()
    os.chmod(folder, 0o777)
    return folder


def build_submission(attack: str, folder: Path, results_dir: Path) -> Path:
    """The attack's folder: honest answers + the attack as ``hw4.py``, its other files, ``target.txt``."""
    source = SUBMISSIONS / attack
    folder.mkdir(parents=True)
    for item in source.iterdir():
        if item.name != "hw4.py" and item.is_file():
            shutil.copyfile(item, folder / item.name)
    attack_code = (source / "hw4.py").read_text(encoding="utf-8")
    honest = HONEST.read_text(encoding="utf-8")
    (folder / "hw4.py").write_text(f"{honest}\n\n# ---- attack: {attack} ----\n{attack_code}", encoding="utf-8")
    (folder / "target.txt").write_text(json.dumps({"results": str(results_dir), "root": str(ROOT)}))
    return folder


def grade(submission: Path, results_dir: Path, assignment: Assignment) -> tuple[dict[str, Any], float]:
    """Run the real autograder entry (in this process) and return (results, seconds)."""
    start = time.monotonic()
    code = run(submission, results_dir / "results.json", assignment=assignment, table=False)
    seconds = time.monotonic() - start
    assert code == 0, f"the autograder exited with {code}"
    return read_results(results_dir / "results.json"), seconds


def scores(results: dict[str, Any]) -> dict[str, float]:
    return {t["number"]: t["score"] for t in results["tests"]}


def marked_processes() -> list[int]:
    """Processes an attack left running (their command line holds ``MARKER``)."""
    found = []
    for item in os.listdir("/proc"):
        if item.isdigit() and int(item) != os.getpid():
            try:
                if MARKER in Path(f"/proc/{item}/cmdline").read_bytes():
                    found.append(int(item))
            except OSError:
                continue
    return found


def sandbox_uids() -> set[int]:
    return {p.pw_uid for p in pwd.getpwall() if p.pw_name.startswith("grader-sandbox")}


def sandbox_files(folders: tuple[str, ...] = ("/tmp", "/var/tmp", "/dev/shm")) -> list[str]:
    """Files a sandbox account owns at the top of the shared temporary folders."""
    uids = sandbox_uids()
    found = []
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid in uids and not entry.name.startswith("grader-sandbox-"):
                    found.append(entry.path)
            except OSError:
                continue
    return found
