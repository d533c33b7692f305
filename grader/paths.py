"""Where things live: the project root, the default rubric, Gradescope's folders."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RUBRIC = ROOT / "rubrics" / "hw4.yaml"
GRADESCOPE_ROOT = Path("/autograder")
GRADESCOPE_SUBMISSION = GRADESCOPE_ROOT / "submission"
GRADESCOPE_RESULTS = GRADESCOPE_ROOT / "results" / "results.json"
SECRET_DIRS = ("reference", "rubrics")
