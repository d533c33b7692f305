"""Benchmark one grading run against two baselines measured in the same run.

Each command runs ``--repeat`` times, interleaved so that drift hits all alike,
first pinned to one CPU (Gradescope gives half a vCPU), then on every CPU:

* floor: ``python -c "import numpy, sympy"``;
* grade: ``./run_autograder submissions_example/full_credit`` end to end
  (sandbox, answer key, results.json);
* peer: the grader a TA would write with gradescope-utils
  (``benchmarks/peer_grader``: unittest, ``@weight``, the submission imported
  in-process with no sandbox, ``JSONTestRunner``) on the same submission.

It reports the medians, the ratios, the peak memory (max RSS of the largest
process of each command's tree, from ``wait4``) and the time of each
expression check (``extra_data.seconds``).  As ``setup.sh`` does, it first
compiles the answer key and byte-compiles the engine.  Targets, on one CPU:
grade at most 2.0x the floor and 1.2x the peer; peak memory under 300 MB; no
expression check over 200 ms.  Usage::

    .venv/bin/python benchmarks/bench_grade.py [--repeat 7] [--example full_credit]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
TARGET_FLOOR = 2.0
TARGET_PEER = 1.2
TARGET_MEMORY_MB = 300.0
TARGET_CHECK_MS = 200.0


def _pin(cpus: set[int] | None) -> Callable[[], None] | None:
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)  # what `taskset -c 0` does


def timed(cmd: list[str], cpus: set[int] | None) -> tuple[float, float]:
    """Wall seconds of ``cmd`` and the max RSS (MB) of the largest process of its tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=_pin(cpus))  # noqa: PLW1509 - only sets the CPU affinity
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited with {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024.0


def measure(commands: dict[str, list[str]], repeat: int, cpus: set[int] | None) -> dict[str, tuple[float, float]]:
    """Median seconds and peak MB of each command, runs interleaved."""
    for cmd in commands.values():  # page cache warm
        timed(cmd, cpus)
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    peak = dict.fromkeys(commands, 0.0)
    for _ in range(repeat):
        for name, cmd in commands.items():
            s, mb = timed(cmd, cpus)
            seconds[name].append(s)
            peak[name] = max(peak[name], mb)
    return {name: (statistics.median(seconds[name]), peak[name]) for name in commands}


def prepare() -> None:
    """What setup.sh does before the first run: the answer key, and the engine byte-compiled."""
    subprocess.run([PYTHON, "-m", "grader.answer_key"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([PYTHON, "-m", "compileall", "-q", "grader", "public"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--example", default="full_credit")
    args = parser.parse_args()
    prepare()
    submission = f"submissions_example/{args.example}"
    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            "floor": [PYTHON, "-c", "import numpy, sympy"],
            "grade": [str(ROOT / "run_autograder"), submission, "--results", tmp],
            "peer": [PYTHON, str(ROOT / "benchmarks" / "peer_grader" / "run_tests.py"), submission,
                     str(Path(tmp) / "peer.json")],
        }
        one = measure(commands, args.repeat, {min(os.sched_getaffinity(0))})
        every = measure(commands, args.repeat, None)
        results = json.loads((Path(tmp) / "results.json").read_text(encoding="utf-8"))
        peer = json.loads((Path(tmp) / "peer.json").read_text(encoding="utf-8"))
    expression_ms = {
        t["number"]: round(1000 * t["extra_data"].get("seconds", 0.0), 1)
        for t in results["tests"]
        if t["extra_data"].get("answer", "").startswith(("p3b", "p3c", "p3d_w1"))
    }
    slowest_ms = max(expression_ms.values(), default=0.0)
    cpus = len(os.sched_getaffinity(0))
    print(f"{args.example}: grade scores {results['score']}, the peer {peer.get('score')}; "
          f"medians of {args.repeat} interleaved runs")
    for label, found in (("one CPU", one), (f"{cpus} CPUs", every)):
        floor, grade, other = (found[name][0] for name in ("floor", "grade", "peer"))
        print(f"{label:>8}: floor {floor:.3f} s  grade {grade:.3f} s  peer {other:.3f} s  "
              f"grade/floor {grade / floor:.2f}x  grade/peer {grade / other:.2f}x")
    peak = {name: max(one[name][1], every[name][1]) for name in commands}
    print(f"peak memory (largest process): grade {peak['grade']:.0f} MB, peer {peak['peer']:.0f} MB, "
          f"floor {peak['floor']:.0f} MB  (target grade < {TARGET_MEMORY_MB:.0f} MB)")
    print(f"expression checks (ms): {expression_ms}  (target each < {TARGET_CHECK_MS:.0f} ms)")
    floor_ratio = one["grade"][0] / one["floor"][0]
    peer_ratio = one["grade"][0] / one["peer"][0]
    print(f"targets on one CPU: grade/floor <= {TARGET_FLOOR}x ({floor_ratio:.2f}x), "
          f"grade/peer <= {TARGET_PEER}x ({peer_ratio:.2f}x)")
    ok = (floor_ratio <= TARGET_FLOOR and peer_ratio <= TARGET_PEER and peak["grade"] < TARGET_MEMORY_MB
          and slowest_ms < TARGET_CHECK_MS)
    print("all targets met" if ok else "some targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
