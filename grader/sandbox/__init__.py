"""The sandbox: where student code runs (the UNTRUSTED child) and how the grader drives it.

Trusted side: :func:`run_submission` (``runner``: grading, on Linux, isolated
by user or namespaces, CPU metered), its plain counterpart for the self-check
on any OS (``portable``: a subprocess under wall-clock limits, which never
imports ``runner``, ``isolation``, ``cleanup``, ``cpu``, ``namespaces`` or
``zygote``), :class:`SandboxResult` (``result``), :class:`Limits`
(``limits``), :func:`ensure_sandbox_user` (``isolation``).  Untrusted side:
``child`` (never imported by the grader).  Both sides: ``wire``.

The package itself imports nothing: import the module you need, so that the
child, which imports ``grader.sandbox.wire``, never loads the runner.
"""
