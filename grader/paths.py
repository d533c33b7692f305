"""Where things live: the project root, the default rubric, Gradescope's folders.

``GRADER_GRADESCOPE_ROOT`` (default ``/autograder``) moves Gradescope's layout
(``source``, ``submission``, ``results``) elsewhere, e.g. into a temporary tree.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "DEFAULT_RUBRIC", "DEPLOYED_RUBRIC", "GRADESCOPE_RESULTS", "GRADESCOPE_ROOT", "GRADESCOPE_SUBMISSION",
    "PUBLIC_RUBRIC", "ROOT", "active_rubric", "gradescope_root", "inside",
]

ROOT = Path(__file__).resolve().parent.parent


def _default_rubric(folder: Path) -> Path:
    """The rubric ``folder/DEFAULT`` names (a path relative to the project), else the folder's only rubric."""
    try:
        named = (folder / "DEFAULT").read_text(encoding="utf-8").strip()
    except OSError:
        named = ""
    if named:
        return folder.parent / named
    found = sorted(folder.glob("*.yaml"))
    return found[0] if len(found) == 1 else folder / "rubric.yaml"


DEFAULT_RUBRIC = _default_rubric(ROOT / "rubrics")
"""The rubric used when none is chosen: the engine names no assignment, ``rubrics/DEFAULT`` does."""
GRADESCOPE_ROOT = Path(os.environ.get("GRADER_GRADESCOPE_ROOT") or "/autograder")
GRADESCOPE_SUBMISSION = GRADESCOPE_ROOT / "submission"
GRADESCOPE_RESULTS = GRADESCOPE_ROOT / "results" / "results.json"
PUBLIC_RUBRIC = ROOT / "grader" / "public_rubric.json"
"""Public metadata of the rubric, present only in the student bundle."""
DEPLOYED_RUBRIC = ROOT / "rubrics" / "DEPLOYED"
"""In a Gradescope zip: the path (relative to the project) of the rubric the zip was built for."""


def gradescope_root() -> Path:
    """Gradescope's root folder, ``$GRADER_GRADESCOPE_ROOT`` as it is now (default ``/autograder``)."""
    return Path(os.environ.get("GRADER_GRADESCOPE_ROOT") or "/autograder")


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies under it (links resolved)."""
    try:
        path, folder = Path(path).resolve(), Path(folder).resolve()
    except OSError:
        return False
    return path == folder or folder in path.parents


def active_rubric() -> Path:
    """The rubric to grade with: ``$GRADER_RUBRIC``, else the one a zip was built for, else the default."""
    chosen = os.environ.get("GRADER_RUBRIC")
    if chosen:
        return Path(chosen)
    try:
        deployed = DEPLOYED_RUBRIC.read_text(encoding="utf-8").strip()
    except OSError:
        return DEFAULT_RUBRIC
    return ROOT / deployed if deployed else DEFAULT_RUBRIC
