"""Namespaces without root: what the child sees, what it cannot reach, and the probe."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.batch import NotIsolatedError, run_batch
from grader.paths import DEFAULT_RUBRIC, ROOT
from grader.sandbox import namespaces

PYTHON = sys.executable
PROBE = r"""
import json, os, socket, sys
out = {"pid": os.getpid(), "host": os.uname().nodename, "tmp": sorted(os.listdir("/tmp")),
       "project": sorted(os.listdir(sys.argv[1])), "proc": sorted(p for p in os.listdir("/proc") if p.isdigit())}
for key, path in (("canary", sys.argv[2]), ("reference", sys.argv[1] + "/reference/hw4.py"),
                  ("home", os.path.expanduser("~root") + "/.bashrc")):
    try:
        out[key] = open(path).read()
    except OSError as exc:
        out[key] = type(exc).__name__
for key, path in (("engine", sys.argv[1] + "/grader/planted.py"), ("python", sys.prefix + "/planted.py"),
                  ("tmp_file", "/tmp/planted-by-namespace-test.py"),
                  ("shm_file", "/dev/shm/planted-by-namespace-test.py"), ("own", "planted.py")):
    try:
        open(path, "w").write("x = 1\n")
        out[key] = "written"
    except OSError as exc:
        out[key] = os.strerror(exc.errno)
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    out["network"] = "connected"
except OSError as exc:
    out["network"] = type(exc).__name__
print(json.dumps(out))
"""


@pytest.fixture(params=["bwrap", "kernel"])
def mode(request: pytest.FixtureRequest) -> str:
    if request.param == "bwrap" and not namespaces._bwrap():
        pytest.skip("bubblewrap is not installed")
    if not namespaces._works(request.param):
        pytest.skip(f"{request.param}: this machine refuses unprivileged namespaces")
    return str(request.param)


def _workdir(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    for sub in ("submission", "tmp"):
        (work / sub).mkdir(parents=True)
    return work


def test_the_child_sees_the_system_the_engine_and_its_own_folder_only(mode: str, tmp_path: Path) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text("the TA's secret")
    work = _workdir(tmp_path)
    cmd = [PYTHON, "-I", "-c", PROBE, str(ROOT), str(canary)]
    done = subprocess.run(namespaces.wrapped(cmd, workdir=work, cwd=work / "submission", mode=mode),
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["canary"] == "FileNotFoundError" and seen["home"] == "FileNotFoundError"
    assert seen["reference"] == "FileNotFoundError"
    assert "reference" not in seen["project"] and "rubrics" not in seen["project"] and "grader" in seen["project"]
    assert seen["engine"] == seen["python"] == "Read-only file system"
    assert seen["tmp_file"] == seen["shm_file"] == seen["own"] == "written"
    assert not any(Path(f"/{d}/planted-by-namespace-test.py").exists() for d in ("tmp", "dev/shm"))
    assert (work / "submission" / "planted.py").read_text() == "x = 1\n"
    assert seen["network"] in ("OSError", "PermissionError")
    assert seen["pid"] == 2 and seen["proc"] == ["1", "2"]  # a PID namespace of its own: init and the child
    assert seen["host"] == "sandbox"


def test_a_death_by_signal_reads_as_one_and_no_descendant_outlives_the_child(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(namespaces.MODE_ENV, mode)
    work = _workdir(tmp_path)
    code = ("import os, signal, subprocess, sys\n"
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', '271828'],"
            " start_new_session=True)\n"
            "os.kill(os.getpid(), signal.SIGSEGV)\n")
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        proc = namespaces.popen([PYTHON, "-I", "-c", code], workdir=work, cwd=work / "submission",
                                env={"PATH": "/usr/bin:/bin"}, stdout=devnull, pass_fds=())
    finally:
        os.close(devnull)
    assert proc.wait(timeout=60) == -signal.SIGSEGV
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _marked(b"271828"):
        time.sleep(0.05)
    assert _marked(b"271828") == []


def _marked(marker: bytes) -> list[int]:
    found = []
    for item in os.listdir("/proc"):
        if item.isdigit() and int(item) != os.getpid():
            try:
                if marker in Path(f"/proc/{item}/cmdline").read_bytes():
                    found.append(int(item))
            except OSError:
                continue
    return found


def test_the_probe_runs_once_and_off_means_not_isolated_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(namespaces.MODE_ENV, "off")
    namespaces.forget_probe()
    assert namespaces.support() is namespaces.support()
    assert namespaces.support() == namespaces.Support("none", "GRADER_NAMESPACES=off")
    assert namespaces.unisolated_notice("ta") == (
        "not isolated by user: student code ran with ta's rights (GRADER_NAMESPACES=off)"
    )
    assert not namespaces.limits_processes()
    monkeypatch.setenv(namespaces.MODE_ENV, "sometimes")
    assert namespaces.support().reason == "GRADER_NAMESPACES='sometimes' is not one of auto, bwrap, kernel, off"
    monkeypatch.delenv(namespaces.MODE_ENV)
    assert namespaces.support().mode in ("bwrap", "kernel", "none")


def test_batch_refuses_to_run_student_code_unisolated_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import grader.batch as batch
    from grader.__main__ import main

    monkeypatch.setenv(namespaces.MODE_ENV, "off")
    monkeypatch.setattr(batch, "is_root", lambda: False)
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "a.py").write_text("p1a_output = (1, 2)\n")
    with pytest.raises(NotIsolatedError, match="pass --no-isolation"):
        run_batch(folder, tmp_path / "g.csv", rubric=DEFAULT_RUBRIC, progress=False)
    assert main(["batch", str(folder), "--csv", str(tmp_path / "g.csv"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: student code would run unisolated, with your own rights: GRADER_NAMESPACES=off.")
    assert "--no-isolation" in err and not (tmp_path / "g.csv").exists()


# ------------------------------------------------------------------ as root: namespaces around the uid drop

ROOT_USER = os.geteuid() == 0
WIDE_OPEN = r'''
import os
import subprocess


def look(path):
    try:
        return sorted(os.listdir(path)) if os.path.isdir(path) else open(path).read()
    except OSError as exc:
        return type(exc).__name__


def plant(path):
    try:
        with open(path, "w") as handle:
            handle.write("{}")
        return "written"
    except OSError as exc:
        return type(exc).__name__


export = look(EXPORT)
classmate = look(EXPORT + "/submission_1/hw4.py")
results = look(RESULTS)
planted = plant(RESULTS + "/results.json")
host = os.uname().nodename
subprocess.Popen(["sleep", "314159"], start_new_session=True)
'''
SEEN = ["export", "classmate", "results", "planted", "host"]


@pytest.fixture
def wide_open():
    """An export and a results folder anyone may read and write: only namespaces can hide them."""
    export = Path(tempfile.mkdtemp(prefix="wide-open-export-"))
    results = Path(tempfile.mkdtemp(prefix="wide-open-results-"))
    (export / "submission_1").mkdir()
    (export / "submission_1" / "hw4.py").write_text("p1a_output = (0.5, 2)  # the classmate's work\n")
    for path in (export, export / "submission_1", results):
        os.chmod(path, 0o777)
    os.chmod(export / "submission_1" / "hw4.py", 0o666)
    yield export, results
    shutil.rmtree(export, ignore_errors=True)
    shutil.rmtree(results, ignore_errors=True)


def _namespaced(launcher: str) -> bool:
    if launcher == "forked":
        return namespaces.can_enter()
    account = pwd.getpwnam("grader-sandbox")
    return namespaces.support_as(account.pw_uid, account.pw_gid).isolated


@pytest.mark.skipif(not ROOT_USER, reason="the uid drop needs root")
@pytest.mark.parametrize("launcher", ["fresh", "forked"])
@pytest.mark.parametrize("wanted", ["auto", "off"])
def test_as_root_a_child_cannot_see_a_wide_open_export_or_results_folder(
    launcher: str, wanted: str, wide_open: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grader.sandbox.limits import Limits
    from grader.sandbox.runner import run_submission, use_fork_server

    monkeypatch.setenv(namespaces.MODE_ENV, wanted)
    if wanted == "auto" and not _namespaced(launcher):
        pytest.skip(f"{launcher}: this kernel refuses namespaces to root's children")
    export, results = wide_open
    code = f"EXPORT = {str(export)!r}\nRESULTS = {str(results)!r}\n" + WIDE_OPEN
    (tmp_path / "hw4.py").write_text(code)
    use_fork_server(launcher == "forked")
    try:
        result = run_submission(tmp_path / "hw4.py", SEEN, [], limits=Limits(total_seconds=60))
    finally:
        use_fork_server(False)
    if wanted == "auto":  # not there at all, whatever the permissions
        assert result.values == {"export": "FileNotFoundError", "classmate": "FileNotFoundError",
                                 "results": "FileNotFoundError", "planted": "FileNotFoundError", "host": "sandbox"}
        assert sorted(p.name for p in results.iterdir()) == []
    else:  # the account's permissions alone: a folder opened wide is open to it (hence the lock of secret paths)
        assert result.values["export"] == ["submission_1"]
        assert result.values["classmate"] == "p1a_output = (0.5, 2)  # the classmate's work\n"
        assert result.values["planted"] == "written"
        assert result.values["host"] != "sandbox"
    assert _marked(b"314159") == [], "a process of the child outlived its run"


@pytest.mark.skipif(not ROOT_USER, reason="the uid drop needs root")
def test_as_root_the_probe_runs_as_the_account_and_off_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    account = pwd.getpwnam("grader-sandbox")
    monkeypatch.setenv(namespaces.MODE_ENV, "off")
    assert namespaces.support_as(account.pw_uid, account.pw_gid) == namespaces.Support("none", "GRADER_NAMESPACES=off")
    assert namespaces.fork_view(Path("/tmp"), PYTHON) is None
    monkeypatch.setenv(namespaces.MODE_ENV, "auto")
    first = namespaces.support_as(account.pw_uid, account.pw_gid)
    assert namespaces.support_as(account.pw_uid, account.pw_gid) is first  # once per account
    if first.isolated:
        assert first.mode in ("bwrap", "kernel")
    view = namespaces.fork_view(Path("/tmp/x"), PYTHON)
    assert view is not None and view["root"] == "/tmp/x/.nsroot"
    assert ("rw", "/tmp/x/submission", "/tmp/x/submission") in view["view"]


@pytest.mark.skipif(not ROOT_USER or not namespaces.can_enter(), reason="root's fallback; the kernel must allow it")
def test_a_view_that_cannot_be_built_leaves_roots_fork_usable_in_the_host_view(tmp_path: Path) -> None:
    work = _workdir(tmp_path)
    (tmp_path / "beside.txt").write_text("host")
    spec = namespaces.fork_view(work, PYTHON)
    assert spec is not None
    spec["view"].append(("ro", str(tmp_path / "missing"), str(tmp_path / "missing")))  # the mount fails
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            entered = namespaces.enter_fork(spec, str(work / "submission"))  # returns in the child, pid 2
            same = os.getcwd() == str(work / "submission") and (tmp_path / "beside.txt").read_text() == "host"
            code = 0 if not entered and same and os.getpid() == 2 else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
