"""A fork server for sandbox children: pay for Python and numpy once, not per submission.

A batch worker grades many submissions; starting a fresh interpreter and
importing numpy (and sympy, for students who use it) costs more CPU than
grading most submissions.  The zygote is a separate process started once per
worker: a fresh interpreter that imports only what the child needs and holds
no secret (it never sees the reference, the rubric or the grader's memory).
For each child it forks; the fork drops to the sandbox account, enters its
own session, and runs :func:`grader.sandbox.child.main` exactly as a freshly
started child would.  So every student still runs in a fresh process, with
the same limits, filters and clean-up.

The zygote runs as the grader's user (root on Gradescope), so student code,
running as the sandbox account, cannot signal, trace or alter it.  It talks
to its worker over a private socket pair: a spawn request carries the
child's three pipe ends (``SCM_RIGHTS``) and gets the pid back; exit statuses
follow as the children end.

Where the kernel allows (probed once when the zygote starts), each fork
first enters new mount, UTS, IPC, network and PID namespaces as root and
sees only the view the worker sends (:func:`grader.sandbox.namespaces.enter_fork`:
the system, the engine, the Python and the run's own folder); the child, a
grandchild of the fork behind the namespace's PID 1, then drops to the
account.  Where the namespaces are refused, the fork goes on without them and
the account's permissions are the layer, as before.

Run as ``python -I -B zygote.py SOCKET_FD`` by :class:`Zygote`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_SPAWN_SECONDS = 10.0


# ------------------------------------------------------------------ the server (zygote side)


_NAMESPACES: list[bool] = [False]
"""Whether this zygote's forks can enter namespaces (set by :func:`serve`)."""


def _child(spec: Mapping[str, Any], fds: list[int], sock: socket.socket) -> None:
    """In the fork: become the sandbox child and run it; never returns.

    ``fds`` are the child's pipe ends (protocol, commands, output); they end
    up as fds 3, 4 and 1/2, every other descriptor closed.
    """
    try:
        sock.close()
        os.setsid()
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in fds]  # out of the way of 0-4
        proto_w, cmd_r, out_w = high
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        proto, cmd = 3, 4
        os.dup2(proto_w, proto)
        os.dup2(cmd_r, cmd)
        os.closerange(cmd + 1, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024)
        # fresh text streams on the new fds, as a newly started interpreter would have
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        for name in ("stdin", "stdout", "stderr"):
            setattr(sys, f"__{name}__", getattr(sys, name))
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        if _wants_view(spec):
            from grader.sandbox import namespaces

            # as root, False leaves the account's permissions alone; a normal user has nothing else
            if not namespaces.enter_fork(dict(spec["view"]), str(spec["cwd"])) and spec.get("uid") is None:
                raise OSError("the namespaces of the sandbox could not be entered")
        if spec.get("uid") is not None:
            os.setgroups([])
            os.setgid(int(spec["gid"]))
            os.setuid(int(spec["uid"]))
        os.chdir(spec["cwd"])
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in spec["env"].items()})
        from grader.sandbox import child

        child.main([child.__file__, str(proto), str(cmd)])
    except BaseException as exc:  # noqa: BLE001 - the fork must never return into the server loop
        with contextlib.suppress(OSError):
            os.write(2, f"the sandbox child could not start: {type(exc).__name__}: {exc}\n".encode())
        os._exit(70)
    os._exit(0)


def _wants_view(spec: Mapping[str, Any]) -> bool:
    """As root, around the uid drop where the kernel allows; as a normal user, always (or not at all)."""
    if not isinstance(spec.get("view"), dict):
        return False
    return spec.get("uid") is None if os.geteuid() else _NAMESPACES[0] and spec.get("uid") is not None


def _reap(sock: socket.socket) -> None:
    """Report every child that has ended: ``{"exit": pid, "status": waitstatus}``."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        sock.sendall((json.dumps({"exit": pid, "status": status}) + "\n").encode())


def serve(fd: int) -> None:
    """The zygote's loop: fork a child per spawn request until the socket closes."""
    sock = socket.socket(fileno=fd)
    sys.path.insert(0, _REPO)
    from grader.sandbox import child

    child._preload()  # numpy and the child's own modules, as a fresh child would import them
    from grader.sandbox import namespaces

    _NAMESPACES[0] = namespaces.can_enter()
    with contextlib.suppress(ImportError):
        import sympy  # noqa: F401 - a student who imports sympy then pays nothing
    sys.path.remove(_REPO)
    while True:
        ready, _, _ = select.select([sock], [], [], 0.005)
        _reap(sock)
        if not ready:
            continue
        message, fds, _, _ = socket.recv_fds(sock, 1 << 16, 3)
        if not message:
            return
        spec = json.loads(message)
        if len(fds) != 3:
            for extra in fds:
                os.close(extra)
            sock.sendall(b'{"error": "a spawn request needs three file descriptors"}\n')
            continue
        pid = os.fork()
        if pid == 0:
            _child(spec, fds, sock)
        for fd in fds:
            os.close(fd)
        sock.sendall((json.dumps({"pid": pid, "namespaces": _wants_view(spec)}) + "\n").encode())


# ------------------------------------------------------------------ the client (grader side)


class ZygoteChild:
    """A child forked by the zygote, with the part of ``subprocess.Popen`` the runner uses."""

    def __init__(self, zygote: Zygote, pid: int, namespaces: bool = False) -> None:
        self._zygote = zygote
        self.pid = pid
        self.namespaces = namespaces
        """Whether the child was asked into namespaces by a zygote that can make them."""
        self.returncode: int | None = None

    @property
    def server(self) -> int:
        """The pid of the zygote that forked this child."""
        return self._zygote.pid

    def poll(self) -> int | None:
        if self.returncode is None:
            self._zygote.pump(0.0)
            self._settle()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else _now() + timeout
        while self.poll() is None:
            left = None if deadline is None else deadline - _now()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(f"zygote child {self.pid}", timeout or 0.0)
            if not self._zygote.pump(0.05 if left is None else min(left, 0.05)):
                self.returncode = -signal.SIGKILL  # the zygote is gone: its children went with it
        return self.returncode  # type: ignore[return-value]

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self.pid, signal.SIGKILL)

    def _settle(self) -> None:
        status = self._zygote.exits.pop(self.pid, None)
        if status is not None:
            self.returncode = os.waitstatus_to_exitcode(status)


def _now() -> float:
    return time.monotonic()


class Zygote:
    """The grader's handle on one zygote process (start it once, spawn many children)."""

    def __init__(self, python: str) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock = ours
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1",
               "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        self._proc = subprocess.Popen(
            [python, "-I", "-B", str(Path(__file__)), str(theirs.fileno())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),), env=env, cwd="/", start_new_session=True,
        )
        theirs.close()
        self._buffer = b""
        self.exits: dict[int, int] = {}
        self._pids: list[tuple[int, bool]] = []

    def alive(self) -> bool:
        return self._proc.poll() is None

    @property
    def pid(self) -> int:
        """The zygote's own pid (never one of the children's processes)."""
        return self._proc.pid

    def spawn(self, *, uid: int | None, gid: int | None, cwd: Path, env: Mapping[str, str],
              proto_w: int, cmd_r: int, out_w: int, view: Mapping[str, Any] | None = None) -> ZygoteChild:
        """Fork a child on these pipe ends (it reads its request from ``cmd_r``); ``OSError`` when it cannot.

        ``view`` (:func:`grader.sandbox.namespaces.fork_view`): what the child sees, where namespaces work.
        """
        spec = {"uid": uid, "gid": gid, "cwd": str(cwd), "env": dict(env), "view": view}
        try:
            socket.send_fds(self._sock, [json.dumps(spec).encode()], [proto_w, cmd_r, out_w])
        except OSError as exc:
            raise OSError(f"the fork server is not available: {exc}") from None
        deadline = _now() + _SPAWN_SECONDS
        while not self._pids:
            if _now() > deadline or not self.pump(0.1):
                raise OSError("the fork server did not answer")
        pid, namespaced = self._pids.pop(0)
        return ZygoteChild(self, pid, namespaced)

    def pump(self, seconds: float) -> bool:
        """Read what the zygote sent within ``seconds``; False once it has gone."""
        ready, _, _ = select.select([self._sock], [], [], max(0.0, seconds))
        if not ready:
            return True
        try:
            chunk = self._sock.recv(1 << 16)
        except OSError:
            return False
        if not chunk:
            return False
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            message = json.loads(line)
            if "pid" in message:
                self._pids.append((int(message["pid"]), bool(message.get("namespaces"))))
            elif "exit" in message:
                self.exits[int(message["exit"])] = int(message["status"])
            elif "error" in message:
                raise OSError(str(message["error"]))
        return True

    def close(self) -> None:
        """Stop the zygote (its children have all been killed by then)."""
        try:
            self._sock.close()
        finally:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
