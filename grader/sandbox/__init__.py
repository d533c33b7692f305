"""The sandbox: where student code runs (the UNTRUSTED child) and how the grader drives it.

Trusted side: :func:`run_submission` (``runner``: grading, on Linux, isolated
by user or namespaces, CPU metered), its plain counterpart for the self-check
on any OS (``portable``: a subprocess under wall-clock limits, which never
imports ``runner``, ``isolation``, ``cleanup``, ``cpu``, ``namespaces`` or
``zygote``), :class:`SandboxResult` (``result``), :class:`Limits`
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
    "SandboxResult": "grader.sandbox.result",
    "run_submission": "grader.sandbox.runner",
    "ensure_sandbox_user": "grader.sandbox.isolation",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'grader.sandbox' has no attribute {name!r}")
