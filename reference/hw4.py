"""Reference solution of MIT 6.036 (Spring 2017) Assignment 4.

Every expected value is computed from the handout's parameters; the only
numbers typed in are those parameters (the matrices ``W`` and ``V``, the LSTM
weights, the input sequences, the values of 3(d), the 1/1000 threshold and
the inverse temperatures 1 and 3).

Readings of the handout:

* Erratum (Problem 2): the handout lists ``W^{c,h} = -100`` and then
  ``W^{c,h} = 0``; the second is ``W^{i,h} = 0``.  The parameters used are
  those of the same problem in a later run of the course: ``W^{f,h}=0,
  W^{f,x}=0, b_f=-100, W^{i,h}=0, W^{i,x}=100, b_i=100, W^{o,h}=0,
  W^{o,x}=100, b_o=0, W^{c,h}=-100, W^{c,x}=50, b_c=0``.
* Rounding (Problem 2): "round h_t to the closest integer in every
  time-step" means the rounded ``h_t`` feeds the next step.  Rounding is
  Python's ``round``: halves go to the even integer.

The parts live in ``hw4_p1`` (ReLU network), ``hw4_p2`` (LSTM) and
``hw4_p3`` (backpropagation); this module re-exports all of them.  Functions
named after a known mistake (``..._mistake``, ``..._factor_two``, ...) give
the value that mistake produces, for feedback.
"""

from __future__ import annotations

from reference.hw4_p1 import *  # noqa: F403
from reference.hw4_p1 import __all__ as _p1_all
from reference.hw4_p2 import *  # noqa: F403
from reference.hw4_p2 import __all__ as _p2_all
from reference.hw4_p3 import *  # noqa: F403
from reference.hw4_p3 import __all__ as _p3_all

__all__ = [*_p1_all, *_p2_all, *_p3_all]
