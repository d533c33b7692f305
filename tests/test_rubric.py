"""The rubric model: the real rubric loads, and author mistakes name their YAML path."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from grader.errors import RubricError
from grader.paths import DEFAULT_RUBRIC
from grader.rubric import load_rubric, parse_rubric, rubric_json_schema

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
    staff = {p.answer: p.staff_points for p in rubric.parts if p.value == "text"}
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
    committed = DEFAULT_RUBRIC.parent / "rubric.schema.json"
    assert committed.read_text(encoding="utf-8") == rubric_json_schema(), (
        "rubrics/rubric.schema.json is stale: run python -m grader schema > rubrics/rubric.schema.json"
    )
