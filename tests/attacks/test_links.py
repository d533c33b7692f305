"""Links in a submission: graded as root, nothing is followed (symbolic links, hard links, links to folders).

A link named like the entry file makes the whole submission unreadable, with a
plain message; a linked helper file or folder is refused and named, and the
entry file is still graded.  Each case runs with fresh and forked children.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.attacks.test_attacks import HONEST, PROJECT, assignment, grade, launcher, open_results_dir

__all__ = ["assignment", "launcher"]  # fixtures used here

pytestmark = [pytest.mark.attack, pytest.mark.slow]
REFERENCE = PROJECT / "reference" / "hw4_p1.py"
LEAK = """
for _name in {names!r}:
    try:
        with open(_name, errors="replace") as _handle:
            _text = _handle.read(300)
    except OSError as _exc:
        print("not readable:", _name, _exc)
    else:
        raise ValueError("LEAKED " + _text)
"""


def _graded(folder: Path, assignment) -> tuple[dict, str]:
    results_dir = open_results_dir()
    try:
        results, _ = grade(folder, results_dir, assignment)
    finally:
        shutil.rmtree(results_dir.parent, ignore_errors=True)
    return results, json.dumps(results)


def _honest(folder: Path, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hw4.py").write_text(HONEST.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return folder


def _unreadable(results: dict, text: str, message: str) -> None:
    assert results["score"] == 0
    assert all(t["score"] == 0 for t in results["tests"])
    assert results["output"] == f"The submission could not be read: {message}"
    assert text.count(message) >= 2  # the notice and every test say why


@pytest.mark.parametrize("target", [REFERENCE, Path("/etc/shadow")], ids=["reference", "etc_shadow"])
def test_an_entry_file_that_is_a_symbolic_link_is_refused(target, assignment, tmp_path, launcher):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "hw4.py").symlink_to(target)
    results, text = _graded(folder, assignment)
    _unreadable(results, text, "hw4.py is a symbolic link; upload the file itself, not a link")
    assert "root:" not in text and "def " not in text


def test_an_entry_file_hard_linked_to_a_private_file_is_refused(assignment, tmp_path, launcher):
    secret = tmp_path / "rubric.py"
    secret.write_text("RUBRIC_SECRET = 271828\np1a_output = (1, 2)\n")
    os.chmod(secret, 0o600)
    folder = tmp_path / "submission"
    folder.mkdir()
    os.link(secret, folder / "hw4.py")
    results, text = _graded(folder, assignment)
    _unreadable(results, text, "hw4.py is a hard link (the same file has another name too); upload a plain copy "
                               "of the file")
    assert "271828" not in text


def test_a_link_to_a_folder_is_neither_searched_nor_copied(assignment, tmp_path, launcher):
    only_link = tmp_path / "only_link"
    only_link.mkdir()
    (only_link / "code").symlink_to(PROJECT / "reference")
    results, text = _graded(only_link, assignment)
    assert results["score"] == 0 and "code: a link to a folder is not followed" in results["output"]

    beside = _honest(tmp_path / "beside", LEAK.format(names=["ref/hw4_p1.py", "ref/__init__.py"]))
    (beside / "ref").symlink_to(PROJECT / "reference")
    results, text = _graded(beside, assignment)
    assert results["score"] == 100
    assert "Not copied, so your code cannot use it: ref is a link to a folder" in results["output"]
    assert "LEAKED" not in text


def test_linked_helper_files_are_refused_and_the_entry_is_graded(assignment, tmp_path, launcher):
    secret = tmp_path / "hw4.yaml"
    secret.write_text("RUBRIC_SECRET: 271828\n")
    os.chmod(secret, 0o600)
    folder = _honest(tmp_path / "submission", "\nimport helper\n" + LEAK.format(names=["notes.yaml", "shadow.txt"]))
    (folder / "helper.py").symlink_to(REFERENCE)
    (folder / "shadow.txt").symlink_to("/etc/shadow")
    os.link(secret, folder / "notes.yaml")
    results, text = _graded(folder, assignment)
    assert results["score"] == 100
    notices = results["output"].split("\n\n")
    assert "Not copied, so your code cannot use it: helper.py is a symbolic link; upload the file itself, not a " \
           "link" in notices
    assert "Not copied, so your code cannot use it: notes.yaml is a hard link (the same file has another name " \
           "too); upload a plain copy of the file" in notices
    assert "Not copied, so your code cannot use it: shadow.txt is a symbolic link; upload the file itself, not a " \
           "link" in notices
    assert any("ModuleNotFoundError: No module named 'helper'" in n for n in notices)
    assert "LEAKED" not in text and "271828" not in text and "root:" not in text
