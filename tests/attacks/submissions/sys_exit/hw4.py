# Attack: sys.exit at top level and inside a graded function.
import sys


def relu_network(x1, x2, beta=1.0):
    sys.exit(0)


sys.exit(0)
