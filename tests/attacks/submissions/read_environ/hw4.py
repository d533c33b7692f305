# Attack: read the grader's environment and memory through /proc.
import os

p2b_interpretation = open(f"/proc/{os.getppid()}/environ").read()
