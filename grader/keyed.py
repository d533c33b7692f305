"""Keyed answers: the items of a list or dict answer, in the handout's numbering.

A part judged item by item names its items by the ``select`` of its checks.

* Selects ``0, 1, ..., n-1`` are positions (the 4 hidden units of 1(b)): the
  answer is a list in order, or a dict keyed ``1..n`` (the handout's
  numbering) or ``0..n-1``.  Which numbering a dict uses is decided from its
  whole key set, never key by key: a dict without the key 0 is in the
  handout's numbering.
* Other selects are labels (the levels ``0, 1, 3`` of 1(c)): the answer is a
  dict keyed by them, or a list in their order.

Keys may be ints or strings of ints (``1`` and ``"1"`` are the same key).
Messages name each item by its number in the handout.  Only the grader's
plain decoded values reach here; nothing imports student code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from grader.sandbox.answers import describe

__all__ = ["KeyProblem", "handout_label", "is_positional", "key_from_text", "normalize_key", "pick", "read_items"]

Key = int | str


@dataclass(frozen=True, slots=True)
class KeyProblem:
    """Why an item cannot be taken from the answer.

    Attributes:
        message: what is wrong and what to write instead (lower-case start, no final period).
        missing: the answer is well formed but leaves this item out.
    """

    message: str
    missing: bool = False


def is_positional(selects: Sequence[Key]) -> bool:
    """Whether the selects are the positions ``0..n-1`` of a list."""
    return all(isinstance(s, int) and not isinstance(s, bool) for s in selects) and list(selects) == list(
        range(len(selects))
    )


def handout_label(select: Key, selects: Sequence[Key]) -> Key:
    """The item's number in the handout: position + 1, or the label itself."""
    return select + 1 if is_positional(selects) and isinstance(select, int) else select


def normalize_key(key: Any) -> Key | None:
    """A dict key as an int where it is one (``1``, ``"1"``, ``" 1 "``, ``1.0``), else a stripped string."""
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    if isinstance(key, float):
        return int(key) if key.is_integer() else None
    if isinstance(key, str):
        text = key.strip()
        try:
            return int(text)
        except ValueError:
            return text or None
    return None


def key_from_text(text: str) -> Key:
    """A select written as text (as the public metadata holds it) back as the rubric's key: ``"3"`` is 3."""
    key = normalize_key(text)
    return text if key is None else key


def _joined(labels: Sequence[Key]) -> str:
    return ", ".join(str(label) for label in labels)


def _shown(keys: Sequence[Any]) -> str:
    return ", ".join(repr(k) for k in keys[:8]) + (", ..." if len(keys) > 8 else "")


def _ways(selects: Sequence[Key]) -> str:
    """How to write the whole answer, for messages."""
    labels = [handout_label(s, selects) for s in selects]
    if is_positional(selects):
        n = len(selects)
        return (f"a list of {n} in the handout's order {_joined(labels)}, or a dict keyed {_joined(labels)} "
                f"(or 0..{n - 1})")
    return f"a dict keyed {_joined(labels)}, or a list in the order {_joined(labels)}"


def _dict_items(answer: dict[Any, Any], selects: Sequence[Key]) -> dict[Key, Any] | KeyProblem:
    keys: dict[Key, Any] = {}
    bad = []
    for key in answer:
        norm = normalize_key(key)
        if norm is None:
            bad.append(key)
        elif norm in keys:
            return KeyProblem(f"the dict has the key {norm} twice ({keys[norm]!r} and {key!r}); keep one of them")
        else:
            keys[norm] = key
    n = len(selects)
    labels = [handout_label(s, selects) for s in selects]
    if is_positional(selects):
        found = set(keys)
        if not bad and 0 in found and found <= set(range(n)):
            offset = 0
        elif not bad and found <= set(range(1, n + 1)):
            offset = 1
        else:
            return KeyProblem(f"the dict's keys should be {_joined(labels)} (the handout's numbering) or "
                              f"{_joined(range(n))}; found the keys {_shown(list(answer))}")
        return {s: answer[keys[int(s) + offset]] for s in selects if int(s) + offset in keys}
    wanted = {normalize_key(s): s for s in selects}
    if bad or not set(keys) <= set(wanted):
        return KeyProblem(f"the dict's keys should be {_joined(labels)} (ints or strings); "
                          f"found the keys {_shown(list(answer))}")
    return {wanted[k]: answer[original] for k, original in keys.items()}


def read_items(answer: Any, selects: Sequence[Key], noun: str = "items") -> dict[Key, Any] | KeyProblem:
    """Each select mapped to the answer's item; items the answer leaves out are absent.

    Raises nothing: a malformed answer is a :class:`KeyProblem` saying what to
    write instead.
    """
    n = len(selects)
    labels = [handout_label(s, selects) for s in selects]
    if isinstance(answer, (list, tuple)):
        if len(answer) != n:
            order = "the handout's order" if is_positional(selects) else "the order"
            return KeyProblem(f"expected {n} {noun}; found {len(answer)} (give them in {order} {_joined(labels)}, "
                              "with None for one you leave out)")
        return dict(zip(selects, answer, strict=True))
    if isinstance(answer, dict):
        return _dict_items(answer, selects)
    return KeyProblem(f"expected {_ways(selects)}; found {describe(answer)}")


def pick(answer: Any, select: Key, selects: Sequence[Key], noun: str = "items") -> Any:
    """The item ``select`` of a keyed answer, or a :class:`KeyProblem`."""
    items = read_items(answer, selects, noun)
    if isinstance(items, KeyProblem):
        return items
    if select in items:
        return items[select]
    label = handout_label(select, selects)
    if is_positional(selects) and isinstance(answer, dict) and any(normalize_key(k) == 0 for k in answer):
        where = f"{label} in the handout's numbering (key {select} counting from 0)"
    else:
        where = str(label)
    expected = _joined([handout_label(s, selects) for s in selects])
    return KeyProblem(f"the dict has no entry for {where}; its keys should be {expected}", missing=True)
