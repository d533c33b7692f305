# Attack: exceptions with huge messages.
class Huge(Exception):
    def __str__(self):
        return "z" * 50_000_000


def relu_network(x1, x2, beta=1.0):
    raise ValueError("w" * 20_000_000)


def lstm_run(xs, params):
    raise Huge()


raise RuntimeError("v" * 20_000_000)
