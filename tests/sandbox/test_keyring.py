"""No sandbox child possesses a key of its grader's session keyring."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from grader.paths import ROOT

pytestmark = pytest.mark.skipif(
    not Path("/proc/keys").exists() or platform.machine() not in ("x86_64", "aarch64"),
    reason="no kernel keyrings to test here",
)

GRADER = """
import ctypes, json, platform, sys
from pathlib import Path
sys.path.insert(0, {root!r})
add_key, keyctl = {{"x86_64": (248, 250), "aarch64": (217, 219)}}[platform.machine()]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall(keyctl, 1, None)  # a session keyring of this test's own, gone when it ends
assert libc.syscall(add_key, b"user", b"grader-keyring-canary", b"the TA's", 8, -3) > 0
from grader.sandbox.limits import Limits
from grader.sandbox.runner import run_submission, use_fork_server
use_fork_server({forked})
entry = Path({entry!r})
result = run_submission(entry, ["keys"], [], limits=Limits())
print(json.dumps({{"grader": libc.syscall(keyctl, 10, -3, b"user", b"grader-keyring-canary", 0) > 0,
                   "child": "grader-keyring-canary" in result.values["keys"]}}))
use_fork_server(False)
"""


@pytest.mark.parametrize("forked", [False, True], ids=["fresh", "forked"])
def test_the_child_sees_none_of_the_graders_session_keys(tmp_path: Path, forked: bool) -> None:
    entry = tmp_path / "hw4.py"
    entry.write_text("keys = open('/proc/keys').read()\n")
    code = GRADER.format(root=str(ROOT), forked=forked, entry=str(entry))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["grader"] is False  # the grader itself left that keyring before any child started
    if os.geteuid() == 0:  # the child, another uid, could only view the key by possessing it
        assert seen["child"] is False
    # a normal user's child views the descriptions of the user's own keys in /proc/keys, never their contents
