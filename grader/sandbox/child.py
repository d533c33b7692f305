"""The sandbox child: the UNTRUSTED side, the only process that runs student code.

Started by :mod:`grader.sandbox.runner` as
``python -I -B grader/sandbox/child.py PROTOCOL_FD COMMAND_FD``, or by
:mod:`grader.sandbox.portable` (the self-check, on any OS) as ``python -I -B
grader/sandbox/child.py stdio``: commands on stdin, messages on stdout, the
student's prints on stderr.  It reads its
request (the file, the names to read, its rlimits) from the command fd, lowers
its own rlimits, imports everything it needs (so a ``json.py`` or ``numpy.py``
beside the student's file cannot shadow them), then runs the student's file
one top-level statement at a time (each once the runner says ``go``),
evaluates the requested names, and asks for calls one at a time: it learns
each call's arguments only when the call is made, and drops them after it.
It reports on the protocol fd only, one JSON object per line; the student's
prints go to fd 1/2, which the runner reads with a cap.

Events: ``ready``, ``syntax_error``, ``statement``, ``statement_error``,
``statements_done``, ``value_start``, ``value``, ``next``, ``call_start``,
``call``, ``done``.  Commands: the request, ``{"go": line}``,
``{"call": {...}}``, ``{"end": true}``.
"""

from __future__ import annotations
import __future__

import ast
import json
import linecache
import os
import select
import sys
import time
import types
from pathlib import Path

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _wait(fd: int, *, write: bool) -> None:
    """Wait until ``fd`` is ready (Windows' ``select`` takes sockets only: there, a short sleep)."""
    try:
        select.select([], [fd], []) if write else select.select([fd], [], [])
    except (OSError, ValueError):
        time.sleep(0.01)


class _Channel:
    """Writes protocol messages, one JSON object per line, on a dedicated fd."""

    def __init__(self, fd: int, dumps) -> None:  # type: ignore[no-untyped-def]
        self.fd = fd
        self.dumps = dumps

    def send(self, message: dict) -> None:
        try:
            data = (self.dumps(message) + "\n").encode("utf-8", "replace")
        except (ValueError, TypeError) as exc:
            message = {k: v for k, v in message.items() if k in ("event", "index", "name", "line")}
            message["error"] = f"the value could not be sent: {exc}"[:300]
            data = (self.dumps(message) + "\n").encode("utf-8", "replace")
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.fd, view)
            except BlockingIOError:  # student code made the fd non-blocking
                _wait(self.fd, write=True)
                continue
            view = view[written:]


class _Commands:
    """Reads the runner's instructions, one JSON object per line, from a dedicated fd.

    The runner sends an instruction only when the child asks for it, so
    nothing beyond the current one is ever buffered here.
    """

    def __init__(self, fd: int, loads) -> None:  # type: ignore[no-untyped-def]
        self.fd = fd
        self.loads = loads
        self.buffer = b""

    def read(self) -> dict:
        while b"\n" not in self.buffer:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:  # student code made the fd non-blocking
                _wait(self.fd, write=False)
                continue
            if not chunk:
                os._exit(0)  # the runner has gone or stopped this child
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        message = self.loads(line)
        del line
        return message if isinstance(message, dict) else {}


class _Capture:
    """A capped text sink standing in for sys.stdout/sys.stderr during a call."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0
        self.encoding = "utf-8"
        self.errors = "replace"

    def write(self, text: object) -> int:
        text = str(text)
        if self.size < self.limit:
            self.parts.append(text[: self.limit - self.size])
        self.size += len(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def text(self) -> str:
        dropped = self.size - self.limit
        return "".join(self.parts) + (f"\n[{dropped} more characters not shown]" if dropped > 0 else "")


def _describe(exc: BaseException, filename: str, label) -> str:  # type: ignore[no-untyped-def]
    """``Type: message (where)`` for a student's exception, capped."""
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001 - a student's __str__ may raise anything
        text = ""
    name = type(exc).__name__
    message = f"{name}: {text}" if text else name
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is not None:
        message += f" ({label(line)})"
    return message if len(message) <= 500 else message[:497] + "..."


def _module_name(entry) -> str:  # type: ignore[no-untyped-def]
    stem = entry.stem
    if stem.isidentifier() and stem not in sys.modules and stem not in sys.builtin_module_names:
        return stem
    return "submission"


def _run_file(request: dict, channel: _Channel, commands: _Commands, label):  # type: ignore[no-untyped-def]
    from grader.submission import SubmissionError, notebook_source

    entry = Path(request["entry"])
    filename = str(entry)
    module = types.ModuleType(_module_name(entry))
    module.__file__ = filename
    sys.modules[module.__name__] = module
    ns = module.__dict__
    try:
        source = notebook_source(entry) if entry.suffix == ".ipynb" else entry.read_bytes()
        text = source if isinstance(source, str) else source.decode("utf-8", "replace")
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        tree = ast.parse(source, filename)
    except SyntaxError as exc:
        detail = f"SyntaxError: {exc.msg}"
        channel.send({"event": "syntax_error", "line": exc.lineno or 0, "error": detail,
                      "text": (exc.text or "").strip()[:200]})
        return ns, filename
    except (SubmissionError, ValueError, RecursionError, MemoryError, OSError) as exc:
        channel.send({"event": "syntax_error", "line": 0, "error": f"{type(exc).__name__}: {exc}"[:500],
                      "text": ""})
        return ns, filename
    skip = set(request.get("skip_lines", ()))
    flags = 0
    for stmt in tree.body:
        line = stmt.lineno
        if line in skip:
            continue
        channel.send({"event": "statement", "line": line})
        commands.read()  # "go": what earlier statements left running has been stopped
        try:
            module_ast = ast.Module([stmt], type_ignores=[])
            code = compile(module_ast, filename, "exec", flags=flags, dont_inherit=True)
            exec(code, ns)
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt included
            channel.send({"event": "statement_error", "line": line, "error": _describe(exc, "", label)})
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            for alias in stmt.names:
                feature = getattr(__future__, alias.name, None)
                flags |= getattr(feature, "compiler_flag", 0)
    channel.send({"event": "statements_done"})
    return ns, filename


def _send_values(request: dict, ns: dict, channel: _Channel) -> None:
    from grader.sandbox.wire import encode

    for name in request.get("names", ()):
        if name not in ns:
            continue
        channel.send({"event": "value_start", "name": name})
        channel.send({"event": "value", "name": name, "value": encode(ns[name])})


def _make_call(call: dict, ns: dict, filename: str, label, limit: int) -> dict:  # type: ignore[no-untyped-def]
    from grader.sandbox.wire import decode_args, encode

    fname = call["function"]
    if fname not in ns:
        return {"error": f"{fname} is not defined in the submission"}
    func = ns[fname]
    if not callable(func):
        return {"error": f"{fname} is not a function (it is of type {type(func).__name__})"}
    args = decode_args(call.pop("args"))
    kwargs = decode_args(call.pop("kwargs"))
    capture = _Capture(limit)
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = capture  # type: ignore[assignment]
    start = time.perf_counter()
    try:
        result = func(*args, **kwargs)
        del args, kwargs
        outcome: dict = {"value": encode(result)}
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt included
        outcome = {"error": _describe(exc, filename, label)}
    finally:
        seconds = time.perf_counter() - start
        sys.stdout, sys.stderr = saved
    outcome.update(seconds=seconds, output=capture.text())
    return outcome


def _preload() -> None:
    """Import what the child needs before the student's folder is on sys.path.

    sympy is not preloaded (it costs a third of a second): the student's folder
    goes at the *end* of ``sys.path``, so no installed or standard module can
    be shadowed by a file beside the submission, and the encoder looks sympy
    up in ``sys.modules`` only if the student imported it.
    """
    import numpy  # noqa: F401

    import grader.sandbox.answers  # noqa: F401
    import grader.sandbox.calls  # noqa: F401
    import grader.sandbox.wire  # noqa: F401
    import grader.submission  # noqa: F401


def _channels(argv: list[str]) -> tuple[int, int]:
    """The protocol and command fds: given by number, or taken from stdout and stdin (``stdio``).

    With ``stdio``, fd 1 then points where stderr does, so the student's
    prints never mix with the messages.
    """
    if argv[1] != "stdio":
        return int(argv[1]), int(argv[2])
    fd, cmd_fd = os.dup(1), os.dup(0)
    os.dup2(2, 1)
    return fd, cmd_fd


def _block_network(request: dict) -> str:
    """Load the seccomp filter where there is one (Linux); else say why not."""
    if not request.get("block_network", True):
        return "not requested"
    if not sys.platform.startswith("linux"):
        return f"no seccomp filter on {sys.platform}"
    from grader.sandbox.netfilter import block_network

    return block_network()


def main(argv: list[str]) -> None:
    """Run one request; see the module docstring."""
    fd, cmd_fd = _channels(argv)
    os.set_inheritable(fd, False)
    os.set_inheritable(cmd_fd, False)
    commands = _Commands(cmd_fd, json.loads)
    request = commands.read()
    sys.path.insert(0, _REPO)
    from grader.sandbox.limits import apply_rlimits, lower_forks

    apply_rlimits(request.pop("rlimits", {}))
    lower_forks()
    sys.dont_write_bytecode = True
    _preload()
    network = _block_network(request)
    sys.path.remove(_REPO)
    from grader.sandbox.wire import dumps
    from grader.submission import notebook_cells, notebook_line

    channel = _Channel(fd, dumps)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    sys.stdout.reconfigure(encoding="utf-8", line_buffering=True, errors="backslashreplace")  # type: ignore[union-attr]
    sys.stderr.reconfigure(encoding="utf-8", errors="backslashreplace")  # type: ignore[union-attr]
    channel.send({"event": "ready", "network": network or "blocked"})

    entry = Path(request["entry"])
    if entry.suffix == ".ipynb":
        try:
            cells = notebook_cells(entry)
        except Exception:  # noqa: BLE001 - reported when the file is parsed
            cells = []
        label = lambda line: f"{entry.name}, {notebook_line(cells, line)}"  # noqa: E731
    else:
        label = lambda line: f"{entry.name}, line {line}"  # noqa: E731
    sys.path.append(str(entry.parent))  # last: a json.py or numpy.py beside hw4.py shadows nothing
    ns, filename = _run_file(request, channel, commands, label)
    _send_values(request, ns, channel)
    limit = int(request.get("call_output_chars", 4000))
    del request
    while True:
        channel.send({"event": "next"})
        call = commands.read().get("call")
        if not isinstance(call, dict):
            break
        index = call["index"]
        channel.send({"event": "call_start", "index": index})
        outcome = _make_call(call, ns, filename, label, limit)
        del call
        channel.send({"event": "call", "index": index, **outcome})
        del outcome
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001, S110 - the student may have closed them
        pass
    channel.send({"event": "done"})
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
