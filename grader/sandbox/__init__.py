"""The sandbox: where student code runs (the UNTRUSTED child) and how the grader drives it.

Trusted side: :func:`run_submission` (``runner``), :class:`Limits`
(``limits``), :func:`ensure_sandbox_user` (``isolation``).  Untrusted side:
``child`` (never imported by the grader).  Both sides: ``wire``.

Names are loaded lazily so that the child, which imports ``grader.sandbox.wire``,
does not load the runner.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["Limits", "SandboxResult", "ensure_sandbox_user", "run_submission"]

_WHERE = {
    "Limits": "grader.sandbox.limits",
    "SandboxResult": "grader.sandbox.runner",
    "run_submission": "grader.sandbox.runner",
    "ensure_sandbox_user": "grader.sandbox.isolation",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'grader.sandbox' has no attribute {name!r}")
