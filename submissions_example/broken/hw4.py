"""A submission with a syntax error: nothing in it can run."""

p1a_output = (0.9999997, 3.06e-7)

def relu_network(x1, x2, beta=1.0)
    return (0.5, 0.5)
