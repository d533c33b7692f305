# Attack: ignore SIGCHLD so that the kernel reaps short-lived CPU burners itself (marker 314159): their time
# would then reach no parent's total, and the statement would run until the wall-clock backstop.
import os
import signal
import sys
import time

sys.argv[:] = ["attack-314159"]
try:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
except OSError:
    pass  # refused: the burners are then reaped below, into this process's own total
while True:
    for _ in range(2):
        try:
            _pid = os.fork()
        except OSError:
            break
        if _pid == 0:
            try:
                _end = time.process_time() + 0.08
                while time.process_time() < _end:
                    pass
            finally:
                os._exit(0)
    time.sleep(0.09)
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass
