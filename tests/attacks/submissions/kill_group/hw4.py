# Attack: kill the whole process group from a graded function.
import os
import signal


def lstm_run(xs, params):
    os.killpg(os.getpgid(0), signal.SIGKILL)
