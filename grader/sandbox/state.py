"""What the runner knows so far about one submission, across restarted children.

Trusted side.  :meth:`RunState.handle` validates each protocol message (unknown
events, wrong names or indices are ignored); :meth:`RunState.apply_stop` turns
a hang or a crash into a failed item, so the next child skips it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.sandbox.answers import CallOutcome, Failed, Missing
from grader.sandbox.limits import Limits
from grader.sandbox.protocol import Step, Stop
from grader.sandbox.wire import decode
from grader.submission import SubmissionError, notebook_cells, notebook_line

__all__ = ["RunState"]

MAX_MESSAGE_CHARS = 600
MAX_ERRORS = 200
"""Statement errors kept (a file has far fewer top-level statements that fail)."""
MAX_ERROR_CHARS = 64_000
"""Total characters of statement errors kept."""
MAX_NOTICES = 50


def _text(value: Any, limit: int = MAX_MESSAGE_CHARS) -> str:
    text = value if isinstance(value, str) else ""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _labeller(entry: Path) -> Callable[[int], str]:
    if entry.suffix != ".ipynb":
        return lambda line: f"line {line}"
    try:
        cells = notebook_cells(entry)
    except SubmissionError:
        cells = []
    return lambda line: notebook_line(cells, line)


@dataclass
class RunState:
    """Mutable bookkeeping of one :func:`run_submission`; never leaves the runner."""

    names: list[str]
    calls: list[tuple[str, Any, Any]]
    limits: Limits
    label: Callable[[int], str]
    values: dict[str, Any] = field(default_factory=dict)
    outcomes: dict[int, CallOutcome] = field(default_factory=dict)
    stopped: dict[str, str] = field(default_factory=dict)
    skip_lines: set[int] = field(default_factory=set)
    errors: dict[int, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    syntax: str | None = None
    statements_done: bool = False
    finished: bool = False
    progress: int = 0
    network_notice: bool = False
    values_done: bool = False
    child_statements_done: bool = False
    current: int | None = None
    child_messages: int = 0
    run_messages: int = 0
    kept_bytes: int = 0
    error_chars: int = 0

    @classmethod
    def new(cls, entry: Path, names: list[str], calls: list[tuple[str, Any, Any]], limits: Limits,
            ) -> RunState:
        return cls(names=list(dict.fromkeys(names)), calls=calls, limits=limits, label=_labeller(entry))

    @property
    def gap(self) -> float:
        """Time allowed for the child's own work between two items."""
        return max(self.limits.statement_seconds, 5.0)

    def names_left(self) -> list[str]:
        if self.values_done:
            return []
        return [n for n in self.names if n not in self.values]

    def pending(self) -> list[int]:
        return [i for i in range(len(self.calls)) if i not in self.outcomes]

    def needs_run(self) -> bool:
        return not self.finished and (not self.statements_done or bool(self.names_left() or self.pending()))

    def request(self, entry: str) -> dict[str, Any]:
        """The request for a fresh child: the file, the names still unknown; never a call.

        Each call reaches the child only when it is made (:meth:`_on_next`).
        """
        self.progress = 0
        self.child_messages = 0
        self.child_statements_done = False
        self.current = None
        return {"entry": entry, "names": self.names_left(), "skip_lines": sorted(self.skip_lines)}

    # ------------------------------------------------------------ messages

    def handle(self, message: dict[str, Any]) -> Step | Stop | str | None:
        """Apply one protocol message; see ``grader.sandbox.protocol.drive``."""
        self.child_messages += 1
        self.run_messages += 1
        limits = self.limits
        if self.run_messages > limits.run_messages:
            self.give_up(f"stopped: the sandbox sent more than {limits.run_messages} messages in this run")
            return Stop("flood", None, "too many messages")
        if self.child_messages > limits.child_messages:
            return Stop("flood", None, f"the process sent more than {limits.child_messages} messages")
        method = getattr(self, f"_on_{message['event']}", None)
        if method is None:
            return None
        result = method(message)
        if isinstance(result, Step):
            self.progress += 1
        return result

    def _keep(self, message: dict[str, Any]) -> str | None:
        """Count a value or a result against the run's budget; why it is not kept, if it is not."""
        size = message.get("size")
        self.kept_bytes += size if type(size) is int else 0
        if self.kept_bytes > self.limits.kept_bytes:
            return (f"not kept: the submission's values and results passed "
                    f"{self.limits.kept_bytes // 2**20} MiB in total")
        return None

    def _on_ready(self, message: dict[str, Any]) -> Any:
        network = _text(message.get("network"), 200)
        if network != "blocked" and not self.network_notice:
            self.network_notice = True
            self.notice(f"network access was not blocked ({network or 'no report'})")
        return Step(None, self.gap)

    def _on_done(self, message: dict[str, Any]) -> Any:
        self.finished = True
        return "done"

    def _on_syntax_error(self, message: dict[str, Any]) -> Any:
        if self.syntax is not None:
            return None
        line = message.get("line")
        line = line if type(line) is int and line > 0 else 0
        text = _text(message.get("text"), 200)
        detail = _text(message.get("error")) + (f": {text}" if text else "")
        self.syntax = f"{self.label(line)}: {detail}" if line else detail
        self.errors[line] = self.syntax
        self.statements_done = self.child_statements_done = True  # nothing of the file runs
        return Step(None, self.gap)

    def _on_statement(self, message: dict[str, Any]) -> Any:
        line = message.get("line")
        if type(line) is not int or self.child_statements_done:
            return None
        # what earlier statements left running is killed before this one starts
        return Step(("statement", line), self.limits.statement_seconds, reply={"go": line}, sweep=True)

    def _on_statement_error(self, message: dict[str, Any]) -> Any:
        line = message.get("line")
        if type(line) is not int or line in self.skip_lines or self.child_statements_done:
            return None
        text = f"{self.label(line)}: {_text(message.get('error'))}"
        old = self.errors.get(line)
        self.error_chars += len(text) - (len(old) if old else 0)
        if old is None and len(self.errors) >= MAX_ERRORS or self.error_chars > MAX_ERROR_CHARS:
            return Stop("flood", None, f"more than {MAX_ERRORS} statement errors or "
                                       f"{MAX_ERROR_CHARS} characters of them")
        self.errors[line] = text
        return None

    def _on_statements_done(self, message: dict[str, Any]) -> Any:
        if self.child_statements_done:
            return None
        self.statements_done = self.child_statements_done = True
        return Step(None, self.gap, sweep=True)

    def _on_value_start(self, message: dict[str, Any]) -> Any:
        name = message.get("name")
        if not self.child_statements_done or name not in self.names_left():
            return None
        return Step(("value", name), self.limits.call_seconds)

    def _on_value(self, message: dict[str, Any]) -> Any:
        name = message.get("name")
        if not self.child_statements_done or name not in self.names_left():
            return None
        if (why := self._keep(message)) is not None:
            self.values[name] = Failed(why)
        elif "error" in message:
            self.values[name] = Failed(_text(message.get("error")))
        else:
            self.values[name] = decode(message.get("value"))
        return Step(None, self.gap)

    def _on_next(self, message: dict[str, Any]) -> Any:
        """The child asks for its next call: sent only once the previous one is answered."""
        if not self.child_statements_done or self.current is not None:
            return None
        self.values_done = True  # a name not sent by now is not defined; no later child reads it
        pending = self.pending()
        if not pending:
            return Step(None, self.gap, reply={"end": True})
        index = pending[0]
        fname, args, kwargs = self.calls[index]
        self.current = index
        call = {"index": index, "function": fname, "args": args, "kwargs": kwargs}
        return Step(None, self.gap, reply={"call": call}, sweep=True)

    def _on_call_start(self, message: dict[str, Any]) -> Any:
        index = message.get("index")
        if type(index) is not int or index != self.current:
            return None
        return Step(("call", index), self.limits.call_seconds)

    def _on_call(self, message: dict[str, Any]) -> Any:
        index = message.get("index")
        if type(index) is not int or index != self.current:
            return None
        self.current = None
        seconds = message.get("seconds")
        seconds = float(seconds) if isinstance(seconds, (int, float)) and math.isfinite(seconds) else 0.0
        output = _text(message.get("output"), self.limits.call_output_chars + 100)
        if (why := self._keep(message)) is not None:
            value: Any = Failed(why)
            output = ""
        elif "error" in message:
            value = Failed(_text(message.get("error")))
        else:
            value = decode(message.get("value"))
        self.outcomes[index] = CallOutcome(value, max(seconds, 0.0), output)
        return Step(None, self.gap)

    def notice(self, text: str) -> None:
        """Keep a notice for the staff and the student (at most ``MAX_NOTICES``)."""
        if len(self.notices) < MAX_NOTICES:
            self.notices.append(text)

    # --------------------------------------------------------------- stops

    def apply_stop(self, stop: Stop, output: str) -> None:
        """Record why a child stopped, so that the next child skips the culprit."""
        if stop.reason == "done":
            return
        if stop.reason == "total":
            self.give_up(f"not run: the submission used up its total time of {self.limits.total_seconds:g} s",
                         timed_out=True)
            return
        if self.finished:  # the run was given up while the child ran
            return
        timed_out = stop.reason == "timeout"
        what = stop.detail or "the process crashed"
        if timed_out:
            clock = "of CPU time" if stop.clock == "cpu" else "(wall clock)"
            what = f"stopped after {stop.seconds:g} s {clock}"
        if timed_out and stop.item and stop.item[0] in ("call", "value"):
            what += ": it ran longer than the time limit"
        if stop.reason == "flood":
            what = f"stopped: {what}"
            self.notice(f"the sandbox was {what}")
        kind = stop.item[0] if stop.item else None
        if kind is None and self.current is not None:  # the call was sent, but had not started
            stop, kind = Stop(stop.reason, ("call", self.current), stop.detail, stop.seconds, stop.clock), "call"
        if kind == "startup":
            tail = output.strip().splitlines()[-3:]
            why = stop.detail or ("it did not start within the time limit" if timed_out else "it crashed")
            self.give_up(f"the sandbox could not start: {why}" + (": " + " | ".join(tail) if tail else ""))
        elif kind == "statement":
            line = stop.item[1]  # type: ignore[index]
            self.skip_lines.add(line)
            self.errors[line] = f"{self.label(line)}: {what}; the rest of the file was still run"
        elif kind == "value":
            self.values[stop.item[1]] = Failed(f"reading its value {what}", timed_out=timed_out)  # type: ignore[index]
        elif kind == "call":
            self._fail_call(stop.item[1], what, timed_out, stop.seconds)  # type: ignore[index]
        elif self.progress == 0 or stop.reason == "flood":
            self.give_up(f"not run: {what}")

    def _fail_call(self, index: int, what: str, timed_out: bool, seconds: float) -> None:
        fname = self.calls[index][0]
        self.outcomes[index] = CallOutcome(Failed(what, timed_out=timed_out), seconds if timed_out else 0.0)
        why = "ran out of time" if timed_out else "crashed the process"
        self.stopped[fname] = f"not called: an earlier call of {fname} {why}"
        for j in self.pending():
            if self.calls[j][0] == fname:
                self.outcomes[j] = CallOutcome(Failed(self.stopped[fname]))

    def give_up(self, reason: str, *, timed_out: bool = False) -> None:
        """Fail everything still unknown with ``reason`` and stop starting children."""
        self.finished = True
        self.notice(reason)
        for name in self.names_left():
            self.values[name] = Failed(reason, timed_out=timed_out)
        for i in self.pending():
            self.outcomes[i] = CallOutcome(Failed(reason, timed_out=timed_out))

    # --------------------------------------------------------------- final

    def final_values(self) -> dict[str, Any]:
        reason = "not defined"
        if self.syntax:
            reason = f"not defined: the file could not be run ({self.syntax})"
        return {n: self.values.get(n, Missing(reason)) for n in self.names}

    def final_outcomes(self) -> tuple[CallOutcome, ...]:
        return tuple(self.outcomes.get(i, CallOutcome(Failed("not run"))) for i in range(len(self.calls)))

    def final_statement_errors(self) -> tuple[str, ...]:
        return tuple(self.errors[k] for k in sorted(self.errors))
