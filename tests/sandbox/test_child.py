"""The child process on its own: statement-by-statement execution and its protocol."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from grader.sandbox import child
from grader.sandbox.wire import encode_args

FIXTURES = Path(__file__).parent / "fixtures"


def run_child(entry: Path, names=(), calls=(), skip_lines=(), *, tmp_path: Path) -> tuple[list, str]:
    """Run child.py directly on ``entry``, playing the runner; return its events and its output."""
    request = {"entry": str(entry), "names": list(names), "skip_lines": list(skip_lines), "rlimits": {}}
    todo = [{"index": i, "function": f, "args": encode_args(tuple(a)), "kwargs": encode_args({})}
            for i, (f, a) in enumerate(calls)]
    proto_r, proto_w = os.pipe()
    cmd_r, cmd_w = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-I", "-B", child.__file__, str(proto_w), str(cmd_r)],
        pass_fds=(proto_w, cmd_r), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        cwd=entry.parent,
    )
    os.close(proto_w)
    os.close(cmd_r)
    events = []
    with os.fdopen(proto_r, "rb") as proto, os.fdopen(cmd_w, "wb", buffering=0) as commands:
        commands.write((json.dumps(request) + "\n").encode())
        for line in proto:
            event = json.loads(line)
            events.append(event)
            reply = None
            if event["event"] == "statement":
                reply = {"go": event["line"]}
            elif event["event"] == "next":
                reply = {"call": todo.pop(0)} if todo else {"end": True}
            if reply is not None:
                commands.write((json.dumps(reply) + "\n").encode())
    out, _ = proc.communicate(timeout=60)
    return events, out.decode("utf-8", "replace")


def of(events, kind):
    return [e for e in events if e["event"] == kind]


def test_statement_errors_are_reported_with_their_lines_and_the_rest_still_runs(tmp_path):
    names = ["before", "answer", "p1a_output", "bad", "after", "annotated", "p3b_sigmoid_prime"]
    events, _ = run_child(FIXTURES / "statements" / "hw4.py", names, tmp_path=tmp_path)
    errors = {e["line"]: e["error"] for e in of(events, "statement_error")}
    assert errors == {
        4: "ModuleNotFoundError: No module named 'matplotlib'",
        7: "EOFError: EOF when reading a line",
        9: "ZeroDivisionError: division by zero",
        11: "SystemExit: 3",
    }
    values = {e["name"]: e["value"] for e in of(events, "value")}
    assert values["before"] == 1 and values["p1a_output"] == [0.5, 2]
    assert values["after"] == {"t": "dict", "v": [["k", [1, 2.5]]]}
    assert values["annotated"]["t"] == "function"  # the __future__ import applies to later statements
    assert values["p3b_sigmoid_prime"] is None
    assert "answer" not in values and "bad" not in values
    assert events[0]["event"] == "ready" and events[-1]["event"] == "done"


def test_call_errors_name_the_line_in_the_students_file(tmp_path):
    events, _ = run_child(FIXTURES / "statements" / "hw4.py", calls=[("broken", (1,)), ("nope", ())],
                          tmp_path=tmp_path)
    first, second = of(events, "call")
    assert first["error"] == "ZeroDivisionError: division by zero (hw4.py, line 22)"
    assert second["error"] == "nope is not defined in the submission"


def test_a_syntax_error_runs_nothing(tmp_path):
    events, _ = run_child(FIXTURES / "syntax" / "hw4.py", ["good"], tmp_path=tmp_path)
    (error,) = of(events, "syntax_error")
    assert error["line"] == 3 and error["error"].startswith("SyntaxError") and error["text"] == "def f(x)"
    assert not of(events, "statement") and not of(events, "value")


def test_a_notebook_runs_its_code_cells_in_order(tmp_path):
    events, _ = run_child(FIXTURES / "notebook" / "hw4.ipynb", ["a", "b", "zzz"], tmp_path=tmp_path)
    values = {e["name"]: e["value"] for e in of(events, "value")}
    assert values == {"a": 2, "b": 3}
    (error,) = of(events, "statement_error")
    assert error["error"] == "ZeroDivisionError: division by zero"


def test_a_helper_module_beside_the_file_is_importable(tmp_path):
    events, _ = run_child(FIXTURES / "helper" / "hw4.py", ["p1a_output"], tmp_path=tmp_path)
    assert of(events, "value")[0]["value"] == 42


def test_json_and_numpy_beside_the_file_do_not_shadow_the_childs_modules(tmp_path):
    events, out = run_child(FIXTURES / "shadow" / "hw4.py", ["value"], tmp_path=tmp_path)
    assert of(events, "value")[0]["value"] == [1, 2]
    assert not of(events, "statement_error") and "imported" not in out


def test_prints_go_to_the_output_and_call_prints_to_the_call(tmp_path):
    events, out = run_child(FIXTURES / "hangs" / "hw4.py", calls=[("chatty", (3,))], skip_lines=[6],
                            tmp_path=tmp_path)
    (call,) = of(events, "call")
    assert call["value"] == 3 and call["output"] == "xxx\n"
    assert '"event"' not in out
