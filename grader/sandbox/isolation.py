"""Process isolation for the sandbox child: user, private folder, clean-up.

Trusted side only.  When the grader runs as root the child runs as a dedicated
unprivileged account with no supplementary groups, in a private temporary
folder holding a copy of the submission; after each child every process of
that account is killed.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Identity",
    "ensure_sandbox_user",
    "identity_for",
    "kill_user_processes",
    "lock_secret_paths",
    "make_workdir",
]

_SKIP_DIRS = {"__pycache__", "__MACOSX", ".git", ".ipynb_checkpoints"}
MAX_FILES = 500
MAX_DEPTH = 3


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the child runs as; ``uid is None`` means the grader's own account."""

    uid: int | None
    gid: int | None
    name: str

    @property
    def isolated(self) -> bool:
        return self.uid is not None


def is_root() -> bool:
    """Whether the grader runs with root privileges."""
    return os.geteuid() == 0


def ensure_sandbox_user(name: str = "grader-sandbox") -> tuple[int, int]:
    """Create the unprivileged sandbox account if missing; return its (uid, gid)."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/usr/sbin/nologin", name],
            check=True, capture_output=True, timeout=30,
        )
        entry = pwd.getpwnam(name)
    if entry.pw_uid == 0:
        raise RuntimeError(f"the sandbox user {name!r} has uid 0")
    return entry.pw_uid, entry.pw_gid


def identity_for(user: str) -> Identity:
    """The sandbox account when root, else the current account."""
    if is_root():
        uid, gid = ensure_sandbox_user(user)
        return Identity(uid, gid, user)
    try:
        name = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        name = str(os.getuid())
    return Identity(None, None, name)


def lock_secret_paths(paths: list[Path] | tuple[Path, ...]) -> None:
    """Make each existing path root-owned and private (0700 folders, 0600 files); root only."""
    if not is_root():
        return
    for path in paths:
        path = Path(path)
        if path.exists():
            os.chown(path, 0, 0, follow_symlinks=False)
            os.chmod(path, 0o700 if path.is_dir() else 0o600)


def make_workdir(entry: Path, identity: Identity, max_bytes: int) -> tuple[Path, Path, list[str]]:
    """A private folder holding a copy of the entry's folder; returns (root, copied entry, notices).

    Symlinks, caches and hidden folders are skipped; at most ``MAX_FILES``
    files, ``MAX_DEPTH`` folders deep, ``max_bytes`` in total (the entry file
    is always copied).
    """
    root = Path(tempfile.mkdtemp(prefix="grader-sandbox-"))
    target = root / "submission"
    target.mkdir()
    (root / "tmp").mkdir()
    source = entry.parent
    shutil.copyfile(entry, target / entry.name)
    total = (target / entry.name).stat().st_size
    count, skipped = 1, 0
    for folder, dirs, files in os.walk(source, followlinks=False):
        rel = Path(folder).relative_to(source)
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        if len(rel.parts) >= MAX_DEPTH:
            dirs[:] = []
        for name in sorted(files):
            src = Path(folder) / name
            if (rel == Path(".") and name == entry.name) or src.is_symlink() or not src.is_file():
                continue
            size = src.stat().st_size
            if count >= MAX_FILES or total + size > max_bytes:
                skipped += 1
                continue
            (target / rel).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target / rel / name)
            total, count = total + size, count + 1
    notices = []
    if skipped:
        notices.append(f"{skipped} file(s) beside the submission were not copied (size or count limit)")
    if identity.isolated:
        for path in [root, *root.rglob("*")]:
            os.chown(path, identity.uid, identity.gid, follow_symlinks=False)  # type: ignore[arg-type]
    return root, target / entry.name, notices


def _user_pids(uid: int) -> list[int]:
    pids = []
    for item in os.listdir("/proc"):
        if not item.isdigit():
            continue
        try:
            with open(f"/proc/{item}/status", encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if line.startswith("Uid:"):
                        if str(uid) in line.split()[1:]:
                            pids.append(int(item))
                        break
        except OSError:
            continue
    return pids


def kill_user_processes(uid: int, rounds: int = 20) -> int:
    """SIGKILL every process of ``uid`` (never root or the grader's own uid); returns how many."""
    if uid in (0, os.getuid(), os.geteuid()):
        raise ValueError(f"refusing to kill every process of uid {uid}")
    killed = 0
    for _ in range(rounds):
        pids = [p for p in _user_pids(uid) if p != os.getpid()]
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
    return killed
