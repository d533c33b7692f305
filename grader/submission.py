"""Find the file to grade in a submission, and read a notebook's code.

Pure file reading: nothing here runs the student's code.  Runs as root on
Gradescope, so nothing is followed: a link (symbolic or hard) named like a
submission file is refused with a plain message, and sizes are checked before
anything is read.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
from pathlib import Path

__all__ = [
    "ENTRY_LIMITS", "SubmissionError", "check_entry", "entry_limit", "entry_names", "find_entry", "human_size",
    "link_problem", "notebook_cells", "notebook_line", "notebook_source", "read_capped", "utf8_problem",
]

SUFFIXES = (".py", ".ipynb")
MiB = 2**20
ENTRY_LIMITS = {".py": 2 * MiB, ".ipynb": 20 * MiB}
"""Largest entry file read or copied, by suffix (a notebook carries outputs and images)."""
_IGNORED_DIRS = {"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".git"}
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
"""No link followed, no wait on a FIFO (the self-check also runs on Windows, which has neither flag)."""
_NOT_CODE = r"[^\S\n]*(?:%|!|\w+[^\S\n]*=[^\S\n]*[!%]).*|[^\S\n]*[\w.]+\?{1,2}[^\S\n]*"
_MAGIC_LINE = re.compile(rf"^(?:{_NOT_CODE})$", re.MULTILINE)
"""An IPython magic, a shell line (``!pip``, ``x = !ls``) or a help line (``np.sum?``)."""


class SubmissionError(Exception):
    """The submission cannot be graded as uploaded (told to the student as is)."""


def human_size(size: int) -> str:
    """``1_500_000_000`` -> ``"1.5 GB"`` (decimal units, as file managers show them)."""
    if size < 1000:
        return f"{size} bytes"
    for unit, scale in (("kB", 10**3), ("MB", 10**6), ("GB", 10**9)):
        value = round(size / scale, 1)
        if value < 1000 or unit == "GB":
            return f"{value:g} {unit}"
    raise AssertionError("unreachable")


def _binary(limit: int) -> str:
    if limit >= MiB:
        return f"{limit / MiB:g} MiB"
    return f"{limit / 1024:g} KiB" if limit >= 1024 else f"{limit} bytes"


def entry_limit(path: Path) -> int:
    """The largest size accepted for an entry file named ``path``."""
    return ENTRY_LIMITS.get(Path(path).suffix, ENTRY_LIMITS[".py"])


def link_problem(name: str, info: os.stat_result) -> str | None:
    """Why a file with status ``info`` (from ``lstat``) is refused as a link, or None."""
    if stat.S_ISLNK(info.st_mode):
        return f"{name} is a symbolic link; upload the file itself, not a link"
    if not stat.S_ISDIR(info.st_mode) and info.st_nlink > 1:
        return f"{name} is a hard link (the same file has another name too); upload a plain copy of the file"
    return None


def check_entry(path: Path, info: os.stat_result | None = None) -> None:
    """Refuse an entry file that is a link, not a regular file, or too large (status from ``lstat``).

    Raises:
        SubmissionError: with the reason, in words for the student.
    """
    path = Path(path)
    info = info or path.lstat()
    problem = link_problem(path.name, info)
    if problem:
        raise SubmissionError(problem)
    if not stat.S_ISREG(info.st_mode):
        raise SubmissionError(f"{path.name} is not a regular file")
    limit = entry_limit(path)
    if info.st_size > limit:
        raise SubmissionError(f"{path.name} is {human_size(info.st_size)}; the limit is {_binary(limit)}")


def read_capped(path: Path, limit: int, *, dir_fd: int | None = None) -> bytes:
    """The bytes of the regular file ``path``, opened without following a link, if at most ``limit``.

    Raises:
        SubmissionError: a link, not a regular file, or larger than ``limit``.
    """
    name = Path(path).name
    try:
        fd = os.open(path, _OPEN_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        if os.path.islink(path) if dir_fd is None else stat.S_ISLNK(os.lstat(path, dir_fd=dir_fd).st_mode):
            raise SubmissionError(f"{name} is a symbolic link; upload the file itself, not a link") from None
        raise SubmissionError(f"{name} could not be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        problem = link_problem(name, info)
        if problem:
            raise SubmissionError(problem)
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionError(f"{name} is not a regular file")
        if info.st_size > limit:
            raise SubmissionError(f"{name} is {human_size(info.st_size)}; the limit is {_binary(limit)}")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise SubmissionError(f"{name} is larger than the limit of {_binary(limit)}")
    return data


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except OSError:
        return None


def _is_candidate(path: Path) -> bool:
    """A regular file, or a link (refused once chosen, so that the student hears why)."""
    info = _lstat(path)
    return info is not None and (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode))


def _candidates(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir()
        if p.suffix in SUFFIXES and not p.name.startswith((".", "_")) and _is_candidate(p)
    )


def entry_names(stem: str) -> tuple[str, str]:
    """The file names an entry is known by: ``<stem>.py`` and ``<stem>.ipynb``."""
    return f"{stem}.py", f"{stem}.ipynb"


def _several(names: str, stem: str) -> SubmissionError:
    return SubmissionError(
        f"several candidate files ({names}) and none is named {stem}.py; rename the one to grade {stem}.py"
    )


def _pick(folder: Path, stem: str) -> Path | None:
    for name in entry_names(stem):
        if _is_candidate(folder / name):
            return folder / name
    found = _candidates(folder)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise _several(", ".join(p.name for p in found), stem)
    return None


_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
"""PEP 263's encoding declaration, on one of a file's first two lines."""


def _declared_encoding(data: bytes) -> str | None:
    """The codec a PEP 263 line declares (``latin-1`` -> ``iso8859-1``), or None (Python reads UTF-8)."""
    for line in data.splitlines()[:2]:
        match = _CODING.match(line)
        if match:
            try:
                return codecs.lookup(match.group(1).decode("ascii")).name
            except (LookupError, UnicodeDecodeError):
                return None  # Python reports the unknown encoding itself
        if not line.lstrip().startswith(b"#") and line.strip():
            return None
    return None


def utf8_problem(data: bytes, name: str) -> str | None:
    """Why the Python file ``name`` holding ``data`` cannot be read at all, when it is not UTF-8; else None.

    Python reads a whole file as UTF-8 unless its first lines declare another
    encoding (PEP 263), so one byte of another encoding (an ``é`` saved as
    Latin-1 or Windows-1252) loses every line, not only its own.
    """
    if _declared_encoding(data) not in (None, "utf-8"):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        begin = data.rfind(b"\n", 0, start) + 1
        end = data.find(b"\n", start)
        text = data[begin:len(data) if end < 0 else end].decode("utf-8", "replace").strip()
        text = "".join(c if c.isprintable() else "?" for c in text)
        shown = text if len(text) <= 60 else text[:57] + "..."
        return (
            f"{name} is not saved as UTF-8, so the whole file could not be read (not only line {line}) and "
            f"nothing in it was run or graded. The first byte that is not UTF-8 is 0x{data[start]:02X}, on line "
            f"{line} ({shown}). Save the file as UTF-8 (in your editor, Save with Encoding \u2192 UTF-8; in "
            "Notepad, Save As with Encoding: UTF-8) and upload it again."
        )
    return None


def _checked(entry: Path) -> Path:
    check_entry(entry)
    if entry.suffix != ".ipynb":
        problem = utf8_problem(read_capped(entry, entry_limit(entry)), entry.name)
        if problem:
            raise SubmissionError(problem)
    return entry


def find_entry(path: Path, *, stem: str) -> Path:
    """The file to grade: ``path`` itself, or the entry file inside a folder.

    In a folder: ``<stem>.py``, else ``<stem>.ipynb`` (``stem`` is the
    rubric's ``entry_stem``, e.g. ``hw4``), else the only ``.py`` or
    ``.ipynb`` file; the top level first, then one level down (an upload that
    holds a folder).  Links inside the folder are never followed.

    Raises:
        SubmissionError: no candidate, several and none named after ``stem``,
            or the chosen file is a link or too large (see :func:`check_entry`).
    """
    path = Path(path)
    if _lstat(path) is None:
        raise SubmissionError(f"no .py or .ipynb file found in {path} (it does not exist)")
    if not path.is_dir():  # a file given by name (a link to one is refused)
        return _checked(path)
    entry = _pick(path, stem)
    if entry is not None:
        return _checked(entry)
    subdirs, linked = [], []
    for p in sorted(path.iterdir()):
        if p.name in _IGNORED_DIRS or p.name.startswith("."):
            continue
        kind = _lstat(p)
        if kind is not None and stat.S_ISDIR(kind.st_mode):
            subdirs.append(p)
        elif kind is not None and stat.S_ISLNK(kind.st_mode) and p.is_dir():
            linked.append(p.name)
    found = [e for e in (_pick(d, stem) for d in subdirs) if e is not None]
    named = [e for e in found if e.name in entry_names(stem)]
    if len(named) == 1:
        return _checked(named[0])
    if len(found) == 1:
        return _checked(found[0])
    if len(found) > 1:
        raise _several(", ".join(str(p.relative_to(path)) for p in found), stem)
    if linked:
        raise SubmissionError(
            f"no .py or .ipynb file found in {path} ({', '.join(linked)}: a link to a folder is not followed; "
            "upload the files themselves)"
        )
    raise SubmissionError(f"no .py or .ipynb file found in {path}")


def _cell_code(cell: dict) -> str:
    source = cell.get("source", cell.get("input", ""))
    text = "".join(source) if isinstance(source, list) and all(isinstance(s, str) for s in source) else source
    if not isinstance(text, str):
        raise SubmissionError("a code cell's source is not text")
    if text.split("\n", 1)[0].lstrip().startswith("%%"):
        return "\n" * text.count("\n")
    return _MAGIC_LINE.sub("", text)


def notebook_cells(path: Path) -> list[str]:
    """The code cells of a notebook, in order, with magics and shell lines blanked.

    The file's size is checked before it is read (see ``ENTRY_LIMITS``).

    Raises:
        SubmissionError: the file is a link, too large, or not a readable Jupyter notebook.
    """
    name = Path(path).name
    raw = read_capped(Path(path), ENTRY_LIMITS[".ipynb"])
    try:
        data = json.loads(raw.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise SubmissionError(f"{name} is not a valid notebook (invalid JSON: {exc})") from None
    if not isinstance(data, dict):
        raise SubmissionError(f"{name} is not a valid notebook")
    cells = data.get("cells")
    if cells is None and isinstance(data.get("worksheets"), list) and data["worksheets"]:
        first = data["worksheets"][0]
        cells = first.get("cells") if isinstance(first, dict) else None  # nbformat 3
    if not isinstance(cells, list):
        raise SubmissionError(f"{name} is not a valid notebook (no cells)")
    return [_cell_code(c) for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]


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
