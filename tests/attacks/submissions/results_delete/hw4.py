# Attack: delete results.json and the results folder.
import json, os, shutil
_T = json.load(open("target.txt"))
try:
    os.unlink(os.path.join(_T["results"], "results.json"))
finally:
    shutil.rmtree(_T["results"])
