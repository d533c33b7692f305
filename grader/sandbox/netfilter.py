"""A seccomp filter that takes the network and a few kernel interfaces away from the sandbox child.

Stdlib only (ctypes, no libseccomp): a classic BPF program, loaded with
``prctl(PR_SET_SECCOMP)`` after ``PR_SET_NO_NEW_PRIVS``, makes ``socket()``
fail with EACCES for every address family except ``AF_UNIX``, and refuses
(EACCES) ``io_uring_setup`` (which can create sockets on its own), the kernel
keyrings (``add_key``, ``request_key``, ``keyctl``: a keyring of the account
outlives the child, and the grader's session keyring is the child's too), the
mount calls old and new (the view is built before the filter loads), setting
SIGCHLD's action (see :func:`_program`), and any syscall of another ABI (x32,
i386 through ``int 0x80``).  A loaded filter is
inherited by every child process and cannot be removed.
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
_SIGCHLD = 17
# open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr (one numbering on both machines)
_MOUNT_API = (428, 429, 430, 431, 432, 433, 442)
# machine -> (audit arch, socket, rt_sigaction, refused syscalls, first syscall of a foreign ABI or 0)
_ARCHES = {
    # io_uring_setup; add_key, request_key, keyctl; mount, umount2, pivot_root; the new mount API
    "x86_64": (0xC000003E, 41, 13, (425, 248, 249, 250, 165, 166, 155, *_MOUNT_API), 0x40000000),
    "aarch64": (0xC00000B7, 198, 134, (425, 217, 218, 219, 40, 39, 41, *_MOUNT_API), 0),
}
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_ARG0, _ARG1_LOW, _ARG1_HIGH = 16, 24, 28  # offsets in struct seccomp_data (little endian)


class _Insn(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Insn))]


def _program(arch: int, socket_nr: int, sigaction_nr: int, refused: tuple[int, ...],
             foreign: int) -> list[tuple[int, int, int, int]]:
    """The filter: (code, jump if true, jump if false, constant); jumps count the instructions skipped.

    ``rt_sigaction`` may read SIGCHLD's disposition but not set it: children
    reaped by the kernel (SIGCHLD ignored, or SA_NOCLDWAIT) leave their CPU
    time to no one, so the CPU clock could not count them.
    """
    source: list[str | tuple[str, int, str | None, str | None]] = [
        ("ld", 4, None, None),                                # A = arch
        ("jeq", arch, None, "deny"),                          # a foreign arch
        ("ld", 0, None, None),                                # A = syscall number
        ("jge", foreign or 0xFFFFFFFF, "deny", None),         # the x32 ABI
        *[("jeq", number, "deny", None) for number in refused],
        ("jeq", socket_nr, "socket", None),
        ("jeq", sigaction_nr, "sigaction", None),
        ("ret", _RET_ALLOW, None, None),
        "socket",
        ("ld", _ARG0, None, None),                            # the address family
        ("jeq", _AF_UNIX, "allow", "deny"),
        "sigaction",
        ("ld", _ARG0, None, None),                            # the signal
        ("jeq", _SIGCHLD, None, "allow"),
        ("ld", _ARG1_LOW, None, None),                        # the new action: NULL only reads
        ("jeq", 0, None, "deny"),
        ("ld", _ARG1_HIGH, None, None),
        ("jeq", 0, "allow", "deny"),
        "allow",
        ("ret", _RET_ALLOW, None, None),
        "deny",
        ("ret", _RET_DENY, None, None),
    ]
    labels: dict[str, int] = {}
    at = 0
    for item in source:
        if isinstance(item, str):
            labels[item] = at  # the instruction that follows
        else:
            at += 1
    codes = {"ld": _LD_W_ABS, "jeq": _JEQ_K, "jge": _JGE_K, "ret": _RET_K}
    program = []
    for at, (op, k, true, false) in enumerate(i for i in source if not isinstance(i, str)):
        jumps = [0 if label is None else labels[label] - at - 1 for label in (true, false)]
        assert all(0 <= jump < 256 for jump in jumps)
        program.append((codes[op], jumps[0], jumps[1], k))
    return program


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
