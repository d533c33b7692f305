"""A new check kind is one module plus one line in the registry.

A toy kind, ``even_integer``, is written as a module and registered by one
line (``KINDS["even_integer"] = ...``, monkeypatched); a part of that kind is
then graded end to end in the sandbox, self-checked, templated, validated and
exported in the rubric's JSON Schema, with no other change to the engine.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from grader.assignment import Assignment, bind
from grader.checks import KINDS, kind_module, options_model
from grader.errors import RubricError
from grader.grade import grade_path
from grader.public_checks import build_public
from grader.rubric import parse_rubric, rubric_json_schema
from grader.selfcheck import read_problem, run_check
from grader.template import render_template

KIND_SOURCE = '''
"""Check kind ``even_integer``: an even int, within ``slack`` of the expected one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.sandbox.answers import Failed, Missing, describe
from grader.errors import InvalidAnswer
from grader.results import CheckResult

HELP = "an even integer such as 4"


@dataclass(frozen=True, slots=True)
class Params:
    """Options of an ``even_integer`` check.

    Attributes:
        expected: the right even integer.
        slack: how far off an answer may be and still pass.
    """

    expected: int
    slack: int = 0


def shape(params: Params) -> dict[str, Any]:
    return {"parity": "even"}


def read(answer: Any, shape: dict[str, Any], *, strict: bool = False) -> int:
    if isinstance(answer, bool) or not isinstance(answer, int) or answer % 2:
        raise InvalidAnswer(f"expected an even integer; found {describe(answer)}")
    return answer


def check(params: Params, answer: Any, *, ctx: Any) -> CheckResult:
    if isinstance(answer, (Missing, Failed)) or answer is None:
        return CheckResult(0.0, "missing", "Not answered yet.")
    try:
        given = read(answer, shape(params))
    except InvalidAnswer as exc:
        return CheckResult.invalid(f"{exc.message[0].upper()}{exc.message[1:]}.")
    if abs(given - params.expected) <= params.slack:
        return CheckResult.passed()
    return CheckResult.failed("Not the right even integer.")
'''

REFERENCE_SOURCE = '''
"""Reference of the toy assignment."""


def doubled() -> int:
    return 2 * 21
'''


def _rubric(reference: str, **options: object) -> dict:
    return {
        "assignment": "Toy assignment", "reference": reference, "entry_stem": "toy",
        "parts": [
            {"id": "even", "number": "1", "title": "1 an even number", "answer": "doubled",
             "describe": "twice 21", "checks": [
                 {"name": "1 twice 21", "kind": "even_integer", "expected": "doubled", "points": 3,
                  "visibility": "visible", "options": dict(options)}]},
            {"id": "why", "number": "2", "title": "2 why", "answer": "why", "kind": "text",
             "describe": "in words: why it is even", "staff_points": 1},
        ],
    }


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """The toy kind registered by its one line, and a toy reference; returns (folder, reference name)."""
    name = f"toy_reference_{tmp_path.name.replace('-', '_')}"
    (tmp_path / "toy_even_integer.py").write_text(KIND_SOURCE, encoding="utf-8")
    (tmp_path / f"{name}.py").write_text(REFERENCE_SOURCE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(KINDS, "even_integer", "toy_even_integer")  # the one line a new kind adds
    return tmp_path, name


def _assignment(toy: tuple[Path, str], **options: object) -> Assignment:
    folder, reference = toy
    return bind(parse_rubric(_rubric(reference, **options), source="toy.yaml"), root=folder)


def _submit(folder: Path, text: str) -> Path:
    (folder / "work").mkdir(exist_ok=True)
    path = folder / "work" / "toy.py"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("answer", "score", "status", "output"),
    [("42", 3, "passed", "Correct."), ("40", 0, "failed", "Not the right even integer."),
     ("41", 0, "invalid", "Expected an even integer; found the int 41.")],
    ids=["right", "wrong", "odd"],
)
def test_a_part_of_the_new_kind_is_graded(toy: tuple[Path, str], answer: str, score: float, status: str,
                                          output: str) -> None:
    assignment = _assignment(toy)
    report = grade_path(_submit(toy[0], f"doubled = {answer}\nwhy = 'it is 2 times something'\n"), assignment)
    test = next(t for t in report.tests if t.number == "1")
    assert (test.score, test.max_score, test.status) == (score, 3, status)
    assert test.output.startswith(output), test.output


def test_its_options_are_typed_validated_and_in_the_schema(toy: tuple[Path, str]) -> None:
    assert _assignment(toy, slack=2).checks[0].params.slack == 2
    with pytest.raises(RubricError, match=r"^toy.yaml: parts\[0\]\.checks\[0\]\.options: slack: "):
        _assignment(toy, slack="lots")
    with pytest.raises(RubricError, match=r"options: colour: Extra inputs are not permitted"):
        _assignment(toy, colour="red")
    fields = options_model("even_integer").model_json_schema()["properties"]
    assert fields["slack"]["description"] == "how far off an answer may be and still pass."
    schema = json.loads(rubric_json_schema())
    assert schema["$defs"]["EvenIntegerCheck"]["properties"]["options"]["$ref"] == "#/$defs/EvenIntegerOptions"
    mapping = schema["$defs"]["Part"]["properties"]["checks"]["items"]["discriminator"]["mapping"]
    assert mapping["even_integer"] == "#/$defs/EvenIntegerCheck"


def test_an_unknown_kind_names_its_yaml_path(toy: tuple[Path, str]) -> None:
    data = _rubric(toy[1])
    data["parts"][0]["checks"][0]["kind"] = "odd_integer"
    with pytest.raises(RubricError, match=r"parts\[0\]\.checks\[0\]\.kind: .*unknown check kind 'odd_integer'"):
        parse_rubric(data, source="toy.yaml")


def test_the_template_and_the_public_metadata_come_from_the_kind(toy: tuple[Path, str]) -> None:
    assignment = _assignment(toy)
    template = render_template(assignment.rubric)
    assert "doubled = None\n" in template and "Give: an even integer such as 4." in template
    assert "Give: a string, read by the course staff." in template
    public = build_public(assignment)
    part = public["parts"][0]
    assert (part["kind"], part["shape"], part["points"]) == ("even_integer", {"parity": "even"}, 3)
    assert "42" not in json.dumps(public["parts"])
    assert read_problem(part, 41) == "expected an even integer; found the int 41"
    assert read_problem(part, 40) is None
    assert kind_module("even_integer").HELP == "an even integer such as 4"


def test_the_self_check_reads_it_in_the_sandbox(toy: tuple[Path, str], monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    public = build_public(_assignment(toy))
    monkeypatch.setattr("grader.selfcheck.public_metadata", lambda rubric: public)
    assert run_check(_submit(toy[0], "doubled = 7\nwhy = ''\n"), color=False) == 1
    rows = {line.split()[1]: line for line in capsys.readouterr().out.splitlines() if line[:1].isdigit()}
    assert rows["doubled"].split()[2] == "invalid" and "Expected an even integer; found the int 7" in rows["doubled"]
    assert rows["why"].split()[2] == "missing"
    assert run_check(_submit(toy[0], "doubled = 40\nwhy = 'even'\n"), color=False) == 0
    rows = {line.split()[1]: line.split()[2:] for line in capsys.readouterr().out.splitlines() if line[:1].isdigit()}
    assert rows["doubled"] == ["ok", "present", "and", "parses"] and rows["why"][0] == "staff"
