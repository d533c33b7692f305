"""Resource limits of the sandbox child, and how the child applies them to itself.

``apply_rlimits`` runs first thing in the child process, before it imports
anything heavy or reads the student's file: once lowered, an unprivileged
process cannot raise a hard limit again, so nothing the student runs later can
undo them.  This module is stdlib-only so the child can import it early, and
imports ``resource`` only where it applies the limits: Windows has none, and
the self-check there relies on its wall-clock limits alone.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import asdict, dataclass
from typing import Any

MiB = 2**20

_RLIMITS: dict[str, str] = {
    "cpu_seconds": "RLIMIT_CPU",
    "address_space": "RLIMIT_AS",
    "file_size": "RLIMIT_FSIZE",
    "open_files": "RLIMIT_NOFILE",
    "max_processes": "RLIMIT_NPROC",
}
"""Field of :class:`Limits` -> name of its limit in the ``resource`` module."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Time, memory and size limits for running one submission.

    Attributes:
        statement_seconds: CPU time for one top-level statement of the file.
        call_seconds: CPU time for one call of a student function (and for
            encoding one requested name's value).
        total_seconds: wall time for the whole submission, restarts included.
        startup_seconds: time for the child to start (imports numpy/sympy).
        cpu_seconds: CPU time of one child process (RLIMIT_CPU).
        address_space: virtual memory of one child process (RLIMIT_AS), bytes;
            well under Gradescope's 768 MB container (numpy and sympy need
            about 140 MB with ``OPENBLAS_NUM_THREADS=1``).
        max_processes: processes of the sandbox user (RLIMIT_NPROC); applied
            only when the child runs as the dedicated sandbox user.
        file_size: largest file the child may write (RLIMIT_FSIZE), bytes.
        open_files: open file descriptors (RLIMIT_NOFILE).
        output_bytes: the student's printed output kept, bytes (rest dropped).
        call_output_chars: printed output kept per call, characters.
        message_bytes: largest protocol message accepted from the child.
        child_messages: protocol messages accepted from one child process;
            beyond, it is stopped (an honest child sends a few per statement,
            name and call).
        run_messages: protocol messages accepted in the whole run; beyond, the
            run stops.
        kept_bytes: total size of the values and call results kept from the
            child (the grader's memory); beyond, they are not kept.
        wall_factor: a statement or call is judged by the CPU time of the
            child's processes; this many times its limit in wall time stops it
            anyway (a sleeping or starved child).
        cpu_cores: CPUs one child's processes may use together, where a cgroup
            v2 ``cpu.max`` can be set (elsewhere they run at nice 19).
        submission_bytes: largest total size of the submission folder copied.
        max_restarts: fresh children started after a hang or a crash.
        user: the unprivileged account the child runs as when the grader is root.
        python: interpreter for the child; default ``$GRADER_CHILD_PYTHON`` or
            ``sys.executable``.  It must be runnable by ``user``.
    """

    statement_seconds: float = 10.0
    call_seconds: float = 10.0
    total_seconds: float = 300.0
    startup_seconds: float = 60.0
    cpu_seconds: int = 300
    address_space: int = 512 * MiB
    max_processes: int = 32
    file_size: int = 16 * MiB
    open_files: int = 128
    output_bytes: int = 1 * MiB
    call_output_chars: int = 4000
    message_bytes: int = 8 * MiB
    child_messages: int = 20_000
    run_messages: int = 100_000
    kept_bytes: int = 8 * MiB
    wall_factor: float = 3.0
    cpu_cores: float = 1.0
    submission_bytes: int = 50 * MiB
    max_restarts: int = 10
    user: str = "grader-sandbox"
    python: str | None = None

    def child_python(self) -> str:
        """The interpreter that runs the child."""
        return self.python or os.environ.get("GRADER_CHILD_PYTHON") or sys.executable

    def rlimits(self, *, isolated: bool) -> dict[str, int]:
        """The rlimits the child sets on itself, by field name."""
        chosen = {name: int(getattr(self, name)) for name in _RLIMITS}
        if not isolated:
            # RLIMIT_NPROC counts every process of the real user: only safe for
            # the dedicated sandbox account.
            del chosen["max_processes"]
        return chosen

    def to_json(self) -> dict[str, Any]:
        """The limits as plain data."""
        return asdict(self)


def apply_rlimits(chosen: dict[str, int], *, strict: bool | None = None) -> list[str]:
    """Lower soft and hard limits of the current process (never raises them).

    Only the limits the platform has are applied.  A limit the system refuses
    raises when ``strict`` (the default on Linux, where the sandbox relies on
    them) and is skipped otherwise (macOS refuses some address-space limits).

    Returns:
        The fields of ``chosen`` that were not applied.
    """
    try:
        import resource
    except ImportError:  # Windows
        return sorted(name for name, value in chosen.items() if name in _RLIMITS and value > 0)
    strict = sys.platform.startswith("linux") if strict is None else strict
    skipped = []
    for name, value in chosen.items():
        if value <= 0 or name not in _RLIMITS:
            continue
        which = getattr(resource, _RLIMITS[name], None)
        if which is None:
            skipped.append(name)
            continue
        try:
            _lower(resource, which, value)
        except (ValueError, OSError):
            if strict:
                raise
            skipped.append(name)
    return sorted(skipped)


def _lower(resource: Any, which: int, value: int) -> None:
    _, hard = resource.getrlimit(which)
    new_hard = value if hard == resource.RLIM_INFINITY else min(hard, value)
    if which == resource.RLIMIT_CPU and new_hard == value:
        # SIGXCPU at the soft limit, SIGKILL one second later at the hard one.
        resource.setrlimit(which, (value, value + 1))
        return
    resource.setrlimit(which, (min(value, new_hard), new_hard))


def lower_forks() -> None:
    """Every process forked from now on starts at the lowest priority (nice 19).

    The runner also lowers every process of the child but the child itself
    as it finds them (it is the guarantee; this is the fast path).
    """
    if hasattr(os, "register_at_fork") and hasattr(os, "setpriority"):
        os.register_at_fork(after_in_child=_lowest_priority)


def _lowest_priority() -> None:
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, 0, 19)
