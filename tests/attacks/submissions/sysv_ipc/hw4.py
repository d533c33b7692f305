# Pin memory and kernel objects in System V IPC, which outlive every process:
# shared-memory segments (touched, so they hold real pages), semaphores and
# message queues, one of them handed to root with IPC_SET.
import ctypes as _ctypes

_libc = _ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = _ctypes.c_void_p
_IPC_CREAT = 0o1000
_SEGMENT = 16 << 20
for _i in range(4):
    _shm = _libc.shmget(0x3141590 + _i, _SEGMENT, _IPC_CREAT | 0o666)
    if _shm >= 0:
        _addr = _libc.shmat(_shm, None, 0)
        if _addr and _addr != _ctypes.c_void_p(-1).value:
            _ctypes.memset(_addr, 7, _SEGMENT)
            _libc.shmdt(_ctypes.c_void_p(_addr))
for _i in range(3):
    _libc.semget(0x3141600 + _i, 8, _IPC_CREAT | 0o666)
    _libc.msgget(0x3141610 + _i, _IPC_CREAT | 0o666)
_libc.shmget(0x3141620, 4096, _IPC_CREAT | 0o666)
