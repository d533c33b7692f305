"""Staff-only ``answers.json``: a submission's decoded answers, kept beside its results.json.

A batch regrade writes it (trusted process only) so that the class report can
group the answers as the checks judge them.  Values are stored in the
sandbox's own tagged JSON (see :mod:`grader.sandbox.wire`), with three more
tags for what only the trusted side knows: ``missing``, ``failed`` and
``function_answer`` (a student function with the outcomes of its planned
calls).  :func:`read_answers` turns the file back into the values of
:mod:`grader.sandbox.answers`; it never runs or evaluates anything.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from grader.atomic import atomic_write_text
from grader.results import GradeReport
from grader.sandbox.answers import CallOutcome, Failed, FunctionAnswer, FunctionRef, Missing, Opaque, SympyText
from grader.sandbox.wire import decode, loads

__all__ = ["ANSWERS_FILE", "FORMAT", "decode_answer", "encode_answer", "read_answers", "write_answers"]

ANSWERS_FILE = "answers.json"
FORMAT = "answers/1"
MAX_VALUE_CHARS = 1_000_000
"""An answer whose JSON is longer is kept as an opaque note (the report cannot group it)."""


def encode_answer(value: Any) -> Any:
    """A decoded answer (see :mod:`grader.sandbox.answers`) as strict JSON data."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"t": "float", "v": str(value)}
    if isinstance(value, Fraction):
        return {"t": "fraction", "v": [value.numerator, value.denominator]}
    if isinstance(value, list | tuple):
        return [encode_answer(v) for v in value]
    if isinstance(value, dict):
        return {"t": "dict", "v": [[_key(k), encode_answer(v)] for k, v in value.items()]}
    if isinstance(value, SympyText):
        return {"t": "sympy", "v": value.text}
    if isinstance(value, Missing):
        return {"t": "missing", "reason": value.reason}
    if isinstance(value, Failed):
        return {"t": "failed", "message": value.message, "timed_out": value.timed_out}
    if isinstance(value, FunctionRef):
        return {"t": "function", "name": value.name, "signature": value.signature}
    if isinstance(value, FunctionAnswer):
        calls = [{"value": encode_answer(o.value), "seconds": _seconds(o.seconds)} for o in value.outcomes]
        return {"t": "function_answer", "name": value.ref.name, "signature": value.ref.signature, "calls": calls}
    if isinstance(value, Opaque):
        return {"t": "opaque", "type": value.type_name, "repr": value.repr}
    return {"t": "opaque", "type": type(value).__name__, "repr": ""}


def _key(key: Any) -> Any:
    if key is None or isinstance(key, bool | int | str):
        return key
    if isinstance(key, float) and math.isfinite(key):
        return key
    return str(key)


def _seconds(x: Any) -> float:
    return round(float(x), 4) if isinstance(x, int | float) and math.isfinite(x) else 0.0


def decode_answer(obj: Any) -> Any:
    """The inverse of :func:`encode_answer`; never raises (malformed data becomes ``Opaque``)."""
    if isinstance(obj, dict):
        tag = obj.get("t")
        if tag == "missing":
            return Missing(str(obj.get("reason") or "not defined"))
        if tag == "failed":
            return Failed(str(obj.get("message") or ""), bool(obj.get("timed_out")))
        if tag == "function_answer":
            ref = FunctionRef(str(obj.get("name") or ""), str(obj.get("signature") or ""))
            raw = obj.get("calls")
            calls: list[Any] = raw if isinstance(raw, list) else []
            outcomes = tuple(
                CallOutcome(decode_answer(c.get("value")), _seconds(c.get("seconds")))
                for c in calls if isinstance(c, dict)
            )
            return FunctionAnswer(ref, outcomes)
    return decode(obj)


def _bounded(value: Any) -> Any:
    data = encode_answer(value)
    if len(json.dumps(data, allow_nan=False)) > MAX_VALUE_CHARS:
        return encode_answer(Opaque("too large", f"over {MAX_VALUE_CHARS} characters of JSON; not kept"))
    return data


def write_answers(report: GradeReport | None, path: Path) -> None:
    """Write ``report.answers`` to ``path`` atomically; with no report, remove a stale file."""
    path = Path(path)
    if report is None:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return
    values = {str(name): _bounded(value) for name, value in sorted(report.answers.items())}
    text = json.dumps({"format": FORMAT, "values": values}, allow_nan=False, ensure_ascii=False)
    atomic_write_text(path, text + "\n")


def read_answers(path: Path) -> dict[str, Any] | None:
    """The decoded answers kept in ``path``, or ``None`` when it is absent or unreadable."""
    try:
        data = loads(Path(path).read_bytes(), max_bytes=256 * 2**20)
    except (OSError, ValueError):
        return None
    values = data.get("values") if isinstance(data, dict) and data.get("format") == FORMAT else None
    if not isinstance(values, Mapping):
        return None
    return {str(name): decode_answer(value) for name, value in values.items()}
