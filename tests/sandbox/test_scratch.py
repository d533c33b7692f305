"""Scratch folders a killed run left behind are removed by the next run, and nothing else is."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.sandbox import scratch
from grader.sandbox.scratch import STALE_SECONDS, remove_stale, remove_tree, scratch_folder

pytestmark = pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="which runs are alive is read from /proc")


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _folder(base: Path, name: str, age: float) -> Path:
    path = base / name
    path.mkdir()
    (path / "submission").mkdir()
    (path / "submission" / "hw4.py").write_text("x = 1\n")
    (path / "submission" / "link").symlink_to(base / "keep.txt")  # removed, never followed
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def test_only_old_folders_of_ended_runs_are_removed(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("the user's own file")
    dead, alive = _dead_pid(), os.getpid()
    old = STALE_SECONDS + 60
    stale_sandbox = _folder(tmp_path, f"grader-sandbox-{dead}-abc_12", old)
    stale_stage = _folder(tmp_path, f"grader-stage-{dead}-x9", old)
    kept = [
        _folder(tmp_path, f"grader-sandbox-{alive}-abc", old),  # its run is still going
        _folder(tmp_path, f"grader-sandbox-{dead}-young", 5),  # too recent to judge
        _folder(tmp_path, "grader-sandbox-locks", old),  # not a scratch folder
        _folder(tmp_path, f"grader-report-{dead}-abc", old),  # not ours to judge
    ]
    (tmp_path / f"grader-stage-{dead}-file").write_text("a file, not a folder")
    assert sorted(remove_stale(tmp_path)) == sorted([stale_sandbox, stale_stage])
    assert not stale_sandbox.exists() and not stale_stage.exists()
    assert all(path.exists() for path in kept)
    assert (tmp_path / f"grader-stage-{dead}-file").exists()
    assert (tmp_path / "keep.txt").read_text() == "the user's own file"


@pytest.mark.skipif(os.geteuid() != 0, reason="a folder of another account needs root to make")
def test_another_accounts_folders_are_left_alone(tmp_path: Path) -> None:
    path = _folder(tmp_path, f"grader-stage-{_dead_pid()}-other", STALE_SECONDS + 60)
    os.chown(path, 65534, 65534)
    assert remove_stale(tmp_path) == []
    assert path.exists()


def test_the_first_scratch_folder_of_a_run_sweeps_and_names_its_maker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(scratch, "_SWEPT", [])
    stale = _folder(tmp_path, f"grader-sandbox-{_dead_pid()}-left", STALE_SECONDS + 60)
    path = scratch_folder("stage")
    assert not stale.exists()  # swept by the first folder this process made
    assert path.parent == tmp_path and path.name.startswith(f"grader-stage-{os.getpid()}-")
    assert oct(path.stat().st_mode & 0o777) == "0o700"
    assert remove_stale(tmp_path, now=time.time() + 10 * STALE_SECONDS) == []  # its maker is alive
    again = _folder(tmp_path, f"grader-sandbox-{_dead_pid()}-later", STALE_SECONDS + 60)
    scratch_folder("stage")
    assert again.exists()  # once per process


def _remove_as_a_normal_user(base: Path, name: str) -> bool:
    """``remove_tree(base / name)`` as this user, or as root in a fork that became ``nobody``, who owns ``base``."""
    if os.geteuid() != 0:
        return remove_tree(base / name)
    for path in [base, *base.rglob("*")]:
        os.chown(path, 65534, 65534, follow_symlinks=False)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.chdir(base)  # the folders above are root's, 0700
            os.setgid(65534)
            os.setuid(65534)
            code = 0 if remove_tree(Path(name)) else 1
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def test_a_tree_left_at_mode_000_is_removed_and_links_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir(mode=0o755)
    (outside / "kept.txt").write_text("not the run's")
    base = tmp_path / "base"
    deeper = base / "work" / "keep" / "inner" / "deeper"
    deeper.mkdir(parents=True)
    (deeper / "payload").write_bytes(b"x" * 1024)
    (base / "work" / "keep" / "link").symlink_to(outside)
    for folder in (deeper, deeper.parent, deeper.parent.parent):
        os.chmod(folder, 0)
    assert _remove_as_a_normal_user(base, "work")
    assert not (base / "work").exists()
    assert (outside / "kept.txt").read_text() == "not the run's"
    assert oct(outside.stat().st_mode & 0o777) == "0o755"


def _deep_tree(top: Path, levels: int) -> None:
    """``levels`` nested folders below ``top``, made through descriptors (the path is longer than PATH_MAX)."""
    fd = os.open(top, os.O_RDONLY)
    try:
        for _ in range(levels):
            os.mkdir("deeper-than-python-recurses", dir_fd=fd)
            inner = os.open("deeper-than-python-recurses", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with open(os.open("last", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd), "w") as handle:
            handle.write("the bottom")
    finally:
        os.close(fd)


def test_a_tree_deeper_than_pythons_recursion_limit_is_removed_without_an_error(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    _deep_tree(work, sys.getrecursionlimit() + 500)
    assert remove_tree(work)
    assert not work.exists()


def test_the_sweep_never_stops_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(scratch, "_SWEPT", [])
    monkeypatch.setattr(scratch, "remove_stale", lambda: 1 / 0)
    assert scratch_folder("stage").is_dir()
