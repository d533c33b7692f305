# Attack: NaN and infinity wherever a number goes.
nan, inf = float("nan"), float("inf")
p1a_output = (nan, inf)
p3d_dC_dw1 = nan
p3d_dC_dw2 = -inf
p1d_areas = (nan, inf)
p1c_outputs = {0: (nan, nan), 1: (inf, -inf), 3: (nan, inf)}


def relu_network(x1, x2, beta=1.0):
    return (nan, inf)
