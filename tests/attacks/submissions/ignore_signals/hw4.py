# Attack: ignore every catchable signal, then hang in a graded function.
import signal

for _sig in (signal.SIGTERM, signal.SIGALRM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU, signal.SIGUSR1):
    signal.signal(_sig, signal.SIG_IGN)


def backprop(weights, biases, x, f, f_prime, dC_da):
    while True:
        pass
