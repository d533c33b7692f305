"""What the child can make the trusted side hold or learn: caps on messages, memory, calls."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.paths import ROOT
from grader.sandbox import state
from grader.sandbox.answers import Failed
from grader.sandbox.calls import Case
from grader.sandbox.limits import Limits
from grader.sandbox.runner import run_submission

FAST = Limits(statement_seconds=2, call_seconds=2, total_seconds=60)
ATTACKS = Path(__file__).resolve().parent.parent / "attacks" / "submissions"
PEAK_MB = 300


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "hw4.py").write_text(text)
    return tmp_path / "hw4.py"


FORGE = """
import fcntl, os, stat
def _fd():
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode) and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
                return fd
        except OSError:
            pass
def forge(line, count):
    data = (line * count).encode()
    view = memoryview(data)
    while view:
        view = view[os.write(_fd(), view):]
"""


def test_forged_statement_errors_are_capped_and_the_file_still_runs(tmp_path):
    code = FORGE + (
        "for i in range(5000):\n"
        "    forge('{\"event\":\"statement_error\",\"line\":%d,\"error\":\"forged\"}\\n' % (i + 100), 1)\n"
        "x = 1\n"
    )
    result = run_submission(write(tmp_path, code), ["x"], [], limits=FAST)
    assert result.values["x"] == 1
    assert len(result.statement_errors) == state.MAX_ERRORS + 1
    stopped = [e for e in result.statement_errors if "stopped: more than" in e]
    assert stopped == [f"line 15: stopped: more than {state.MAX_ERRORS} statement errors or "
                       f"{state.MAX_ERROR_CHARS} characters of them; the rest of the file was still run"]


def test_a_flood_of_messages_stops_the_child_with_a_note(tmp_path):
    code = FORGE + "forge('{\"event\":\"nothing\"}\\n', 10**6)\nx = 1\n"
    limits = Limits(statement_seconds=5, call_seconds=2, total_seconds=60, child_messages=1000)
    result = run_submission(write(tmp_path, code), ["x"], [], limits=limits)
    assert result.values["x"] == 1
    assert result.statement_errors == (
        "line 15: stopped: the process sent more than 1000 messages; the rest of the file was still run",)
    assert "the sandbox was stopped: the process sent more than 1000 messages" in result.notices


def test_the_run_stops_after_its_message_budget(tmp_path):
    code = FORGE + "forge('{\"event\":\"nothing\"}\\n', 3000)\nforge('{\"event\":\"nothing\"}\\n', 3000)\nx = 1\n"
    limits = Limits(statement_seconds=5, call_seconds=2, total_seconds=60, child_messages=10**6, run_messages=5000)
    result = run_submission(write(tmp_path, code), ["x"], [], limits=limits)
    assert result.values["x"] == Failed("stopped: the sandbox sent more than 5000 messages in this run")


def test_values_and_results_past_the_kept_budget_are_not_kept(tmp_path):
    code = "big = [1.5] * 400_000\nsmall = 2\ndef f(n):\n    return [2.5] * n\n"
    limits = Limits(statement_seconds=5, call_seconds=5, total_seconds=60, kept_bytes=3 * 2**20)
    result = run_submission(write(tmp_path, code), ["big", "small"], [("f", Case((400_000,))), ("f", Case((3,)))],
                            limits=limits)
    assert len(result.values["big"]) == 400_000 and result.values["small"] == 2
    note = "not kept: the submission's values and results passed 3 MiB in total"
    assert result.outcomes[0].value == Failed(note)
    assert result.outcomes[1].value == Failed(note)


def test_each_call_reaches_the_child_only_when_it_is_made(tmp_path):
    """A call may see its own arguments and earlier ones, never a later one's."""
    code = (
        "import gc\n"
        "def seen(tag):\n"
        "    found = set()\n"
        "    for obj in gc.get_objects():\n"
        "        if isinstance(obj, dict) and obj.get('function') == 'seen' and 'index' in obj:\n"
        "            found.add(obj['index'])\n"
        "    return [tag, sorted(found)]\n"
        "at_top = seen('top')\n"
    )
    calls = [("seen", Case((f"secret-{i}",))) for i in range(4)]
    result = run_submission(write(tmp_path, code), ["at_top"], calls, limits=FAST)
    assert result.values["at_top"] == ["top", []]
    for i, outcome in enumerate(result.outcomes):
        tag, found = outcome.value
        assert tag == f"secret-{i}" and max(found) == i


def test_no_file_holds_the_request(tmp_path):
    code = (
        "import os\n"
        "parent = os.path.dirname(os.getcwd())\n"
        "try:\n"
        "    files = sorted(f for f in os.listdir(parent) if f != '.nsroot')\n"  # the unshare(2) launcher's mount point
        "except PermissionError:\n"
        "    files = 'refused'\n"
        "args = open('/proc/self/cmdline', 'rb').read().split(b'\\0')[1:]\n"
        "arg_files = [a.decode() for a in args if a and os.path.exists(a.decode()) and not a.endswith(b'.py')]\n"
    )
    result = run_submission(write(tmp_path, code), ["files", "arg_files"], [("f", Case((1,)))], limits=FAST)
    assert result.values["files"] == ("refused" if os.geteuid() == 0 else ["submission", "tmp"])
    assert result.values["arg_files"] == []


@pytest.mark.slow
def test_the_graders_peak_memory_stays_bounded_under_a_message_flood(tmp_path):
    """The forged_message_flood attack, graded in a fresh grader process whose own peak RSS is read."""
    honest = (ROOT / "submissions_example" / "full_credit" / "hw4.py").read_text()
    attack = (ATTACKS / "forged_message_flood" / "hw4.py").read_text()
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "hw4.py").write_text(honest + "\n" + attack)
    script = (  # VmHWM, not ru_maxrss: Linux carries the parent's peak into ru_maxrss across fork and exec
        "import json, sys\n"
        "from pathlib import Path\n"
        "from grader.autograder import run\n"
        "code = run(Path(sys.argv[1]), Path(sys.argv[2]), table=False)\n"
        "hwm = [line for line in Path('/proc/self/status').read_text().splitlines() if line.startswith('VmHWM')]\n"
        "print(json.dumps({'code': code, 'peak_mb': int(hwm[0].split()[1]) / 1024}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(sub), str(tmp_path / "results.json")],
                          capture_output=True, text=True, cwd=ROOT, timeout=300, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    report = json.loads(done.stdout.strip().splitlines()[-1])
    results = json.loads((tmp_path / "results.json").read_text())
    print(f"grader peak RSS under the flood: {report['peak_mb']:.0f} MB; score {results['score']}")
    assert report["code"] == 0
    assert results["score"] == 100
    assert report["peak_mb"] < PEAK_MB
