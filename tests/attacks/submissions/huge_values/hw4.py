# Attack: huge return values: 10**7 elements, nesting 10**5 deep, 10**100000.
def _deep(n):
    out = []
    for _ in range(n):
        out = [out]
    return out


p1a_output = [0.5] * 10**7
p1b_positive_sides = _deep(10**5)
p3d_dC_dw1 = 10**100000
p1c_outputs = dict.fromkeys(range(10**6), (0.5, 0.5))


def relu_network(x1, x2, beta=1.0):
    return [0.5] * 10**7
