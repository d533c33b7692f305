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

from grader.answers import CallOutcome, Failed, Missing
from grader.sandbox.limits import Limits
from grader.sandbox.protocol import Stop
from grader.sandbox.wire import decode
from grader.submission import SubmissionError, notebook_cells, notebook_line

__all__ = ["RunState"]

MAX_MESSAGE_CHARS = 600


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

    @classmethod
    def new(cls, entry: Path, names: list[str], calls: list[tuple[str, Any, Any]], limits: Limits,
            ) -> RunState:
        return cls(names=list(dict.fromkeys(names)), calls=calls, limits=limits, label=_labeller(entry))

    @property
    def gap(self) -> float:
        """Time allowed for the child's own work between two items."""
        return max(self.limits.statement_seconds, 5.0)

    def names_left(self) -> list[str]:
        return [n for n in self.names if n not in self.values]

    def pending(self) -> list[int]:
        return [i for i in range(len(self.calls)) if i not in self.outcomes]

    def needs_run(self) -> bool:
        return not self.finished and (not self.statements_done or bool(self.names_left() or self.pending()))

    def request(self, entry: str) -> dict[str, Any]:
        """The request for a fresh child: only what is still unknown."""
        self.progress = 0
        calls = [
            {"index": i, "function": self.calls[i][0], "args": self.calls[i][1], "kwargs": self.calls[i][2],
             "skip_reason": self.stopped.get(self.calls[i][0])}
            for i in self.pending()
        ]
        skip = sorted(self.skip_lines)
        return {"entry": entry, "names": self.names_left(), "skip_lines": skip, "calls": calls}

    # ------------------------------------------------------------ messages

    def handle(self, message: dict[str, Any]) -> tuple[tuple[Any, ...] | None, float] | str | None:
        """Apply one protocol message; see ``grader.sandbox.protocol.drive``."""
        event = message["event"]
        method = getattr(self, f"_on_{event}", None)
        if method is None:
            return None
        result = method(message)
        if result is not None:
            self.progress += 1
        return result

    def _on_ready(self, message: dict[str, Any]) -> Any:
        network = _text(message.get("network"), 200)
        if network != "blocked" and not self.network_notice:
            self.network_notice = True
            self.notices.append(f"network access was not blocked ({network or 'no report'})")
        return (None, self.gap)

    def _on_done(self, message: dict[str, Any]) -> Any:
        self.finished = True
        return "done"

    def _on_syntax_error(self, message: dict[str, Any]) -> Any:
        line = message.get("line")
        line = line if type(line) is int and line > 0 else 0
        text = _text(message.get("text"), 200)
        detail = _text(message.get("error")) + (f": {text}" if text else "")
        self.syntax = f"{self.label(line)}: {detail}" if line else detail
        self.errors[line] = self.syntax
        return (None, self.gap)

    def _on_statement(self, message: dict[str, Any]) -> Any:
        line = message.get("line")
        if type(line) is not int:
            return None
        return (("statement", line), self.limits.statement_seconds)

    def _on_statement_error(self, message: dict[str, Any]) -> Any:
        line = message.get("line")
        if type(line) is not int or line in self.skip_lines:
            return None
        self.errors[line] = f"{self.label(line)}: {_text(message.get('error'))}"
        return None

    def _on_statements_done(self, message: dict[str, Any]) -> Any:
        self.statements_done = True
        return (None, self.gap)

    def _on_value_start(self, message: dict[str, Any]) -> Any:
        name = message.get("name")
        if name not in self.names_left():
            return None
        return (("value", name), self.limits.call_seconds)

    def _on_value(self, message: dict[str, Any]) -> Any:
        name = message.get("name")
        if name not in self.names_left():
            return None
        if "error" in message:
            self.values[name] = Failed(_text(message.get("error")))
        else:
            self.values[name] = decode(message.get("value"))
        return (None, self.gap)

    def _on_call_start(self, message: dict[str, Any]) -> Any:
        index = message.get("index")
        if type(index) is not int or index not in self.pending():
            return None
        return (("call", index), self.limits.call_seconds)

    def _on_call(self, message: dict[str, Any]) -> Any:
        index = message.get("index")
        if type(index) is not int or index not in self.pending():
            return None
        seconds = message.get("seconds")
        seconds = float(seconds) if isinstance(seconds, (int, float)) and math.isfinite(seconds) else 0.0
        output = _text(message.get("output"), self.limits.call_output_chars + 100)
        if "error" in message:
            value: Any = Failed(_text(message.get("error")))
        else:
            value = decode(message.get("value"))
        self.outcomes[index] = CallOutcome(value, max(seconds, 0.0), output)
        return (None, self.gap)

    # --------------------------------------------------------------- stops

    def apply_stop(self, stop: Stop, output: str) -> None:
        """Record why a child stopped, so that the next child skips the culprit."""
        if stop.reason == "done":
            return
        if stop.reason == "total":
            self.give_up(f"not run: the submission used up its total time of {self.limits.total_seconds:g} s",
                         timed_out=True)
            return
        timed_out = stop.reason == "timeout"
        what = f"stopped after {stop.seconds:g} s" if timed_out else (stop.detail or "the process crashed")
        if timed_out and stop.item and stop.item[0] in ("call", "value"):
            what += ": it ran longer than the time limit"
        kind = stop.item[0] if stop.item else None
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
        elif self.progress == 0:
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
        self.notices.append(reason)
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
