"""The class report: a real batch of the examples, the data it sums up, and the HTML it writes."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import shutil
import statistics
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.__main__ import main
from grader.assignment import Assignment, load_assignment
from grader.grade import judge
from grader.paths import DEFAULT_RUBRIC, ROOT
from grader.report.answer_groups import WrongAnswer, group_answers, mistake_snippet
from grader.report.answers_json import decode_answer, encode_answer, read_answers
from grader.report.class_report import ClassReport, build_class_report, read_previous_csv
from grader.report.html_page import CSP
from grader.rubric import Mistake
from grader.sandbox.answers import CallOutcome, Failed, FunctionAnswer, FunctionRef, Missing, Opaque, SympyText

EXAMPLES = ROOT / "submissions_example"
FULL = (EXAMPLES / "full_credit" / "hw4.py").read_text()
PAYLOAD = "<script>alert(1)</script><script>document.title='pwned'</script><img src=x onerror=\"alert(2)\">"
# One wrong sigma'(z) no rubric rule knows, in three notations the expression check finds equivalent.
SAME_WRONG = {"v1": "sigma(z)*(1 + sigma(z))", "v2": "sigma(z) + sigma(z)**2", "v3": "σ(z)^2 + σ(z)"}


def _variant(folder: Path, name: str, value: str) -> None:
    """full_credit with one answer redefined at the end of the file."""
    folder.mkdir(parents=True)
    (folder / "hw4.py").write_text(f"{FULL}\n{name} = {value!r}\n")


def build_class_batch(base: Path) -> dict[str, Path]:
    """Grade the examples and a few one-answer variants with ``batch --report``; built once per session."""
    paths = {"export": base / "export", "csv": base / "grades.csv", "html": base / "report.html",
             "out": base / "grades_results"}
    if (base / "done").exists():
        return paths
    export = paths["export"]
    for example in ("full_credit", "partial", "template", "broken"):
        shutil.copytree(EXAMPLES / example, export / example)
    for sub_id, value in SAME_WRONG.items():
        _variant(export / sub_id, "p3b_sigmoid_prime", value)
    _variant(export / "xss", "p2b_interpretation", PAYLOAD)
    code = main(["batch", str(export), "--csv", str(paths["csv"]), "--report", str(paths["html"]), "-q"])
    assert code == 0
    (base / "done").write_text("ok")
    return paths


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_class_batch(tmp_path_factory.getbasetemp() / "class_batch")


@pytest.fixture(scope="module")
def assignment() -> Assignment:
    return load_assignment(DEFAULT_RUBRIC)


@pytest.fixture(scope="module")
def report(batch: dict[str, Path], assignment: Assignment) -> ClassReport:
    return build_class_report(assignment, batch["out"])


def _csv(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def _part(report: ClassReport, part_id: str) -> Any:
    return next(p for p in report.parts if p.id == part_id)


# ------------------------------------------------------------------ answers.json


def test_answers_json_round_trips_every_kind_of_decoded_value() -> None:
    values = {
        "n": 1.5, "i": 10**30, "nan": float("nan"), "inf": float("-inf"), "f": Fraction(1, 3), "t": "x1 > 1",
        "s": SympyText("sigma(z)"), "l": [1, [2.0, "a"]], "d": {0: [1, 2], "k": None}, "b": True,
        "m": Missing("not defined"), "e": Failed("ZeroDivisionError: boom", timed_out=True),
        "o": Opaque("Widget", "<Widget>"),
        "fn": FunctionAnswer(FunctionRef("lstm_run", "(xs, params)"),
                             (CallOutcome([1, 0], 0.01), CallOutcome(Failed("ValueError: no"), 0.2))),
    }
    data = json.loads(json.dumps({k: encode_answer(v) for k, v in values.items()}, allow_nan=False))
    back = {k: decode_answer(v) for k, v in data.items()}
    assert back["nan"] != back["nan"] and back["inf"] == float("-inf")
    del back["nan"], values["nan"]
    assert back == values


def test_batch_keeps_answers_json_beside_each_results_json(batch: dict[str, Path]) -> None:
    ids = sorted(p.name for p in batch["out"].iterdir())
    assert ids == ["broken", "full_credit", "partial", "template", "v1", "v2", "v3", "xss"]
    full = read_answers(batch["out"] / "full_credit" / "answers.json")
    assert full is not None
    assert full["p3b_sigmoid_prime"] == "exp(-z) / (1 + exp(-z))**2"
    assert isinstance(full["lstm_run"], FunctionAnswer) and len(full["lstm_run"].outcomes) > 10
    assert read_answers(batch["out"] / "v3" / "answers.json")["p3b_sigmoid_prime"] == "σ(z)^2 + σ(z)"  # type: ignore[index]
    assert read_answers(batch["out"] / "template" / "answers.json")["backprop"] is None  # type: ignore[index]
    assert isinstance(read_answers(batch["out"] / "broken" / "answers.json")["p1a_output"], Missing)  # type: ignore[index]


# ------------------------------------------------------------------ the data


def test_class_counts_match_the_batch_csv(report: ClassReport, batch: dict[str, Path]) -> None:
    rows = _csv(batch["csv"])
    totals = [float(r["total"]) for r in rows.values()]
    assert len(report.submissions) == len(rows) == 8
    assert len(report.graded) == 8 and report.count_flag("crash") == 0
    assert report.mean == pytest.approx(statistics.fmean(totals), abs=1e-3)
    assert report.median == pytest.approx(statistics.median(totals), abs=1e-3)
    assert {s.id for s in report.flagged} == {i for i, r in rows.items() if r["flags"]} == {"broken", "partial",
                                                                                               "template"}
    assert {s.id: set(s.flags) for s in report.flagged} == {
        i: set(r["flags"].split(";")) for i, r in rows.items() if r["flags"]
    }
    assert report.max_points == 100


def test_part_shares_and_points_follow_the_csv(report: ClassReport, batch: dict[str, Path]) -> None:
    rows = _csv(batch["csv"])
    p3b = _part(report, "p3b")
    assert sorted(p3b.points) == sorted(float(r["p3b"]) for r in rows.values())
    assert dict(p3b.shares) == {"full": 2, "partial": 0, "zero": 4, "invalid": 0, "error": 0, "missing": 2}
    assert [p.id for p in report.parts] == [p.id for p in load_assignment(DEFAULT_RUBRIC).rubric.parts if p.checks]


def test_the_same_wrong_answer_in_three_notations_is_one_group_with_a_rule_to_paste(report: ClassReport) -> None:
    check = _part(report, "p3b").checks[0]
    top, second = check.groups[:2]
    assert (top.count, set(top.members), top.spellings, top.rule) == (3, set(SAME_WRONG), 3, None)
    assert top.example in SAME_WRONG.values() and top.score == 0
    assert (second.count, second.members, second.rule, second.example) == (
        1, ("partial",), "p3b_sigmoid_prime_mistake", "1 - sigma(z)")
    assert "sigma'(z) = sigma(z) * (1 - sigma(z))" in second.message
    assert [(g.members, bool(snippet)) for g, snippet in check.unexplained] == [(top.members, True)]


def test_the_snippet_is_a_valid_rule_that_catches_the_group(report: ClassReport, assignment: Assignment) -> None:
    snippet = _part(report, "p3b").checks[0].unexplained[0][1]
    yaml_text, code = snippet.split("\n\n# reference/hw4.py", 1)
    entry = yaml.safe_load(yaml_text)[0]
    rule = Mistake.model_validate(entry)
    assert rule.expected == "p3b_sigmoid_prime_mistake_1" and not hasattr(assignment.reference, rule.expected)
    namespace = dict(vars(assignment.reference))
    exec(code.split("\n", 1)[1], namespace)  # the reference code the snippet asks to add (trusted, generated here)
    check = next(c for c in assignment.checks if c.part.id == "p3b")
    bound = dataclasses.replace(check, mistakes=(*check.mistakes, dataclasses.replace(
        check.mistakes[0], message=rule.message, params=dataclasses.replace(
            check.params, expected=namespace[rule.expected]()))))
    for wrong in SAME_WRONG.values():
        assert judge(assignment, check, wrong)[0].feedback != rule.message
        assert judge(assignment, bound, wrong)[0].feedback == rule.message


def test_numbers_group_within_the_parts_tolerance(assignment: Assignment) -> None:
    check = next(c for c in assignment.checks if c.part.id == "p3d_w2")
    wrong = [WrongAnswer("a", 0.125, 0), WrongAnswer("b", "1/8", 0), WrongAnswer("c", Fraction(1, 8), 0),
             WrongAnswer("d", 0.1251, 0), WrongAnswer("e", 0.2, 0), WrongAnswer("f", -0.0228, 0)]
    groups = group_answers(assignment, check, wrong)
    assert [(g.count, set(g.members)) for g in groups] == [(4, {"a", "b", "c", "d"}), (1, {"f"}), (1, {"e"})]
    assert [g.rule for g in groups] == [None, "p3d_dC_dw2_no_sigma_prime", None]


def test_polygons_group_by_shape_and_lstm_weights_by_behaviour(assignment: Assignment) -> None:
    curve = next(c for c in assignment.checks if c.part.id == "p1c_curve_1")
    square = [(2, 2), (-2, 2), (-2, -2), (2, -2)]
    turned = [(-2, -2), (2, -2), (2, 2), (-2, 2.01)]
    groups = group_answers(assignment, curve, [WrongAnswer("a", square, 0), WrongAnswer("b", turned, 0)])
    assert [g.count for g in groups] == [2]
    weights = next(c for c in assignment.checks if c.part.id == "p2c")
    handout = dict(W_fh=0, W_fx=0, b_f=-100, W_ih=0, W_ix=100, b_i=100, W_oh=0, W_ox=100, b_o=0, W_ch=-100,
                   W_cx=50, b_c=0)
    scaled = {k: 2 * v for k, v in handout.items()}  # saturated gates: the same behaviour
    groups = group_answers(assignment, weights, [WrongAnswer("a", handout, 0), WrongAnswer("b", scaled, 0)])
    assert [g.count for g in groups] == [2]
    code = mistake_snippet(assignment, weights, groups[0], 1).split("\n\n# reference/hw4.py", 1)[1].split("\n", 1)[1]
    namespace = dict(vars(assignment.reference))
    exec(code, namespace)
    target = namespace["p2c_target_mistake_1"]
    assert target([0, 0, 1, 1, 1, 0]) == assignment.reference.lstm_run([0, 0, 1, 1, 1, 0], handout)


def test_function_parts_show_the_calls_and_case_groups_that_failed(report: ClassReport) -> None:
    check = _part(report, "lstm_run").checks[0]
    planned = _assignment_calls("lstm_run")
    assert check.function and len(check.calls) == len(planned)  # partial's stub raises on every call
    assert {(c.failed, c.answered, c.reasons) for c in check.calls} == {(1, 6, (("raised NotImplementedError", 1),))}
    assert sum(g.calls for g in check.case_groups) == len(planned)
    softmax = _part(report, "softmax_beta").checks[0]
    top = softmax.case_groups[0]
    assert (top.name, top.failed, top.answered) == ("large beta", 1, 6)
    assert {c.reasons for c in softmax.calls} == {(("a wrong value", 1),)}
    assert _part(report, "backprop").checks[0].calls == ()


def _assignment_calls(part: str) -> tuple[Any, ...]:
    return next(c for c in load_assignment(DEFAULT_RUBRIC).checks if c.part.id == part).calls


def test_text_answers_are_listed_per_staff_graded_part(report: ClassReport) -> None:
    texts = {t.number: t for t in report.texts}
    assert list(texts) == ["2.b", "3.a.3", "3.e.2"]
    entries = dict(texts["2.b"].entries)
    assert entries["xss"] == PAYLOAD
    assert set(entries) == {"full_credit", "v1", "v2", "v3", "xss"}
    assert set(texts["2.b"].unanswered) == {"partial", "template", "broken"}


# ------------------------------------------------------------------ the page


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def test_the_page_is_self_contained_escaped_and_script_free(batch: dict[str, Path]) -> None:
    text = batch["html"].read_text()
    page = _page(text)
    names = [t for t, _ in page.tags]
    assert "script" not in names and "iframe" not in names and "link" not in names
    assert not any(k.startswith("on") for _, attrs in page.tags for k in attrs)
    assert ("meta", {"http-equiv": "Content-Security-Policy", "content": CSP}) in page.tags
    assert "default-src 'none'" in CSP and "script-src 'none'" in CSP
    for _, attrs in page.tags:
        for key in ("src", "href", "action", "srcset"):
            assert not re.match(r"\s*(https?:|//|javascript:|data:)", attrs.get(key) or "", re.I), attrs
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert PAYLOAD in "".join(page.text)
    assert names.count("svg") >= 1 + 2 * 10


def test_the_page_links_each_flagged_submission_to_its_results(batch: dict[str, Path]) -> None:
    page = _page(batch["html"].read_text())
    links = [a["href"] for t, a in page.tags if t == "a" and a.get("href") and not a["href"].startswith("#")]
    assert sorted(links) == [f"grades_results/{i}/results.json" for i in ("broken", "partial", "template")]
    assert all((batch["html"].parent / link).is_file() for link in links)


def test_the_page_shows_counts_and_the_top_mistake(batch: dict[str, Path]) -> None:
    text = " ".join(_page(batch["html"].read_text()).text)
    for words in ("8 submissions", "3 flagged", "0 crashed", "0 timed out", "p3b_sigmoid_prime_mistake",
                  "expected: p3b_sigmoid_prime_mistake_1", "Staff-graded text answers"):
        assert re.search(r"\s*".join(re.escape(w) for w in words.split(" ")), text), words


# ------------------------------------------------------------------ the command and the regrade diff


def test_report_command_with_compare_lists_whose_score_changed(batch: dict[str, Path], tmp_path: Path) -> None:
    with batch["csv"].open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    for row in rows:
        if row["id"] == "v1":
            row["total"], row["p3b"] = "100", "4"
    rows = [r for r in rows if r["id"] != "template"] + [{**rows[0], "id": "gone_student", "name": "Old One"}]
    previous = tmp_path / "previous.csv"
    with previous.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "r.html"
    assert main(["report", str(batch["out"]), "-o", str(out), "--compare", str(previous)]) == 0
    report = build_class_report(load_assignment(DEFAULT_RUBRIC), batch["out"], previous=read_previous_csv(previous))
    diff = report.diff
    assert diff is not None
    assert [(c.id, c.before, c.after, c.delta, c.parts) for c in diff.changed] == [("v1", 100, 96, -4,
                                                                                     (("p3b", 4, 0),))]
    assert (diff.new, diff.gone, diff.unchanged) == (("template",), ("gone_student",), 6)
    page = out.read_text()
    assert "Regrade diff" in page and "p3b: 4 → 0 (−4)" in page


def test_report_command_refuses_a_folder_that_is_not_there(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "nope"), "-o", str(tmp_path / "r.html")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_a_rule_for_one_item_of_a_keyed_answer_keys_its_value_by_that_item(assignment: Assignment) -> None:
    check = next(c for c in assignment.checks if c.part.id == "p1b" and c.spec.select == 2)
    groups = group_answers(assignment, check, [WrongAnswer("a", "x1 < 5", 0), WrongAnswer("b", "5 > x1", 0)])
    assert [(g.count, g.rule, g.spellings) for g in groups] == [(2, None, 2)]
    snippet = mistake_snippet(assignment, check, groups[0], 1)
    assert "keyed by 2 (the item this check judges)" in snippet
    namespace: dict[str, Any] = {}
    exec(snippet.split("\n\n# reference/hw4.py", 1)[1].split("\n", 1)[1], namespace)
    value = namespace["p1b_positive_sides_mistake_1"]()
    assert value in ({2: "x1 < 5"}, {2: "5 > x1"})
    params = dataclasses.replace(check.params, expected=value[2])
    for spelling in ("5 > x1", "x1 < 5", "-x1 > -5"):
        assert check.kind.check(params, spelling, ctx=assignment.context(check)).status == "passed"
