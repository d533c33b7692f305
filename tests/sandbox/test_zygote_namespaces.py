"""The fork server in namespaces: each forked child, root's or a normal user's, has namespaces of its own.

As root the child then drops to its sandbox account; a normal user's child
runs as the user, in a user namespace too.  Either way it is metered and
leaves nothing.
"""

from __future__ import annotations

import os
import time

import pytest

from grader.sandbox import namespaces, runner
from grader.sandbox.cleanup import children_of
from grader.sandbox.limits import Limits
from grader.sandbox.runner import run_submission, use_fork_server

pytestmark = pytest.mark.skipif(not namespaces.can_enter(), reason="the kernel refuses this user new namespaces")

CODE = """\
import os, time
sees = os.path.exists({canary!r})
pid = os.getpid()
procs = sorted(p for p in os.listdir("/proc") if p.isdigit())
host = os.uname().nodename
nice = os.getpriority(os.PRIO_PROCESS, 0)
if os.fork() == 0:
    os.setsid()
    time.sleep(600)
    os._exit(0)
while True:
    pass
x = 1
"""


@pytest.fixture
def forked():
    use_fork_server(True)
    yield
    use_fork_server(False)


def test_a_forked_child_is_namespaced_metered_and_leaves_nothing(tmp_path, forked):
    canary = tmp_path / "canary"
    canary.write_text("the user's own file")
    (tmp_path / "hw4.py").write_text(CODE.format(canary=str(canary)))
    limits = Limits(statement_seconds=1, call_seconds=1, total_seconds=60, wall_factor=30)
    for _ in range(2):  # the second child comes from the same zygote
        start = time.monotonic()
        result = run_submission(tmp_path / "hw4.py", ["sees", "pid", "procs", "host", "nice", "x"], [], limits=limits)
        assert time.monotonic() - start < 20  # stopped by its CPU time, not the wall-clock backstop (30 s)
        assert result.values == {"sees": False, "pid": 2, "procs": ["1", "2"], "host": "sandbox",
                                 "nice": os.getpriority(os.PRIO_PROCESS, 0), "x": 1}
        assert result.statement_errors == (
            "line 11: stopped after 1 s of CPU time; the rest of the file was still run",)
        zygote = runner._FORK_SERVER["zygote"]
        assert zygote is not None and zygote.alive()
        assert children_of(zygote.pid) == set()  # the child, its namespace's first process and its sleeper are gone
