"""Session-wide check: the suite leaves nothing new in the shared temporary folders.

Hostile test submissions run in a private folder that their test removes
(namespaces give the child private ``/tmp``, ``/var/tmp`` and ``/dev/shm``; as
root the sandbox account's files are removed after each run).  At the end of
the session, whatever appeared at the top of ``/tmp``, ``/var/tmp`` or
``/dev/shm`` and is still there fails the run, except pytest's own folder.
Run as root on a shared machine, other people's files come and go, so only
files of the sandbox accounts count there.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest

SHARED = ("/tmp", "/var/tmp", "/dev/shm")
_BEFORE = pytest.StashKey[dict[str, int]]()


def _sandbox_uids() -> set[int]:
    return {p.pw_uid for p in pwd.getpwall() if p.pw_name.startswith("grader-sandbox")}


def _shared_entries() -> dict[str, int]:
    """Path -> owner of every entry at the top of the shared temporary folders."""
    found = {}
    for folder in SHARED:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                found[entry.path] = entry.stat(follow_symlinks=False).st_uid
            except OSError:
                continue
    return found


def left_behind(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """What appeared between two snapshots and counts as left behind (see the module docstring)."""
    mine = _sandbox_uids() if os.geteuid() == 0 else {os.geteuid(), *_sandbox_uids()}
    return sorted(
        path for path, uid in after.items()
        if path not in before and uid in mine and not Path(path).name.startswith("pytest-of-")
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_BEFORE] = _shared_entries()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.config.stash.get(_BEFORE, None)
    if before is None:
        return
    left = left_behind(before, _shared_entries())
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "the test run left files in shared temporary folders: " + ", ".join(left)
        if reporter is not None:
            reporter.write_line(f"ERROR: {message}", red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
