"""The self-check without POSIX: the student bundle under an interpreter that lacks what Windows lacks.

The shim (a ``.pth`` file of a throwaway virtual environment, so that every
Python it starts is shimmed too, ``-I`` children included) makes ``resource``,
``fcntl`` and ``termios`` unimportable and deletes ``os.fork``, ``os.setsid``,
``os.killpg``, ``os.getuid``, ``signal.SIGKILL`` and ``signal.SIGALRM``.
"""

from __future__ import annotations

import json
import operator
import os
import re
import shutil
import subprocess
import sys
import time
import types
import zipfile
from pathlib import Path

import pytest
import sympy

import grader.symbolic as symbolic
from grader.bundle import build_student_bundle
from grader.paths import ROOT
from grader.sandbox.answers import Missing
from grader.sandbox.calls import Case
from grader.sandbox.limits import Limits, apply_rlimits
from grader.sandbox.portable import run_submission

EXAMPLES = ROOT / "submissions_example"
pytestmark = pytest.mark.skipif(os.name != "posix", reason="the shim removes POSIX APIs from a POSIX Python")

SHIM = '''\
"""What Windows lacks, taken away from this interpreter."""
import os
import signal
import subprocess
import sys

for _name in ("resource", "fcntl", "termios"):
    sys.modules[_name] = None  # importing it raises ImportError
_SIGKILL = signal.SIGKILL
for _name in ("fork", "setsid", "killpg", "getuid"):
    if hasattr(os, _name):
        delattr(os, _name)
for _name in ("SIGKILL", "SIGALRM"):
    if hasattr(signal, _name):
        delattr(signal, _name)
# Windows has its own Popen.kill (TerminateProcess); this one needs the signal removed above.
subprocess.Popen.kill = lambda self: self.send_signal(_SIGKILL)
'''

LOOPS = '''\
import os, signal
assert not hasattr(os, "fork") and not hasattr(signal, "SIGKILL"), "the child has POSIX APIs"
import resource
while True:
    pass
p1a_output = (1, 2)
def lstm_run(xs, params):
    while True:
        pass
'''
"""A file whose top level and whose function loop forever (and that shows the child is shimmed)."""

GRADING_ONLY = ("runner", "isolation", "cleanup", "cpu", "namespaces", "zygote", "netfilter")
"""Modules of ``grader.sandbox`` that only grading imports."""


@pytest.fixture(scope="module")
def shim_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A Python that lacks the POSIX-only APIs, with this environment's packages."""
    env = tmp_path_factory.mktemp("shim") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True, timeout=120)
    python = str(env / "bin" / "python")
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    site_dir = Path(purelib)
    (site_dir / "posix_shim.py").write_text(SHIM)
    (site_dir / "aaa_posix_shim.pth").write_text("import posix_shim\n")
    ours = [p for p in sys.path if p.endswith("site-packages")]
    adds = "; ".join(f"site.addsitedir({p!r})" for p in ours)
    (site_dir / "zzz_packages.pth").write_text(f"import site; {adds}\n")
    probe = "import os, signal, sympy, numpy; print(hasattr(os, 'fork'), hasattr(signal, 'SIGKILL'))"
    out = subprocess.run([python, "-I", "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["False", "False"], out.stderr
    return python


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The student bundle, unzipped."""
    folder = tmp_path_factory.mktemp("student")
    build_student_bundle(folder / "selfcheck.zip")
    with zipfile.ZipFile(folder / "selfcheck.zip") as zf:
        zf.extractall(folder / "tree")
    return folder / "tree"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "GRADER_"))} | {"NO_COLOR": "1"}


def _check(python: str, tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([python, "-m", "grader", "check", "hw4.py"], cwd=tree, env=_env(), capture_output=True,
                          text=True, timeout=300)


def _untimed(text: str) -> str:
    return re.sub(r"stopped after [\d.]+ s( of CPU time| \(wall clock\))", "stopped after N s", text)


def _rows(out: str) -> dict[str, str]:
    return {line.split()[1]: " ".join(line.split()[2:]) for line in out.splitlines() if re.match(r"^\d\.", line)}


@pytest.mark.slow
@pytest.mark.parametrize(("example", "code"), [("full_credit", 0), ("partial", 1)])
def test_check_prints_the_same_table_without_posix_apis(shim_python: str, tree: Path, example: str, code: int) -> None:
    shutil.copy(EXAMPLES / example / "hw4.py", tree / "hw4.py")
    plain, shimmed = _check(sys.executable, tree), _check(shim_python, tree)
    assert (plain.returncode, shimmed.returncode) == (code, code), shimmed.stderr[-2000:]
    assert shimmed.stderr == plain.stderr == ""
    assert _untimed(shimmed.stdout) == _untimed(plain.stdout)
    assert len(_rows(shimmed.stdout)) == 26
    if example == "partial":
        assert _rows(shimmed.stdout)["lstm_run"].startswith("error 33 of 33 calls went wrong")
        assert "Your file ran with an error at line 4: ModuleNotFoundError: No module named 'matplotlib'" \
            in shimmed.stdout


@pytest.mark.slow
def test_a_function_that_loops_forever_is_stopped_by_the_wall_clock(shim_python: str, tree: Path,
                                                                    tmp_path: Path) -> None:
    fast = shutil.copytree(tree, tmp_path / "tree")
    public = json.loads((fast / "grader" / "public_rubric.json").read_text())
    public["limits"].update(statement_seconds=1, call_seconds=1)
    (fast / "grader" / "public_rubric.json").write_text(json.dumps(public))
    (fast / "hw4.py").write_text(LOOPS)
    start = time.monotonic()
    out = _check(shim_python, fast)
    assert time.monotonic() - start < 30
    assert out.returncode == 1, out.stderr[-2000:]
    rows = _rows(out.stdout)
    assert rows["p1a_output"] == "ok present and parses"  # defined after the endless statement
    flat = " ".join(out.stdout.split())
    assert "2.e lstm_run timeout 33 of 33 calls went wrong; first: it ran out of time: stopped after 1 s (wall " \
        "clock): it ran longer than the time limit" in flat
    assert "Your file ran with an error at line 4: stopped after 1 s (wall clock); the rest of the file was still " \
        "run" in flat
    # the child lacks them too: no AssertionError at line 2, no resource at line 3
    assert "line 3: ModuleNotFoundError: import of resource halted" in flat
    assert "line 2" not in flat


@pytest.mark.slow
def test_the_self_check_never_imports_the_grading_sandbox(tree: Path) -> None:
    shutil.copy(EXAMPLES / "partial" / "hw4.py", tree / "hw4.py")
    probe = ("import json, sys; from grader.__main__ import main; code = main(['check', 'hw4.py']); "
             "print(json.dumps([code, sorted(sys.modules)]), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tree, env=_env(), capture_output=True, text=True,
                         timeout=300)
    code, modules = json.loads(out.stderr.splitlines()[-1])
    assert code == 1
    assert "grader.sandbox.portable" in modules
    assert [m for m in modules if m in {f"grader.sandbox.{name}" for name in GRADING_ONLY}] == []
    assert [m for m in ("resource", "pwd", "grp", "termios") if m in modules] == []


# ------------------------------------------------------------------ the plain subprocess, in process


def test_output_crashes_and_limits_in_a_plain_subprocess(tmp_path: Path) -> None:
    (tmp_path / "hw4.py").write_text(
        "import os, sys, time\n"
        "print('hello from the file')\n"
        "print('to stderr', file=sys.stderr)\n"
        "os._exit(3)\n"
        "a = 1\n"
        "time.sleep(30)\n"
        "def f(x):\n"
        "    print('called', x)\n"
        "    return x + a\n"
        "def slow():\n"
        "    time.sleep(30)\n"
    )
    limits = Limits(statement_seconds=0.5, call_seconds=0.5)
    start = time.monotonic()
    result = run_submission(tmp_path / "hw4.py", ["a", "b"], [("f", Case((2,))), ("slow", Case(())),
                                                             ("slow", Case(()))], limits=limits)
    assert time.monotonic() - start < 20
    assert result.values["a"] == 1 and isinstance(result.values["b"], Missing)
    assert result.outcomes[0].value == 3 and result.outcomes[0].output == "called 2\n"
    assert result.outcomes[1].value.timed_out and "(wall clock)" in result.outcomes[1].value.message
    assert result.outcomes[2].value.message == "not called: an earlier call of slow ran out of time"
    assert result.statement_errors == (
        "line 4: the process exited with code 3; the rest of the file was still run",
        "line 6: stopped after 0.5 s (wall clock); the rest of the file was still run",
    )
    assert "hello from the file" in result.stdout and "to stderr" in result.stdout
    assert '"event"' not in result.stdout  # the messages never mix with the student's output
    assert result.notices == ()


def test_rlimits_apply_only_where_they_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = Limits().rlimits(isolated=False)
    assert sorted(chosen) == ["address_space", "cpu_seconds", "file_size", "open_files"]
    monkeypatch.setitem(sys.modules, "resource", None)  # Windows
    assert apply_rlimits({**chosen, "file_size": 0}) == ["address_space", "cpu_seconds", "open_files"]

    def refuse(which: int, values: tuple[int, int]) -> None:
        raise ValueError("not allowed")

    fake = types.SimpleNamespace(RLIMIT_CPU=0, RLIMIT_FSIZE=1, RLIM_INFINITY=-1, getrlimit=lambda which: (-1, -1),
                                 setrlimit=refuse)  # no RLIMIT_AS, RLIMIT_NOFILE: skipped
    monkeypatch.setitem(sys.modules, "resource", fake)
    assert apply_rlimits(chosen, strict=False) == ["address_space", "cpu_seconds", "file_size", "open_files"]
    with pytest.raises(ValueError, match="not allowed"):
        apply_rlimits(chosen, strict=True)


# ------------------------------------------------------------------ symbolic work without fork


@pytest.fixture
def helper(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``run_with_time_limit`` as on macOS and Windows: a helper interpreter, stopped afterwards."""
    monkeypatch.setattr(symbolic, "_FORK", False)
    yield symbolic._HELPER
    symbolic._HELPER.stop()


def test_symbolic_work_runs_in_a_helper_without_fork(helper: symbolic._Helper) -> None:
    z = sympy.Symbol("z", real=True)
    sig = 1 / (1 + sympy.exp(-z))
    assert symbolic.run_with_time_limit(sympy.simplify, sympy.diff(sig, z) - sig * (1 - sig), seconds=30) == 0
    first = helper.proc
    assert symbolic.run_with_time_limit(sympy.expand, (z + 1) ** 2, seconds=30) == z**2 + 2 * z + 1
    assert helper.proc is first  # kept for the next call
    start = time.monotonic()
    assert symbolic.run_with_time_limit(time.sleep, 30, seconds=0.3) == symbolic.TimedOut(0.3)
    assert time.monotonic() - start < 3
    assert helper.proc is None and first.poll() is not None  # killed
    with pytest.raises(symbolic.SymbolicFailure, match="ZeroDivisionError: division by zero"):
        symbolic.run_with_time_limit(operator.truediv, 1, 0, seconds=30)
    unpicklable = "cannot be sent to the helper process: (PicklingError|AttributeError)"
    with pytest.raises(symbolic.SymbolicFailure, match=unpicklable):
        symbolic.run_with_time_limit(lambda: 0, seconds=30)


@pytest.mark.slow
def test_symbolic_timeouts_under_the_shim(shim_python: str) -> None:
    probe = ("import time, sympy; from grader import symbolic as s; z = sympy.Symbol('z'); "
             "print(s._FORK, s.run_with_time_limit(time.sleep, 30, seconds=0.5), "
             "s.run_with_time_limit(sympy.simplify, sympy.sin(z)**2 + sympy.cos(z)**2, seconds=30))")
    start = time.monotonic()
    out = subprocess.run([shim_python, "-c", probe], cwd=ROOT, env=_env(), capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "False TimedOut(seconds=0.5) 1", out.stderr[-2000:]
    assert time.monotonic() - start < 30
