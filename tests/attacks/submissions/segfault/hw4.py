# Attack: a segmentation fault through ctypes inside a graded function.
import ctypes


def relu_network(x1, x2, beta=1.0):
    return ctypes.string_at(0)
