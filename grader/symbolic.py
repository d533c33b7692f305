"""Time-limited symbolic work: run a function in a child process, kill it on timeout.

sympy's ``simplify`` and friends can take unbounded time on some inputs.  The
work runs in a child process that pickles its result back; the parent kills
it when the time is up.  Only the trusted grader calls this, on trusted sympy
objects.

Two ways, chosen by platform:

* Linux: ``os.fork`` (the fast path; nothing needs to be importable or
  picklable but the result, and it works inside daemonic pool workers).
* macOS and Windows: a helper interpreter started as a plain subprocess
  (Windows has no ``fork``; on macOS a fork after numpy is loaded is unsafe).
  It imports the function by name with the caller's ``sys.path``, so the
  function and its arguments must pickle; it stays up for the next call and
  is replaced after a timeout.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["SymbolicFailure", "TimedOut", "run_with_time_limit"]

T = TypeVar("T")

_MAX_RESULT_BYTES = 8 * 1024 * 1024
_FORK = sys.platform.startswith("linux") and hasattr(os, "fork")
"""Whether the work is forked (Linux) rather than sent to a helper interpreter."""
_FRAME = struct.Struct("!Q")


@dataclass(frozen=True, slots=True)
class TimedOut:
    """The symbolic work did not finish within ``seconds``."""

    seconds: float


class SymbolicFailure(Exception):
    """The function raised in the child, or the child died without a result."""


def run_with_time_limit(fn: Callable[..., T], *args: Any, seconds: float) -> T | TimedOut:
    """Call ``fn(*args)`` in a child process and return its result or ``TimedOut``.

    Args:
        fn: the work; its result must be picklable (sympy objects are).  On
            macOS and Windows, ``fn`` and ``args`` must pickle too (a function
            defined at the top of an importable module).
        *args: positional arguments for ``fn``.
        seconds: wall-clock limit; the child is killed when it passes.

    Raises:
        SymbolicFailure: ``fn`` raised (the message names the exception) or
            the child ended without a result.
    """
    data = _forked(fn, args, seconds) if _FORK else _HELPER.run(fn, args, seconds)
    if data is None:
        return TimedOut(seconds)
    if not data:
        raise SymbolicFailure("the symbolic work ended without a result")
    status, value = pickle.loads(data)  # noqa: S301 - written by our own child
    if status == "error":
        raise SymbolicFailure(value)
    return value


def _outcome(fn: Callable[..., Any], args: tuple[Any, ...]) -> bytes:
    """``("ok", result)`` or ``("error", "Type: message")``, pickled."""
    try:
        return pickle.dumps(("ok", fn(*args)))
    except BaseException as exc:  # noqa: BLE001 - everything is reported to the parent
        return pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))


# ------------------------------------------------------------------ Linux: fork


def _forked(fn: Callable[..., Any], args: tuple[Any, ...], seconds: float) -> bytes | None:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_fd)
        _child(fn, args, write_fd)
    os.close(write_fd)
    finished = False
    try:
        data = _read_until(read_fd, time.monotonic() + max(seconds, 0.0))
        finished = data is not None
    finally:
        os.close(read_fd)
        _reap(pid, kill=not finished)
    return data


def _child(fn: Callable[..., Any], args: tuple[Any, ...], write_fd: int) -> None:
    try:
        view = memoryview(_outcome(fn, args))
        while view:
            written = os.write(write_fd, view)
            view = view[written:]
    finally:
        os._exit(0)


def _read_until(read_fd: int, deadline: float) -> bytes | None:
    """Read the pipe to its end; ``None`` when the deadline passes first."""
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if not ready:
            return None
        chunk = os.read(read_fd, 65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > _MAX_RESULT_BYTES:
            raise SymbolicFailure("the symbolic result is too large")
        chunks.append(chunk)


def _reap(pid: int, kill: bool) -> None:
    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


# ------------------------------------------------------------------ macOS, Windows: a helper interpreter

_SERVE = "import sys; sys.path[:] = sys.argv[1:]; from grader.symbolic import serve; serve()"
_START_SECONDS = 120.0
"""Time for the helper to start and import the function (not counted against the work's limit)."""


class _Helper:
    """One helper interpreter, started on first use and replaced after a timeout or a crash.

    Each job is two frames: the function (the helper imports it, then answers
    with an empty frame, or with the error), then its arguments; the time
    limit runs from the second.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.replies: queue.Queue[bytes | None] = queue.Queue()

    def run(self, fn: Callable[..., Any], args: tuple[Any, ...], seconds: float) -> bytes | None:
        """The pickled outcome, ``b""`` if the helper died, ``None`` on timeout."""
        try:
            job = pickle.dumps(fn), pickle.dumps(args)
        except Exception as exc:  # noqa: BLE001 - a lambda, a local function, an unpicklable argument
            raise SymbolicFailure(f"the work cannot be sent to the helper process: {type(exc).__name__}: "
                                  f"{exc}") from None
        with self.lock:
            ready = self._ask(job[0], _START_SECONDS)
            if ready != b"":  # the function could not be imported (its error), or no helper came up
                return ready or b""
            return self._ask(job[1], max(seconds, 0.0))

    def _ask(self, frame: bytes, seconds: float) -> bytes | None:
        """Send one frame; the answer, ``None`` on timeout, or the helper's error if it is gone.

        The helper is stopped on a timeout or once it is gone.
        """
        proc = self._start()
        try:
            proc.stdin.write(_FRAME.pack(len(frame)) + frame)  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
            reply = self.replies.get(timeout=seconds)
        except queue.Empty:
            self.stop()
            return None
        except OSError:
            reply = None
        if reply is None:
            self.stop()
            return pickle.dumps(("error", "the helper process ended without a result"))
        return reply

    def _start(self) -> subprocess.Popen:
        if self.proc is not None and self.proc.poll() is None:
            return self.proc
        self.stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SERVE, *[p for p in sys.path if isinstance(p, str)]],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.replies = queue.Queue()
        threading.Thread(target=_read_replies, args=(self.proc.stdout, self.replies), daemon=True).start()
        return self.proc

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        for pipe in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                pipe.close()  # type: ignore[union-attr]


def _read_frame(pipe: Any, limit: int = _MAX_RESULT_BYTES) -> bytes | None:
    """One length-prefixed frame; ``None`` at the end of the pipe."""
    head = pipe.read(_FRAME.size)
    if len(head) < _FRAME.size:
        return None
    (size,) = _FRAME.unpack(head)
    if size > limit:
        raise ValueError("frame too large")
    body = pipe.read(size)
    return body if len(body) == size else None


def _write_frame(pipe: Any, data: bytes) -> None:
    pipe.write(_FRAME.pack(len(data)) + data)
    pipe.flush()


def _read_replies(pipe: Any, replies: queue.Queue[bytes | None]) -> None:
    """Put each reply of the helper on ``replies``; ``None`` once it is gone or says too much."""
    with contextlib.suppress(OSError, ValueError):
        while (frame := _read_frame(pipe)) is not None:
            replies.put(frame)
    replies.put(None)


_HELPER = _Helper()


def serve() -> None:
    """The helper's loop (see :class:`_Helper`), until its stdin closes.

    Frames go over a copy of stdout; what the work prints goes to stderr.
    """
    jobs = sys.stdin.buffer
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    while (frame := _read_frame(jobs, sys.maxsize)) is not None:
        try:
            fn = pickle.loads(frame)  # noqa: S301 - from the trusted grader
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            _write_frame(out, pickle.dumps(("error", f"{type(exc).__name__}: {exc}")))
            continue
        _write_frame(out, b"")
        frame = _read_frame(jobs, sys.maxsize)
        if frame is None:
            return
        _write_frame(out, _outcome(fn, pickle.loads(frame)))  # noqa: S301 - from the trusted grader
