# Attack: expression strings that try to run code or to hang the grader.
p3b_sigmoid_prime = "__import__('os').system('touch /tmp/expression-injection-ran')"
p3c_dC_dw1 = "().__class__.__bases__[0].__subclasses__()"
p3c_dC_dw2 = "(lambda: exp(z))()"
p3d_w1_update = "exec('import os; os.system(\"touch /tmp/expression-injection-ran\")')"
p3d_dC_dw1 = "9**9**9**9"
p3d_dC_dw2 = "eval('1')"
p1b_positive_sides = ["9**9**9**9 > x1", "x1.__class__ > 0", "getattr(x1, 'func') > 0", "x2 > 10**10**10"]
