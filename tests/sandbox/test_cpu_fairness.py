"""CPU fairness: limits judged by the child's CPU time, its other processes at the lowest priority."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from grader.paths import ROOT
from grader.sandbox.cpu import LOWEST, ProcessTree, cpu_cgroup
from grader.sandbox.limits import Limits
from grader.sandbox.runner import run_submission

HONEST = ROOT / "submissions_example" / "full_credit" / "hw4.py"
NEIGHBOUR = """
import os, sys, time

def _loops(n=30):
    for _ in range(n):
        try:
            pid = os.fork()
        except OSError:
            return
        if pid == 0:
            try:
                os.setsid()
                if os.fork() == 0:
                    os.execv(sys.executable, [sys.executable, "-c", "while True: pass", "314159"])
            finally:
                os._exit(0)

""" + "if True:  # spawn and wait in one statement: its loops live until it is stopped\n" \
    "    _loops()\n    time.sleep(30)\n" * 6


def test_a_sleeping_statement_is_stopped_by_the_wall_clock_backstop(tmp_path):
    (tmp_path / "hw4.py").write_text("import time\ntime.sleep(60)\nx = 1\n")
    limits = Limits(statement_seconds=1, call_seconds=1, total_seconds=60, wall_factor=3)
    start = time.monotonic()
    result = run_submission(tmp_path / "hw4.py", ["x"], [], limits=limits)
    assert result.values["x"] == 1
    assert result.statement_errors == ("line 2: stopped after 3 s (wall clock); the rest of the file was still run",)
    assert 3 <= time.monotonic() - start < 15


def test_a_busy_statement_is_stopped_by_its_cpu_time(tmp_path):
    (tmp_path / "hw4.py").write_text("while True:\n    pass\nx = 1\n")
    limits = Limits(statement_seconds=1, call_seconds=1, total_seconds=60, wall_factor=30)
    result = run_submission(tmp_path / "hw4.py", ["x"], [], limits=limits)
    assert result.values["x"] == 1
    assert result.statement_errors == ("line 1: stopped after 1 s of CPU time; the rest of the file was still run",)


def test_processes_left_by_a_statement_are_killed_before_the_next_one(tmp_path):
    code = (
        "import os, sys, time\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os.setsid()\n"
        "    time.sleep(600)\n"
        "    os._exit(0)\n"
        "time.sleep(0.2)\n"
        "alive = os.path.exists(f'/proc/{pid}') and open(f'/proc/{pid}/stat').read().split()[2] not in 'ZX'\n"
        "nice = os.getpriority(os.PRIO_PROCESS, 0)\n"
    )
    (tmp_path / "hw4.py").write_text(code)
    result = run_submission(tmp_path / "hw4.py", ["alive", "nice"], [], limits=Limits(total_seconds=60))
    assert result.values["alive"] is False  # swept when the statement that forked it ended
    assert result.values["nice"] == os.getpriority(os.PRIO_PROCESS, 0)  # the child itself keeps its priority


@contextlib.contextmanager
def _session_child(code: str) -> Iterator[subprocess.Popen]:
    """``python -c code`` in a session of its own, as a sandbox child is started; killed at the end."""
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_the_cpu_time_of_a_process_tree_adds_up_its_processes():
    own = _autogroup_nice("self")
    with _session_child(
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    end = time.process_time() + 0.6\n"
        "    while time.process_time() < end: pass\n"
        "    time.sleep(30)\n"
        "end = time.process_time() + 0.6\n"
        "while time.process_time() < end: pass\n"
        "time.sleep(30)\n"
    ) as proc:
        tree = ProcessTree(proc.pid, None, frozenset())
        deadline = time.monotonic() + 20
        while tree.cpu() < 1.1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert 1.1 <= tree.cpu() < 2.0
        (other,) = [p for p in tree._seen if p != proc.pid]
        assert os.getpriority(os.PRIO_PROCESS, other) == LOWEST
        assert tree.sweep() == 1 and tree.cpu() >= 1.1  # the killed process's time is kept
        assert _autogroup_nice("self") == own  # the grader's own session is never lowered


@pytest.mark.skipif(not Path("/proc/self/autogroup").exists(), reason="the kernel has no autogroups")
def test_only_sessions_of_the_childs_own_making_are_lowered_as_a_whole():
    """A fork shares the child's autogroup until it calls setsid: then, and only then, its own is lowered."""
    own = _autogroup_nice("self")
    with _session_child(
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    time.sleep(1.5)\n"
        "    os.setsid()\n"
        "    time.sleep(30)\n"
        "time.sleep(30)\n"
    ) as proc:
        tree = ProcessTree(proc.pid, None, frozenset())
        try:
            deadline = time.monotonic() + 10
            while len(tree._seen) < 2 and time.monotonic() < deadline:
                tree.cpu()
                time.sleep(0.05)
            (other,) = [p for p in tree._seen if p != proc.pid]
            assert os.getpriority(os.PRIO_PROCESS, other) == LOWEST
            if _autogroup_nice(proc.pid) is None:
                pytest.skip("a new session gets no autogroup here")
            assert _autogroup_nice(other) == _autogroup_nice(proc.pid) == 0  # shared with the child: spared
            while _session(other) != other and time.monotonic() < deadline:
                time.sleep(0.05)
            tree.cpu()
            assert _autogroup_nice(other) == LOWEST  # its own session now: lowered as a whole
            assert _autogroup_nice(proc.pid) == 0 and _autogroup_nice("self") == own
        finally:
            for pid in tree._seen:  # only this test's processes (a sweep would take every orphan of pytest)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _autogroup_nice(pid: int | str) -> int | None:
    """The nice of ``pid``'s autogroup; None where it has none (no autogroups, or the boot-time default group).

    A process whose ancestors never called setsid is in the default group, and
    its ``/proc/PID/autogroup`` is empty.
    """
    try:
        return int(Path(f"/proc/{pid}/autogroup").read_text().split()[-1])
    except (OSError, IndexError):
        return None


def _session(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[3])


def test_a_cgroup_is_used_only_where_the_cpu_controller_is_delegated(tmp_path):
    assert cpu_cgroup(os.getpid(), 1.0, base=tmp_path) is None  # no cgroup.subtree_control: not a cgroup
    (tmp_path / "cgroup.subtree_control").write_text("memory pids\n")
    assert cpu_cgroup(os.getpid(), 1.0, base=tmp_path) is None
    (tmp_path / "cgroup.subtree_control").write_text("cpu memory\n")
    group = cpu_cgroup(12345, 0.5, base=tmp_path)  # a plain folder stands in for the cgroup file system
    assert group is not None
    assert (group / "cpu.max").read_text() == "50000 100000"
    assert (group / "cgroup.procs").read_text() == "12345"


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="a batch isolates children by user only as root")
def test_an_honest_submission_keeps_its_exact_score_beside_busy_loops(tmp_path):
    """Thirty detached busy loops in each of six statements of one submission; its neighbour still gets 100."""
    project = tmp_path / "project"
    (project / "rubrics").mkdir(parents=True)
    for name in ("reference", "public"):
        (project / name).symlink_to(ROOT / name)
    data = yaml.safe_load((ROOT / "rubrics" / "hw4.yaml").read_text(encoding="utf-8"))
    data["limits"] = {"statement_seconds": 2, "call_seconds": 2, "total_seconds": 60, "symbolic_seconds": 5}
    rubric = project / "rubrics" / "hw4.yaml"
    rubric.write_text(yaml.safe_dump(data), encoding="utf-8")
    folder = tmp_path / "export"
    for sub, text in (("a_busy", HONEST.read_text() + NEIGHBOUR), ("b_honest", HONEST.read_text())):
        (folder / sub).mkdir(parents=True)
        (folder / sub / "hw4.py").write_text(text)
    os.chmod(tmp_path, 0o755)
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "grader", "batch", str(folder), "--csv", str(tmp_path / "grades.csv"),
         "--jobs", "2", "--rubric", str(rubric)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    seconds = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    rows = {r["id"]: r for r in csv.DictReader((tmp_path / "grades.csv").open())}
    honest = json.loads((tmp_path / "grades_results" / "b_honest" / "results.json").read_text())
    print(f"batch of a busy and an honest submission: {seconds:.1f} s; the honest one took "
          f"{honest.get('execution_time')} s; the busy one scored {rows['a_busy']['total']}")
    assert float(rows["b_honest"]["total"]) == 100
    assert rows["a_busy"]["total"]  # graded (what it loses to its own time limits is its business)
    assert not [p for p in os.listdir("/proc") if p.isdigit() and b"314159" in _cmdline(p)]


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_descendants_read_from_children_lists_match_a_scan_of_proc(monkeypatch):
    from grader.sandbox import cpu

    proc = subprocess.Popen([sys.executable, "-c", (
        "import os, threading, time\n"
        "def spawn():\n"
        "    if os.fork() == 0:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(30)\n"
        "        time.sleep(30)\n"
        "threading.Thread(target=spawn).start()\n"  # a child forked by a thread is listed under that thread
        "spawn()\n"
        "time.sleep(30)\n"
    )], start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while len(cpu._below({proc.pid}, cpu._parents())) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        scanned = cpu._below({proc.pid}, cpu._parents())
        assert len(scanned) == 4
        if cpu._LISTED:
            assert cpu._descendants(proc.pid) == scanned
        monkeypatch.setattr(cpu, "_LISTED", False)
        assert cpu._descendants(proc.pid) == scanned
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the whole tree is in its group
        proc.wait()


BURN = "import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass\n"


def _read_until_done(tree: ProcessTree, proc: subprocess.Popen, seconds: float) -> float:
    deadline = time.monotonic() + seconds
    while proc.poll() is None and time.monotonic() < deadline:
        tree.cpu()
        time.sleep(0.05)
    return tree.cpu()


def test_children_the_child_runs_and_reaps_are_counted_once():
    """A child's subprocesses count while they run and, once reaped, in the child's own total: not twice."""
    burner = BURN.format(seconds=0.4)
    with _session_child(
        "import subprocess, sys, time\n"
        f"for _ in range(3): subprocess.run([sys.executable, '-c', {burner!r}])\n"
        "time.sleep(1)\n"
    ) as proc:
        tree = ProcessTree(proc.pid, None, frozenset())
        total = _read_until_done(tree, proc, 30)
        assert 1.2 <= total < 1.8, total  # 3 x 0.4 s of work, and the interpreters' start-up


def test_a_process_that_ended_before_the_first_read_still_counts():
    """An ended, unreaped process (a zombie) has final times: they count though it never was seen running."""
    with _session_child(
        "import os, time\n"
        f"if os.fork() == 0:\n    exec({BURN.format(seconds=0.5)!r})\n    os._exit(0)\n"
        "time.sleep(30)\n"
    ) as proc:
        time.sleep(2)  # the fork has burnt its 0.5 s and ended, unreaped
        tree = ProcessTree(proc.pid, None, frozenset())
        assert tree.cpu() >= 0.45


HONEST_PROCESSES = """
import os, subprocess, sys, time
burner = {burner!r}


def work():  # one statement: the processes it leaves are not swept before it ends
    for _ in range(2):
        subprocess.run([sys.executable, "-c", burner])
    for _ in range(2):  # daemons: each outlives its parent, and the namespace's first process reaps it
        if os.fork() == 0:
            if os.fork() == 0:
                exec(burner)
            os._exit(0)  # the daemon's parent ends at once; the daemon once it has burnt its share
        os.wait()
    time.sleep(2)
    return True


done = work()
"""


@pytest.mark.parametrize("forked", [False, True], ids=["fresh", "forked"])
def test_a_statement_that_runs_processes_is_charged_what_they_used(tmp_path, forked):
    """About 3.3 s of CPU in four processes, each long enough to be seen running, under a 5 s limit.

    Counted while they run and again in their reaper's total, they made 6.5 s.
    """
    from grader.sandbox import namespaces
    from grader.sandbox.runner import use_fork_server

    if forked and os.geteuid() != 0 and not namespaces.can_enter():
        pytest.skip("a normal user's children are forked only into namespaces")
    (tmp_path / "hw4.py").write_text(HONEST_PROCESSES.format(burner=BURN.format(seconds=0.8)))
    use_fork_server(forked)
    try:
        result = run_submission(tmp_path / "hw4.py", ["done"], [],
                                limits=Limits(statement_seconds=5, total_seconds=60))
    finally:
        use_fork_server(False)
    assert result.statement_errors == ()
    assert result.values == {"done": True}
