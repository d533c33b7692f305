# Attack: burn CPU in short-lived orphans (marker 314159), each gone before the meter's next scan,
# while the statement itself mostly sleeps: their time is only in their reaper's.
import os
import sys
import time

sys.argv[:] = ["attack-314159"]
while True:
    _pid = os.fork()
    if _pid == 0:
        try:
            if os.fork() == 0:
                _end = time.process_time() + 0.03
                while time.process_time() < _end:
                    pass
        finally:
            os._exit(0)
    os.waitpid(_pid, 0)
    time.sleep(0.015)
