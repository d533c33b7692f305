"""The runner: timeouts, crashes, restarts, isolation, caps."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import namespaces
from grader.sandbox.answers import Failed, FunctionRef, Missing
from grader.sandbox.calls import Case, Named
from grader.sandbox.limits import Limits
from grader.sandbox.runner import run_submission

FIXTURES = Path(__file__).parent / "fixtures"
FAST = Limits(statement_seconds=1, call_seconds=1, total_seconds=60)
ROOT = os.geteuid() == 0

HANG_CALLS = [
    ("spin", Case((1,))),
    ("spin", Case((2,))),
    ("add", Case((1, 2))),
    ("quit_hard", Case((3,))),
    ("segfault", Case(())),
    ("apply", Case((Named("public.hw4_helpers:sigmoid"), 0.0))),
    ("describe", Case((np.array([[1, 2], [3, 4]]), (1, 2), {"b": 1, "a": 2}))),
    ("add", Case(((1, 2), (3,)))),
]


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for init to reap it does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.fixture(scope="module")
def hangs():
    return run_submission(FIXTURES / "hangs" / "hw4.py", ["before", "after", "spin"], HANG_CALLS, limits=FAST)


@pytest.mark.slow
def test_a_top_level_infinite_loop_is_skipped_and_the_rest_still_runs(hangs):
    assert hangs.statement_errors == ("line 6: stopped after 1 s of CPU time; the rest of the file was still run",)
    assert hangs.values["before"] == 1 and hangs.values["after"] == 2
    assert hangs.values["spin"] == FunctionRef("spin", "(n)")


@pytest.mark.slow
def test_a_call_that_hangs_fails_and_its_function_is_not_called_again(hangs):
    first, second, third = hangs.outcomes[:3]
    assert first.value == Failed("stopped after 1 s of CPU time: it ran longer than the time limit", timed_out=True)
    assert second.value == Failed("not called: an earlier call of spin ran out of time")
    assert third.value == 3


@pytest.mark.slow
def test_crashes_fail_only_the_current_call(hangs):
    assert hangs.outcomes[3].value == Failed("the process exited with code 3")
    assert hangs.outcomes[4].value == Failed("the process crashed with signal 11 (SIGSEGV)")
    assert hangs.outcomes[7].value == [1, 2, 3]


@pytest.mark.slow
def test_named_helpers_arrive_as_callables_and_arrays_as_arrays(hangs):
    assert hangs.outcomes[5].value == 0.5
    assert hangs.outcomes[6].value == ["ndarray", "float64", [2, 2], "tuple", ["a", "b"]]


def test_a_syntax_error_leaves_every_name_missing_with_the_reason():
    result = run_submission(FIXTURES / "syntax" / "hw4.py", ["good"], [("f", Case((1,)))], limits=FAST)
    assert result.statement_errors[0].startswith("line 3: SyntaxError")
    assert isinstance(result.values["good"], Missing) and "line 3" in result.values["good"].reason
    assert result.outcomes[0].value == Failed("f is not defined in the submission")


def test_a_notebook_reports_errors_by_cell():
    result = run_submission(FIXTURES / "notebook" / "hw4.ipynb", ["b", "zzz"], [], limits=FAST)
    assert result.values == {"b": 3, "zzz": Missing()}
    assert result.statement_errors == ("code cell 3, line 3: ZeroDivisionError: division by zero",)


def test_a_crash_at_top_level_skips_that_statement(tmp_path):
    (tmp_path / "hw4.py").write_text("import os\nos._exit(5)\nx = 1\n")
    result = run_submission(tmp_path / "hw4.py", ["x"], [], limits=FAST)
    assert result.values == {"x": 1}
    message = "line 2: the process exited with code 5; the rest of the file was still run"
    assert result.statement_errors == (message,)


def test_printed_output_is_capped(tmp_path):
    (tmp_path / "hw4.py").write_text("print('y' * 100_000)\nx = 1\n")
    result = run_submission(tmp_path / "hw4.py", ["x"], [], limits=Limits(output_bytes=100))
    assert result.values == {"x": 1}
    assert result.stdout.startswith("y" * 100) and "more bytes of output not shown" in result.stdout
    assert len(result.stdout) < 200


def test_the_total_time_limit_stops_everything(tmp_path):
    (tmp_path / "hw4.py").write_text("while True:\n    pass\n")
    limits = Limits(statement_seconds=30, total_seconds=2)
    result = run_submission(tmp_path / "hw4.py", ["x"], [("f", Case(()))], limits=limits)
    assert result.values["x"].timed_out and result.outcomes[0].value.timed_out
    assert "total time of 2 s" in result.notices[-1]
    assert result.seconds < 10


def test_the_isolation_notice_matches_the_privileges(tmp_path):
    (tmp_path / "hw4.py").write_text("x = 1\n")
    result = run_submission(tmp_path / "hw4.py", ["x"], [], limits=FAST)
    isolated_notice = any(n.startswith("not isolated by user") for n in result.notices)
    assert isolated_notice is not (ROOT or namespaces.support().isolated)


@pytest.mark.skipif(not ROOT, reason="dropping privileges needs root; run as root to test isolation")
def test_as_root_the_child_runs_as_the_sandbox_user_in_a_private_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(namespaces.MODE_ENV, "off")  # the account's permissions alone (see test_namespaces.py)
    secret = Path("/tmp") / f"grader-secret-{os.getpid()}"
    secret.mkdir(mode=0o755, exist_ok=True)
    (secret / "answers.txt").write_text("42")
    os.chmod(secret / "answers.txt", 0o644)
    try:
        names = ["uid", "groups", "env_keys", "cwd_files", "nproc", "address_space", "escaped"]
        result = run_submission(FIXTURES / "probe" / "hw4.py", names,
                                [("read", Case((str(secret / "answers.txt"),)))],
                                limits=FAST, secret_paths=[secret])
        values = result.values
        assert values["uid"] == pwd.getpwnam("grader-sandbox").pw_uid
        assert values["groups"] == []
        assert set(values["env_keys"]) <= {"PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "USER", "LOGNAME",
                                           "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                           "PYTHONDONTWRITEBYTECODE", "MPLBACKEND"}
        assert values["cwd_files"] == ["hw4.py"]
        assert values["nproc"] == FAST.max_processes and values["address_space"] == FAST.address_space
        assert not alive(values["escaped"])  # a setsid grandchild is killed too
        assert result.outcomes[0].value.message.startswith("PermissionError")
        assert (secret.stat().st_mode & 0o777) == 0o700
    finally:
        (secret / "answers.txt").unlink()
        secret.rmdir()


def test_a_memory_hog_fails_only_its_statement(tmp_path):
    (tmp_path / "hw4.py").write_text("big = bytearray(4 * 2**30)\nx = 1\n")
    result = run_submission(tmp_path / "hw4.py", ["big", "x"], [], limits=FAST)
    assert result.values == {"big": Missing(), "x": 1}
    assert result.statement_errors == ("line 1: MemoryError",)
