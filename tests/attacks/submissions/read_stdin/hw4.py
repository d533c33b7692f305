# Attack: wait for input on stdin.
import sys

_data = sys.stdin.read()
answer = input("your answer: ")
