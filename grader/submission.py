"""Find the file to grade in a submission, and read a notebook's code.

Pure file reading: nothing here runs the student's code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["SubmissionError", "find_entry", "notebook_cells", "notebook_line", "notebook_source"]

ENTRY_NAMES = ("hw4.py", "hw4.ipynb")
SUFFIXES = (".py", ".ipynb")
_IGNORED_DIRS = {"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".git"}
_MAGIC = re.compile(r"^\s*(%|!|\w+\s*=\s*[!%])")
_HELP = re.compile(r"^\s*[\w.]+\?{1,2}\s*$")


class SubmissionError(Exception):
    """The submission cannot be graded as uploaded (told to the student as is)."""


def _candidates(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix in SUFFIXES and not p.name.startswith((".", "_"))
    )


def _pick(folder: Path) -> Path | None:
    for name in ENTRY_NAMES:
        if (folder / name).is_file():
            return folder / name
    found = _candidates(folder)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise SubmissionError(
            f"several candidate files ({names}) and none is named hw4.py; rename the one to grade hw4.py"
        )
    return None


def find_entry(path: Path) -> Path:
    """The file to grade: ``path`` itself, or the entry file inside a folder.

    In a folder: ``hw4.py``, else ``hw4.ipynb``, else the only ``.py`` or
    ``.ipynb`` file; the top level first, then one level down (an upload that
    holds a folder).

    Raises:
        SubmissionError: no candidate, or several and none named hw4.
    """
    path = Path(path)
    if path.is_file():
        return path
    if not path.is_dir():
        raise SubmissionError(f"no .py or .ipynb file found in {path} (it does not exist)")
    entry = _pick(path)
    if entry is not None:
        return entry
    subdirs = sorted(
        p for p in path.iterdir()
        if p.is_dir() and p.name not in _IGNORED_DIRS and not p.name.startswith(".")
    )
    found = [e for e in (_pick(d) for d in subdirs) if e is not None]
    named = [e for e in found if e.name in ENTRY_NAMES]
    if len(named) == 1:
        return named[0]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        names = ", ".join(str(p.relative_to(path)) for p in found)
        raise SubmissionError(
            f"several candidate files ({names}) and none is named hw4.py; rename the one to grade hw4.py"
        )
    raise SubmissionError(f"no .py or .ipynb file found in {path}")


def _cell_lines(cell: dict) -> list[str]:
    source = cell.get("source", cell.get("input", ""))
    text = "".join(source) if isinstance(source, list) else source
    if not isinstance(text, str):
        raise SubmissionError("a code cell's source is not text")
    lines = text.split("\n")
    if lines and lines[0].lstrip().startswith("%%"):
        return [""] * len(lines)
    return ["" if _MAGIC.match(line) or _HELP.match(line) else line for line in lines]


def notebook_cells(path: Path) -> list[str]:
    """The code cells of a notebook, in order, with magics and shell lines blanked.

    Raises:
        SubmissionError: the file is not a readable Jupyter notebook.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise SubmissionError(f"{Path(path).name} is not a valid notebook (invalid JSON: {exc})") from None
    if not isinstance(data, dict):
        raise SubmissionError(f"{Path(path).name} is not a valid notebook")
    cells = data.get("cells")
    if cells is None and isinstance(data.get("worksheets"), list) and data["worksheets"]:
        cells = data["worksheets"][0].get("cells")  # nbformat 3
    if not isinstance(cells, list):
        raise SubmissionError(f"{Path(path).name} is not a valid notebook (no cells)")
    return [
        "\n".join(_cell_lines(c))
        for c in cells
        if isinstance(c, dict) and c.get("cell_type") == "code"
    ]


def notebook_source(path: Path) -> str:
    """The code cells joined into one script (cell k starts after a ``# In[k]:`` line)."""
    return "".join(f"# In[{k}]:\n{cell}\n" for k, cell in enumerate(notebook_cells(path), 1))


def notebook_line(cells: list[str], line: int) -> str:
    """Name line ``line`` of :func:`notebook_source` as ``code cell k, line j``."""
    start = 1
    for k, cell in enumerate(cells, 1):
        length = cell.count("\n") + 2  # the marker line and the cell's lines
        if line < start + length:
            return f"code cell {k}, line {max(line - start, 1)}"
        start += length
    return f"line {line}"
