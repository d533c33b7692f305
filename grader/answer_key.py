"""The answer key: a rubric and its reference, compiled once into plain JSON.

Binding a rubric (:func:`grader.assignment.bind`) reads the YAML, validates it
with pydantic, imports the reference and computes every expected value: most
of a single run's time.  Compiling does that once (``setup.sh`` runs
``python -m grader.answer_key``; a local run compiles lazily) and writes
``rubrics/.key/<rubric stem>.json``: the rubric as validated, and for every
check its kind's params (expected values, sympy expressions as ``srepr``),
every known mistake's params, the planned calls of student functions and the
reference's output for each of them.  A run with a valid key builds its bound
checks from it (:func:`grader.assignment.bind_key`) and never imports the
reference, pydantic or yaml.

The key is trusted only while it matches what it was compiled from: it holds
the SHA-256 of the rubric file, of every Python file of the reference's
package and of the public package (the helpers passed to student code), of
the engine (``grader/``), and the versions of Python, numpy and sympy.  A key
that differs in any of them, or does not parse, is never used: the run binds
the rubric instead and compiles a new key.

Where a kind needs reference code to judge an answer (``params_by_simulation``
runs a student's weights through the reference simulator), the key names the
module defining that function; :class:`LazyReference` imports that one module
when such an answer is judged, never before.

The key lives under ``rubrics/``, which the sandboxed child cannot read, and
is plain tagged JSON (no pickle); sympy text is rebuilt by an allow-list of
sympy classes (:func:`parse_srepr`), never ``eval``.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import math
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from grader.sandbox.calls import Case, Named

if TYPE_CHECKING:
    from grader.assignment import Assignment

__all__ = [
    "FORMAT", "AnswerKeyError", "Key", "LazyReference", "Record", "check_versions", "compile_file", "compile_key",
    "decode", "encode", "key_file", "load", "load_record", "parse_srepr", "restore_params", "same", "save",
]

FORMAT = 1
"""Version of the key's layout; a key of another format is recompiled."""
KEY_DIR = ".key"
_ENGINE = Path(__file__).resolve().parent
_RUBRIC_MODULE = "grader.rubric"


class AnswerKeyError(ValueError):
    """A value cannot be stored in the key, or a stored key cannot be read."""


# --- values <-> tagged JSON --------------------------------------------------------


def encode(value: Any) -> Any:
    """``value`` as tagged JSON data that :func:`decode` turns back into an equal value of the same type."""
    import numpy as np  # arrays come with the kinds that hold them

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):
        return {"t": "scalar", "dtype": value.dtype.str, "v": encode(value.item())}
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"t": "float", "v": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"t": "tuple", "v": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"t": "dict", "v": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, Fraction):
        return {"t": "fraction", "v": [value.numerator, value.denominator]}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise AnswerKeyError(f"cannot store an array of dtype {value.dtype}")
        return {"t": "array", "dtype": value.dtype.str, "shape": list(value.shape),
                "v": [encode(v) for v in value.ravel().tolist()]}
    if isinstance(value, Named):
        return {"t": "named", "name": value.name, "params": [[k, encode(v)] for k, v in value.params]}
    if isinstance(value, Case):
        return {"t": "case", "args": encode(value.args), "kwargs": encode(value.kwargs), "label": value.label}
    if type(value).__module__.startswith("sympy"):
        import sympy

        if isinstance(value, sympy.Basic):
            return {"t": "sympy", "v": sympy.srepr(value)}
    raise AnswerKeyError(f"cannot store a value of type {type(value).__name__} in the answer key")


def decode(data: Any) -> Any:
    """The value :func:`encode` stored."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    tag = data["t"]
    if tag == "tuple":
        return tuple(decode(v) for v in data["v"])
    if tag == "dict":
        return {decode(k): decode(v) for k, v in data["v"]}
    if tag == "float":
        return float(data["v"])
    if tag == "fraction":
        return Fraction(*data["v"])
    if tag == "case":
        return Case(decode(data["args"]), decode(data["kwargs"]), data["label"])
    if tag == "named":
        return Named(data["name"], tuple((k, decode(v)) for k, v in data["params"]))
    if tag == "sympy":
        return parse_srepr(data["v"])
    import numpy as np

    if tag == "array":
        items = [decode(v) for v in data["v"]]
        return np.array(items, dtype=np.dtype(data["dtype"])).reshape(tuple(data["shape"]))
    if tag == "scalar":
        return np.dtype(data["dtype"]).type(decode(data["v"]))
    raise AnswerKeyError(f"unknown tag {tag!r} in the answer key")


def same(a: Any, b: Any) -> bool:
    """Whether two stored values are equal and of the same types, all the way down (NaN equals NaN)."""
    import numpy as np

    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, Case):
        return same(a.args, b.args) and same(a.kwargs, b.kwargs) and a.label == b.label
    if isinstance(a, Named):
        return a.name == b.name and same(a.params, b.params)
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and same(a.item(), b.item())
    return bool(a == b)


def _sympy_classes() -> dict[str, type]:
    """Every loaded subclass of ``sympy.Basic`` by name (``ExprCondPair`` is not in sympy's namespace)."""
    import sympy

    found: dict[str, type] = {}
    todo: list[type] = [sympy.Basic]
    while todo:
        cls = todo.pop()
        found.setdefault(cls.__name__, cls)
        todo += type.__subclasses__(cls)
    return found


def _sympy_name(name: str) -> Any:
    """A sympy class (or singleton) that ``srepr`` may name; nothing else."""
    import sympy

    value = getattr(sympy, name, None)
    if isinstance(value, type) and issubclass(value, sympy.Basic):
        return value
    if isinstance(value, sympy.Basic):  # pi, E, oo, zoo, nan, true, false
        return value
    cls = _sympy_classes().get(name)
    if cls is not None and cls.__module__.startswith("sympy."):
        return cls
    raise AnswerKeyError(f"{name!r} is not a sympy class")


def parse_srepr(text: str) -> Any:
    """Rebuild a sympy object from its ``srepr``: calls of sympy classes on constants, nothing else."""

    def build(node: ast.AST) -> Any:
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool, type(None))):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            return -build(node.operand)
        if isinstance(node, ast.Name):
            return _sympy_name(node.id)
        if isinstance(node, ast.Tuple):
            return tuple(build(e) for e in node.elts)
        if isinstance(node, ast.Call) and not any(isinstance(a, ast.Starred) for a in node.args):
            func = build(node.func)
            if not callable(func):
                raise AnswerKeyError("a call of a value that is not a sympy class")
            kwargs = {k.arg: build(k.value) for k in node.keywords if k.arg is not None}
            if len(kwargs) != len(node.keywords):
                raise AnswerKeyError("** in sympy text")
            return func(*(build(a) for a in node.args), **kwargs)
        raise AnswerKeyError(f"unexpected {type(node).__name__} in sympy text")

    try:
        return build(ast.parse(text, mode="eval").body)
    except (SyntaxError, RecursionError) as exc:
        raise AnswerKeyError(f"unreadable sympy text: {exc}") from None


# --- the rubric as plain records ------------------------------------------------------


class Record:
    """A frozen record of a validated rubric model: its fields and properties, as they were when compiled.

    It stands in for the pydantic models of :mod:`grader.rubric` at run time,
    attribute for attribute (a test checks that every field and property is
    there), so that a run needs neither pydantic nor yaml.
    """

    __slots__ = ("__values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_Record__values", dict(values))

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a compiled rubric is read-only ({name})")

    def __repr__(self) -> str:
        return f"Record({self.__values!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and self.__values == other.__values

    def __hash__(self) -> int:
        return hash(json.dumps(_record_data(self), sort_keys=True, default=repr))


def _properties(cls: type) -> list[str]:
    """Properties defined by the rubric's own model classes (not pydantic's)."""
    names: list[str] = []
    for klass in cls.__mro__:
        if klass.__module__ != _RUBRIC_MODULE:
            continue
        names += [n for n, v in vars(klass).items() if isinstance(v, property) and n not in names]
    return names


def _dump_model(value: Any) -> Any:
    """A pydantic model (and what it holds) as JSON data tagged ``{"t": "record"}``."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        names = [*type(value).model_fields, *_properties(type(value))]
        return {"t": "record", "v": {n: _dump_model(getattr(value, n)) for n in names}}
    if isinstance(value, (list, tuple)):
        return {"t": "tuple", "v": [_dump_model(v) for v in value]} if isinstance(value, tuple) else \
            [_dump_model(v) for v in value]
    if isinstance(value, dict):
        return {"t": "dict", "v": [[encode(k), _dump_model(v)] for k, v in value.items()]}
    return encode(value)


def _load_record(data: Any) -> Any:
    if isinstance(data, dict) and data.get("t") == "record":
        return Record({k: _load_record(v) for k, v in data["v"].items()})
    if isinstance(data, dict) and data.get("t") == "tuple":
        return tuple(_load_record(v) for v in data["v"])
    if isinstance(data, dict) and data.get("t") == "dict":
        return {decode(k): _load_record(v) for k, v in data["v"]}
    if isinstance(data, list):
        return [_load_record(v) for v in data]
    return decode(data)


def load_record(key: Mapping[str, Any]) -> Any:
    """The compiled rubric of a key's data, as read-only :class:`Record` objects."""
    return _load_record(key["rubric"])


def _record_data(record: Any) -> Any:
    if isinstance(record, Record):
        return {k: _record_data(v) for k, v in record._Record__values.items()}  # type: ignore[attr-defined]
    if isinstance(record, (list, tuple)):
        return [_record_data(v) for v in record]
    return record


# --- what a key was compiled from -------------------------------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _engine_digest() -> str:
    """One digest of every Python file of the engine (``grader/``)."""
    digest = hashlib.sha256()
    for path in _python_files(_ENGINE):
        digest.update(path.relative_to(_ENGINE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _sources(rubric_path: Path, packages: Iterable[str], root: Path) -> dict[str, str]:
    """SHA-256 of the rubric file and of every Python file of ``packages`` (top-level folders under ``root``)."""
    found = {"rubric": _sha(rubric_path)}
    for package in sorted(set(packages)):
        folder = root / package
        files = _python_files(folder) if folder.is_dir() else [root / f"{package}.py"]
        for path in files:
            if path.is_file():
                found[path.relative_to(root).as_posix()] = _sha(path)
    return found


def _versions() -> dict[str, str]:
    import numpy
    import sympy

    return {"python": "{}.{}".format(*sys.version_info[:2]), "numpy": numpy.__version__, "sympy": sympy.__version__}


def key_file(rubric_path: Path) -> Path:
    """Where the key of ``rubric_path`` lives: ``.key/<stem>.json`` beside it (a folder the sandbox cannot read)."""
    rubric_path = Path(rubric_path)
    return rubric_path.parent / KEY_DIR / f"{rubric_path.stem}.json"


# --- compiling -------------------------------------------------------------------------


def _store_params(kind: ModuleType, params: Any, reference: ModuleType) -> dict[str, Any]:
    """A check's params as JSON data: the kind's ``to_key`` hook, else every dataclass field."""
    hook: Callable[..., dict[str, Any]] | None = getattr(kind, "to_key", None)
    fields = hook(params, reference=reference) if hook is not None else {
        f.name: getattr(params, f.name) for f in dataclasses.fields(params)
    }
    data = {name: encode(value) for name, value in fields.items()}
    back = {name: decode(value) for name, value in data.items()}
    for name, value in fields.items():
        if not same(value, back[name]):
            raise AnswerKeyError(f"{kind.__name__}: the field {name!r} does not survive the answer key")
    return data


def restore_params(kind: ModuleType, data: Mapping[str, Any]) -> Any:
    """The params :func:`_store_params` stored: the kind's ``from_key`` hook, else ``Params(**fields)``."""
    fields = {name: decode(value) for name, value in data.items()}
    hook: Callable[[dict[str, Any]], Any] | None = getattr(kind, "from_key", None)
    return hook(fields) if hook is not None else kind.Params(**fields)


def compile_key(assignment: Assignment, rubric_path: Path) -> dict[str, Any]:
    """The key of a bound assignment, as JSON data.

    Raises:
        AnswerKeyError: a value cannot be stored exactly (the run then binds instead).
    """
    reference = assignment.reference
    checks = []
    lazy: dict[str, str] = {}
    for check in assignment.checks:
        names: Callable[..., tuple[str, ...]] | None = getattr(check.kind, "judged_with", None)
        for name in names(check.params) if names is not None else ():
            target = getattr(reference, name)
            lazy[name] = getattr(target, "__module__", None) or reference.__name__
        checks.append({
            "number": check.number,
            "path": check.path,
            "kind": check.spec.kind,
            "visibility": check.visibility,
            "params": _store_params(check.kind, check.params, reference),
            "mistakes": [{"message": m.message, "credit": m.credit,
                          "params": _store_params(check.kind, m.params, reference)} for m in check.mistakes],
            "calls": [encode(case) for case in check.calls],
        })
    rubric = assignment.rubric
    packages = [rubric.reference.split(".")[0]] + [m.split(".")[0] for m in (rubric.helpers,) if m]
    return {
        "format": FORMAT,
        "made_from": {
            "engine": _engine_digest(),
            "sources": _sources(rubric_path, packages, assignment.root),
            "packages": sorted(set(packages)),
            "versions": _versions(),
        },
        "reference": reference.__name__,
        "lazy": lazy,
        "rubric": _dump_model(rubric),
        "source": rubric.source,
        "checks": checks,
    }


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def save(path: Path, key: Mapping[str, Any]) -> bool:
    """Write the key atomically in a folder only its owner can read; False when the tree is read-only.

    The file is the SHA-256 of its JSON body on the first line, then the
    body, so that a damaged key is never read.
    """
    body = json.dumps(key, allow_nan=False, separators=(",", ":"))
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(_digest(body) + "\n" + body, encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    except OSError:
        return False
    return True


def compile_file(rubric_path: Path) -> Path:
    """Bind the rubric, compile its key and write it; returns the key's path (``RubricError`` when broken)."""
    from grader.assignment import load_assignment

    rubric_path = Path(rubric_path)
    path = key_file(rubric_path)
    if not save(path, compile_key(load_assignment(rubric_path), rubric_path)):
        raise OSError(f"cannot write {path}")
    return path


# --- loading ---------------------------------------------------------------------------


class LazyReference(ModuleType):
    """The reference as a keyed run sees it: only the functions a kind calls while judging, imported on first use.

    Each name maps to the module that defines it (``lstm_run`` ->
    ``reference.hw4_p2``); any other name is not there.
    """

    def __init__(self, name: str, where: Mapping[str, str], root: Path) -> None:
        super().__init__(name, "The reference, imported function by function when judging needs one.")
        self.__dict__["_where"] = dict(where)
        self.__dict__["_root"] = root

    def __getattr__(self, name: str) -> Any:
        where = self.__dict__["_where"]
        if name.startswith("__") or name not in where:
            raise AttributeError(f"{name!r} is not a function of the reference that judging needs")
        from grader.assignment import import_reference

        value = getattr(import_reference(where[name], self.__dict__["_root"]), name)
        self.__dict__[name] = value
        return value


@dataclasses.dataclass(frozen=True)
class Key:
    """A loaded, valid key: the rubric records and the raw checks, decoded on demand."""

    data: Mapping[str, Any]
    rubric: Any
    root: Path

    @property
    def calls(self) -> list[tuple[str, Case]]:
        """Every planned call, in check order, with the answer name it calls (as ``plan_calls`` lists them)."""
        out = []
        for stored in self.data["checks"]:
            part = self._part(stored["path"])
            out += [(part.answer, decode(c)) for c in stored["calls"]]
        return out

    def _part(self, path: str) -> Any:
        return self.rubric.parts[int(path.split("[", 1)[1].split("]", 1)[0])]

    def reference(self) -> LazyReference:
        return LazyReference(self.data["reference"], self.data["lazy"], self.root)


def _valid(data: Any, rubric_path: Path, root: Path) -> bool:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return False
    made = data["made_from"]
    if made["engine"] != _engine_digest():
        return False
    return bool(made["sources"] == _sources(rubric_path, made["packages"], root))


def load(rubric_path: Path, *, root: Path | None = None) -> Key | None:
    """The key of ``rubric_path`` when it exists and matches the rubric, the reference and the engine, else None.

    The versions of numpy and sympy are checked when the key's checks are
    built (they are imported then anyway; see :func:`check_versions`).
    """
    rubric_path = Path(rubric_path)
    root = root or rubric_path.resolve().parent.parent
    try:
        digest, _, body = key_file(rubric_path).read_text(encoding="utf-8").partition("\n")
        if digest != _digest(body):
            return None
        data = json.loads(body)
        if not _valid(data, rubric_path, root):
            return None
        return Key(data, load_record(data), root)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def check_versions(key: Key) -> None:
    """Raise ``AnswerKeyError`` when numpy, sympy or Python differ from those the key was compiled with."""
    if key.data["made_from"]["versions"] != _versions():
        raise AnswerKeyError("the answer key was compiled with other versions of Python, numpy or sympy")


if __name__ == "__main__":
    from grader.paths import active_rubric

    print(compile_file(Path(sys.argv[1]) if len(sys.argv) > 1 else active_rubric()))
