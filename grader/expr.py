"""Safe math parsing: Python AST allow-list → sympy objects.

Student text is never handed to ``sympify``, ``parse_expr``, ``eval`` or
``exec``.  It is first normalised by :func:`grader.notation.normalize`
(unicode minus, ``≤``, ``×``, Greek letters, superscript powers, ``^``, ...),
then parsed with :func:`ast.parse`, and only the nodes and names listed here
are turned into sympy objects; anything else raises
:class:`~grader.errors.InvalidAnswer` with a message, a location and, where
it can tell, what to write instead.  A comparison used as a factor of an
expression, such as ``(w1*x > 0)``, is the 0/1 step ``Heaviside(w1*x)``.
Caps on text length, node count, nesting depth, integer literals and
numeric powers keep hostile input from hanging the grader.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy
from sympy.logic.boolalg import Boolean

from grader.errors import InvalidAnswer
from grader.notation import Source, foreign_character, normalize, split_product, syntax_hint
from grader.sandbox.answers import SympyText, describe

__all__ = [
    "FUNCTION_NAMES",
    "MAX_CHARS",
    "parse_expression",
    "real_symbols",
    "to_number",
    "to_sympy",
]

MAX_CHARS = 2000
MAX_NODES = 400
MAX_DEPTH = 60
MAX_INT_DIGITS = 100
MAX_EXPONENT = 1000
MAX_DIGITS = 1000  # largest constant allowed: about 10**MAX_DIGITS
MAX_EXP_ARG = 2300  # exp(2300) is about 10**999

_BIG = sympy.Integer(10) ** MAX_DIGITS
_INFINITE = (sympy.oo, -sympy.oo, sympy.zoo, sympy.nan)


def _sigma(u: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-u))


def _relu(u: sympy.Expr) -> sympy.Expr:
    return sympy.Max(u, 0)


# name -> (builder, least and most positional arguments)
_FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "exp": (sympy.exp, 1, 1),
    "log": (sympy.log, 1, 2),
    "ln": (sympy.log, 1, 1),
    "sqrt": (sympy.sqrt, 1, 1),
    "Abs": (sympy.Abs, 1, 1),
    "abs": (sympy.Abs, 1, 1),
    "Max": (sympy.Max, 1, 20),
    "max": (sympy.Max, 1, 20),
    "Min": (sympy.Min, 1, 20),
    "min": (sympy.Min, 1, 20),
    "sinh": (sympy.sinh, 1, 1),
    "cosh": (sympy.cosh, 1, 1),
    "tanh": (sympy.tanh, 1, 1),
    "sech": (sympy.sech, 1, 1),
    "csch": (sympy.csch, 1, 1),
    "coth": (sympy.coth, 1, 1),
    "sin": (sympy.sin, 1, 1),
    "cos": (sympy.cos, 1, 1),
    "sign": (sympy.sign, 1, 1),
    "sigma": (_sigma, 1, 1),
    "sigmoid": (_sigma, 1, 1),
    "relu": (_relu, 1, 1),
    "ReLU": (_relu, 1, 1),
    "Heaviside": (sympy.Heaviside, 1, 2),
    "step": (sympy.Heaviside, 1, 1),
}
_NUMBER_FUNCTIONS = {"Rational": (1, 2), "Integer": (1, 1), "Float": (1, 1)}
_RELATION_FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "Eq": (sympy.Eq, 2, 2),
    "Ne": (sympy.Ne, 2, 2),
    "Gt": (sympy.Gt, 2, 2),
    "Lt": (sympy.Lt, 2, 2),
    "Ge": (sympy.Ge, 2, 2),
    "Le": (sympy.Le, 2, 2),
    "And": (sympy.And, 1, 20),
    "Or": (sympy.Or, 1, 20),
    "Not": (sympy.Not, 1, 1),
}
_CONSTANTS: dict[str, sympy.Basic] = {"pi": sympy.pi, "E": sympy.E, "e": sympy.E, "oo": sympy.oo}
_BOOL_CONSTANTS: dict[str, sympy.Basic] = {
    "true": sympy.true,
    "True": sympy.true,
    "false": sympy.false,
    "False": sympy.false,
}
_UNDEFINED = {"zoo", "nan", "NaN", "inf", "infinity"}

FUNCTION_NAMES: tuple[str, ...] = tuple(_FUNCTIONS)

_POWER_HINT = "use ** or ^ for powers: pow(a, b) \u2192 a**b"
_FUNCTION_HINTS = {
    "pow": _POWER_HINT,
    "power": _POWER_HINT,
    "Pow": _POWER_HINT,
    "H": "write step(...) or Heaviside(...) for the unit step",
    "u": "write step(...) or Heaviside(...) for the unit step",
    "sgn": "write sign(...)",
    "e": "e is a constant: write exp(...) or e**(...)",
    "E": "E is a constant: write exp(...) or E**(...)",
    "pi": "pi is a constant: write pi*(...) to multiply",
    "diff": "give the derivative itself as a formula",
    "Derivative": "give the derivative itself as a formula",
}
# a comparison used as a factor: (sign of the difference, value at 0) of its Heaviside step
_STEPS: dict[type, tuple[int, int]] = {ast.Gt: (1, 0), ast.GtE: (1, 1), ast.Lt: (-1, 0), ast.LtE: (-1, 1)}
_DECIMAL_COMMA = re.compile(r"([-+]?\d+),(\d+)")

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: sympy.Lt,
    ast.LtE: sympy.Le,
    ast.Gt: sympy.Gt,
    ast.GtE: sympy.Ge,
    ast.Eq: sympy.Eq,
    ast.NotEq: sympy.Ne,
}
_DESCRIBE_NODE: dict[type, str] = {
    ast.Attribute: "'.' attribute access is not allowed",
    ast.Subscript: "'[...]' indexing is not allowed",
    ast.Lambda: "'lambda' is not allowed",
    ast.List: "a list '[...]' is not allowed inside an expression; use ( ) for grouping, not [ ]",
    ast.Dict: "a dict '{...}' is not allowed inside an expression",
    ast.Set: "'{...}' is not allowed inside an expression; use ( ) for grouping, not { }",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.IfExp: "'... if ... else ...' is not allowed; use Piecewise((a, condition), (b, True))",
    ast.NamedExpr: "':=' is not allowed",
    ast.JoinedStr: "text in quotes is not allowed inside an expression",
    ast.Starred: "'*' unpacking is not allowed",
    ast.Tuple: "found several values separated by commas; give a single expression",
}


def real_symbols(names: Sequence[str]) -> dict[str, sympy.Symbol]:
    """Real sympy symbols for the given variable names, keyed by name."""
    return {name: sympy.Symbol(name, real=True) for name in names}


@dataclass(frozen=True, slots=True)
class _Scope:
    source: Source
    symbols: dict[str, sympy.Symbol]
    relations: bool

    def fail(self, message: str, node: ast.AST | None = None) -> InvalidAnswer:
        return InvalidAnswer(message, self.source.where(getattr(node, "col_offset", None)))

    def allowed_names(self) -> str:
        if not self.symbols:
            return "this answer must be a constant (numbers, pi, e and functions such as exp, log, sqrt)"
        return "this answer may use " + ", ".join(self.symbols)


def _magnitude(value: sympy.Basic) -> sympy.Basic:
    if isinstance(value, (sympy.Integer, sympy.Float)):
        return abs(value)
    if isinstance(value, sympy.Rational):
        return abs(sympy.Integer(value.p // value.q))
    return abs(sympy.N(value, 15))


def _guard_number(value: Any, scope: _Scope, node: ast.AST) -> Any:
    """Reject constants so large that evaluating them would hang."""
    if (
        isinstance(value, sympy.Expr)
        and value.is_number
        and not isinstance(value, sympy.NumberSymbol)
        and not value.has(*_INFINITE)
        and bool(_magnitude(value) > _BIG)
    ):
        raise scope.fail(f"this number is too large (more than {MAX_DIGITS} digits)", node)
    return value


def _power(base: Any, exponent: Any, scope: _Scope, node: ast.AST) -> Any:
    if isinstance(exponent, sympy.Expr) and exponent.is_number and not exponent.has(*_INFINITE):
        size = _magnitude(exponent)
        if bool(size > MAX_EXPONENT):
            raise scope.fail(f"an exponent larger than {MAX_EXPONENT} is not allowed", node)
        if isinstance(base, sympy.Expr) and base.is_number and not base.has(*_INFINITE):
            b = _magnitude(base)
            if bool(b > 1) and bool(sympy.log(b, 10).evalf(15) * size > MAX_DIGITS):
                raise scope.fail(f"this power is too large (more than {MAX_DIGITS} digits)", node)
    return base**exponent


def _is_bool(value: Any) -> bool:
    return isinstance(value, Boolean) and not isinstance(value, sympy.Expr)


def _check_operand(value: Any, scope: _Scope, node: ast.AST, op: str) -> None:
    if _is_bool(value):
        raise scope.fail(
            f"'{op}' cannot be applied to a relation; "
            "put each relation in parentheses and join them with & or |",
            node,
        )


def _constant(node: ast.Constant, scope: _Scope, cond: bool) -> Any:
    value = node.value
    if isinstance(value, bool):
        if not cond:
            raise scope.fail("True/False are only allowed in relations", node)
        return sympy.true if value else sympy.false
    if isinstance(value, int):
        if len(str(abs(value))) > MAX_INT_DIGITS:
            raise scope.fail(f"integers longer than {MAX_INT_DIGITS} digits are not allowed", node)
        return sympy.Integer(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise scope.fail("this number is too large", node)
        return sympy.Float(value)
    if isinstance(value, complex):
        raise scope.fail("imaginary numbers are not allowed", node)
    if isinstance(value, str | bytes):
        raise scope.fail("text in quotes is not allowed inside an expression", node)
    raise scope.fail(f"'{value!r}' is not allowed in a math answer", node)


def _name(node: ast.Name, scope: _Scope, cond: bool) -> Any:
    name = node.id
    if name in scope.symbols:
        return scope.symbols[name]
    if name in _CONSTANTS:
        return _CONSTANTS[name]
    if name in _BOOL_CONSTANTS:
        if not cond:
            raise scope.fail(f"'{name}' is only allowed in relations", node)
        return _BOOL_CONSTANTS[name]
    if name in _UNDEFINED:
        raise scope.fail(f"'{name}' is not a finite number", node)
    if name in _FUNCTIONS or name in _RELATION_FUNCTIONS or name in _NUMBER_FUNCTIONS or name == "Piecewise":
        raise scope.fail(f"'{name}' is a function; call it like {name}(...)", node)
    raise scope.fail(_unknown_name(name, scope), node)


def _unknown_name(name: str, scope: _Scope) -> str:
    """The message for a name that is not allowed, with the likely intended one."""
    variables = list(scope.symbols)
    parts = split_product(name, variables)
    if parts:
        return f"unknown name '{name}'; use * for multiplication: {name} \u2192 {'*'.join(parts)}"
    close = [v for v in variables if v.lower() == name.lower()] or difflib.get_close_matches(
        name, variables, n=1, cutoff=0.75
    )
    hint = f"did you mean {close[0]}? " if close else ""
    return f"unknown name '{name}'; {hint}{scope.allowed_names()}"


def _unknown_function(name: str) -> str:
    allowed = ", ".join(_FUNCTIONS)
    if name in _FUNCTION_HINTS:
        return f"'{name}' is not an allowed function: {_FUNCTION_HINTS[name]}"
    close = [f for f in _FUNCTIONS if f.lower() == name.lower()] or difflib.get_close_matches(
        name, list(_FUNCTIONS), n=1, cutoff=0.75
    )
    hint = f"did you mean {close[0]}? " if close else ""
    return f"'{name}' is not an allowed function; {hint}allowed: {allowed}"


def _call(node: ast.Call, scope: _Scope, depth: int, cond: bool) -> Any:
    if not isinstance(node.func, ast.Name):
        if isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id in ("np", "numpy", "sp", "sympy", "math"):
                attr = node.func.attr
                if attr in _FUNCTIONS or attr in _NUMBER_FUNCTIONS:
                    raise scope.fail(f"write {attr}(...) without '{owner.id}.'", node.func)
                raise scope.fail(
                    f"'{owner.id}.{attr}(...)' is not allowed; write a plain number (a numpy value shown "
                    "with repr() looks like np.float64(2.5): build the string from float(value))",
                    node.func,
                )
            raise scope.fail("'.' attribute access is not allowed", node.func)
        if isinstance(node.func, ast.Constant) and isinstance(node.func.value, int | float):
            value = node.func.value
            raise scope.fail(f"use * for multiplication: {value}(...) \u2192 {value}*(...)", node)
        raise scope.fail("use * for multiplication between brackets: )( \u2192 )*(", node)
    name = node.func.id
    if node.keywords:
        raise scope.fail(f"keyword arguments (name=value) are not allowed in {name}(...)", node)
    if name == "Piecewise":
        return _piecewise(node, scope, depth)
    if name in _FUNCTIONS:
        fn, low, high = _FUNCTIONS[name]
    elif name in _RELATION_FUNCTIONS and cond:
        fn, low, high = _RELATION_FUNCTIONS[name]
    elif name in _RELATION_FUNCTIONS:
        raise scope.fail(f"'{name}' is only allowed in relations", node)
    elif name in _NUMBER_FUNCTIONS:
        return _number_call(node, scope, depth)
    elif name in scope.symbols:
        raise scope.fail(f"'{name}' is a variable, not a function; write {name}*(...) to multiply", node)
    else:
        raise scope.fail(_unknown_function(name), node)
    if not low <= len(node.args) <= high:
        count = f"{low}" if low == high else f"{low} to {high}"
        raise scope.fail(f"{name}(...) takes {count} argument(s), found {len(node.args)}", node)
    logical = name in ("And", "Or", "Not")
    args = [_build(arg, scope, depth + 1, cond) for arg in node.args]
    for arg, sub in zip(args, node.args, strict=True):
        if logical and not _is_bool(arg):
            raise scope.fail(f"{name}(...) joins relations such as x1 > 1", sub)
        if not logical:
            _check_operand(arg, scope, sub, name)
    if name == "exp" and args[0].is_number and bool(_magnitude(args[0]) > MAX_EXP_ARG):
        raise scope.fail(f"exp of a number larger than {MAX_EXP_ARG} is not allowed", node)
    return fn(*args)


def _number_call(node: ast.Call, scope: _Scope, depth: int) -> Any:
    name = node.func.id  # type: ignore[attr-defined]
    low, high = _NUMBER_FUNCTIONS[name]
    if not low <= len(node.args) <= high:
        raise scope.fail(f"{name}(...) takes {low} to {high} argument(s)", node)
    args = [_build(arg, scope, depth + 1, False) for arg in node.args]
    if not all(isinstance(a, sympy.Number) for a in args):
        raise scope.fail(f"{name}(...) takes plain numbers", node)
    if name == "Integer":
        if not isinstance(args[0], sympy.Integer):
            raise scope.fail("Integer(...) takes a whole number", node)
        return args[0]
    if name == "Float":
        return sympy.Float(args[0])
    if not all(isinstance(a, sympy.Rational) for a in args):
        raise scope.fail("Rational(...) takes whole numbers", node)
    return args[0] / args[1] if len(args) == 2 else args[0]


def _piecewise(node: ast.Call, scope: _Scope, depth: int) -> Any:
    if not node.args:
        raise scope.fail("Piecewise(...) needs at least one (value, condition) pair", node)
    pieces = []
    for arg in node.args:
        if not isinstance(arg, ast.Tuple) or len(arg.elts) != 2:
            raise scope.fail("each argument of Piecewise must be a pair (value, condition)", arg)
        value = _build(arg.elts[0], scope, depth + 2, False)
        condition = _build(arg.elts[1], scope, depth + 2, True)
        _check_operand(value, scope, arg.elts[0], "Piecewise")
        if not _is_bool(condition):
            raise scope.fail("the condition of a Piecewise piece must be a relation or True", arg.elts[1])
        pieces.append((value, condition))
    return sympy.Piecewise(*pieces)


def _compare(node: ast.Compare, scope: _Scope, depth: int) -> Any:
    left = _build(node.left, scope, depth + 1, False)
    parts = []
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = _build(right_node, scope, depth + 1, False)
        maker = _COMPARE.get(type(op))
        if maker is None:
            raise scope.fail("only <, <=, >, >=, == and != compare values", right_node)
        parts.append(maker(left, right))
        left = right
    return parts[0] if len(parts) == 1 else sympy.And(*parts)


def _indicator(node: ast.Compare, scope: _Scope, depth: int) -> Any:
    """A comparison used as a factor: 1 where it holds, 0 where not, i.e. Heaviside steps."""
    left = _build(node.left, scope, depth + 1, False)
    factors = []
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = _build(right_node, scope, depth + 1, False)
        rule = _STEPS.get(type(op))
        if rule is None:
            raise scope.fail(
                "only <, <=, > and >= can be a 0/1 factor; write step(u) or Heaviside(u) for 1 where u > 0",
                node,
            )
        symbol = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<="}[type(op)]
        _check_operand(left, scope, node.left, symbol)
        _check_operand(right, scope, right_node, symbol)
        sign, at_zero = rule
        factors.append(sympy.Heaviside(sign * (left - right), at_zero))
        left = right
    return sympy.Mul(*factors)


def _logic(node: ast.AST, op: str, operands: list[Any], scope: _Scope) -> Any:
    for value in operands:
        if not _is_bool(value):
            raise scope.fail(
                f"'{op}' joins relations; put each relation in parentheses, e.g. (x1 > 1) {op} (x2 < 3)", node
            )
    if op == "&":
        return sympy.And(*operands)
    if op == "|":
        return sympy.Or(*operands)
    return sympy.Not(operands[0])


def _binop(node: ast.BinOp, scope: _Scope, depth: int, cond: bool) -> Any:
    if cond and isinstance(node.op, ast.BitAnd | ast.BitOr):
        left = _build(node.left, scope, depth + 1, cond)
        right = _build(node.right, scope, depth + 1, cond)
        return _logic(node, "&" if isinstance(node.op, ast.BitAnd) else "|", [left, right], scope)
    if isinstance(node.op, ast.BitAnd | ast.BitOr):
        if scope.relations:
            op = "&" if isinstance(node.op, ast.BitAnd) else "|"
            raise scope.fail(
                f"'{op}' joins relations; put each relation in parentheses, e.g. (x1 > 1) {op} (x2 < 3)", node
            )
        raise scope.fail("'&' and '|' are only allowed in relations", node)
    if not isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow):
        raise scope.fail("only + - * / and ** (or ^) are allowed between values", node)
    left = _build(node.left, scope, depth + 1, False)
    right = _build(node.right, scope, depth + 1, False)
    symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}[type(node.op)]
    _check_operand(left, scope, node.left, symbol)
    _check_operand(right, scope, node.right, symbol)
    if isinstance(node.op, ast.Pow):
        return _power(left, right, scope, node)
    return _BINOPS[type(node.op)](left, right)


def _unary(node: ast.UnaryOp, scope: _Scope, depth: int, cond: bool) -> Any:
    if isinstance(node.op, ast.Invert | ast.Not):
        if not cond:
            raise scope.fail("'~' and 'not' are only allowed in relations", node)
        return _logic(node, "~", [_build(node.operand, scope, depth + 1, cond)], scope)
    operand = _build(node.operand, scope, depth + 1, False)
    _check_operand(operand, scope, node.operand, "-")
    return -operand if isinstance(node.op, ast.USub) else operand


def _build(node: ast.AST, scope: _Scope, depth: int, cond: bool) -> Any:
    if depth > MAX_DEPTH:
        raise scope.fail("this expression is nested too deeply", node)
    try:
        value = _build_node(node, scope, depth, cond)
    except InvalidAnswer:
        raise
    except (TypeError, ValueError, ArithmeticError, AttributeError, NotImplementedError) as exc:
        raise scope.fail(f"this cannot be computed ({type(exc).__name__})", node) from None
    return _guard_number(value, scope, node)


def _build_node(node: ast.AST, scope: _Scope, depth: int, cond: bool) -> Any:
    if isinstance(node, ast.Constant):
        return _constant(node, scope, cond)
    if isinstance(node, ast.Name):
        return _name(node, scope, cond)
    if isinstance(node, ast.BinOp):
        return _binop(node, scope, depth, cond)
    if isinstance(node, ast.UnaryOp):
        return _unary(node, scope, depth, cond)
    if isinstance(node, ast.Call):
        return _call(node, scope, depth, cond)
    if isinstance(node, ast.Compare):
        if cond:
            return _compare(node, scope, depth)
        if depth == 0:
            raise scope.fail("a comparison is not allowed here; this answer is an expression", node)
        return _indicator(node, scope, depth)
    if isinstance(node, ast.BoolOp) and cond:
        operands = [_build(v, scope, depth + 1, cond) for v in node.values]
        return _logic(node, "&" if isinstance(node.op, ast.And) else "|", operands, scope)
    if isinstance(node, ast.BoolOp):
        raise scope.fail("'and'/'or' are only allowed in relations", node)
    if isinstance(node, ast.Tuple) and scope.relations:
        raise scope.fail("found several relations separated by commas; join them with 'and' (&) or 'or' (|)", node)
    default = f"'{type(node).__name__}' syntax is not allowed in a math answer"
    message = _DESCRIBE_NODE.get(type(node), default)
    raise scope.fail(message, node)


def parse_expression(text: str, variables: Sequence[str], *, relations: bool = False) -> sympy.Basic:
    """Parse student text into a sympy object using an allow-list of syntax.

    Args:
        text: the student's text, in Python/sympy syntax or pasted notation
            (see :mod:`grader.notation`); ``^`` means power.
        variables: the only free names allowed (real symbols).
        relations: allow comparisons and &, |, ~, And, Or, Not, True/False.

    Returns:
        A sympy expression, or a sympy boolean when ``relations`` is true.

    Raises:
        InvalidAnswer: the text is not an allowed expression.
    """
    if not isinstance(text, str):
        raise InvalidAnswer(f"expected text, found {describe(text)}")
    if len(text) > MAX_CHARS:
        raise InvalidAnswer(f"this answer is too long ({len(text)} characters; at most {MAX_CHARS})")
    source = normalize(text, relations=relations)
    if not source.text:
        raise InvalidAnswer("this answer is empty")
    foreign = foreign_character(source)
    if foreign is not None:
        raise InvalidAnswer(foreign[0], source.where(foreign[1]))
    comma = _DECIMAL_COMMA.fullmatch(source.text)
    if comma is not None:
        whole, fraction = comma.groups()
        raise InvalidAnswer(f"write a decimal point, not a comma: {whole}.{fraction} instead of {whole},{fraction}")
    scope = _Scope(source, real_symbols(variables), relations)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "2(x)" warns that an int is not callable
            tree = ast.parse(source.text, mode="eval")
    except SyntaxError as exc:
        hint = syntax_hint(source, relations)
        if hint is not None:
            raise InvalidAnswer(f"this is not a valid expression: {hint[0]}", source.where(hint[1])) from None
        col = (exc.offset or 1) - 1 if exc.lineno in (None, 1) else None
        raise InvalidAnswer(_syntax_message(exc.msg), source.where(col)) from None
    except (RecursionError, MemoryError, ValueError):
        raise InvalidAnswer("this expression is nested too deeply") from None
    for count, _ in enumerate(ast.walk(tree), start=1):
        if count > MAX_NODES:
            raise InvalidAnswer(f"this expression is too long (more than {MAX_NODES} parts)")
    try:
        result = _build(tree.body, scope, 0, relations)
    except RecursionError:
        raise InvalidAnswer("this expression is nested too deeply") from None
    if isinstance(result, sympy.Basic) and result.has(sympy.zoo, sympy.nan):
        raise InvalidAnswer("this expression is undefined (is there a division by zero?)")
    if not relations and _is_bool(result):
        raise InvalidAnswer("expected an expression, found a relation or True/False")
    return result


def _syntax_message(python_message: str) -> str:
    """Python's complaint about unparsable text, with what to do about it."""
    if "was never closed" in python_message:
        return "this is not a valid expression: a bracket is opened here and never closed; add the missing ')'"
    if python_message.startswith("unmatched"):
        return "this is not a valid expression: this bracket closes nothing; remove it or add the opening '('"
    return (
        f"this is not a valid expression ({python_message}); check brackets and operators, "
        "and write products with '*', e.g. 2*x1"
    )


def _from_python_number(answer: Any, relations: bool) -> sympy.Basic:
    if isinstance(answer, bool):
        if not relations:
            raise InvalidAnswer(f"expected an expression, found {describe(answer)}")
        return sympy.true if answer else sympy.false
    if isinstance(answer, int):
        if answer.bit_length() > MAX_INT_DIGITS * 4:
            raise InvalidAnswer("this integer is too large")
        return sympy.Integer(answer)
    if isinstance(answer, float):
        if not math.isfinite(answer):
            raise InvalidAnswer(f"expected a finite number, found {describe(answer)}")
        return sympy.Float(answer)
    if isinstance(answer, Fraction):
        return sympy.Rational(answer.numerator, answer.denominator)
    raise InvalidAnswer(f"expected an expression, found {describe(answer)}")


def to_sympy(answer: Any, variables: Sequence[str], *, relations: bool = False) -> sympy.Basic:
    """Turn a decoded answer (text, sympy text or number) into a sympy object.

    Raises:
        InvalidAnswer: the answer is of another type or does not parse.
    """
    if isinstance(answer, SympyText):
        return parse_expression(answer.text, variables, relations=relations)
    if isinstance(answer, str):
        return parse_expression(answer, variables, relations=relations)
    if isinstance(answer, bool | int | float | Fraction):
        return _from_python_number(answer, relations)
    kind = "a relation such as 'x1 > 1'" if relations else "an expression (a string or a sympy expression)"
    raise InvalidAnswer(f"expected {kind}, found {_found(answer)}")


def _found(answer: Any) -> str:
    """What was given instead, with a hint for a list that holds the one value."""
    if isinstance(answer, list) and len(answer) == 1:
        return describe(answer) + "; give the item itself, not a list holding it (flatten the nested list)"
    return describe(answer)


def to_number(answer: Any) -> float:
    """Read a number answer: int, float, Fraction, or a constant expression text.

    Raises:
        InvalidAnswer: not a finite real number.
    """
    if isinstance(answer, bool):
        raise InvalidAnswer(f"a bool is not a number (found {describe(answer)})")
    if isinstance(answer, int):
        try:
            value = float(answer)
        except OverflowError:
            raise InvalidAnswer("this number is too large") from None
    elif isinstance(answer, float):
        value = answer
    elif isinstance(answer, Fraction):
        try:
            value = float(answer)
        except OverflowError:
            raise InvalidAnswer("this number is too large") from None
    elif isinstance(answer, str | SympyText):
        value = _text_number(answer.text if isinstance(answer, SympyText) else answer)
    else:
        raise InvalidAnswer(f"expected a number, found {_found(answer)}")
    if not math.isfinite(value):
        raise InvalidAnswer(f"expected a finite number, found {value!r}")
    return value


def _text_number(text: str) -> float:
    expr = parse_expression(text, ())
    if not isinstance(expr, sympy.Expr) or not expr.is_number:
        raise InvalidAnswer("expected a number, found an expression that is not a constant")
    if expr.has(*_INFINITE):
        raise InvalidAnswer("expected a finite number, found infinity")
    value = sympy.N(expr, 20)
    real, imag = value.as_real_imag()
    tiny = imag == 0 or (isinstance(real, sympy.Number) and abs(imag) <= 1e-12 * (1 + abs(real)))
    if not isinstance(real, sympy.Number) or not tiny:
        raise InvalidAnswer("expected a real number, found a complex or undefined value")
    try:
        return float(real)
    except (OverflowError, TypeError, ValueError):
        raise InvalidAnswer("this number is too large") from None
