"""The student template, generated from the rubric: every name, documented, set to None.

What each kind of answer looks like comes from its kind module (``HELP``, and
``note()`` for a paragraph shown once in the header, see :mod:`grader.checks`).
"""

from __future__ import annotations

import textwrap

from grader.checks import trait
from grader.rubric import Part, Rubric

__all__ = ["render_template"]


def _give(part: Part) -> str:
    """What to give: the kind's help, for each item of a keyed answer."""
    help_text = str(trait(str(part.kind), "HELP"))
    if part.keyed:
        return f"a list or dict of {part.noun}, each {help_text}"
    return help_text


def _docstring(part: Part) -> str:
    lines = [f"{part.title}: {part.describe}."]
    lines.append("Give: " + _give(part) + ".")
    if trait(str(part.kind), "CALLED"):
        lines.append(f"Define it as: def {part.answer}{part.signature}: ...")
    if part.optional:
        lines.append("Optional part of the handout.")
    if part.staff_points:
        lines.append(f"Graded by the course staff ({part.staff_points:g} points).")
    wrapped = []
    for line in lines:
        wrapped.extend(textwrap.wrap(line, 88) or [""])
    return '"""' + "\n".join(wrapped) + '\n"""'


def _notes(rubric: Rubric) -> list[str]:
    """The kinds' header paragraphs, each once, in the order their kinds first appear."""
    notes: list[str] = []
    for part in rubric.parts:
        hook = trait(str(part.kind), "note")
        note = hook() if hook else None
        if note and note not in notes:
            notes.append(note)
    return [line for note in notes for line in [*textwrap.wrap(note, 100), ""]]


def render_template(rubric: Rubric) -> str:
    """The whole student file, as text."""
    head = [
        f'"""{rubric.assignment}.',
        "",
        f"Fill in every name below and upload this file as {rubric.entry_stem}.py. Every name is optional:",
        "a missing or broken answer costs only its own part.  Keep top-level code cheap (no plots or",
        "input()); check your work with:  python -m grader check " + f"{rubric.entry_stem}.py",
        "",
        *_notes(rubric),
        '"""',
        "",
    ]
    if head[-3] == "":
        del head[-3]
    body = []
    current = ""
    for part in rubric.parts:
        problem = part.number.split(".")[0]
        if problem != current:
            current = problem
            body.append(f"\n# {'-' * 30} Problem {problem}\n")
        body.append(f"{part.answer} = None\n{_docstring(part)}\n")
    return "\n".join(head) + "\n".join(body)
