"""The student's or TA's terminal: colour only where it works, output that never fails to encode.

Windows consoles show ANSI colour codes as text unless virtual-terminal
processing is switched on, and a redirected stdout there uses the local code
page (cp1252), which cannot encode every character of a message.
"""

from __future__ import annotations

import contextlib
import os
import sys

__all__ = ["use_color", "tolerant_output"]


def _windows_vt() -> bool:
    """Switch on ANSI escape handling of the Windows console; False where it cannot be."""
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.GetStdHandle(-11)  # STD_OUTPUT_HANDLE
        mode = ctypes.c_uint32()
        if not kernel32.GetConsoleMode(handle, ctypes.byref(mode)):
            return False
        return bool(kernel32.SetConsoleMode(handle, mode.value | 0x0004))  # ENABLE_VIRTUAL_TERMINAL_PROCESSING
    except (AttributeError, OSError, ImportError):
        return False


def use_color() -> bool:
    """Colour when stdout is a terminal that shows it and ``NO_COLOR`` is not set."""
    if "NO_COLOR" in os.environ or not sys.stdout.isatty():
        return False
    return _windows_vt() if sys.platform == "win32" else True


def tolerant_output() -> None:
    """Let stdout and stderr replace what their encoding cannot show, instead of raising."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")
