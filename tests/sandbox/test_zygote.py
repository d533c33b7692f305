"""The fork server: children forked from a zygote are as fresh and as contained as new ones."""

from __future__ import annotations

import os
import pwd
import sys
from pathlib import Path

import pytest

from grader.paths import ROOT
from grader.sandbox import namespaces, runner
from grader.sandbox.calls import Case
from grader.sandbox.limits import Limits
from grader.sandbox.runner import run_submission, use_fork_server

FIXTURE = Path(__file__).parent / "fixtures" / "zygote" / "hw4.py"
NAMES = ["uid", "groups", "own_session", "parent", "sum_before", "sum_is_patched", "killed_parent",
         "parent_environ"]
LIMITS = Limits(statement_seconds=5, call_seconds=5, total_seconds=60, user="grader-sandbox-zygote-test")

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="children are forked only when isolated by user (root)")


@pytest.fixture
def forked():
    use_fork_server(True)
    yield
    use_fork_server(False)


def run() -> runner.SandboxResult:
    return run_submission(FIXTURE, NAMES, [("total", Case(([1.0, 2.0],)))], limits=LIMITS)


def test_a_forked_child_runs_as_the_sandbox_account_alone_in_its_session(forked: None) -> None:
    result = run()
    values = result.values
    assert values["uid"] == pwd.getpwnam("grader-sandbox-zygote-test").pw_uid
    assert values["groups"] == []
    assert values["own_session"] is True
    # in a PID namespace of its own where the kernel allows: its parent is the namespace's PID 1, root's
    assert values["parent"] == (1 if namespaces.can_enter() else runner._FORK_SERVER["zygote"]._proc.pid)
    assert values["sum_is_patched"] is True


def test_the_zygote_cannot_be_killed_or_read_by_the_student(forked: None) -> None:
    values = run().values
    assert values["killed_parent"] == "refused"
    assert values["parent_environ"] == "refused"
    assert runner._FORK_SERVER["zygote"].alive()


def test_each_child_starts_from_the_pristine_zygote(forked: None) -> None:
    first = run()
    zygote = runner._FORK_SERVER["zygote"]
    second = run()
    assert runner._FORK_SERVER["zygote"] is zygote and zygote.alive()  # one zygote served both
    # the first child's patched numpy did not reach the second child
    assert second.values["sum_before"] == 3.0
    assert first.outcomes[0].value == second.outcomes[0].value == 42.0  # each saw only its own patch


def test_a_dead_zygote_is_replaced(forked: None) -> None:
    run()
    old = runner._FORK_SERVER["zygote"]
    old._proc.kill()
    old._proc.wait()
    result = run()
    assert result.values["sum_before"] == 3.0
    assert runner._FORK_SERVER["zygote"] is not old


def test_fresh_and_forked_children_observe_the_same_values() -> None:
    use_fork_server(False)
    fresh = run()
    use_fork_server(True)
    try:
        forked_run = run()
    finally:
        use_fork_server(False)
    same = ["uid", "groups", "own_session", "sum_before", "sum_is_patched", "killed_parent", "parent_environ"]
    account = pwd.getpwnam(LIMITS.user)
    if namespaces.support_as(account.pw_uid, account.pw_gid).isolated:
        # a fresh child's parent is PID 1 of its own namespace, the account's: it ignores the signal and holds
        # only the child's own environment; a forked child's is the zygote, root's
        same = same[:-2]
        assert fresh.values["killed_parent"] == "sent" and isinstance(fresh.values["parent_environ"], int)
        assert forked_run.values["killed_parent"] == forked_run.values["parent_environ"] == "refused"
    assert {k: fresh.values[k] for k in same} == {k: forked_run.values[k] for k in same}
    assert fresh.outcomes[0].value == forked_run.outcomes[0].value == 42.0


HOST_VIEW = Path(__file__).parent / "fixtures" / "zygote_view" / "hw4.py"


@pytest.mark.parametrize("wanted", ["auto", "off"])
def test_a_forked_child_enters_the_view_where_the_kernel_allows(
    forked: None, wanted: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(namespaces.MODE_ENV, wanted)
    if wanted == "auto" and not namespaces.can_enter():
        pytest.skip("this kernel refuses new mount namespaces to root")
    result = run_submission(HOST_VIEW, ["host", "sees_repo", "tmp_entries", "uid"], [], limits=LIMITS)
    values = result.values
    assert values["uid"] == pwd.getpwnam(LIMITS.user).pw_uid
    if wanted == "auto":  # the system, the engine and its own folder only; a private /tmp
        assert values["host"] == "sandbox"
        assert values["sees_repo"] == ["grader", "public"]
        bound = {path.relative_to("/tmp").parts[0] for path in (ROOT, Path(sys.prefix).resolve())
                 if path.is_relative_to("/tmp")}  # the engine and its Python, bound where they live
        own = [e for e in values["tmp_entries"] if e not in bound]
        assert len(own) == 1 and own[0].startswith("grader-sandbox-"), values["tmp_entries"]
    else:
        assert values["host"] != "sandbox"
        assert {"grader", "reference", "tests"} <= set(values["sees_repo"])
