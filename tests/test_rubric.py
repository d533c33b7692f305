"""The rubric model: the real rubric loads, and author mistakes name their YAML path."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from grader.errors import RubricError
from grader.paths import DEFAULT_RUBRIC
from grader.rubric import check_options, load_rubric, parse_rubric, rubric_json_schema

SPEC_NAMES = {
    "p1a_output", "p1b_positive_sides", "p1c_region_0", "p1c_curve_1", "p1c_curve_3", "p1c_outputs",
    "p1d_region_change", "p1d_areas", "softmax_beta", "relu_network", "p2a_h_seq1", "p2a_h_seq2",
    "p2b_interpretation", "p2c_params", "p2d_params", "lstm_run", "backprop", "p3a_sgd",
    "p3b_sigmoid_prime", "p3c_dC_dw1", "p3c_dC_dw2", "p3d_dC_dw1", "p3d_dC_dw2", "p3d_w1_update",
    "p3e_w1_updated_again", "p3e_explanation",
}


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(DEFAULT_RUBRIC.read_text(encoding="utf-8"))


def test_the_hw4_rubric_covers_every_spec_name_and_totals_100() -> None:
    rubric = load_rubric(DEFAULT_RUBRIC)
    assert {p.answer for p in rubric.parts} == SPEC_NAMES
    assert rubric.max_points == 100
    staff = {p.answer: p.staff_points for p in rubric.parts if p.kind == "text"}
    assert set(staff) == {"p2b_interpretation", "p3a_sgd", "p3e_explanation"}
    assert all(points > 0 for points in staff.values())


def test_per_item_parts_have_one_check_per_item() -> None:
    rubric = load_rubric(DEFAULT_RUBRIC)
    by_answer = {p.answer: p for p in rubric.parts}
    assert [c.select for c in by_answer["p1b_positive_sides"].checks] == [0, 1, 2, 3]
    assert [c.select for c in by_answer["p1c_outputs"].checks] == [0, 1, 3]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["parts"][3]["checks"][0].update(points=-1), "parts[3].checks[0].points"),
        (lambda d: d["parts"][0].update(answer="1bad name"), "parts[0].answer"),
        (lambda d: d["parts"][0]["checks"][0].update(visibility="sometimes"), "parts[0].checks[0].visibility"),
        (lambda d: d["parts"][0]["checks"][0].update(colour="red"), "parts[0].checks[0].colour"),
        (lambda d: d["parts"][1].update(answer="p1a_output"), "'p1a_output' is used twice"),
        (lambda d: d.update(total_points=90), "not total_points=90"),
        (lambda d: d.pop("reference"), "reference: Field required"),
    ],
    ids=["negative-points", "bad-answer-name", "bad-visibility", "unknown-key", "duplicate-answer",
         "wrong-total", "no-reference"],
)
def test_a_broken_rubric_names_the_yaml_path(raw: dict, edit, message: str) -> None:
    data = copy.deepcopy(raw)
    edit(data)
    with pytest.raises(RubricError) as info:
        parse_rubric(data, source="hw4.yaml")
    assert message in str(info.value)
    assert str(info.value).startswith("hw4.yaml: ")


def test_a_parts_kind_comes_from_its_checks(raw: dict) -> None:
    rubric = parse_rubric(raw)
    by_answer = {p.answer: p for p in rubric.parts}
    assert by_answer["p1a_output"].kind == "vector" and not by_answer["p1a_output"].keyed
    assert (by_answer["p1b_positive_sides"].kind, by_answer["p1b_positive_sides"].noun) == ("relation", "relations")
    assert (by_answer["p1c_outputs"].kind, by_answer["p1c_outputs"].noun) == ("vector", "outputs")
    assert by_answer["p2c_params"].kind == "params_by_simulation"
    assert by_answer["p2b_interpretation"].kind == "text" and not by_answer["p2b_interpretation"].checks


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["parts"][0].update(value="vector"), "parts[0]: Value error, value: is no longer written"),
        (lambda d: d["parts"][0].update(kind="number"), "parts[0]: Value error, checks[0].kind: 'vector' differs "
                                                         "from the part's kind 'number'"),
        (lambda d: d["parts"][1]["checks"][1].update(kind="expression"), "parts[1]: Value error, checks[1].kind: "
                                                                          "every check of a part judges one kind"),
        (lambda d: d["parts"][0]["checks"][0].update(kind="vectors"), "parts[0].checks[0].kind: Value error, "
                                                                       "unknown check kind 'vectors'; known kinds:"),
        (lambda d: next(p for p in d["parts"] if not p.get("checks")).pop("kind"), "Value error, kind: a part "
                                                                                      "without checks needs its kind"),
        (lambda d: d["parts"][-1].update(kind="texts"), "unknown check kind 'texts'"),
    ],
    ids=["value-written", "kind-mismatch", "mixed-kinds", "unknown-kind", "text-without-kind", "unknown-part-kind"],
)
def test_kind_mistakes_name_the_yaml_path(raw: dict, edit, message: str) -> None:
    data = copy.deepcopy(raw)
    edit(data)
    with pytest.raises(RubricError) as info:
        parse_rubric(data, source="hw4.yaml")
    assert message in str(info.value)


def test_a_function_part_without_signature_is_refused_when_bound(raw: dict) -> None:
    data = copy.deepcopy(raw)
    index = next(i for i, p in enumerate(data["parts"]) if p["answer"] == "backprop")
    del data["parts"][index]["signature"]
    with pytest.raises(RubricError, match=rf"^hw4.yaml: parts\[{index}\].signature: a function part needs a "
                                          "signature"):
        check_options(parse_rubric(data, source="hw4.yaml"))


def test_unreadable_and_invalid_yaml_are_plain_errors(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match="cannot read the rubric"):
        load_rubric(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("parts: [unclosed\n", encoding="utf-8")
    with pytest.raises(RubricError, match="not valid YAML"):
        load_rubric(bad)


def test_the_json_schema_is_exported_and_kept_in_the_repo() -> None:
    schema = json.loads(rubric_json_schema())
    assert schema["title"] == "Autograder rubric"
    assert "parts" in schema["properties"]
    variants = schema["$defs"]["Part"]["properties"]["checks"]["items"]
    assert variants["discriminator"]["propertyName"] == "kind"
    assert variants["discriminator"]["mapping"]["function"] == "#/$defs/FunctionCheck"
    function = schema["$defs"]["FunctionCheck"]
    assert function["properties"]["options"] == {"$ref": "#/$defs/FunctionOptions"}
    assert "options" in function["required"]
    assert schema["$defs"]["ExpressionOptions"]["properties"]["substitutions"]["anyOf"][-1]["pattern"].startswith(
        "^ref:")
    committed = DEFAULT_RUBRIC.parent / "rubric.schema.json"
    assert committed.read_text(encoding="utf-8") == rubric_json_schema(), (
        "rubrics/rubric.schema.json is stale: run python -m grader schema > rubrics/rubric.schema.json"
    )
