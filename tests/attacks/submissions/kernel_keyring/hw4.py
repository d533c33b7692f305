# Attack: leave a key in the account's keyring for the next submission, and read the grader's session keyring.
import ctypes
import platform

_libc = ctypes.CDLL(None, use_errno=True)
_numbers = {"x86_64": (248, 250), "aarch64": (217, 219)}.get(platform.machine())
_tries = []
if _numbers:
    _add_key, _keyctl = _numbers
    _r = _libc.syscall(_add_key, b"user", b"planted-314159", b"from another submission", 23, -4)  # user keyring
    _tries.append(("add_key", _r, ctypes.get_errno()))
    _buffer = ctypes.create_string_buffer(4096)
    _r = _libc.syscall(_keyctl, 11, -3, _buffer, 4096)  # KEYCTL_READ of the session keyring
    _tries.append(("keyctl read", _r, ctypes.get_errno()))
_refused = all(result == -1 and err == 13 for _, result, err in _tries)  # EACCES from the filter
raise RuntimeError(f"keyring: {'refused' if _refused else _tries}")
