"""Benchmark one grading run against the cost of merely importing numpy and sympy.

Measures, in the same run and on the same machine:

* the floor: ``python -c "import numpy, sympy"``;
* ``./run_autograder submissions_example/full_credit`` end to end;
* the peak memory (max RSS) of the grading process and of its largest child;
* the time of each expression check (from results.json ``extra_data.seconds``).

Targets: the whole run at most 2x the floor, peak memory under 300 MB, no
expression check over 200 ms.  Usage::

    .venv/bin/python benchmarks/bench_grade.py [--repeat 5] [--example full_credit]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.0
TARGET_MEMORY_MB = 300.0
TARGET_CHECK_MS = 200.0


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds of ``cmd`` and the max RSS (MB) of its largest process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(before, after) / 1024.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--example", default="full_credit")
    args = parser.parse_args()
    env = dict(os.environ)
    python = str(ROOT / ".venv" / "bin" / "python")
    floor_cmd = [python, "-c", "import numpy, sympy"]
    with tempfile.TemporaryDirectory() as tmp:
        grade_cmd = [str(ROOT / "run_autograder"), f"submissions_example/{args.example}", "--results", tmp]
        timed(grade_cmd, env)  # warm the page cache and .venv check once
        floors, runs = [], []
        peak = 0.0
        for _ in range(args.repeat):  # interleaved, so drift hits both alike
            floors.append(timed(floor_cmd, env)[0])
            seconds, rss = timed(grade_cmd, env)
            runs.append(seconds)
            peak = max(peak, rss)
        results = json.loads((Path(tmp) / "results.json").read_text(encoding="utf-8"))
    floor, run = statistics.median(floors), statistics.median(runs)
    ratio = run / floor
    kinds = {t["number"]: t for t in results["tests"]}
    expression_ms = {
        number: round(1000 * t["extra_data"].get("seconds", 0.0), 1)
        for number, t in kinds.items()
        if t["extra_data"].get("answer", "").startswith(("p3b", "p3c", "p3d_w1"))
    }
    slowest_ms = max(expression_ms.values(), default=0.0)
    print(f"floor  (import numpy, sympy): median {floor:.3f} s over {args.repeat}")
    print(f"grade  ({args.example}):        median {run:.3f} s over {args.repeat}  score {results['score']}")
    print(f"ratio  grade / floor:          {ratio:.2f}x   (target <= {TARGET_RATIO}x)")
    print(f"memory peak of one process:    {peak:.0f} MB  (target < {TARGET_MEMORY_MB:.0f} MB)")
    print(f"expression checks (ms):        {expression_ms}  (target each < {TARGET_CHECK_MS:.0f} ms)")
    ok = ratio <= TARGET_RATIO and peak < TARGET_MEMORY_MB and slowest_ms < TARGET_CHECK_MS
    print("all targets met" if ok else "some targets missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
