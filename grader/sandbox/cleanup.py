"""After a child: kill what it left running and remove what it left behind (trusted side).

As root, every process of the slot's sandbox account is killed (those that
called ``setsid`` or double-forked included), the System V IPC objects it
created (shared memory, semaphores, message queues: they outlive processes)
are removed, and files that account left in the shared temporary folders are
removed, so nothing of one run reaches the next.  Without root, the grader
makes itself a child subreaper so that orphans of the child are re-parented to
it and can still be found and killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import shutil
import signal
import stat
import subprocess
from pathlib import Path

from grader.sandbox.scratch import remove_tree

__all__ = [
    "SHARED_TMP",
    "become_subreaper",
    "children_of",
    "kill_strays",
    "kill_user_processes",
    "private_session_keyring",
    "remove_user_files",
    "remove_user_ipc",
    "user_ipc",
    "user_pids",
]

SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm", "/run/shm", "/run/lock", "/var/lock", "/dev/mqueue")
"""World-writable folders where a sandbox account can leave files."""
_PR_SET_CHILD_SUBREAPER = 36
_IPC_RMID = 0
_IPC_KINDS = {"shm": ("shmid", "-m"), "sem": ("semid", "-s"), "msg": ("msqid", "-q")}


_STATUS_KEYS = (b"State", b"PPid", b"Uid")


def _status_fields(pid: str) -> dict[str, list[str]]:
    """``State``, ``PPid`` and ``Uid`` of ``/proc/PID/status`` (near its top: the first 4 KiB hold them)."""
    fd = os.open(f"/proc/{pid}/status", os.O_RDONLY | os.O_CLOEXEC)
    try:
        raw = os.read(fd, 4096)
    finally:
        os.close(fd)
    fields = {}
    for line in raw.split(b"\n"):
        key, _, rest = line.partition(b":")
        if key in _STATUS_KEYS:
            fields[key.decode()] = rest.decode("ascii", "replace").split()
            if len(fields) == len(_STATUS_KEYS):
                break
    return fields


def user_pids(uid: int, *, zombies: bool = False) -> list[int]:
    """Every live process whose real, effective, saved or filesystem uid is ``uid``.

    Zombies are left out unless ``zombies``: they are dead already, and a
    container's first process may never reap them, so counting them would
    never end a kill loop (the CPU clock still reads their final times).
    """
    pids = []
    for item in os.listdir("/proc"):
        if not item.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = _status_fields(item)
            state = fields.get("State", ["?"])[0]
            if str(uid) in fields.get("Uid", []) and state != "X" and (zombies or state != "Z"):
                pids.append(int(item))
    return pids


def kill_user_processes(uid: int, rounds: int = 50) -> int:
    """SIGKILL every process of ``uid`` (never root or the grader's own uid); returns how many.

    Processes are first stopped (SIGSTOP) so that a fork bomb cannot outrun the
    scan, then killed, until a scan finds none.
    """
    if uid in (0, os.getuid(), os.geteuid()):
        raise ValueError(f"refusing to kill every process of uid {uid}")
    killed = 0
    for _ in range(rounds):
        pids = [p for p in user_pids(uid) if p != os.getpid()]
        if not pids:
            break
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
                    killed += sig == signal.SIGKILL
    remove_user_ipc(uid)  # what the processes held in System V IPC outlives them
    return killed


def user_ipc(uid: int, folder: str = "/proc/sysvipc") -> list[tuple[str, int]]:
    """The System V IPC objects (``("shm" | "sem" | "msg", id)``) that ``uid`` owns or created."""
    found = []
    for kind, (id_column, _) in _IPC_KINDS.items():
        try:
            with open(f"{folder}/{kind}", encoding="ascii", errors="replace") as handle:
                header = handle.readline().split()
                columns = [header.index(id_column), header.index("uid"), header.index("cuid")]
                for line in handle:
                    fields = line.split()
                    with contextlib.suppress(IndexError, ValueError):
                        ident, owner, creator = (int(fields[c]) for c in columns)
                        if uid in (owner, creator):
                            found.append((kind, ident))
        except (OSError, ValueError):
            continue
    return found


def _ipc_rmid(libc: ctypes.CDLL | None, kind: str, ident: int) -> bool:
    if libc is not None:
        if kind == "shm":
            done = libc.shmctl(ident, _IPC_RMID, None)
        elif kind == "sem":
            done = libc.semctl(ident, 0, _IPC_RMID)
        else:
            done = libc.msgctl(ident, _IPC_RMID, None)
        if done == 0:
            return True
    ipcrm = shutil.which("ipcrm")
    if ipcrm is None:
        return False
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        return subprocess.run([ipcrm, _IPC_KINDS[kind][1], str(ident)], capture_output=True,
                              timeout=10, check=False).returncode == 0
    return False


def remove_user_ipc(uid: int) -> int:
    """Remove every System V IPC object ``uid`` owns or created; returns how many.

    Shared memory, semaphores and message queues outlive the processes that
    made them (four 256 MiB segments would pin 1 GB).  Needs root (or the
    owner's uid); a segment still attached is freed when the last process
    detaches, so processes are killed first.
    """
    if uid in (0, os.getuid(), os.geteuid()):
        raise ValueError(f"refusing to remove every IPC object of uid {uid}")
    try:
        libc: ctypes.CDLL | None = ctypes.CDLL(None, use_errno=True)
    except OSError:
        libc = None
    return sum(_ipc_rmid(libc, kind, ident) for kind, ident in user_ipc(uid))


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            remove_tree(path)
        else:
            path.unlink()
    except OSError:
        pass


def remove_user_files(uid: int, folders: tuple[str, ...] = SHARED_TMP, depth: int = 2) -> int:
    """Remove what ``uid`` owns in the shared temporary folders; returns how many entries.

    Only run when no process of ``uid`` is left.  World-writable sub-folders
    owned by others (such as ``/tmp/.X11-unix``) are searched too.
    """
    if uid in (0, os.getuid(), os.geteuid()):
        raise ValueError(f"refusing to remove every file of uid {uid}")
    removed = 0
    seen: set[tuple[int, int]] = set()
    todo = [(Path(f), depth) for f in folders]
    while todo:
        folder, left = todo.pop()
        try:
            info = folder.lstat()
            if not stat.S_ISDIR(info.st_mode) or (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if info.st_uid == uid:
                _remove(Path(entry.path))
                removed += 1
            elif left > 1 and stat.S_ISDIR(info.st_mode) and info.st_mode & 0o002:
                todo.append((Path(entry.path), left - 1))
    return removed


def become_subreaper() -> bool:
    """Make this process adopt its orphaned descendants (Linux); whether it worked."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


_KEYCTL = {"x86_64": 250, "aarch64": 219}
_KEYCTL_JOIN_SESSION_KEYRING = 1


def private_session_keyring() -> bool:
    """Give this process (and every child it starts) a new, empty session keyring (Linux); whether it worked.

    A child inherits its grader's session keyring, and possesses every key in
    it whatever its uid: the TA's or root's keys.  The child's seccomp filter
    refuses the keyring calls, but a wrapper's unfiltered PID 1 (bubblewrap's)
    shares the child's uid and can be traced by it.
    """
    number = _KEYCTL.get(platform.machine())
    if number is None:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.syscall(number, _KEYCTL_JOIN_SESSION_KEYRING, None)) >= 0
    except (OSError, AttributeError):
        return False


def _parents() -> dict[int, int]:
    out = {}
    for item in os.listdir("/proc"):
        if item.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                out[int(item)] = int(_status_fields(item)["PPid"][0])
    return out


def children_of(pid: int) -> set[int]:
    """The direct children of ``pid`` now."""
    return {p for p, parent in _parents().items() if parent == pid}


def kill_strays(child: int, keep: set[int], rounds: int = 50) -> int:
    """SIGKILL the descendants of ``child`` and our adopted orphans not in ``keep``; reap ours.

    Used when the child runs under the grader's own account: its orphans reach
    this process only if :func:`become_subreaper` worked.
    """
    me = os.getpid()
    killed = 0
    for _ in range(rounds):
        parents = _parents()
        roots = {p for p, parent in parents.items() if parent == me and p not in keep} | {child}
        found: set[int] = set()
        todo = list(roots)
        while todo:
            pid = todo.pop()
            if pid in found:
                continue
            found.add(pid)
            todo.extend(p for p, parent in parents.items() if parent == pid)
        found.discard(child)
        live = [p for p in found if _alive(p)]
        for pid in live:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        for pid in roots - {child}:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)
        if not live:
            break
    return killed


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
