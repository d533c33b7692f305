"""The two zips: the Gradescope autograder and the students' self-check.

Both are reproducible (sorted entries, fixed timestamps) and hold no tests,
examples, caches, answer keys or virtual environments.

* ``autograder.zip``: ``setup.sh`` and ``run_autograder`` at the root, the
  engine, the reference, the rubrics, the package of public checks the rubric
  names (``public/``), ``scripts/ensure_env`` and the pinned
  ``requirements.txt``, laid out as Gradescope unpacks it in
  ``/autograder/source``.
* ``hw4-selfcheck.zip``: the engine without anything secret, the public
  metadata ``grader/public_rubric.json`` (names, kinds, shapes and the name of
  the module of public checks; see :mod:`grader.public_checks`), that
  module's package, the template as ``hw4_template.py``, the runtime
  requirements of ``check`` and a README.  No ``reference/``, no ``rubrics/``.
"""

from __future__ import annotations

import json
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path

from grader.errors import RubricError
from grader.paths import DEFAULT_RUBRIC, ROOT

__all__ = [
    "AUTOGRADER_FILES", "autograder_members", "build_autograder_bundle", "build_student_bundle", "public_members",
]

AUTOGRADER_FILES = ("setup.sh", "run_autograder", "requirements.txt", "pyproject.toml", "scripts/ensure_env")
_TREES_STAFF = ("grader", "reference", "rubrics")
_SKIP_PARTS = {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".git", ".venv", ".cache", ".key"}
"""Never shipped: caches, and the answer key and planned calls a local run leaves in ``rubrics/`` (setup.sh
compiles them afresh where the zip is unpacked)."""
_SKIP_SUFFIXES = (".pyc", ".pyo", ".orig", ".rej", ".swp")
_EXECUTABLE = {"setup.sh", "run_autograder", "scripts/ensure_env"}
_EPOCH = (1980, 1, 1, 0, 0, 0)
_STUDENT_REQUIREMENTS = ("numpy", "sympy")
"""What ``check`` imports besides the standard library."""
STUDENT_README = """\
# {assignment}: self-check

Check your `{stem}.py` before you submit it.  Unzip this folder next to your
`{stem}.py` (so that `grader/` and `{stem}.py` sit side by side), open a
terminal in that folder, then run the two lines for your system (the first
installs numpy and sympy, once).

Windows (Command Prompt or PowerShell):

```
py -m pip install -r requirements-selfcheck.txt
py -m grader check {stem}.py
```

macOS and Linux:

```sh
python3 -m pip install -r requirements-selfcheck.txt
python3 -m grader check {stem}.py
```

In an active virtual environment or conda environment, `python` works on every
system.

It runs your file in a separate process, with a time limit on each top-level
statement and each call, and prints a table: which answers are present, which
parse (and where they do not), which have the wrong shape or type, which
functions raise or time out, and public checks that reveal nothing{checks}

It exits with 0 when every answer looks fine, 1 when one needs work, and 2
when it could not check your file.

It never shows an expected answer, and passing it does not mean an answer is
right: Gradescope grades it.

`{stem}_template.py` lists every name with its docstring (`python -m grader
template` prints it too).  Keep top-level code cheap: no plots, no `input()`.
"""


def _public_check_lines(public: dict) -> str:
    """The public checks of the assignment, one line each, for the student README."""
    from grader.public_checks import load_checks

    checks = load_checks(public["public_checks"])
    lines = [f"- `{name}`: {prop.what}" for name, prop in checks.properties.items()]
    lines += [f"- `{name}`, checked with your `{f.function}` once it passes its own check: {f.what}"
              for name, f in checks.follow_ups.items()]
    return ":\n\n" + "\n".join(lines) if lines else "."


def _wanted(rel: Path) -> bool:
    return not (set(rel.parts) & _SKIP_PARTS) and not rel.name.endswith(_SKIP_SUFFIXES)


def _tree(root: Path, top: str, *, exclude: Iterable[str] = ()) -> list[str]:
    skip = set(exclude)
    out = []
    for path in sorted((root / top).rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not path.is_symlink() and _wanted(rel) and rel.as_posix() not in skip:
            out.append(rel.as_posix())
    return out


def public_members(public_checks: str | None, root: Path = ROOT) -> list[str]:
    """Files of the top-level package (or module) holding the rubric's public checks."""
    if not public_checks:
        return []
    top = public_checks.split(".")[0]
    if top in _TREES_STAFF:
        raise RubricError(f"public_checks: {public_checks!r} is shipped to students and must not live in {top}/")
    if (root / top).is_dir():
        return _tree(root, top)
    if (root / f"{top}.py").is_file():
        return [f"{top}.py"]
    raise RubricError(f"public_checks: no package {top}/ or module {top}.py under {root}")


def autograder_members(root: Path = ROOT, *, public_checks: str | None = None) -> list[str]:
    """Project files that go into the Gradescope zip, relative to ``root``."""
    names = [f for f in AUTOGRADER_FILES if (root / f).is_file()]
    for top in _TREES_STAFF:
        names += _tree(root, top, exclude=("grader/public_rubric.json",))
    names += public_members(public_checks, root)
    return sorted(set(names))


def _info(name: str, executable: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_zip(out: Path, entries: dict[str, bytes]) -> list[str]:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in sorted(entries):
            zf.writestr(_info(name, name in _EXECUTABLE), entries[name])
    tmp.replace(out)
    return sorted(entries)


def build_autograder_bundle(out: Path, *, rubric: Path = DEFAULT_RUBRIC, root: Path = ROOT) -> list[str]:
    """Write the Gradescope zip; returns its member names.  The rubric is bound first, so a broken one fails."""
    from grader.assignment import load_assignment

    bound = load_assignment(rubric)
    members = autograder_members(root, public_checks=bound.rubric.public_checks)
    members = sorted({*members, *public_members(bound.rubric.helpers, root)})  # the helpers passed to student code
    entries = {name: (root / name).read_bytes() for name in members if name != "rubrics/DEPLOYED"}
    shipped = _shipped_rubric(Path(rubric), root)
    entries[shipped] = Path(rubric).read_bytes()
    entries["rubrics/DEPLOYED"] = (shipped + "\n").encode()
    return _write_zip(out, entries)


def _shipped_rubric(rubric: Path, root: Path) -> str:
    """Where the rubric goes in the zip: its own place under ``rubrics/``, or ``rubrics/<its name>``."""
    try:
        rel = rubric.resolve().relative_to((root / "rubrics").resolve())
    except ValueError:
        return f"rubrics/{rubric.name}"
    return f"rubrics/{rel.as_posix()}"


def _student_requirements(root: Path) -> bytes:
    lines = [
        line for line in (root / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.split("==")[0].strip().lower() in _STUDENT_REQUIREMENTS
    ]
    return ("# What `python -m grader check` needs.\n" + "\n".join(lines) + "\n").encode()


def build_student_bundle(out: Path, *, rubric: Path = DEFAULT_RUBRIC, root: Path = ROOT) -> list[str]:
    """Write the students' self-check zip; returns its member names."""
    from grader.assignment import load_assignment
    from grader.public_checks import build_public

    public = build_public(load_assignment(rubric))
    names = _tree(root, "grader") + public_members(public["public_checks"], root)
    names = sorted({*names, *public_members(public.get("helpers"), root)})  # the helpers passed to student code
    entries = {name: (root / name).read_bytes() for name in names}
    entries.pop("grader/public_rubric.json", None)
    entries["grader/public_rubric.json"] = (json.dumps(public, indent=1, sort_keys=True) + "\n").encode()
    entries[f"{public['entry_stem']}_template.py"] = public["template"].encode()
    entries["requirements-selfcheck.txt"] = _student_requirements(root)
    readme = STUDENT_README.format(assignment=public["assignment"], stem=public["entry_stem"],
                                   checks=_public_check_lines(public))
    entries["README.md"] = readme.encode()
    return _write_zip(out, entries)
