"""Inputs that attack the trusted side as root: sizes, Gradescope's other files, IPC, a custom account.

Each case runs with fresh and forked children, and checks the exact outcome.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import time
from pathlib import Path

import pytest

from grader.autograder import run
from grader.sandbox.cleanup import remove_user_ipc, user_ipc
from grader.sandbox.isolation import ensure_sandbox_user, lock_secret_paths, register_sandbox_user
from grader.sandbox.limits import Limits
from tests.attacks.test_attacks import (
    HONEST,
    ROOT_USER,
    assignment,
    build_submission,
    grade,
    launcher,
    open_results_dir,
    read_results,
    sandbox_uids,
)

__all__ = ["assignment", "launcher"]  # fixtures used here

pytestmark = [pytest.mark.attack, pytest.mark.slow]
needs_root = pytest.mark.skipif(not ROOT_USER, reason="the sandbox account exists only when grading as root")
LEAK = """
import glob as _glob
for _pattern in {patterns!r}:
    for _name in sorted(_glob.glob(_pattern)):
        try:
            with open(_name, errors="replace") as _handle:
                _text = _handle.read(300)
        except OSError as _exc:
            print("not readable:", _name, type(_exc).__name__)
        else:
            raise ValueError("LEAKED " + _name + " " + _text)
"""


def _honest(folder: Path, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hw4.py").write_text(HONEST.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return folder


def _graded(folder: Path, assignment) -> tuple[dict, float]:
    results_dir = open_results_dir()
    try:
        return grade(folder, results_dir, assignment)
    finally:
        shutil.rmtree(results_dir.parent, ignore_errors=True)


# ---------------------------------------------------------------- size caps


def test_a_sparse_1_5_gb_entry_is_refused_at_once(assignment, tmp_path, launcher):
    folder = tmp_path / "submission"
    folder.mkdir()
    with (folder / "hw4.py").open("wb") as handle:
        handle.truncate(1_500_000_000)
    results, seconds = _graded(folder, assignment)
    assert seconds < 10
    assert results["score"] == 0
    assert results["output"] == "The submission could not be read: hw4.py is 1.5 GB; the limit is 2 MiB"


def test_an_80_mb_notebook_of_newlines_is_refused_before_it_is_parsed(assignment, tmp_path, launcher):
    folder = tmp_path / "submission"
    folder.mkdir()
    with (folder / "hw4.ipynb").open("w") as handle:
        handle.write('{"cells": [{"cell_type": "code", "source": "')
        handle.write("\\n" * 40_000_000)
        handle.write('"}]}')
    results, seconds = _graded(folder, assignment)
    assert seconds < 10
    assert results["output"] == "The submission could not be read: hw4.ipynb is 80 MB; the limit is 20 MiB"


def test_huge_and_countless_helper_files_are_left_out_and_the_entry_is_graded(assignment, tmp_path, launcher):
    folder = _honest(tmp_path / "submission", "\nimport os\nCOPIED = len(os.listdir('data'))\n")
    with (folder / "big.npy").open("wb") as handle:
        handle.truncate(1_500_000_000)
    (folder / "data").mkdir()
    for i in range(600):
        (folder / "data" / f"f{i:03d}.bin").write_bytes(b"")
    results, seconds = _graded(folder, assignment)
    assert results["score"] == 100
    notice = next(n for n in results["output"].split("\n\n") if "were not copied" in n)
    assert notice.startswith("102 file(s) beside the submission were not copied (size or count limit: ")
    assert notice.endswith("and 500 files in all): big.npy, data/f499.bin, data/f500.bin, data/f501.bin, "
                           "data/f502.bin, data/f503.bin, data/f504.bin, data/f505.bin, ...")


# ---------------------------------------------------------------- Gradescope's other files


@needs_root
def test_earlier_results_and_the_source_under_gradescope_root_are_locked(assignment, tmp_path, monkeypatch, launcher):
    gs = tmp_path / "autograder"
    for folder in ("source/private", "results"):
        (gs / folder).mkdir(parents=True)
    os.chmod(tmp_path, 0o755)
    for folder in (gs, gs / "source", gs / "source" / "private", gs / "results"):
        os.chmod(folder, 0o755)
    (gs / "submission_metadata.json").write_text(json.dumps({"previous_submissions": [
        {"results": {"tests": [{"name": "hidden 2(c)", "output": "HIDDEN-ANSWER-1618"}]}}]}))
    (gs / "source" / "private" / "notes.txt").write_text("HIDDEN-ANSWER-1618")
    for path in (gs / "submission_metadata.json", gs / "source" / "private" / "notes.txt"):
        os.chmod(path, 0o644)
    _honest(gs / "submission", LEAK.format(patterns=[f"{gs}/*.json", f"{gs}/source/*/*", f"{gs}/results/*"]))
    monkeypatch.setenv("GRADER_GRADESCOPE_ROOT", str(gs))
    code = run(gs / "submission", gs / "results" / "results.json", assignment=assignment, table=False)
    assert code == 0
    results = read_results(gs / "results" / "results.json")
    assert results["score"] == 100
    assert "LEAKED" not in json.dumps(results) and "1618" not in json.dumps(results)
    assert stat.S_IMODE((gs / "submission_metadata.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((gs / "source").stat().st_mode) == 0o700


# ---------------------------------------------------------------- System V IPC


@needs_root
def test_ipc_objects_of_the_sandbox_account_do_not_outlive_the_run(assignment, tmp_path, launcher):
    results_dir = open_results_dir()
    try:
        submission = build_submission("sysv_ipc", tmp_path / "submission", results_dir)
        results, _ = grade(submission, results_dir, assignment)
    finally:
        shutil.rmtree(results_dir.parent, ignore_errors=True)
    assert results["score"] == 100
    assert [obj for uid in sandbox_uids() for obj in user_ipc(uid)] == []


@needs_root
def test_remove_user_ipc_removes_what_the_account_made_or_gave_away(tmp_path):
    uid, gid = ensure_sandbox_user("grader-sandbox")
    code = (
        "import ctypes\n"
        "libc = ctypes.CDLL(None)\n"
        "for k in range(3): libc.shmget(0x2718280 + k, 1 << 20, 0o1600)\n"
        "libc.semget(0x2718290, 2, 0o1600); libc.msgget(0x27182a0, 0o1600)\n"
    )
    import subprocess
    import sys

    subprocess.run([sys.executable, "-I", "-c", code], user=uid, group=gid, extra_groups=[], check=True,
                   cwd="/", timeout=60)
    made = user_ipc(uid)
    assert sorted(kind for kind, _ in made) == ["msg", "sem", "shm", "shm", "shm"]
    assert remove_user_ipc(uid) == 5
    assert user_ipc(uid) == []
    with pytest.raises(ValueError):
        remove_user_ipc(os.getuid())


# ---------------------------------------------------------------- a sandbox account with another name


@needs_root
def test_a_custom_sandbox_account_loses_its_secret_files_too(assignment, tmp_path, launcher):
    name = "hw4-custom-sbx"
    uid, gid = ensure_sandbox_user(name)
    secret = Path("/tmp") / f"grader-custom-secret-{os.getpid()}"
    secret.mkdir(mode=0o755, exist_ok=True)
    (secret / "answers.txt").write_text("CUSTOM-SECRET-577")
    for path in (secret, secret / "answers.txt"):
        os.chown(path, uid, gid)
    os.chmod(secret / "answers.txt", 0o600)
    folder = _honest(tmp_path / "submission", LEAK.format(patterns=[f"{secret}/*"]))
    results_dir = open_results_dir()
    try:
        register_sandbox_user(name)
        assert lock_secret_paths([secret]) == []
        assert secret.stat().st_uid == 0 and stat.S_IMODE(secret.stat().st_mode) == 0o700
        os.chown(secret, uid, gid)  # as it was; the run locks it again
        os.chmod(secret, 0o755)
        started = time.monotonic()
        from grader.autograder import grade_to_results

        outcome = grade_to_results(folder, assignment=assignment, limits=Limits(user=name),
                                   secret_paths=(secret,))
        assert time.monotonic() - started < 75
        assert outcome.results["score"] == 100
        assert "CUSTOM-SECRET" not in json.dumps(outcome.results)
        assert secret.stat().st_uid == 0 and pwd.getpwuid(uid).pw_name == name
    finally:
        shutil.rmtree(secret, ignore_errors=True)
        shutil.rmtree(results_dir.parent, ignore_errors=True)
