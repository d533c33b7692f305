"""A cache of the planned calls, so the sandbox can start before the reference loads.

Binding a rubric imports the reference (and sympy) and computes every expected
value: most of a single run's time.  The calls of student functions that the
sandbox makes depend only on the rubric and the reference's source, so they
are cached, keyed by a digest of those files.  With the cache warm, one
submission's child runs while the grader binds; the grader still binds and
compares, and reruns the child if the calls differ, so a stale cache costs
time, never correctness.

The cache lives beside the rubric (``rubrics/.cache/``), a folder the sandbox
cannot read.  ``python -m grader.plan_cache [RUBRIC]`` warms it (setup.sh does).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from grader.sandbox.calls import Case
from grader.sandbox.wire import decode_args, encode_args

if TYPE_CHECKING:
    from grader.assignment import BoundCheck

__all__ = ["Calls", "cache_file", "decode_calls", "encode_calls", "load", "plan_calls", "save", "warm"]

Calls = list[tuple[str, Case]]
_VERSION = 1


def _digest(rubric_path: Path, reference: str, root: Path) -> str:
    digest = hashlib.sha256(f"v{_VERSION}:{reference}".encode())
    package = root / reference.split(".")[0]
    files = [rubric_path, Path(__file__).parent / "sandbox" / "calls.py", *sorted(package.rglob("*.py"))]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def cache_file(rubric_path: Path, reference: str, root: Path) -> Path:
    """Where the calls of this rubric and reference are cached."""
    return rubric_path.parent / ".cache" / f"calls-{_digest(rubric_path, reference, root)}.json"


def encode_calls(calls: Sequence[tuple[str, Case]]) -> str:
    """A canonical text of the calls (also how two plans are compared)."""
    rows = [[name, encode_args(case.args), encode_args(case.kwargs), case.label] for name, case in calls]
    return json.dumps(rows, sort_keys=True, allow_nan=False)


def decode_calls(text: str) -> Calls:
    """The calls from their canonical text (``Named`` helpers stay names)."""
    calls: Calls = []
    for name, args, kwargs, label in json.loads(text):
        keep = lambda named: named  # noqa: E731 - Named helpers stay as data on this side

        decoded = decode_args(args, named=keep)
        calls.append((name, Case(tuple(decoded), dict(decode_args(kwargs, named=keep)), label)))
    return calls


def load(path: Path) -> Calls | None:
    """The cached calls, or None when absent or unreadable."""
    try:
        return decode_calls(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def save(path: Path, calls: Sequence[tuple[str, Case]]) -> None:
    """Write the cache atomically; a read-only tree is not an error."""
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        tmp = path.with_suffix(f".tmp{id(calls)}")
        tmp.write_text(encode_calls(calls), encoding="utf-8")
        tmp.replace(path)
        for old in path.parent.glob("calls-*.json"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def plan_calls(checks: Sequence[BoundCheck]) -> tuple[list[tuple[str, Case]], list[str]]:
    """Every call of a student function the checks need, and the check (path) each belongs to."""
    calls: list[tuple[str, Case]] = []
    owners: list[str] = []
    for check in checks:
        for case in check.calls:
            calls.append((check.answer, case))
            owners.append(check.path)
    return calls, owners


def warm(rubric_path: Path) -> Path:
    """Bind the rubric once and write its calls to the cache."""
    from grader.assignment import load_assignment

    assignment = load_assignment(rubric_path)
    path = cache_file(rubric_path, assignment.rubric.reference, assignment.root)
    save(path, plan_calls(assignment.checks)[0])
    return path


if __name__ == "__main__":
    from grader.paths import active_rubric

    print(warm(Path(sys.argv[1]) if len(sys.argv) > 1 else active_rubric()))
