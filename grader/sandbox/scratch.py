"""Scratch folders of a run in the temporary folder, and the removal of those a killed run left.

Each is named ``grader-<kind>-<pid>-<random>`` after the process that made it.
A run ended by SIGKILL (by hand, or by the kernel when memory runs out) never
removes its own, and as root they are root's, so nobody else can either.  The
first scratch folder a process makes first removes this user's folders whose
maker is gone and that are older than :data:`STALE_SECONDS` (a pid reused, or
a maker in another PID namespace, keeps a folder, never loses one).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["STALE_SECONDS", "remove_stale", "remove_tree", "scratch_folder"]

STALE_SECONDS = 600.0
"""Age (since the folder last changed) below which a scratch folder is never removed by another run."""
_NAME = re.compile(r"grader-(?:sandbox|stage)-(\d+)-\w+\Z")
_SWEPT: list[bool] = []


def scratch_folder(kind: str) -> Path:
    """A new private folder ``grader-<kind>-<pid>-...`` in the temporary folder (mode 0700)."""
    if not _SWEPT:
        _SWEPT.append(True)
        with contextlib.suppress(Exception):  # tidying up after others never stops this run
            remove_stale()
    return Path(tempfile.mkdtemp(prefix=f"grader-{kind}-{os.getpid()}-"))


def remove_stale(base: Path | None = None, *, now: float | None = None) -> list[Path]:
    """Remove this user's scratch folders in ``base`` whose run has ended; the folders removed.

    Only where ``/proc`` tells which processes are alive (Linux); elsewhere nothing.
    """
    if not os.path.isdir("/proc/self"):
        return []
    base = Path(base or tempfile.gettempdir())
    now = time.time() if now is None else now
    try:
        names = os.listdir(base)
    except OSError:
        return []
    removed = []
    for name in names:
        match = _NAME.match(name)
        if match is None or os.path.exists(f"/proc/{match.group(1)}"):
            continue
        path = base / name
        try:
            info = os.lstat(path)
        except OSError:
            continue
        old = now - info.st_mtime >= STALE_SECONDS
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and old and remove_tree(path):
            removed.append(path)
    return removed


def remove_tree(path: Path) -> bool:
    """Remove a folder student code wrote into, whatever it left inside; whether it is gone.

    Never raises.  ``shutil.rmtree`` first; what it leaves (a folder at mode
    000 stops anyone but root; a tree deeper than Python's recursion limit
    stops it outright) goes to ``chmod -R u+rwx`` and ``rm -rf``, which walk
    any depth and never follow a link.
    """
    path = Path(path)
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            return False
    except FileNotFoundError:
        return True
    except OSError:
        return False
    with contextlib.suppress(RecursionError):
        shutil.rmtree(path, ignore_errors=True)
    if os.path.lexists(path):
        steps = [["rm", "-rf", "--one-file-system", "--", str(path)]]
        if os.geteuid() != 0:  # root needs no permission; a normal user's own folders are opened to it first
            steps.insert(0, ["chmod", "-R", "u+rwx", "--", str(path)])
        for step in steps:
            tool = shutil.which(step[0], path="/usr/bin:/bin")
            if tool is not None:
                with contextlib.suppress(OSError, subprocess.SubprocessError):
                    subprocess.run([tool, *step[1:]], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, timeout=120, check=False)
    return not os.path.lexists(path)
