"""The runner's view of one child process: spawn it, read its events with deadlines.

Trusted side.  Reads the protocol fd and the student's output with one
``selectors`` loop (no threads), caps both, validates every message and stops
at the first deadline, crash, oversized message or ``done``.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader.sandbox.wire import loads

if TYPE_CHECKING:
    from grader.sandbox.zygote import ZygoteChild

    ChildProcess = subprocess.Popen | ZygoteChild

__all__ = ["CappedBytes", "Stop", "drive", "exit_description"]


class CappedBytes:
    """Keeps the first ``limit`` bytes written, counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.dropped = 0

    def add(self, chunk: bytes) -> None:
        room = self.limit - len(self.data)
        self.data += chunk[: max(room, 0)]
        self.dropped += max(len(chunk) - max(room, 0), 0)

    def text(self) -> str:
        out = self.data.decode("utf-8", errors="replace")
        return out + (f"\n[{self.dropped} more bytes of output not shown]" if self.dropped else "")


@dataclass(frozen=True, slots=True)
class Stop:
    """Why a child stopped: ``done``, ``timeout``, ``crash``, ``oversize`` or ``total``."""

    reason: str
    item: tuple[Any, ...] | None
    detail: str = ""
    seconds: float = 0.0


def exit_description(returncode: int | None) -> str:
    """Plain words for how a process ended."""
    if returncode is None:
        return "the process stopped responding"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "unknown"
        if name == "SIGXCPU":
            return f"the process ran out of CPU time (signal {-returncode}, SIGXCPU)"
        return f"the process crashed with signal {-returncode} ({name})"
    return f"the process exited with code {returncode}"


Handler = Callable[[dict[str, Any]], "tuple[tuple[Any, ...] | None, float] | str | None"]


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 1 << 16)
    except BlockingIOError:
        return b"?"  # nothing now; not EOF
    except OSError:
        return b""


def drive(
    proc: ChildProcess,
    proto_fd: int,
    out_fd: int,
    output: CappedBytes,
    handle: Handler,
    *,
    first_deadline: float,
    total_deadline: float,
    max_message: int,
) -> Stop:
    """Feed protocol messages to ``handle`` until the child finishes or must be stopped.

    ``handle`` returns ``"done"`` to finish, ``(item, seconds)`` to set the item
    being run and its time allowance, or ``None`` to leave them unchanged.
    """
    sel = selectors.DefaultSelector()
    for fd in (proto_fd, out_fd):
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    buf = bytearray()
    item: tuple[Any, ...] | None = ("startup",)
    allowance = first_deadline - time.monotonic()
    deadline = first_deadline
    proto_open = True
    try:
        while True:
            now = time.monotonic()
            if now >= total_deadline:
                return Stop("total", item)
            if now >= deadline:
                return Stop("timeout", item, seconds=allowance)
            exited = proc.poll() is not None
            ready = sel.select(timeout=0 if exited else min(deadline - now, total_deadline - now, 0.5))
            got_proto = False
            for key, _ in ready:
                chunk = _read(key.fd)
                if chunk == b"?":
                    continue
                if key.fd == out_fd:
                    output.add(chunk)
                    if not chunk:
                        sel.unregister(out_fd)
                    continue
                got_proto = True
                if not chunk:
                    sel.unregister(proto_fd)
                    proto_open = False
                    continue
                buf += chunk
                while (cut := buf.find(b"\n")) >= 0:
                    line = bytes(buf[:cut])
                    del buf[: cut + 1]
                    result = _dispatch(line, handle, max_message)
                    if result == "done":
                        return Stop("done", None)
                    if isinstance(result, tuple):
                        item, allowance = result
                        deadline = time.monotonic() + allowance
                if len(buf) > max_message:
                    return Stop("oversize", item, f"a message over the limit of {max_message} bytes")
            if (exited or not proto_open) and not got_proto:
                if not exited:
                    try:
                        proc.wait(timeout=max(0.0, min(deadline, total_deadline) - time.monotonic()))
                    except subprocess.TimeoutExpired:
                        continue
                return Stop("crash", item, exit_description(proc.returncode))
    finally:
        sel.close()


def _dispatch(line: bytes, handle: Handler, max_message: int) -> Any:
    try:
        message = loads(line, max_bytes=max_message)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(message, dict) or not isinstance(message.get("event"), str):
        return None
    return handle(message)
