# Attack: flood stdout and stderr, at top level and inside a call.
import sys

print("x" * 50_000_000)
for _i in range(200_000):
    print("fake line", _i, file=sys.stderr)


def relu_network(x1, x2, beta=1.0):
    print("y" * 10_000_000)
    return (0.0, 0.0)
