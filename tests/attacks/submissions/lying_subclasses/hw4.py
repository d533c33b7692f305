# Attack: int, float, str, list and dict subclasses whose methods lie.
class F(float):
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return 0.0

    def __rsub__(self, other):
        return 0.0

    def __abs__(self):
        return 0.0

    def __float__(self):
        return -0.0054

    def __repr__(self):
        return "-0.0054"


class I(int):
    def __eq__(self, other):
        return True

    def __index__(self):
        return 0

    def __int__(self):
        return 0


class S(str):
    def __eq__(self, other):
        return True

    def __str__(self):
        return "shrinks"

    def strip(self, *args):
        return "shrinks"

    def lower(self):
        return "shrinks"

    def casefold(self):
        return "shrinks"


class L(list):
    def __len__(self):
        return 6

    def __iter__(self):
        return iter([0, 0, 1, -1, 1, 0])

    def __getitem__(self, i):
        return [0, 0, 1, -1, 1, 0][i]

    def __eq__(self, other):
        return True


class D(dict):
    def keys(self):
        return p2c_params.keys()

    def items(self):
        return p2c_params.items()

    def __getitem__(self, key):
        return p2c_params[key]

    def __iter__(self):
        return iter(p2c_params)

    def __len__(self):
        return 12

    def __contains__(self, key):
        return True


p3d_dC_dw1 = F(999.0)
p2a_h_seq2 = [I(7), I(7), I(7), I(7), I(7)]
p1d_region_change = S("grows")
p3b_sigmoid_prime = S("0")
p2a_h_seq1 = L([9, 9])
p2d_params = D()
p2c_params = D()
