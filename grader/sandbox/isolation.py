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
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from grader.sandbox.calls import HELPER_PACKAGE
from grader.sandbox.scratch import remove_tree, scratch_folder
from grader.submission import entry_limit, human_size, link_problem, read_capped

__all__ = [
    "ANSWER_DIRS",
    "Identity",
    "answer_paths",
    "copy_tree",
    "ensure_sandbox_user",
    "identity_for",
    "is_root",
    "is_sandbox_account",
    "lock_secret_paths",
    "make_workdir",
    "needed_by_child",
    "private_entries",
    "register_sandbox_user",
    "release_identity",
]

_SKIP_DIRS = {"__pycache__", "__MACOSX", ".git", ".ipynb_checkpoints"}
MAX_FILES = 500
"""Most files copied beside the entry file."""
MAX_DEPTH = 3
MAX_SEEN = 5000
"""Most folder entries looked at while copying (a folder of a million files is not walked to its end)."""
MAX_LISTED = 8
"""Refused or skipped files named one by one in the notices; the rest are counted."""
DEFAULT_USER = "grader-sandbox"
_SANDBOX_USERS: set[str] = {DEFAULT_USER}
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


def register_sandbox_user(name: str) -> None:
    """Remember ``name`` (and its slots ``name-N``) as a sandbox account of this process."""
    if name:
        _SANDBOX_USERS.add(name)


def is_sandbox_account(name: str) -> bool:
    """Whether ``name`` is a sandbox account: the configured ones, their slots and worker accounts.

    Configured: ``grader-sandbox``, ``$GRADER_SANDBOX_USER`` and every name
    given to :func:`register_sandbox_user` or :func:`identity_for`.
    """
    bases = _SANDBOX_USERS | {os.environ.get("GRADER_SANDBOX_USER") or DEFAULT_USER}
    return any(name == base or name.startswith(base + "-") for base in bases)


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
    register_sandbox_user(user)
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


def _child_needs() -> list[Path]:
    """What the child must reach: the grader's code, the public helpers, its Python and the temporary folder."""
    python = os.environ.get("GRADER_CHILD_PYTHON") or sys.executable
    items = [_PACKAGE, _PACKAGE.parent / HELPER_PACKAGE, Path(sys.prefix), Path(sys.base_prefix),
             Path(sys.executable).parent, Path(sys.executable).resolve().parent, Path(python).parent,
             Path(tempfile.gettempdir())]
    out = []
    for item in items:
        with contextlib.suppress(OSError):
            out.append(item.resolve())
    return out


def needed_by_child(path: Path) -> bool:
    """Whether locking ``path`` would cut the child off its code, its Python or its folder."""
    try:
        resolved = path.resolve()
    except OSError:
        return True
    return any(resolved == item or resolved in item.parents for item in _child_needs())


def private_entries(root: Path) -> list[Path]:
    """Everything under ``root`` the child does not need, as few paths as possible.

    A folder that holds something the child needs (the grader's code, its
    Python) is searched instead of locked: in Gradescope's ``/autograder``,
    ``source/`` keeps its ``grader/`` and ``.venv/`` and loses the rest;
    ``submission_metadata.json``, ``results/`` and ``submission/`` are locked.
    """
    root = Path(root)
    needs = _child_needs()
    found: list[Path] = []
    todo = [root]
    while todo:
        folder = todo.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for path in entries:
            try:
                resolved = path.resolve() if not path.is_symlink() else None
            except OSError:
                resolved = None
            if resolved is None:
                found.append(path)  # a link: reported, never followed
            elif any(resolved == item for item in needs):
                continue
            elif any(resolved in item.parents for item in needs):
                todo.append(path)
            else:
                found.append(path)
    return sorted(found)


def lock_secret_paths(paths: Iterable[Path]) -> list[str]:
    """Make each existing path private to its owner (group and others lose every right); root only.

    A path owned by a sandbox account (see :func:`is_sandbox_account`) is
    given to root.  Shared folders (``/``, sticky world-writable folders such
    as ``/tmp``) and folders that hold the grader or its Python are left
    alone; the returned notices name them.
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
        if shared or needed_by_child(path):
            notices.append(f"not locked (the sandbox needs it, or it is shared): {path}")
            continue
        with contextlib.suppress(KeyError):
            if info.st_uid != 0 and is_sandbox_account(pwd.getpwuid(info.st_uid).pw_name):
                os.chown(path, 0, 0, follow_symlinks=False)
        mode = 0o700 if stat.S_ISDIR(info.st_mode) else (info.st_mode & 0o700) | 0o600
        os.chmod(path, mode, follow_symlinks=False)
    return notices


@dataclass
class _Copy:
    """What one :func:`copy_tree` may still copy, and what it refused or left out."""

    limit: int
    max_files: int
    bytes_left: int
    files_left: int
    seen: int = 0
    refused: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unwalked: bool = False

    def notices(self) -> list[str]:
        out = [f"Not copied, so your code cannot use it: {why}" for why in self.refused[:MAX_LISTED]]
        if len(self.refused) > MAX_LISTED:
            out.append(f"{len(self.refused) - MAX_LISTED} more link(s) were not copied")
        if self.skipped:
            names = ", ".join(self.skipped[:MAX_LISTED]) + (", ..." if len(self.skipped) > MAX_LISTED else "")
            out.append(f"{len(self.skipped)} file(s) beside the submission were not copied (size or count "
                       f"limit: {human_size(self.limit)} and {self.max_files} files in all): {names}")
        if self.unwalked:
            out.append(f"the submission folder holds more than {MAX_SEEN} entries; the rest were not copied")
        return out


def _copy_fd(fd: int, dest: Path, size: int) -> None:
    """Copy at most ``size`` bytes from ``fd`` to the new file ``dest`` (0600)."""
    out = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        left = size
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            os.write(out, chunk)
            left -= len(chunk)
    finally:
        os.close(out)


def _copy_one(name: str, rel: Path, dir_fd: int, target: Path, state: _Copy) -> None:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError:
        with contextlib.suppress(OSError):
            problem = link_problem(str(rel), os.stat(name, dir_fd=dir_fd, follow_symlinks=False))
            if problem:
                state.refused.append(problem)
        return
    try:
        info = os.fstat(fd)
        problem = link_problem(str(rel), info)
        if problem:
            state.refused.append(problem)
            return
        if not stat.S_ISREG(info.st_mode):
            return
        if state.files_left <= 0 or info.st_size > state.bytes_left:
            state.skipped.append(str(rel))
            return
        (target / rel.parent).mkdir(parents=True, exist_ok=True)
        _copy_fd(fd, target / rel, info.st_size)
        state.bytes_left -= info.st_size
        state.files_left -= 1
    finally:
        os.close(fd)


def copy_tree(
    source: Path, target: Path, *, max_bytes: int, max_files: int = MAX_FILES, depth: int = MAX_DEPTH,
    skip: str | None = None, used: tuple[int, int] = (0, 0),
) -> list[str]:
    """Copy the regular files under ``source`` into ``target``; returns notices for the student.

    Nothing is followed: a symbolic link, a hard link (a file with another
    name elsewhere, such as a linked answer key) or a link to a folder is
    refused and named in a notice.  Caches and hidden folders are skipped; at
    most ``max_files`` files, ``depth`` folders deep, ``max_bytes`` in all;
    ``skip`` (a top-level name) is left out and ``used`` (bytes, files) was
    already taken by it.  Runs as root: every file is
    opened relative to its folder's descriptor, without following links.
    """
    state = _Copy(max_bytes, max_files, max_bytes - used[0], max_files - used[1])
    target.mkdir(parents=True, exist_ok=True)
    for folder, dirs, files, dir_fd in os.fwalk(os.path.realpath(source), follow_symlinks=False):
        rel = Path(folder).relative_to(os.path.realpath(source))
        keep = []
        for name in sorted(dirs):
            state.seen += 1
            with contextlib.suppress(OSError):
                if stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode):
                    state.refused.append(f"{rel / name} is a link to a folder; upload the folder itself")
                    continue
            if name not in _SKIP_DIRS and not name.startswith("."):
                keep.append(name)
        dirs[:] = keep if len(rel.parts) < depth else []
        for name in sorted(files):
            state.seen += 1
            if state.seen > MAX_SEEN:
                state.unwalked = True
                dirs[:] = []
                break
            if rel == Path(".") and name == skip:
                continue
            _copy_one(name, rel / name, dir_fd, target, state)
        if state.unwalked:
            break
    return state.notices()


def make_workdir(entry: Path, identity: Identity, max_bytes: int) -> tuple[Path, Path, list[str]]:
    """A private folder holding a copy of the entry's folder; returns (root, copied entry, notices).

    ``root`` belongs to the grader; ``root/submission`` (the copy, the child's
    working folder) and ``root/tmp`` belong to the child's account, mode 0700.

    The entry file is read without following a link and within its size
    limit (``grader.submission.ENTRY_LIMITS``); the files beside it are copied
    by :func:`copy_tree` (links refused, at most ``MAX_FILES`` files,
    ``MAX_DEPTH`` folders deep, ``max_bytes`` in all).

    Raises:
        SubmissionError: the entry file is a link or too large.
    """
    entry = Path(entry)
    source = Path(os.path.realpath(entry.parent))
    folder_fd = os.open(source, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        code = read_capped(Path(entry.name), entry_limit(entry), dir_fd=folder_fd)
    finally:
        os.close(folder_fd)
    root = scratch_folder("sandbox")
    try:  # whatever stops it (a refused helper, Ctrl-C in a batch), the folder goes
        target = root / "submission"
        target.mkdir()
        (root / "tmp").mkdir()
        (target / entry.name).write_bytes(code)
        notices = copy_tree(source, target, max_bytes=max_bytes, skip=entry.name, used=(len(code), 1))
        # The root stays the grader's (traverse only), so the child can neither
        # rename it nor swap it for a link while the grader writes requests there.
        os.chmod(root, 0o711)
        for path in (target, root / "tmp"):
            os.chmod(path, 0o700)
        if identity.isolated:
            for path in root.rglob("*"):
                os.chown(path, identity.uid, identity.gid, follow_symlinks=False)  # type: ignore[arg-type]
    except BaseException:
        remove_tree(root)
        raise
    return root, target / entry.name, notices

