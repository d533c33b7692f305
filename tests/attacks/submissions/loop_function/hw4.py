# Attack: an infinite loop inside a graded function.
def relu_network(x1, x2, beta=1.0):
    while True:
        pass
