"""Batch regrade: every submission of a folder, in parallel, into one CSV.

The folder is a Gradescope "Export Submissions" folder (``submission_<id>/``
folders plus ``submission_metadata.yml``) or any folder of submission folders
and ``.py``/``.ipynb`` files.  Worker processes bind the rubric and reference
once (inherited through ``fork`` where available) and grade one submission at
a time; each student's code still runs in its own fresh sandboxed child, as a
sandbox user of its own per worker when run as root.  Each submission's
``results.json`` is written atomically to ``OUT/<id>/results.json``; the CSV is
rebuilt from those files, so a rerun skips finished submissions (unless
``force``) and one crashed worker costs only its submission.  Ctrl-C stops the
workers (each kills its sandbox child on the way out), writes the CSV of the
finished submissions and raises :class:`BatchInterrupted`; the same command
resumes.

Run as root, nothing of the batch is reachable by the sandbox accounts: each
submission is graded from a private staging copy (links refused, sizes
capped), the results folder is 0700 and the CSV 0600, and while grading the
export folder's root loses every right of "others" (restored at the end), so
a child that learns the export's path (``/proc/*/cmdline`` is world-readable)
still cannot read a classmate's file.  ``submission_metadata.yml`` is parsed
with a size cap and a YAML loader that refuses more than a few aliases.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import multiprocessing as mp
import os
import re
import shutil
import signal
import stat
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.connection import wait as wait_for_exits
from pathlib import Path
from typing import Any, NoReturn, cast

import yaml

from grader.assignment import Assignment, load_assignment
from grader.autograder import grade_to_results
from grader.report.answers_json import ANSWERS_FILE, write_answers
from grader.report.csv_rows import csv_header, csv_row, write_csv
from grader.report.gradescope import crash_results, write_results
from grader.results import GradeReport, Status, TestResult
from grader.rubric import Part, Rubric, load_rubric
from grader.sandbox import namespaces
from grader.sandbox.isolation import (
    MAX_DEPTH,
    MAX_FILES,
    copy_tree,
    is_root,
    lock_secret_paths,
    needed_by_child,
    register_sandbox_user,
)
from grader.sandbox.limits import Limits
from grader.sandbox.runner import use_fork_server
from grader.sandbox.scratch import scratch_folder
from grader.submission import ENTRY_LIMITS, SUFFIXES, SubmissionError, entry_limit, find_entry, read_capped

__all__ = [
    "BatchInterrupted", "BatchSummary", "NothingToGrade", "NotIsolatedError", "Submission", "discover",
    "grade_one", "locate_submissions", "report_from_results", "run_batch",
]

METADATA_FILE = "submission_metadata.yml"
METADATA_BYTES = 16 * 2**20
"""Largest ``submission_metadata.yml`` read (a class of a thousand takes well under 1 MiB)."""
MAX_ALIASES = 20
"""YAML aliases accepted in the metadata (a billion-laughs file needs many)."""
_SKIP = {"__MACOSX", "__pycache__", ".git", ".ipynb_checkpoints"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_STATUSES = {"passed", "partial", "failed", "invalid", "missing", "error", "manual"}
WORKER_CRASH = "The grading worker process died while grading this submission; regrade it with --force."
STOP_SECONDS = 10.0
"""How long an interrupted batch waits for a worker to kill its sandbox child and leave, before killing it."""


class NotIsolatedError(RuntimeError):
    """Student code would run unisolated, with the grader's own rights (no root, no namespaces)."""


def _refuse_unisolated() -> None:
    if not is_root() and not namespaces.support().isolated:
        raise NotIsolatedError(
            f"student code would run unisolated, with your own rights: {namespaces.support().reason}. "
            "Run as root, or pass --no-isolation to grade anyway."
        )


@dataclass(frozen=True, slots=True)
class Submission:
    """One submission to grade: a safe id, its file or folder, its CSV metadata."""

    id: str
    path: Path
    meta: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """What a batch run did."""

    graded: tuple[str, ...]
    skipped: tuple[str, ...]
    crashed: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    csv_path: Path
    out_dir: Path
    total: int = 0
    """Submissions found (``rows`` holds only the finished ones when interrupted)."""


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped the batch; the CSV of the finished submissions was written (``summary``)."""

    def __init__(self, summary: BatchSummary) -> None:
        super().__init__("the batch was interrupted")
        self.summary = summary


class NothingToGrade(ValueError):
    """The folder holds no submission and no export (said in words for the TA)."""


# ------------------------------------------------------------------ discovery


def _safe_id(name: str) -> str:
    text = _UNSAFE.sub("_", name).strip("._") or "submission"
    return text[:120]


def _field(entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(f":{key}", entry.get(key, ""))
    return str(value)[:1000] if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


class MetadataError(yaml.YAMLError):
    """The metadata file is refused (too many aliases)."""


class _MetadataLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses more than ``MAX_ALIASES`` aliases (no billion laughs)."""

    aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise MetadataError(f"more than {MAX_ALIASES} YAML aliases")
        return super().compose_node(parent, index)


def _load_metadata(path: Path) -> Any:
    text = read_capped(path, METADATA_BYTES).decode("utf-8", errors="replace")
    loader = _MetadataLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_metadata(folder: Path) -> dict[str, dict[str, str]]:
    """Gradescope's ``submission_metadata.yml``: folder name -> name, email, sid (members joined by ``; ``).

    A file that is too large, a link, invalid or a YAML bomb leaves every name
    empty, with one line on stderr; grading goes on.
    """
    path = folder / METADATA_FILE
    if not os.path.lexists(path):
        return {}
    try:
        data = _load_metadata(path)
    except (yaml.YAMLError, SubmissionError, RecursionError, MemoryError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"warning: {path} was not read ({reason}); names are left empty", file=sys.stderr)
        return {}
    out: dict[str, dict[str, str]] = {}
    for key, value in (data or {}).items() if isinstance(data, dict) else ():
        if not isinstance(value, dict):
            continue
        members = value.get(":submitters", value.get("submitters")) or []
        members = [m for m in members if isinstance(m, dict)] if isinstance(members, list) else []
        out[str(key)] = {k: "; ".join(_field(m, k) for m in members) for k in ("name", "email", "sid")}
    return out


def discover(folder: Path, *, exclude: Iterable[Path] = ()) -> list[Submission]:
    """The submissions in ``folder``: sub-folders and ``.py``/``.ipynb`` files, sorted by name."""
    folder = Path(folder)
    skip = {Path(p).resolve() for p in exclude}
    metadata = read_metadata(folder)
    found: list[Submission] = []
    used: set[str] = set()
    for child in sorted(folder.iterdir(), key=lambda p: p.name):
        if child.name in _SKIP or child.name.startswith(".") or child.is_symlink() or child.resolve() in skip:
            continue
        if not (child.is_dir() or (child.is_file() and child.suffix in SUFFIXES)):
            continue
        meta = metadata.get(child.name, {})
        base = child.name if child.is_dir() else child.stem
        if meta or base.startswith("submission_"):
            base = base.removeprefix("submission_")
        sub_id, n = _safe_id(base), 2
        while sub_id in used:
            sub_id, n = f"{_safe_id(base)}-{n}", n + 1
        used.add(sub_id)
        found.append(Submission(sub_id, child, {"id": sub_id, **meta}))
    return found


def _is_export(folder: Path) -> bool:
    """A Gradescope export: ``submission_metadata.yml`` or ``submission_<id>/`` folders."""
    if os.path.lexists(folder / METADATA_FILE):
        return True
    with contextlib.suppress(OSError):
        return any(c.name.startswith("submission_") and c.is_dir() and not c.is_symlink() for c in folder.iterdir())
    return False


def _has_code(path: Path, depth: int = 2) -> bool:
    """A ``.py``/``.ipynb`` file, or a folder holding one within ``depth`` levels (links not followed)."""
    if not path.is_dir():
        return path.suffix in SUFFIXES
    try:
        entries = list(os.scandir(path))
    except OSError:
        return False
    for entry in entries:
        if entry.name in _SKIP or entry.name.startswith(".") or entry.is_symlink():
            continue
        if entry.is_file() and Path(entry.name).suffix in SUFFIXES:
            return True
        if depth > 1 and entry.is_dir() and _has_code(Path(entry.path), depth - 1):
            return True
    return False


EXPECTED = (
    "give a Gradescope export folder (unzipped: one submission_<id>/ folder per submission and "
    "submission_metadata.yml) or the folder holding it, or any folder of submission folders, .py or .ipynb files"
)


def locate_submissions(folder: Path, *, exclude: Iterable[Path] = ()) -> tuple[Path, str | None]:
    """The folder to grade, and a line to tell the TA when it is not ``folder`` itself.

    ``folder`` itself when it is an export or holds submissions; the export
    one level down when ``folder`` holds only that (the unzipped download's
    parent folder).

    Raises:
        NothingToGrade: nothing gradable, or several exports to choose from.
    """
    folder = Path(folder)
    if _is_export(folder):
        return folder, None
    subs = discover(folder, exclude=exclude)
    exports = [s.path for s in subs if s.path.is_dir() and _is_export(s.path)]
    others = [s.path for s in subs if s.path not in exports and _has_code(s.path)]
    if len(exports) == 1 and not others:
        return exports[0], f"{folder} holds the Gradescope export {exports[0].name}/: grading the submissions in it"
    if len(exports) > 1 and not others:
        names = ", ".join(f"{p.name}/" for p in exports)
        raise NothingToGrade(f"{folder} holds several Gradescope exports ({names}); give the one to grade")
    if not exports and not others:
        zips = sorted(p.name for p in folder.iterdir() if p.suffix.lower() == ".zip")
        hint = f" ({', '.join(zips)}: unzip it first)" if zips else ""
        raise NothingToGrade(f"{folder} holds nothing to grade{hint}; {EXPECTED}")
    return folder, None


# ------------------------------------------------------------------ workers

_ASSIGNMENT: Assignment | None = None
_LIMITS: Limits | None = None
_WORKER: dict[str, int] = {"pid": 0, "busy": 0}


class _Stopped(BaseException):
    """The batch was interrupted: unwind this worker's grading (its sandbox child is killed on the way)."""


def _leave() -> NoReturn:
    """End an interrupted worker: stop its fork server (it has no child left by now), then exit."""
    with contextlib.suppress(Exception):
        use_fork_server(False)
    os._exit(0)


def _not_here(signum: int, frame: object) -> None:
    """SIGINT in a worker: ignored (a handler, not ``SIG_IGN``, so the children it starts get the default)."""


def _on_stop(signum: int, frame: object) -> None:
    """SIGTERM in a worker: leave now when idle, else unwind the grading (``finally`` blocks clean up)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if os.getpid() != _WORKER["pid"]:
        os._exit(0)  # a process forked by the worker (time-limited symbolic work)
    if not _WORKER["busy"]:
        _leave()
    raise _Stopped


def _work(task: Task, sub_id: str, path: str, results_path: str) -> GradeReport | None | str:
    """Run ``task`` in a worker; an interrupted batch ends the worker once its sandbox is cleaned up."""
    _WORKER["busy"] = 1
    try:
        return task(sub_id, path, results_path)
    except _Stopped:
        _leave()
    finally:
        _WORKER["busy"] = 0


def _init_worker(rubric: Path, counter: Any, user_prefix: str) -> None:
    """Bind the rubric once per worker (unless inherited) and pick this worker's sandbox user."""
    global _ASSIGNMENT, _LIMITS
    _WORKER["pid"] = os.getpid()
    signal.signal(signal.SIGINT, _not_here)  # Ctrl-C is the main process's to handle
    signal.signal(signal.SIGTERM, _on_stop)
    with counter.get_lock():
        counter.value += 1
        index = counter.value
    if _ASSIGNMENT is None:
        _ASSIGNMENT = load_assignment(rubric)
    register_sandbox_user(user_prefix)
    _LIMITS = Limits(user=f"{user_prefix}-w{index}") if is_root() else Limits()
    # each child forked fresh from a zygote that imported numpy once: as a sandbox account (root),
    # or into namespaces of its own (a normal user, where the kernel allows); else started anew
    use_fork_server(True)


@contextlib.contextmanager
def staged(path: Path, max_bytes: int, *, stem: str) -> Iterator[tuple[Path, list[str]]]:
    """A private copy of one submission (a 0700 folder of the grader's), and notices for the student.

    Grading the copy, never the export, keeps classmates' files (the other
    loose files beside a ``.py``) and the export's path out of the child's
    reach.  Links are refused and sizes capped while copying (see
    ``grader.sandbox.isolation.copy_tree``).  A submission whose entry file is
    refused (a link, too large, none at all) is handed back as it is: it is
    reported without running anything.
    """
    path = Path(path)
    try:
        find_entry(path, stem=stem)
    except SubmissionError:
        yield path, []
        return
    root = scratch_folder("stage")
    try:
        target = root / path.name
        if path.is_dir():
            notices = copy_tree(path, target, max_bytes=max_bytes + ENTRY_LIMITS[".ipynb"],
                                max_files=MAX_FILES + 1, depth=MAX_DEPTH + 1)
        else:
            target.write_bytes(read_capped(path, entry_limit(path)))
            notices = []
        yield target, notices
    finally:
        shutil.rmtree(root, ignore_errors=True)


def grade_one(sub_id: str, path: str, results_path: str) -> GradeReport | None:
    """Grade one submission in a worker (from a staged copy) and write its results.json.

    Returns the report (without the staff-only answers, which are written
    beside results.json), so that the batch builds its CSV row from it; None
    when the grader itself failed (its results.json says why).
    """
    limits = _LIMITS or Limits()
    stem = _ASSIGNMENT.rubric.entry_stem if _ASSIGNMENT is not None else "submission"
    with staged(Path(path), limits.submission_bytes, stem=stem) as (copy, notices):
        outcome = grade_to_results(copy, assignment=_ASSIGNMENT, limits=_LIMITS)
    results = dict(outcome.results)
    if notices:
        results["output"] = "\n\n".join([*notices, *filter(None, [results.get("output")])])
    results.setdefault("extra_data", {})["batch_id"] = sub_id
    results["extra_data"]["submission"] = str(path)
    write_answers(outcome.report, Path(results_path).with_name(ANSWERS_FILE))  # staff-only, for the class report
    write_results(results, Path(results_path))
    if outcome.report is None:
        return None
    return dataclasses.replace(outcome.report, notices=(*notices, *outcome.report.notices), answers={})


Task = Callable[[str, str, str], "GradeReport | None | str"]
"""Grades one submission ``(id, path, results path)``; a returned report becomes its CSV row."""


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """Ignore Ctrl-C in the block (stopping the workers, writing the CSV); a no-op off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _stop_pool(pool: ProcessPoolExecutor, seconds: float = STOP_SECONDS) -> None:
    """Cancel what has not started, and stop every worker (SIGTERM, then SIGKILL after ``seconds``).

    A worker that is grading unwinds: its sandbox child is killed and its
    staged copy removed before it leaves.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        with contextlib.suppress(ProcessLookupError, TypeError):
            os.kill(proc.pid, signal.SIGTERM)
    pending = {proc.sentinel: proc for proc in processes}
    deadline = time.monotonic() + seconds
    while pending and (left := deadline - time.monotonic()) > 0:
        for ready in wait_for_exits(list(pending), timeout=left):
            pending.pop(ready)  # type: ignore[call-overload]
    for proc in pending.values():
        with contextlib.suppress(ProcessLookupError, TypeError):
            os.kill(proc.pid, signal.SIGKILL)
    pool.shutdown(wait=True)


def _pool(jobs: int, rubric: Path, user_prefix: str) -> ProcessPoolExecutor:
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    counter = ctx.Value("i", 0)
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(rubric, counter, user_prefix)
    )


def _write_crash(results_path: Path, detail: str) -> None:
    results = crash_results(WORKER_CRASH, traceback_text=detail)
    results["extra_data"]["worker_crash"] = True
    write_results(results, results_path)


def _run_pool(
    todo: Sequence[Submission], out_dir: Path, *, jobs: int, rubric: Path, user_prefix: str,
    task: Task, tick: Callable[[], None], reports: dict[str, GradeReport],
) -> tuple[list[str], list[Submission]]:
    """Grade ``todo`` on a pool; returns (graded ids, submissions whose worker broke) and fills ``reports``."""
    graded: list[str] = []
    broken: list[Submission] = []
    pool = _pool(jobs, rubric, user_prefix)
    try:
        futures: dict[Future[GradeReport | None | str], Submission] = {}
        for sub in todo:
            target = out_dir / sub.id / "results.json"
            futures[pool.submit(_work, task, sub.id, str(sub.path), str(target))] = sub
        for future in as_completed(futures):
            sub = futures[future]
            try:
                report = future.result()
                if isinstance(report, GradeReport):
                    reports[sub.id] = report
                graded.append(sub.id)
                tick()
            except BrokenProcessPool:
                broken.append(sub)
            except Exception:
                _write_crash(out_dir / sub.id / "results.json", traceback.format_exc())
                graded.append(sub.id)
                tick()
    except KeyboardInterrupt:
        with _uninterrupted():
            _stop_pool(pool)
        raise
    pool.shutdown(wait=True)
    return graded, broken


# ------------------------------------------------------------------ rows


def report_from_results(results: Mapping[str, Any]) -> GradeReport:
    """Rebuild the parts of a :class:`GradeReport` that CSV rows need from a results.json."""
    tests = []
    for t in results.get("tests") or []:
        extra = t.get("extra_data") or {}
        status = cast(Status, extra["status"] if extra.get("status") in _STATUSES else (
            "passed" if t.get("status") == "passed" else "failed"
        ))
        manual = bool(extra.get("manual"))
        tests.append(TestResult(
            name=str(t.get("name", "")), number=str(t.get("number", "")), answer=str(extra.get("answer") or ""),
            score=float(t.get("score") or 0.0),
            max_score=float(extra.get("staff_points", 0.0) if manual else (t.get("max_score") or 0.0)),
            status=status, visibility=t.get("visibility", "visible"), output=str(t.get("output", "")),
            part=str(extra.get("part") or ""), manual=manual,
        ))
    output = results.get("output") or ""
    notices = tuple(n for n in str(output).split("\n\n") if n.strip())
    return GradeReport(tuple(tests), str((results.get("extra_data") or {}).get("submission", "")), notices)


def _row(sub: Submission, out_dir: Path, parts: Sequence[str | Part], report: GradeReport | None) -> list[str]:
    """The CSV row: from the report a worker handed back, else (graded by an earlier run) from results.json."""
    if report is not None:
        return csv_row(report, meta=sub.meta, parts=parts)
    path = out_dir / sub.id / "results.json"
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = crash_results("no results.json was written for this submission", traceback_text="")
    report = report_from_results(results)
    row = csv_row(report, meta=sub.meta, parts=parts)
    if (results.get("extra_data") or {}).get("crashed") and "crash" not in row[-1]:
        row[-1] = ";".join(sorted({*filter(None, row[-1].split(";")), "crash"}))
    return row


def _finished(path: Path) -> bool:
    try:
        return isinstance(json.loads(path.read_text(encoding="utf-8")).get("tests"), list)
    except (OSError, ValueError, AttributeError):
        return False


@contextlib.contextmanager
def closed_to_others(folder: Path) -> Iterator[None]:
    """As root: the export folder's root loses every right of "others" until the block ends.

    The sandbox accounts are "others" to it (no shared group), so no child can
    enter the export, whatever path it learns; the mode is restored after.
    """
    try:
        mode = stat.S_IMODE(os.stat(folder).st_mode)
    except OSError:
        mode = 0
    opened = mode & 0o007 if is_root() and not needed_by_child(folder) else 0
    if opened:
        os.chmod(folder, mode & ~0o007)
    try:
        yield
    finally:
        if opened:
            with contextlib.suppress(OSError):
                os.chmod(folder, stat.S_IMODE(os.stat(folder).st_mode) | opened)


def default_out_dir(csv_path: Path) -> Path:
    """Where results.json files go: ``grades.csv`` -> ``grades_results/`` beside it."""
    csv_path = Path(csv_path)
    return csv_path.with_name(csv_path.stem + "_results")


def run_batch(
    folder: Path, csv_path: Path, *, out_dir: Path | None = None, jobs: int | None = None,
    force: bool = False, rubric: Path, progress: bool = True, user_prefix: str = "grader-sandbox",
    task: Task = grade_one, allow_unisolated: bool = False,
) -> BatchSummary:
    """Grade every submission in ``folder`` and write the CSV; see the module docstring.

    Student code runs isolated (root, or namespaces) unless ``allow_unisolated``.

    Raises:
        BatchInterrupted: Ctrl-C; the workers were stopped and the CSV holds the finished submissions.
        NotIsolatedError: it could not be isolated and ``allow_unisolated`` is false (nothing is graded).
        RubricError: the rubric is broken (nothing is graded).
        FileNotFoundError: ``folder`` is not a folder.
    """
    global _ASSIGNMENT
    folder, csv_path = Path(folder), Path(csv_path)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    out_dir = Path(out_dir) if out_dir else default_out_dir(csv_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    register_sandbox_user(user_prefix)
    lock_secret_paths([out_dir])  # as root: earlier results are the grader's only
    spec: Rubric = load_rubric(rubric)
    subs = discover(folder, exclude=(out_dir, csv_path))
    todo = [s for s in subs if force or not _finished(out_dir / s.id / "results.json")]
    skipped = tuple(s.id for s in subs if s not in todo)
    if todo and task is grade_one and not allow_unisolated:
        _refuse_unisolated()
    graded: list[str] = []
    crashed: list[str] = []
    reports: dict[str, GradeReport] = {}
    interrupted = False
    if todo:
        _ASSIGNMENT = load_assignment(rubric)  # bound once; forked workers inherit it
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
        import tqdm as tqdm_module

        tqdm_module.tqdm.monitor_interval = 0  # no monitor thread across fork()
        bar = tqdm_module.tqdm(total=len(todo), unit="sub", file=sys.stderr, disable=not progress, desc="grading")
        try:
            with closed_to_others(folder):
                done, broken = _run_pool(
                    todo, out_dir, jobs=jobs, rubric=rubric, user_prefix=user_prefix, task=task, tick=bar.update,
                    reports=reports,
                )
                graded += done
                for sub in broken:  # alone in a fresh worker: only the culprit crashes again
                    again, still = _run_pool(
                        [sub], out_dir, jobs=1, rubric=rubric, user_prefix=user_prefix, task=task, tick=bar.update,
                        reports=reports,
                    )
                    graded += again
                    for bad in still:
                        _write_crash(out_dir / bad.id / "results.json", WORKER_CRASH)
                        crashed.append(bad.id)
                        bar.update()
        except KeyboardInterrupt:
            interrupted = True
        finally:
            bar.close()
    with _uninterrupted():
        kept = [s for s in subs if _finished(out_dir / s.id / "results.json")] if interrupted else subs
        rows = [_row(s, out_dir, spec.parts, reports.get(s.id)) for s in kept]
        write_csv(csv_path, csv_header(spec.parts), rows)
        if is_root():
            os.chmod(csv_path, 0o600)
    if interrupted:
        graded = [s.id for s in todo if s in kept]
    summary = BatchSummary(
        tuple(graded), skipped, tuple(crashed), tuple(tuple(r) for r in rows), csv_path, out_dir, len(subs)
    )
    if interrupted:
        raise BatchInterrupted(summary)
    return summary
