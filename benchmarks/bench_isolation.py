"""Benchmark the cost of isolating the sandbox child with namespaces, per run.

Measures, in the same run and on the same machine, interleaved:

* grading ``submissions_example/full_credit`` (the sandbox run with every
  name and call the rubric asks for, and the checks) without isolation
  (``GRADER_NAMESPACES=off``), through bubblewrap and through ``unshare(2)``;
  run as a normal user, since root drops to a sandbox account;
* the bare start of the child's interpreter (``python -I -c "import numpy"``),
  plain and in each kind of namespaces, which works as root too;
* a whole run of a one-line submission through the fork server (batch's
  children), with and without namespaces: as root (whose forks may go
  without them), one mode after the other, each with a zygote of its own.

Reports the median in ms, the extra ms per run, and the ratio to the run
without isolation.  Usage::

    .venv/bin/python benchmarks/bench_isolation.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.assignment import Assignment, load_assignment  # noqa: E402
from grader.grade import grade_path  # noqa: E402
from grader.paths import DEFAULT_RUBRIC  # noqa: E402
from grader.sandbox import namespaces  # noqa: E402
from grader.sandbox.limits import Limits  # noqa: E402
from grader.sandbox.runner import run_submission, use_fork_server  # noqa: E402

MODES = ("off", "bwrap", "kernel")


def _available(mode: str) -> bool:
    if mode == "off":
        return True
    return (mode != "bwrap" or namespaces._bwrap() is not None) and namespaces._works(mode)


def child_start(mode: str) -> float:
    """Seconds to start the child's interpreter and import numpy, plainly or in namespaces."""
    cmd = [sys.executable, "-I", "-c", "import numpy"]
    work = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    try:
        for sub in ("submission", "tmp"):
            (work / sub).mkdir()
        if mode != "off":
            cmd = namespaces.wrapped(cmd, workdir=work, cwd=work / "submission", mode=mode)
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start
    finally:
        shutil.rmtree(work, ignore_errors=True)


def sandbox_run(mode: str) -> float:
    """Seconds of grading full_credit (sandbox run and checks) with ``GRADER_NAMESPACES=mode``."""
    os.environ[namespaces.MODE_ENV] = mode
    start = time.perf_counter()
    report = grade_path(ROOT / "submissions_example" / "full_credit", _ASSIGNMENT[0])
    seconds = time.perf_counter() - start
    assert report.score == report.max_score, "full_credit did not earn full marks"
    return seconds


_ASSIGNMENT: list[Assignment] = []


def measure(label: str, fn: Callable[[str], float], modes: list[str], repeat: int) -> None:
    fn(modes[0])  # warm the page cache
    times: dict[str, list[float]] = {m: [] for m in modes}
    for _ in range(repeat):
        for mode in modes:  # interleaved, so drift hits every mode alike
            times[mode].append(fn(mode))
    base = statistics.median(times["off"])
    print(f"\n{label} (median of {repeat})")
    for mode in modes:
        median = statistics.median(times[mode])
        extra = "" if mode == "off" else f"  +{(median - base) * 1000:6.1f} ms  x{median / base:.2f}"
        print(f"  {mode:7s} {median * 1000:8.1f} ms{extra}")


def forked_runs(mode: str, repeat: int) -> list[float]:
    """Seconds of each run of a one-line submission forked by a zygote started with ``GRADER_NAMESPACES=mode``."""
    os.environ[namespaces.MODE_ENV] = mode
    namespaces.forget_probe()
    use_fork_server(True)
    try:
        with tempfile.TemporaryDirectory(prefix="grader-bench-") as folder:
            entry = Path(folder) / "hw4.py"
            entry.write_text("x = 1\n")
            times = []
            for _ in range(repeat + 1):  # the first run starts the zygote
                start = time.perf_counter()
                result = run_submission(entry, ["x"], [], limits=Limits())
                times.append(time.perf_counter() - start)
                assert result.values == {"x": 1}, result
            return times[1:]
    finally:
        use_fork_server(False)


def measure_forked(repeat: int) -> None:
    base = statistics.median(forked_runs("off", repeat))
    print(f"\nforked child, a one-line submission, root (median of {repeat})")
    print(f"  {'off':10s} {base * 1000:8.1f} ms")
    os.environ[namespaces.MODE_ENV] = "auto"
    namespaces.forget_probe()
    if not namespaces.can_enter():
        print("  (this kernel refuses a fork new namespaces: batch's children go without them)")
        return
    median = statistics.median(forked_runs("auto", repeat))
    print(f"  {'namespaces':10s} {median * 1000:8.1f} ms  +{(median - base) * 1000:6.1f} ms  x{median / base:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    modes = [m for m in MODES if _available(m)]
    print(f"kernel {os.uname().release}; isolation modes available: {', '.join(modes[1:]) or 'none'}")
    measure("child start: python -I -c 'import numpy'", child_start, modes, args.repeat)
    if os.geteuid() == 0:
        measure_forked(max(args.repeat, 30))
        print("\n(as root the sandbox run drops to a sandbox account; run as a normal user to time whole runs)")
        return 0
    _ASSIGNMENT.append(load_assignment(DEFAULT_RUBRIC))
    measure("grading full_credit (sandbox run and checks)", sandbox_run, modes, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
