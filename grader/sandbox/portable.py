"""Run a submission as a plain subprocess under wall-clock limits: the self-check, on any OS (TRUSTED side).

The self-check runs only the student's own code on the student's own machine
(Windows, macOS or Linux), so it needs time limits, not a sandbox: the child
(:mod:`grader.sandbox.child`, the same one grading uses) is a plain
subprocess, talked to over its stdin and stdout (its stderr carries the
student's prints), read by threads (Windows cannot ``select`` pipes), and
killed when an item passes its time in wall-clock seconds.  Where the
platform has them, the child also lowers its rlimits and loads the seccomp
filter, and the child starts a session of its own so that what it started
dies with it.

Nothing here drops a user, enters namespaces, meters CPU through ``/proc`` or
cleans up an account's processes: that is :mod:`grader.sandbox.runner`, the
grading path, which this module never imports.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.sandbox.calls import Case
from grader.sandbox.limits import Limits
from grader.sandbox.protocol import CappedBytes, Step, Stop, _dispatch, exit_description
from grader.sandbox.result import SandboxResult
from grader.sandbox.state import RunState
from grader.sandbox.wire import dumps, encode_args

__all__ = ["SandboxResult", "run_submission"]

CHILD = Path(__file__).resolve().with_name("child.py")
POLL_SECONDS = 0.25
"""How often a quiet child is checked for having exited."""
QUEUED_CHUNKS = 64
"""Chunks of the child's messages read ahead (64 KiB each); beyond, the child waits."""
_SESSIONS = hasattr(os, "setsid") and hasattr(os, "killpg") and hasattr(signal, "SIGKILL")
"""Whether the child gets a session of its own, killed whole (POSIX)."""
_UNCHECKED = ("network access was not blocked",)
"""Notices of the grading sandbox that mean nothing for a self-check."""


class _Output:
    """The student's output, capped; written by a reader thread, read by the runner."""

    def __init__(self, limit: int) -> None:
        self.capped = CappedBytes(limit)
        self.lock = threading.Lock()

    def add(self, chunk: bytes) -> None:
        with self.lock:
            self.capped.add(chunk)

    def text(self) -> str:
        with self.lock:
            return self.capped.text()


class _Pipes:
    """Threads that read the child's messages and output and write its instructions."""

    def __init__(self, proc: subprocess.Popen, output: _Output) -> None:
        self.proc = proc
        self.messages: queue.Queue[bytes] = queue.Queue(maxsize=QUEUED_CHUNKS)
        self.commands: queue.Queue[bytes | None] = queue.Queue()
        self.closed = threading.Event()
        self.threads = [
            threading.Thread(target=self._read, args=(proc.stdout, self._queue), daemon=True),
            threading.Thread(target=self._read, args=(proc.stderr, output.add), daemon=True),
            threading.Thread(target=self._write, daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def send(self, message: dict[str, Any]) -> None:
        self.commands.put((dumps(message) + "\n").encode("utf-8"))

    def _queue(self, chunk: bytes) -> None:
        while not self.closed.is_set():
            with contextlib.suppress(queue.Full):
                self.messages.put(chunk, timeout=POLL_SECONDS)
                return

    def _read(self, pipe: Any, sink: Any) -> None:
        while True:
            try:
                chunk = pipe.read(1 << 16)
            except (OSError, ValueError):  # closed under us
                chunk = b""
            sink(chunk or b"")
            if not chunk:
                return

    def _write(self) -> None:
        stdin = self.proc.stdin
        while (data := self.commands.get()) is not None:
            view = memoryview(data)
            try:
                while view:
                    view = view[stdin.write(view) or 0:]  # type: ignore[union-attr]
            except (OSError, ValueError):  # the child has gone
                break
        with contextlib.suppress(OSError, ValueError):
            stdin.close()  # type: ignore[union-attr]

    def close(self) -> None:
        """Stop the threads (the child is dead by now) and close what they have let go of."""
        self.closed.set()
        self.commands.put(None)
        for thread in self.threads:
            thread.join(timeout=1.0)
        # a pipe still held by a process the child left behind stays open until it lets go
        for pipe, thread in zip((self.proc.stdout, self.proc.stderr, self.proc.stdin), self.threads, strict=True):
            if pipe is not None and not thread.is_alive():
                with contextlib.suppress(OSError):
                    pipe.close()


def run_submission(
    entry: Path,
    names: Sequence[str],
    calls: Sequence[tuple[str, Case]],
    *,
    limits: Limits = Limits(),  # noqa: B008 - frozen, immutable default
) -> SandboxResult:
    """Run ``entry`` in a plain subprocess, read ``names``, make ``calls`` (see ``runner.run_submission``).

    The file runs where it is.  Each statement, value and call has its limit
    in wall-clock seconds (``statement_seconds``, ``call_seconds``); a child
    that passes it is killed and a fresh one goes on without that item.
    """
    start = time.monotonic()
    entry = Path(entry).absolute()
    encoded = [(fname, encode_args(case.args), encode_args(dict(case.kwargs))) for fname, case in calls]
    state = RunState.new(entry, list(names), encoded, limits)
    output = _Output(limits.output_bytes)
    scratch = Path(tempfile.mkdtemp(prefix="grader-check-"))
    try:
        total_deadline = start + limits.total_seconds
        launches = 0
        while state.needs_run():
            if launches > limits.max_restarts:
                state.give_up(f"not run: the file was run again {limits.max_restarts} times")
                break
            if launches:
                output.add(b"\n[the file was run again in a fresh process]\n")
            launches += 1
            stop = _launch(state, entry, scratch, limits, output, total_deadline)
            state.apply_stop(stop, output.text())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return SandboxResult(
        values=state.final_values(),
        outcomes=state.final_outcomes(),
        statement_errors=state.final_statement_errors(),
        notices=tuple(n for n in state.notices if not n.startswith(_UNCHECKED)),
        stdout=output.text(),
        seconds=time.monotonic() - start,
    )


def _environment(scratch: Path) -> dict[str, str]:
    """The student's own environment (Windows needs it to start Python), one thread for BLAS, a private temp."""
    env = dict(os.environ)
    env.update({
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
        "TMPDIR": str(scratch), "TEMP": str(scratch), "TMP": str(scratch),
    })
    return env


def _launch(
    state: RunState, entry: Path, scratch: Path, limits: Limits, output: _Output, total_deadline: float,
) -> Stop:
    """Start one child, drive it to a stop, and kill it (and, where possible, what it started)."""
    cmd = [limits.child_python(), "-I", "-B", str(CHILD), "stdio"]
    try:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
            cwd=entry.parent, env=_environment(scratch), start_new_session=_SESSIONS,
        )
    except OSError as exc:
        return Stop("crash", ("startup",), f"the sandbox could not start: {exc}")
    pipes = _Pipes(proc, output)
    try:
        request = state.request(str(entry))
        request["rlimits"] = limits.rlimits(isolated=False)
        request["call_output_chars"] = limits.call_output_chars
        pipes.send(request)
        return _drive(proc, pipes, state, limits, total_deadline)
    finally:
        _kill(proc)
        pipes.close()


def _drive(proc: subprocess.Popen, pipes: _Pipes, state: RunState, limits: Limits, total_deadline: float) -> Stop:
    """Feed the child's messages to ``state`` until it finishes or passes a limit (wall clock)."""
    item: tuple[Any, ...] | None = ("startup",)
    allowance = limits.startup_seconds
    deadline = time.monotonic() + allowance
    buf = bytearray()
    exited_at: float | None = None
    while True:
        now = time.monotonic()
        if now >= total_deadline:
            return Stop("total", item)
        if now >= deadline:
            return Stop("timeout", item, seconds=allowance, clock="wall")
        try:
            chunk = pipes.messages.get(timeout=max(min(deadline, total_deadline, now + POLL_SECONDS) - now, 0.0))
        except queue.Empty:
            # gone without closing its messages: a process it forked holds them open
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            elif exited_at is not None and now - exited_at >= POLL_SECONDS:
                return Stop("crash", item, exit_description(proc.returncode))
            continue
        if not chunk:
            try:
                proc.wait(timeout=max(min(deadline, total_deadline) - time.monotonic(), 0.0))
            except subprocess.TimeoutExpired:
                return Stop("timeout", item, seconds=allowance, clock="wall")
            return Stop("crash", item, exit_description(proc.returncode))
        buf += chunk
        while (cut := buf.find(b"\n")) >= 0:
            line = bytes(buf[:cut])
            del buf[: cut + 1]
            result = _dispatch(line, state.handle, limits.message_bytes)
            if result == "done":
                return Stop("done", None)
            if isinstance(result, Stop):
                return Stop(result.reason, item, result.detail)
            if isinstance(result, Step):
                if result.reply is not None:
                    pipes.send(result.reply)
                item, allowance = result.item, result.allowance
                deadline = time.monotonic() + allowance
        if len(buf) > limits.message_bytes:
            return Stop("oversize", item, f"a message over the limit of {limits.message_bytes} bytes")


def _kill(proc: subprocess.Popen) -> None:
    """Kill the child and what it started: its session (POSIX) or its process tree (Windows)."""
    if _SESSIONS:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
    elif sys.platform == "win32" and proc.poll() is None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10, check=False)
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
