"""The two error channels: one for rubric authors, one for students."""

from __future__ import annotations

__all__ = ["InvalidAnswer", "RubricError"]


class RubricError(Exception):
    """A rubric or reference problem: the grader cannot grade anyone.

    ``path`` names the YAML location, e.g. ``parts[3].checks[0].rtol``.
    """

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


class InvalidAnswer(Exception):
    """The student's answer cannot be read as the expected kind of value.

    Told apart from a wrong answer: it does not parse, has the wrong shape, or
    uses an unknown name.  ``where`` locates the problem for the student (for
    example ``"at character 7"`` or ``"item 2"``).
    """

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message if not where else f"{message} ({where})")
        self.message = message
        self.where = where
