"""The student template, generated from the rubric: every name, documented, set to None."""

from __future__ import annotations

import textwrap

from grader.rubric import Part, Rubric

__all__ = ["render_template"]

_KIND_HELP = {
    "number": "a number: int, float, Fraction, or a string such as '2*log(3)/7'",
    "vector": "a tuple, list or 1-D numpy array of numbers",
    "expression": "a sympy expression or a string such as 'x*exp(-x^2/2)' ('^' also means power)",
    "relation": "a sympy relation or a string such as 'x1 + 2*x2 < 3'",
    "relations": "a list of relations, each a sympy relation or a string such as 'x1 + 2*x2 < 3'",
    "region": "a polygon [(x1, x2), ...] or a relation such as '(x1 > 0) & (x2 < 2*x1)'",
    "polygon": "a list of (x1, x2) vertices in order around the polygon (any start, either direction)",
    "choice": "one of the listed strings",
    "bool": "True or False",
    "params": "a dict with exactly the 12 numeric keys W_fh W_fx b_f W_ih W_ix b_i W_oh W_ox b_o W_ch W_cx b_c",
    "function": "a Python function",
    "text": "a string, read by the course staff",
    "int_list": "a list of integers",
    "outputs": "a dict of vectors",
}

_FUNCTIONS_HELP = (
    "Expressions may use the variables named for the part and exp log sqrt Abs abs Max max Min min tanh\n"
    "sigma sigmoid relu ReLU Heaviside step, and pi E e.  sigma(u) = 1/(1+exp(-u)), relu(u) = max(u, 0),\n"
    "step(u) = Heaviside(u)."
)


def _docstring(part: Part) -> str:
    lines = [f"{part.title}: {part.describe}."]
    lines.append("Give: " + _KIND_HELP[part.value] + ".")
    if part.value == "function":
        lines.append(f"Define it as: def {part.answer}{part.signature}: ...")
    if part.optional:
        lines.append("Optional part of the handout.")
    if part.staff_points:
        lines.append(f"Graded by the course staff ({part.staff_points:g} points).")
    wrapped = []
    for line in lines:
        wrapped.extend(textwrap.wrap(line, 88) or [""])
    return '"""' + "\n".join(wrapped) + '\n"""'


def render_template(rubric: Rubric) -> str:
    """The whole student file, as text."""
    head = [
        f'"""{rubric.assignment}.',
        "",
        f"Fill in every name below and upload this file as {rubric.entry_stem}.py. Every name is optional:",
        "a missing or broken answer costs only its own part.  Keep top-level code cheap (no plots or",
        "input()); check your work with:  python -m grader check " + f"{rubric.entry_stem}.py",
        "",
        _FUNCTIONS_HELP,
        '"""',
        "",
    ]
    body = []
    current = ""
    for part in rubric.parts:
        problem = part.number.split(".")[0]
        if problem != current:
            current = problem
            body.append(f"\n# {'-' * 30} Problem {problem}\n")
        body.append(f"{part.answer} = None\n{_docstring(part)}\n")
    return "\n".join(head) + "\n".join(body)
