"""Run a submission in the sandbox child and collect what it reports (TRUSTED side).

One call of :func:`run_submission` may start several children: when a
top-level statement hangs or crashes the child, a fresh child runs the file
again without it; when a call hangs or crashes, that call fails, the function
is not called again, and a fresh child makes the remaining calls.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.sandbox import namespaces
from grader.sandbox.calls import Case
from grader.sandbox.cleanup import (
    become_subreaper,
    children_of,
    kill_strays,
    kill_user_processes,
    private_session_keyring,
    remove_user_files,
)
from grader.sandbox.cpu import ProcessTree, cpu_cgroup, remove_cgroup
from grader.sandbox.isolation import (
    Identity,
    identity_for,
    lock_secret_paths,
    make_workdir,
    release_identity,
)
from grader.sandbox.limits import Limits
from grader.sandbox.protocol import CappedBytes, Clock, Stop, drive
from grader.sandbox.result import SandboxResult
from grader.sandbox.scratch import remove_tree
from grader.sandbox.state import RunState
from grader.sandbox.wire import encode_args
from grader.sandbox.zygote import Zygote, ZygoteChild

__all__ = ["SandboxResult", "run_submission", "use_fork_server"]

_FORK_SERVER: dict[str, Any] = {"enabled": False, "zygote": None}


def use_fork_server(enabled: bool = True) -> None:
    """Fork children from a zygote that imported numpy and sympy once (for batch workers).

    Only children isolated by user (the grader runs as root) are forked so;
    each is still a fresh process with the same limits and clean-up.  If the
    zygote cannot start or dies, children start the ordinary way.
    """
    _FORK_SERVER["enabled"] = enabled
    if not enabled and _FORK_SERVER["zygote"] is not None:
        _FORK_SERVER["zygote"].close()
        _FORK_SERVER["zygote"] = None


def _zygote(python: str) -> Zygote | None:
    zygote = _FORK_SERVER["zygote"]
    if zygote is not None and not zygote.alive():
        zygote = _FORK_SERVER["zygote"] = None
    if zygote is None:
        try:
            zygote = _FORK_SERVER["zygote"] = Zygote(python)
        except OSError:
            return None
    return zygote

CHILD = Path(__file__).resolve().with_name("child.py")


def run_submission(
    entry: Path,
    names: Sequence[str],
    calls: Sequence[tuple[str, Case]],
    *,
    limits: Limits = Limits(),  # noqa: B008 - frozen, immutable default
    secret_paths: Sequence[Path] = (),
) -> SandboxResult:
    """Run ``entry`` in the sandbox, read ``names``, make ``calls``.

    Args:
        entry: the student's ``.py`` or ``.ipynb`` file (see ``grader.submission.find_entry``).
        names: module-level names whose values are wanted.
        calls: (function name, arguments) pairs; their outcomes come back in order.
        limits: time, memory and size limits.
        secret_paths: folders or files the child must not read or write (the
            reference, the rubric, the results folder); made private 0700/0600
            before the child starts (when running as root).
    """
    start = time.monotonic()
    encoded = [(fname, *_encoded(case)) for fname, case in calls]
    state = RunState.new(Path(entry), list(names), encoded, limits)
    state.notices.extend(lock_secret_paths(tuple(secret_paths)))
    identity = identity_for(limits.user)
    _leave_session_keyring()
    workdir: Path | None = None
    try:
        if identity.isolated:
            _clean_up(identity)  # whatever a crashed earlier run may have left
        else:
            _adopt_orphans()
            if not namespaces.support().isolated:  # else user, mount, PID, network namespaces
                state.notices.append(namespaces.unisolated_notice(identity.name))
        workdir, sandbox_entry, copy_notices = make_workdir(Path(entry), identity, limits.submission_bytes)
        state.notices.extend(copy_notices)
        output = CappedBytes(limits.output_bytes)
        total_deadline = start + limits.total_seconds
        launches = 0
        while state.needs_run():
            if launches > limits.max_restarts:
                state.give_up(f"not run: the sandbox was restarted {limits.max_restarts} times")
                break
            if launches:
                output.add(b"\n[the file was run again in a fresh process]\n")
            launches += 1
            stop = _launch(state, sandbox_entry, workdir, identity, limits, output, total_deadline)
            state.apply_stop(stop, output.text())
    finally:
        if workdir is not None:
            remove_tree(workdir)
        if identity.isolated:
            _clean_up(identity)
        release_identity(identity)
    return SandboxResult(
        values=state.final_values(),
        outcomes=state.final_outcomes(),
        statement_errors=state.final_statement_errors(),
        notices=tuple(state.notices),
        stdout=output.text(),
        seconds=time.monotonic() - start,
    )


_ENCODED: dict[int, tuple[Case, Any, Any]] = {}


def _encoded(case: Case) -> tuple[Any, Any]:
    """A planned call's arguments on the wire; a batch worker sends the same calls for every submission."""
    kept = _ENCODED.get(id(case))
    if kept is None or kept[0] is not case:
        if len(_ENCODED) > 4096:
            _ENCODED.clear()
        kept = _ENCODED[id(case)] = (case, encode_args(case.args), encode_args(dict(case.kwargs)))
    return kept[1], kept[2]


_SUBREAPER: list[bool] = []


def _adopt_orphans() -> None:
    """Once per process: become a child subreaper, so that no descendant of a child escapes."""
    if not _SUBREAPER:
        _SUBREAPER.append(become_subreaper())


_KEYRING: list[bool] = []


def _leave_session_keyring() -> None:
    """Once per process, before any child: a new, empty session keyring, so no child possesses the caller's keys."""
    if not _KEYRING:
        _KEYRING.append(private_session_keyring())


def _clean_up(identity: Identity) -> None:
    """Kill every process of the sandbox account, then remove the files it left in shared folders."""
    kill_user_processes(identity.uid)  # type: ignore[arg-type]
    remove_user_files(identity.uid)  # type: ignore[arg-type]


def _environment(workdir: Path, identity: Identity) -> dict[str, str]:
    home = str(workdir / "tmp")
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": home,
        "TMPDIR": str(workdir / "tmp"),
        "USER": identity.name,
        "LOGNAME": identity.name,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
    }


def _request(state: RunState, entry: Path, identity: Identity, limits: Limits) -> dict[str, Any]:
    """The child's first message: its file, the names to read and its limits; never a call."""
    request = state.request(str(entry))
    request["rlimits"] = limits.rlimits(isolated=identity.isolated or namespaces.limits_processes())
    request["call_output_chars"] = limits.call_output_chars
    return request


def _launch(
    state: RunState,
    entry: Path,
    workdir: Path,
    identity: Identity,
    limits: Limits,
    output: CappedBytes,
    total_deadline: float,
) -> Stop:
    """Start one child, drive it to a stop, and make sure nothing of it survives.

    Three pipes: protocol messages from the child, instructions to it (the
    request, then one call at a time, each only when it is made), and the
    student's output.  No file holds the request.
    """
    proto_r, proto_w = os.pipe()
    cmd_r, cmd_w = os.pipe()
    out_r, out_w = os.pipe()
    extra: dict[str, Any] = {}
    if identity.isolated:
        extra = {"user": identity.uid, "group": identity.gid, "extra_groups": []}
    cmd = [limits.child_python(), "-I", "-B", str(CHILD), str(proto_w), str(cmd_r)]
    keep = set() if identity.isolated else children_of(os.getpid())
    try:
        proc = _start(cmd, entry, workdir, identity, limits, (proto_w, cmd_r, out_w), extra)
    except OSError as exc:
        for fd in (proto_r, proto_w, cmd_r, cmd_w, out_r, out_w):
            os.close(fd)
        return Stop("crash", ("startup",), f"the sandbox could not start: {exc}")
    for fd in (proto_w, cmd_r, out_w):
        os.close(fd)
    # the child waits for its request; meanwhile it is confined (cgroup where possible)
    group = cpu_cgroup(proc.pid, limits.cpu_cores)
    # a forked child is the child itself; a started one may sit behind a namespace wrapper
    marker, depth = str(CHILD), 0
    if isinstance(proc, ZygoteChild):
        keep.add(proc.server)  # the zygote may have started with this child: it is not the child's
        # a fork that made namespaces waits outside them while their PID 1 reaps the child
        marker, depth = "", (2 if proc.namespaces else 0)
    tree = ProcessTree(proc.pid, identity.uid, frozenset(keep), marker=marker, depth=depth)
    clock = Clock(tree, limits.startup_seconds, limits.wall_factor)
    clock.start(limits.startup_seconds, wall=limits.startup_seconds)
    try:
        return drive(
            proc, (proto_r, cmd_w, out_r), output, state.handle, clock,
            first=_request(state, entry, identity, limits),
            total_deadline=total_deadline, max_message=limits.message_bytes,
        )
    finally:
        _terminate(proc, identity, keep)
        _drain(out_r, output)
        for fd in (proto_r, cmd_w, out_r):
            os.close(fd)
        remove_cgroup(group)


def _start(
    cmd: list[str], entry: Path, workdir: Path, identity: Identity, limits: Limits, fds: tuple[int, int, int],
    extra: dict[str, Any],
) -> subprocess.Popen | ZygoteChild:
    """A fresh child: forked by the zygote when enabled and isolated, else a new interpreter.

    Namespaces wherever the kernel allows: as a normal user, or as root around
    the uid drop (the wrapper started as the account; the zygote's fork entering
    them before it drops).  As root, where they are refused, the account alone.

    ``fds`` are the child's ends of its pipes: (protocol, commands, output).
    """
    proto_w, cmd_r, out_w = fds
    env = _environment(workdir, identity)
    zygote = _zygote(limits.child_python()) if _FORK_SERVER["enabled"] and _forkable(identity) else None
    if zygote is not None:
        try:
            return zygote.spawn(uid=identity.uid, gid=identity.gid, cwd=entry.parent, env=env,
                                proto_w=proto_w, cmd_r=cmd_r, out_w=out_w,
                                view=namespaces.fork_view(workdir, limits.child_python()))
        except OSError:
            use_fork_server(False)  # fall back for this process; the run goes on
            _FORK_SERVER["enabled"] = True
    if not identity.isolated and namespaces.support().isolated:
        return namespaces.popen(cmd, workdir=workdir, cwd=entry.parent, env=env, stdout=out_w,
                                pass_fds=(proto_w, cmd_r))
    if identity.uid is not None and identity.gid is not None:
        account = (identity.uid, identity.gid)
        if (ns := namespaces.support_as(*account, cmd[0])).isolated:
            # the uid drop first, then the namespaces: they are the account's own
            return namespaces.popen(cmd, workdir=workdir, cwd=entry.parent, env=env, stdout=out_w,
                                    pass_fds=(proto_w, cmd_r), account=account, mode=ns.mode)
    return subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, pass_fds=(proto_w, cmd_r),
        cwd=entry.parent, env=env, start_new_session=True, **extra,
    )


def _forkable(identity: Identity) -> bool:
    """Whether a child may be forked by the zygote: as a sandbox account, or in a normal user's namespaces."""
    if identity.isolated:
        return True
    return identity.uid is None and os.geteuid() != 0 and namespaces.can_enter()


def _terminate(proc: subprocess.Popen | ZygoteChild, identity: Identity, keep: set[int]) -> None:
    """SIGKILL the child's session (before reaping it) and every process it left.

    Isolated: every process of the sandbox account.  Otherwise: the child's
    descendants and the orphans this process adopted (not those in ``keep``).
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if identity.isolated:
        kill_user_processes(identity.uid)  # type: ignore[arg-type]
    else:
        kill_strays(proc.pid, keep)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _drain(fd: int, output: CappedBytes, seconds: float = 0.2) -> None:
    """Read what is left of the student's output, for at most ``seconds``."""
    end = time.monotonic() + seconds
    os.set_blocking(fd, False)
    while time.monotonic() < end:
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            time.sleep(0.01)
            continue
        except OSError:
            return
        if not chunk:
            return
        output.add(chunk)


