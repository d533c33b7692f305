"""Finding the file to grade, reading notebooks, and copying a submission without following links."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from grader.paths import ROOT
from grader.sandbox.isolation import Identity, copy_tree, make_workdir, private_entries
from grader.submission import SubmissionError, find_entry, notebook_cells, notebook_line, notebook_source, read_capped

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_file_is_its_own_entry():
    assert find_entry(FIXTURES / "helper" / "helper_mod.py", stem="hw4") == FIXTURES / "helper" / "helper_mod.py"


def test_hw4_py_wins_over_other_files(tmp_path):
    for name in ("hw4.py", "hw4.ipynb", "other.py"):
        (tmp_path / name).write_text("")
    assert find_entry(tmp_path, stem="hw4") == tmp_path / "hw4.py"


def test_the_only_candidate_is_taken_one_level_down():
    assert find_entry(FIXTURES / "nested", stem="hw4") == FIXTURES / "nested" / "upload" / "solution.py"


def test_several_candidates_without_hw4_is_a_clear_error():
    with pytest.raises(SubmissionError, match=r"several candidate files \(a.py, b.py\).*rename"):
        find_entry(FIXTURES / "several", stem="hw4")


def test_no_candidate_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(SubmissionError, match="no .py or .ipynb file found"):
        find_entry(tmp_path, stem="hw4")


def test_notebook_code_cells_skip_magics_and_shell_lines():
    cells = notebook_cells(FIXTURES / "notebook" / "hw4.ipynb")
    assert cells == ["\nimport numpy as np\na = 2\n", "\n\n", "\nb = a + 1\nc = 1 / 0\n"]
    source = notebook_source(FIXTURES / "notebook" / "hw4.ipynb")
    assert source.splitlines()[0] == "# In[1]:"
    line = source.splitlines().index("c = 1 / 0") + 1
    assert notebook_line(cells, line) == "code cell 3, line 3"


def test_invalid_notebook_json_is_a_submission_error(tmp_path):
    path = tmp_path / "hw4.ipynb"
    path.write_text("{not json")
    with pytest.raises(SubmissionError, match="not a valid notebook"):
        notebook_source(path)
    path.write_text(json.dumps({"cells": "nope"}))
    with pytest.raises(SubmissionError, match="not a valid notebook"):
        notebook_source(path)


# ---------------------------------------------------------------- links and sizes (grading runs as root)

NOBODY = Identity(None, None, "test")


def test_a_symbolic_link_named_hw4_py_is_refused_not_followed(tmp_path):
    (tmp_path / "hw4.py").symlink_to(ROOT / "reference" / "hw4_p1.py")
    with pytest.raises(SubmissionError, match="^hw4.py is a symbolic link; upload the file itself, not a link$"):
        find_entry(tmp_path, stem="hw4")
    (tmp_path / "hw4.py").unlink()
    (tmp_path / "answers.py").symlink_to("/etc/shadow")
    with pytest.raises(SubmissionError, match="^answers.py is a symbolic link"):
        find_entry(tmp_path, stem="hw4")
    with pytest.raises(SubmissionError, match="symbolic link"):
        find_entry(tmp_path / "answers.py", stem="hw4")


def test_a_hard_link_is_refused(tmp_path):
    secret = tmp_path / "secret.py"
    secret.write_text("ANSWER = 42\n")
    (tmp_path / "upload").mkdir()
    os.link(secret, tmp_path / "upload" / "hw4.py")
    with pytest.raises(SubmissionError, match=r"^hw4.py is a hard link \(the same file has another name too\)"):
        find_entry(tmp_path / "upload", stem="hw4")


def test_a_link_to_a_folder_is_not_searched(tmp_path):
    (tmp_path / "code").symlink_to(ROOT / "reference")
    with pytest.raises(SubmissionError, match="code: a link to a folder is not followed; upload the files themselves"):
        find_entry(tmp_path, stem="hw4")


def test_an_entry_over_its_size_limit_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "hw4.py"
    with big.open("wb") as handle:  # sparse: 1.5 GB that take no room
        handle.truncate(1_500_000_000)
    with pytest.raises(SubmissionError, match=r"^hw4.py is 1.5 GB; the limit is 2 MiB$"):
        find_entry(tmp_path, stem="hw4")
    big.unlink()
    notebook = tmp_path / "hw4.ipynb"
    notebook.write_text('{"cells": [{"cell_type": "code", "source": "' + "\\n" * 11_000_000 + '"}]}')
    with pytest.raises(SubmissionError, match=r"^hw4.ipynb is 22 MB; the limit is 20 MiB$"):
        find_entry(tmp_path, stem="hw4")
    with pytest.raises(SubmissionError, match=r"^hw4.ipynb is 22 MB; the limit is 20 MiB$"):
        notebook_cells(notebook)
    with pytest.raises(SubmissionError, match=r"^hw4.ipynb is \d+ bytes; the limit is 10 bytes$"):
        read_capped(FIXTURES / "notebook" / "hw4.ipynb", 10)


def test_a_large_notebook_within_the_limit_is_parsed_quickly(tmp_path):
    notebook = tmp_path / "hw4.ipynb"
    cells = [{"cell_type": "code", "source": "%time x = 1\n" + "\n" * 8_000_000 + "y = 2\n!ls\n"}]
    notebook.write_text(json.dumps({"cells": cells}))
    started = time.monotonic()
    (code,) = notebook_cells(notebook)
    assert time.monotonic() - started < 5
    assert code.count("\n") == 8_000_003 and code.startswith("\n") and code.endswith("\ny = 2\n\n")


def test_copying_refuses_links_caps_sizes_and_counts(tmp_path):
    source = tmp_path / "upload"
    (source / "pkg").mkdir(parents=True)
    (source / "hw4.py").write_text("import helper\n")
    (source / "helper.py").write_text("X = 1\n")
    (source / "pkg" / "mod.py").write_text("Y = 2\n")
    (source / "linked.py").symlink_to(ROOT / "reference" / "hw4_p1.py")
    (source / "dangling.py").symlink_to(tmp_path / "nowhere")
    (source / "ref").symlink_to(ROOT / "reference")
    (tmp_path / "rubric.yaml").write_text("secret: 1\n")
    os.link(tmp_path / "rubric.yaml", source / "rubric.yaml")
    with (source / "huge.npy").open("wb") as handle:
        handle.truncate(1_500_000_000)
    root, entry, notices = make_workdir(source / "hw4.py", NOBODY, 1_000_000)
    try:
        copied = sorted(str(p.relative_to(root / "submission")) for p in (root / "submission").rglob("*"))
        assert copied == ["helper.py", "hw4.py", "pkg", "pkg/mod.py"]
        assert entry == root / "submission" / "hw4.py" and entry.read_text() == "import helper\n"
        assert notices == [
            "Not copied, so your code cannot use it: ref is a link to a folder; upload the folder itself",
            "Not copied, so your code cannot use it: dangling.py is a symbolic link; upload the file itself, "
            "not a link",
            "Not copied, so your code cannot use it: linked.py is a symbolic link; upload the file itself, "
            "not a link",
            "Not copied, so your code cannot use it: rubric.yaml is a hard link (the same file has another "
            "name too); upload a plain copy of the file",
            "1 file(s) beside the submission were not copied (size or count limit: 1 MB and 500 files in all): "
            "huge.npy",
        ]
    finally:
        shutil.rmtree(root)
    many = tmp_path / "many"
    many.mkdir()
    for i in range(12):
        (many / f"m{i:02d}.txt").write_text("x")
    notices = copy_tree(many, tmp_path / "copy", max_bytes=10**6, max_files=3)
    assert sorted(p.name for p in (tmp_path / "copy").iterdir()) == ["m00.txt", "m01.txt", "m02.txt"]
    assert notices == ["9 file(s) beside the submission were not copied (size or count limit: 1 MB and 3 files "
                       "in all): m03.txt, m04.txt, m05.txt, m06.txt, m07.txt, m08.txt, m09.txt, m10.txt, ..."]


def test_an_entry_that_became_a_link_is_not_copied(tmp_path):
    (tmp_path / "hw4.py").symlink_to("/etc/passwd")
    before = set(Path(tempfile.gettempdir()).glob("grader-sandbox-*"))  # other runs' folders are not ours to read
    with pytest.raises(SubmissionError, match="symbolic link"):
        make_workdir(tmp_path / "hw4.py", NOBODY, 10**6)
    assert set(Path(tempfile.gettempdir()).glob("grader-sandbox-*")) == before  # nothing made, nothing copied


@pytest.mark.parametrize("step", ["mkdir", "chmod"])
def test_a_run_folder_interrupted_while_it_is_made_is_removed(tmp_path, monkeypatch, step):
    """Ctrl-C in a batch lands anywhere: the half-made folder goes with it."""
    import grader.sandbox.isolation as isolation

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "hw4.py").write_text("x = 1\n")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    if step == "mkdir":
        monkeypatch.setattr(isolation.Path, "mkdir", interrupted)
    else:
        monkeypatch.setattr(isolation.os, "chmod", interrupted)
    with pytest.raises(KeyboardInterrupt):
        make_workdir(tmp_path / "sub" / "hw4.py", NOBODY, 10**6)
    monkeypatch.undo()
    assert list(scratch.iterdir()) == []


def test_everything_under_gradescope_root_but_what_the_child_needs_is_listed_for_locking(tmp_path, monkeypatch):
    import grader.sandbox.isolation as isolation

    for folder in ("source/grader", "source/.venv/bin", "source/reference", "submission", "results"):
        (tmp_path / folder).mkdir(parents=True)
    for name in ("submission_metadata.json", "run_autograder", "source/setup.sh", "source/grader/x.py"):
        (tmp_path / name).write_text("")
    (tmp_path / "link").symlink_to("/etc")
    needs = [tmp_path / "source" / "grader", tmp_path / "source" / ".venv", Path(tempfile.gettempdir())]
    monkeypatch.setattr(isolation, "_child_needs", lambda: [p.resolve() for p in needs])
    assert [str(p.relative_to(tmp_path)) for p in private_entries(tmp_path)] == [
        "link", "results", "run_autograder", "source/reference", "source/setup.sh", "submission",
        "submission_metadata.json",
    ]


def test_the_entry_is_named_after_the_rubric_stem(tmp_path: Path) -> None:
    for name in ("demo.py", "helpers.py", "hw4.py"):
        (tmp_path / name).write_text("x = 1\n")
    assert find_entry(tmp_path, stem="demo") == tmp_path / "demo.py"
    assert find_entry(tmp_path, stem="hw4") == tmp_path / "hw4.py"
    (tmp_path / "demo.py").unlink()
    (tmp_path / "hw4.py").unlink()
    (tmp_path / "other.py").write_text("x = 2\n")
    with pytest.raises(SubmissionError, match=r"none is named demo\.py; rename the one to grade demo\.py"):
        find_entry(tmp_path, stem="demo")


# ---------------------------------------------------------------- a file not saved as UTF-8

LATIN1 = b'import math\n# notes\np1a_output = (1, 2)\nauthor = "Jos\xe9"\np3e_w1_updated_again = False\n'
NOT_UTF8 = (
    "hw4.py is not saved as UTF-8, so the whole file could not be read (not only line 4) and nothing in it was "
    'run or graded. The first byte that is not UTF-8 is 0xE9, on line 4 (author = "Jos\ufffd"). Save the file '
    "as UTF-8 (in your editor, Save with Encoding \u2192 UTF-8; in Notepad, Save As with Encoding: UTF-8) and "
    "upload it again."
)


def test_a_file_not_saved_as_utf8_is_refused_whole_naming_its_line_and_byte(tmp_path: Path) -> None:
    (tmp_path / "hw4.py").write_bytes(LATIN1)
    with pytest.raises(SubmissionError) as info:
        find_entry(tmp_path, stem="hw4")
    assert str(info.value) == NOT_UTF8


def test_utf8_a_bom_or_a_declared_encoding_is_read_as_python_reads_it(tmp_path: Path) -> None:
    from grader.submission import utf8_problem

    assert utf8_problem('author = "José"\n'.encode(), "hw4.py") is None
    assert utf8_problem(b"\xef\xbb\xbf" + 'author = "José"\n'.encode(), "hw4.py") is None
    assert utf8_problem(b"# -*- coding: latin-1 -*-\n" + LATIN1, "hw4.py") is None
    assert utf8_problem(b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\n" + LATIN1, "hw4.py") is None
    assert utf8_problem(b"x = 1\n# coding: latin-1\n" + LATIN1, "hw4.py") is not None  # too late to count
    assert utf8_problem(b"# coding: utf-8\n" + LATIN1, "hw4.py") is not None
    bad = utf8_problem(b"x = '\x01" + b"a" * 80 + b"\x92'\n", "a.py")
    assert bad is not None and "on line 1 (x = '?aaaaa" in bad and "...)" in bad


def test_a_file_not_saved_as_utf8_is_reported_whole_when_graded(tmp_path: Path) -> None:
    from grader.autograder import grade_to_results

    (tmp_path / "hw4.py").write_bytes(LATIN1)
    results = grade_to_results(tmp_path).results
    assert results["output"] == "The submission could not be read: " + NOT_UTF8
    assert results["score"] == 0 and results["tests"]
    assert {(t["status"], t["extra_data"]["status"], t["output"]) for t in results["tests"]} == {
        ("failed", "missing", "Not graded: " + NOT_UTF8)
    }


@pytest.mark.slow
def test_a_file_declaring_its_encoding_is_graded(tmp_path: Path) -> None:
    from grader.autograder import grade_to_results

    (tmp_path / "hw4.py").write_bytes(b"# -*- coding: latin-1 -*-\n" + LATIN1)
    results = grade_to_results(tmp_path).results
    first = next(t for t in results["tests"] if t["extra_data"]["answer"] == "p1a_output")
    assert first["extra_data"]["status"] == "failed" and "Not graded" not in first["output"]
    assert "UTF-8" not in (results.get("output") or "")
