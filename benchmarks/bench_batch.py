"""Batch regrade throughput against running ``run_autograder`` once per submission.

    .venv/bin/python benchmarks/bench_batch.py [--count 200] [--sample 20] [--jobs N]

Makes ``--count`` submissions from ``submissions_example/`` (cycling through
the examples), grades them with ``python -m grader batch``'s engine, then runs
``./run_autograder`` one submission after another on the first ``--sample`` of
them and scales that time to ``--count`` (said in the output).  Both are
measured in the same run, on the same machine; the figure that matters is the
ratio.  Scores of the sampled submissions must agree between the two.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.batch import run_batch  # noqa: E402
from grader.paths import DEFAULT_RUBRIC  # noqa: E402

EXAMPLES = ("full_credit", "full_credit_sympy", "partial", "broken", "notebook", "template")


def make_submissions(folder: Path, count: int) -> list[Path]:
    """``count`` submission folders, ``sub_000``..., copied from the examples in turn."""
    paths = []
    for i in range(count):
        target = folder / f"sub_{i:03d}"
        shutil.copytree(ROOT / "submissions_example" / EXAMPLES[i % len(EXAMPLES)], target)
        paths.append(target)
    return paths


def sequential(paths: list[Path], results: Path) -> tuple[float, dict[str, float]]:
    """Seconds for ``./run_autograder`` on each path in turn, and the scores."""
    scores = {}
    start = time.perf_counter()
    for path in paths:
        out = results / path.name
        subprocess.run([str(ROOT / "run_autograder"), str(path), "--results", str(out), "--no-color"],
                       check=True, capture_output=True, timeout=600)
        scores[path.name] = json.loads((out / "results.json").read_text())["score"]
    return time.perf_counter() - start, scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--sample", type=int, default=20, help="sequential runs measured (then scaled)")
    parser.add_argument("--jobs", type=int, default=None, help="batch workers (default: all cores)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    work.chmod(0o755)
    try:
        paths = make_submissions(work / "subs", args.count)
        subprocess.run([str(ROOT / "run_autograder"), str(paths[0]), "--results", str(work / "warm")],
                       check=True, capture_output=True, timeout=600)  # environment built, caches warm

        start = time.perf_counter()
        summary = run_batch(work / "subs", work / "grades.csv", rubric=DEFAULT_RUBRIC, jobs=args.jobs)
        batch_seconds = time.perf_counter() - start
        assert len(summary.graded) == args.count, summary

        sample = paths[: args.sample]
        seq_seconds, seq_scores = sequential(sample, work / "seq")
        with (work / "grades.csv").open(newline="") as handle:
            batch_scores = {row["id"]: float(row["total"]) for row in csv.DictReader(handle)}
        mismatched = [k for k, v in seq_scores.items() if abs(batch_scores[k] - v) > 1e-6]

        per_seq = seq_seconds / len(sample)
        seq_total = per_seq * args.count
        jobs = args.jobs or os.cpu_count()
        print(f"submissions:          {args.count} (cycling through {', '.join(EXAMPLES)})")
        print(f"batch ({jobs} workers):    {batch_seconds:7.1f} s   {args.count / batch_seconds:6.2f} submissions/s")
        print(f"run_autograder x1:    {per_seq:7.2f} s per submission (mean of {len(sample)} sequential runs)")
        print(f"run_autograder x{args.count}:  {seq_total:7.1f} s   {1 / per_seq:6.2f} submissions/s "
              f"(scaled from the {len(sample)} runs measured)")
        print(f"speed-up:             {seq_total / batch_seconds:7.1f}x   (target: >= 8x on 2 cores)")
        print(f"scores agree on the {len(sample)} sampled submissions: {mismatched or 'yes'}")
        return 0 if not mismatched else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
