# Attack: threads that never end: a busy loop, a sleeper and a numpy loop in C.
import threading
import time

import numpy as _np


def _spin():
    while True:
        pass


def _numpy_spin():
    a = _np.ones((300, 300))
    while True:
        a @ a


for _target in (_spin, lambda: time.sleep(10**6), _numpy_spin):
    threading.Thread(target=_target).start()
