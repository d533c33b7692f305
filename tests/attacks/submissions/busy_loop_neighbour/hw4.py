# Attack: thirty detached busy loops (fork, setsid, fork) to starve other submissions graded at
# the same time; each loop's command line carries the marker so the suite sees if one survives.
import os
import sys

for _ in range(30):
    if os.fork() == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, "-c", "while True: pass", "314159"])
        finally:
            os._exit(0)
