"""The engine holds no word of one assignment: HW4's words appear in grader/ only in docstrings and comments.

Every ``.py`` file under ``grader/`` is tokenized; names and string literals
that are not docstrings are split into words (identifiers at underscores),
and none may be ``hw4``, ``lstm``, ``relu`` or a part number ``p1``..``p3``
(``p1a``, ``p2c``...).  Docstrings and comments may name them as examples.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from grader.paths import ROOT

ENGINE = ROOT / "grader"
WORD = re.compile(r"^(hw4|lstm|relu|p[1-3][a-z]?)$", re.IGNORECASE)
ALLOWED = {
    ("expr.py", "relu"): "relu and ReLU are functions of the expression language (SPEC, value kinds), like sigmoid",
}
"""(file, word) pairs allowed in code, each with its reason."""


def _docstring_lines(tree: ast.AST) -> set[int]:
    """Line numbers of every docstring (module, class, function) and of attribute docstrings."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for i, stmt in enumerate(body):
            is_doc = isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) \
                and isinstance(stmt.value.value, str)
            if is_doc and (i == 0 or isinstance(body[i - 1], (ast.Assign, ast.AnnAssign))):
                lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    return lines


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^A-Za-z0-9]+|_", text) if w]


def code_hits(path: Path) -> list[tuple[int, str, str]]:
    """(line, word, token) for each assignment word in the code of ``path`` (docstrings and comments skipped)."""
    source = path.read_text(encoding="utf-8")
    docs = _docstring_lines(ast.parse(source))
    hits = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in (tokenize.NAME, tokenize.STRING) or tok.start[0] in docs:
            continue
        for word in _words(tok.string):
            if WORD.match(word) and (path.name, word.lower()) not in ALLOWED:
                hits.append((tok.start[0], word, tok.string))
    return hits


def test_the_word_finder_tells_code_from_docs(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""The module docstring names hw4 as an example."""\n'
        "KINDS = {'lstm_params': 1}  # a comment about relu\n"
        'LIMIT = 3\n"""An attribute docstring: p2c."""\n'
        "def f(p1a_output):\n    '''Docstring: lstm.'''\n    return 'the hw4 file'\n",
        encoding="utf-8",
    )
    assert [(line, word) for line, word, _ in code_hits(sample)] == [(2, "lstm"), (5, "p1a"), (7, "hw4")]


@pytest.mark.parametrize("path", sorted(ENGINE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_assignment_word_in_engine_code(path: Path) -> None:
    assert code_hits(path) == []


def test_no_module_hides_its_names_behind_a_lazy_getattr() -> None:
    """Imports are explicit: no module-level ``__getattr__`` facade anywhere in the engine."""
    import ast

    from grader.paths import ROOT

    found = [
        str(path.relative_to(ROOT)) for path in sorted((ROOT / "grader").rglob("*.py"))
        if any(isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
               for node in ast.parse(path.read_text(encoding="utf-8")).body)
    ]
    assert found == []
