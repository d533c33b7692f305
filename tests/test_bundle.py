"""The two zips: what they hold, that the student one reveals nothing, and a Gradescope run."""

from __future__ import annotations

import ast
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy

from grader.assignment import load_assignment
from grader.bundle import build_autograder_bundle, build_student_bundle, public_members
from grader.errors import RubricError
from grader.paths import DEFAULT_RUBRIC, ROOT
from grader.sandbox.answers import FunctionRef
from grader.sandbox.calls import resolve_args

EXAMPLES = ROOT / "submissions_example"
FORBIDDEN_PARTS = ("tests/", "submissions_example/", "__pycache__", ".venv/", "results/", "benchmarks/")


@pytest.fixture(scope="module")
def assignment():
    return load_assignment(DEFAULT_RUBRIC)


@pytest.fixture(scope="module")
def zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("zips")
    build_autograder_bundle(folder / "autograder.zip")
    build_student_bundle(folder / "hw4-selfcheck.zip")
    return {"staff": folder / "autograder.zip", "student": folder / "hw4-selfcheck.zip"}


def _open_tree() -> Path:
    """A temporary folder every account can read (the sandbox user runs code from it)."""
    path = Path(tempfile.mkdtemp(prefix="grader-bundle-test-"))
    path.chmod(0o755)
    return path


def test_autograder_zip_has_entry_points_at_root_and_nothing_else(zips: dict[str, Path]) -> None:
    with zipfile.ZipFile(zips["staff"]) as zf:
        names = zf.namelist()
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt", "scripts/ensure_env"} <= set(names)
    assert {"reference/hw4.py", "rubrics/hw4.yaml", "grader/__main__.py", "grader/sandbox/child.py"} <= set(names)
    assert {"public/__init__.py", "public/hw4.py", "public/hw4_helpers.py"} <= set(names)
    assert modes["setup.sh"] == modes["run_autograder"] == modes["scripts/ensure_env"] == 0o755
    assert not [n for n in names if any(p in n for p in FORBIDDEN_PARTS) or n.endswith(".pyc")]
    assert "grader/public_rubric.json" not in names
    pins = (ROOT / "requirements.txt").read_text().splitlines()
    assert all("==" in line for line in pins if line and not line.startswith("#"))


def test_the_zip_grades_the_rubric_it_was_built_for(tmp_path: Path) -> None:
    alt = tmp_path / "hw4-alt.yaml"
    alt.write_text((ROOT / "rubrics" / "hw4.yaml").read_text(encoding="utf-8").replace(
        "1(a) network output (o1, o2) at x = (3, 14)", "1(a) the output, in the alternative rubric"), encoding="utf-8")
    (ROOT / "rubrics" / ".cache").mkdir(exist_ok=True)  # a local run's cache never ships
    build_autograder_bundle(tmp_path / "alt.zip", rubric=alt)
    tree = tmp_path / "tree"
    with zipfile.ZipFile(tmp_path / "alt.zip") as zf:
        zf.extractall(tree)
        names = zf.namelist()
    assert (tree / "rubrics" / "DEPLOYED").read_text() == "rubrics/hw4-alt.yaml\n"
    assert not [n for n in names if "/.cache/" in n]
    probe = "from grader.paths import active_rubric; print(active_rubric())"
    env = {k: v for k, v in os.environ.items() if k != "GRADER_RUBRIC"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=tree, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == str(tree / "rubrics" / "hw4-alt.yaml"), out.stderr
    out = subprocess.run([sys.executable, "-c", probe], cwd=tree, env={**env, "GRADER_RUBRIC": "other.yaml"},
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "other.yaml"
    out = subprocess.run([sys.executable, "-m", "grader", "grade", str(EXAMPLES / "full_credit"), "--json",
                          str(tmp_path / "results.json")], cwd=tree, env=env, capture_output=True, text=True,
                         timeout=300)
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["tests"][0]["name"] == "1(a) the output, in the alternative rubric", out.stderr[-2000:]


def test_bundles_are_reproducible(tmp_path: Path, zips: dict[str, Path]) -> None:
    build_autograder_bundle(tmp_path / "again.zip")
    build_student_bundle(tmp_path / "again-student.zip")
    assert (tmp_path / "again.zip").read_bytes() == zips["staff"].read_bytes()
    assert (tmp_path / "again-student.zip").read_bytes() == zips["student"].read_bytes()


def test_student_zip_holds_no_reference_rubric_or_examples(zips: dict[str, Path]) -> None:
    with zipfile.ZipFile(zips["student"]) as zf:
        names = zf.namelist()
    assert {"grader/public_rubric.json", "hw4_template.py", "README.md", "requirements-selfcheck.txt"} <= set(names)
    assert {"public/__init__.py", "public/hw4.py", "public/hw4_helpers.py"} <= set(names)
    assert "hw4.py" not in names  # unzipping next to a student's file must not overwrite it
    assert not [n for n in names if n.startswith(("reference/", "rubrics/", "scripts/"))]
    assert not [n for n in names if any(p in n for p in FORBIDDEN_PARTS)]


def test_public_checks_must_not_live_with_the_answers() -> None:
    assert public_members(None) == []
    assert public_members("public.hw4") == sorted(f"public/{p.name}" for p in (ROOT / "public").glob("*.py"))
    with pytest.raises(RubricError, match="must not live in reference/"):
        public_members("reference.hw4")
    with pytest.raises(RubricError, match="no package nowhere/"):
        public_members("nowhere.hw4")


# ------------------------------------------------------------------ nothing revealed

_SQUASHES = {"exp", "sigmoid", "expit", "sigma", "logistic"}


def _recurrences(source: str) -> list[str]:
    """Functions that use tanh together with a sigmoid or exp: the makings of an LSTM step."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            used |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
            used = {u.lstrip("_").lower() for u in used}
            if "tanh" in used and used & _SQUASHES:
                found.append(getattr(node, "name", "<lambda>"))
    return found


def test_student_bundle_holds_no_lstm_simulator(zips: dict[str, Path]) -> None:
    assert "_steps" in _recurrences((ROOT / "reference" / "hw4_p2.py").read_text())  # the scan sees one
    with zipfile.ZipFile(zips["student"]) as zf:
        sources = {n: zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".py")}
    assert "public/hw4.py" in sources
    assert {name: found for name, src in sources.items() if (found := _recurrences(src))} == {}



def _floats(value: Any) -> Iterator[float]:
    if isinstance(value, bool) or value is None or isinstance(value, str) or callable(value):
        return
    if isinstance(value, (int, float, np.floating, np.integer)):
        yield float(value)
    elif isinstance(value, sympy.Basic):
        if value.is_number:
            yield float(value)
    elif isinstance(value, np.ndarray):
        yield from (float(v) for v in value.ravel())
    elif isinstance(value, dict):
        for v in value.values():
            yield from _floats(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _floats(v)


def _expected_values(assignment: Any) -> list[Any]:
    """Every expected value of every check and known mistake, and every expected function output."""
    values: list[Any] = []
    for check in assignment.checks:
        for params in (check.params, *(m.params for m in check.mistakes)):
            expected = params.expected
            if check.spec.kind == "function":
                values += [expected(*resolve_args(c.args), **resolve_args(c.kwargs)) for c in check.calls]
            elif check.spec.kind == "params_by_simulation":
                values += [expected(list(xs)) for xs in ([0, 0, 1, 1, 1, 0], [1, 1, 0, 1, 1], [1, -1, 1, 1])]
            elif not isinstance(expected, FunctionRef):
                values.append(expected)
    return values


def _tokens(assignment: Any) -> set[str]:
    """Text forms of expected answers specific enough not to occur by chance."""
    tokens: set[str] = set()
    for value in _expected_values(assignment):
        if isinstance(value, sympy.Basic) and not value.is_number:
            tokens.add(str(value).replace(" ", ""))
        if isinstance(value, list) and len(value) >= 5 and all(isinstance(v, int) for v in value):
            tokens.add(str(value))
        for x in _floats(value):
            if not math.isfinite(x) or float(x).is_integer():
                continue
            for text in (repr(x), f"{x:.6g}", f"{x:.5g}", f"{x:.4g}"):
                if len(re.sub(r"[^0-9]", "", text.split("e")[0]).lstrip("0")) >= 4:
                    tokens.add(text)
    return tokens


def _hits(tokens: set[str], text: str) -> list[str]:
    squeezed = text.replace(" ", "")
    return sorted(t for t in tokens if (t in squeezed if any(c.isalpha() for c in t) else t in text))


def test_leak_scan_finds_answers_where_they_are(assignment: Any) -> None:
    tokens = _tokens(assignment)
    assert len(tokens) > 50
    reference_text = "".join(p.read_text() for p in (ROOT / "tests").rglob("*.py"))
    reference_text += (EXAMPLES / "full_credit" / "hw4.py").read_text()
    grade_output = subprocess.run(
        [sys.executable, "-m", "grader", "grade", str(EXAMPLES / "partial"), "--no-color"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    ).stdout
    assert _hits(tokens, reference_text + grade_output)  # the scan is able to see a leak


@pytest.mark.slow
def test_student_bundle_and_check_output_reveal_no_expected_value(assignment: Any, zips: dict[str, Path]) -> None:
    tokens = _tokens(assignment)
    with zipfile.ZipFile(zips["student"]) as zf:
        for name in zf.namelist():
            assert not _hits(tokens, zf.read(name).decode("utf-8")), name
    tree = _open_tree()
    try:
        with zipfile.ZipFile(zips["student"]) as zf:
            zf.extractall(tree)
        for example in ("full_credit", "full_credit_sympy", "partial", "template"):
            shutil.copy(EXAMPLES / example / "hw4.py", tree / "hw4.py")
            out = _student_check(tree)
            assert out.returncode == (0 if example.startswith("full_credit") else 1), out.stderr
            assert "Self-check of hw4.py" in out.stdout
            assert not _hits(tokens, out.stdout + out.stderr), example
    finally:
        shutil.rmtree(tree)


def _student_check(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run ``check`` from the unzipped bundle with the staff-only packages made unimportable."""
    stubs = tree / "_blocked"
    (stubs / "gradescope_utils").mkdir(parents=True, exist_ok=True)
    for name in ("pydantic", "yaml", "jsonschema", "tqdm", "reference"):
        (stubs / f"{name}.py").write_text(f"raise ImportError('{name} is not part of the self-check')\n")
    (stubs / "gradescope_utils" / "__init__.py").write_text("raise ImportError('not in the self-check')\n")
    env = {**os.environ, "PYTHONPATH": str(stubs), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "grader", "check", "hw4.py"], cwd=tree, env=env,
        capture_output=True, text=True, timeout=300,
    )


@pytest.mark.slow
def test_check_runs_from_the_student_bundle_alone(zips: dict[str, Path]) -> None:
    tree = _open_tree()
    try:
        with zipfile.ZipFile(zips["student"]) as zf:
            zf.extractall(tree)
        shutil.copy(EXAMPLES / "partial" / "hw4.py", tree / "hw4.py")
        out = _student_check(tree)
        assert out.returncode == 1, out.stderr
        rows = {line.split()[1]: line.split()[2] for line in out.stdout.splitlines() if re.match(r"^\d\.", line)}
        assert rows["p2c_params"] == "invalid" and rows["lstm_run"] == "error" and rows["softmax_beta"] == "wrong"
        assert rows["backprop"] == "missing" and rows["p1a_output"] == "ok"
        assert "Fix first: your file ran with an error at line 4: ModuleNotFoundError" in out.stdout
        template = subprocess.run(
            [sys.executable, "-m", "grader", "template"], cwd=tree, capture_output=True, text=True, timeout=60,
            env={**os.environ, "PYTHONPATH": str(tree / "_blocked")},
        )
        assert template.stdout == (tree / "hw4_template.py").read_text()
    finally:
        shutil.rmtree(tree)


@pytest.mark.slow
def test_student_bundle_says_what_it_cannot_run_and_what_to_install(zips: dict[str, Path]) -> None:
    tree = _open_tree()
    try:
        with zipfile.ZipFile(zips["student"]) as zf:
            zf.extractall(tree)
        shutil.copy(EXAMPLES / "full_credit" / "hw4.py", tree / "hw4.py")
        for command in (["grade", "hw4.py"], ["batch", "."], ["bundle"]):
            out = subprocess.run([sys.executable, "-m", "grader", *command], cwd=tree, capture_output=True,
                                 text=True, timeout=60)
            assert out.returncode == 2, out.stderr
            assert out.stderr == (f"error: '{command[0]}' is for course staff; this self-check bundle runs only "
                                  "'python -m grader check' and 'python -m grader template'\n")
        blocked = tree / "_no_numpy"
        blocked.mkdir()
        (blocked / "numpy.py").write_text("raise ModuleNotFoundError(\"No module named 'numpy'\", name='numpy')\n")
        out = subprocess.run([sys.executable, "-m", "grader", "check", "hw4.py"], cwd=tree, capture_output=True,
                             text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(blocked)})
        assert out.returncode == 2
        assert "Traceback" not in out.stderr
        assert "error: the package 'numpy' is not installed; run once: python3 -m pip install -r " \
            "requirements-selfcheck.txt" in out.stderr
    finally:
        shutil.rmtree(tree)


# ------------------------------------------------------------------ Gradescope's layout


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="setup.sh creates a user: needs root, as on Gradescope")
def test_setup_and_run_autograder_in_gradescope_layout(zips: dict[str, Path]) -> None:
    root = _open_tree()
    try:
        source = root / "source"
        with zipfile.ZipFile(zips["staff"]) as zf:
            zf.extractall(source)
        for name in ("setup.sh", "run_autograder", "scripts/ensure_env"):
            (source / name).chmod(0o755)
        shutil.copy(source / "run_autograder", root / "run_autograder")
        (root / "results").mkdir()
        (root / "submission_metadata.json").write_text(json.dumps({"id": 1, "users": [{"name": "A"}]}))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON", "GRADER_"))}
        env["GRADER_GRADESCOPE_ROOT"] = str(root)
        setup = subprocess.run(["bash", str(source / "setup.sh")], env=env, capture_output=True, text=True,
                               timeout=900)
        assert setup.returncode == 0, setup.stderr[-3000:]
        assert "setup complete" in setup.stdout
        assert (source / ".venv" / "bin" / "python").exists()
        for example, score in (("full_credit", 100.0), ("partial", 25.54)):
            shutil.rmtree(root / "submission", ignore_errors=True)
            shutil.copytree(EXAMPLES / example, root / "submission")
            run = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                                 timeout=600)
            assert run.returncode == 0, run.stderr[-3000:]
            results = json.loads((root / "results" / "results.json").read_text())
            lost = [(t["number"], t["output"]) for t in results["tests"] if t["score"] < t["max_score"]]
            assert results["score"] == pytest.approx(score, abs=1e-6), (example, lost[:3])
    finally:
        shutil.rmtree(root, ignore_errors=True)
