"""Reference solutions: the trusted source of every expected value."""
