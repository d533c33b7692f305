"""Public property checks of each assignment, shipped to students with the self-check.

A rubric names its module in ``public_checks`` (``public.hw4``).  Such a module
holds no answer: it judges a student's answers only against the handout's own
definitions, and provides

* ``PROPERTIES: dict[str, grader.public_checks.Property]``: by answer name of
  a function part, the calls to make and how to judge each returned value
  (and, optionally, all of them together);
* ``FOLLOW_UPS: dict[str, grader.public_checks.FollowUp]`` (optional): by
  answer name, a check that calls one of the student's own functions (one
  with a ``Property``) on data built from the answer;
* ``SEED: int`` (optional): the seed of every input the checks draw.

See :mod:`grader.public_checks` for the contract and :mod:`public.hw4` for an
example.
"""
