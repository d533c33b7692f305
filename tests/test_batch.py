"""Batch regrade: discovery, metadata, CSV rows, resuming, and a crashed worker."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from grader.batch import discover, read_metadata, report_from_results, run_batch
from grader.paths import DEFAULT_RUBRIC, ROOT
from grader.report.csv_rows import csv_row
from grader.report.gradescope import results_json, write_results
from grader.results import GradeReport, TestResult

EXAMPLES = ROOT / "submissions_example"
METADATA = """\
submission_101:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1001'
    :email: ada@mit.edu
  :created_at: 2017-03-10 12:00:00.000000000 -05:00
  :score: 0.0
submission_102:
  :submitters:
  - :name: Alan Turing
    :sid: '1002'
    :email: alan@mit.edu
  - :name: Grace Hopper
    :sid: '1003'
    :email: grace@mit.edu
"""
HOSTILE = """\
import os, signal
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "grades.csv"), "w").write("pwned")
os.kill(os.getppid(), signal.SIGKILL)
p1a_output = (1, 2)
"""


def _export(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    for sub_id, example in (("101", "full_credit"), ("102", "partial"), ("103", "broken")):
        shutil.copytree(EXAMPLES / example, folder / f"submission_{sub_id}")
    (folder / "submission_104").mkdir()
    (folder / "submission_104" / "hw4.py").write_text(HOSTILE)
    (folder / "__MACOSX").mkdir()
    (folder / ".hidden.py").write_text("x = 1\n")
    (folder / "submission_metadata.yml").write_text(METADATA)
    os.chmod(tmp_path, 0o755)
    return folder


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def test_discover_reads_gradescope_metadata_and_skips_junk(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    subs = discover(folder)
    assert [s.id for s in subs] == ["101", "102", "103", "104"]
    assert subs[1].meta == {
        "id": "102", "name": "Alan Turing; Grace Hopper", "email": "alan@mit.edu; grace@mit.edu",
        "sid": "1002; 1003",
    }
    assert read_metadata(folder)["submission_101"]["sid"] == "1001"


def test_discover_any_folder_of_files_and_folders_with_safe_ids(tmp_path: Path) -> None:
    (tmp_path / "jane doe.py").write_text("x = 1\n")
    (tmp_path / "jane_doe").mkdir()
    (tmp_path / "../evil").resolve().mkdir(exist_ok=True)
    (tmp_path / "notes.txt").write_text("not a submission")
    (tmp_path / "link").symlink_to(tmp_path / "../evil")
    subs = discover(tmp_path)
    assert [(s.id, s.path.name) for s in subs] == [("jane_doe", "jane doe.py"), ("jane_doe-2", "jane_doe")]


def test_csv_row_from_results_json_matches_the_report() -> None:
    tests = (
        TestResult("a", "1.a", "p1a_output", 5.0, 5.0, "passed", "after_due_date", "Correct.", part="p1a"),
        TestResult("b", "2.e", "lstm_run", 0.0, 8.0, "error", "visible", "it ran out of time: 10 s", part="lstm_run"),
        TestResult("c", "2.b", "p2b_interpretation", 0.0, 4.0, "manual", "visible", "Kept.", part="p2b",
                   manual=True),
    )
    report = GradeReport(tests, "x", ("Your file ran with an error at line 3: ValueError",))
    parts = ["p1a", "lstm_run", "p2b"]
    meta = {"id": "7"}
    rebuilt = report_from_results(results_json(report))
    assert csv_row(rebuilt, meta=meta, parts=parts) == csv_row(report, meta=meta, parts=parts)
    assert csv_row(rebuilt, meta=meta, parts=parts)[-1] == "error;notice;timeout"


@pytest.mark.slow
def test_batch_grades_an_export_resumes_and_survives_hostile_code(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    out_csv = tmp_path / "grades.csv"
    summary = run_batch(folder, out_csv, rubric=DEFAULT_RUBRIC, jobs=2, progress=False,
                        user_prefix="grader-sandbox-test")
    assert sorted(summary.graded) == ["101", "102", "103", "104"] and not summary.crashed
    rows = _rows(out_csv)
    assert list(rows) == ["101", "102", "103", "104"]
    full, partial, broken, hostile = (rows[k] for k in ("101", "102", "103", "104"))
    assert (full["name"], full["email"], full["sid"]) == ("Ada Lovelace", "ada@mit.edu", "1001")
    assert (full["total"], full["max"], full["p1a"], full["backprop"], full["flags"]) == ("100", "100", "5", "10", "")
    assert (partial["total"], partial["p1a"], partial["lstm_run"]) == ("25.54", "5", "0")
    assert partial["name"] == "Alan Turing; Grace Hopper"
    assert "error" in partial["flags"].split(";") and "notice" in partial["flags"].split(";")
    assert (broken["total"], broken["p1a"]) == ("0", "0") and "missing" in broken["flags"]
    optional, staff = "softmax_beta (optional, 0 pts)", "p2b (staff-graded)"
    assert (full[optional], full["p2d (optional, 0 pts)"], full[staff]) == ("passed", "passed", "answered")
    assert (broken[optional], broken[staff]) == ("missing", "missing")
    assert hostile["total"] == "0" and "missing" in hostile["flags"]  # its kill reached no grader process
    for sub_id in rows:
        results = json.loads((tmp_path / "grades_results" / sub_id / "results.json").read_text())
        assert results["extra_data"]["batch_id"] == sub_id
    first = (tmp_path / "grades_results" / "101" / "results.json").stat().st_mtime_ns

    def must_not_run(*_: str) -> str:
        raise AssertionError("a finished submission was graded again")

    again = run_batch(folder, out_csv, rubric=DEFAULT_RUBRIC, progress=False, task=must_not_run)
    assert again.graded == () and sorted(again.skipped) == ["101", "102", "103", "104"]
    assert _rows(out_csv) == rows
    assert (tmp_path / "grades_results" / "101" / "results.json").stat().st_mtime_ns == first

    (tmp_path / "grades_results" / "103" / "results.json").write_text("{truncated")
    redo = run_batch(folder, out_csv, rubric=DEFAULT_RUBRIC, progress=False, user_prefix="grader-sandbox-test")
    assert redo.graded == ("103",) and _rows(out_csv) == rows


def _fake_grade(sub_id: str, path: str, results_path: str) -> str:
    """Stands in for grading: dies on the submission named ``crash``, else scores 1 point."""
    if sub_id == "crash":
        os._exit(3)
    test = TestResult("a", "1.a", "p1a_output", 1.0, 5.0, "partial", "visible", "ok", part="p1a")
    write_results(results_json(GradeReport((test,), path)), Path(results_path))
    return sub_id


def test_a_crashed_worker_costs_only_its_submission(tmp_path: Path) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    for name in ("a", "b", "crash", "d", "e"):
        (folder / f"{name}.py").write_text("x = 1\n")
    summary = run_batch(folder, tmp_path / "g.csv", rubric=DEFAULT_RUBRIC, jobs=2, progress=False,
                        task=_fake_grade)
    assert summary.crashed == ("crash",)
    assert sorted(summary.graded) == ["a", "b", "d", "e"]
    rows = _rows(tmp_path / "g.csv")
    assert [(k, r["total"], r["p1a"]) for k, r in rows.items() if k != "crash"] == [
        ("a", "1", "1"), ("b", "1", "1"), ("d", "1", "1"), ("e", "1", "1")
    ]
    assert rows["crash"]["total"] == "0" and set(rows["crash"]["flags"].split(";")) >= {"crash", "error"}
    forced = run_batch(folder, tmp_path / "g.csv", rubric=DEFAULT_RUBRIC, jobs=2, progress=False,
                       task=_fake_grade, force=True)
    assert len(forced.graded) == 4 and forced.crashed == ("crash",)


# ---------------------------------------------------------------- hostile inputs


def test_metadata_bombs_links_and_odd_values_leave_names_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from grader.batch import MAX_ALIASES, METADATA_BYTES

    path = tmp_path / "submission_metadata.yml"
    aliases = "base: &b x\n" + "".join(f"k{i}: *b\n" for i in range(MAX_ALIASES + 1))
    path.write_text(aliases)
    assert read_metadata(tmp_path) == {}
    assert capsys.readouterr().err == (
        f"warning: {path} was not read (more than {MAX_ALIASES} YAML aliases); names are left empty\n"
    )
    with path.open("w") as handle:
        handle.truncate(METADATA_BYTES + 1)
    assert read_metadata(tmp_path) == {}
    assert "submission_metadata.yml is 16.8 MB; the limit is 16 MiB" in capsys.readouterr().err
    path.unlink()
    (tmp_path / "real.yml").write_text(METADATA)
    path.symlink_to(tmp_path / "real.yml")
    assert read_metadata(tmp_path) == {}
    assert "is a symbolic link" in capsys.readouterr().err
    path.unlink()
    path.write_text("s1:\n  :submitters:\n  - :name: &n [a, [b, c]]\n    :sid: *n\n    :email: ok@x.y\n")
    assert read_metadata(tmp_path) == {"s1": {"name": "", "email": "ok@x.y", "sid": ""}}
    path.write_text("[" * 100_000)
    assert read_metadata(tmp_path) == {} and capsys.readouterr().err.count("\n") == 1


def test_a_staged_copy_is_private_holds_only_the_submission_and_refuses_links(tmp_path: Path) -> None:
    from grader.batch import staged

    export = tmp_path / "export"
    (export / "sub").mkdir(parents=True)
    (export / "alice.py").write_text("x = 1\n")
    (export / "bob.py").write_text("y = 2\n")
    (export / "sub" / "hw4.py").write_text("z = 3\n")
    (export / "sub" / "ref").symlink_to(ROOT / "reference")
    with staged(export / "alice.py", 10**6, stem="hw4") as (copy, notices):
        assert sorted(p.name for p in copy.parent.iterdir()) == ["alice.py"] and notices == []
        assert copy.parent.stat().st_mode & 0o777 == 0o700
    assert not copy.parent.exists()
    with staged(export / "sub", 10**6, stem="hw4") as (copy, notices):
        assert sorted(p.name for p in copy.iterdir()) == ["hw4.py"]
        assert notices == [
            "Not copied, so your code cannot use it: ref is a link to a folder; upload the folder itself"
        ]
    (export / "link.py").symlink_to(export / "bob.py")
    with staged(export / "link.py", 10**6, stem="hw4") as (copy, notices):
        assert copy == export / "link.py"  # refused when graded, without running anything


@pytest.mark.skipif(os.geteuid() != 0, reason="only root closes the export to the sandbox accounts")
def test_the_export_is_closed_to_others_while_grading_and_reopened_after(tmp_path: Path) -> None:
    from grader.batch import closed_to_others

    export = tmp_path / "export"
    export.mkdir()
    os.chmod(export, 0o755)
    with closed_to_others(export):
        assert export.stat().st_mode & 0o777 == 0o750
    assert export.stat().st_mode & 0o777 == 0o755
    with pytest.raises(KeyError), closed_to_others(export):
        raise KeyError("a crash while grading")
    assert export.stat().st_mode & 0o777 == 0o755


# ---------------------------------------------------------------- which folder to grade


def test_the_exports_parent_folder_leads_to_the_export_inside(tmp_path: Path) -> None:
    from grader.batch import locate_submissions

    export = _export(tmp_path)
    assert locate_submissions(export) == (export, None)
    (tmp_path / "export.zip").write_bytes(b"PK")
    (tmp_path / "grades_results" / "101").mkdir(parents=True)  # an earlier run's results beside it
    (tmp_path / "grades_results" / "101" / "results.json").write_text("{}")
    folder, note = locate_submissions(tmp_path, exclude=(tmp_path / "grades_results", tmp_path / "grades.csv"))
    assert folder == export
    assert note == f"{tmp_path} holds the Gradescope export export/: grading the submissions in it"


def test_a_folder_with_nothing_to_grade_or_several_exports_says_what_to_give(tmp_path: Path) -> None:
    from grader.batch import EXPECTED, NothingToGrade, locate_submissions

    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("x")
    (tmp_path / "export.zip").write_bytes(b"PK")
    with pytest.raises(NothingToGrade) as info:
        locate_submissions(tmp_path)
    assert str(info.value) == f"{tmp_path} holds nothing to grade (export.zip: unzip it first); {EXPECTED}"
    assert "submission_<id>/" in EXPECTED and "submission_metadata.yml" in EXPECTED and ".ipynb" in EXPECTED
    for name in ("spring", "fall"):
        (tmp_path / name / "submission_1").mkdir(parents=True)
    with pytest.raises(NothingToGrade, match=r"holds several Gradescope exports \(fall/, spring/\); give the one"):
        locate_submissions(tmp_path)
    (tmp_path / "alice.py").write_text("x = 1\n")  # a folder of submissions, whatever else it holds
    assert locate_submissions(tmp_path) == (tmp_path, None)


def _grade_and_hand_back(sub_id: str, path: str, results_path: str) -> GradeReport:
    """Writes a results.json worth 1 point but hands back a report worth 2: the CSV must use the report."""
    written = TestResult("a", "1.a", "p1a_output", 1.0, 5.0, "partial", "visible", "ok", part="p1a")
    write_results(results_json(GradeReport((written,), path)), Path(results_path))
    kept = TestResult("a", "1.a", "p1a_output", 2.0, 5.0, "partial", "visible", "ok", part="p1a")
    return GradeReport((kept,), path)


def test_the_batch_keeps_the_report_a_worker_hands_back(tmp_path: Path) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "a.py").write_text("x = 1\n")
    out_csv = tmp_path / "grades.csv"
    run_batch(folder, out_csv, rubric=DEFAULT_RUBRIC, progress=False, jobs=1, task=_grade_and_hand_back,
              allow_unisolated=True)
    assert _rows(out_csv)["a"]["total"] == "2"  # from the report, not read back from results.json
    run_batch(folder, out_csv, rubric=DEFAULT_RUBRIC, progress=False, jobs=1, task=_grade_and_hand_back,
              allow_unisolated=True)
    assert _rows(out_csv)["a"]["total"] == "1"  # finished earlier: rebuilt from its results.json
