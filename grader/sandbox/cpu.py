"""CPU time and priority of one sandbox child's processes (trusted side, Linux ``/proc``).

A statement or a call is judged by the CPU time the child's processes used,
not by wall time, so a busy neighbour cannot push an honest submission past
its limit.  :class:`ProcessTree` follows every process of the child (all
processes of the sandbox account when isolated by user, else the child's
descendants), adds up their CPU time, moves every process but the child
itself to the lowest priority (nice 19, and its autogroup too), and kills
those other processes on request (between top-level statements).  Where a
cgroup v2 with the ``cpu`` controller is writable, :func:`cpu_cgroup` also
caps the whole child at ``cores`` CPUs with ``cpu.max``.

Without ``/proc`` (macOS) CPU time is not measured: the meter reads the wall
clock instead.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from grader.sandbox.cleanup import user_pids

__all__ = ["LOWEST", "ProcessTree", "cpu_cgroup", "remove_cgroup"]

LOWEST = 19
"""The nice value of every sandbox process but the child itself."""
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PROC = Path("/proc")


def _stat_fields(pid: int | str) -> list[bytes]:
    """The fields of ``/proc/PID/stat`` after the command name (the state first); [] once it has gone."""
    try:
        fields = (_PROC / str(pid) / "stat").read_bytes().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return []
    return [] if len(fields) < 20 or fields[0] == b"X" else fields


def _stat(pid: int, *, zombies: bool = False) -> tuple[float, int, int] | None:
    """(CPU seconds of ``pid`` and its reaped children, parent pid, session id), or None once it has gone.

    A zombie (ended, not yet reaped: its times are final) counts as gone unless ``zombies``.
    """
    fields = _stat_fields(pid)
    if not fields or (fields[0] == b"Z" and not zombies):
        return None
    # utime stime cutime cstime are fields 14-17 of the whole line (11-14 after the state)
    ticks = sum(int(x) for x in fields[11:15])
    return ticks / _TICK, int(fields[1]), int(fields[3])


def _cmdline(pid: int) -> bytes:
    try:
        return (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return b""


def _runs(pid: int, marker: bytes) -> bool:
    """Whether ``pid`` runs ``marker`` itself: a wrapper names it only after a ``--`` word."""
    words = _cmdline(pid).split(b"\0")
    return marker in words and b"--" not in words[: words.index(marker)]


def _start_time(pid: int) -> int:
    """When ``pid`` started, in clock ticks since boot (very late once it has gone)."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields else 1 << 62


def _last_pid() -> int | None:
    """The pid most recently handed out (``/proc/loadavg``); unchanged means no new process."""
    try:
        return int((_PROC / "loadavg").read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def _processes() -> dict[int, tuple[int, int, int]]:
    """Every process, zombies included: pid -> (parent pid, session id, start time in clock ticks)."""
    found: dict[int, tuple[int, int, int]] = {}
    for item in os.listdir(_PROC):
        if item.isdigit() and (fields := _stat_fields(item)):
            found[int(item)] = int(fields[1]), int(fields[3]), int(fields[19])
    return found


def _parents() -> dict[int, int]:
    return {pid: parent for pid, (parent, _, _) in _processes().items()}


def _children_listed() -> bool:
    """Whether the kernel lists each task's children (``/proc/PID/task/TID/children``)."""
    return _PROC.joinpath("self", "task", str(os.getpid()), "children").exists()


_LISTED = _children_listed() if _PROC.exists() else False


def _descendants(root: int) -> set[int]:
    """Every live descendant of ``root``, read from its tasks' children lists (a few files, not all of /proc)."""
    if not _LISTED:
        return _below({root}, _parents())
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in _children(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _children(pid: int) -> list[int]:
    """The live children of ``pid`` (from its tasks' children lists, else a scan of ``/proc``)."""
    if not _LISTED:
        return [child for child, parent in _parents().items() if parent == pid]
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(_PROC / str(pid) / "task"):
            with contextlib.suppress(OSError):
                found += map(int, (_PROC / str(pid) / "task" / task / "children").read_bytes().split())
    return found


def _generations(root: int, depth: int) -> dict[int, list[int]]:
    """Each process ``depth`` generations below ``root``, with its ancestors up to ``root`` (nearest first)."""
    level: dict[int, list[int]] = {root: []}
    for _ in range(depth):
        level = {child: [pid, *chain] for pid, chain in level.items() for child in _children(pid)}
    return level


def _below(roots: set[int], parents: dict[int, int]) -> set[int]:
    """Every live descendant of ``roots``, the roots left out."""
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found: set[int] = set()
    todo = list(roots)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


class ProcessTree:
    """The processes of one child: their CPU time, their priority, their clean-up."""

    def __init__(self, pid: int, uid: int | None, keep: frozenset[int] = frozenset(), marker: str = "",
                 depth: int = 0) -> None:
        self.pid = pid
        self.root = pid
        self.depth = depth
        self.session = os.getsid(0) if hasattr(os, "getsid") else -1
        self.uid = uid
        self.keep = keep
        self.marker = marker.encode()
        self.chain: set[int] = set()
        self.measured = _PROC.joinpath("self", "stat").exists()
        self._seen: dict[int, tuple[float, int]] = {}  # pid -> (CPU seconds, reaped children's included; parent)
        self._retired = 0.0  # the time of ended processes that no process of ours reaped
        self._total = 0.0
        self._chain_base: dict[int, float] = {}  # a wrapper's CPU seconds (reaped children's too) at settle
        self._chain_grown: dict[int, float] = {}  # ... and what they grew by since
        self._reniced: dict[int, int] = {}  # pid -> the session it was in when lowered
        self._last_pid: int | None = None
        self._wall0 = time.monotonic()
        self._born = _start_time(pid) if self.measured else 0
        self._settled = not marker and not depth  # until the child is found behind a wrapper, nothing is reniced

    def settle(self) -> None:
        """Find the child itself when ``pid`` only launched it (a namespace wrapper); call at ``ready``.

        The child is the earliest started descendant whose command line holds
        ``marker`` (or, with ``depth``, that many generations below ``pid``: a
        fork behind the first process of its namespaces); the wrappers between
        are spared by :meth:`sweep`.
        """
        if self.chain or (not self.depth and (not self.marker or _runs(self.pid, self.marker))):
            self._settled = True
            return
        if self.depth:
            chains = _generations(self.pid, self.depth)
        else:
            parents = _parents()
            chains = {}
            for found in _below({self.pid}, parents):
                if _runs(found, self.marker):
                    chain, pid = [], found
                    while pid != self.pid and pid in parents:
                        pid = parents[pid]
                        chain.append(pid)
                    chains[found] = chain
        if not chains:
            return
        self._settled = True
        main = min(chains, key=_start_time)
        self.chain = set(chains[main]) | {self.pid}
        self.pid = main
        for wrapper in self.chain & set(self._seen):  # ours, idle: counted so far, not read again
            self._retired += self._seen.pop(wrapper)[0]
        # ... except what they reap: the namespace's PID 1 adopts the child's orphans, and the
        # time of an orphan that ran and ended between two scans is only in its reaper's
        self._chain_base = {w: info[0] for w in self.chain if (info := _stat(w)) is not None}
        # reniced when seen before it ran the child, or born of a reniced wrapper: the child keeps our priority
        self._reniced.pop(main, None)
        restore_priority(main)

    def _others(self) -> set[int]:
        if self.uid is not None:
            pids = set(user_pids(self.uid, zombies=True))
        elif self.depth:  # in a PID namespace of its own, whose first process adopts its orphans
            pids = _descendants(self.root)
        else:  # the child's descendants, and the orphans this process adopted (a subreaper)
            processes = _processes()
            parents = {pid: parent for pid, (parent, _, _) in processes.items()}
            pids = _below({os.getpid()}, parents) - _below(set(self.keep), parents) - set(self.keep)
            # the child has a session of its own; what is in ours is this process's own work; and
            # an orphan adopted before the child started (an earlier child's, say) is not the child's
            pids = {p for p in pids if processes[p][1] != self.session and processes[p][2] >= self._born}
        pids.discard(self.pid)
        pids.discard(os.getpid())
        return pids - self.chain

    def _scan(self, *, force: bool) -> set[int]:
        """The child's other processes now; rescans ``/proc`` only when a pid was handed out."""
        self.settle()  # a namespace wrapper is not the child
        last = _last_pid()
        if force or last is None or last != self._last_pid:
            self._last_pid = last
            return self._others()
        return {p for p in self._seen if p != self.pid} - self.chain

    def cpu(self, *, full: bool = True) -> float:
        """CPU seconds the child's processes have used so far (never decreases).

        Each process counts its own time and its reaped children's, zombies
        included (their times are final).  When a process has gone, its time
        is in its reaper's if that is one of ours (a parent in the tree, or,
        behind a wrapper, the namespace's PID 1, which adopts every orphan);
        else it is kept here.
        So nothing is counted twice, and an orphan that ran and ended between
        two reads still counts.  ``full=False`` reads only the processes last
        seen, without looking for new ones (cheap, for the start of every item).
        """
        if not self.measured:
            return time.monotonic() - self._wall0
        pids = {self.pid} | set(self._seen) | (self._scan(force=False) if full else set())
        if full:
            self._read_chain()
        now: dict[int, tuple[float, int, int]] = {}
        for pid in pids:
            info = _stat(pid, zombies=True)
            if info is not None:
                now[pid] = info
        ours = set(now) | set(self._chain_base)
        for pid, (seconds, parent) in list(self._seen.items()):
            info = now.get(pid)
            if info is None or info[0] < seconds:  # gone (or its pid reused by a new process)
                del self._seen[pid]
                # behind a wrapper the child has a PID namespace: whatever ends there is reaped there
                if not self.chain and parent not in ours:  # reaped outside: its time would be lost
                    self._retired += seconds
        for pid, (seconds, parent, session) in now.items():
            self._seen[pid] = (seconds, parent)
            if pid != self.pid and self._settled and self._reniced.get(pid) != session:
                # a wrapper seen before the child is found is spared: the child would inherit its
                # priority, and a normal user cannot raise it back; a process that made a new
                # session since it was lowered has a new autogroup, lowered too
                self._reniced[pid] = session
                lower_priority(pid, spare=_autogroup(self.pid))  # a fork shares the child's until setsid
        seen = sum(seconds for seconds, _ in self._seen.values())
        # between a process's end and its reaping the sum may dip: the total never does
        self._total = max(self._total, self._retired + seen + sum(self._chain_grown.values()))
        return self._total

    def _read_chain(self) -> None:
        """What the wrappers used and reaped since the child was found (orphans that ended included)."""
        for wrapper, base in self._chain_base.items():
            if (info := _stat(wrapper)) is not None:  # once it has gone, what it grew by last stays
                self._chain_grown[wrapper] = info[0] - base

    def sweep(self, rounds: int = 20) -> int:
        """SIGKILL every process of the child but the child itself; returns how many."""
        killed: set[int] = set()
        for _ in range(rounds):
            pids = self._scan(force=bool(killed))
            pids = {p for p in pids if _stat(p) is not None}
            if not pids:
                break
            self.cpu()  # fold their CPU time into the total before they go
            for sig in (signal.SIGSTOP, signal.SIGKILL):
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, sig)
            killed |= pids
            time.sleep(0.001 * len(killed))  # let the kernel finish them before the next scan
        return len(killed)


def _autogroup(pid: int) -> str:
    """The name of ``pid``'s autogroup (``/autogroup-N``), or "" where there is none."""
    try:
        return (_PROC / str(pid) / "autogroup").read_text().split()[0]
    except (OSError, IndexError):
        return ""


def lower_priority(pid: int, spare: str = "") -> None:
    """Nice 19 for ``pid``, and for its autogroup (a new session gets its own), best effort.

    The autogroup ``spare`` names, and this process's own, is left alone: a
    process that has not yet left the session of its parent shares that
    session's autogroup, and lowering it would lower the parent with it.
    """
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, LOWEST)
    group = _autogroup(pid)
    if group and group != spare and group != _autogroup(os.getpid()):
        with contextlib.suppress(OSError):
            (_PROC / str(pid) / "autogroup").write_text(str(LOWEST))


def restore_priority(pid: int) -> None:
    """``pid`` and its autogroup back to this process's own priority, best effort (root may lower a nice)."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, 0))
    with contextlib.suppress(OSError, ValueError, IndexError):
        nice = (_PROC / "self" / "autogroup").read_text().split()[-1]
        (_PROC / str(pid) / "autogroup").write_text(str(int(nice)))


# ------------------------------------------------------------------ cgroup v2 (where writable)


def _own_cgroup() -> Path | None:
    """This process's cgroup v2 folder, if a cgroup2 file system is mounted."""
    try:
        lines = (_PROC / "self" / "cgroup").read_text().splitlines()
        mounts = (_PROC / "self" / "mountinfo").read_text().splitlines()
    except OSError:
        return None
    rel = next((line[3:] for line in lines if line.startswith("0::")), None)
    mount = next((line.split(" - ")[0].split()[4] for line in mounts
                  if " - cgroup2 " in line), None)
    if rel is None or mount is None:
        return None
    return Path(mount) / rel.lstrip("/")


def cpu_cgroup(pid: int, cores: float, *, base: Path | None = None) -> Path | None:
    """Put ``pid`` in a new cgroup capped at ``cores`` CPUs; its folder, or None where not possible.

    Needs a writable cgroup v2 whose ``cpu`` controller is enabled for
    sub-groups of this process's cgroup (``cgroup.subtree_control``).
    """
    base = base if base is not None else _own_cgroup()
    if base is None or cores <= 0:
        return None
    try:
        if "cpu" not in (base / "cgroup.subtree_control").read_text().split():
            return None
        group = base / f"grader-sandbox-{os.getpid()}-{pid}"
        group.mkdir(exist_ok=True)
    except OSError:
        return None
    period = 100_000
    try:
        (group / "cpu.max").write_text(f"{int(cores * period)} {period}")
        (group / "cgroup.procs").write_text(str(pid))
    except OSError:
        remove_cgroup(group)
        return None
    return group


def remove_cgroup(group: Path | None) -> None:
    """Remove a cgroup made by :func:`cpu_cgroup` (its processes have been killed)."""
    if group is not None:
        with contextlib.suppress(OSError):
            group.rmdir()
