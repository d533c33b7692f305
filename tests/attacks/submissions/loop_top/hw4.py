# Attack: an infinite loop at top level.
while True:
    pass
