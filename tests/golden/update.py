"""Rewrite the golden summaries of the example submissions (review the diff before committing)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from grader.assignment import load_assignment  # noqa: E402
from grader.autograder import run  # noqa: E402
from grader.paths import DEFAULT_RUBRIC, ROOT  # noqa: E402

NAMES = ["full_credit", "full_credit_sympy", "notebook", "partial", "broken", "template"]


def main() -> None:
    assignment = load_assignment(DEFAULT_RUBRIC)
    for name in NAMES:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "results.json"
            run(ROOT / "submissions_example" / name, out, assignment=assignment, table=False)
            results = json.loads(out.read_text(encoding="utf-8"))
        summary = {
            "score": results["score"],
            "tests": {t["number"]: [t["score"], t["extra_data"]["status"]] for t in results["tests"]},
        }
        path = Path(__file__).parent / f"{name}.json"
        path.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
        print(f"{name}: {summary['score']}")


if __name__ == "__main__":
    main()
