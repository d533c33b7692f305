# Attack: a daemon (fork, setsid, fork) that keeps trying to write results.json after the run.
import json
import os
import sys
import time

_T = json.load(open("target.txt"))
_CODE = f"""
import json, os, time
while True:
    for path in ({_T["results"]!r} + "/results.json", "/tmp/results.json"):
        try:
            with open(path, "w") as f:
                json.dump({{"score": 1000}}, f)
        except OSError:
            pass
    time.sleep(0.05)
"""
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", _CODE, "314159"])
    os._exit(0)
time.sleep(0.2)
