"""The runner's view of one child process: spawn it, read its events with deadlines.

Trusted side.  Reads the protocol fd and the student's output with one
``selectors`` loop (no threads), caps both, validates every message, writes
the child's next instruction (one call at a time) on a second pipe, and stops
at the first exhausted CPU allowance or wall-clock backstop, crash, oversized
message, flood of messages or ``done``.
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

from grader.sandbox.wire import dumps, loads

if TYPE_CHECKING:  # the self-check imports this module, never the CPU meter (Linux /proc)
    from grader.sandbox.cpu import ProcessTree
    from grader.sandbox.zygote import ZygoteChild

    ChildProcess = subprocess.Popen | ZygoteChild

__all__ = ["CappedBytes", "Clock", "Stop", "Step", "drive", "exit_description"]


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
    """Why a child stopped: ``done``, ``timeout``, ``crash``, ``oversize``, ``flood`` or ``total``.

    ``seconds`` is the limit that was hit; ``clock`` says which: ``"cpu"``
    (CPU time of the child's processes) or ``"wall"`` (the wall-clock backstop).
    """

    reason: str
    item: tuple[Any, ...] | None
    detail: str = ""
    seconds: float = 0.0
    clock: str = "cpu"


@dataclass(frozen=True, slots=True)
class Step:
    """What the runner does after a message: the item now running and its CPU allowance.

    ``reply`` is sent to the child (its next instruction); ``sweep`` first
    kills every process of the child but the child itself.
    """

    item: tuple[Any, ...] | None
    allowance: float
    reply: dict[str, Any] | None = None
    sweep: bool = False


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


Handler = Callable[[dict[str, Any]], "Step | Stop | str | None"]
MAX_CONTAINERS = 250_000
"""Most JSON arrays and objects in one message (each costs the parser about 64 bytes)."""
POLL_SECONDS = 0.25
"""How often the CPU time of a running child is read."""


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 1 << 16)
    except BlockingIOError:
        return b"?"  # nothing now; not EOF
    except OSError:
        return b""


@dataclass
class Clock:
    """The running item's limits: CPU seconds, and a wall-clock backstop."""

    tree: ProcessTree
    allowance: float
    backstop: float
    cpu_start: float = 0.0
    wall_seconds: float = 0.0
    wall_end: float = 0.0
    last_full: float = 0.0

    def start(self, allowance: float, *, wall: float | None = None) -> None:
        """Start timing an item: ``allowance`` CPU seconds, ``wall`` (default ``backstop`` times that)."""
        self.allowance = allowance
        self.cpu_start = self.tree.cpu(full=False)
        self.wall_seconds = wall if wall is not None else allowance * self.backstop
        self.wall_end = time.monotonic() + self.wall_seconds

    def expired(self, now: float) -> str | None:
        """``"cpu"`` or ``"wall"`` once a limit is reached (the other processes read every poll)."""
        if now >= self.wall_end:
            return "wall"
        full = now - self.last_full >= POLL_SECONDS
        if full:
            self.last_full = now
        if self.tree.cpu(full=full) - self.cpu_start >= self.allowance:
            return "cpu"
        return None


class Outbox:
    """Messages to the child, written without blocking as the pipe takes them."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.data = bytearray()
        os.set_blocking(fd, False)

    def put(self, message: dict[str, Any]) -> None:
        self.data += (dumps(message) + "\n").encode("utf-8")

    def flush(self) -> bool:
        """Write what the pipe takes now; False once the child closed its end."""
        while self.data:
            try:
                written = os.write(self.fd, self.data)
            except BlockingIOError:
                return True
            except OSError:
                self.data.clear()
                return False
            del self.data[:written]
        return True


def drive(
    proc: ChildProcess,
    channels: tuple[int, int, int],
    output: CappedBytes,
    handle: Handler,
    clock: Clock,
    *,
    first: dict[str, Any],
    total_deadline: float,
    max_message: int,
) -> Stop:
    """Feed protocol messages to ``handle`` until the child finishes or must be stopped.

    ``channels`` are (protocol fd from the child, command fd to the child,
    output fd).  ``first`` is sent at once: the child's request.  ``handle``
    returns ``"done"`` to finish, a :class:`Step` to move on, a :class:`Stop`
    to stop the child, or ``None`` to leave things unchanged.  An item is
    stopped when its child's processes used its CPU allowance or when the
    wall-clock backstop passes (``clock``).
    """
    proto_fd, cmd_fd, out_fd = channels
    sel = selectors.DefaultSelector()
    for fd in (proto_fd, out_fd):
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    outbox = Outbox(cmd_fd)
    outbox.put(first)
    buf = bytearray()
    item: tuple[Any, ...] | None = ("startup",)
    proto_open = True
    try:
        while True:
            now = time.monotonic()
            if now >= total_deadline:
                return Stop("total", item)
            if (clock_hit := clock.expired(now)) is not None:
                seconds = clock.allowance if clock_hit == "cpu" else clock.wall_seconds
                return Stop("timeout", item, seconds=seconds, clock=clock_hit)
            outbox.flush()
            exited = proc.poll() is not None
            wait = min(clock.wall_end - now, total_deadline - now, POLL_SECONDS)
            ready = sel.select(timeout=0 if exited else max(wait, 0.0))
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
                    if isinstance(result, Stop):
                        return Stop(result.reason, item, result.detail)
                    if isinstance(result, Step):
                        if result.sweep:
                            clock.tree.sweep()
                        if result.reply is not None:
                            outbox.put(result.reply)
                            outbox.flush()
                        item = result.item
                        clock.start(result.allowance)
                if len(buf) > max_message:
                    return Stop("oversize", item, f"a message over the limit of {max_message} bytes")
            if (exited or not proto_open) and not got_proto:
                if not exited:
                    try:
                        proc.wait(timeout=max(0.0, min(clock.wall_end, total_deadline) - time.monotonic()))
                    except subprocess.TimeoutExpired:
                        continue
                return Stop("crash", item, exit_description(proc.returncode))
    finally:
        sel.close()


def _dispatch(line: bytes, handle: Handler, max_message: int) -> Any:
    message = None
    if line.count(b"[") + line.count(b"{") <= MAX_CONTAINERS:  # bounds the memory parsing may take
        try:
            message = loads(line, max_bytes=max_message)
        except (ValueError, UnicodeDecodeError):
            message = None
    if not isinstance(message, dict) or not isinstance(message.get("event"), str):
        message = {"event": "invalid"}  # counted like any message, then ignored
    message["size"] = len(line)
    return handle(message)
