"""Check kind ``expression``: a formula judged as a function over its whole domain.

A numeric stage decides: both expressions are evaluated (with mpmath, so no
float overflow) at seeded random points that cover both signs of every
variable and several magnitudes, skipping points next to a kink (an argument
of Heaviside, Max, Min, Abs, sign or a Piecewise condition close to 0).

An expected value may be a partial function: a ``Piecewise`` without an
otherwise branch, such as ``Piecewise((f, w1*x > 0))``, is compared only where
one of its conditions holds.  A known mistake that is "right only where
w1*x > 0" is written that way, so that it matches however the student wrote
the rest (with the ReLU kept, or with ``w1*x`` in its place).

A symbolic stage (``simplify(a - b) == 0`` in a time-limited child) runs only
when asked for with ``symbolic=True`` or when too few points were usable; a
timeout leaves the numeric verdict standing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy
from sympy.core.relational import Relational
from sympy.printing.pycode import MpmathPrinter

from grader.checks import CheckContext
from grader.checks.number import check_tolerances, invalid, screen, show
from grader.errors import InvalidAnswer
from grader.expr import FUNCTION_NAMES, parse_expression, real_symbols, to_sympy
from grader.results import CheckResult
from grader.symbolic import SymbolicFailure, TimedOut, run_with_time_limit

__all__ = [
    "HELP", "Params", "Verdict", "check", "compare", "domain_of", "kink_arguments", "normalize_expected",
    "note", "read", "shape", "vocabulary",
]

HELP = "a sympy expression or a string such as 'x*exp(-x^2/2)' ('^' also means power)"

_LIMIT = 1e5  # exponents beyond this evaluate to inf/0 instead of hanging mpmath
_MIN_POINTS = 5
_KINK_MARGIN = 1e-6


@dataclass(frozen=True, slots=True)
class Params:
    """Options of an ``expression`` check.

    Attributes:
        expected: the reference sympy expression (or its text).
        variables: the names the answer may use.
        rtol: relative tolerance at each point.
        atol: absolute tolerance at each point.
        substitutions: values put into both expressions before comparing
            (``{"w1": 0.01, ...}``); the other variables are sampled.
        samples: number of usable points to compare at.
        symbolic: also try ``simplify(a - b) == 0`` when the points agree.
    """

    expected: Any
    variables: tuple[str, ...] = ("x",)
    rtol: float = 1e-2
    atol: float = 1e-6
    substitutions: Mapping[str, float] | None = None
    samples: int = 40
    symbolic: bool = False

    def __post_init__(self) -> None:
        variables = (self.variables,) if isinstance(self.variables, str) else tuple(self.variables)
        object.__setattr__(self, "variables", variables)
        object.__setattr__(self, "expected", normalize_expected(self.expected, variables))
        check_tolerances(self.rtol, self.atol)
        if self.samples < 1:
            raise ValueError(f"samples must be >= 1, got {self.samples}")
        unknown = set(self.substitutions or {}) - set(variables)
        if unknown:
            raise ValueError(f"substitutions name unknown variable(s): {', '.join(sorted(unknown))}")


def vocabulary() -> str:
    """The functions and constants an answer may use, with what each non-obvious name means."""
    meanings: dict[str, list[str]] = {}
    for name in FUNCTION_NAMES:
        value = to_sympy(f"{name}(u)", ("u",))
        text = str(value)
        head = text.split("(", 1)[0].lower()
        if text != "u" and head != name.lower():
            meanings.setdefault(text, [])
            if not any(n.lower() == name.lower() for n in meanings[text]):
                meanings[text].append(name)
    words = " ".join(FUNCTION_NAMES)
    defined = ", ".join(" = ".join([*(f"{n}(u)" for n in names), text]) for text, names in meanings.items())
    return (f"Expressions may use the variables named for the part, the functions {words}, and the constants "
            f"pi E e.  {defined}.")


@functools.cache
def note() -> str:
    """The template's paragraph on what an expression (or relation) may use, built on first use.

    Building it parses every function name, which grading never needs.
    """
    return vocabulary()


def shape(params: Params) -> dict[str, Any]:
    """The variables an answer may use."""
    return {"variables": list(params.variables)}


def read(answer: Any, shape: dict[str, Any], *, strict: bool = False) -> sympy.Basic:
    """The answer as a sympy expression in ``shape["variables"]``; ``InvalidAnswer`` says where it fails."""
    return to_sympy(answer, tuple(shape.get("variables", ())))


def normalize_expected(expected: Any, variables: Sequence[str], *, relations: bool = False) -> sympy.Basic:
    """The reference as a sympy object over real symbols named ``variables``.

    Raises:
        ValueError: it uses a name outside ``variables`` or is not sympy data.
    """
    if isinstance(expected, str):
        try:
            return parse_expression(expected, variables, relations=relations)
        except InvalidAnswer as exc:
            raise ValueError(f"expected {expected!r} does not parse: {exc}") from None
    if isinstance(expected, bool) and not relations:
        raise ValueError("expected must be an expression, not a bool")
    if isinstance(expected, bool | int | float):
        return to_sympy(expected, variables, relations=relations)
    if not isinstance(expected, sympy.Basic):
        raise ValueError(f"expected must be a sympy object or text, got {type(expected).__name__}")
    names = {s.name for s in expected.free_symbols}
    extra = names - set(variables)
    if extra:
        raise ValueError(f"expected uses {', '.join(sorted(extra))}, not among variables {list(variables)}")
    symbols = real_symbols(variables)
    return expected.xreplace({s: symbols[s.name] for s in expected.free_symbols})


# --- numeric evaluation ----------------------------------------------------------


def _exp(u: Any) -> Any:
    if isinstance(u, mpmath.mpc):
        return mpmath.exp(u) if abs(u) < _LIMIT else mpmath.nan
    if u > _LIMIT:
        return mpmath.inf
    return mpmath.mpf(0) if u < -_LIMIT else mpmath.exp(u)


def _pow(base: Any, exponent: Any) -> Any:
    if base != 0 and exponent != 0:
        size = abs(exponent) * abs(mpmath.log(abs(base)))
        if size > _LIMIT:
            grows = (abs(base) > 1) == bool(mpmath.re(exponent) > 0)
            return mpmath.inf if grows else mpmath.mpf(0)
    return mpmath.power(base, exponent)


def _bounded(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def safe(u: Any) -> Any:
        return fn(u) if abs(u) < 1e6 else mpmath.nan

    return safe


def _tanh(u: Any) -> Any:
    if not isinstance(u, mpmath.mpc) and abs(u) > 1e3:
        return mpmath.mpf(1) if u > 0 else mpmath.mpf(-1)
    return mpmath.tanh(u)


def _cosh(u: Any) -> Any:
    if abs(u) <= _LIMIT:
        return mpmath.cosh(u)
    return mpmath.nan if isinstance(u, mpmath.mpc) else mpmath.inf


def _sinh(u: Any) -> Any:
    if abs(u) <= _LIMIT:
        return mpmath.sinh(u)
    return mpmath.nan if isinstance(u, mpmath.mpc) else mpmath.inf * mpmath.sign(u)


_SAFE: dict[str, Callable[..., Any]] = {
    "_pow": _pow,
    "exp": _exp,
    "sin": _bounded(mpmath.sin),
    "cos": _bounded(mpmath.cos),
    "tanh": _tanh,
    "cosh": _cosh,
    "sinh": _sinh,
}


class _SafePrinter(MpmathPrinter):
    """Prints every power as ``_pow(b, e)`` so huge powers give inf, not a hang."""

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:  # noqa: N802
        return f"_pow({self._print(expr.base)}, {self._print(expr.exp)})"


def _lambdify(symbols: Sequence[sympy.Symbol], expr: Any) -> Callable[..., Any]:
    if isinstance(expr, list):
        return _lambdify_cached(tuple(symbols), tuple(expr))
    return _lambdify_cached(tuple(symbols), expr)


@functools.lru_cache(maxsize=256)
def _lambdify_cached(symbols: tuple[sympy.Symbol, ...], expr: Any) -> Callable[..., Any]:
    """Compiling is the slow part of a check; expected expressions recur, so compile each once."""
    printer = _SafePrinter(
        {
            "fully_qualified_modules": False,
            "inline": True,
            "allow_unknown_functions": True,
            "user_functions": {name: name for name in _SAFE},
        }
    )
    return sympy.lambdify(list(symbols), expr, modules=[_SAFE, "mpmath"], printer=printer)


def kink_arguments(expr: sympy.Basic) -> list[sympy.Expr]:
    """Expressions whose sign switches a branch of ``expr`` (0 at every kink)."""
    found: list[sympy.Expr] = []
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Heaviside | sympy.Abs | sympy.sign):
            found.append(node.args[0])
        elif isinstance(node, sympy.Max | sympy.Min):
            found.extend(a - b for i, a in enumerate(node.args) for b in node.args[i + 1 :])
        elif isinstance(node, Relational) and (node.lhs - node.rhs).free_symbols:
            found.append(node.lhs - node.rhs)
    return list(dict.fromkeys(found))


def domain_of(expected: sympy.Basic) -> sympy.Basic | None:
    """Where a partial expected value is defined: the conditions of a ``Piecewise`` without otherwise."""
    if not isinstance(expected, sympy.Piecewise):
        return None
    conditions = [piece.cond for piece in expected.args]
    if any(c == sympy.true for c in conditions):
        return None
    return sympy.Or(*conditions)


def _inside(f_domain: Callable[..., Any] | None, point: Sequence[Any]) -> bool:
    if f_domain is None:
        return True
    try:
        return bool(f_domain(*point))
    except (ArithmeticError, TypeError, ValueError, AttributeError):
        return False


def _value(fn: Callable[..., Any], point: Sequence[Any]) -> Any:
    try:
        value = mpmath.mpmathify(fn(*point))
    except (ArithmeticError, TypeError, ValueError, AttributeError):
        return None
    if isinstance(value, mpmath.mpc) and value.imag == 0:
        value = value.real
    return value if mpmath.isfinite(value) else None


@functools.lru_cache(maxsize=8192)
def _expected_value(symbols: tuple[sympy.Symbol, ...], expected: Any, row: tuple[float, ...]) -> Any:
    """The expected expression's value at a point: the same for every submission, so computed once."""
    return _value(_lambdify(symbols, expected), [mpmath.mpf(v) for v in row])


def _agree(given: Any, expected: Any, rtol: float, atol: float) -> bool:
    if given is None or expected is None:
        return given is None and expected is None
    return bool(abs(given - expected) <= max(rtol * abs(expected), atol))


def _points(count: int, n: int, seed: int) -> np.ndarray:
    """``count`` points in ``n`` dimensions: every sign pattern, magnitudes 0.1..16."""
    rng = np.random.default_rng(seed)
    magnitudes = 10.0 ** rng.uniform(-1.0, 1.2, size=(count, n))
    if n <= 6:
        patterns = rng.permutation(2**n)
        index = patterns[np.arange(count) % (2**n)]
        signs = np.where((index[:, None] >> np.arange(n)) & 1, -1.0, 1.0)
    else:
        signs = rng.choice([-1.0, 1.0], size=(count, n))
    return magnitudes * signs


@dataclass(frozen=True, slots=True)
class Verdict:
    """The numeric stage's finding.

    Attributes:
        agree: no usable point differed.
        used: how many usable points were compared.
        point: the first point where they differ (name -> value), if any.
        given: the answer's value there (``None`` when undefined).
    """

    agree: bool
    used: int
    point: tuple[tuple[str, float], ...] = ()
    given: Any = None


def compare(
    given: sympy.Expr, expected: sympy.Expr, variables: Sequence[str], *, rtol: float, atol: float,
    samples: int, seed: int,
) -> Verdict:
    """Compare two expressions at seeded random points away from kinks.

    Points outside the domain of a partial ``expected`` (see :func:`domain_of`)
    are not compared.
    """
    free = sorted({s.name for s in given.free_symbols | expected.free_symbols}, key=list(variables).index)
    symbols = [real_symbols(variables)[name] for name in free]
    f_given = _lambdify(symbols, given)
    kinks = kink_arguments(given) + kink_arguments(expected)
    f_kinks = _lambdify(symbols, kinks) if kinks else None
    domain = domain_of(expected)
    f_domain = _lambdify(symbols, domain) if domain is not None else None
    wanted = max(samples, min(2 ** len(free), 64)) if free else 1
    used = 0
    for row in _points((8 if f_domain else 4) * wanted, len(free), seed):
        point = [mpmath.mpf(float(v)) for v in row]
        if f_kinks is not None and _near_kink(f_kinks, point):
            continue
        if not _inside(f_domain, point):
            continue
        g, e = _value(f_given, point), _expected_value(tuple(symbols), expected, tuple(float(v) for v in row))
        used += 1
        if not _agree(g, e, rtol, atol):
            return Verdict(False, used, tuple(zip(free, (float(v) for v in row), strict=True)), g)
        if used >= wanted:
            break
    return Verdict(True, used)


def _near_kink(f_kinks: Callable[..., Any], point: Sequence[Any]) -> bool:
    scale = 1 + max((abs(v) for v in point), default=0)
    try:
        values = f_kinks(*point)
    except (ArithmeticError, TypeError, ValueError, AttributeError):
        return True
    for v in values:
        v = mpmath.mpmathify(v)
        if not mpmath.isfinite(v) or abs(v) < _KINK_MARGIN * scale:
            return True
    return False


def _difference_is_zero(given: sympy.Expr, expected: sympy.Expr) -> bool:
    return bool(sympy.simplify(given - expected) == 0)


def _symbolic(given: sympy.Expr, expected: sympy.Expr, seconds: float) -> bool | None:
    """``True`` when proven equal, ``False`` when not proven, ``None`` on timeout."""
    try:
        result = run_with_time_limit(_difference_is_zero, given, expected, seconds=seconds)
    except SymbolicFailure:
        return False
    return None if isinstance(result, TimedOut) else bool(result)


def _substitute(expr: sympy.Basic, variables: Sequence[str], values: Mapping[str, float] | None) -> Any:
    if not values:
        return expr
    symbols = real_symbols(variables)
    return expr.xreplace({symbols[k]: sympy.Rational(repr(float(v))) for k, v in values.items()})


def _describe_point(verdict: Verdict) -> str:
    where = ", ".join(f"{name}={show(value)}" for name, value in verdict.point)
    if verdict.given is None:
        gives = "your expression is undefined"
    else:
        gives = f"your expression gives {show(float(mpmath.re(verdict.given)))}"
        if isinstance(verdict.given, mpmath.mpc):
            gives += f"{float(verdict.given.imag):+.6g}i"
    return f"at {where}: {gives}" if where else gives


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Judge one expression answer."""
    early = screen(answer)
    if early is not None:
        return early
    allowed = ", ".join(params.variables)
    try:
        given = read(answer, shape(params))
    except InvalidAnswer as exc:
        return invalid(exc, f"an expression in {allowed} (a string such as '2*x + 1' or a sympy expression)")
    given = _substitute(given, params.variables, params.substitutions)
    expected = _substitute(params.expected, params.variables, params.substitutions)
    verdict = compare(
        given, expected, params.variables, rtol=params.rtol, atol=params.atol,
        samples=params.samples, seed=ctx.seed,
    )
    if not verdict.agree:
        counterexample = _describe_point(verdict) if ctx.reveal else None
        message = "Your expression does not agree with the expected one everywhere"
        message += f" ({counterexample})." if counterexample else "."
        return CheckResult.failed(message, counterexample)
    if verdict.used >= _MIN_POINTS or verdict.used >= params.samples:
        if params.symbolic and _symbolic(given, expected, ctx.symbolic_seconds):
            return CheckResult.passed("Correct (confirmed symbolically).")
        return CheckResult.passed()
    proven = _symbolic(given, expected, ctx.symbolic_seconds)
    if proven:
        return CheckResult.passed()
    return CheckResult.failed(
        "Your expression could not be confirmed: it could be evaluated at too few points "
        "(is it undefined for most values?)."
    )
