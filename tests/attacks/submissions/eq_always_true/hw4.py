# Attack: objects that say they equal anything.
class Liar:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __float__(self):
        return 0.5

    def __len__(self):
        return 6

    def __bool__(self):
        return False

    def __hash__(self):
        return 0

    def __str__(self):
        return "x1 > 1"


p1a_output = Liar()
p1b_positive_sides = [Liar(), Liar(), Liar(), Liar()]
p2a_h_seq1 = Liar()
p3e_w1_updated_again = Liar()
p3b_sigmoid_prime = Liar()
