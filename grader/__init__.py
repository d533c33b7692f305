"""A general grading engine for math-and-code homework, with a Gradescope runner."""

__all__ = ["__version__"]
__version__ = "1.0.0"
