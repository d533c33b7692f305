"""Tagged JSON: how values cross the sandbox boundary, in both directions.

Answers (child -> grader): :func:`encode` turns any object into JSON data;
:func:`decode` turns that data into the values of :mod:`grader.sandbox.answers` and
never raises.  JSON arrays are lists (tuples and arrays too), JSON objects are
always tagged ``{"t": tag, ...}``:

``float`` (``"nan"``, ``"inf"``, ``"-inf"``), ``fraction`` ``[num, den]``,
``dict`` ``[[key, value], ...]``, ``sympy`` (its ``str``), ``function``
(name and signature), ``opaque`` (type name and a capped repr).

Arguments (grader -> child): :func:`encode_args` / :func:`decode_args` keep
tuples as tuples, numpy arrays as float arrays of the same shape (bool arrays
stay bool), and ``Named``
helpers, which the child rebuilds with :func:`grader.sandbox.calls.resolve`.

Subclasses of builtin types are read through the builtin type's own slots
(``int.__index__``, ``float.__float__``, ``list.__len__`` ...), so overridden
methods of a student's class never decide what is sent.
"""

from __future__ import annotations

import json
import math
import reprlib
import sys
import types
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

from grader.sandbox.answers import FunctionRef, Opaque, SympyText
from grader.sandbox.calls import Named, resolve

__all__ = [
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "decode",
    "decode_args",
    "dumps",
    "encode",
    "encode_args",
    "loads",
]

MAX_DEPTH = 64
MAX_ELEMENTS = 10**6
MAX_STR = 100_000
MAX_REPR = 300
MAX_INT_BITS = 13_000  # about 3900 decimal digits: under Python's int/str limit
_SAFE_DTYPES = ("float64", "float32", "int64", "int32", "bool")
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = MAX_REPR


class _Budget:
    """How many more elements may be encoded."""

    __slots__ = ("left",)

    def __init__(self, left: int) -> None:
        self.left = left

    def take(self, count: int) -> bool:
        self.left -= count
        return self.left >= 0


def _opaque(type_name: str, text: str) -> dict[str, Any]:
    return {"t": "opaque", "type": type_name, "repr": text[:MAX_REPR]}


def _type_name(value: Any) -> str:
    cls = type(value)
    module = type.__getattribute__(cls, "__module__")
    name = type.__getattribute__(cls, "__qualname__")
    if not isinstance(module, str) or module == "builtins":
        return str(name)
    return f"{module}.{name}"


def _safe_repr(value: Any) -> str:
    try:
        text = _REPR.repr(value)
        if not isinstance(text, str):
            raise TypeError
        text = str.__str__(text)
    except BaseException:  # noqa: BLE001 - a student's __repr__ may raise anything
        text = object.__repr__(value)
    return text if len(text) <= MAX_REPR else text[: MAX_REPR - 3] + "..."


def _float(x: float) -> Any:
    if math.isfinite(x):
        return x
    return {"t": "float", "v": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def _int(x: int) -> Any:
    if x.bit_length() > MAX_INT_BITS:
        return _opaque("int", f"int too large ({x.bit_length()} bits)")
    return x


def encode(value: Any, *, budget: int = MAX_ELEMENTS) -> Any:
    """Turn any object into JSON-able tagged data (see module docstring); never raises."""
    try:
        return _encode(value, _Budget(budget), 0)
    except RecursionError:
        return _opaque(_type_name(value), "nested too deeply")
    except Exception as exc:  # noqa: BLE001 - a hostile object must not break the encoder
        return _opaque(_type_name(value), f"cannot be encoded: {type(exc).__name__}")


def _encode(value: Any, budget: _Budget, depth: int) -> Any:
    if not budget.take(1):
        return _opaque(_type_name(value), "too large to send")
    if value is None or value is True or value is False:
        return value
    if depth > MAX_DEPTH:
        return _opaque(_type_name(value), "nested too deeply")
    cls = type(value)  # unlike isinstance, type() cannot be fooled by a __class__ property
    if issubclass(cls, np.generic):
        return _encode_numpy_scalar(value, budget, depth)
    if issubclass(cls, int):
        return _int(int.__index__(value))
    if issubclass(cls, float):
        return _float(float.__float__(value))
    if issubclass(cls, str):
        text = str.__str__(value)
        if len(text) > MAX_STR:
            return _opaque("str", f"a string of {len(text)} characters (the limit is {MAX_STR})")
        return text
    if issubclass(cls, Fraction):
        num = int.__index__(Fraction.numerator.fget(value))  # type: ignore[attr-defined]
        den = int.__index__(Fraction.denominator.fget(value))  # type: ignore[attr-defined]
        if max(num.bit_length(), den.bit_length()) > MAX_INT_BITS:
            return _opaque("Fraction", "fraction too large")
        return {"t": "fraction", "v": [num, den]}
    if issubclass(cls, (list, tuple)):
        return _encode_sequence(value, budget, depth)
    if issubclass(cls, dict):
        return _encode_dict(value, budget, depth)
    if issubclass(cls, np.ndarray):
        return _encode_array(np.ndarray.view(value, np.ndarray), budget, depth)
    sympy = sys.modules.get("sympy")
    if sympy is not None and issubclass(cls, (sympy.Basic, sympy.MatrixBase)):
        return _encode_sympy(value, sympy, budget, depth)
    if issubclass(cls, type):
        return _opaque("class", str(type.__getattribute__(value, "__qualname__")))
    if callable(value):
        return _function_ref(value)
    return _opaque(_type_name(value), _safe_repr(value))


def _encode_numpy_scalar(value: np.generic, budget: _Budget, depth: int) -> Any:
    if isinstance(value, (np.complexfloating, np.datetime64, np.timedelta64, np.void)):
        return _opaque(_type_name(value), _safe_repr(value))
    item = np.generic.item(value)
    if isinstance(item, (bool, int, float, str, bytes)):
        if isinstance(item, bytes):
            return _opaque(_type_name(value), _safe_repr(item))
        return _encode(item, budget, depth)
    return _opaque(_type_name(value), _safe_repr(value))


def _encode_sequence(value: Any, budget: _Budget, depth: int) -> Any:
    base: Any = list if issubclass(type(value), list) else tuple
    size = base.__len__(value)
    if size > budget.left:
        return _opaque(_type_name(value), f"a sequence of {size} items is too large to send")
    return [_encode(base.__getitem__(value, i), budget, depth + 1) for i in range(size)]


def _encode_key(key: Any) -> Any:
    cls = type(key)
    if key is None or issubclass(cls, (int, str, np.generic)):
        return _encode(key, _Budget(2), 0)
    if issubclass(cls, float) and math.isfinite(float.__float__(key)):
        return float.__float__(key)
    return _safe_repr(key)


def _encode_dict(value: dict, budget: _Budget, depth: int) -> Any:
    items = list(dict.items(value))
    if len(items) * 2 > budget.left:
        return _opaque(_type_name(value), f"a dict of {len(items)} items is too large to send")
    return {"t": "dict", "v": [[_encode_key(k), _encode(v, budget, depth + 1)] for k, v in items]}


def _encode_array(arr: np.ndarray, budget: _Budget, depth: int) -> Any:
    if arr.size > budget.left:
        return _opaque("numpy.ndarray", f"an array of shape {arr.shape} is too large to send")
    if arr.ndim > MAX_DEPTH:
        return _opaque("numpy.ndarray", "nested too deeply")
    kind = arr.dtype.kind
    if kind in "biuf":
        budget.take(arr.size)
        if kind == "f" and not bool(np.isfinite(arr).all()):
            return _encode(arr.astype(float).tolist(), _Budget(MAX_ELEMENTS * 2), depth)
        return arr.tolist()
    if kind == "O":
        if arr.ndim == 0:
            return _encode(arr[()], budget, depth + 1)
        return [_encode(arr[i], budget, depth + 1) for i in range(arr.shape[0])]
    if kind == "U":
        return _encode(arr.tolist(), budget, depth)
    return _opaque("numpy.ndarray", f"an array of dtype {arr.dtype}")


def _encode_sympy(value: Any, sympy: Any, budget: _Budget, depth: int) -> Any:
    if isinstance(value, sympy.MatrixBase):
        return _encode(value.tolist(), budget, depth + 1)
    if value is sympy.true or value is sympy.false:
        return bool(value)
    if isinstance(value, sympy.Integer):
        return _int(int(value))
    if isinstance(value, sympy.Rational):
        return _encode(Fraction(int(value.p), int(value.q)), budget, depth)
    if isinstance(value, sympy.Float):
        return _float(float(value))
    try:
        text = str(value)
        text = str.__str__(text)
    except BaseException as exc:  # noqa: BLE001 - printing a broken expression may raise anything
        return _opaque(_type_name(value), f"cannot be printed: {type(exc).__name__}")
    if len(text) > MAX_STR:
        return _opaque(_type_name(value), f"an expression of {len(text)} characters (the limit is {MAX_STR})")
    return {"t": "sympy", "v": text}


def _function_ref(value: Any) -> dict[str, Any]:
    name = ""
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        name = str(getattr(value, "__name__", ""))
    if not name:
        name = _type_name(value)
    try:
        import inspect

        signature = str(inspect.signature(value))
    except BaseException:  # noqa: BLE001 - signature of an arbitrary callable may raise anything
        signature = ""
    return {"t": "function", "name": name[:MAX_REPR], "signature": signature[:MAX_REPR]}


# ---------------------------------------------------------------- decoding


def decode(obj: Any, *, max_depth: int = MAX_DEPTH + 8) -> Any:
    """Turn tagged JSON data into the values of :mod:`grader.sandbox.answers`; never raises."""
    try:
        return _decode(obj, max_depth)
    except (RecursionError, ValueError, TypeError, OverflowError, ZeroDivisionError):
        return Opaque("unknown", "malformed value")


def _decode(obj: Any, depth: int) -> Any:
    if depth < 0:
        return Opaque("unknown", "nested too deeply")
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return obj
    if isinstance(obj, list):
        return [_decode(v, depth - 1) for v in obj]
    if not isinstance(obj, dict):
        return Opaque("unknown", "malformed value")
    tag = obj.get("t")
    if tag == "float":
        return _decode_float(obj.get("v"))
    if tag == "fraction":
        num, den = obj["v"]
        if type(num) is not int or type(den) is not int or den == 0:
            return Opaque("Fraction", "malformed fraction")
        return Fraction(num, den)
    if tag == "dict":
        out: dict[Any, Any] = {}
        for pair in obj["v"]:
            key, value = pair
            if key is not None and not isinstance(key, (bool, int, float, str)):
                key = str(key)
            out[key] = _decode(value, depth - 1)
        return out
    if tag == "sympy":
        return SympyText(_text(obj.get("v")))
    if tag == "function":
        return FunctionRef(_text(obj.get("name")), _text(obj.get("signature")))
    if tag == "opaque":
        return Opaque(_text(obj.get("type")) or "unknown", _text(obj.get("repr")))
    return Opaque("unknown", "malformed value")


def _decode_float(v: Any) -> Any:
    if v in ("nan", "inf", "-inf"):
        return float(v)
    return Opaque("float", "malformed float")


def _text(v: Any) -> str:
    return v if isinstance(v, str) else ""


def dumps(obj: Any) -> str:
    """Strict one-line JSON (no NaN, no spaces)."""
    return json.dumps(obj, allow_nan=False, separators=(",", ":"), ensure_ascii=False)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"JSON constant {name} is not allowed")


def loads(data: str | bytes, *, max_bytes: int = 32 * 2**20) -> Any:
    """Parse strict JSON of at most ``max_bytes``; ``ValueError`` otherwise."""
    if len(data) > max_bytes:
        raise ValueError(f"message of {len(data)} bytes is over the limit of {max_bytes}")
    try:
        return json.loads(data, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("message nested too deeply") from None


# ------------------------------------------------------ arguments of calls


def encode_args(value: Any, _depth: int = 0) -> Any:
    """Encode trusted call arguments (grader side); ``TypeError`` on unknown types."""
    if _depth > MAX_DEPTH:
        raise ValueError("arguments nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        return _float(float(value))
    if isinstance(value, Fraction):
        return {"t": "fraction", "v": [value.numerator, value.denominator]}
    if isinstance(value, np.ndarray):
        # Integer arrays go as float arrays: student code may update them in place with floats.
        dtype = "bool" if value.dtype == np.bool_ else ("float32" if value.dtype == np.float32 else "float64")
        flat = [_float(x) if isinstance(x, float) else x for x in value.astype(dtype).ravel().tolist()]
        return {"t": "array", "dtype": dtype, "shape": list(value.shape), "v": flat}
    if isinstance(value, Named):
        params = [[k, encode_args(v, _depth + 1)] for k, v in value.params]
        return {"t": "named", "name": value.name, "params": params}
    if isinstance(value, tuple):
        return {"t": "tuple", "v": [encode_args(v, _depth + 1) for v in value]}
    if isinstance(value, list):
        return [encode_args(v, _depth + 1) for v in value]
    if isinstance(value, dict):
        return {"t": "dict", "v": [[encode_args(k, _depth + 1), encode_args(v, _depth + 1)]
                                   for k, v in value.items()]}
    raise TypeError(f"cannot send an argument of type {type(value).__name__} to the sandbox")


def decode_args(obj: Any, *, named: Callable[[Named], Any] = resolve, _depth: int = 0) -> Any:
    """Decode call arguments in the child: arrays, tuples and ``Named`` helpers rebuilt."""
    if _depth > MAX_DEPTH + 8:
        raise ValueError("arguments nested too deeply")
    if isinstance(obj, list):
        return [decode_args(v, named=named, _depth=_depth + 1) for v in obj]
    if not isinstance(obj, dict):
        return obj
    tag = obj.get("t")
    if tag == "float":
        return float(obj["v"])
    if tag == "fraction":
        return Fraction(*obj["v"])
    if tag == "array":
        if obj["dtype"] not in _SAFE_DTYPES:
            raise ValueError(f"unknown dtype {obj['dtype']!r}")
        data = [float(x["v"]) if isinstance(x, dict) else x for x in obj["v"]]
        return np.array(data, dtype=obj["dtype"]).reshape(tuple(obj["shape"]))
    if tag == "named":
        params = tuple((k, decode_args(v, named=lambda n: n, _depth=_depth + 1)) for k, v in obj["params"])
        return named(Named(obj["name"], params))
    if tag == "tuple":
        return tuple(decode_args(v, named=named, _depth=_depth + 1) for v in obj["v"])
    if tag == "dict":
        return {decode_args(k, named=named, _depth=_depth + 1): decode_args(v, named=named, _depth=_depth + 1)
                for k, v in obj["v"]}
    raise ValueError(f"unknown argument tag {tag!r}")
