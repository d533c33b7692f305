# Attack: raise BaseException (and KeyboardInterrupt) instead of Exception.
def backprop(weights, biases, x, f, f_prime, dC_da):
    raise BaseException("caught by nobody")


raise KeyboardInterrupt("stop grading")
