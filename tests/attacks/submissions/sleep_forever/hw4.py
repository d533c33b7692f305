# Attack: sleep inside a graded function.
import time


def lstm_run(xs, params):
    time.sleep(10**6)
