"""A seccomp filter that takes the network away from the sandbox child (untrusted side loads it).

Stdlib only (ctypes, no libseccomp): a classic BPF program, loaded with
``prctl(PR_SET_SECCOMP)`` after ``PR_SET_NO_NEW_PRIVS``, makes ``socket()``
fail with EACCES for every address family except ``AF_UNIX``, and refuses
``io_uring_setup`` (which can create sockets on its own) and any syscall of
another ABI (x32, i386 through ``int 0x80``).  A loaded filter is inherited by
every child process and cannot be removed.
"""

from __future__ import annotations

import ctypes
import errno
import platform

__all__ = ["block_network"]

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_RET_ALLOW = 0x7FFF0000
_RET_DENY = 0x00050000 | errno.EACCES
_AF_UNIX = 1
# machine -> (audit arch, socket, io_uring_setup, first syscall of a foreign ABI or 0)
_ARCHES = {
    "x86_64": (0xC000003E, 41, 425, 0x40000000),
    "aarch64": (0xC00000B7, 198, 425, 0),
}
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06


class _Insn(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Insn))]


def _program(arch: int, socket_nr: int, uring_nr: int, foreign: int) -> list[tuple[int, int, int, int]]:
    return [
        (_LD_W_ABS, 0, 0, 4),                      # 0: A = arch
        (_JEQ_K, 0, 8, arch),                      # 1: foreign arch -> deny (10)
        (_LD_W_ABS, 0, 0, 0),                      # 2: A = syscall number
        (_JGE_K, 6, 0, foreign or 0xFFFFFFFF),     # 3: x32 ABI -> deny (10)
        (_JEQ_K, 2, 0, socket_nr),                 # 4: socket -> check the family (7)
        (_JEQ_K, 4, 0, uring_nr),                  # 5: io_uring_setup -> deny (10)
        (_RET_K, 0, 0, _RET_ALLOW),                # 6
        (_LD_W_ABS, 0, 0, 16),                     # 7: A = low word of args[0] (little endian)
        (_JEQ_K, 0, 1, _AF_UNIX),                  # 8: AF_UNIX -> allow, else deny
        (_RET_K, 0, 0, _RET_ALLOW),                # 9
        (_RET_K, 0, 0, _RET_DENY),                 # 10
    ]


def block_network() -> str:
    """Load the filter into this process; returns ``""`` on success, else why it was not loaded."""
    arch = _ARCHES.get(platform.machine())
    if arch is None:
        return f"no seccomp filter for the {platform.machine() or 'unknown'} architecture"
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError) as exc:
        return f"prctl is not available: {exc}"
    insns = _program(*arch)
    table = (_Insn * len(insns))(*[_Insn(*i) for i in insns])
    prog = _Prog(len(insns), table)
    prctl.restype = ctypes.c_int
    if prctl(_PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)):
        return f"PR_SET_NO_NEW_PRIVS failed: {errno.errorcode.get(ctypes.get_errno(), '?')}"
    if prctl(_PR_SET_SECCOMP, ctypes.c_ulong(_SECCOMP_MODE_FILTER), ctypes.byref(prog),
             ctypes.c_ulong(0), ctypes.c_ulong(0)):
        return f"the seccomp filter was refused: {errno.errorcode.get(ctypes.get_errno(), '?')}"
    return ""
