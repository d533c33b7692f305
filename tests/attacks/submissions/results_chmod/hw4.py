# Attack: open up the results folder, then write into it later.
import json, os
_T = json.load(open("target.txt"))
os.chmod(_T["results"], 0o777)
