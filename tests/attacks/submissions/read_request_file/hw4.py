# Attack: find the grader's request file (its path on a command line, files beside the working
# folder) and read the planned calls from it.
import glob
import os

_paths = set()
for _pid in os.listdir("/proc"):
    if _pid.isdigit():
        try:
            with open(f"/proc/{_pid}/cmdline", "rb") as _f:
                _paths.update(a.decode() for a in _f.read().split(b"\0") if b"request" in a)
        except OSError:
            pass
_paths.update(glob.glob(os.path.join(os.path.dirname(os.getcwd()), "request-*.json")))
_paths.update(glob.glob(os.path.join(os.getcwd(), "..", "*.json")))
_read = []
for _path in sorted(_paths):
    try:
        with open(_path, encoding="utf-8") as _f:
            _read.append(_f.read())
    except OSError:
        pass
_calls = sum(text.count('"function"') for text in _read)
raise RuntimeError(f"request-file: {len(_read)} read, {_calls} calls")
