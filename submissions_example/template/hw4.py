"""MIT 6.036 Spring 2017, Assignment 4: neural networks, LSTM, backpropagation.

Fill in every name below and upload this file as hw4.py. Every name is optional:
a missing or broken answer costs only its own part.  Keep top-level code cheap (no plots or
input()); check your work with:  python -m grader check hw4.py

Expressions may use the variables named for the part, the functions exp log ln sqrt Abs abs Max max
Min min sinh cosh tanh sech csch coth sin cos sign sigma sigmoid relu ReLU Heaviside step, and the
constants pi E e.  ln(u) = log(u), sigma(u) = sigmoid(u) = 1/(1 + exp(-u)), relu(u) = Max(0, u),
step(u) = Heaviside(u).
"""

# ------------------------------ Problem 1

p1a_output = None
"""1(a) output at x = (3, 14): the network output (o1, o2) for x = (3, 14), as a vector of
2 numbers.
Give: a tuple, list or 1-D numpy array of numbers.
"""

p1b_positive_sides = None
"""1(b) decision boundaries: a list of 4 relations in x1, x2: for hidden unit i = 1..4, the
half-plane where f(z_i) > 0.
Give: a list or dict of relations, each a sympy relation or a string such as 'x1 + 2*x2
< 3'.
"""

p1c_region_0 = None
"""1(c) region where the sum is 0: the region where f(z1)+f(z2)+f(z3)+f(z4) = 0, as a
polygon or a relation in x1, x2.
Give: a polygon [(x1, x2), ...] or a relation such as '(x1 > 0) & (x2 < 2*x1)'.
"""

p1c_curve_1 = None
"""1(c) curve where the sum is 1: the closed curve where the sum is 1, as a polygon [(x1,
x2), ...] in order around it.
Give: a list of (x1, x2) vertices in order around the polygon (any start, either
direction).
"""

p1c_curve_3 = None
"""1(c) curve where the sum is 3: the closed curve where the sum is 3, as a polygon [(x1,
x2), ...] in order around it.
Give: a list of (x1, x2) vertices in order around the polygon (any start, either
direction).
"""

p1c_outputs = None
"""1(c) outputs on each set: a dict {0: (o1, o2), 1: (o1, o2), 3: (o1, o2)}: the output on
the sets where the sum is 0, 1 and 3.
Give: a list or dict of outputs, each a tuple, list or 1-D numpy array of numbers.
"""

p1d_region_change = None
"""1(d) region where o2 >= 1/1000: what happens to the size of the region where o2 >=
1/1000 as beta goes from 1 to 3: one of 'grows', 'shrinks', 'unchanged'.
Give: one of the listed strings.
"""

p1d_areas = None
"""1(d) areas (optional): optional: the area of the region where o2 >= 1/1000 at beta = 1
and at beta = 3.
Give: a tuple, list or 1-D numpy array of numbers.
Optional part of the handout.
"""

softmax_beta = None
"""1(e) softmax with inverse temperature (optional): optional: softmax with inverse
temperature beta of a length-2 array u; must stay finite for beta up to 1e6.
Give: a Python function.
Define it as: def softmax_beta(u, beta): ...
Optional part of the handout.
"""

relu_network = None
"""1 code: the network: the network of Problem 1: returns (o1, o2) for the input (x1, x2)
and inverse temperature beta.
Give: a Python function.
Define it as: def relu_network(x1, x2, beta=1.0): ...
"""


# ------------------------------ Problem 2

p2a_h_seq1 = None
"""2(a) h for input sequence 1: the list of 6 integers h_0..h_5 for the input sequence [0,
0, 1, 1, 1, 0].
Give: a list of integers.
"""

p2a_h_seq2 = None
"""2(a) h for input sequence 2: the list of 5 integers h_0..h_4 for the input sequence [1,
1, 0, 1, 1].
Give: a list of integers.
"""

p2b_interpretation = None
"""2(b) what h_t carries: in words: what information the visible state h_t carries.
Give: a string, read by the course staff.
Graded by the course staff (4 points).
"""

p2c_params = None
"""2(c) weights giving -h_t: a dict of the 12 weights W_fh W_fx b_f W_ih W_ix b_i W_oh W_ox
b_o W_ch W_cx b_c for which every binary input sequence gives -h_t of the original unit.
Give: a dict of numbers with exactly the parameter names as keys.
"""

p2d_params = None
"""2(d) weights for the sign of the running sum (optional): optional: a dict of the 12
weights for which every +1/-1 input sequence gives h_t = sign(x_0 + ... + x_t).
Give: a dict of numbers with exactly the parameter names as keys.
Optional part of the handout.
"""

lstm_run = None
"""2 code: the LSTM unit: the scalar LSTM of Problem 2 with h_-1 = c_-1 = 0: returns the
list of h_t, each rounded to the closest integer before it feeds the next step.
Give: a Python function.
Define it as: def lstm_run(xs, params): ...
"""


# ------------------------------ Problem 3

backprop = None
"""3(a) backpropagation: returns (dW, db), lists shaped like weights and biases, for an
L-layer network a^l = f(W^l a^(l-1) + b^l).
Give: a Python function.
Define it as: def backprop(weights, biases, x, f, f_prime, dC_da): ...
"""

p3a_sgd = None
"""3(a)iii SGD with these expressions: in words: how to use the backpropagation expressions
to run SGD.
Give: a string, read by the course staff.
Graded by the course staff (4 points).
"""

p3b_sigmoid_prime = None
"""3(b) derivative of the sigmoid: sigma'(z), an expression in z.
Give: a sympy expression or a string such as 'x*exp(-x^2/2)' ('^' also means power).
"""

p3c_dC_dw1 = None
"""3(c) dC/dw1: dC/dw1, an expression in x, w1, w2, b, t.
Give: a sympy expression or a string such as 'x*exp(-x^2/2)' ('^' also means power).
"""

p3c_dC_dw2 = None
"""3(c) dC/dw2: dC/dw2, an expression in x, w1, w2, b, t.
Give: a sympy expression or a string such as 'x*exp(-x^2/2)' ('^' also means power).
"""

p3d_dC_dw1 = None
"""3(d)i dC/dw1 at the given values: dC/dw1 at x = 3, t = 1, w1 = 0.01, w2 = -5, b = -1 (a
number).
Give: a number: int, float, Fraction, or a string such as '2*log(3)/7'.
"""

p3d_dC_dw2 = None
"""3(d)i dC/dw2 at the given values: dC/dw2 at x = 3, t = 1, w1 = 0.01, w2 = -5, b = -1 (a
number).
Give: a number: int, float, Fraction, or a string such as '2*log(3)/7'.
"""

p3d_w1_update = None
"""3(d)ii SGD update of w1: w1 after one SGD step of size eta: an expression in eta (it may
also use w1, x, w2, b, t, which take the given values).
Give: a sympy expression or a string such as 'x*exp(-x^2/2)' ('^' also means power).
"""

p3e_w1_updated_again = None
"""3(e) is w1 updated again?: True or False: after one step with a very large eta (or x),
is w1 ever updated again?.
Give: True or False.
"""

p3e_explanation = None
"""3(e) explanation: in words: why, and whether ReLU everywhere (or a sigmoid) is a good
idea.
Give: a string, read by the course staff.
Graded by the course staff (4 points).
"""
