"""Process isolation for the sandbox child: user, private folder, secrets (trusted side).

When the grader runs as root the child runs as a dedicated unprivileged account
with no supplementary groups, in a private temporary folder holding a copy of
the submission.  Each concurrent run takes its own account ("slot"): a root-only
lock file per slot guarantees that killing "every process of the account"
after a child never touches another submission's child.  Killing and cleaning
up live in :mod:`grader.sandbox.cleanup`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ANSWER_DIRS",
    "Identity",
    "answer_paths",
    "ensure_sandbox_user",
    "identity_for",
    "is_root",
    "lock_secret_paths",
    "make_workdir",
    "release_identity",
]

_SKIP_DIRS = {"__pycache__", "__MACOSX", ".git", ".ipynb_checkpoints"}
MAX_FILES = 500
MAX_DEPTH = 3
MAX_SLOTS = 32
"""Most sandbox accounts used at once (``grader-sandbox``, ``grader-sandbox-1``, ...)."""
ANSWER_DIRS = ("reference", "rubrics", "submissions_example", "tests", "benchmarks", "results", ".git")
"""Folders of the project that reveal answers; root-only while grading as root."""
_LOCK_DIRS = (Path("/run/grader-sandbox"), Path(tempfile.gettempdir()) / "grader-sandbox-locks")
_PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the child runs as; ``uid is None`` means the grader's own account.

    ``lock_fd`` holds the slot lock of a sandbox account until
    :func:`release_identity`.
    """

    uid: int | None
    gid: int | None
    name: str
    lock_fd: int | None = None

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
            check=False, capture_output=True, timeout=30,
        )
        entry = pwd.getpwnam(name)  # KeyError if useradd failed (another process may have won the race)
    if entry.pw_uid == 0 or entry.pw_gid == 0:
        raise RuntimeError(f"the sandbox user {name!r} has uid or gid 0")
    return entry.pw_uid, entry.pw_gid


def _lock_dir() -> Path:
    """A root-only folder for the slot locks (squatted folders are refused)."""
    for folder in _LOCK_DIRS:
        with contextlib.suppress(OSError):
            folder.mkdir(mode=0o700, exist_ok=True)
            info = folder.lstat()
            if stat.S_ISDIR(info.st_mode) and info.st_uid == 0 and not info.st_mode & 0o077:
                return folder
    raise RuntimeError("no root-only folder for the sandbox slot locks")


def _take_slot(folder: Path, slot: int, *, wait: bool) -> int | None:
    fd = os.open(folder / f"slot-{slot}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def identity_for(user: str) -> Identity:
    """The first free sandbox account (locked until released) when root, else the current account."""
    if not is_root():
        try:
            name = pwd.getpwuid(os.getuid()).pw_name
        except KeyError:
            name = str(os.getuid())
        return Identity(None, None, name)
    folder = _lock_dir()
    for slot in range(MAX_SLOTS):
        fd = _take_slot(folder, slot, wait=False)
        if fd is not None:
            break
    else:  # every slot busy: wait for one
        slot = os.getpid() % MAX_SLOTS
        fd = _take_slot(folder, slot, wait=True)
    name = user if slot == 0 else f"{user}-{slot}"
    try:
        uid, gid = ensure_sandbox_user(name)
    except BaseException:
        os.close(fd)  # type: ignore[arg-type]
        raise
    return Identity(uid, gid, name, fd)


def release_identity(identity: Identity) -> None:
    """Give the sandbox account back to other runs."""
    if identity.lock_fd is not None:
        with contextlib.suppress(OSError):
            os.close(identity.lock_fd)


def answer_paths(root: Path) -> list[Path]:
    """The folders of the project at ``root`` that reveal answers (those that exist)."""
    return [Path(root) / name for name in ANSWER_DIRS if (Path(root) / name).exists()]


def _needed_by_child(path: Path) -> bool:
    """Whether locking ``path`` would cut the child off its code, its Python or its folder."""
    try:
        resolved = path.resolve()
    except OSError:
        return True
    needed = [_PACKAGE, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
              Path(sys.executable).resolve().parent, Path(tempfile.gettempdir()).resolve()]
    return any(resolved == item or resolved in item.parents for item in needed)


def lock_secret_paths(paths: list[Path] | tuple[Path, ...]) -> list[str]:
    """Make each existing path private to its owner (0700 folders, 0600 files); root only.

    A path owned by a sandbox account is given to root.  Shared folders (``/``,
    sticky world-writable folders such as ``/tmp``) and folders that hold the
    grader or its Python are left alone; the returned notices name them.
    """
    if not is_root():
        return []
    notices = []
    for path in map(Path, paths):
        try:
            info = path.lstat()
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode):
            notices.append(f"not locked (a symbolic link): {path}")
            continue
        shared = stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX
        if shared or _needed_by_child(path):
            notices.append(f"not locked (the sandbox needs it, or it is shared): {path}")
            continue
        with contextlib.suppress(KeyError):
            if pwd.getpwuid(info.st_uid).pw_name.startswith("grader-sandbox"):
                os.chown(path, 0, 0, follow_symlinks=False)
        os.chmod(path, 0o700 if stat.S_ISDIR(info.st_mode) else 0o600)
    return notices


def make_workdir(entry: Path, identity: Identity, max_bytes: int) -> tuple[Path, Path, list[str]]:
    """A private folder holding a copy of the entry's folder; returns (root, copied entry, notices).

    ``root`` belongs to the grader; ``root/submission`` (the copy, the child's
    working folder) and ``root/tmp`` belong to the child's account, mode 0700.

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
    # The root stays the grader's (traverse only), so the child can neither
    # rename it nor swap it for a link while the grader writes requests there.
    os.chmod(root, 0o711)
    for path in (target, root / "tmp"):
        os.chmod(path, 0o700)
    if identity.isolated:
        for path in root.rglob("*"):
            os.chown(path, identity.uid, identity.gid, follow_symlinks=False)  # type: ignore[arg-type]
    return root, target / entry.name, notices
