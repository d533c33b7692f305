"""Finding the file to grade, and reading notebooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.submission import SubmissionError, find_entry, notebook_cells, notebook_line, notebook_source

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_file_is_its_own_entry():
    assert find_entry(FIXTURES / "helper" / "helper_mod.py") == FIXTURES / "helper" / "helper_mod.py"


def test_hw4_py_wins_over_other_files(tmp_path):
    for name in ("hw4.py", "hw4.ipynb", "other.py"):
        (tmp_path / name).write_text("")
    assert find_entry(tmp_path) == tmp_path / "hw4.py"


def test_the_only_candidate_is_taken_one_level_down():
    assert find_entry(FIXTURES / "nested") == FIXTURES / "nested" / "upload" / "solution.py"


def test_several_candidates_without_hw4_is_a_clear_error():
    with pytest.raises(SubmissionError, match=r"several candidate files \(a.py, b.py\).*rename"):
        find_entry(FIXTURES / "several")


def test_no_candidate_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(SubmissionError, match="no .py or .ipynb file found"):
        find_entry(tmp_path)


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
