# Attack: print a fake perfect results.json on stdout and stderr, with a wrong answer.
import json, os, sys
_FAKE = json.dumps({"score": 100, "tests": [{"name": "1(a)", "score": 5, "max_score": 5, "status": "passed"}]})
print(_FAKE)
print(_FAKE, file=sys.stderr)
os.write(1, (_FAKE + "\n").encode())
os.write(2, (_FAKE + "\n").encode())
p1a_output = (0.0, 0.0)


def relu_network(x1, x2, beta=1.0):
    print(_FAKE)
    print(_FAKE, file=sys.__stderr__)
    return (0.0, 0.0)
