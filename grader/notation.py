"""Student notation → Python syntax: the one place where pasted mathematics is normalised.

Text pasted from the handout or a word processor means what it says:
``−`` (U+2212) and other dashes are minus, ``≤ ≥ ≠`` are ``<= >= !=``,
``×`` and ``·`` multiply, ``÷`` divides, a Greek letter is its name (``η`` is
``eta``), superscript digits are powers (``σ(z)²`` is ``sigma(z)**2``),
subscript digits are digits (``x₁`` is ``x1``), odd spaces are spaces and
full-width or styled letters are their plain forms.  On the token level ``^``
becomes ``**`` and, in relations, ``&``/``|`` (also ``&&``, ``||``, ``AND``,
``OR``, ``∧``, ``∨``) become ``and``/``or``, so ``x1 > 1 & x2 < 3`` means
what its author meant.

The result keeps, for every character, the position it came from, so that a
message can point into the text the student wrote.  :func:`syntax_hint` and
:func:`character_hint` say what to write instead when the text still does not
parse.  Nothing here evaluates anything.
"""

from __future__ import annotations

import io
import keyword
import tokenize
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Source", "character_hint", "foreign_character", "normalize", "split_product", "syntax_hint"]

_SPACES = frozenset("\t\n\v\f\r\u00a0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    chr(c) for c in range(0x2000, 0x200B)))
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_CHARS: dict[str, str] = {
    **dict.fromkeys("\u2212\u2010\u2011\u2012\u2013\u2014\ufe63\uff0d\u02d7", "-"),
    **dict.fromkeys("\u2264\u2a7d\u2266", "<="),
    **dict.fromkeys("\u2265\u2a7e\u2267", ">="),
    "\u2260": "!=",
    **dict.fromkeys("\u00d7\u00b7\u22c5\u2219\u2217\u2715", "*"),
    **dict.fromkeys("\u00f7\u2215\u2044", "/"),
    "\u2227": " and ",
    "\u2228": " or ",
    "\u00ac": " not ",
    "\u221e": "oo",
    **dict.fromkeys("\u2018\u2019\u2032", "'"),
    **dict.fromkeys("\u201c\u201d\u2033", '"'),
}
_GREEK_NAMES = (
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lamda", "mu", "nu",
    "xi", "omicron", "pi", "rho", "sigma", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
)
_GREEK: dict[str, str] = {
    **{chr(0x3B1 + i): name for i, name in enumerate(_GREEK_NAMES)},  # α..ω, with final ς
    **{chr(0x391 + i): name.capitalize() for i, name in enumerate(_GREEK_NAMES) if i != 17},  # Α..Ω
    "\u03d0": "beta", "\u03d1": "theta", "\u03d5": "phi", "\u03d6": "pi", "\u03f0": "kappa",
    "\u03f1": "rho", "\u03f5": "epsilon", "\u00b5": "mu",
}
_SUPERSCRIPTS = dict(zip("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b\u207a",
                         "0123456789-+", strict=True))
_SUBSCRIPTS = dict(zip("\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089", "0123456789", strict=True))
_WORDS = {"AND": "and", "And": "and", "OR": "or", "Or": "or", "NOT": "not", "Not": "not"}
_CHARACTER_HINTS = {
    "\u221a": "write sqrt(...) instead of \u221a",
    "\u2202": "give only the formula, without \u2202 or d/dw",
    "\u2211": "write the sum out with +",
    "'": "a quote or prime ' is not allowed: write a derivative out as a formula",
    '"': 'a quote " is not allowed inside the answer',
    "|": "write Abs(...) for an absolute value (| only joins relations)",
    "$": "write plain text, not LaTeX",
    "\\": "write plain text, not LaTeX (e.g. sqrt(x), not \\sqrt{x})",
    "{": "use ( ) for grouping, not { }",
    "}": "use ( ) for grouping, not { }",
}


@dataclass(frozen=True, slots=True)
class Source:
    """The text as it will be parsed, and where each of its characters came from.

    Attributes:
        text: the normalised text.
        origin: for each character of ``text``, its index in ``original``.
        original: the text as the student wrote it.
    """

    text: str
    origin: tuple[int, ...]
    original: str = ""

    def where(self, col: int | None) -> str:
        """``at character N`` (1-based, in the student's text) for a column of ``text``."""
        if col is None or not self.origin:
            return ""
        col = min(max(col, 0), len(self.origin) - 1)
        return f"at character {self.origin[col] + 1}"


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.origin: list[int] = []

    def add(self, text: str, at: int) -> None:
        self.parts.append(text)
        self.origin.extend([at] * len(text))

    def last(self) -> str:
        return self.parts[-1][-1:] if self.parts and self.parts[-1] else ""


def _plain(ch: str) -> str | None:
    """The compatibility form of a styled or full-width character, if it is plain ASCII or Greek."""
    folded = unicodedata.normalize("NFKC", ch)
    name = unicodedata.name(ch, "")
    if folded == ch or name.startswith(("SUPERSCRIPT", "SUBSCRIPT", "MODIFIER")):
        return None
    if name.startswith("VULGAR FRACTION"):
        return "(" + folded.replace("\u2044", "/") + ")"
    if all(c.isascii() or c in _GREEK for c in folded):
        return folded
    return None


def _is_letter(ch: str) -> bool:
    return ch == "_" or (ch.isascii() and ch.isalpha()) or ch in _GREEK


def _characters(text: str) -> tuple[str, tuple[int, ...]]:
    """The character-level rewrite, keeping the origin of every output character."""
    out = _Builder()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _SUPERSCRIPTS:
            j = i
            while j < len(text) and text[j] in _SUPERSCRIPTS:
                j += 1
            exponent = "".join(_SUPERSCRIPTS[c] for c in text[i:j])
            out.add("**" + (f"({exponent})" if exponent[0] in "+-" else exponent), i)
            i = j
            continue
        plain = _plain(ch) if ord(ch) > 127 and ch not in _GREEK and ch not in _SUBSCRIPTS else None
        for c in plain if plain is not None else ch:
            _character(c, text, i, out)
        i += 1
    return "".join(out.parts), tuple(out.origin)


def _character(ch: str, text: str, i: int, out: _Builder) -> None:
    if ch in _SUBSCRIPTS:
        out.add(_SUBSCRIPTS[ch], i)
    elif ch in _CHARS:
        out.add(_CHARS[ch], i)
    elif ch in _SPACES:
        out.add(" ", i)
    elif ch in _INVISIBLE:
        return
    elif ch in _GREEK:
        before = " " if _is_letter(out.last()) else ""
        after = " " if i + 1 < len(text) and _is_letter(text[i + 1]) else ""
        out.add(before + _GREEK[ch] + after, i)
    else:
        out.add(ch, i)


_SKIPPED_TOKENS = (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT)


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    """The tokens of one line of text, up to where tokenizing fails (an unclosed bracket, say)."""
    found: list[tokenize.TokenInfo] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type not in _SKIPPED_TOKENS:
                found.append(tok)
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass  # the parser reports the error; the tokens before it are still rewritten
    return found


def _token_rewrites(text: str, relations: bool) -> dict[int, tuple[int, str]]:
    """Column -> (length replaced, replacement) for ``^`` and, in relations, the logic words."""
    tokens = _tokens(text)
    edits: dict[int, tuple[int, str]] = {}
    for k, tok in enumerate(tokens):
        col = tok.start[1]
        following = tokens[k + 1] if k + 1 < len(tokens) else None
        if tok.type == tokenize.OP and tok.string == "^":
            edits[col] = (1, "**")
        elif relations and tok.type == tokenize.OP and tok.string in ("&", "|"):
            previous = tokens[k - 1] if k else None
            doubled = previous is not None and previous.string == tok.string and previous.end == tok.start
            edits[col] = (1, "" if doubled else (" and " if tok.string == "&" else " or "))
        elif relations and tok.type == tokenize.NAME and tok.string in _WORDS and (
            following is None or following.string != "("
        ):
            edits[col] = (len(tok.string), _WORDS[tok.string])
    return edits


def normalize(text: str, *, relations: bool = False) -> Source:
    """Rewrite student notation as Python syntax (see the module docstring).

    Args:
        text: the student's text.
        relations: also turn ``&``, ``|``, ``AND``, ``OR`` into ``and``/``or``.
    """
    chars, origin = _characters(text)
    start = len(chars) - len(chars.lstrip())
    body = chars.strip()
    body_origin = origin[start : start + len(body)]
    edits = _token_rewrites(body, relations)
    out = _Builder()
    col = 0
    while col < len(body):
        if col in edits:
            length, replacement = edits[col]
            out.add(replacement, body_origin[col])
            col += length
        else:
            out.add(body[col], body_origin[col])
            col += 1
    return Source("".join(out.parts), tuple(out.origin), text)


def foreign_character(source: Source) -> tuple[str, int] | None:
    """The first character left that is not plain ASCII, with what to write instead."""
    for col, ch in enumerate(source.text):
        if not ch.isascii():
            return character_hint(ch), col
    return None


def character_hint(ch: str) -> str:
    """What to write instead of a character the parser does not take."""
    if ch in _CHARACTER_HINTS:
        return _CHARACTER_HINTS[ch]
    if unicodedata.name(ch, "").startswith(("SUPERSCRIPT", "MODIFIER LETTER SMALL")):
        return f"the character '{ch}' is not allowed: use ** or ^ for powers, e.g. x**2 or x^2"
    code = f"U+{ord(ch):04X}"
    return f"the character '{ch}' ({code}) is not allowed: type the answer with plain keyboard characters"


def _is_operand_end(tok: tokenize.TokenInfo) -> bool:
    if tok.type == tokenize.NAME:
        return not keyword.iskeyword(tok.string)
    return tok.type == tokenize.NUMBER or tok.string == ")"


def _is_operand_start(tok: tokenize.TokenInfo) -> bool:
    if tok.type == tokenize.NAME:
        return not keyword.iskeyword(tok.string)
    return tok.type == tokenize.NUMBER


def syntax_hint(source: Source, relations: bool) -> tuple[str, int] | None:
    """What to write instead, for text that Python cannot parse: ``(message, column)``."""
    tokens = _tokens(source.text)
    for k, tok in enumerate(tokens):
        col = tok.start[1]
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        touching = nxt is not None and nxt.start == tok.end
        if tok.type == tokenize.ERRORTOKEN and tok.string.strip():
            return character_hint(tok.string.strip()[0]), col
        if tok.string == "=" and touching and nxt is not None and nxt.string in ("<", ">"):
            return f"write {nxt.string}= instead of ={nxt.string}", col
        if tok.string == "=":
            if relations:
                return "write == for 'equals' (or <, <=, >, >=); a single = is not a comparison", col
            return "give only the expression, without 'name =' in front", col
        if tok.string == "|" and not relations:
            return _CHARACTER_HINTS["|"], col
        if nxt is None:
            continue
        after = tokens[k + 2] if k + 2 < len(tokens) else None
        if tok.type == tokenize.NUMBER and nxt.string in ("x", "X") and after is not None and (
            after.type == tokenize.NUMBER
        ):
            a, b = tok.string, after.string
            return f"write * for times: {a} {nxt.string} {b} \u2192 {a}*{b}", col
        if tok.type == tokenize.NUMBER and touching and (nxt.type == tokenize.NAME or nxt.string == "("):
            return f"use * for multiplication: {tok.string}{nxt.string} \u2192 {tok.string}*{nxt.string}", col
        if tok.string == ")" and nxt.string == "(":
            return "use * for multiplication between brackets: )( \u2192 )*(", col
        if _is_operand_end(tok) and _is_operand_start(nxt) and not (touching and tok.string != ")"):
            gap = source.text[tok.end[1] : nxt.start[1]]
            return (f"use * for multiplication: '{tok.string}{gap}{nxt.string}' \u2192 "
                    f"{tok.string}*{nxt.string}"), nxt.start[1]
    if relations and "|" in source.original:
        bar = source.original.index("|")
        col = source.origin.index(bar) if bar in source.origin else 0
        return "write Abs(...) for an absolute value; | only joins relations", col
    return None


def split_product(name: str, variables: Sequence[str]) -> list[str] | None:
    """``w1x`` -> ``['w1', 'x']`` when a name is several variables written side by side."""
    known = sorted(variables, key=len, reverse=True)
    best: dict[int, list[str]] = {0: []}
    for end in range(1, len(name) + 1):
        for var in known:
            start = end - len(var)
            if start in best and name[start:end] == var and end not in best:
                best[end] = [*best[start], var]
    found = best.get(len(name))
    return found if found is not None and len(found) >= 2 else None
