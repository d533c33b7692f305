# Attack: import the reference module and copy its answers.
import json
import sys

sys.path.insert(0, json.load(open("target.txt"))["root"])
from reference.hw4 import *  # noqa
