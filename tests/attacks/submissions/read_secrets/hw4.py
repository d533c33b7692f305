# Attack: read the reference, the rubric and a full-credit example.
import json
import os

_T = json.load(open("target.txt"))
_ROOT = _T["root"]
leaks = []
for _rel in ("reference/hw4.py", "rubrics/hw4.yaml", "submissions_example/full_credit/hw4.py", "tests"):
    try:
        with open(os.path.join(_ROOT, _rel)) as _f:
            leaks.append(_f.read()[:200])
    except OSError as exc:
        leaks.append(type(exc).__name__)
p2b_interpretation = " | ".join(leaks)
secret = open(os.path.join(_ROOT, "reference", "hw4.py")).read()
