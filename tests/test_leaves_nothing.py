"""The session check of ``tests/conftest.py``: a run that leaves a file in /tmp fails, a clean one passes."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")


def _conftest() -> ModuleType:
    spec = importlib.util.spec_from_file_location("session_conftest", CONFTEST)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_only_new_files_of_this_user_or_the_sandbox_accounts_count(monkeypatch: pytest.MonkeyPatch) -> None:
    conftest = _conftest()
    monkeypatch.setattr(conftest, "_sandbox_uids", lambda: {4242})
    me = os.geteuid()
    before = {"/tmp/old": me}
    after = {"/tmp/old": me, "/tmp/new": me, "/dev/shm/by-sandbox": 4242, "/tmp/pytest-of-ta": me,
             "/var/tmp/someone-else": 4343}
    expected = ["/dev/shm/by-sandbox"] if me == 0 else ["/dev/shm/by-sandbox", "/tmp/new"]
    assert conftest.left_behind(before, after) == expected


@pytest.mark.skipif(os.geteuid() == 0, reason="as root only the sandbox accounts' files count (shared machine)")
def test_a_session_that_leaves_a_file_in_tmp_fails(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST.read_text())
    planted = Path("/tmp") / f"left-by-test-{uuid.uuid4().hex}"
    (tmp_path / "test_plant.py").write_text(f"def test_plant():\n    open({str(planted)!r}, 'w').close()\n")
    try:
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                              capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
        assert done.returncode == 1, done.stdout
        assert f"the test run left files in shared temporary folders: {planted}" in done.stdout
    finally:
        planted.unlink(missing_ok=True)
    (tmp_path / "test_plant.py").write_text("def test_clean():\n    pass\n")
    clean = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                           capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout
