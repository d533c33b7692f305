"""Hostile submissions graded end to end: bounded time, a valid results.json, no credit gained.

Run as root the child drops to the sandbox account; run as a normal user it
runs in unprivileged namespaces (bubblewrap or unshare(2)), and CI runs the
suite both ways.  Every attack runs in both modes: where namespaces stop an
attack with another error than file permissions (a path that is not there
rather than one that is locked), ``UNDER_NAMESPACES`` says what the student is
told.  Only where neither is available (no root, no namespaces) are the
attacks that need isolation skipped.

Each attack under ``submissions/<attack>/`` is a fragment appended to the
full-credit answers (so every part it leaves alone still earns its points);
files beside its ``hw4.py`` are copied with it, and ``target.txt`` tells it
where the results folder and the project are.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.assignment import Assignment, load_assignment
from grader.autograder import run
from grader.paths import ROOT as PROJECT
from grader.report.gradescope import validate
from grader.sandbox import namespaces
from grader.sandbox.runner import use_fork_server

HERE = Path(__file__).resolve().parent
SUBMISSIONS = HERE / "submissions"
HONEST = PROJECT / "submissions_example" / "full_credit" / "hw4.py"
MARKER = b"314159"
"""Every process an attack means to leave behind carries this in its command line."""
LIMITS = {"statement_seconds": 2, "call_seconds": 2, "total_seconds": 45, "symbolic_seconds": 2}
RUN_SECONDS = 75
"""Longest a hostile run may take (total time of the sandbox plus judging)."""


def bind_fast_rubric(folder: Path) -> Assignment:
    """The real rubric with short time limits, bound to the real reference."""
    data = yaml.safe_load((PROJECT / "rubrics" / "hw4.yaml").read_text(encoding="utf-8"))
    data["limits"] = LIMITS
    path = folder / "hw4-fast.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_assignment(path, root=PROJECT)


def _no_constant(name: str) -> Any:
    raise ValueError(f"results.json holds the non-JSON constant {name}")


def read_results(path: Path) -> dict[str, Any]:
    """Parse results.json strictly and validate it; it must be a regular file the grader wrote."""
    info = path.lstat()
    assert path.is_file() and not path.is_symlink(), "results.json is not a regular file"
    assert info.st_uid == os.geteuid(), "results.json was not written by the grader"
    results = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
    validate(results)
    return results


def open_results_dir() -> Path:
    """A results folder anyone could reach and write, as a careless image might have it.

    Only the grader's locking then stands between the child and results.json.
    """
    parent = Path(tempfile.mkdtemp(prefix="attack-results-"))
    os.chmod(parent, 0o755)
    folder = parent / "results"
    folder.mkdir()
    os.chmod(folder, 0o777)
    return folder


def build_submission(attack: str, folder: Path, results_dir: Path) -> Path:
    """The attack's folder: honest answers + the attack as ``hw4.py``, its other files, ``target.txt``."""
    source = SUBMISSIONS / attack
    folder.mkdir(parents=True)
    for item in source.iterdir():
        if item.name != "hw4.py" and item.is_file():
            shutil.copyfile(item, folder / item.name)
    attack_code = (source / "hw4.py").read_text(encoding="utf-8")
    honest = HONEST.read_text(encoding="utf-8")
    (folder / "hw4.py").write_text(f"{honest}\n\n# ---- attack: {attack} ----\n{attack_code}", encoding="utf-8")
    (folder / "target.txt").write_text(json.dumps({"results": str(results_dir), "root": str(PROJECT)}))
    return folder


def grade(submission: Path, results_dir: Path, assignment: Assignment) -> tuple[dict[str, Any], float]:
    """Run the real autograder entry (in this process) and return (results, seconds)."""
    start = time.monotonic()
    code = run(submission, results_dir / "results.json", assignment=assignment, table=False)
    seconds = time.monotonic() - start
    assert code == 0, f"the autograder exited with {code}"
    return read_results(results_dir / "results.json"), seconds


def scores(results: dict[str, Any]) -> dict[str, float]:
    return {t["number"]: t["score"] for t in results["tests"]}


def marked_processes() -> list[int]:
    """Processes an attack left running (their command line holds ``MARKER``)."""
    found = []
    for item in os.listdir("/proc"):
        if item.isdigit() and int(item) != os.getpid():
            try:
                if MARKER in Path(f"/proc/{item}/cmdline").read_bytes():
                    found.append(int(item))
            except OSError:
                continue
    return found


def orphans() -> list[int]:
    """Processes of a sandbox account whose private folder is gone: left over from a finished run."""
    uids = sandbox_uids()
    found = []
    for item in os.listdir("/proc"):
        if not item.isdigit():
            continue
        try:
            if os.stat(f"/proc/{item}").st_uid in uids and os.readlink(f"/proc/{item}/cwd").endswith(" (deleted)"):
                found.append(int(item))
        except OSError:
            continue
    return found


def sandbox_uids() -> set[int]:
    return {p.pw_uid for p in pwd.getpwall() if p.pw_name.startswith("grader-sandbox")}


def sandbox_files(folders: tuple[str, ...] = ("/tmp", "/var/tmp", "/dev/shm")) -> list[str]:
    """Files a sandbox account owns at the top of the shared temporary folders."""
    uids = sandbox_uids()
    found = []
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid in uids and not entry.name.startswith("grader-sandbox-"):
                    found.append(entry.path)
            except OSError:
                continue
    return found


ROOT_USER = os.geteuid() == 0
NAMESPACES = not ROOT_USER and namespaces.support().isolated
"""Not root, but the child runs in namespaces: it sees the system, the engine and its own folder only."""
ISOLATED = ROOT_USER or NAMESPACES
UNDER_NAMESPACES: dict[str, str | None] = {
    "results_write": "FileNotFoundError",  # the results folder is not in the child's view
    "results_replace": "FileNotFoundError",
    "results_chmod": "FileNotFoundError",
    "results_delete": "FileNotFoundError",
    "read_secrets": "FileNotFoundError",  # nor are the reference and the rubrics
    "write_grader": "Read-only file system",
    "kill_parent": None,  # its parent is PID 1 of its namespace, which ignores the signal
    "read_environ": None,  # that PID 1 holds only the child's own short environment
    "orphan_cpu": "stopped after 2 s of CPU time",  # the namespace's PID 1 reaps the orphans: their time counts
}
"""What the student is told when namespaces, not the sandbox account, stop an attack (None: nothing)."""
ROOT_KEEPS = {"fresh": ("write_grader",), "forked": ("write_grader", "kill_parent", "read_environ")}
"""As root in namespaces, what the account's permissions still answer first: the engine is not the account's
(EACCES before EROFS), and a forked child's parent is its namespace's PID 1, root's (EPERM)."""


def namespaced(launcher: str) -> bool:
    """Whether this launcher's children run in namespaces (as root: around the uid drop, where the kernel allows)."""
    if not ROOT_USER:
        return NAMESPACES
    if launcher == "forked":
        return namespaces.can_enter()
    account = pwd.getpwnam("grader-sandbox")
    return namespaces.support_as(account.pw_uid, account.pw_gid).isolated


pytestmark = [pytest.mark.attack, pytest.mark.slow]


@dataclass(frozen=True)
class Attack:
    """An attack, the tests it should lose (prefixes of test numbers) and what the student is told."""

    name: str
    loses: tuple[str, ...] = ()
    says: str | None = None
    next_run: bool = False
    needs_root: bool = False
    planted: tuple[str, ...] = field(default=())


ATTACKS = [
    Attack("results_write", says="PermissionError", needs_root=True),
    Attack("results_replace", says="PermissionError", needs_root=True),
    Attack("results_chmod", says="PermissionError", needs_root=True),
    Attack("results_delete", says="PermissionError", needs_root=True),
    Attack("fake_json_output", ("1.a", "1.f"), "not within 1%"),
    Attack("eq_always_true", ("1.a", "1.b", "2.a.1", "3.b", "3.e"), "hw4.Liar"),
    Attack("lying_subclasses", ("1.d", "2.a", "2.c", "3.b", "3.d.1"), "999"),
    Attack("nan_inf", ("1.a", "1.c.4", "1.f", "3.d.1", "3.d.2"), "finite number"),
    Attack("sys_exit", ("1.f",), "SystemExit"),
    Attack("os_exit", ("2.e",), "exited with code 0"),
    Attack("base_exception", ("3.a",), "BaseException"),
    Attack("segfault", ("1.f",), "SIGSEGV"),
    Attack("kill_parent", says="PermissionError", needs_root=True),
    Attack("kill_everything", ("1.f",), "relu_network", needs_root=True),
    Attack("kill_group", ("2.e",), "SIGKILL"),
    Attack("fork_setsid_writer", next_run=True, planted=("/tmp/results.json",)),
    Attack("read_secrets", says="PermissionError", needs_root=True),
    Attack("read_environ", says="PermissionError", needs_root=True),
    Attack("import_reference", says="ModuleNotFoundError", needs_root=True),
    Attack("write_grader", says="PermissionError", next_run=True, needs_root=True),
    Attack("remount_view", says="remount-then-write: refused, CapEff=0000000000000000", next_run=True),
    Attack("orphan_cpu"),
    Attack("sigchld_reaped", says="stopped after 2 s of CPU time"),
    Attack("kernel_keyring", says="keyring: refused"),
    Attack("deep_tree", next_run=True, planted=("/tmp/deep314159", "/dev/shm/deep314159")),
    Attack("locked_leftovers", next_run=True, planted=("/tmp/keep314159", "/var/tmp/keep314159",
                                                       "/dev/shm/keep314159")),
    Attack("plant_modules", next_run=True, planted=("/tmp/json.py", "/tmp/sitecustomize.py", "/var/tmp/json.py",
                                                     "/dev/shm/json.py", "/tmp/planted-by-attack")),
    Attack("shadow_modules"),
    Attack("loop_top", says="stopped after 2 s"),
    Attack("loop_function", ("1.f",), "ran out of time"),
    Attack("sleep_forever", ("2.e",), "ran out of time"),
    Attack("threads_forever"),
    Attack("ignore_signals", ("3.a",), "ran out of time"),
    Attack("read_stdin", says="EOFError"),
    Attack("memory_bomb", ("1.f",), "MemoryError", needs_root=False),
    Attack("fork_bomb", ("2.e",), "ran out of time", needs_root=True),
    Attack("huge_print", ("1.f",)),
    Attack("huge_exception", ("1.f", "2.e"), "ValueError: www"),
    Attack("huge_values", ("1.a", "1.b", "1.c.4", "1.f", "3.d.1"), "could not be read"),
    Attack("expression_injection", ("1.b", "3.b", "3.c", "3.d"), "not allowed",
           planted=("/tmp/expression-injection-ran",)),
    Attack("stack_walk_plan", ("2.c",), "plan-walk found 0 entries, 0 bytes waiting"),
    Attack("read_request_file", says="request-file: 0 read, 0 calls"),
    Attack("forged_message_flood", says="stopped: the process sent more than 20000 messages"),
    Attack("busy_loop_neighbour"),
    Attack("sysv_ipc", next_run=True),
]


@pytest.fixture(scope="module")
def assignment(tmp_path_factory):
    return bind_fast_rubric(tmp_path_factory.mktemp("rubric"))


def _loses(number: str, attack: Attack) -> bool:
    return any(number == p or number.startswith(p + ".") for p in attack.loses)


@pytest.fixture(params=["fresh", "forked"])
def launcher(request):
    """Children started as new interpreters, or forked by the zygote (batch workers)."""
    if request.param == "forked" and not ROOT_USER and not namespaces.can_enter():
        pytest.skip("not root: children are forked by the zygote only into the kernel's namespaces "
                    f"(GRADER_NAMESPACES={namespaces.MODE_ENV in os.environ and os.environ[namespaces.MODE_ENV]})")
    use_fork_server(request.param == "forked")
    yield request.param
    use_fork_server(False)


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_a_hostile_submission_gains_nothing_and_breaks_nothing(attack, assignment, tmp_path, launcher):
    if not ISOLATED and (attack.needs_root or attack.next_run):
        pytest.skip(f"not isolated ({namespaces.support().reason}): this attack needs root or namespaces")
    says = attack.says
    if namespaced(launcher) and not (ROOT_USER and attack.name in ROOT_KEEPS[launcher]):
        says = UNDER_NAMESPACES.get(attack.name, attack.says)
    results_dir = open_results_dir()
    before = set(sandbox_files())
    try:
        submission = build_submission(attack.name, tmp_path / "submission", results_dir)
        results, seconds = grade(submission, results_dir, assignment)

        assert seconds < RUN_SECONDS
        assert len((results_dir / "results.json").read_bytes()) < 2_000_000
        assert sorted(p.name for p in results_dir.iterdir()) == ["results.json"]
        tests = {t["number"]: t for t in results["tests"]}
        for number, test in tests.items():
            if _loses(number, attack):
                assert test["score"] == 0, f"{number} gained {test['score']}"
                assert test["output"].strip()
            else:
                assert test["score"] == test["max_score"], f"{number} was not graded normally: {test['output']}"
        assert results["score"] == sum(t["max_score"] for t in tests.values() if not _loses(t["number"], attack))
        if says:
            shown = [results.get("output", "")] + [t["output"] for n, t in tests.items() if _loses(n, attack)]
            assert any(says in text for text in shown), shown

        assert marked_processes() == [], "a process of the attack survived the run"
        assert orphans() == [], "a sandbox process outlived its run"
        assert set(sandbox_files()) <= before, "the attack left files in a shared temporary folder"
        assert not list(Path(tempfile.gettempdir()).glob(f"grader-sandbox-{os.getpid()}-*")), "a run's folder stayed"
        for path in attack.planted:
            assert not os.path.lexists(path), f"{path} was left behind"
        if attack.next_run:
            honest_dir = open_results_dir()
            try:
                honest, _ = grade(PROJECT / "submissions_example" / "full_credit", honest_dir, assignment)
                assert honest["score"] == 100
            finally:
                shutil.rmtree(honest_dir.parent)
    finally:
        shutil.rmtree(results_dir.parent, ignore_errors=True)


def test_a_results_json_planted_while_grading_is_replaced_by_the_real_one(assignment, tmp_path, monkeypatch):
    """Even if a planted results.json got through, the grader deletes it and writes its own last."""
    import grader.autograder as autograder

    results_dir = open_results_dir()
    target = results_dir / "results.json"
    real = autograder.grade_to_results

    def plant_then_grade(*args, **kwargs):
        target.write_text('{"score": 1000, "tests": []}')
        (tmp_path / "elsewhere").write_text("keep")
        return real(*args, **kwargs)

    monkeypatch.setattr(autograder, "grade_to_results", plant_then_grade)
    try:
        results, _ = grade(PROJECT / "submissions_example" / "full_credit", results_dir, assignment)
        assert results["score"] == 100
    finally:
        shutil.rmtree(results_dir.parent, ignore_errors=True)


def test_a_planted_symlink_is_replaced_not_followed(assignment, tmp_path):
    results_dir = open_results_dir()
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    (results_dir / "results.json").symlink_to(victim)
    try:
        results, _ = grade(PROJECT / "submissions_example" / "full_credit", results_dir, assignment)
        assert results["score"] == 100 and victim.read_text() == "untouched"
    finally:
        shutil.rmtree(results_dir.parent, ignore_errors=True)


def test_every_attack_has_a_case():
    folders = {p.name for p in (Path(__file__).parent / "submissions").iterdir() if p.is_dir()}
    assert folders == {a.name for a in ATTACKS}
